import type { Program, ProgramNode } from '../program-types.js';

/** What the pattern matchers (softmax.ts, layer-norm.ts) ask of a program. */
export function programLookups(program: Program, users: ReadonlyMap<number, number[]>) {
  const base = program.feeds.length + program.consts.length;
  return {
    base,
    nodeOf: (v: number): ProgramNode | undefined => (v >= base ? program.nodes[v - base] : undefined),
    usersOf: (v: number) => users.get(v) ?? [],
    /** The value of a one-element float32 constant, else undefined. */
    scalarConst: (v: number): number | undefined => {
      const c = v >= program.feeds.length && v < base ? program.consts[v - program.feeds.length] : undefined;
      return c && c.data.length === 1 && c.dtype === 'float32' ? Number(c.data[0]) : undefined;
    },
    /** Whether a reduction node reduces exactly the last of `rank` axes, keeping it. */
    reducesLastAxis: (n: ProgramNode | undefined, rank: number) => {
      const { axes, keepdim } = (n?.attrs ?? {}) as { axes?: number[]; keepdim?: boolean };
      return keepdim === true && axes?.length === 1 && (axes[0]! + rank) % rank === rank - 1;
    },
  };
}
