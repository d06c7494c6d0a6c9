/** Every Tensor method computes exactly what the function of the same name does (js backend). */
import { describe, expect, it } from 'vitest';
import {
  abs, add, argmax, cast, clamp, div, equal, exp, expand, gather, gelu, greater, less, log, logSoftmax, logsumexp, maskedFill, matmul, max, maximum, mean, min, minimum, mul, neg, normalize,
  permute, pow, relu, reshape, rsqrt, sigmoid, silu, slice, softmax, softplus, sqrt, squeeze, sub, sum, tanh, type Tensor, transpose, unsqueeze, where,
} from '../src/index.js';
import { data, fresh, Rand, runOn } from './helpers/index.js';

describe('Tensor methods', () => {
  it('each method computes exactly what the function of the same name does', async () => {
    const a = new Rand(30).uniform([3, 4], 0.2, 2), b = new Rand(31).nonzero([3, 4]), m = new Rand(32).bools([3, 4]);
    const build = (): Record<string, Tensor> => {
      const x = fresh(a), y = fresh(b), mask = fresh(m);
      const pairs: Record<string, [Tensor, Tensor]> = {
        add: [x.add(y), add(x, y)], sub: [x.sub(y), sub(x, y)], mul: [x.mul(y), mul(x, y)], div: [x.div(y), div(x, y)], pow: [x.pow(y), pow(x, y)],
        maximum: [x.maximum(y), maximum(x, y)], minimum: [x.minimum(y), minimum(x, y)], eq: [x.eq(y), equal(x, y)], lt: [x.lt(y), less(x, y)], gt: [x.gt(y), greater(x, y)],
        neg: [y.neg(), neg(y)], exp: [y.exp(), exp(y)], log: [x.log(), log(x)], sqrt: [x.sqrt(), sqrt(x)], rsqrt: [x.rsqrt(), rsqrt(x)], abs: [y.abs(), abs(y)],
        tanh: [y.tanh(), tanh(y)], sigmoid: [y.sigmoid(), sigmoid(y)], relu: [y.relu(), relu(y)], silu: [y.silu(), silu(y)], gelu: [y.gelu(), gelu(y)],
        geluTanh: [y.gelu('tanh'), gelu(y, 'tanh')], softplus: [y.softplus(), softplus(y)], clamp: [y.clamp(-1, 1), clamp(y, -1, 1)],
        sum: [y.sum(1, true), sum(y, 1, true)], mean: [y.mean(0), mean(y, 0)], max: [y.max(1), max(y, 1)], min: [y.min(), min(y)], logsumexp: [y.logsumexp(1), logsumexp(y, 1)],
        argmax: [y.argmax(1), argmax(y, 1)], softmax: [y.softmax(0), softmax(y, 0)], logSoftmax: [y.logSoftmax(), logSoftmax(y)], matmul: [x.matmul(y.transpose()), matmul(x, transpose(y))],
        reshape: [y.reshape([2, 6]), reshape(y, [2, 6])], permute: [y.permute([1, 0]), permute(y, [1, 0])], transpose: [y.transpose(0, 1), transpose(y, 0, 1)],
        expand: [y.unsqueeze(0).expand([2, 3, 4]), expand(unsqueeze(y, 0), [2, 3, 4])], squeeze: [y.reshape([3, 1, 4]).squeeze(1), squeeze(reshape(y, [3, 1, 4]), 1)],
        slice: [y.slice(1, 1, 3), slice(y, 1, 1, 3)], gather: [y.gather(data([2, 0], [2], 'int64'), 1), gather(y, data([2, 0], [2], 'int64'), 1)],
        maskedFill: [y.maskedFill(mask, 9), maskedFill(y, mask, 9)], where: [x.where(mask, y), where(mask, x, y)], cast: [y.cast('int32'), cast(y, 'int32')],
        normalize: [y.normalize(0), normalize(y, 0)],
      };
      return Object.fromEntries(Object.entries(pairs).flatMap(([k, [p, q]]) => [[`${k}.method`, p], [`${k}.fn`, q]]));
    };
    const v = await runOn('js', build);
    const names = Object.keys(v).filter((k) => k.endsWith('.method')).map((k) => k.slice(0, -'.method'.length));
    expect(names.length).toBe(44);
    for (const k of names) expect(v[`${k}.method`], k).toEqual(v[`${k}.fn`]);
  });
});
