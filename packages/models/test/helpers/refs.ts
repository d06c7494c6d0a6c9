import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RefBatch {
  padding_side: 'left' | 'right';
  input_ids: number[][];
  attention_mask: number[][];
  last_hidden_state: number[];
  shape: [number, number, number];
  pooled: Record<string, number[]>;
}

export interface ModelRef {
  fixture: string;
  family: 'bert' | 'xlmr' | 'distilbert' | 'llama';
  texts: string[];
  batches: RefBatch[];
}

/** A reference written by tools/torch-refs/make_model_refs.py. */
export function loadRef(name: string): ModelRef {
  return JSON.parse(readFileSync(join(import.meta.dirname, '..', 'refs', `${name}.json`), 'utf8')) as ModelRef;
}

/** The unpadded ids of each row. */
export function unpadded(ids: ArrayLike<number | bigint>, mask: ArrayLike<number | bigint>, rows: number, t: number): number[][] {
  return Array.from({ length: rows }, (_, r) => {
    const out: number[] = [];
    for (let i = 0; i < t; i++) if (Number(mask[r * t + i]) === 1) out.push(Number(ids[r * t + i]));
    return out;
  });
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return Number.isNaN(m) ? Infinity : m;
}
