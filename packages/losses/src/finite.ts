import { cast, concat, equal, isFinite as finiteMask, isFloat, not, realize, reshape, RetrievalsError, sum, type Tensor, type TypedArray } from '@retrievals/core-tensor';
import { NonFiniteError } from './errors.js';

interface FieldGuard {
  field: string;
  shape: readonly number[];
  /** Lazy [2]: how many NaN, how many non-finite (NaN or ±Inf). */
  counts: Tensor;
}

interface Guard {
  loss: string;
  fields: FieldGuard[];
}

// Keyed by the loss tensor a call returned, so each call's checks stay with its own result and
// disappear with it.
const guards = new WeakMap<Tensor, Guard>();

const fmt = (shape: readonly number[]) => `[${shape.join(', ')}]`;

function describeCounts(nan: number, nonFinite: number): string {
  const inf = nonFinite - nan;
  return [nan ? `${nan} NaN` : '', inf ? `${inf} ±Inf` : ''].filter(Boolean).join(' and ');
}

function inputError(loss: string, field: string, shape: readonly number[], nan: number, nonFinite: number): NonFiniteError {
  return new NonFiniteError(
    `${loss}: input '${field}' ${fmt(shape)} holds ${describeCounts(nan, nonFinite)} value${nonFinite === 1 ? '' : 's'}; ` +
      'the loss would be NaN. Look for a diverged model (lower the learning rate) or bad input data.',
  );
}

/** Checks a tensor that already holds values, at once (no graph, no run). */
export function scanFinite(loss: string, field: string, t: Tensor): void {
  if (!t.buffer || !isFloat(t.dtype) || t.dtype === 'float16' || t.dtype === 'bfloat16') return;
  const values = t.buffer as Exclude<TypedArray, BigInt64Array>;
  let nan = 0, nonFinite = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) {
      nonFinite++;
      if (v !== v) nan++;
    }
  }
  if (nonFinite) throw inputError(loss, field, t.shape, nan, nonFinite);
}

/**
 * Records, for the lazy float inputs of one loss call, two counts computed in the same graph as
 * the loss (a handful of reductions): realised together with the training step they cost no
 * extra run, and `checkFinite` reads them afterwards.
 */
export function guardLoss(loss: string, inputs: readonly (readonly [string, Tensor])[], out: Tensor): void {
  const fields: FieldGuard[] = [];
  for (const [field, t] of inputs) {
    if (t.buffer || !isFloat(t.dtype)) continue;
    const count = (mask: Tensor) => reshape(sum(cast(not(mask), t.dtype)), [1]);
    fields.push({ field, shape: t.shape, counts: concat([count(equal(t, t)), count(finiteMask(t))]) });
  }
  guards.set(out, { loss, fields });
}

/**
 * The lazy tensors to realise together with a loss so that `checkFinite` can tell which input was
 * not finite: `await optimizer.step(loss, ...finiteGuards(loss))`. Empty when every input already
 * held values (those were checked when the loss was called).
 */
export function finiteGuards(loss: Tensor): Tensor[] {
  return guards.get(loss)?.fields.map((f) => f.counts) ?? [];
}

/**
 * Throws NonFiniteError if an input of the call that produced `loss`, or the realised loss itself,
 * is NaN or ±Inf; naming the loss and the input field. Needs the loss and its `finiteGuards`
 * realised (in one run: values computed later would come from already-updated parameters).
 */
export function checkFinite(loss: Tensor): void {
  const guard = guards.get(loss);
  const name = guard?.loss ?? 'loss';
  if (!loss.buffer) throw new RetrievalsError(`checkFinite: the ${name} loss is not realised yet; realise it with finiteGuards(loss) first`);
  for (const f of guard?.fields ?? []) {
    if (!f.counts.buffer) {
      throw new RetrievalsError(
        `checkFinite: the finite guards of the ${name} loss were not realised with it; ` +
          'pass them to the same run: await optimizer.step(loss, ...finiteGuards(loss)) or await realize(loss, ...finiteGuards(loss))',
      );
    }
    const [nan, nonFinite] = Array.from(f.counts.buffer as Float32Array, Number) as [number, number];
    if (nonFinite > 0) throw inputError(name, f.field, f.shape, nan, nonFinite);
  }
  const value = Number(loss.buffer[0]);
  if (!Number.isFinite(value)) {
    throw new NonFiniteError(
      `${name}: the loss is ${value} although every input is finite: an overflow inside the loss ` +
        '(lower scale, raise temperature, or check the embeddings\' magnitude)',
    );
  }
}

/** Realises a loss with its guards in one run, checks them, and returns the value. */
export async function validateLoss(loss: Tensor): Promise<number> {
  await realize(loss, ...finiteGuards(loss));
  checkFinite(loss);
  return Number(loss.dataSync()[0]);
}
