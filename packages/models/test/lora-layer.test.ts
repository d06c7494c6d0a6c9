import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, gradCheck, randn, Tensor, tensor, withBackend } from '@retrievals/core-tensor';
import { fixturePath } from '@retrievals/fixtures';
import { describe, expect, it } from 'vitest';
import { AutoModelForEmbedding, Linear, LoraLinear } from '../src/index.js';
import { maxAbsDiff } from './helpers/refs.js';

interface LinearRef {
  module: string;
  r: number;
  alpha: number;
  x: { shape: number[]; data: number[] };
  lora_A: { shape: number[]; data: number[] };
  lora_B: { shape: number[]; data: number[] };
  y: number[];
  y_rslora: number[];
}
const REF = JSON.parse(readFileSync(join(import.meta.dirname, 'refs', 'lora-linear.json'), 'utf8')) as LinearRef;
const f32 = (t: { shape: number[]; data: number[] }) => tensor(Float32Array.from(t.data), t.shape);

async function fixtureLinear(path = REF.module): Promise<Linear> {
  const m = await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny'));
  return m.backbone!.getModule(path) as Linear;
}

/** A Linear with given float64 weights, for gradient checks. */
function linear64(w: Tensor, b: Tensor): Linear {
  const l = new Linear(w.shape[1]!, w.shape[0]!);
  l.setOwnParameter('weight', w);
  l.setOwnParameter('bias', b);
  return l;
}

describe('LoraLinear', () => {
  it('starts equal to its base layer (B is zero), with A drawn as PEFT does (kaiming-uniform, bound 1/√in)', async () => {
    const base = await fixtureLinear();
    const lora = new LoraLinear(base, { r: 4, alpha: 8, generator: new Generator(3) });
    const x = randn([2, 5, 32], new Generator(1));
    const [y0, y1] = [await base.forward(x).data(), await lora.forward(x).data()];
    expect(y1).toEqual(y0);
    const a = lora.lora_A.namedParameters().get('weight')!;
    expect(a.shape).toEqual([4, 32]);
    const values = Array.from(a.dataSync() as Float32Array);
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(32));
    expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(0.8 / Math.sqrt(32)); // really spread over the range
    expect(Array.from(lora.lora_B.namedParameters().get('weight')!.dataSync() as Float32Array)).toEqual(new Array(32 * 4).fill(0));
    // Same generator seed, same adapter.
    const again = new LoraLinear(base, { r: 4, alpha: 8, generator: new Generator(3) });
    expect(again.lora_A.namedParameters().get('weight')!.dataSync()).toEqual(a.dataSync());
    expect([...lora.namedParameters().keys()]).toEqual(['base_layer.weight', 'base_layer.bias', 'lora_A.weight', 'lora_B.weight']);
  });

  it('gaussian init draws A with std 1/r; init false makes B non-zero (the output moves from the start)', async () => {
    const base = await fixtureLinear();
    const g = new LoraLinear(base, { r: 4, alpha: 8, init: 'gaussian' });
    const a = Array.from(g.lora_A.namedParameters().get('weight')!.dataSync() as Float32Array);
    const std = Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
    expect(std).toBeGreaterThan(0.2);
    expect(std).toBeLessThan(0.3);
    const f = new LoraLinear(base, { r: 4, alpha: 8, init: false });
    const x = randn([3, 32], new Generator(2));
    expect(maxAbsDiff(await f.forward(x).data() as Float32Array, await base.forward(x).data() as Float32Array)).toBeGreaterThan(1e-3);
  });

  for (const backend of ['ort', 'js'] as const) {
    it(`forward matches PyTorch (PEFT's lora.Linear math) on a bert-tiny layer: alpha/r and rsLoRA alpha/√r (${backend})`, async () => {
      const base = await fixtureLinear();
      for (const [useRslora, expected, scaling] of [[false, REF.y, 2], [true, REF.y_rslora, 4]] as const) {
        const lora = new LoraLinear(base, { r: REF.r, alpha: REF.alpha, useRslora });
        expect(lora.scaling).toBe(scaling);
        lora.setAdapter(f32(REF.lora_A), f32(REF.lora_B));
        const y = await withBackend(backend, () => lora.forward(f32(REF.x)).data());
        expect(maxAbsDiff(y as Float32Array, expected)).toBeLessThan(1e-5);
      }
    });
  }

  it('dropout applies to the adapter input only, in training, from the module generator', async () => {
    const base = await fixtureLinear();
    const lora = new LoraLinear(base, { r: 4, alpha: 8, dropout: 0.5 });
    lora.setAdapter(f32(REF.lora_A), f32(REF.lora_B));
    const x = f32(REF.x);
    expect(maxAbsDiff(await lora.forward(x).data() as Float32Array, REF.y)).toBeLessThan(1e-5); // eval: no dropout
    lora.train(new Generator(5));
    const a = await lora.forward(x).data() as Float32Array;
    lora.train(new Generator(5));
    expect(await lora.forward(x).data()).toEqual(a);
    expect(maxAbsDiff(a, REF.y)).toBeGreaterThan(1e-3);
  });

  it('gradients of x, A and B agree with finite differences (float64, js)', async () => {
    const gen = new Generator(11);
    const w = randn([5, 4], gen, 0.5, 'float64'), b = randn([5], gen, 0.5, 'float64');
    const lora = new LoraLinear(linear64(w, b), { r: 2, alpha: 6, dropout: 0 });
    const report = await gradCheck(
      (x, a, bm) => {
        lora.setAdapter(a!, bm!);
        return lora.forward(x!);
      },
      [randn([3, 4], gen, 1, 'float64'), randn([2, 4], gen, 1, 'float64'), randn([5, 2], gen, 1, 'float64')],
    );
    expect(report.ok, report.message).toBe(true);
    expect(report.checked).toBe(12 + 8 + 10);
  });

  it('rejects a bad rank, alpha or dropout, and a mis-shaped adapter', async () => {
    const base = await fixtureLinear();
    expect(() => new LoraLinear(base, { r: 0, alpha: 8 })).toThrow(/r must be a positive integer, got 0/);
    expect(() => new LoraLinear(base, { r: 2.5, alpha: 8 })).toThrow(/r must be a positive integer/);
    expect(() => new LoraLinear(base, { r: 4, alpha: Number.NaN })).toThrow(/alpha must be a number/);
    expect(() => new LoraLinear(base, { r: 4, alpha: 8, dropout: 1 })).toThrow(/dropout must be in \[0, 1\), got 1/);
    const lora = new LoraLinear(base, { r: 4, alpha: 8 });
    expect(() => lora.setAdapter(f32(REF.lora_B), f32(REF.lora_A))).toThrow(/expected shape \[4, 32\], got \[32, 4\]/);
  });
});
