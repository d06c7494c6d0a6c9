/**
 * Op agreement harness: every value-computing op, computed on the js reference backend and on
 * onnxruntime from the same inputs, must agree: float32 within rtol 1e-5 (atol 1e-6 where values
 * cross zero), integer and bool outputs exactly. Each case builds one graph (forward outputs plus,
 * for differentiable ops, the gradients of a random projection of them) and realises it in one run
 * per backend.
 */
import { describe, it } from 'vitest';
import { Tensor } from '../../src/index.js';
import { fresh } from './random.js';
import { backwardProjected, expectSameValues, runOn, type Values } from './run.js';

export type Outs = Tensor | Record<string, Tensor>;

export interface Case {
  name: string;
  /** Data tensors; each backend run gets fresh copies. */
  inputs: Record<string, Tensor>;
  /** Inputs to differentiate: their gradients (of a random projection of all outputs) are compared too. */
  grad?: string[];
  build: (x: Record<string, Tensor>) => Outs;
  rtol?: number;
  atol?: number;
  /** Tolerances for the gradients, where they differ (cancellation in the backward pass). */
  gradRtol?: number;
  gradAtol?: number;
  /** An independent check of the js values (semantics, not just agreement). */
  check?: (v: Values) => void;
}

export function buildCase(c: Case): Record<string, Tensor> {
  const ins: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(c.inputs)) ins[k] = fresh(t, c.grad?.includes(k) ?? false);
  const out = c.build(ins);
  const outs: Record<string, Tensor> = out instanceof Tensor ? { out } : { ...out };
  if (c.grad?.length) {
    backwardProjected(Object.values(outs));
    for (const k of c.grad) {
      const g = ins[k]!.grad;
      if (!g) throw new Error(`${c.name}: no gradient reached input '${k}'`);
      outs[`grad.${k}`] = g;
    }
  }
  return outs;
}

export async function agree(c: Case): Promise<void> {
  const js = await runOn('js', () => buildCase(c));
  const ort = await runOn('ort', () => buildCase(c));
  const pick = (v: Values, grads: boolean) => Object.fromEntries(Object.entries(v).filter(([k]) => k.startsWith('grad.') === grads));
  expectSameValues(pick(ort, false), pick(js, false), { rtol: c.rtol ?? 1e-5, atol: c.atol ?? 1e-6, labels: ['ort', 'js'] });
  expectSameValues(pick(ort, true), pick(js, true), { rtol: c.gradRtol ?? c.rtol ?? 1e-5, atol: c.gradAtol ?? c.atol ?? 1e-6, labels: ['ort', 'js'] });
  c.check?.(js);
}

export function suite(title: string, cases: Case[]): void {
  describe(title, () => {
    for (const c of cases) it(c.name, () => agree(c));
  });
}

export const vals = (v: Values, k: string) => v[k]!.values;
