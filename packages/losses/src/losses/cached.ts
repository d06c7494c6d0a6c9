import { allocate, backward, mul, noGrad, realize, RetrievalsError, sum, Tensor, type TypedArray } from '@retrievals/core-tensor';
import { LossInputError, LossOptionError } from '../errors.js';
import { checkFinite, finiteGuards } from '../finite.js';
import { opt, parseOptions } from '../options.js';
import { isLossSpec, resolveLoss } from '../resolve.js';
import type { Loss, LossInputs, LossSpec } from '../types.js';

/** Where a chunk sits, so `encode` can draw the same dropout mask in both passes. */
export interface EncodeInfo {
  field: EmbeddingField;
  /** Index of the chunk within the field. */
  chunk: number;
  /** Index of the chunk's first item within the field. */
  start: number;
}

/** A field given as raw items (texts, token batches, …) and the function that embeds a chunk of them. */
export interface Encoded<T = unknown> {
  items: readonly T[];
  /** Embeds items → [items.length, …]; must give the same values when called again for the same chunk. */
  encode: (chunk: readonly T[], info: EncodeInfo) => Tensor;
}

const EMBEDDING_FIELDS = ['query', 'positive', 'negative', 'embeddings'] as const;
export type EmbeddingField = (typeof EMBEDDING_FIELDS)[number];

/** A batch for CachedLoss.backward: embedding fields as Encoded items, the rest as for the wrapped loss. */
export type CachedBatch = { [F in EmbeddingField]?: Encoded } & Omit<LossInputs, EmbeddingField>;

export interface CachedLoss extends Loss {
  readonly inner: Loss;
  readonly chunkSize: number;
  /**
   * One training micro-step, GradCache style: adds the gradient of the wrapped loss over the whole
   * batch to every parameter's `.grad` (realised) and returns the realised loss. Memory is bounded
   * by a chunk's activations, not the batch's.
   */
  backward(batch: CachedBatch, parameters: readonly Tensor[]): Promise<Tensor>;
}

export interface CachedOptions {
  /** The loss over the full batch's embeddings (default 'infonce': cached multiple-negatives ranking). */
  loss?: LossSpec;
  /** Items embedded per forward/backward chunk (default 32). */
  chunkSize?: number;
}

const SPEC = {
  loss: opt<LossSpec>('infonce', isLossSpec),
  chunkSize: opt(32, (v) => (Number.isInteger(v) && (v as number) > 0 ? undefined : 'a positive integer')),
};

// Pass two re-embeds each chunk; values that differ from pass one mean the gradient would be
// taken at a different point (typically dropout drawn afresh), which GradCache must not do.
const REPLAY_TOLERANCE = 1e-3;

function chunksOf<T>(items: readonly T[], size: number): { chunk: readonly T[]; start: number }[] {
  const out = [];
  for (let start = 0; start < items.length; start += size) out.push({ chunk: items.slice(start, start + size), start });
  return out;
}

function joinRows(parts: Tensor[]): Tensor {
  const first = parts[0]!;
  const rows = parts.reduce((n, t) => n + t.shape[0]!, 0);
  const buf = allocate(first.dtype, rows * (first.size / first.shape[0]!));
  let at = 0;
  for (const t of parts) {
    (buf as Float32Array).set(t.dataSync() as Float32Array, at);
    at += t.size;
  }
  return new Tensor({ shape: [rows, ...first.shape.slice(1)], dtype: first.dtype, buffer: buf, requiresGrad: true });
}

function rowsOf(t: Tensor, start: number, count: number): Tensor {
  const width = t.size / t.shape[0]!;
  const buf = (t.dataSync() as Float32Array).slice(start * width, (start + count) * width) as TypedArray;
  return new Tensor({ shape: [count, ...t.shape.slice(1)], dtype: t.dtype, buffer: buf });
}

/**
 * GradCache (Gao et al. 2021) around any loss: (1) embed every chunk without a graph and keep the
 * embeddings; (2) compute the loss on the full batch of cached embeddings and its gradient with
 * respect to them; (3) embed each chunk again with a graph and back-propagate ⟨embedding,
 * cached gradient⟩ into the parameters. By the chain rule the parameter gradients equal those of
 * the uncached loss; only the summation order differs.
 *
 * Called with embeddings like any Loss, it simply computes the wrapped loss.
 */
