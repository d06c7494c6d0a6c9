import { OP } from './codes.js';
import type { Instr } from './lower.js';
import { groupLookups, type GroupInfo } from './match.js';

/** An AdamW update found as one fused group, run as one vector loop (native/adamw.cc). */
export interface AdamWMatch {
  /** The gradient (or its two halves, summed first: a weight used twice, as a bi-encoder's), the parameter and its moments. */
  g: [number, number];
  p: number;
  m: number;
  v: number;
  /** One-element values: b1, 1 − b1, b2, 1 − b2, √(1 − b2ᵗ), eps, lr / (1 − b1ᵗ), 1 − lr·wd. */
  scalars: number[];
  /** The new parameter and moments. */
  outputs: [number, number, number];
}

/**
 * core-tensor's AdamW update (optim/adamw.ts) as the program spells it:
 *   m' = m·b1 + g·(1−b1); v' = v·b2 + (g·g)·(1−b2); p' = p·decay − (m' / (√v' / bc2 + eps))·step
 * The fused-group interpreter runs its 14 ops as 14 passes over L1 blocks and is bound by their
 * stores (MiniLM's 22.7 M parameters: ~60 ms a step); one loop with every value in registers is
 * bound by memory. Matched exactly: the group holds these nodes and nothing else, all operands of
 * one shape, the scalars one-element values; the loop computes the same ops in the same order, so
 * the results are bit for bit the interpreter's.
 */
export function matchAdamW(group: GroupInfo): AdamWMatch | undefined {
  const { nodeOf, inside, full, one, op } = groupLookups(group);
  const { members, outputs: outputsOf } = group;
  const pNew = members.find((v) => nodeOf(v)!.op === 'sub');
  const [decayed, update] = op(pNew, 'sub') ?? [];
  const [p, decay] = op(decayed, 'mul') ?? [];
  const [ratio, step] = op(update, 'mul') ?? [];
  const [mNew, denom] = op(ratio, 'div') ?? [];
  const [scaled, eps] = op(denom, 'add') ?? [];
  const [root, bc2] = op(scaled, 'div') ?? [];
  const [vNew] = op(root, 'sqrt') ?? [];
  const [mb1, gc1] = op(mNew, 'add') ?? [];
  const [vb2, ggc2] = op(vNew, 'add') ?? [];
  const [m, b1] = op(mb1, 'mul') ?? [];
  const [g, c1] = op(gc1, 'mul') ?? [];
  const [v, b2] = op(vb2, 'mul') ?? [];
  const [gg, c2] = op(ggc2, 'mul') ?? [];
  const [ga, gb] = op(gg, 'mul') ?? [];
  if ([pNew, p, decay, step, eps, bc2, m, b1, g, c1, v, b2, c2].some((x) => x === undefined) || ga !== g || gb !== g) return undefined;
  const summed = op(g, 'add');
  const halves: [number, number] = summed ? [summed[0]!, summed[1]!] : [g!, -1];
  const matched = [pNew, decayed, update, ratio, denom, scaled, root, vNew, mNew, mb1, gc1, vb2, ggc2, gg, ...(summed ? [g] : [])];
  const scalars = [b1, c1, b2, c2, bc2, eps, step, decay] as number[];
  if (matched.length !== members.length || !matched.every((x) => inside.has(x!))) return undefined;
  if (![p, m, v, ...halves.filter((h) => h >= 0)].every((x) => full(x!)) || !scalars.every(one)) return undefined;
  // the three results leave the group, nothing else does (the intermediates would need storing)
  const out = [pNew, mNew, vNew] as number[];
  if (outputsOf.length !== 3 || !out.every((o) => outputsOf.includes(o))) return undefined;
  return { g: halves, p: p!, m: m!, v: v!, scalars, outputs: out as [number, number, number] };
}

/** The instruction of a matched update over n elements (it reads float32 only: no bf16 hooks). */
export function adamWInstr(a: AdamWMatch, n: number): Instr {
  return {
    op: 'adamw',
    words: [OP.adamw, a.p, a.g[0], a.g[1], a.m, a.v, ...a.scalars, ...a.outputs, n],
    reads: [a.p, ...a.g.filter((g) => g >= 0), a.m, a.v, ...a.scalars],
    writes: [...a.outputs],
  };
}
