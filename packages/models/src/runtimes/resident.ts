import { type CompiledGraph, compileFunction, ExportError, type ExportInput, Tensor } from '@retrievals/core-tensor';
import type { Backbone } from '../registry.js';

/** Ids of objects (modules, the typed arrays of weights) for version strings. */
const objectIds = new WeakMap<object, number>();
let nextObjectId = 0;
function objectId(a: object): number {
  let id = objectIds.get(a);
  if (id === undefined) objectIds.set(a, (id = nextObjectId++));
  return id;
}

/**
 * What the backbone computes right now: its module tree (a swapped module, LoRA layers) and the
 * arrays holding its weights (an optimizer step or a load gives a parameter new arrays).
 */
export function weightsVersion(backbone: Backbone): string {
  const modules = [...backbone.namedModules().values()].map(objectId).join(',');
  const weights = [...backbone.namedParameters().values()].map((p) => (p.buffer ? objectId(p.buffer) : 'lazy')).join(',');
  return `${modules}|${weights}`;
}

type Build = (inputs: Tensor[]) => Tensor;

interface Entry {
  version: string;
  /** Requests for this kind at this version; the graph is compiled from the PROMOTE_AFTER-th. */
  requests: number;
  compiled?: Promise<CompiledGraph | undefined>;
  /** Set once `compiled` has settled: until then the per-shape path serves. */
  ready?: CompiledGraph | undefined;
}

/**
 * A kind is compiled on its second request, in the background: tracing and compiling a whole model
 * costs more than a few per-shape runs (MiniLM: ~1.5 s), so a one-batch encode never pays it and a
 * long one switches over as soon as the graph is ready.
 */
const PROMOTE_AFTER = 2;

/**
 * The inference graphs of a backbone compiled once each, with dynamic batch and sequence axes and the
 * weights as initializers of the compiled graph, so small batches of any shape run without a
 * compile and without feeding (and re-packing) every weight on every run: the per-shape path fed
 * ~100 weight tensors per run of a MiniLM forward. One graph per `kind` (the hidden states, or an
 * embedding with a given post-processing), recompiled when the weights change. A graph that cannot
 * be traced with dynamic axes (a plugin pooler that branches on sizes, > 2 GiB of weights), a
 * backend without `compileGraph`, modules in training mode (dropout), and the requests before the
 * graph is ready use the per-shape path.
 */
export class ResidentGraphs {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly backbone: Backbone, private readonly backend: string | undefined) {}

  /** The compiled graph for `kind` when it is ready, else undefined: the per-shape path serves. */
  get(kind: string, build: Build): CompiledGraph | undefined {
    if ([...this.backbone.namedModules().values()].some((m) => m.training)) return undefined;
    const version = weightsVersion(this.backbone);
    if (version.includes('lazy')) return undefined;
    let entry = this.entries.get(kind);
    if (entry?.version !== version) {
      if (entry) release(entry);
      entry = { version, requests: 0 };
      this.entries.set(kind, entry);
    }
    if (++entry.requests === PROMOTE_AFTER) {
      const e = entry;
      // A graph that cannot be traced with dynamic axes stays on the per-shape path; other errors
      // (onnxruntime rejecting the graph) surface on the next request.
      e.compiled = this.compile(build).catch((err) => {
        if (err instanceof ExportError) return undefined;
        throw err;
      });
      e.compiled.then((c) => (e.ready = c), () => undefined);
    }
    return entry.ready;
  }

  /** Settles once every compile started so far has finished (tests, benchmarks). */
  async settled(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => e.compiled));
  }

  private compile(build: Build): Promise<CompiledGraph | undefined> {
    const names = this.backbone.inputNames;
    const inputs: ExportInput[] = names.map((name) => ({ name, dtype: 'int64', dims: ['batch', 'sequence'] }));
    return compileFunction({ inputs, outputNames: ['out'], weights: this.backbone.namedParameters(), name: this.backbone.constructor.name, build: (xs) => [build(xs)] }, { backend: this.backend });
  }

  async dispose(): Promise<void> {
    const held = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(held.map(release));
  }
}

const release = (e: Entry): Promise<void> | undefined => e.compiled?.then((c) => c?.release(), () => undefined);
