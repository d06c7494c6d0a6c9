import { join } from 'node:path';
import { backward, Generator, mul, realize, readSafetensors, sum, type Tensor } from '@retrievals/core-tensor';
import { fixturePath } from '@retrievals/fixtures';
import { describe, expect, it } from 'vitest';
import { AutoModelForEmbedding, Linear, Module } from '../src/index.js';
import { maxAbsDiff } from './helpers/refs.js';

const storedNames = (name: 'bert-tiny' | 'llama-tiny' | 'qwen2-tiny' | 'xlmr-tiny') => [...readSafetensors(join(fixturePath(name), 'model.safetensors')).tensors.keys()];
const TEXTS = ['hello there', 'a second, longer text'];

/** A stand-in for a LoRA wrapper: the base layer plus a scaled copy of its output. */
class Doubled extends Module {
  constructor(readonly base: Linear) {
    super();
    this.addModule('base', base);
  }
  forward(x: Tensor): Tensor {
    return mul(this.base.forward(x), 2);
  }
}

describe('module tree', () => {
  it('namedParameters() lists every parameter under its Hugging Face name', async () => {
    const bert = await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny'));
    expect([...bert.backbone!.namedParameters().keys()].sort()).toEqual(storedNames('bert-tiny').sort());
    const xlmr = await AutoModelForEmbedding.fromPretrained(fixturePath('xlmr-tiny'));
    expect([...xlmr.backbone!.namedParameters().keys()].sort()).toEqual(storedNames('xlmr-tiny').sort());
    for (const name of ['llama-tiny', 'qwen2-tiny'] as const) {
      const m = await AutoModelForEmbedding.fromPretrained(fixturePath(name));
      const base = storedNames(name).filter((n) => n.startsWith('model.')).map((n) => n.slice('model.'.length));
      expect([...m.backbone!.namedParameters().keys()].sort()).toEqual(base.sort());
      expect(m.weightPrefix).toBe('model.');
    }
  });

  it('finds a Linear by name and swaps it (the LoRA hook); the forward uses the new one', async () => {
    const m = await AutoModelForEmbedding.fromPretrained(fixturePath('llama-tiny'));
    const bb = m.backbone!;
    const path = 'layers.1.self_attn.v_proj';
    const modules = bb.namedModules();
    expect(modules.get(path)).toBeInstanceOf(Linear);
    expect([...modules.keys()].filter((k) => modules.get(k) instanceof Linear)).toHaveLength(14);
    const before = (await m.encode(TEXTS)).data as Float32Array;
    const old = bb.setModule(path, new Doubled(bb.getModule(path) as Linear));
    expect(bb.namedParameters().has(`${path}.base.weight`)).toBe(true);
    const after = (await m.encode(TEXTS)).data as Float32Array;
    expect(maxAbsDiff(before, after)).toBeGreaterThan(1e-3);
    bb.setModule(path, old);
    expect((await m.encode(TEXTS)).data).toEqual(before);
    expect(() => bb.setModule('layers.7.mlp', old)).toThrow(/no module 'layers\.7'/);
  });

  it('train() turns dropout on with a seeded generator; eval() turns it off', async () => {
    const m = await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny'));
    const bb = m.backbone!;
    const run = async () => {
      const e = m.forward(m.tokenize(TEXTS));
      await realize(e);
      return e.dataSync() as Float32Array;
    };
    const evalOut = await run();
    expect(await run()).toEqual(evalOut);
    bb.train(new Generator(7));
    const a = await run();
    bb.train(new Generator(7));
    const b = await run();
    expect(a).toEqual(b);
    expect(maxAbsDiff(a, evalOut)).toBeGreaterThan(1e-3);
    bb.eval();
    expect(await run()).toEqual(evalOut);
  });

  it('forward() is differentiable: gradients reach the weights by name', async () => {
    const m = await AutoModelForEmbedding.fromPretrained(fixturePath('qwen2-tiny'));
    const bb = m.backbone!.requiresGrad_();
    const loss = sum(m.forward(m.tokenize(TEXTS), { normalize: true }));
    backward(loss);
    const params = bb.namedParameters();
    const g = params.get('layers.0.self_attn.q_proj.bias')!.grad!;
    await realize(g, params.get('embed_tokens.weight')!.grad!);
    expect(Math.max(...Array.from(g.dataSync() as Float32Array, Math.abs))).toBeGreaterThan(0);
    bb.requiresGrad_(false);
  });
});

describe('AutoModelForEmbedding.parameters', () => {
  it('gives every backbone parameter, or only the trainable ones once LoRA froze the base', async () => {
    const { applyLora } = await import('../src/index.js');
    const m = await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny'));
    expect(m.parameters()).toHaveLength(m.backbone!.namedParameters().size);
    applyLora(m, { r: 2 });
    const lora = m.parameters();
    expect(lora.length).toBeGreaterThan(0);
    expect(lora.every((p) => p.requiresGrad)).toBe(true);
    expect(lora.length).toBeLessThan(m.backbone!.namedParameters().size);
  });
});
