import { defineBackend, type Backend, type DType, type TypedArray } from '@retrievals/core-tensor';
import { loadAddon, type InstrInfo, type NativePlan } from './addon.js';
import { OnednnRunError } from './errors.js';
import { encodePlan } from './plan/encode.js';
import { lowerProgram } from './plan/lower.js';
import { PlanCache } from './plan-cache.js';
import { ResidentFeeds } from './resident.js';
import type { Feeds, Program } from './program-types.js';

export type Precision = 'fp32' | 'bf16';

export interface OnednnBackendOptions {
  /** Registered name; default 'onednn' (fp32) or 'onednn-bf16'. */
  name?: string;
  /** 'fp32' (default), or 'bf16': bf16 matmuls accumulating in fp32, everything else fp32. */
  precision?: Precision;
  /** Compiled plans kept (least recently used dropped first); `RETRIEVALS_GRAPH_CACHE`, default 64. */
  cacheSize?: number;
}

export interface OnednnStats {
  compiles: number;
  compileMs: number;
  runs: number;
  cacheHits: number;
  /** Transposes read as matmul strides, bias adds fused into matmuls, reshapes run as views. */
  fusedTransposes: number;
  fusedBiases: number;
  views: number;
  /** Elementwise ops run inside fused groups. */
  fusedElementwise: number;
  /** gelus run as a matmul's post-op (inference). */
  fusedActivations: number;
  /** Softmaxes run as one row kernel (plan/softmax.ts). */
  fusedSoftmaxes: number;
  /** layerNorms run as one row kernel (plan/layer-norm.ts). */
  fusedLayerNorms: number;
  /** Values stored as bf16 in bf16 plans (plan/bf16-storage.ts). */
  bf16Values: number;
}

interface Compiled {
  plan: NativePlan;
  outputs: { dtype: DType; length: number }[];
  ops: string[];
  arenaBytes: number;
}

const VIEW: Record<DType, (b: ArrayBuffer, length: number) => TypedArray> = {
  float32: (b, n) => new Float32Array(b, 0, n),
  float64: (b, n) => new Float64Array(b, 0, n),
  int32: (b, n) => new Int32Array(b, 0, n),
  int64: (b, n) => new BigInt64Array(b, 0, n),
  bool: (b, n) => new Uint8Array(b, 0, n),
  float16: (b, n) => new Uint16Array(b, 0, n),
  bfloat16: (b, n) => new Uint16Array(b, 0, n),
  int8: (b, n) => new Int8Array(b, 0, n),
  uint8: (b, n) => new Uint8Array(b, 0, n),
};

export type OnednnBackend = Backend & {
  stats: OnednnStats;
  precision: Precision;
  /** The instructions of a program's compiled plan: kind, oneDNN implementation (impl_info_str) or "loop", profiled ms. */
  describe(program: Program): Promise<(InstrInfo & { op: string })[]>;
  /** Mean ms per run of a program's plan run `iters` times inside the addon (no N-API round trips). */
  timeNative(program: Program, feeds: Feeds, iters: number): Promise<number>;
  /** Turns per-instruction timing on (all onednn backends of the process). */
  profile(on: boolean): void;
};

/**
 * Runs core-tensor programs on oneDNN through the native addon: each program is lowered and
 * planned once per key (the same key as ort's, so the same cache behaviour), compiled to oneDNN
 * primitives off the JS thread, and run off it.
 */
export function createOnednnBackend(options: OnednnBackendOptions = {}): OnednnBackend {
  const precision = options.precision ?? 'fp32';
  const name = options.name ?? (precision === 'bf16' ? 'onednn-bf16' : 'onednn');
  const cache = new PlanCache<Promise<Compiled>>(options.cacheSize ?? Number(process.env.RETRIEVALS_GRAPH_CACHE ?? 64));
  // bf16 only: its matmuls convert weights to bf16 (kept across runs when fed again); fp32 reads them in place
  const resident = precision === 'bf16' ? new ResidentFeeds() : undefined;
  const stats: OnednnStats = { compiles: 0, compileMs: 0, runs: 0, cacheHits: 0, fusedTransposes: 0, fusedBiases: 0, views: 0, fusedElementwise: 0, fusedActivations: 0, fusedSoftmaxes: 0, fusedLayerNorms: 0, bf16Values: 0 };

  async function compile(program: Program): Promise<Compiled> {
    const addon = loadAddon();
    const t0 = performance.now();
    const lowered = lowerProgram(program, { bf16: precision === 'bf16' });
    const { stream, arenaBytes } = encodePlan(program, lowered);
    let plan: NativePlan;
    try {
      plan = await addon.compile(stream, program.consts.map((c) => c.data), precision === 'bf16');
    } catch (e) {
      throw new OnednnRunError(`${name} backend: compiling a program of ${program.nodes.length} ops failed: ${(e as Error).message}`, { cause: e });
    }
    stats.compiles++;
    stats.compileMs += performance.now() - t0;
    stats.fusedTransposes += lowered.fused.transposes;
    stats.fusedBiases += lowered.fused.biases;
    stats.views += lowered.fused.views;
    stats.fusedElementwise += lowered.fused.elementwise;
    stats.fusedSoftmaxes += lowered.fused.softmaxes;
    stats.fusedLayerNorms += lowered.fused.layerNorms;
    stats.fusedActivations += lowered.fused.activations;
    stats.bf16Values += lowered.fused.bf16Values;
    const values = [...program.feeds, ...program.consts, ...program.nodes];
    return {
      plan,
      outputs: program.outputs.map((v) => ({ dtype: values[v]!.dtype, length: values[v]!.shape.reduce((a, b) => a * b, 1) })),
      ops: lowered.instrs.map((i) => i.op),
      arenaBytes,
    };
  }

  function compiled(program: Program): Promise<Compiled> {
    let entry = cache.get(program.key);
    if (entry) {
      stats.cacheHits++;
      return entry;
    }
    entry = compile(program);
    // a failed compile is not cached: the next run retries (and reports) it
    entry.catch(() => cache.get(program.key) === entry && cache.delete(program.key));
    cache.set(program.key, entry);
    return entry;
  }

  return defineBackend({
    name,
    stats,
    precision,
    async run(program: Program, feeds: Feeds): Promise<TypedArray[]> {
      if (program.nodes.length === 0) return [];
      const c = await compiled(program);
      let buffers: ArrayBuffer[];
      try {
        buffers = await loadAddon().run(c.plan, feeds, resident?.ids(feeds));
      } catch (e) {
        throw new OnednnRunError(`${name} backend: running a program of ${program.nodes.length} ops failed: ${(e as Error).message}`, { cause: e });
      }
      stats.runs++;
      return c.outputs.map((o, i) => VIEW[o.dtype](buffers[i]!, o.length));
    },
    reset() {
      cache.clear();
    },
    async describe(program: Program) {
      const c = await compiled(program);
      return loadAddon().describe(c.plan).map((info, i) => ({ ...info, op: c.ops[i]! }));
    },
    async timeNative(program: Program, feeds: Feeds, iters: number) {
      const c = await compiled(program);
      return loadAddon().timeRuns(c.plan, feeds, iters);
    },
    profile(on: boolean) {
      loadAddon().setProfiling(on);
    },
  });
}
