import { availableParallelism } from 'node:os';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { encodeModel, ortSessionOptions } from '../src/index.js';
import { OPSET } from '../src/internal.js';

describe('ortSessionOptions', () => {
  it('defaults to one thread per core, sequential, all optimisations, an arena', () => {
    expect(ortSessionOptions()).toEqual({
      graphOptimizationLevel: 'all', intraOpNumThreads: availableParallelism(), interOpNumThreads: 1, executionMode: 'sequential', enableCpuMemArena: true,
    });
    expect(ortSessionOptions({ threads: 1, arena: false })).toMatchObject({ intraOpNumThreads: 1, enableCpuMemArena: false });
  });
  it('is accepted by onnxruntime-node', async () => {
    // onnxruntime rejects unknown or ill-typed session options at create.
    const bytes = encodeModel({
      name: 'id', opset: OPSET, nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }], initializers: [],
      inputs: [{ name: 'x', dtype: 'float32', dims: [2] }], outputs: [{ name: 'y', dtype: 'float32', dims: [2] }],
    });
    const session = await ort.InferenceSession.create(bytes, ortSessionOptions({ threads: 1, arena: false }));
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2]), [2]) });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([1, 2]);
    await session.release();
  });
});
