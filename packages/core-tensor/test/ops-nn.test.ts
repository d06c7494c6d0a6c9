/**
 * Softmax family, layerNorm, rmsNorm, normalize, cosineSimilarityMatrix; crossEntropy, klDiv,
 * dropout.
 * The js reference backend and onnxruntime must agree on every op (harness: helpers/agreement.ts).
 */
import { describe, expect, it } from 'vitest';
import { cosineSimilarityMatrix, crossEntropy, dropout, Generator, klDiv, layerNorm, logSoftmax, maskedFill, normalize, rmsNorm, softmax } from '../src/index.js';
import { type Case, data, Rand, suite, vals } from './helpers/index.js';

// ---------------------------------------------------------------------------------------------
// Normalisations, softmax family
// ---------------------------------------------------------------------------------------------

const rn = new Rand(9);
suite('softmax, logSoftmax, layerNorm, rmsNorm, normalize, cosineSimilarityMatrix', [
  {
    name: 'softmax and logSoftmax over axes -1, 0, 1; size-1 axis; empty batch',
    inputs: { x: rn.normal([2, 3, 5], { std: 3 }), one: rn.normal([3, 1]), empty: rn.normal([0, 5]) },
    grad: ['x', 'one'],
    build: ({ x, one, empty }) => ({
      sm: softmax(x!), sm0: softmax(x!, 0), sm1: x!.softmax(1), lsm: logSoftmax(x!), lsm0: logSoftmax(x!, 0), lsm1: x!.logSoftmax(1),
      smOne: softmax(one!, 1), lsmOne: logSoftmax(one!, 1), smEmpty: softmax(empty!), lsmEmpty: logSoftmax(empty!),
    }),
    check: (v) => expect(vals(v, 'smOne')).toEqual([1, 1, 1]),
  },
  {
    name: 'softmax/logSoftmax with -Infinity masked entries (attention masks)',
    inputs: { x: rn.normal([3, 4]), m: data([0, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0], [3, 4], 'bool') },
    grad: ['x'],
    build: ({ x, m }) => ({ sm: softmax(maskedFill(x!, m!, -Infinity)), lsm: logSoftmax(maskedFill(x!, m!, -1e9)) }),
    check: (v) => expect(vals(v, 'sm')[1]).toBe(0),
  },
  {
    name: 'layerNorm with and without weight/bias; last dim of size 1; empty batch',
    inputs: { x: rn.normal([2, 3, 8], { std: 2, mean: 1 }), w: rn.normal([8]), b: rn.normal([8]), one: rn.normal([4, 1]), empty: rn.normal([0, 8]) },
    grad: ['x', 'w', 'b', 'one'],
    build: ({ x, w, b, one, empty }) => ({
      affine: layerNorm(x!, w!, b!), plain: layerNorm(x!), eps: layerNorm(x!, w!, undefined, 1e-2), one: layerNorm(one!), empty: layerNorm(empty!, w!, b!),
    }),
  },
  {
    name: 'rmsNorm with and without weight; empty batch',
    inputs: { x: rn.normal([2, 3, 8]), w: rn.normal([8]), empty: rn.normal([0, 8]) },
    grad: ['x', 'w'],
    build: ({ x, w, empty }) => ({ weighted: rmsNorm(x!, w!), plain: rmsNorm(x!), eps: rmsNorm(x!, undefined, 0.1), empty: rmsNorm(empty!, w!) }),
  },
  {
    name: 'normalize p=2 and p=1 along axes -1 and 0, a zero row (clamped by eps)',
    inputs: { x: rn.normal([4, 6]), z: data([0, 0, 0, 1, 2, 3], [2, 3]) },
    grad: ['x'],
    build: ({ x, z }) => ({ l2: normalize(x!), l2axis0: normalize(x!, 0), l1: normalize(x!, -1, 1e-12, 1), method: x!.normalize(1), zero: normalize(z!) }),
    check: (v) => expect(vals(v, 'zero').slice(0, 3)).toEqual([0, 0, 0]),
  },
  {
    name: 'cosineSimilarityMatrix [4,6]×[3,6], and of a batch with itself',
    inputs: { a: rn.normal([4, 6]), b: rn.normal([3, 6]) },
    grad: ['a', 'b'],
    build: ({ a, b }) => ({ ab: cosineSimilarityMatrix(a!, b!), aa: cosineSimilarityMatrix(a!, a!) }),
    check: (v) => expect(vals(v, 'aa')[0]).toBeCloseTo(1, 5),
  },
]);

