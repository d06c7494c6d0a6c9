import { DataError } from './errors.js';
import { readLines } from './text-file.js';

export { DataError };

export interface JsonlRecord {
  record: Record<string, unknown>;
  /** 1-based line number in the file, for error messages. */
  line: number;
}

/**
 * Streams a .jsonl file one record at a time (a corpus may not fit in memory), decoded by the one
 * text rule (text-file.ts). Blank lines are skipped; a line that is not a JSON object fails with the
 * file and line.
 */
export async function* readJsonl(file: string): AsyncGenerator<JsonlRecord> {
  for await (const { text, line } of readLines(file)) {
    const trimmed = text.trim();
    if (!trimmed) continue;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (e) {
      throw new DataError(`${file}:${line}: not valid JSON: ${(e as Error).message}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new DataError(`${file}:${line}: expected a JSON object per line, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`);
    }
    yield { record: value as Record<string, unknown>, line };
  }
}
