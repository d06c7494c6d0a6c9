import { Tensor } from '@retrievals/core-tensor';
import type { Encoded } from './tokenizer.js';

/** Padded token tensors of one batch, int64 [B, T], plus where its rows came from. */
export interface TokenBatch {
  inputIds: Tensor;
  attentionMask: Tensor;
  tokenTypeIds: Tensor;
  /** Token count of each text before padding (filler rows of a static-shape batch not included). */
  lengths: number[];
}

export interface PadOptions {
  padId: number;
  side: 'left' | 'right';
  /**
   * Round the padded length up to a multiple of this (default 8): the `tensor` runtime compiles one
   * graph per shape, so bucketing keeps the number of distinct graphs small. Right padding never
   * changes results (every op that mixes positions is mask-aware), nor does left padding for
   * decoders; absolute-position encoders under left padding see shifted positions, as in transformers.
   */
  multiple?: number;
  /** Never pad past this (the position table's size). */
  maxPositions?: number;
  /** Exact padded length (a static-shape ONNX export); overrides the bucketing. */
  length?: number;
  /** Exact row count (a static-shape export): extra rows hold one pad token and are to be discarded. */
  rows?: number;
}

/** Pads encoded texts into one batch. */
export function padBatch(texts: readonly Encoded[], { padId, side, multiple = 8, maxPositions, length, rows }: PadOptions): TokenBatch {
  const filler: Encoded = { ids: [padId], typeIds: [0] };
  const encoded = rows !== undefined && rows > texts.length ? [...texts, ...new Array<Encoded>(rows - texts.length).fill(filler)] : texts;
  const longest = Math.max(1, ...encoded.map((e) => e.ids.length));
  let t = Math.ceil(longest / multiple) * multiple;
  if (maxPositions !== undefined) t = Math.max(longest, Math.min(t, maxPositions));
  if (length !== undefined) {
    if (longest > length) throw new RangeError(`padBatch: a text has ${longest} tokens, more than the fixed length ${length}`);
    t = length;
  }
  const b = encoded.length;
  const ids = new BigInt64Array(b * t).fill(BigInt(padId)), mask = new BigInt64Array(b * t), types = new BigInt64Array(b * t);
  encoded.forEach((e, r) => {
    const off = r * t + (side === 'left' ? t - e.ids.length : 0);
    for (let i = 0; i < e.ids.length; i++) {
      ids[off + i] = BigInt(e.ids[i]!);
      mask[off + i] = 1n;
      types[off + i] = BigInt(e.typeIds[i] ?? 0);
    }
  });
  const make = (data: BigInt64Array) => new Tensor({ shape: [b, t], dtype: 'int64', buffer: data });
  return { inputIds: make(ids), attentionMask: make(mask), tokenTypeIds: make(types), lengths: texts.map((e) => e.ids.length) };
}

/**
 * Splits text indices into batches, longest texts first (by characters, as sentence-transformers
 * sorts, so no text is tokenized twice): texts of similar length share a batch and little padding
 * is computed. The caller puts results back in the original order.
 */
export function lengthSortedBatches(texts: readonly string[], batchSize: number): number[][] {
  const order = texts.map((_, i) => i).sort((a, b) => texts[b]!.length - texts[a]!.length || a - b);
  const out: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) out.push(order.slice(i, i + batchSize));
  return out;
}

/**
 * Runs `run` on each prepared batch in turn, asking for batch i+1 (`prepare`, e.g. tokenization in
 * a worker thread) before running batch i, so the two overlap.
 */
export async function pipelineBatches<P, R>(
  groups: readonly number[][],
  prepare: (indices: number[]) => P | Promise<P>,
  run: (prepared: P, indices: number[]) => Promise<R>,
  onBatchDone?: (done: number, total: number) => void,
): Promise<R[]> {
  const results: R[] = [];
  const start = async (i: number): Promise<P> => prepare(groups[i]!);
  let next = groups.length ? start(0) : undefined;
  for (let i = 0; i < groups.length; i++) {
    const prepared = await next!;
    if (i + 1 < groups.length) {
      next = start(i + 1);
      next.catch(() => undefined); // awaited on the next turn; avoids an unhandled rejection if run throws first
    }
    results.push(await run(prepared, groups[i]!));
    onBatchDone?.(i + 1, groups.length);
  }
  return results;
}
