import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formats, type Example } from '@retrievals/data';
import { fixturePath, type FixtureName } from '@retrievals/fixtures';
import { AutoModelForEmbedding, type FromPretrainedOptions } from '@retrievals/models';

export const tmp = (name: string) => mkdtempSync(join(tmpdir(), `retrievals-trainer-${name}-`));

export const load = (name: FixtureName = 'bert-tiny', o: FromPretrainedOptions = {}) => AutoModelForEmbedding.fromPretrained(fixturePath(name), { poolingMethod: 'mean', ...o });

const ANIMALS = ['fox', 'dog', 'cat', 'horse', 'sheep', 'goat', 'duck', 'owl', 'bear', 'wolf', 'deer', 'mouse'];
const PLACES = ['forest', 'house', 'farm', 'river', 'hill', 'field', 'barn', 'lake', 'cave', 'meadow', 'road', 'garden'];

/** Tiny but learnable retrieval data: query "where does the X live" ↔ "the X lives in the Y". */
export function triplets(n = 12): Example[] {
  return Array.from({ length: n }, (_, i) => {
    const a = ANIMALS[i % ANIMALS.length]!, p = PLACES[i % PLACES.length]!;
    const negs = [1, 2, 3].map((k) => `the ${ANIMALS[(i + k) % ANIMALS.length]} lives in the ${PLACES[(i + k + 5) % PLACES.length]}`);
    return formats.create('triplet').parse({ query: `where does the ${a} live`, positive: [`the ${a} lives in the ${p}`], negative: negs }, { file: 'mem', line: i + 1 });
  });
}

/** The losses a run logged, by step (the last record of a step wins, so a resumed run's re-logged steps replace the killed run's). */
export function loggedLosses(dir: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of readFileSync(join(dir, 'trainer_log.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line) as { event: string; step: number; loss?: number };
    if (r.event === 'step') out.set(r.step, r.loss!);
  }
  return out;
}

/**
 * Pins a model in eval behaviour (no dropout) even when the trainer calls train(): for tests that
 * compare two ways of taking the same step, which dropout masks drawn differently would blur.
 */
export function noDropout(m: AutoModelForEmbedding): void {
  for (const mod of m.backbone!.namedModules().values()) Object.defineProperty(mod, 'training', { get: () => false, set: () => undefined, configurable: true });
}
