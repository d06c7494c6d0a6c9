import type { Collator, ExampleFormat } from '@retrievals/data';
import { batchIndices, derivedGenerator } from '@retrievals/data';
import type { Loss } from '@retrievals/losses';
import { TrainerError } from './errors.js';
import { RNG } from './step.js';

/** A dataset as the trainer takes it: examples in memory, with the format that parsed them when known (checked against the collator). */
export type TrainDataset<E> = readonly E[] | { readonly examples: readonly E[]; readonly format?: ExampleFormat };

export function examplesOf<E>(d: TrainDataset<E>, what: string): { examples: readonly E[]; format?: ExampleFormat } {
  const out = Array.isArray(d) ? { examples: d as readonly E[] } : (d as { examples: readonly E[]; format?: ExampleFormat });
  if (!out || !Array.isArray(out.examples)) throw new TrainerError(`${what}: expected an array of examples or { examples, format }, got ${typeof d}`);
  if (!out.examples.length) throw new TrainerError(`${what}: no examples`);
  return out;
}

/**
 * Config-time check that data feeds the loss: the collator must produce every field the loss
 * requires and nothing it ignores (a collator that produces labels for a loss that reads none is
 * a bug), and the dataset's examples must have the fields the collator reads.
 */
export function checkFields(collator: Collator, loss: Loss, data: { examples: readonly unknown[]; format?: ExampleFormat }, what: string): void {
  const gives = new Set<string>(collator.fields);
  const { required, optional } = loss.fields;
  const missing = required.filter((f) => !gives.has(f));
  const list = (xs: readonly string[]) => xs.map((x) => `'${x}'`).join(', ');
  if (missing.length) {
    throw new TrainerError(`loss ${loss.name} needs ${list(missing)}, which the collator does not produce (it gives ${list([...gives])}); pick the collator and keys of its data format, or trainGroupSize > 1 for negatives`);
  }
  const unread = [...gives].filter((f) => !required.includes(f as never) && !optional.includes(f as never));
  if (unread.length) throw new TrainerError(`the collator produces ${list(unread)}, which loss ${loss.name} does not read (it reads ${list([...required, ...optional])}); drop them from the collator or use a loss that reads them`);
  if (data.format) {
    const lacking = collator.exampleFields.filter((f) => !(data.format!.fields as readonly string[]).includes(f));
    if (lacking.length) throw new TrainerError(`${what}: the collator reads ${list(lacking)}, which format '${data.format.name}' does not have (its fields: ${list(data.format.fields)})`);
  }
  const first = data.examples[0] as Record<string, unknown>;
  const absent = collator.exampleFields.filter((f) => first?.[f] === undefined);
  if (absent.length) throw new TrainerError(`${what}: example 0 has no ${list(absent)} (the collator's keys); it has ${list(Object.keys(first ?? {}))}`);
}

export interface EpochPlanOptions {
  seed: number;
  batchSize: number;
  dropLast: boolean;
  noDuplicates: boolean;
  groupByLength: boolean;
  accumulation: number;
}

/** Which rows each batch of an epoch holds: a pure function of (seed, epoch), so a resumed run rebuilds the same epoch. */
export class EpochPlan<E> {
  private cache: { epoch: number; batches: number[][] } | undefined;

  constructor(
    private readonly examples: readonly E[],
    private readonly collator: Collator<E>,
    private readonly o: EpochPlanOptions,
  ) {}

  batches(epoch: number): number[][] {
    if (this.cache?.epoch === epoch) return this.cache.batches;
    const texts = (r: number) => this.collator.textsOf(this.examples[r]!);
    const batches = batchIndices(this.examples.length, {
      batchSize: this.o.batchSize,
      generator: derivedGenerator(this.o.seed, RNG.shuffle, epoch),
      dropLast: this.o.dropLast,
      textsOf: this.o.noDuplicates ? texts : undefined,
      lengthOf: this.o.groupByLength ? (r) => texts(r).reduce((n, t) => n + t.length, 0) : undefined,
    });
    if (!batches.length) throw new TrainerError(`training data: ${this.examples.length} examples make no batch of ${this.o.batchSize} (dataloaderDropLast is on)`);
    this.cache = { epoch, batches };
    return batches;
  }

  /** Optimizer steps in an epoch: each takes up to `accumulation` batches; the last one of an epoch may take fewer. */
  stepsIn(epoch: number): number {
    return Math.ceil(this.batches(epoch).length / this.o.accumulation);
  }
}
