/** The js-vs-onnxruntime comparison (expectSameValues) catches a disagreement and names the worst element. */
import { describe, expect, it } from 'vitest';
import { data, expectSameValues, fresh, Rand, runOn } from './helpers/index.js';

describe('comparison harness', () => {
  it('catches a disagreement and names the worst element', async () => {
    const x = new Rand(1).normal([2, 3]);
    const a = await runOn('js', () => ({ y: fresh(x).mul(2) }));
    const b = await runOn('ort', () => ({ y: fresh(x).mul(2).add(data([0, 0, 0, 0, 1e-3, 0], [2, 3])) }));
    expect(() => expectSameValues(b, a, { labels: ['ort', 'js'] })).toThrow(/worst element \[1,1\]/);
  });
});
