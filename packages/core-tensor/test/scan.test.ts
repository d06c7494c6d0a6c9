import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { cumsum, encodeModel, exportGraph, fullLike, Generator, gradCheck, positionsLike, randn, setBackend, tensor, withBackend } from '../src/index.js';

describe('cumsum, fullLike, positionsLike', () => {
  it('agree on js and ort, forward and reverse, int and float', async () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    const ids = tensor([[0, 0, 1], [1, 1, 1]], [2, 3], 'int64');
    for (const name of ['js', 'ort']) {
      await withBackend(name, async () => {
        expect(await cumsum(x, 1).toArray()).toEqual([1, 3, 6, 4, 9, 15]);
        expect(await cumsum(x, 0, true).toArray()).toEqual([5, 7, 9, 4, 5, 6]);
        expect(await cumsum(ids, 1).sub(1).toArray()).toEqual([-1, -1, 0, 0, 1, 2]);
        expect(await fullLike(x, 2.5).toArray()).toEqual([2.5, 2.5, 2.5, 2.5, 2.5, 2.5]);
        expect(await positionsLike(ids, 1).toArray()).toEqual([0, 1, 2, 0, 1, 2]);
      });
    }
    setBackend('ort');
  });

  it('cumsum passes a gradient check', async () => {
    const x = randn([3, 4], new Generator(2), 1, 'float64');
    expect((await gradCheck((t) => cumsum(t, 1), [x])).ok).toBe(true);
    expect((await gradCheck((t) => cumsum(t, 0, true), [x])).ok).toBe(true);
  });

  it('positions computed in-graph follow the input sizes in an exported model', async () => {
    const graph = exportGraph({
      inputs: [{ name: 'attention_mask', dtype: 'int64', dims: ['batch', 'sequence'] }],
      outputNames: ['position_ids'],
      // left padding: positions count only real tokens, as Llama's position ids from the mask
      build: ([mask]) => [cumsum(mask!, 1).sub(1).maximum(0).add(positionsLike(mask!, 1).mul(0))],
    });
    const s = await ort.InferenceSession.create(encodeModel(graph));
    const mask = BigInt64Array.from([0n, 0n, 1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n]);
    const got = await s.run({ attention_mask: new ort.Tensor('int64', mask, [2, 5]) });
    expect(Array.from(got.position_ids!.data as BigInt64Array, Number)).toEqual([0, 0, 0, 1, 2, 0, 1, 2, 3, 4]);
  });
});
