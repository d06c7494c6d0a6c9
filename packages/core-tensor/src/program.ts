import type { TypedArray } from './dtype.js';
import { RetrievalsError } from './errors.js';
import type { ProgramNode, ValueInfo } from './ops/table.js';
import type { Tensor } from './tensor.js';

export type { ProgramNode, ValueInfo };

/** A pending subgraph in a backend-neutral form; `key` identifies its structure and shapes. */
export interface Program {
  key: string;
  feeds: ValueInfo[];
  consts: (ValueInfo & { data: TypedArray })[];
  nodes: ProgramNode[];
  outputs: number[];
}

/**
 * Collects what must be computed for `targets`: every lazy tensor they need, stopping at tensors
 * that already hold data (fed as inputs, or compiled in when they are small literals).
 */
export interface BuiltProgram {
  program: Program;
  feedData: TypedArray[];
  /** The tensors whose data is fed, in program order. */
  feedTensors: Tensor[];
  /** For each lazy target, in the order given, its position in `program.outputs`. */
  targetOutputs: number[];
}

/**
 * Literals up to this many elements are compiled into the graph (and spelled out in its key);
 * larger ones are fed like data, so a key grows with the graph's node count, never with its data.
 */
export const MAX_COMPILED_LITERAL = 16;

export function buildProgram(targets: readonly Tensor[]): BuiltProgram {
  const order: Tensor[] = [];
  const state = new Map<number, number>(); // 1 = visiting, 2 = done
  for (const target of targets) {
    const stack: [Tensor, boolean][] = [[target, false]];
    while (stack.length) {
      const [t, expanded] = stack.pop()!;
      if (expanded) {
        state.set(t.id, 2);
        order.push(t);
        continue;
      }
      if (state.has(t.id)) continue;
      state.set(t.id, 1);
      stack.push([t, true]);
      if (!t.buffer) {
        if (!t.node) throw new RetrievalsError(`realize: ${t.toString()} has neither data nor an op`);
        for (const x of t.node.inputs) if (!state.has(x.id)) stack.push([x, false]);
      }
    }
  }
  const feeds: Tensor[] = [], consts: Tensor[] = [], nodes: Tensor[] = [];
  for (const t of order) (t.buffer ? (t.isConst && t.size <= MAX_COMPILED_LITERAL ? consts : feeds) : nodes).push(t);
  const ids = new Map<number, number>();
  [...feeds, ...consts, ...nodes].forEach((t, i) => ids.set(t.id, i));
  const keyParts: string[] = [];
  for (const t of feeds) keyParts.push(`F${t.dtype}[${t.shape}]`);
  for (const t of consts) keyParts.push(`C${t.dtype}[${t.shape}]=${Array.from(t.buffer!, String).join(',')}`);
  const programNodes = nodes.map((t) => {
    const n = t.node!;
    const inputs = n.inputs.map((x) => ids.get(x.id)!);
    keyParts.push(`${n.op}(${inputs})${JSON.stringify(n.attrs)}${t.dtype}[${t.shape}]`);
    return { op: n.op, inputs, attrs: n.attrs, shape: t.shape, dtype: t.dtype } as ProgramNode;
  });
  const lazy = targets.filter((t) => !t.buffer).map((t) => ids.get(t.id)!);
  const outputs = [...new Set(lazy)];
  const targetOutputs = lazy.map((v) => outputs.indexOf(v));
  keyParts.push(`->${outputs}`);
  return {
    program: {
      key: keyParts.join(';'),
      feeds: feeds.map((t) => ({ shape: t.shape, dtype: t.dtype })),
      consts: consts.map((t) => ({ shape: t.shape, dtype: t.dtype, data: t.buffer! })),
      nodes: programNodes,
      outputs,
    },
    feedData: feeds.map((t) => t.buffer!),
    feedTensors: feeds,
    targetOutputs,
  };
}
