import { DataError } from './errors.js';
import { readLines } from './text-file.js';

export { DataError };

export interface JsonlRecord {
  record: Record<string, unknown>;
  /** 1-based line number in the file, for error messages. */
  line: number;
}

/** One JSON object from the text of `file:line` (a JSONL line, a JSON array's element); anything else is a DataError naming both. */
export function parseJsonRecord(text: string, file: string, line: number, unit = 'per line'): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new DataError(`${file}:${line}: not valid JSON: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DataError(`${file}:${line}: expected a JSON object ${unit}, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`);
  }
  return value as Record<string, unknown>;
}

/**
 * Streams a .jsonl file one record at a time (a corpus may not fit in memory), decoded by the one
 * text rule (text-file.ts). Blank lines are skipped; a line that is not a JSON object fails with the
 * file and line.
 */
export async function* readJsonl(file: string): AsyncGenerator<JsonlRecord> {
  for await (const { text, line } of readLines(file)) {
    const trimmed = text.trim();
    if (trimmed) yield { record: parseJsonRecord(trimmed, file, line), line };
  }
}
