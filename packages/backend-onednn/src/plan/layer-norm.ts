import type { Program } from '../program-types.js';
import { programLookups } from './match.js';

export interface LayerNormMatch {
  /** Its input, or -1 with `residual` (x = residual[0] + residual[1], made in the row, never stored). */
  x: number;
  residual?: [number, number];
  weight: number;
  bias: number;
  eps: number;
  /**
   * The value of each part, in the order the row kernel (native/layer-norm.cc) computes them:
   * s1, mu, xc, sq, s2, v, v2, q, r, n, n·w, y (-1: absent, i.e. no weight or no bias); and which
   * of them are written (read outside the match, e.g. by the backward).
   */
  parts: number[];
  written: number[];
  /** The value the match ends at (where it runs). */
  last: number;
  members: number[];
}

/**
 * layerNorm as core-tensor spells it (ops/normalization.ts):
 *   mu = sum(x)/L; xc = x − mu; v = sum(xc·xc)/L; r = 1/sqrt(v + eps); n = xc·r; y = n·w + b
 * op by op it is six passes over the [rows, L] activations and four full-size writes; one row
 * kernel reads x once. Matched exactly (the constants L, the last axis kept), with the weight and
 * bias optional; a same-shape add producing x and read by nothing else is the kernel's prologue.
 */
export function findLayerNorms(program: Program, outputs: ReadonlySet<number>, users: ReadonlyMap<number, number[]>, shapeOf: (v: number) => readonly number[]): LayerNormMatch[] {
  const { base, nodeOf, usersOf, scalarConst: scalar, reducesLastAxis } = programLookups(program, users);
  /** The user of v that is `op` with v as its first input (others may read v too: the backward). */
  const next = (v: number, op: string, second?: (i: number) => boolean) =>
    usersOf(v).find((u) => {
      const n = nodeOf(u)!;
      return n.op === op && n.inputs[0] === v && (second === undefined || second(n.inputs[1]!));
    });
  const lastSum = (v: number, rank: number) => nodeOf(v)?.op === 'sum' && reducesLastAxis(nodeOf(v), rank);
  const isRow = (v: number, L: number) => shapeOf(v).reduce((a, b) => a * b, 1) === L && shapeOf(v)[shapeOf(v).length - 1] === L;
  const matches: LayerNormMatch[] = [];
  const claimed = new Set<number>();

  program.nodes.forEach((node, k) => {
    const xc = base + k;
    // start at xc = sub(x, mu), mu = div(sum(x), L)
    if (node.op !== 'sub' || node.dtype !== 'float32') return;
    const [x, mu] = node.inputs as [number, number];
    const shape = node.shape, rank = shape.length, L = shape[rank - 1]!;
    if (rank === 0 || L === 0 || shapeOf(x).join() !== shape.join()) return;
    const MU = nodeOf(mu);
    if (!MU || MU.op !== 'div' || scalar(MU.inputs[1]!) !== L) return;
    const s1 = MU.inputs[0]!;
    if (!lastSum(s1, rank) || nodeOf(s1)!.inputs[0] !== x) return;
    // sq = xc·xc, v = sum(sq)/L, v2 = v + eps, q = sqrt(v2), r = 1/q, n = xc·r
    const sq = next(xc, 'mul', (i) => i === xc);
    const s2 = sq === undefined ? undefined : next(sq, 'sum');
    if (s2 === undefined || !lastSum(s2, rank)) return;
    const v = next(s2, 'div', (i) => scalar(i) === L);
    const v2 = v === undefined ? undefined : next(v, 'add', (i) => scalar(i) !== undefined);
    if (v2 === undefined) return;
    const eps = scalar(nodeOf(v2)!.inputs[1]!)!;
    const q = next(v2, 'sqrt');
    const r = q === undefined ? undefined : next(q, 'reciprocal');
    const n = r === undefined ? undefined : usersOf(r).find((u) => nodeOf(u)?.op === 'mul' && nodeOf(u)!.inputs[0] === xc && nodeOf(u)!.inputs[1] === r);
    if (sq === undefined || v === undefined || q === undefined || r === undefined || n === undefined) return;
    // n·w, + b (rows of L)
    let nw = -1, y = -1, weight = -1, bias = -1, end = n;
    const row = (i: number) => isRow(i, L);
    const wUse = next(n, 'mul', row);
    if (wUse !== undefined && nodeOf(wUse)!.inputs[1] !== n) {
      nw = end = wUse;
      weight = nodeOf(wUse)!.inputs[1]!;
    }
    const bUse = next(end, 'add', row);
    if (bUse !== undefined && nodeOf(bUse)!.inputs[1] !== end) {
      y = end = bUse;
      bias = nodeOf(bUse)!.inputs[1]!;
    }
    const parts = [s1, mu, xc, sq, s2, v, v2, q, r, n, nw, y];
    const members = parts.filter((p) => p >= 0);
    // x + residual made in the row: a same-shape add read only by this match's sum and sub
    const X = nodeOf(x);
    const residual = X?.op === 'add' && X.dtype === 'float32' && !outputs.has(x) && usersOf(x).every((u) => u === s1 || u === xc) && X.inputs.every((i) => shapeOf(i).join() === shape.join()) && !claimed.has(x) ? (X.inputs as [number, number]) : undefined;
    if (residual) members.unshift(x);
    if (members.some((m) => claimed.has(m))) return;
    // parts read outside are written; they are read after the kernel runs (at `end`) or never
    const inside = new Set(members);
    const written = parts.filter((p) => p >= 0 && (p === end || outputs.has(p) || usersOf(p).some((u) => !inside.has(u))));
    if (written.some((p) => usersOf(p).some((u) => !inside.has(u) && u < end))) return;
    members.forEach((m) => claimed.add(m));
    matches.push({ x: residual ? -1 : x, ...(residual ? { residual } : {}), weight, bias, parts, written, last: end, members, eps });
  });
  return matches;
}
