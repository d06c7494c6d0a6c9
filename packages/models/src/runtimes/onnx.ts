import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expand, noGrad, ortSessionOptions, positionIdsFromMask, positionRow, realize, Tensor } from '@retrievals/core-tensor';
import ort from 'onnxruntime-node';
import type { TokenBatch } from '../batching.js';
import { ModelNotFoundError, OnnxModelError } from '../errors.js';
import { modelFileCopies } from './model-files.js';
import { finishEmbeddings, type PostProcess, type Runtime, type RuntimeCapabilities, type RuntimeContext } from './runtime.js';

/**
 * Where Hugging Face's exporters (optimum, sentence-transformers, exportOnnx) put the model, float
 * first; the int8 file (`model_quantized.onnx`, transformers.js' q8 name) when it is the only one.
 */
export const ONNX_CANDIDATES = ['onnx/model.onnx', 'model.onnx', 'onnx/model_quantized.onnx', 'model_quantized.onnx'];

export function findOnnxFile(dir: string, file?: string): string | undefined {
  for (const f of file ? [file] : ONNX_CANDIDATES) if (existsSync(join(dir, f))) return join(dir, f);
  return undefined;
}

type Meta = { name: string; type?: string; shape?: readonly (number | string)[] };

/**
 * An existing ONNX export run directly in onnxruntime-node. Inputs are fed by the names Hugging Face
 * exports use (`input_ids`, `attention_mask`, `token_type_ids`, `position_ids`), as int64 or int32
 * as the graph declares; `last_hidden_state` (else the first output) is pooled with core-tensor ops.
 * A static-shape export (numeric batch / sequence dims) gets batches padded up to those dims.
 */
