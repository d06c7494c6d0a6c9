import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  encodeModel, exportGraph, PROTOBUF_LIMIT, type ExportInput, NotImplementedError, type OnnxGraph, quantizeMatMulsInt8, RetrievalsError, Tensor,
} from '@retrievals/core-tensor';
import type { AutoModelForEmbedding } from './auto-model.js';
import { foldWeightCasts } from './export-onnx-graph.js';
import { copyAtomic, TOKENIZER_FILES, writeFileAtomic } from './files.js';
import type { Backbone } from './registry.js';
import { WEIGHTS_RUNTIME } from './runtimes/defaults.js';

export interface ExportOnnxOptions {
  /** `int8`: dynamic int8 quantization of the weight MatMuls (per output column), written as `onnx/model_quantized.onnx`. Default `none`. */
  quantize?: 'none' | 'int8';
  /**
   * Fixed input dims instead of dynamic `batch` / `sequence` axes, for runtimes that need static
   * shapes (the `onnx` runtime pads batches up to them).
   */
  staticShape?: { batch: number; sequence: number };
}

/** Where each variant goes: the names Optimum writes and transformers.js looks for (dtype fp32 / q8). */
export const EXPORT_FILES = { none: 'onnx/model.onnx', int8: 'onnx/model_quantized.onnx' } as const;

/** Files that make the folder loadable by itself (config, tokenizer, sentence-transformers modules). */
const SIDE_FILES = ['config.json', ...TOKENIZER_FILES, 'modules.json', 'config_sentence_transformers.json', 'sentence_bert_config.json'];

/**
 * The backbone's inference graph (eval mode, no gradients) as ONE ONNX graph: int64 inputs named
 * as Hugging Face exports name them, [batch, sequence] each; output `last_hidden_state`
 * [batch, sequence, hidden]; weights as float32 initializers under their Hugging Face names.
 */
export function inferenceGraph(backbone: Backbone, staticShape?: ExportOnnxOptions['staticShape']): OnnxGraph {
  const dims = staticShape ? [staticShape.batch, staticShape.sequence] : ['batch', 'sequence'];
  const inputs: ExportInput[] = backbone.inputNames.map((name) => ({ name, dtype: 'int64', dims }));
  const modules = [...backbone.namedModules().values()];
  const training = modules.map((m) => m.training);
  backbone.eval(); // no dropout in the exported graph; the caller's mode is restored below
  try {
    const graph = exportGraph({
      inputs,
      outputNames: ['last_hidden_state'],
      weights: backbone.namedParameters(),
      name: backbone.constructor.name,
      build: (xs: Tensor[]) => {
        const by = (n: string) => xs[backbone.inputNames.indexOf(n as never)];
        return [backbone.forward({ inputIds: by('input_ids')!, attentionMask: by('attention_mask')!, tokenTypeIds: by('token_type_ids') })];
      },
    });
    return foldWeightCasts(graph);
  } finally {
    modules.forEach((m, i) => (m.training = training[i]!));
  }
}

/**
 * Lowers the model's transformer to `<dir>/onnx/model.onnx` (int8: `onnx/model_quantized.onnx`)
 * with dynamic batch and sequence axes, and copies config.json, the tokenizer and the
 * sentence-transformers module files next to it (never over files already there, e.g. from
 * savePretrained), so `fromPretrained(dir, { runtime: 'onnx' })` loads the folder by itself.
 * Returns the file written.
 */
export async function exportOnnx(model: AutoModelForEmbedding, dir: string, options: ExportOnnxOptions = {}): Promise<string> {
  const quantize = options.quantize ?? 'none';
  if (typeof quantize !== 'string' || !Object.hasOwn(EXPORT_FILES, quantize)) throw new RetrievalsError(`exportOnnx: quantize must be 'none' or 'int8', got ${JSON.stringify(quantize)}`);
  if (!model.backbone || !model.runtime.capabilities.graph) {
    throw new RetrievalsError(`exportOnnx: the model runs on the '${model.runtime.name}' runtime, which has no graph to export; load it with the '${WEIGHTS_RUNTIME}' runtime (safetensors weights)`);
  }
  let graph = inferenceGraph(model.backbone, options.staticShape);
  if (quantize === 'int8') graph = quantizeMatMulsInt8(graph);
  const bytes = graph.initializers.reduce((s, t) => s + t.data.byteLength, 0);
  if (bytes > PROTOBUF_LIMIT) {
    throw new NotImplementedError(`exportOnnx of ${(bytes / 2 ** 30).toFixed(2)} GiB of weights: ONNX files over protobuf's 2 GiB limit need external data files, which are not written yet`);
  }
  const file = join(resolve(dir), EXPORT_FILES[quantize]);
  mkdirSync(dirname(file), { recursive: true });
  writeFileAtomic(file, encodeModel(graph));
  copySideFiles(model.dir, resolve(dir));
  return file;
}

function copySideFiles(from: string, to: string): void {
  if (resolve(from) === to) return;
  for (const f of SIDE_FILES) if (existsSync(join(from, f)) && !existsSync(join(to, f))) copyAtomic(join(from, f), join(to, f));
  // sentence-transformers keeps its Pooling / Normalize settings in the module folders modules.json
  // lists; a Transformer module's folder holds weights, which the ONNX file replaces.
  const modulesFile = join(from, 'modules.json');
  if (!existsSync(modulesFile)) return;
  for (const m of JSON.parse(readFileSync(modulesFile, 'utf8')) as { path?: string; type?: string }[]) {
    if (!m.path || m.type?.endsWith('.Transformer') || existsSync(join(to, m.path)) || !existsSync(join(from, m.path))) continue;
    copyAtomic(join(from, m.path), join(to, m.path));
  }
}