export function cached(options: CachedOptions = {}): CachedLoss {
  const o = parseOptions('cached', options, SPEC);
  const inner = resolveLoss('cached', o.loss);
  if (inner.name === 'cached') throw new LossOptionError('cached: wrapping a cached loss in another gains nothing');
  const fn = (inputs: LossInputs) => inner(inputs);
  Object.defineProperty(fn, 'name', { value: 'cached' });

  async function backwardBatch(batch: CachedBatch, parameters: readonly Tensor[]): Promise<Tensor> {
    const encoded = EMBEDDING_FIELDS.filter((f) => batch[f] !== undefined && batch[f]!.items.length > 0);
    const rest: LossInputs = {};
    for (const [k, v] of Object.entries(batch)) if (!(EMBEDDING_FIELDS as readonly string[]).includes(k)) (rest as Record<string, unknown>)[k] = v;

    const embed = (field: EmbeddingField, c: { chunk: readonly unknown[]; start: number }, index: number): Tensor => {
      const e = batch[field]!.encode(c.chunk, { field, chunk: index, start: c.start });
      if (!(e instanceof Tensor) || e.shape[0] !== c.chunk.length) {
        throw new LossInputError(
          `cached: encode for '${field}' must return a Tensor with one row per item (${c.chunk.length}), got ${e instanceof Tensor ? `[${e.shape.join(', ')}]` : typeof e}`,
        );
      }
      return e;
    };

    // Pass 1: embeddings only, chunk by chunk, no graph kept.
    const reps: LossInputs = {};
    for (const field of encoded) {
      const parts: Tensor[] = [];
      for (const [i, c] of chunksOf(batch[field]!.items, o.chunkSize).entries()) {
        const e = noGrad(() => embed(field, c, i));
        await e.data();
        parts.push(e);
      }
      reps[field] = joinRows(parts);
    }

    // The loss over the whole batch, and its gradient with respect to the cached embeddings.
    const loss = inner({ ...rest, ...reps });
    if (!loss.requiresGrad) throw new RetrievalsError('cached: the loss does not depend on the embeddings');
    backward(loss);
    const lossParams = inner.parameters().filter((p) => p.grad);
    await realize(loss, ...finiteGuards(loss), ...encoded.map((f) => reps[f]!.grad).filter((g): g is Tensor => g !== undefined), ...lossParams.map((p) => p.grad!));
    checkFinite(loss);

    // Pass 2: each chunk again with a graph; its parameters' gradient is J_chunkᵀ · cached gradient.
    const grads = () => parameters.map((p) => p.grad).filter((g): g is Tensor => g !== undefined);
    for (const field of encoded) {
      const rep = reps[field]!;
      if (!rep.grad) continue;
      for (const [i, c] of chunksOf(batch[field]!.items, o.chunkSize).entries()) {
        const e = embed(field, c, i);
        if (!e.requiresGrad) continue;
        backward(sum(mul(e, rowsOf(rep.grad, c.start, c.chunk.length))));
        await realize(e, ...grads());
        const before = rowsOf(rep, c.start, c.chunk.length).dataSync(), after = e.dataSync();
        for (let j = 0; j < after.length; j++) {
          const a = Number(after[j]), b = Number(before[j]);
          if (Math.abs(a - b) > REPLAY_TOLERANCE * (1 + Math.abs(b))) {
            throw new RetrievalsError(
              `cached: encode gave different embeddings for '${field}' chunk ${i} in the second pass (${b} then ${a}): ` +
                'it must be deterministic per chunk; draw dropout masks from a generator seeded by the EncodeInfo it receives',
            );
          }
        }
      }
    }
    return loss;
  }

  return Object.assign(fn, {
    inner,
    chunkSize: o.chunkSize,
    fields: inner.fields,
    parameters: () => inner.parameters(),
    backward: backwardBatch,
  }) as CachedLoss;
}
