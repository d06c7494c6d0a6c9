import { Generator, Tensor } from '@retrievals/core-tensor';
import { LossOptionError } from './errors.js';
import { filled } from './tensors.js';

export interface CentreOptions {
  inFeatures?: number | undefined;
  outFeatures?: number | undefined;
  weight?: Tensor | readonly (readonly number[])[] | undefined;
  seed: number;
}

/**
 * ArcFace's class centres [C, D]: a given Tensor as is (the caller's parameter), nested numbers
 * copied into a trainable float32 tensor, or nn.init.xavier_uniform_ — U(−b, b) with
 * b = sqrt(6 / (D + C)) — drawn from a seeded Generator so a run is reproducible.
 */
export function classCentres(loss: string, o: CentreOptions): Tensor {
  if (o.weight instanceof Tensor) {
    if (o.weight.rank !== 2) throw new LossOptionError(`${loss}: option 'weight' must be [outFeatures, inFeatures], got [${o.weight.shape.join(', ')}]`);
    const [C, D] = o.weight.shape as [number, number];
    if ((o.inFeatures ?? D) !== D || (o.outFeatures ?? C) !== C) {
      throw new LossOptionError(`${loss}: option 'weight' is [${C}, ${D}] but inFeatures = ${o.inFeatures}, outFeatures = ${o.outFeatures}`);
    }
    return o.weight;
  }
  if (o.weight !== undefined) {
    const rows = o.weight;
    const D = Array.isArray(rows) && Array.isArray(rows[0]) ? rows[0].length : 0;
    if (D === 0 || rows.some((r) => !Array.isArray(r) || r.length !== D || r.some((v) => typeof v !== 'number'))) {
      throw new LossOptionError(`${loss}: option 'weight' must be a Tensor or a non-empty [outFeatures][inFeatures] array of numbers`);
    }
    const w = new Tensor({ shape: [rows.length, D], dtype: 'float32', buffer: Float32Array.from(rows.flat()) });
    w.name = `${loss}.weight`;
    return classCentres(loss, { ...o, weight: w.requiresGrad_() });
  }
  if (o.inFeatures === undefined || o.outFeatures === undefined) {
    throw new LossOptionError(`${loss}: options 'inFeatures' (embedding size D) and 'outFeatures' (number of classes C) are required when no 'weight' is given`);
  }
  const gen = new Generator(o.seed);
  const bound = Math.sqrt(6 / (o.inFeatures + o.outFeatures));
  const w = filled([o.outFeatures, o.inFeatures], 'float32', () => (2 * gen.uniform() - 1) * bound);
  w.name = `${loss}.weight`;
  return w.requiresGrad_();
}
