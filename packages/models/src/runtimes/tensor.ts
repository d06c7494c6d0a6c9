import { backends, buildProgram, noGrad, realize, type Tensor } from '@retrievals/core-tensor';
import type { TokenBatch } from '../batching.js';
import type { Backbone } from '../registry.js';
import { finishEmbeddings, type PostProcess, type Runtime, runtimes } from './runtime.js';

/**
 * The core-tensor graph of the architecture, run by a core-tensor backend (`ort` by default: the
 * forward, pooling and normalisation compile to one ONNX graph per batch shape, cached).
 */
export class TensorRuntime implements Runtime {
  readonly name = 'tensor';

  constructor(
    readonly backbone: Backbone,
    /** A core-tensor backend name (`ort`, `js`); default: the process-wide choice. */
    private readonly backend?: string,
  ) {}

  get inputNames(): readonly string[] {
    return this.backbone.inputNames;
  }

  private inputs(batch: TokenBatch) {
    const uses = (n: string) => this.backbone.inputNames.includes(n as never);
    return { inputIds: batch.inputIds, attentionMask: batch.attentionMask, tokenTypeIds: uses('token_type_ids') ? batch.tokenTypeIds : undefined };
  }

  private async run(build: () => Tensor): Promise<Tensor> {
    // The graph is built without recording gradients; realising it is one backend run.
    const out = noGrad(build);
    if (!this.backend) await realize(out);
    else {
      // realize() on a named backend, without withBackend's process-wide switch, which concurrent
      // encodes on different backends could leave set to the wrong one.
      const { program, feedData, targetOutputs } = buildProgram([out]);
      const values = await backends.get(this.backend).run(program, feedData);
      out.buffer = values[targetOutputs[0]!];
    }
    return out;
  }

  lastHiddenState(batch: TokenBatch): Promise<Tensor> {
    return this.run(() => this.backbone.forward(this.inputs(batch)));
  }

  embed(batch: TokenBatch, post: PostProcess): Promise<Tensor> {
    return this.run(() => finishEmbeddings(this.backbone.forward(this.inputs(batch)), batch.attentionMask, post));
  }

  async dispose(): Promise<void> {}
}

runtimes.register('tensor', async (ctx) => new TensorRuntime(ctx.loadWeights(), typeof ctx.options.backend === 'string' ? ctx.options.backend : undefined));
