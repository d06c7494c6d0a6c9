import { noGrad, realize, type Tensor } from '@retrievals/core-tensor';
import type { TokenBatch } from '../batching.js';
import type { Backbone, ModelInputs } from '../registry.js';
import { ResidentGraphs } from './resident.js';
import { finishEmbeddings, type PostProcess, type Runtime, type RuntimeCapabilities, type RuntimeContext } from './runtime.js';

/**
 * The core-tensor graph of the architecture, run by a core-tensor backend. Inference (eval mode) on
 * a backend that compiles whole graphs (`ort`) runs one graph per kind of output with dynamic axes
 * and resident weights (see ResidentGraphs); elsewhere the forward, pooling and normalisation are
 * realised like any core-tensor graph, one compiled program per batch shape.
 */
export class TensorRuntime implements Runtime {
  readonly name = 'tensor';
  /** It runs the backbone's own tensors: they can be saved, adapted with LoRA, and its graph exported. */
  readonly capabilities: RuntimeCapabilities = { weights: true, graph: true, lora: true };

  private readonly resident: ResidentGraphs;
  /** Ids for the poolers seen, so each post-processing gets its own resident graph. */
  private readonly poolerIds = new Map<unknown, number>();

  constructor(
    readonly backbone: Backbone,
    /** A core-tensor backend name (`ort`, `js`); default: the context's choice. */
    private readonly backend?: string,
  ) {
    this.resident = new ResidentGraphs(backbone, backend);
  }

  get inputNames(): readonly string[] {
    return this.backbone.inputNames;
  }

  private inputs(batch: TokenBatch): ModelInputs {
    const uses = (n: string) => this.backbone.inputNames.includes(n as never);
    return { inputIds: batch.inputIds, attentionMask: batch.attentionMask, tokenTypeIds: uses('token_type_ids') ? batch.tokenTypeIds : undefined };
  }

  /** `build` on a batch: through the resident graph of `kind` where there is one, else realised per shape. */
  private async run(kind: string, batch: TokenBatch, build: (inputs: ModelInputs) => Tensor): Promise<Tensor> {
    const byName = (xs: Tensor[]) => {
      const at = (n: string) => xs[this.backbone.inputNames.indexOf(n as never)];
      return { inputIds: at('input_ids')!, attentionMask: at('attention_mask')!, tokenTypeIds: at('token_type_ids') };
    };
    const compiled = this.resident.get(kind, (xs) => build(byName(xs)));
    if (compiled) {
      const fed = { input_ids: batch.inputIds, attention_mask: batch.attentionMask, token_type_ids: batch.tokenTypeIds };
      return (await compiled.run(this.backbone.inputNames.map((n) => fed[n])))[0]!;
    }
    // The graph is built without recording gradients; realising it is one backend run.
    const out = noGrad(() => build(this.inputs(batch)));
    await realize([out], { backend: this.backend });
    return out;
  }

  lastHiddenState(batch: TokenBatch): Promise<Tensor> {
    return this.run('hidden', batch, (x) => this.backbone.forward(x));
  }

  embed(batch: TokenBatch, post: PostProcess): Promise<Tensor> {
    if (!this.poolerIds.has(post.pooler)) this.poolerIds.set(post.pooler, this.poolerIds.size);
    const kind = `embed:${this.poolerIds.get(post.pooler)}:${post.truncateDim ?? ''}:${post.normalize}`;
    return this.run(kind, batch, (x) => finishEmbeddings(this.backbone.forward(x), x.attentionMask, post));
  }

  /** Settles once the resident graphs being compiled are ready (a long encode switches to them by itself). */
  residentSettled(): Promise<void> {
    return this.resident.settled();
  }

  async dispose(): Promise<void> {
    await this.resident.dispose();
  }
}

/** Builds the backbone from the folder's weights and runs it on the `backend` option's core-tensor backend. */
export async function openTensorRuntime(ctx: RuntimeContext): Promise<TensorRuntime> {
  return new TensorRuntime(ctx.loadWeights(), typeof ctx.options.backend === 'string' ? ctx.options.backend : undefined);
}
