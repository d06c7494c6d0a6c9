// tools/example-backend, installed as a config's plugin would be: loadPlugins by package name into
// core-tensor's backends registry, then chosen by name like the built-in js and ort.
import { join } from 'node:path';
import { backends, crossEntropy, Generator, linear, loadPlugins, randn, realize, softmax, tensor, type Tensor, withBackend } from '@retrievals/core-tensor';
import type { TracedBackend } from '@retrievals/example-backend';
import { AutoModelForEmbedding } from '@retrievals/models';
import { beforeAll, describe, expect, test } from 'vitest';
import { HERE, ROOT } from '../markdown.js';

beforeAll(async () => {
  await loadPlugins(['@retrievals/example-backend'], { backends }, { baseDir: HERE });
});

const traced = () => backends.get('js-traced') as TracedBackend;

/** The same small program each call, from fixed data: a linear layer, GELU, softmax, a loss and its gradients. */
function program() {
  const gen = new Generator(3);
  const x = randn([6, 5], gen);
  const w = randn([4, 5], gen, 0.5).requiresGrad_();
  const b = randn([4], gen, 0.1).requiresGrad_();
  const h = linear(x, w, b).gelu();
  const loss = crossEntropy(h, tensor(Int32Array.from([0, 1, 2, 3, 0, 1]), [6]));
  loss.backward();
  return [softmax(h, -1), loss, w.grad!, b.grad!] as Tensor[];
}

async function values(backend: string): Promise<Float32Array[]> {
  const outs = program();
  await realize(outs, { backend });
  return Promise.all(outs.map(async (t) => Float32Array.from((await t.data()) as Float32Array)));
}

describe('js-traced', () => {
  test('is registered by name, with the plugin as its source', () => {
    expect(backends.list()).toContain('js-traced');
    expect(backends.sourceOf('js-traced')).toBe('@retrievals/example-backend');
  });

  test('runs a program, forward and backward, and agrees with js exactly', async () => {
    traced().reset();
    const want = await values('js');
    const got = await values('js-traced');
    expect(got).toEqual(want); // the same kernels: bit for bit
    const stats = traced().stats();
    expect(stats.runs).toBe(1); // one realize, one program
    expect(stats.ops.matmul).toBeGreaterThan(0);
    expect(stats.outputElements).toBe(6 * 4 + 1 + 4 * 5 + 4);
    expect(stats.ms).toBeGreaterThanOrEqual(0);
  });

  test('agrees with ort within float32 rounding', async () => {
    const [a, b] = [await values('ort'), await values('js-traced')];
    a.forEach((t, i) => t.forEach((v, j) => expect(b[i]![j]!).toBeCloseTo(v, 5)));
  });

  test('withBackend selects it for everything realised inside, and reset zeroes the counters', async () => {
    traced().reset();
    const before = traced().stats().runs;
    await withBackend('js-traced', async () => {
      const t = tensor([1, 2, 3]).mul(2).add(1);
      expect(Array.from((await t.data()) as Float32Array)).toEqual([3, 5, 7]);
    });
    expect(traced().stats().runs).toBe(before + 1);
    expect(traced().stats().ops).toMatchObject({ mul: 1, add: 1 });
    traced().reset();
    expect(traced().stats()).toMatchObject({ runs: 0, distinctPrograms: 0, ops: {} });
  });

  test('a model encodes on it as on js', async () => {
    const dir = join(ROOT, 'fixtures/bert-tiny');
    const texts = ['the quick brown fox', 'hello world', 'a'];
    const onJs = await AutoModelForEmbedding.fromPretrained(dir, { poolingMethod: 'mean', backend: 'js' });
    const onTraced = await AutoModelForEmbedding.fromPretrained(dir, { poolingMethod: 'mean', backend: 'js-traced' });
    traced().reset();
    const [a, b] = [await onJs.encode(texts), await onTraced.encode(texts)];
    expect(b.dims).toEqual(a.dims);
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
    expect(traced().stats().runs).toBeGreaterThan(0);
    await Promise.all([onJs.dispose(), onTraced.dispose()]);
  });
});