// ---------------------------------------------------------------------------------------------
// Losses, dropout, rotary
// ---------------------------------------------------------------------------------------------

/** F.cross_entropy reference in float64 (label smoothing, ignore index, mean over kept rows). */
function crossEntropyRef(logits: number[], n: number, c: number, targets: number[], smoothing: number, ignore: number): number[] {
  const rows: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = logits.slice(i * c, (i + 1) * c);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    if (targets[i] === ignore) {
      rows.push(0);
      continue;
    }
    const nll = lse - row[targets[i]!]!;
    const smooth = lse - row.reduce((s, v) => s + v, 0) / c;
    rows.push((1 - smoothing) * nll + smoothing * smooth);
  }
  return rows;
}

const rl = new Rand(13);
const ceLogits = rl.normal([6, 5], { std: 2 });
suite('losses, dropout, rotary', [
  ...(['int64', 'int32'] as const).map(
    (dtype): Case => ({
      name: `crossEntropy with ${dtype} targets: plain, label smoothing, ignoreIndex, reductions`,
      inputs: { logits: ceLogits, t: data([1, -100, 4, 0, 2, -100], [6], dtype), t3: data([1, 3, 4, 0, 3, 2], [6], dtype) },
      grad: ['logits'],
      build: ({ logits, t, t3 }) => ({
        mean: crossEntropy(logits!, t!),
        smooth: crossEntropy(logits!, t!, { labelSmoothing: 0.1 }),
        sum: crossEntropy(logits!, t!, { labelSmoothing: 0.2, reduction: 'sum' }),
        none: crossEntropy(logits!, t3!, { ignoreIndex: 3, labelSmoothing: 0.05, reduction: 'none' }),
      }),
      check: (v) => {
        const l = Array.from(ceLogits.dataSync() as Float32Array);
        const ref = crossEntropyRef(l, 6, 5, [1, -100, 4, 0, 2, -100], 0.1, -100);
        expect(vals(v, 'smooth')[0]).toBeCloseTo(ref.reduce((s, x) => s + x, 0) / 4, 5);
        const none = crossEntropyRef(l, 6, 5, [1, 3, 4, 0, 3, 2], 0.05, 3);
        none.forEach((x, i) => expect(vals(v, 'none')[i]).toBeCloseTo(x, 5));
      },
    }),
  ),
  {
    name: 'klDiv with probability targets (incl. zeros) and log targets, every reduction',
    inputs: { x: rl.normal([3, 4]), t: data([0.1, 0.2, 0.3, 0.4, 0, 0.5, 0.5, 0, 0.25, 0.25, 0.25, 0.25], [3, 4]), lt: rl.normal([3, 4]) },
    grad: ['x', 't', 'lt'],
    build: ({ x, t, lt }) => {
      const input = logSoftmax(x!), logTarget = logSoftmax(lt!);
      return {
        batchmean: klDiv(input, t!), sum: klDiv(input, t!, { reduction: 'sum' }), mean: klDiv(input, t!, { reduction: 'mean' }), none: klDiv(input, t!, { reduction: 'none' }),
        logBatchmean: klDiv(input, logTarget, { logTarget: true }), logNone: klDiv(input, logTarget, { logTarget: true, reduction: 'none' }),
      };
    },
    check: (v) => {
      expect(vals(v, 'none')[4]).toBe(0);
      expect(vals(v, 'batchmean')[0]).toBeCloseTo(vals(v, 'sum')[0]! / 3, 6);
    },
  },
  {
    name: 'dropout with a seeded Generator: the same mask on both backends',
    inputs: { x: rl.normal([4, 8]) },
    grad: ['x'],
    build: ({ x }) => ({ train: dropout(x!, 0.3, new Generator(42)), eval: dropout(x!, 0.3, new Generator(42), false).mul(1) }),
    check: (v) => {
      const y = vals(v, 'train'), x = vals(v, 'eval');
      const zeros = y.filter((e) => e === 0).length;
      expect(zeros).toBeGreaterThan(2);
      expect(zeros).toBeLessThan(20);
      y.forEach((e, i) => (e === 0 ? undefined : expect(e).toBeCloseTo(x[i]! / 0.7, 5)));
    },
  },
]);
