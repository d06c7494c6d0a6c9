import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '@retrievals/fixtures';
import { TextTokenizer } from '@retrievals/models';
import { derivedGenerator, loadDataset, RetrievalCollator, type GroupExample, type ScoredPairExample, type TeacherScoredExample } from '../src/index.js';

// ../shared beside the repository (see ../shared/DATA.md); never committed, so skipped, and said so, where it is absent.
const SHARED = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/data');
const STSB = join(SHARED, 'stsb'), FLAG = join(SHARED, 'flagembedding-examples');
const missing = (p: string) => (existsSync(p) ? undefined : `skipped: ${p} is missing (the ../shared data folder; see ../shared/DATA.md)`);
for (const p of [STSB, FLAG]) if (missing(p)) console.warn(missing(p));

describe.skipIf(!!missing(STSB))('STS-B (../shared/data/stsb)', () => {
  it('reads the three splits as scored pairs: 5,749 / 1,500 / 1,379 rows, scores 0–5', async () => {
    const counts: number[] = [];
    for (const split of ['train', 'dev', 'test']) {
      const d = await loadDataset<ScoredPairExample>(join(STSB, `stsb-en-${split}.csv`), { columns: ['sentence1', 'sentence2', 'score'] });
      expect(d.format.name).toBe('scored-pair');
      expect(d.skipped).toBe(0);
      expect(d.examples.every((e) => e.score >= 0 && e.score <= 5 && e.text1.trim() !== '' && e.text2.trim() !== '')).toBe(true);
      counts.push(d.examples.length);
    }
    expect(counts).toEqual([5749, 1500, 1379]);
    const train = await loadDataset<ScoredPairExample>(join(STSB, 'stsb-en-train.csv'), { columns: ['sentence1', 'sentence2', 'score'] });
    expect(train.examples[0]).toEqual({ text1: 'A plane is taking off.', text2: 'An air plane is taking off.', score: 5 });
    // a quoted field holding the delimiter (line 18 of the file)
    expect(train.examples.some((e) => e.text2 === 'A man and and woman are running together, holding hands.')).toBe(true);
  });
});

describe.skipIf(!!missing(FLAG))('FlagEmbedding rows (../shared/data/flagembedding-examples)', () => {
  it('infers teacher-scored for rows with pos_scores/neg_scores and triplet for the rest, and they collate', async () => {
    const nli = await loadDataset<TeacherScoredExample>(join(FLAG, 'retrieval-nli.jsonl'));
    expect([nli.format.name, nli.examples.length]).toEqual(['teacher-scored', 10]);
    expect(nli.examples[0]!.teacherScores).toEqual([98.1875, 82.25]);
    const sts = await loadDataset(join(FLAG, 'sts-sts.jsonl'));
    expect([sts.format.name, sts.examples.length]).toEqual(['triplet', 10]);
    expect((sts.examples as unknown as GroupExample[]).every((e) => e.positive.length >= 1 && e.negative.length >= 1)).toBe(true);
    // what the trainer does with { examples, format }: the format has the collator's fields, and a batch collates
    const collator = new RetrievalCollator(TextTokenizer.fromFolder(fixturePath('bert-tiny')), { maxLengths: 16, trainGroupSize: 3 });
    expect(collator.exampleFields.every((f) => (sts.format.fields as readonly string[]).includes(f))).toBe(true);
    const batch = collator.collate(sts.examples.slice(0, 4), { generator: derivedGenerator(1, 0) });
    expect(batch.texts.query!.tokens.inputIds.shape).toEqual([4, 16]);
    expect(batch.texts.negative!.texts.length).toBe(8);
  });

  it("reading the whole folder with one format skips what does not fit and says how many", async () => {
    const all = await loadDataset(FLAG, { onBadRow: 'skip' });
    expect(all.files.length).toBe(5);
    expect(all.format.name).toBe('teacher-scored');
    expect([all.examples.length, all.skipped]).toEqual([40, 10]);
    expect(all.badRows.every((b) => b.file.endsWith('sts-sts.jsonl') && b.message.includes("field 'pos_scores' is missing"))).toBe(true);
  });
});
