import { AdamW, backward, Generator, mul, randn, realize, sum, Tensor } from '@retrievals/core-tensor';
import { fixturePath } from '@retrievals/fixtures';
import { describe, expect, it } from 'vitest';
import {
  applyLora, AutoModelForEmbedding, Linear, loraConfig, LoraError, loraLayers, LoraLinear, loraParameters, mergeAndUnload, namedLoraParameters,
} from '../src/index.js';
import { distilbertFolder } from './helpers/folders.js';
import { maxAbsDiff } from './helpers/refs.js';

const TEXTS = ['hello there', 'a second, longer text', 'x'];
const load = (name: 'bert-tiny' | 'llama-tiny' | 'qwen2-tiny') => AutoModelForEmbedding.fromPretrained(fixturePath(name));
const embed = async (m: AutoModelForEmbedding) => (await m.encode(TEXTS)).data as Float32Array;
const wrapped = (m: AutoModelForEmbedding) => [...loraLayers(m).keys()];

/** Gives every lora_B random values, as after some training (B starts at zero). */
function randomizeB(m: AutoModelForEmbedding, std = 0.1): void {
  const gen = new Generator(42);
  for (const lora of loraLayers(m).values()) lora.setAdapter(lora.lora_A.namedParameters().get('weight')!, randn([lora.outFeatures, lora.r], gen, std).requiresGrad_());
}

describe('applyLora: which layers', () => {
  it('BERT default: every attention and MLP Linear, not the pooler', async () => {
    const m = applyLora(await load('bert-tiny'));
    const names = ['attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense', 'intermediate.dense', 'output.dense'];
    expect(wrapped(m).sort()).toEqual([0, 1].flatMap((i) => names.map((n) => `encoder.layer.${i}.${n}`)).sort());
    expect(m.backbone!.getModule('pooler.dense')).toBeInstanceOf(Linear);
    expect(loraConfig(m)).toMatchObject({ r: 8, alpha: 8, dropout: 0, useRslora: false, targetModules: ['query', 'key', 'value', 'output.dense', 'intermediate.dense'] });
  });

  it('Llama/Qwen2 default: q/k/v/o and gate/up/down of every layer; DistilBERT: q/k/v/out_lin, lin1, lin2', async () => {
    for (const name of ['llama-tiny', 'qwen2-tiny'] as const) {
      const m = applyLora(await load(name), { r: 2 });
      expect(wrapped(m)).toHaveLength(14);
      expect(m.backbone!.getModule('layers.1.mlp.down_proj')).toBeInstanceOf(LoraLinear);
    }
    const d = applyLora(await AutoModelForEmbedding.fromPretrained(distilbertFolder()));
    expect(wrapped(d).filter((p) => p.startsWith('transformer.layer.0.')).sort()).toEqual(
      ['attention.q_lin', 'attention.k_lin', 'attention.v_lin', 'attention.out_lin', 'ffn.lin1', 'ffn.lin2'].map((n) => `transformer.layer.0.${n}`).sort(),
    );
  });

  it('custom targets: a list of names/suffixes, a regex on the whole path, exclusions', async () => {
    const list = applyLora(await load('llama-tiny'), { targetModules: ['q_proj', 'mlp.down_proj'] });
    expect(wrapped(list)).toEqual(['layers.0.self_attn.q_proj', 'layers.0.mlp.down_proj', 'layers.1.self_attn.q_proj', 'layers.1.mlp.down_proj']);
    const regex = applyLora(await load('llama-tiny'), { targetModules: 'layers\\.1\\.self_attn\\.(k|v)_proj' });
    expect(wrapped(regex)).toEqual(['layers.1.self_attn.k_proj', 'layers.1.self_attn.v_proj']);
    // A regex must match the whole path, as PEFT's re.fullmatch: 'q_proj' alone matches nothing.
    await expect((async () => applyLora(await load('llama-tiny'), { targetModules: 'q_proj' }))()).rejects.toThrow(/target_modules "q_proj" matches no layer of LlamaModel; its Linear layers are layers\.0\.self_attn\.q_proj/);
    const excl = applyLora(await load('bert-tiny'), { targetModules: ['query', 'value'], excludeModules: ['layer.0.attention.self.value'] });
    expect(wrapped(excl)).toEqual(['encoder.layer.0.attention.self.query', 'encoder.layer.1.attention.self.query', 'encoder.layer.1.attention.self.value']);
  });

  it('errors: a target that matches nothing, or a non-Linear; a second adapter; a model without a backbone', async () => {
    const m = await load('bert-tiny');
    expect(() => applyLora(m, { targetModules: ['query', 'qurey'] })).toThrow(/target_modules entries \["qurey"\] match no layer of BertModel/);
    expect(() => applyLora(m, { targetModules: ['attention'] })).toThrow(/matches 'encoder\.layer\.0\.attention', a BertAttention, not a Linear layer; LoRA wraps Linear layers only/);
    expect(() => applyLora(m, { targetModules: ['word_embeddings'] })).toThrow(LoraError);
    expect(() => applyLora(m, { targetModules: [] })).toThrow(/targetModules must be a non-empty string \(a regex\) or a non-empty list/);
    expect(wrapped(m)).toEqual([]); // nothing changed by the failed calls
    applyLora(m, { targetModules: ['query'] });
    expect(() => applyLora(m)).toThrow(/already has an adapter; mergeAndUnload\(\) it first/);
    expect(() => applyLora({ backbone: undefined })).toThrow(/needs a core-tensor module tree/);
  });
});

