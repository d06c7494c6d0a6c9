import { availableParallelism } from 'node:os';
import ort from 'onnxruntime-node';
import type { DType, TypedArray } from '../dtype.js';
import { RetrievalsError } from '../errors.js';
import { encodeModel } from '../onnx/model.js';
import { lowerProgram } from '../onnx/lower.js';
import '../onnx/lowerings.js';
import type { Program } from '../program.js';
import type { Backend } from './backend.js';

export interface OrtStats {
  compiles: number;
  compileMs: number;
  runs: number;
  cacheHits: number;
}

export interface OrtBackendOptions {
  /** Compiled graphs kept (least recently used dropped first). */
  cacheSize?: number;
  threads?: number;
  /**
   * How many cached sessions get onnxruntime's memory arena. An arena makes a repeated run ~13 %
   * faster (the MiniLM training step) but keeps that graph's peak activations allocated for the
   * session's life, and encode compiles one graph per padded length: with arenas everywhere a
   * MiniLM-sized encode of mixed lengths held 5.6 GB, with none 0.8 GB. The first sessions
   * compiled (a training step; encode's longest, costliest batches) get one.
   */
  arenaSessions?: number;
}

/** ORT element type names for our dtypes (float16/bfloat16 travel as Uint16Array). */
const ORT_TYPE: Record<DType, ort.Tensor.Type> = {
  float32: 'float32', float64: 'float64', int32: 'int32', int64: 'int64', bool: 'bool',
  float16: 'float16', bfloat16: 'bfloat16' as ort.Tensor.Type, int8: 'int8', uint8: 'uint8',
};

/**
 * Lowers each program to one ONNX model, compiles it once per structure and shapes (an LRU cache
 * of InferenceSessions), and runs it in one `session.run`.
 */
export function createOrtBackend(options: OrtBackendOptions = {}): Backend & { stats: OrtStats } {
  const cacheSize = options.cacheSize ?? Number(process.env.RETRIEVALS_GRAPH_CACHE ?? 64);
  const threads = options.threads ?? availableParallelism();
  const arenaSessions = options.arenaSessions ?? Number(process.env.RETRIEVALS_ORT_ARENAS ?? 2);
  const cache = new Map<string, Promise<ort.InferenceSession>>();
  const withArena = new Set<string>();
  const stats: OrtStats = { compiles: 0, compileMs: 0, runs: 0, cacheHits: 0 };

  async function compile(program: Program): Promise<ort.InferenceSession> {
    const t0 = performance.now();
    const arena = withArena.size < arenaSessions;
    if (arena) withArena.add(program.key);
    const bytes = encodeModel(lowerProgram(program));
    try {
      const session = await ort.InferenceSession.create(bytes, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        enableCpuMemArena: arena,
      });
      stats.compiles++;
      stats.compileMs += performance.now() - t0;
      return session;
    } catch (e) {
      throw new RetrievalsError(`ort backend: onnxruntime rejected the compiled graph (${program.nodes.length} ops): ${(e as Error).message}`, { cause: e });
    }
  }

  function forget(key: string): void {
    cache.delete(key);
    withArena.delete(key);
  }

  function session(program: Program): Promise<ort.InferenceSession> {
    let s = cache.get(program.key);
    if (s) {
      stats.cacheHits++;
      cache.delete(program.key); // re-insert: most recently used last
    } else {
      s = compile(program);
      s.catch(() => forget(program.key));
    }
    cache.set(program.key, s);
    while (cache.size > cacheSize) {
      const [oldest, evicted] = cache.entries().next().value as [string, Promise<ort.InferenceSession>];
      forget(oldest);
      void evicted.then((x) => x.release()).catch(() => undefined);
    }
    return s;
  }

  return {
    name: 'ort',
    stats,
    async run(program: Program, feeds: TypedArray[]): Promise<TypedArray[]> {
      if (program.nodes.length === 0) return [];
      const s = await session(program);
      const inputs: Record<string, ort.Tensor> = {};
      program.feeds.forEach((f, i) => (inputs[`in${i}`] = new ort.Tensor(ORT_TYPE[f.dtype], feeds[i]! as never, [...f.shape])));
      let results: ort.InferenceSession.ReturnType;
      try {
        results = await s.run(inputs);
      } catch (e) {
        // e.g. an index out of range: onnxruntime only knows its node, so say what ran.
        throw new RetrievalsError(`ort backend: running a compiled graph of ${program.nodes.length} ops failed: ${(e as Error).message}`, { cause: e });
      }
      stats.runs++;
      return program.outputs.map((_, i) => results[`out${i}`]!.data as TypedArray);
    },
    reset() {
      for (const s of cache.values()) void s.then((x) => x.release()).catch(() => undefined);
      cache.clear();
      withArena.clear();
    },
  };
}