export class OnnxRuntime implements Runtime {
  readonly name = 'onnx';
  /** No weights in memory and no core-tensor graph: saving copies the ONNX file (with its folder or external data). */
  readonly capabilities: RuntimeCapabilities = { weights: false, graph: false, lora: false, savedFiles: (source) => modelFileCopies(source, this.file, ONNX_CANDIDATES) };
  readonly fixedShape: { batch?: number; sequence?: number } | undefined;
  private readonly output: string;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly file: string,
    private readonly decoder: boolean,
    /** The hidden size config.json states, checked against the graph's output. */
    private readonly hiddenSize: number | undefined,
  ) {
    const meta = (session.inputMetadata ?? []) as readonly Meta[];
    const known = ['input_ids', 'attention_mask', 'token_type_ids', 'position_ids'];
    const unknown = session.inputNames.filter((n) => !known.includes(n));
    if (unknown.length) {
      throw new OnnxModelError(`${file}: unsupported graph input${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n}'`).join(', ')}; expected ${known.join(', ')} (export for feature extraction, without past key values)`);
    }
    if (!session.inputNames.includes('input_ids')) throw new OnnxModelError(`${file}: the graph has no 'input_ids' input (inputs: ${session.inputNames.join(', ')})`);
    this.output = session.outputNames.includes('last_hidden_state') ? 'last_hidden_state' : session.outputNames[0]!;
    const shape = meta.find((m) => m.name === 'input_ids')?.shape;
    const dim = (i: number) => (typeof shape?.[i] === 'number' && shape[i]! > 0 ? (shape[i] as number) : undefined);
    this.fixedShape = dim(0) || dim(1) ? { batch: dim(0), sequence: dim(1) } : undefined;
  }

  static async open(file: string, options: { decoder?: boolean; threads?: number; hiddenSize?: number } = {}): Promise<OnnxRuntime> {
    let session: ort.InferenceSession;
    try {
      // The session options core-tensor's ort backend uses too, so both runtimes compare like for like.
      session = await ort.InferenceSession.create(file, ortSessionOptions({ threads: options.threads }));
    } catch (e) {
      throw new OnnxModelError(`${file}: onnxruntime could not load the model: ${(e as Error).message}`, { cause: e });
    }
    return new OnnxRuntime(session, file, options.decoder ?? false, options.hiddenSize);
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  private feed(name: string, data: BigInt64Array, dims: number[]): ort.Tensor {
    const meta = ((this.session.inputMetadata ?? []) as readonly Meta[]).find((m) => m.name === name);
    if (meta?.type === 'int32') return new ort.Tensor('int32', Int32Array.from(data, Number), dims);
    return new ort.Tensor('int64', data, dims);
  }

  /**
   * Position ids as the model family computes them, with core-tensor's mask ops (the same ones the
   * tensor runtime's architectures use): from the mask for decoders (left padding), 0..T-1 for encoders.
   * Tiny and host-side, so they run on the js backend.
   */
  private async positions(mask: Tensor): Promise<BigInt64Array> {
    const pos = noGrad(() => (this.decoder ? positionIdsFromMask(mask) : expand(positionRow(mask), mask.shape)));
    await realize([pos], { backend: 'js' });
    return pos.dataSync() as BigInt64Array;
  }

  async lastHiddenState(batch: TokenBatch): Promise<Tensor> {
    const [b, t] = batch.inputIds.shape as [number, number];
    const ids = batch.inputIds.dataSync() as BigInt64Array, mask = batch.attentionMask.dataSync() as BigInt64Array;
    const values: Record<string, BigInt64Array> = {
      input_ids: ids,
      attention_mask: mask,
      token_type_ids: batch.tokenTypeIds.dataSync() as BigInt64Array,
      position_ids: this.session.inputNames.includes('position_ids') ? await this.positions(batch.attentionMask) : new BigInt64Array(0),
    };
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of this.session.inputNames) feeds[name] = this.feed(name, values[name]!, [b, t]);
    let result: ort.InferenceSession.OnnxValueMapType;
    try {
      result = await this.session.run(feeds, [this.output]);
    } catch (e) {
      throw new OnnxModelError(`${this.file}: run failed for a batch of shape [${b}, ${t}]: ${(e as Error).message}`, { cause: e });
    }
    const out = result[this.output]!;
    if (out.dims.length !== 3 || out.dims[0] !== b || out.dims[1] !== t || out.type !== 'float32') {
      throw new OnnxModelError(`${this.file}: output '${this.output}' is ${out.type}[${out.dims.join(', ')}], expected float32 last hidden states [${b}, ${t}, hidden]`);
    }
    if (this.hiddenSize !== undefined && out.dims[2] !== this.hiddenSize) {
      throw new OnnxModelError(`${this.file}: output '${this.output}' has ${out.dims[2]} features, but config.json's hidden size is ${this.hiddenSize}: the ONNX file does not belong to this folder's model`);
    }
    return new Tensor({ shape: [...out.dims], dtype: 'float32', buffer: out.data as Float32Array });
  }

  async embed(batch: TokenBatch, post: PostProcess): Promise<Tensor> {
    const hidden = await this.lastHiddenState(batch);
    const e = noGrad(() => finishEmbeddings(hidden, batch.attentionMask, post));
    await realize(e);
    return e;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/** Opens a folder's ONNX export (the `onnxFile` option, else the first of ONNX_CANDIDATES). */
export async function openOnnxRuntime(ctx: RuntimeContext): Promise<OnnxRuntime> {
  const requested = typeof ctx.options.onnxFile === 'string' ? ctx.options.onnxFile : undefined;
  const file = findOnnxFile(ctx.dir, requested);
  if (!file) throw new ModelNotFoundError(`${ctx.dir}: no ONNX model (looked for ${(requested ? [requested] : ONNX_CANDIDATES).join(', ')})`);
  const hidden = ctx.backbone?.hiddenSize ?? ctx.config?.raw.hidden_size ?? ctx.config?.raw.dim;
  return OnnxRuntime.open(file, { decoder: ctx.backbone?.kind === 'decoder', hiddenSize: typeof hidden === 'number' ? hidden : undefined });
}