describe('applyLora: training', () => {
  it('at init the embeddings equal the base model’s exactly (B = 0); with B set they move', async () => {
    for (const name of ['bert-tiny', 'llama-tiny'] as const) {
      const m = await load(name);
      const base = await embed(m);
      applyLora(m, { r: 4, alpha: 16 });
      expect(await embed(m)).toEqual(base);
      randomizeB(m);
      expect(maxAbsDiff(await embed(m), base)).toBeGreaterThan(1e-3);
    }
  });

  it('freezes the base: only lora_A / lora_B require grad and receive gradients', async () => {
    const m = applyLora(await load('llama-tiny'), { targetModules: ['q_proj', 'v_proj', 'down_proj'], r: 2 });
    randomizeB(m);
    const lora = namedLoraParameters(m);
    expect([...lora.keys()].slice(0, 2)).toEqual(['layers.0.self_attn.q_proj.lora_A.weight', 'layers.0.self_attn.q_proj.lora_B.weight']);
    expect(lora.size).toBe(12);
    const all = m.backbone!.namedParameters();
    for (const [name, p] of all) expect(p.requiresGrad, name).toBe(lora.has(name));
    backward(sum(m.forward(m.tokenize(TEXTS), { normalize: true })));
    for (const [name, p] of all) expect(p.grad !== undefined, name).toBe(lora.has(name));
    const grads = [...lora.values()].map((p) => p.grad!);
    await realize(...grads);
    for (const [i, g] of grads.entries()) expect(Math.max(...Array.from(g.dataSync() as Float32Array, Math.abs)), [...lora.keys()][i]).toBeGreaterThan(0);
  });

  it('one AdamW step on the adapter changes lora weights only; the loss goes down over a few steps', async () => {
    const m = applyLora(await load('bert-tiny'), { r: 4, alpha: 8, dropout: 0.1 });
    m.backbone!.train(new Generator(1));
    const params = loraParameters(m);
    const opt = new AdamW(params, { lr: 1e-2, weightDecay: 0 });
    const frozen = new Map([...m.backbone!.namedParameters()].filter(([n]) => !n.includes('.lora_')).map(([n, p]) => [n, Float32Array.from(p.dataSync() as Float32Array)]));
    const before = params.map((p) => Float32Array.from(p.dataSync() as Float32Array));
    const target = randn([3, 32], new Generator(9));
    const losses: number[] = [];
    for (let step = 0; step < 4; step++) {
      const e = m.forward(m.tokenize(TEXTS));
      const loss = sum(mul(e, target));
      loss.backward();
      await opt.step(loss);
      losses.push(await loss.item());
    }
    expect(losses[3]!).toBeLessThan(losses[0]!);
    params.forEach((p, i) => expect(maxAbsDiff(p.dataSync() as Float32Array, before[i]!), p.name).toBeGreaterThan(0));
    for (const [n, p] of m.backbone!.namedParameters()) if (frozen.has(n)) expect(p.dataSync(), n).toEqual(frozen.get(n));
  });
});

describe('mergeAndUnload', () => {
  it('folds the adapters into the weights: same embeddings (≤1e-5), plain Linear layers, no LoRA parameters left', async () => {
    for (const name of ['bert-tiny', 'llama-tiny'] as const) {
      const m = await load(name);
      const names = [...m.backbone!.namedParameters().keys()];
      applyLora(m, { r: 4, alpha: 8, useRslora: name === 'llama-tiny' });
      randomizeB(m);
      const adapted = await embed(m);
      const bb = await mergeAndUnload(m);
      expect(bb).toBe(m.backbone);
      expect(maxAbsDiff(await embed(m), adapted)).toBeLessThan(1e-5);
      expect([...bb.namedParameters().keys()]).toEqual(names);
      expect(loraLayers(m).size).toBe(0);
      expect(loraConfig(m)).toBeUndefined();
      expect(bb.getModule(name === 'bert-tiny' ? 'encoder.layer.1.output.dense' : 'layers.0.mlp.up_proj')).toBeInstanceOf(Linear);
      await expect(mergeAndUnload(m)).rejects.toThrow(/has no LoRA adapter/);
      applyLora(m); // a fresh adapter can go on the merged model
    }
  });

  it('keeps a float16 base weight float16 (storage dtype), computing the sum in float32', async () => {
    const m = await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny'), { useFp16: true });
    applyLora(m, { targetModules: ['query'] });
    randomizeB(m);
    const adapted = await embed(m);
    await mergeAndUnload(m);
    const w = m.backbone!.namedParameters().get('encoder.layer.0.attention.self.query.weight')!;
    expect(w.dtype).toBe('float16');
    expect(w).toBeInstanceOf(Tensor);
    expect(maxAbsDiff(await embed(m), adapted)).toBeLessThan(2e-3); // float16 rounding of the merged weight
  });
});
