import { definePlugin, loadPlugins, mean, mul, OptionError, relu, sub, sum, type Tensor } from '@retrievals/core-tensor';
import { describe, expect, it } from 'vitest';
import { builtinLosses, defineLoss, getLoss, LossOptionError, losses, validateLoss } from '../src/index.js';
import { floats } from './helpers/data.js';

describe('losses registry', () => {
  it('holds every built-in, registered through the same plugin API a third party uses', () => {
    expect(builtinLosses.name).toBe('@retrievals/losses');
    expect(losses.list()).toEqual(
      expect.arrayContaining(['angle', 'arcface', 'cached', 'colbert-maxsim', 'cosent', 'infonce', 'kl-distill', 'listwise', 'margin-mse', 'matryoshka', 'pairwise-hinge', 'pairwise-logistic', 'simcse', 'triplet']),
    );
    expect(losses.get('multiple-negatives-ranking')).toBe(losses.get('infonce'));
    expect(getLoss('infonce', { temperature: 0.02 }).fields).toEqual({ required: ['query', 'positive'], optional: ['negative'] });
  });

  it('takes a loss from a plugin and computes it on tensors', async () => {
    const plugin = definePlugin({
      name: 'inline',
      setup({ losses: registry }) {
        registry!.register('inline-hinge', (options = {}) =>
          defineLoss({
            name: 'inline-hinge',
            required: ['scores'],
            compute: ({ scores }) => mean(relu(sub(Number(options.margin ?? 1), sub(sum(mul(scores!, floats([1, 0], [1, 2])), 1), sum(mul(scores!, floats([0, 1], [1, 2])), 1))))),
          }),
        );
      },
    });
    await loadPlugins([], { losses });
    await plugin.setup({ losses });
    const loss = losses.get('inline-hinge')({ margin: 0.5 });
    // score margins 0.9 and 0.1 against 0.5: hinge terms 0 and 0.4.
    expect(await validateLoss(loss({ scores: floats([1, 0.1, 0.2, 0.1], [2, 2]) as Tensor }))).toBeCloseTo(0.2, 6);
    expect(() => losses.get('inline-hinj')).toThrow(/unknown loss 'inline-hinj'; known: .*inline-hinge/);
    expect(() => plugin.setup({ losses })).toThrow(/'inline-hinge' is already registered/);
  });
});

describe('losses.create', () => {
  it('resolves a name or { name, ...options } and names kind, loss and option when one is bad', () => {
    expect(losses.create('infonce').name).toBe('infonce');
    expect(losses.create({ name: 'infonce', temperature: 0.02, labelSmoothing: 0.05 }).fields.required).toEqual(['query', 'positive']);
    expect(() => losses.create({ name: 'infonce', labelSmoothing: 1.5 })).toThrow("loss infonce: option 'labelSmoothing' must be a number in [0, 1), got 1.5");
    expect(() => losses.create({ name: 'infonce', labelSmoothing: 1.5 })).toThrow(LossOptionError);
    expect(() => losses.create({ name: 'infonce', temprature: 1 })).toThrow(OptionError);
  });
  it('records the package each loss came from', () => {
    expect(losses.sourceOf('infonce')).toBe('@retrievals/losses');
    expect(losses.sourceOf('multiple-negatives-ranking')).toBe('@retrievals/losses');
  });
});
