import { defineBackend, definePlugin, type Backend, type Registry, type TypedArray } from '@retrievals/core-tensor';

/**
 * What `run` is given. The public index does not name the `Program` type (it lives in
 * `@retrievals/core-tensor/internal`, which plugins may not import), so a plugin takes it from the
 * `Backend` contract itself.
 */
export type Program = Parameters<Backend['run']>[0];

/** What a traced backend has seen since it was made (or since `reset()`). */
export interface TraceStats {
  /** Programs run. */
  runs: number;
  /** Distinct programs (by `program.key`: structure and shapes) among them. */
  distinctPrograms: number;
  /** How many nodes of each op the runs executed, e.g. `{ matmul: 12, add: 30 }`. */
  ops: Record<string, number>;
  /** Values fed in (parameters, data) and produced, summed over runs. */
  feedElements: number;
  outputElements: number;
  /** Wall time spent inside the inner backend, in milliseconds. */
  ms: number;
}

export interface TracedBackendOptions {
  /** The registered name of the new backend (default `${inner}-traced`). */
  name?: string;
  /** The backend that does the work, looked up by name at each run (default `js`). */
  inner?: string;
  /** Called after every run with the program and how long it took: log it, assert on it. */
  onRun?: (program: Program, ms: number) => void;
}

export interface TracedBackend extends Backend {
  /** A copy of the counters. */
  stats(): TraceStats;
  /** Zeroes the counters (and resets the inner backend's caches if it has any). */
  reset(): void;
}

/**
 * A backend that wraps another one and counts what it runs. It teaches the Backend contract:
 *
 * - `run(program, feeds)` gets one `Program` — `feeds` (the shapes/dtypes of the inputs, whose
 *   values come in `feeds`, in that order), `consts` (small literals compiled in, with their data),
 *   `nodes` (each `{ op, inputs, attrs, shape, dtype }`, where `inputs` index the value list
 *   feeds ++ consts ++ nodes) and `outputs` (indices into that same list) — and must return one
 *   typed array per entry of `program.outputs`, in that order. `defineBackend` checks the count.
 * - `reset()` is optional: drop cached state.
 * - `compileGraph` is optional and left out here: without it, code that compiles a whole graph
 *   once (`compileFunction`, the models' resident encode graphs) falls back to one program per
 *   shape, which is what this backend then sees.
 *
 * The inner backend is looked up by name in the registry at each run, so `js-traced` delegates to
 * whatever `js` is registered when it runs.
 */
export function tracedBackend(registry: Registry<Backend>, options: TracedBackendOptions = {}): TracedBackend {
  const inner = options.inner ?? 'js';
  const name = options.name ?? `${inner}-traced`;
  if (inner === name) throw new Error(`traced backend '${name}' cannot wrap itself`);
  let stats = empty();
  const seen = new Set<string>();
  return defineBackend({
    name,
    async run(program: Program, feeds: TypedArray[]): Promise<TypedArray[]> {
      const started = performance.now();
      const outputs = await registry.get(inner).run(program, feeds);
      const ms = performance.now() - started;
      stats.runs++;
      seen.add(program.key);
      stats.distinctPrograms = seen.size;
      for (const node of program.nodes) stats.ops[node.op] = (stats.ops[node.op] ?? 0) + 1;
      for (const f of feeds) stats.feedElements += f.length;
      for (const o of outputs) stats.outputElements += o.length;
      stats.ms += ms;
      options.onRun?.(program, ms);
      return outputs;
    },
    reset() {
      stats = empty();
      seen.clear();
      registry.get(inner).reset?.();
    },
    stats(): TraceStats {
      return { ...stats, ops: { ...stats.ops } };
    },
  });
}

function empty(): TraceStats {
  return { runs: 0, distinctPrograms: 0, ops: {}, feedElements: 0, outputElements: 0, ms: 0 };
}

/**
 * The plugin: registers `js-traced` (the reference interpreter, counted). With
 * `RETRIEVALS_TRACE=1` in the environment each run also prints one line to stderr:
 * `js-traced: 14 nodes (matmul 2, add 3, …) in 0.4 ms`.
 */
export default definePlugin({
  name: '@retrievals/example-backend',
  setup({ backends }) {
    if (!backends) throw new Error('@retrievals/example-backend needs the backends registry of @retrievals/core-tensor');
    backends.register(
      'js-traced',
      tracedBackend(backends, {
        inner: 'js',
        onRun: process.env.RETRIEVALS_TRACE === '1' ? (program, ms) => process.stderr.write(`js-traced: ${describe(program)} in ${ms.toFixed(1)} ms\n`) : undefined,
      }),
    );
  },
});

/** `14 nodes (matmul 2, add 3, …)`: a program's size and its most used ops. */
export function describe(program: Program): string {
  const counts = new Map<string, number>();
  for (const node of program.nodes) counts.set(node.op, (counts.get(node.op) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([op, n]) => `${op} ${n}`);
  return `${program.nodes.length} nodes (${top.join(', ')}${counts.size > 4 ? ', …' : ''})`;
}
