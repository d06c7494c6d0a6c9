import type { Program, ProgramNode } from '../program-types.js';
import { BINARY_FN, DTYPE_CODE, OP, UNARY_FN } from './codes.js';
import { broadcastStrides, collapse, stridesOf } from './strides.js';
import type { Instr } from './lower.js';

const UNARY = new Set(['neg', 'exp', 'log', 'sqrt', 'abs', 'tanh', 'sigmoid', 'erf', 'reciprocal', 'sin', 'cos', 'sign', 'identity', 'not', 'gelu']);
const BINARY = new Set(Object.keys(BINARY_FN));
const FLOATISH = new Set(['float32', 'bool']);
// Register op codes of native/fused.cc: unary fns 0..15, binary fns + 32, where 64, to-bool 65.
const BIN = 32, WHERE = 64, TO_BOOL = 65;

/** Whether a node can run inside a fused elementwise group: float32/bool in and out, no integer arithmetic, an expand as a broadcast read. */
export function fusible(n: ProgramNode, dtypeOf: (v: number) => string): boolean {
  if (!FLOATISH.has(n.dtype) || !n.inputs.every((i) => FLOATISH.has(dtypeOf(i)))) return false;
  if (UNARY.has(n.op) || BINARY.has(n.op) || n.op === 'where') return true;
  // an expand inside a group is its input read with broadcast strides (the backward of every
  // keepdim reduction: layerNorm's and softmax's gradients), not a materialised copy
  return n.op === 'cast' || n.op === 'expand';
}

/**
 * Groups fusible nodes of one shape into chains run as one instruction. A node joins (and merges)
 * the groups of its inputs when their values used outside them are all used after this node (the
 * group runs at its last member, so nothing may need its results earlier); this keeps the order
 * acyclic without a scheduler. Returns, for each node index, its group id (groups of one included).
 */
export function groupElementwise(program: Program, candidate: (k: number) => boolean, usersOf: (v: number) => number[]): Map<number, number[]> {
  const base = program.feeds.length + program.consts.length;
  const groupOf = new Map<number, number>(); // node value → group id
  const groups = new Map<number, number[]>(); // group id → member values
  const shapeKey = (v: number) => program.nodes[v - base]!.shape.join();
  program.nodes.forEach((n, k) => {
    if (!candidate(k)) return;
    const v = base + k;
    // every input group this node can join; they merge into one (AdamW's m, v and parameter
    // updates are three chains meeting at the parameter's new value)
    const joinable: number[] = [];
    for (const i of n.inputs) {
      const g = groupOf.get(i);
      if (g === undefined || joinable.includes(g) || shapeKey(i) !== n.shape.join()) continue;
      joinable.push(g);
    }
    const merged = [...joinable.flatMap((g) => groups.get(g)!), v];
    const members = new Set(merged);
    const late = merged.every((m) => m === v || usersOf(m).every((u) => members.has(u) || u > v));
    if (joinable.length === 0 || !late) {
      // fall back to the first group that can take it alone
      const g = joinable.find((j) => {
        const ms = new Set([...groups.get(j)!, v]);
        return groups.get(j)!.every((m) => usersOf(m).every((u) => ms.has(u) || u > v));
      });
      if (g === undefined) {
        groups.set(v, [v]);
        groupOf.set(v, v);
      } else {
        groups.get(g)!.push(v);
        groupOf.set(v, g);
      }
      return;
    }
    const into = joinable[0]!;
    const all = merged.sort((a, b) => a - b); // value ids are in program (topological) order
    for (const g of joinable.slice(1)) groups.delete(g);
    groups.set(into, all);
    for (const m of all) groupOf.set(m, into);
  });
  return groups;
}

/** The stream words of one fused group (members in program order). */
export function fusedWords(
  program: Program,
  members: number[],
  dtypeOf: (v: number) => string,
  shapeOf: (v: number) => readonly number[],
  external: (v: number) => boolean,
): { words: number[]; reads: number[]; writes: number[]; shadows: { value: number; word: number }[]; bf16: Pick<Instr, 'bf16Reads' | 'bf16Writes' | 'bf16If' | 'dtypeWords'> } {
  const base = program.feeds.length + program.consts.length;
  const inside = new Set(members);
  const shape = shapeOf(members[0]!);
  const inputs: number[] = [];
  const reg = new Map<number, number>();
  for (const m of members) for (const i of program.nodes[m - base]!.inputs) if (!inside.has(i) && !reg.has(i)) (reg.set(i, inputs.length), inputs.push(i));
  members.forEach((m, j) => reg.set(m, inputs.length + j));
  const ops = members.map((m) => {
    const n = program.nodes[m - base]!;
    const [a, b, c] = n.inputs.map((i) => reg.get(i)!);
    const dst = reg.get(m)!;
    if (n.op === 'where') return [WHERE, dst, a!, b!, c!];
    if (n.op === 'cast') return [n.dtype === 'bool' ? TO_BOOL : UNARY_FN.identity, dst, a!, -1, -1];
    if (n.op === 'expand') return [UNARY_FN.identity, dst, a!, -1, -1];
    if (n.op === 'gelu') return [(n.attrs as { approximate: string }).approximate === 'tanh' ? UNARY_FN.geluTanh : UNARY_FN.gelu, dst, a!, -1, -1];
    if (n.op in BINARY_FN) return [BIN + BINARY_FN[n.op as keyof typeof BINARY_FN], dst, a!, b!, -1];
    return [UNARY_FN[n.op as keyof typeof UNARY_FN], dst, a!, -1, -1];
  });
  const outs = members.filter(external);
  const { dims, strides } = collapse(shape, [...inputs.map((i) => broadcastStrides(shape, shapeOf(i))), stridesOf(shape)]);
  const words = [OP.fused, inputs.length, outs.length, ops.length, dims.length, ...dims];
  // float32 inputs and outputs may be stored as bf16 (bf16-storage.ts rewrites their dtype words)
  const dtypeWords: { value: number; word: number }[] = [];
  const floats = (v: number) => dtypeOf(v) === 'float32';
  inputs.forEach((i, j) => {
    if (floats(i)) dtypeWords.push({ value: i, word: words.length + 1 });
    words.push(i, DTYPE_CODE[dtypeOf(i) as 'float32'], ...strides[j]!);
  });
  // per output a flag, set by storeBf16 where a matmul reads it: also write its bf16 copy
  const shadows: { value: number; word: number }[] = [];
  for (const o of outs) {
    if (floats(o)) dtypeWords.push({ value: o, word: words.length + 1 });
    words.push(o, DTYPE_CODE[dtypeOf(o) as 'float32'], reg.get(o)!, 0);
    if (floats(o)) shadows.push({ value: o, word: words.length - 1 });
  }
  for (const op of ops) words.push(...op);
  // a broadcast scalar (a constant, a learning rate) does not decide the result's precision
  const bf16If = inputs.filter((i, j) => floats(i) && strides[j]!.some((s) => s !== 0));
  return { words, reads: inputs, writes: outs, shadows, bf16: { bf16Reads: inputs.filter(floats), bf16Writes: outs.filter(floats), bf16If, dtypeWords } };
}
