import type { DType } from '../dtype.js';
import { castArray } from '../dtype.js';
import { RetrievalsError } from '../errors.js';
import { Tensor } from '../tensor.js';
import type { StoredTensor } from './read.js';
import { writeSafetensors } from './write.js';

/** A stored tensor as a compute tensor; float16/bfloat16 storage is cast (default to float32). */
export function storedToTensor(stored: StoredTensor, dtype?: DType): Tensor {
  const to = dtype ?? (stored.dtype === 'float16' || stored.dtype === 'bfloat16' ? 'float32' : stored.dtype);
  return new Tensor({ shape: stored.shape, dtype: to, buffer: castArray(stored.data, stored.dtype, to) });
}

/** Writes realised tensors (e.g. a model's parameters) to a safetensors file. */
export function saveTensors(path: string, tensors: Record<string, Tensor>, metadata?: Record<string, string>, dtype?: DType): void {
  const out: Record<string, StoredTensor> = {};
  for (const [name, t] of Object.entries(tensors)) {
    if (!t.buffer) throw new RetrievalsError(`saveTensors: '${name}' is not realised; realize() it first`);
    const to = dtype ?? t.dtype;
    out[name] = { dtype: to, shape: [...t.shape], data: castArray(t.buffer, t.dtype, to) };
  }
  writeSafetensors(path, out, metadata);
}
