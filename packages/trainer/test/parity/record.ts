import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { saveTensors, type Tensor } from '@retrievals/core-tensor';
import type { CollateContext, CollatedBatch, Collator, TextRole } from '@retrievals/data';

/**
 * Passes every call to the trainer's collator and keeps the batches it produced, so the exact
 * token ids the trainer trained on (sampled groups, shuffling, truncation, bucket padding) can be
 * handed to the PyTorch reference and digested. `options` is forwarded because the trainer checks
 * the collator's instructions against the model's.
 */
export class RecordingCollator<E> implements Collator<E> {
  readonly batches: CollatedBatch[] = [];

  constructor(readonly inner: Collator<E>) {}

  get fields() {
    return this.inner.fields;
  }
  get exampleFields() {
    return this.inner.exampleFields;
  }
  get stats() {
    return this.inner.stats;
  }
  get options(): unknown {
    return (this.inner as { options?: unknown }).options;
  }
  collate(examples: readonly E[], context?: CollateContext): CollatedBatch {
    const b = this.inner.collate(examples, context);
    this.batches.push(b);
    return b;
  }
  tokenize(role: TextRole, texts: readonly string[]) {
    return this.inner.tokenize(role, texts);
  }
  textsOf(example: E): string[] {
    return this.inner.textsOf(example);
  }
}

const rows = (t: Tensor): number[][] => {
  const [b, n] = t.shape as [number, number];
  const flat = Array.from(t.dataSync() as ArrayLike<number | bigint>, Number);
  return Array.from({ length: b }, (_, i) => flat.slice(i * n, (i + 1) * n));
};

/** The batches as the reference reads them: per text role its ids / mask / token types, and float labels. */
export function batchesJson(batches: readonly CollatedBatch[]): string {
  return JSON.stringify(
    batches.map((b) => ({
      texts: Object.fromEntries(
        Object.entries(b.texts).map(([role, f]) => [role, { input_ids: rows(f.tokens.inputIds), attention_mask: rows(f.tokens.attentionMask), token_type_ids: rows(f.tokens.tokenTypeIds) }]),
      ),
      ...(b.targets.labels ? { labels: Array.from(b.targets.labels.dataSync() as Float32Array) } : {}),
    })),
  );
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Writes what make_trainer_refs.py needs to replay a run: meta.json (model folder, architecture,
 * pooling, loss, hyperparameters, LoRA scaling), init.safetensors (every trained tensor's initial
 * value under the trainer's names: the whole backbone, or LoRA's A and B as the trainer's seeded
 * generator drew them) and batches.json (the collated batches, in step order).
 */
export function writeDump(dir: string, meta: object, init: ReadonlyMap<string, Tensor>, batches: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  saveTensors(join(dir, 'init.safetensors'), Object.fromEntries(init));
  writeFileSync(join(dir, 'batches.json'), batches);
}
