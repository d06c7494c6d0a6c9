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

/** The records of one event of a run's trainer_log.jsonl, in the order they were written. */
export function logRecords<R = Record<string, unknown>>(dir: string, event: string): R[] {
  return readFileSync(join(dir, 'trainer_log.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event: string }).filter((r) => r.event === event) as R[];
}

/** The losses a run logged, by step (the last record of a step wins, so a resumed run's re-logged steps replace the killed run's). */
export function loggedLosses(dir: string): Map<number, number> {
  return new Map(logRecords<{ step: number; loss: number }>(dir, 'step').map((r) => [r.step, r.loss]));
}

/**
 * Pins a model in eval behaviour (no dropout) even when the trainer calls train(): for tests that
 * compare two ways of taking the same step, which dropout masks drawn differently would blur.
 */
export function noDropout(m: AutoModelForEmbedding): void {
  for (const mod of m.backbone!.namedModules().values()) Object.defineProperty(mod, 'training', { get: () => false, set: () => undefined, configurable: true });
}
