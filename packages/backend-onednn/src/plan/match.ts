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

/** A fused group a loop kernel (adamw.ts, gelu-grad.ts) may replace: its members and what leaves it. */
export interface GroupInfo {
  program: Program;
  members: readonly number[];
  outputs: readonly number[];
  users: ReadonlyMap<number, number[]>;
  shapeOf: (v: number) => readonly number[];
  dtypeOf: (v: number) => string;
}

/** What the group matchers ask of a group. */
export function groupLookups(g: GroupInfo) {
  const { nodeOf } = programLookups(g.program, g.users);
  const inside = new Set(g.members);
  const shape = g.shapeOf(g.members[0]!).join();
  return {
    nodeOf,
    inside,
    /** A float32 value from outside the group with the group's shape. */
    full: (v: number) => !inside.has(v) && g.shapeOf(v).join() === shape && g.dtypeOf(v) === 'float32',
    /** A one-element float32 value from outside the group (a constant, a learning rate). */
    one: (v: number) => !inside.has(v) && g.shapeOf(v).reduce((a, b) => a * b, 1) === 1 && g.dtypeOf(v) === 'float32',
    /** The inputs of member v when it is a float32 `name`, else undefined. */
    op: (v: number | undefined, name: string) => {
      const n = v === undefined ? undefined : nodeOf(v);
      return v !== undefined && inside.has(v) && n?.op === name && n.dtype === 'float32' ? (n.inputs as number[]) : undefined;
    },
  };
}
