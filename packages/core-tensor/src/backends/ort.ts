import type ort from 'onnxruntime-node';
import type { DType, TypedArray } from '../dtype.js';
import { RetrievalsError } from '../errors.js';
import { encodeModel, type OnnxGraph } from '../onnx/model.js';
import { lowerProgram } from '../onnx/lower.js';
import type { Program } from '../program.js';
import { Tensor } from '../tensor.js';
import type { Backend, CompiledGraph } from './backend.js';
import { ortSessionOptions } from './ort-options.js';
import { SessionCache } from './session-cache.js';

// Loaded on first use, so a program on the js backend runs where onnxruntime cannot be loaded.
let ortModule: Promise<typeof ort> | undefined;
export function loadOrt(): Promise<typeof ort> {
  ortModule ??= import('onnxruntime-node').then(
    (m) => (m as { default?: typeof ort }).default ?? (m as unknown as typeof ort),
    (e) => {
      ortModule = undefined;
      throw new RetrievalsError(`ort backend: onnxruntime-node cannot be loaded (${(e as Error).message}); install it, or use the js backend (RETRIEVALS_BACKEND=js)`, { cause: e });
    },
  );
  return ortModule;
}

export interface OrtStats {
  compiles: number;
  compileMs: number;
  runs: number;
  cacheHits: number;
}

export interface OrtBackendOptions {
  /** Compiled graphs kept (least recently used dropped first); `RETRIEVALS_GRAPH_CACHE`, default 64. */
  cacheSize?: number;
  threads?: number;
  /** Hot graphs given a memory arena at one time (see SessionCache); `RETRIEVALS_ORT_ARENAS`, default 4. */
  arenaSessions?: number;
}

/** ORT element type names for our dtypes (float16/bfloat16 travel as Uint16Array). */
const ORT_TYPE: Record<DType, ort.Tensor.Type> = {
  float32: 'float32', float64: 'float64', int32: 'int32', int64: 'int64', bool: 'bool',
  float16: 'float16', bfloat16: 'bfloat16' as ort.Tensor.Type, int8: 'int8', uint8: 'uint8',
};

/**
 * Lowers each program to one ONNX model, compiles it once per structure and shapes (an LRU cache
 * of InferenceSessions, arenas for hot graphs only), and runs it in one `session.run`.
 */
export function createOrtBackend(options: OrtBackendOptions = {}): Backend & { stats: OrtStats } {
  const cache = new SessionCache<ort.InferenceSession>({
    size: options.cacheSize ?? Number(process.env.RETRIEVALS_GRAPH_CACHE ?? 64),
    arenas: options.arenaSessions ?? Number(process.env.RETRIEVALS_ORT_ARENAS ?? 4),
    promoteAfter: 3,
  });
  const stats: OrtStats = { compiles: 0, compileMs: 0, runs: 0, cacheHits: 0 };

  async function compile(program: Program, arena: boolean): Promise<ort.InferenceSession> {
    const t0 = performance.now();
    const bytes = encodeModel(lowerProgram(program));
    try {
      const { InferenceSession } = await loadOrt();
      const session = await InferenceSession.create(bytes, ortSessionOptions({ threads: options.threads, arena }));
      stats.compiles++;
      stats.compileMs += performance.now() - t0;
      return session;
    } catch (e) {
      throw new RetrievalsError(`ort backend: onnxruntime rejected the compiled graph (${program.nodes.length} ops): ${(e as Error).message}`, { cause: e });
    }
  }

  return {
    name: 'ort',
    stats,
    async run(program: Program, feeds: TypedArray[]): Promise<TypedArray[]> {
      if (program.nodes.length === 0) return [];
      const { Tensor: OrtTensor } = await loadOrt();
      const inputs: Record<string, ort.Tensor> = {};
      program.feeds.forEach((f, i) => (inputs[`in${i}`] = new OrtTensor(ORT_TYPE[f.dtype], feeds[i]! as never, [...f.shape])));
      const { value: results, hit } = await cache.with(
        program.key,
        (arena) => compile(program, arena),
        async (s) => {
          try {
            return await s.run(inputs);
          } catch (e) {
            // e.g. an index out of range: onnxruntime only knows its node, so say what ran.
            throw new RetrievalsError(`ort backend: running a compiled graph of ${program.nodes.length} ops failed: ${(e as Error).message}`, { cause: e });
          }
        },
      );
      if (hit) stats.cacheHits++;
      stats.runs++;
      return program.outputs.map((_, i) => results[`out${i}`]!.data as TypedArray);
    },
    reset() {
      cache.clear();
    },
    async compileGraph(graph: OnnxGraph): Promise<CompiledGraph> {
      const { InferenceSession, Tensor: OrtTensor } = await loadOrt();
      const t0 = performance.now();
      let session: ort.InferenceSession;
      try {
        session = await InferenceSession.create(encodeModel(graph), ortSessionOptions({ threads: options.threads }));
      } catch (e) {
        throw new RetrievalsError(`ort backend: onnxruntime rejected the graph '${graph.name}' (${graph.nodes.length} nodes): ${(e as Error).message}`, { cause: e });
      }
      stats.compiles++;
      stats.compileMs += performance.now() - t0;
      return {
        async run(inputs) {
          const feeds: Record<string, ort.Tensor> = {};
          graph.inputs.forEach((v, i) => {
            const t = inputs[i]!;
            feeds[v.name] = new OrtTensor(ORT_TYPE[t.dtype], t.dataSync() as never, [...t.shape]);
          });
          let results: ort.InferenceSession.OnnxValueMapType;
          try {
            results = await session.run(feeds);
          } catch (e) {
            throw new RetrievalsError(`ort backend: running the compiled graph '${graph.name}' failed: ${(e as Error).message}`, { cause: e });
          }
          stats.runs++;
          return graph.outputs.map((o) => {
            const r = results[o.name]!;
            return new Tensor({ shape: [...r.dims], dtype: o.dtype, buffer: r.data as TypedArray });
          });
        },
        release: () => session.release(),
      };
    },
  };
}
