// Blocks of pages that docs-check does not own and that cannot run as written (fragments with
// placeholders, files that are not there). Each is skipped with its reason, and
// docs.test.ts fails for an entry that no longer matches any block, so the list cannot rot either.
// The better fix is in the page itself: mark the block ```ts no-run (type-checked, not run) or
// ```ts no-check (a fragment: neither), then delete its entry here.

export interface Unrunnable {
  file: string;
  /** A piece of the block's code that identifies it (line numbers move; code moves less). */
  contains: string;
  reason: string;
}

export const UNRUNNABLE: readonly Unrunnable[] = [
  { file: 'docs/errors.md', contains: 'fromPretrained(dir)', reason: 'a fragment: `dir` and the imports are left out' },
  { file: 'packages/data/README.md', contains: "readJsonl('train.jsonl')) console.log", reason: 'reads train.jsonl, which is not there' },
  { file: 'packages/data/README.md', contains: "negativeKey: 'hard_negatives'", reason: 'reads train.jsonl, which is not there' },
  { file: 'packages/data/README.md', contains: "loadDataset('stsb-en-train.csv'", reason: 'a fragment (`...`) reading files that are not there' },
  { file: 'packages/data/README.md', contains: "loadBeir('wordnet/dev')", reason: 'reads wordnet/dev, which is not there' },
  { file: 'packages/losses/README.md', contains: "losses.get('cached')({ loss: 'infonce', chunkSize: 16 }) as CachedLoss", reason: 'a fragment: model, batches and opt are left out' },
  { file: 'packages/models/README.md', contains: 'applyLora(model, { r: 16', reason: 'a fragment: model and AdamW are left out' },
  { file: 'packages/trainer/README.md', contains: 'fromPretrained(dir, { poolingMethod', reason: 'a fragment: dir, examples, queries, corpus and qrels are left out' },
];
