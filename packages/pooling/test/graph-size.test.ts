import { Tensor } from '@retrievals/core-tensor';
import { buildProgram, MAX_COMPILED_LITERAL } from '@retrievals/core-tensor/internal';
import { describe, expect, it } from 'vitest';
import { getPooler, poolers } from '../src/index.js';

describe('pooling graphs', () => {
  it('compile no data and keep their cache keys bounded by their node count, at [32, 512, 384]', () => {
    const [b, t, h] = [32, 512, 384];
    const hidden = new Tensor({ shape: [b, t, h], dtype: 'float32', buffer: new Float32Array(b * t * h) });
    const mask = new Tensor({ shape: [b, t], dtype: 'int64', buffer: new BigInt64Array(b * t).fill(1n) });
    for (const name of poolers.list()) {
      const { program } = buildProgram([getPooler(name)(hidden, mask)]);
      expect(program.consts.every((c) => c.data.length <= MAX_COMPILED_LITERAL), name).toBe(true);
      expect(program.key.length, name).toBeLessThan(160 * (program.nodes.length + program.feeds.length + program.consts.length));
    }
  });
});
