import type { Program, ProgramNode } from '../program-types.js';
import type { PlanValue } from './lower.js';
import { programLookups } from './match.js';
import { numel } from './strides.js';

const permOf = (n: ProgramNode) => (n.attrs as { perm: number[] }).perm;
export const isIdentity = (perm: readonly number[]) => perm.every((q, i) => q === i);
export const isSwap = (perm: readonly number[]) => perm.length >= 2 && perm[perm.length - 1] === perm.length - 2 && perm[perm.length - 2] === perm.length - 1 && perm.slice(0, -2).every((q, i) => q === i);

/** How a matmul reads a permuted operand through strides instead of a copy of it. */
export function operandFolds(program: Program, values: readonly PlanValue[]) {
  const { nodeOf } = programLookups(program, new Map());
  /** A chain of permutes composed: the value it starts from and one permutation. */
  const chainOf = (p: ProgramNode) => {
    let perm = permOf(p);
    let from = p.inputs[0]!;
    for (let inner = nodeOf(from); inner && inner.op === 'permute'; inner = nodeOf(from)) {
      const p1 = permOf(inner);
      perm = perm.map((q) => p1[q]!);
      from = inner.inputs[0]!;
    }
    return { from, perm };
  };
  /**
   * Whether matmul `mm` reads its operand j (a permute, or a chain of them) through strides instead
   * of a copy: a last-two swap always; any other permutation (attention's [B, T, heads, d] →
   * [B, heads, T, d]) as one N-D call, when both operands have the output's batch dims.
   */
  const foldOf = (mm: ProgramNode, j: number): { from: number; perm: number[] } | undefined => {
    const p = nodeOf(mm.inputs[j]!);
    if (mm.dtype !== 'float32' || !p || p.op !== 'permute') return undefined;
    const chain = chainOf(p);
    if (isSwap(chain.perm) || isIdentity(chain.perm)) return chain;
    const batch = mm.shape.slice(0, -2).join();
    const nd = mm.shape.length <= 6 && mm.inputs.every((i) => values[i]!.shape.length === mm.shape.length && values[i]!.shape.slice(0, -2).join() === batch);
    if (nd) return chain;
    // otherwise only an immediate last-two swap (its input permute, if any, then runs as a copy)
    const own = permOf(p);
    return isSwap(own) ? { from: p.inputs[0]!, perm: own } : undefined;
  };
  return foldOf;
}

/**
 * A matmul's only use, an add of a [N] row, is the primitive's bias: matmul value → [add value,
 * bias value]; and the add → its matmul (the add's inputs are read by the matmul, which runs
 * earlier than the add would have).
 */
export function findBiases(program: Program, values: readonly PlanValue[], outputs: ReadonlySet<number>, users: ReadonlyMap<number, number[]>) {
  const { base, nodeOf, usersOf } = programLookups(program, users);
  const biasOf = new Map<number, [number, number]>();
  const addToMatmul = new Map<number, number>();
  program.nodes.forEach((n, k) => {
    const v = base + k;
    if (n.op !== 'matmul' || n.dtype !== 'float32' || outputs.has(v)) return;
    const us = usersOf(v);
    if (us.length !== 1) return;
    const add = nodeOf(us[0]!)!;
    if (add.op !== 'add' || add.inputs[0] === add.inputs[1]) return;
    const other = add.inputs[0] === v ? add.inputs[1]! : add.inputs[0]!;
    const N = n.shape[n.shape.length - 1]!;
    const os = values[other]!.shape;
    const isRow = os.length >= 1 && os[os.length - 1] === N && numel(os) === N;
    if (!isRow || add.shape.join() !== n.shape.join()) return;
    biasOf.set(v, [us[0]!, other]);
    addToMatmul.set(us[0]!, v);
  });
  return { biasOf, addToMatmul };
}

/**
 * A gelu whose input is a matmul's (or its bias add's) only use is the primitive's eltwise post-op
 * (encode: the activation is applied while the output tile is in cache, not in another pass; in
 * training the pre-activation is read by gelu's backward, so it stays a value and this never
 * applies): matmul value → the gelu and its algorithm (1 erf, 2 tanh).
 */
