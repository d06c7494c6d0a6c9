import type { Generator } from '@retrievals/core-tensor';
import { DataError } from '../errors.js';

export interface BatchSamplerOptions {
  batchSize: number;
  /** Shuffle the rows (default true); the order is drawn from `generator`. */
  shuffle?: boolean;
  generator?: Generator;
  /** Drop a last batch smaller than batchSize (transformers' dataloader_drop_last). */
  dropLast?: boolean;
  /**
   * Keep rows that share a text out of one batch (sentence-transformers' NO_DUPLICATES): with
   * in-batch negatives, a duplicate would be scored as its own negative. Gives each row's texts.
   */
  textsOf?: (row: number) => readonly string[];
  /**
   * Group rows of similar length (transformers' group_by_length): the shuffled rows are cut into
   * mega-batches of 50 batches, each sorted by this length, so a batch pads little.
   */
  lengthOf?: (row: number) => number;
}

const MEGA_BATCH = 50;

/** One epoch's batches of row indices. */
export function batchIndices(rows: number, o: BatchSamplerOptions): number[][] {
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) throw new DataError(`batch sampler: batchSize must be an integer ≥ 1, got ${o.batchSize}`);
  const shuffle = o.shuffle ?? true;
  if (shuffle && !o.generator) throw new DataError('batch sampler: shuffle needs a generator (the run\'s seeded one)');
  let order = Array.from({ length: rows }, (_, i) => i);
  if (shuffle) o.generator!.shuffle(order);
  if (o.lengthOf) {
    const lengths = order.map((i) => o.lengthOf!(i));
    const at = new Map(order.map((r, k) => [r, lengths[k]!]));
    const mega = o.batchSize * MEGA_BATCH;
    const sorted: number[] = [];
    for (let s = 0; s < order.length; s += mega) sorted.push(...order.slice(s, s + mega).sort((a, b) => at.get(b)! - at.get(a)! || a - b));
    order = sorted;
  }
  let batches = o.textsOf ? noDuplicateBatches(order, o.batchSize, o.textsOf) : chunk(order, o.batchSize);
  if (o.lengthOf && shuffle) {
    // sorted mega-batches put the longest batches first; shuffle batch order so an epoch does not start with its slowest steps
    batches = o.generator!.shuffle(batches);
  }
  return o.dropLast ? batches.filter((b) => b.length === o.batchSize) : batches;
}

function chunk(order: number[], size: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < order.length; i += size) out.push(order.slice(i, i + size));
  return out;
}

/**
 * Fills each batch in order with the next rows that share no text with it; a row that clashes
 * waits for a later batch. Rows that clash with every open batch end in a smaller final batch.
 */
function noDuplicateBatches(order: number[], size: number, textsOf: (row: number) => readonly string[]): number[][] {
  const out: number[][] = [];
  let pending = order;
  while (pending.length) {
    const batch: number[] = [], seen = new Set<string>(), later: number[] = [];
    for (const r of pending) {
      const texts = textsOf(r);
      if (batch.length < size && !texts.some((t) => seen.has(t))) {
        batch.push(r);
        for (const t of texts) seen.add(t);
      } else later.push(r);
    }
    out.push(batch);
    pending = later;
  }
  return out;
}
