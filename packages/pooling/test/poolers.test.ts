import { backward, sum, tensor, withBackend, type Tensor } from '@retrievals/core-tensor';
import { describe, expect, it } from 'vitest';
import { getPooler, poolers } from '../src/index.js';

// Two texts, hidden size 2. Text 0 has 3 tokens, text 1 has 2; each is written once right-padded
// and once left-padded to length 4, so every pooler must give the same vectors for both.
const TOKENS = [
  [[1, 10], [2, 20], [3, -30]],
  [[-4, 40], [5, 50]],
];
const PAD = [99, -99]; // a loud padding value: any leak into a result shows

function batch(side: 'left' | 'right', maskDtype: 'int64' | 'float32' | 'bool' = 'int64'): { hidden: Tensor; mask: Tensor } {
  const t = 4;
  const rows = TOKENS.map((tok) => {
    const pads = Array.from({ length: t - tok.length }, () => PAD);
    return side === 'right' ? [...tok, ...pads] : [...pads, ...tok];
  });
  const mask = TOKENS.map((tok) => {
    const ones = tok.map(() => 1), zeros = Array.from({ length: t - tok.length }, () => 0);
    return side === 'right' ? [...ones, ...zeros] : [...zeros, ...ones];
  });
  const m = maskDtype === 'int64' ? tensor(mask.map((r) => r.map(BigInt))) : maskDtype === 'bool' ? tensor(mask.flat().map((v) => v === 1), [2, t], 'bool') : tensor(mask);
  return { hidden: tensor(rows), mask: m };
}

// Expected values worked out by hand from TOKENS.
const EXPECTED: Record<string, number[][]> = {
  cls: [[1, 10], [-4, 40]],
  last: [[3, -30], [5, 50]],
  mean: [[2, 0], [0.5, 45]],
  max: [[3, 20], [5, 50]],
  mean_sqrt_len: [[6 / Math.sqrt(3), 0], [1 / Math.sqrt(2), 90 / Math.sqrt(2)]],
  // weights 1, 2, 3 and 1, 2
  weightedmean: [[(1 + 4 + 9) / 6, (10 + 40 - 90) / 6], [(-4 + 10) / 3, (40 + 100) / 3]],
};

async function pool(name: string, side: 'left' | 'right', maskDtype?: 'int64' | 'float32' | 'bool'): Promise<number[][]> {
  const { hidden, mask } = batch(side, maskDtype);
  const out = getPooler(name)(hidden, mask);
  expect(out.shape).toEqual([2, 2]);
  const v = await out.toArray();
  return [v.slice(0, 2), v.slice(2, 4)];
}

function close(actual: number[][], expected: number[][]): void {
  actual.flat().forEach((v, i) => expect(v).toBeCloseTo(expected.flat()[i]!, 5));
}

describe('built-in poolers on hand-made hidden states', () => {
  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`${name}: right and left padding give the hand-computed vectors`, async () => {
      close(await pool(name, 'right'), expected);
      close(await pool(name, 'left'), expected);
    });
  }

  it('accepts int64, float and bool masks alike', async () => {
    for (const dt of ['float32', 'bool'] as const) close(await pool('last', 'left', dt), EXPECTED.last!);
    close(await pool('weightedmean', 'right', 'bool'), EXPECTED.weightedmean!);
  });

  it('gives the same values on the js backend (the reference interpreter)', async () => {
    await withBackend('js', async () => {
      for (const [name, expected] of Object.entries(EXPECTED)) close(await pool(name, 'left'), expected);
    });
  });

  it('answers to the names users know (aliases)', async () => {
    expect(poolers.list()).toEqual(
      expect.arrayContaining(['cls', 'first', 'mean', 'avg', 'last', 'eos', 'lasttoken', 'weightedmean', 'max', 'mean_sqrt_len']),
    );
    close(await pool('first', 'right'), EXPECTED.cls!);
    close(await pool('avg', 'left'), EXPECTED.mean!);
    close(await pool('eos', 'right'), EXPECTED.last!);
    close(await pool('lasttoken', 'left'), EXPECTED.last!);
  });

  it('lets gradients reach the hidden states only at the pooled tokens', async () => {
    const { hidden, mask } = batch('left');
    hidden.requiresGrad_();
    const loss = sum(getPooler('last')(hidden, mask));
    backward(loss);
    const g = await hidden.grad!.toArray();
    // left padding, T = 4: the last token of each row is position 3
    expect(g).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1]);

    const h2 = batch('right').hidden.requiresGrad_();
    backward(sum(getPooler('mean')(h2, batch('right').mask)));
    const g2 = await h2.grad!.toArray();
    expect(g2.map((v) => Number(v.toFixed(6)))).toEqual([1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 0, 0, 0.5, 0.5, 0.5, 0.5, 0, 0, 0, 0].map((v) => Number(v.toFixed(6))));
  });

  it('names the pooler and both shapes when the mask does not fit', () => {
    const { hidden } = batch('right');
    expect(() => getPooler('mean')(hidden, tensor([[1, 1, 1]]))).toThrow(/pooling 'mean': attention mask must be \[2, 4\].*got \[1, 3\]/);
    expect(() => getPooler('cls')(tensor([1, 2]), tensor([[1]]))).toThrow(/hidden states must be \[batch, seq, hidden\]/);
  });

  it('lists the known poolers for an unknown name', () => {
    expect(() => getPooler('median')).toThrow(/unknown pooling 'median'; known: cls, last, max, mean, mean_sqrt_len, weightedmean/);
  });
});
