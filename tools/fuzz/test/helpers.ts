import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RetrievalsError } from '@retrievals/core-tensor';
import { ensureFixtures, fixturePath, type FixtureName } from '@retrievals/fixtures';
import fc from 'fast-check';
import { expect } from 'vitest';

ensureFixtures();

const root = mkdtempSync(join(tmpdir(), 'retrievals-fuzz-'));
let count = 0;

/**
 * Runs one fuzz case on a fresh copy of a fixture's files, removed when the case ends: thousands
 * of copies left for the end took longer to delete than vitest gives an afterAll hook on CI.
 */
export async function inFixtureCopy<T>(name: FixtureName, run: (dir: string) => Promise<T>): Promise<T> {
  const dir = join(root, `case-${count++}`);
  mkdirSync(dir);
  try {
    for (const f of readdirSync(fixturePath(name))) copyFileSync(join(fixturePath(name), f), join(dir, f));
    return await run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function scratch(): string {
  const dir = join(root, `scratch-${count++}`);
  mkdirSync(dir);
  return dir;
}

export const cleanup = () => rmSync(root, { recursive: true, force: true });

/**
 * What every case must end in: success, or a RetrievalsError (the project's reported problems).
 * Anything else (a TypeError from deep inside, a RangeError of an allocation) fails the property
 * with the input that caused it; fast-check then shrinks it to the smallest such input.
 */
export async function reportedOrFine(run: () => unknown): Promise<'ok' | 'refused'> {
  try {
    await run();
    return 'ok';
  } catch (e) {
    if (e instanceof RetrievalsError) return 'refused';
    throw e;
  }
}

/** Runs an async property within a time budget (the suite's CI bound), printing the case counts. */
export async function fuzz<T>(label: string, arb: fc.Arbitrary<T>, check: (value: T) => Promise<'ok' | 'refused'>, budgetMs: number, numRuns = 10_000): Promise<void> {
  const tally = { ok: 0, refused: 0 };
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  await fc.assert(
    fc.asyncProperty(arb, async (v) => {
      // The case being run, for the one that crashes the process (an OOM kills it before fast-check can report).
      if (process.env.FUZZ_TRACE) writeFileSync(process.env.FUZZ_TRACE, JSON.stringify(v, (_k, x) => (x instanceof Uint8Array ? `<${x.length} bytes>` : x)));
      tally[await check(v)]++;
    }),
    { numRuns, interruptAfterTimeLimit: budgetMs, markInterruptAsFailure: false, seed: 20261202 },
  );
  const grew = (process.memoryUsage().rss - rss0) / 2 ** 20;
  console.log(`fuzz ${label}: ${tally.ok + tally.refused} cases (${tally.ok} accepted, ${tally.refused} refused with a RetrievalsError) in ${((performance.now() - t0) / 1000).toFixed(1)} s, RSS +${grew.toFixed(0)} MB`);
  expect(tally.ok + tally.refused).toBeGreaterThan(10);
  expect(grew, 'memory stays bounded').toBeLessThan(1500);
}

/** JSON values of every kind, including the ones that break naive readers. */
export const jsonValue = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constantFrom(0, -1, 1, 1.5, -0.5, 1e300, -1e300, 2 ** 31, 2 ** 53, 1e-300, null, true, false, '', 'toString', '__proto__', 'constructor', 'gelu', 'x'),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ maxLength: 12 }),
    fc.array(fc.integer({ min: -3, max: 40 }), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), fc.integer(), { maxKeys: 3 }),
  );
