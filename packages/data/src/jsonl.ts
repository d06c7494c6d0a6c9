import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { RetrievalsError } from '@retrievals/core-tensor';

export class DataError extends RetrievalsError {}

export interface JsonlRecord {
  record: Record<string, unknown>;
  /** 1-based line number in the file, for error messages. */
  line: number;
}

/**
 * Streams a .jsonl file one record at a time (a corpus may not fit in memory). Blank lines are
 * skipped; a line that is not a JSON object fails with the file and line.
 */
export async function* readJsonl(file: string): AsyncGenerator<JsonlRecord> {
  const stream = createReadStream(file, { encoding: 'utf8' });
  const failOpen = new Promise<never>((_, reject) =>
    stream.once('error', (e) => reject(new DataError(`${file}: cannot read: ${e.message}`, { cause: e }))),
  );
  failOpen.catch(() => undefined);
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  const it = lines[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await Promise.race([it.next(), failOpen]);
      if (next.done) return;
      line++;
      const text = next.value.trim();
      if (!text) continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        throw new DataError(`${file}:${line}: not valid JSON: ${(e as Error).message}`);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new DataError(`${file}:${line}: expected a JSON object per line, got ${Array.isArray(value) ? 'an array' : typeof value}`);
      }
      yield { record: value as Record<string, unknown>, line };
    }
  } finally {
    lines.close();
    stream.destroy();
  }
}
