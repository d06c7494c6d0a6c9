/**
 * Finite differences on the js backend (float64) for every loss: core-tensor's gradCheck compares
 * the gradient backward() records with central differences, element by element, on the inputs
 * of every PyTorch-reference case (so each option path of each loss is covered).
 */
import { describe, expect, it } from 'vitest';
import { gradCheck, type Tensor } from '@retrievals/core-tensor';
import type { LossInputs } from '../src/index.js';
import { caseLoss, caseTensors, gradFields, loadRefs } from './helpers/refs.js';

const CASES = loadRefs();

describe.each([...new Set(CASES.map((c) => c.loss))])('%s: analytic gradient = finite differences', (loss) => {
  for (const c of CASES.filter((x) => x.loss === loss)) {
    it(c.name, async () => {
      const { inputs, params } = caseTensors(c, 'float64', false);
      const names = gradFields(c);
      // Where PyTorch's gradient is zero everywhere (a batch of one, all-equal labels) a zero is the right answer.
      const zeroInReference = names.some((k) => c.expected.grads[k]!.data.every((g) => g === 0));
      const all = { ...inputs, ...params } as Record<string, Tensor>;
      const result = await gradCheck((...xs) => {
        const given = Object.fromEntries(names.map((k, i) => [k, xs[i]!]));
        const fixedInputs = Object.fromEntries(Object.entries(inputs).filter(([k]) => !names.includes(k)));
        const ownInputs = Object.fromEntries(Object.entries(given).filter(([k]) => k in inputs));
        const ownParams = Object.fromEntries(Object.entries(given).filter(([k]) => k in params));
        return caseLoss(c, { ...params, ...ownParams })({ ...fixedInputs, ...ownInputs } as LossInputs);
      }, names.map((k) => all[k]!), { allowZeroGrad: zeroInReference });
      expect(result.ok, result.message).toBe(true);
    });
  }
});
