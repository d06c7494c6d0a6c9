import type { Program } from '../program-types.js';
import { programLookups } from './match.js';

/** A softmax over the last dim found in a program, run as one row kernel (native/softmax.cc). */
export interface SoftmaxMatch {
  /** Its input, and the value it writes (the div). */
  x: number;
  y: number;
  /** exp(x − m) and its row sums, when something outside the softmax reads them (backward), else -1. */
  e: number;
  s: number;
  /** The nodes' values it replaces, the div's included. */
  members: number[];
  /** x = a · scale + addend (attention's scaled, masked scores), computed row by row and never stored. */
  pre?: { a: number; scale: number; addend: number };
}

/**
 * core-tensor's softmax as the program spells it:
 *   m = max(x or identity(x), last, keepdim); w = where(less(abs(m), +inf), m, 0); e = exp(x − w); y = e / sum(e, last, keepdim)
 * Run op by op it is four passes over x and three full-size writes; the attention softmax of a
 * MiniLM encode spent ~100 ms of 520 there. Matched exactly (the same x read by max and sub, the
 * constants 0 and +inf, no other reader of m, w or x − w); e and the sums stay values when the
 * backward reads them, and every such reader runs after the div.
 */
export function findSoftmaxes(program: Program, outputs: ReadonlySet<number>, users: ReadonlyMap<number, number[]>, shapeOf: (v: number) => readonly number[]): SoftmaxMatch[] {
  const { base, nodeOf, usersOf, scalarConst, reducesLastAxis: lastAxis } = programLookups(program, users);
  const constIs = (v: number, value: number) => scalarConst(v) === value;
  const onlyReadBy = (v: number, readers: number[]) => !outputs.has(v) && usersOf(v).every((u) => readers.includes(u));
  const matches: SoftmaxMatch[] = [];
  const claimed = new Set<number>();
  program.nodes.forEach((d, k) => {
    const y = base + k;
    const rank = d.shape.length;
    if (d.op !== 'div' || d.dtype !== 'float32' || rank === 0 || d.shape[rank - 1] === 0) return;
    const [e, s] = d.inputs as [number, number];
    const S = nodeOf(s), E = nodeOf(e);
    if (!S || S.op !== 'sum' || S.inputs[0] !== e || !lastAxis(S, rank) || !E || E.op !== 'exp') return;
    const z = E.inputs[0]!, Z = nodeOf(z);
    if (!Z || Z.op !== 'sub') return;
    const [x, w] = Z.inputs as [number, number];
    const W = nodeOf(w);
    if (shapeOf(x).join() !== d.shape.join()) return;
    if (!W || W.op !== 'where' || !constIs(W.inputs[2]!, 0)) return;
    const [c, m] = W.inputs as [number, number];
    const C = nodeOf(c), M = nodeOf(m);
    if (!C || C.op !== 'less' || !constIs(C.inputs[1]!, Infinity) || !M || M.op !== 'max' || !lastAxis(M, rank)) return;
    // the max reads x.detach(): x itself, or an identity of it
    const mx = M.inputs[0]!, I = nodeOf(mx);
    const viaIdentity = mx !== x && I?.op === 'identity' && I.inputs[0] === x && onlyReadBy(mx, [m]);
    if (mx !== x && !viaIdentity) return;
    const a = C.inputs[0]!, A = nodeOf(a);
    if (!A || A.op !== 'abs' || A.inputs[0] !== m) return;
    if (!onlyReadBy(m, [a, w]) || !onlyReadBy(a, [c]) || !onlyReadBy(c, [w]) || !onlyReadBy(w, [z]) || !onlyReadBy(z, [e])) return;
    // e and s may be read after the div (the backward), never between: the kernel writes them at the div
    const later = (v: number, inside: number[]) => usersOf(v).every((u) => inside.includes(u) || u > y);
    if (!later(e, [s, y]) || !later(s, [y])) return;
    const pre = prologue(x, viaIdentity ? [mx, z] : [m, z]);
    const members = [...(pre ? pre.members : []), ...(viaIdentity ? [mx] : []), m, a, c, w, z, e, s, y];
    if (members.some((v) => claimed.has(v))) return;
    members.forEach((v) => claimed.add(v));
    const outside = (v: number, inside: number[]) => outputs.has(v) || usersOf(v).some((u) => !inside.includes(u));
    matches.push({ x: pre ? -1 : x, y, e: outside(e, [s, y]) ? e : -1, s: outside(s, [y]) ? s : -1, members, ...(pre ? { pre: pre.pre } : {}) });
  });
  return matches;

  /** x = add(mul(a, scalar const), addend) read only by the softmax (its backward needs neither x nor the product). */
  function prologue(x: number, readers: number[]) {
    const X = nodeOf(x);
    if (!X || X.op !== 'add' || !onlyReadBy(x, readers)) return undefined;
    for (const [t, addend] of [X.inputs, [...X.inputs].reverse()] as [number, number][]) {
      const T = nodeOf(t);
      if (!T || T.op !== 'mul' || shapeOf(t).join() !== shapeOf(x).join() || !onlyReadBy(t, [x]) || addend === t) continue;
      for (const [a, k] of [T.inputs, [...T.inputs].reverse()] as [number, number][]) {
        const c = scalarConst(k);
        if (c !== undefined && shapeOf(a).join() === shapeOf(x).join() && a !== k) return { pre: { a, scale: c, addend }, members: [t, x] };
      }
    }
    return undefined;
  }
}
