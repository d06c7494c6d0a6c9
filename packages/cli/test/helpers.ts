import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { vi } from 'vitest';
import { main } from '../src/index.js';

/** Runs `retrievals ...argv` in-process: exit code, printed lines and stderr. */
export async function run(...argv: string[]): Promise<{ code: number; text: string; error: string }> {
  const lines: string[] = [], errors: string[] = [];
  const spy = vi.spyOn(console, 'error').mockImplementation((m: unknown) => void errors.push(String(m)));
  try {
    const code = await main(argv, (l) => lines.push(l));
    return { code, text: lines.join('\n'), error: errors.join('\n') };
  } finally {
    spy.mockRestore();
  }
}

export const scratch = (name: string): string => mkdtempSync(join(tmpdir(), `cli-${name}-`));

/** ../shared beside the clone (CI always has it). */
export const SHARED = resolve(import.meta.dirname, '../../../../shared');

/** The mean losses a run logged (trainer_log.jsonl's `step` records), in step order. */
export const stepLosses = (outputDir: string): number[] =>
  readFileSync(join(outputDir, 'trainer_log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; loss?: number }).filter((r) => r.event === 'step').map((r) => r.loss!);
