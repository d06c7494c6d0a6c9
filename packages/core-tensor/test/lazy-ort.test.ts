import { describe, expect, it, vi } from 'vitest';

// onnxruntime-node made unloadable: a js-only program must still import and run core-tensor.
vi.mock('onnxruntime-node', () => {
  throw new Error('simulated: onnxruntime-node is not installed');
});

describe('the js backend without onnxruntime', () => {
  it('imports core-tensor and realises on js; ort fails with a clear error only when used', async () => {
    const ct = await import('../src/index.js');
    const y = ct.withBackend('js', () => ct.tensor([1, 2, 3]).mul(2).exp().sum());
    await ct.realize([y], { backend: 'js' });
    expect(y.dataSync()[0]).toBeCloseTo(Math.exp(2) + Math.exp(4) + Math.exp(6), 3);
    await expect(ct.realize([ct.tensor([1]).add(1)], { backend: 'ort' })).rejects.toThrow(/onnxruntime-node cannot be loaded.*js backend/);
  });
});
