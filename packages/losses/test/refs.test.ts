/**
 * Every loss against PyTorch: the committed fixtures of tools/torch-refs/make_loss_refs.py hold
 * inputs (float32 values), the loss computed in float64 by a plain PyTorch implementation, and the
 * gradient of every float input. Each case runs on `js` in float64 (tight) and on `ort` in float32
 * (loss within 1e-5), loss and gradients realised in one run.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { backward, realize, withBackend, type Tensor } from '@retrievals/core-tensor';
import { caseLoss, caseTensors, gradFields, loadRefs, type RefCase } from './helpers/refs.js';

const CASES = loadRefs();
const deviations: { backend: string; loss: string; name: string; value: number; grad: number }[] = [];

async function run(c: RefCase, backend: 'js' | 'ort') {
  const float = backend === 'js' ? 'float64' : 'float32';
  return withBackend(backend, async () => {
    const { inputs, params } = caseTensors(c, float, true);
    const loss = caseLoss(c, params)(inputs);
    backward(loss);
    const all = { ...inputs, ...params } as Record<string, Tensor>;
    const grads = gradFields(c).map((k) => all[k]!.grad);
    await realize(loss, ...grads.filter((g): g is Tensor => g !== undefined));
    const value = Number(loss.dataSync()[0]);
    let gradError = 0;
    gradFields(c).forEach((k, i) => {
      const expected = c.expected.grads[k]!.data;
      const actual = grads[i] ? Array.from(grads[i]!.dataSync(), Number) : expected.map(() => 0);
      expected.forEach((e, j) => (gradError = Math.max(gradError, Math.abs(actual[j]! - e) / (1 + Math.abs(e)))));
    });
    deviations.push({ backend, loss: c.loss, name: c.name, value: Math.abs(value - c.expected.loss), grad: gradError });
    return { value, gradError };
  });
}

describe.each([...new Set(CASES.map((c) => c.loss))])('%s equals its PyTorch reference', (loss) => {
  for (const c of CASES.filter((x) => x.loss === loss)) {
    it(`${c.name} (js float64)`, async () => {
      const { value, gradError } = await run(c, 'js');
      expect(Math.abs(value - c.expected.loss)).toBeLessThan(1e-12 * (1 + Math.abs(c.expected.loss)));
      expect(gradError).toBeLessThan(1e-10);
    });
    it(`${c.name} (ort float32)`, async () => {
      const { value, gradError } = await run(c, 'ort');
      expect(Math.abs(value - c.expected.loss)).toBeLessThan(1e-5);
      expect(gradError).toBeLessThan(1e-5);
    });
  }
});

it('covers every built-in loss except the wrappers it composes', () => {
  expect(new Set(CASES.map((c) => c.loss))).toEqual(
    new Set(['infonce', 'simcse', 'triplet', 'pairwise-hinge', 'pairwise-logistic', 'cosent', 'angle', 'arcface', 'matryoshka', 'kl-distill', 'margin-mse', 'listwise', 'colbert-maxsim']),
  );
});

afterAll(() => {
  // LOSS_REF_REPORT=1 npx vitest run test/refs.test.ts prints the measured deviations per loss.
  if (!process.env.LOSS_REF_REPORT) return;
  const rows = new Map<string, { js: number; ort: number; jsGrad: number; ortGrad: number }>();
  for (const d of deviations) {
    const r = rows.get(d.loss) ?? { js: 0, ort: 0, jsGrad: 0, ortGrad: 0 };
    if (d.backend === 'js') (r.js = Math.max(r.js, d.value)), (r.jsGrad = Math.max(r.jsGrad, d.grad));
    else (r.ort = Math.max(r.ort, d.value)), (r.ortGrad = Math.max(r.ortGrad, d.grad));
    rows.set(d.loss, r);
  }
  console.table(Object.fromEntries([...rows].map(([k, r]) => [k, Object.fromEntries(Object.entries(r).map(([n, v]) => [n, v.toExponential(2)]))])));
});