export function findGeluPostOps(program: Program, outputs: ReadonlySet<number>, users: ReadonlyMap<number, number[]>, biasOf: ReadonlyMap<number, [number, number]>) {
  const { base, nodeOf, usersOf } = programLookups(program, users);
  const geluOf = new Map<number, { gelu: number; act: number }>();
  program.nodes.forEach((n, k) => {
    const v = base + k;
    if (n.op !== 'matmul' || n.dtype !== 'float32') return;
    const o = biasOf.get(v)?.[0] ?? v;
    const us = usersOf(o);
    const g = nodeOf(us[0] ?? -1);
    if (us.length !== 1 || outputs.has(o) || !g || g.op !== 'gelu' || g.dtype !== 'float32') return;
    geluOf.set(v, { gelu: us[0]!, act: (g.attrs as { approximate: string }).approximate === 'tanh' ? 2 : 1 });
  });
  return geluOf;
}

/**
 * A permute of a matmul's output (its only use; or a chain of permutes, each read only by the
 * next) is the matmul writing the permuted layout, where the permutation keeps the last dim (the
 * primitive's dst strides: attention's heads merged back) or moves the rows' dim last (a swap:
 * (A·B)ᵀ = Bᵀ·Aᵀ, how every linear's weight gradient arrives, then dst strides for the rest).
 * Saves the permute's copy (a pass over the output) and an instruction. Later permutes first, so
 * a chain is claimed whole by its last permute. `uses` counts a value's readers (a folded operand
 * not counted: operandFolds).
 */
export function findPermutedOutputs(program: Program, values: readonly PlanValue[], outputs: ReadonlySet<number>, uses: readonly number[], biasOf: ReadonlyMap<number, unknown>, geluOf: ReadonlyMap<number, unknown>) {
  const { base, nodeOf } = programLookups(program, new Map());
  const permuteFrom = new Map<number, { mm: number; flip: boolean; perm: number[] }>();
  const intoPermute = new Set<number>(); // matmuls and inner permutes written by a later permute
  for (let k = program.nodes.length - 1; k >= 0; k--) {
    const n = program.nodes[k]!, v = base + k;
    if (n.op !== 'permute' || uses[v] === 0 || intoPermute.has(v)) continue;
    let perm = permOf(n), m = n.inputs[0]!;
    const inner: number[] = [];
    for (let p = nodeOf(m); p && p.op === 'permute' && uses[m] === 1 && !outputs.has(m); p = nodeOf(m)) {
      const p1 = permOf(p);
      perm = perm.map((q) => p1[q]!);
      inner.push(m);
      m = p.inputs[0]!;
    }
    const mm = nodeOf(m);
    if (!mm || mm.op !== 'matmul' || mm.dtype !== 'float32' || uses[m] !== 1 || outputs.has(m) || biasOf.has(m) || geluOf.has(m)) continue;
    const [sa, sb] = mm.inputs.map((i) => values[i]!.shape);
    if (sa![sa!.length - 1] === 0 || numel(mm.shape) === 0) continue;
    const rank = mm.shape.length, batch = mm.shape.slice(0, -2).join();
    const flip = perm[rank - 1] === rank - 2;
    if (!flip && perm[rank - 1] !== rank - 1) continue;
    // over the flipped output's dims when flipped
    const swapDim = (d: number) => (d === rank - 2 ? rank - 1 : d === rank - 1 ? rank - 2 : d);
    const rest = flip ? perm.map(swapDim) : perm;
    const nd = rank <= 6 && [sa!, sb!].every((s) => s.length === rank && s.slice(0, -2).join() === batch);
    if (!isIdentity(rest) && !nd) continue;
    permuteFrom.set(v, { mm: m, flip, perm: rest });
    intoPermute.add(m);
    for (const i of inner) intoPermute.add(i);
  }
  return { permuteFrom, intoPermute };
}
