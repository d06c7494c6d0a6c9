import { AdamW, OptionError, SGD, tensor } from '@retrievals/core-tensor';
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIMIZER, defineOptimizer, optimizers } from '../src/index.js';

const param = () => tensor([1, 2, 3]).requiresGrad_();

describe('optimizers registry', () => {
  it('wraps core-tensor AdamW (the default) and SGD with their options', () => {
    expect(DEFAULT_OPTIMIZER).toBe('adamw');
    const adam = optimizers.create(DEFAULT_OPTIMIZER)([param()]);
    expect(adam).toBeInstanceOf(AdamW);
    expect((adam as AdamW).betas).toEqual([0.9, 0.999]);
    expect(adam.groups[0]).toMatchObject({ lr: 1e-3, weightDecay: 0.01 });
    const tuned = optimizers.create({ name: 'adamw_torch', lr: 2e-5, betas: [0.8, 0.99], weightDecay: 0 })([param()]) as AdamW;
    expect([tuned.groups[0]!.lr, tuned.betas, tuned.groups[0]!.weightDecay]).toEqual([2e-5, [0.8, 0.99], 0]);
    const sgd = optimizers.create({ name: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true })([param()]);
    expect(sgd).toBeInstanceOf(SGD);
    expect((sgd as SGD).options).toMatchObject({ momentum: 0.9, nesterov: true });
    expect(optimizers.entries().map((e) => [e.name, e.aliases, e.source])).toEqual([['adamw', ['adamw_torch'], '@retrievals/trainer'], ['sgd', [], '@retrievals/trainer']]);
  });

  it('checks options when the config is read, naming optimizer and option', () => {
    expect(() => optimizers.create({ name: 'adamw', lr: 0 })).toThrow("optimizer adamw: option 'lr' must be a finite number > 0, got 0");
    expect(() => optimizers.create({ name: 'adamw', betas: [0.9, 1] })).toThrow("optimizer adamw: option 'betas' must be two numbers in [0, 1), e.g. [0.9, 0.999], got [0.9,1]");
    expect(() => optimizers.create({ name: 'adamw', momentum: 0.9 })).toThrow("optimizer adamw: unknown option 'momentum'; known: lr, betas, eps, weightDecay");
    expect(() => optimizers.create({ name: 'sgd', nesterov: true })).toThrow("optimizer sgd: option 'nesterov' needs momentum > 0 and dampening 0, got momentum 0, dampening 0");
    expect(() => optimizers.create({ name: 'sgd', nesterov: true, momentum: 0.9, dampening: 0.1 })).toThrow(OptionError);
    expect(() => optimizers.create('adamw')([])).toThrow('optimizer adamw: no parameters to train');
    expect(() => optimizers.create('adam')).toThrow("unknown optimizer 'adam'; known: adamw, sgd, adamw_torch");
  });

  it('defineOptimizer lets a plugin add one the same way', () => {
    const plain = defineOptimizer({ name: 'plain-sgd', options: {}, make: (params) => new SGD(params, { lr: 0.5 }) });
    expect(plain()([param()]).groups[0]!.lr).toBe(0.5);
    const broken = defineOptimizer({ name: 'broken', options: {}, make: () => ({}) as never });
    expect(() => broken()([param()])).toThrow('optimizer broken: make() must return a core-tensor Optimizer');
  });
});
