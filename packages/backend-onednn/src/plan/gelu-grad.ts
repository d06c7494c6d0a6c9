import { DTYPE_CODE, OP } from './codes.js';
import type { Instr } from './lower.js';
import { groupLookups, type GroupInfo } from './match.js';

/** gelu's backward found as one fused group, run as one chunked loop (native/gelu-grad.cc). */
export interface GeluGradMatch {
  /** gelu's input and the gradient of its output. */
  x: number;
  dy: number;
  /** One-element values: −0.5, 1/√(2π), √½, 0.5 (times erf), 0.5 (plus). */
  scalars: number[];
  out: number;
}

/**
 * core-tensor's gelu (erf form) gradient as the program spells it (ops/activations.ts):
 *   dx = dy · ((erf(x·√½)·0.5 + 0.5) + x·(exp((x·x)·−0.5)·1/√(2π)))
 * The fused-group interpreter runs its 11 ops as 11 passes over L1 blocks (MiniLM step: 12 of
 * them, [2048, 1536] each, 46 ms); one loop with exp taken chunk-wise and the rest in registers
 * does the same ops, in the same order and with the same exp and erf, so bit for bit the same.
 * Matched exactly: the group holds these nodes and nothing else, x and dy of the group's shape,
 * the constants one-element values, only dx leaving the group.
 */
export function matchGeluGrad(group: GroupInfo): GeluGradMatch | undefined {
  const { inside, full, one, op } = groupLookups(group);
  const { members, outputs: outputsOf } = group;
  if (outputsOf.length !== 1) return undefined;
  const out = outputsOf[0]!;
  const [dy, total] = op(out, 'mul') ?? [];
  const [cdf, xpdf] = op(total, 'add') ?? [];
  const [half, plusHalf] = op(cdf, 'add') ?? [];
  const [erfOut, timesHalf] = op(half, 'mul') ?? [];
  const [scaled] = op(erfOut, 'erf') ?? [];
  const [x, rootHalf] = op(scaled, 'mul') ?? [];
  const [x2, pdf] = op(xpdf, 'mul') ?? [];
  const [e, invRoot2Pi] = op(pdf, 'mul') ?? [];
  const [t] = op(e, 'exp') ?? [];
  const [sq, minusHalf] = op(t, 'mul') ?? [];
  const [xa, xb] = op(sq, 'mul') ?? [];
  if ([dy, x, rootHalf, timesHalf, plusHalf, invRoot2Pi, minusHalf].some((v) => v === undefined) || x2 !== x || xa !== x || xb !== x) return undefined;
  const matched = [out, total, cdf, half, erfOut, scaled, xpdf, pdf, e, t, sq];
  if (matched.length !== members.length || !matched.every((v) => inside.has(v!))) return undefined;
  const scalars = [minusHalf, invRoot2Pi, rootHalf, timesHalf, plusHalf] as number[];
  if (!full(x!) || !full(dy!) || !scalars.every(one)) return undefined;
  return { x: x!, dy: dy!, scalars, out };
}

/** The instruction of a match over n elements, with its bf16 storage hooks (as a fused group's). */
export function geluGradInstr(g: GeluGradMatch, n: number): Instr {
  const words = [OP.geluGrad, g.x, DTYPE_CODE.float32, g.dy, DTYPE_CODE.float32, ...g.scalars, g.out, DTYPE_CODE.float32, 0, n];
  const at = (k: number) => ({ value: [g.x, g.dy][k]!, word: 2 + 2 * k });
  const outWord = 5 + g.scalars.length + 1;
  return {
    op: 'geluGrad',
    words,
    reads: [g.x, g.dy, ...g.scalars],
    writes: [g.out],
    bf16Reads: [g.x, g.dy],
    bf16Writes: [g.out],
    bf16If: [g.x, g.dy],
    dtypeWords: [at(0), at(1), { value: g.out, word: outWord }],
    shadows: [{ value: g.out, word: outWord + 1 }],
  };
}
