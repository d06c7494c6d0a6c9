import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allocate, Tensor, type DType } from '@retrievals/core-tensor';
import { losses, type Loss, type LossInputs } from '../../src/index.js';

export interface JsonTensor {
  shape: number[];
  dtype: 'float' | 'int64' | 'bool';
  data: number[];
}

export interface RefCase {
  file: string;
  name: string;
  loss: string;
  options: Record<string, unknown>;
  inputs: Record<string, JsonTensor | number>;
  params: Record<string, JsonTensor>;
  expected: { loss: number; grads: Record<string, JsonTensor> };
}

const REFS = join(import.meta.dirname, '..', 'refs');

/** Every case of every committed fixture (written by tools/torch-refs/make_loss_refs.py). */
export function loadRefs(): RefCase[] {
  return readdirSync(REFS)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((file) => (JSON.parse(readFileSync(join(REFS, file), 'utf8')) as { cases: Omit<RefCase, 'file'>[] }).cases.map((c) => ({ ...c, file })));
}

/** A fixture tensor as a leaf: floats in the given dtype, ids as int64, masks as bool. */
export function toTensor(j: JsonTensor, float: 'float32' | 'float64', requiresGrad = false): Tensor {
  const dtype: DType = j.dtype === 'float' ? float : j.dtype;
  const buf = allocate(dtype, j.data.length);
  if (dtype === 'int64') j.data.forEach((v, i) => ((buf as BigInt64Array)[i] = BigInt(v)));
  // Inputs are float32 values written as their shortest float32 decimals: Math.fround recovers
  // the exact value PyTorch used, also when held in float64.
  else if (j.dtype === 'float') j.data.forEach((v, i) => (buf[i] = Math.fround(v)));
  else j.data.forEach((v, i) => (buf[i] = v));
  return new Tensor({ shape: j.shape, dtype, buffer: buf, requiresGrad });
}

/** The names of a case's inputs and parameters that the reference differentiated. */
export const gradFields = (c: RefCase) => Object.keys(c.expected.grads);

/** Fresh leaves for a case: inputs (LossInputs) and parameters, float fields in `float`. */
export function caseTensors(c: RefCase, float: 'float32' | 'float64', requiresGrad: boolean) {
  const grads = new Set(gradFields(c));
  const make = (k: string, v: JsonTensor) => toTensor(v, float, requiresGrad && grads.has(k));
  const inputs: Record<string, Tensor | number> = {};
  for (const [k, v] of Object.entries(c.inputs)) inputs[k] = typeof v === 'number' ? v : make(k, v);
  const params: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(c.params)) params[k] = make(k, v);
  return { inputs: inputs as LossInputs, params };
}

/** The case's loss from the registry, with its parameters (arcface's weight) passed as options. */
export function caseLoss(c: RefCase, params: Record<string, Tensor>): Loss {
  return losses.get(c.loss)({ ...c.options, ...params });
}
