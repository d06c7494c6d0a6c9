import { extname } from 'node:path';
import type { CorpusDocument } from '@retrievals/models';
import { DataError, readJsonl } from './jsonl.js';
import { readLines, readTextFile } from './text-file.js';

export interface ReadTextsOptions {
  /** The .jsonl field holding the text (default `text`; a `title` next to it is kept as BEIR does). */
  field?: string;
}

/**
 * Texts to encode from a file: `.txt` (one text per non-blank line), `.jsonl` (one object per line,
 * the text in `field`), or `.json` (an array of strings or `{ title?, text }`). Errors name the file,
 * the line and the field.
 */
export async function readTexts(file: string, options: ReadTextsOptions = {}): Promise<CorpusDocument[]> {
  const field = options.field ?? 'text';
  switch (extname(file).toLowerCase()) {
    case '.txt': {
      const out: string[] = [];
      for await (const { text } of readLines(file)) if (text.trim() !== '') out.push(text);
      return out;
    }
    case '.jsonl': {
      const out: CorpusDocument[] = [];
      for await (const { record, line } of readJsonl(file)) out.push(toDocument(record, field, `${file}:${line}`));
      return out;
    }
    case '.json': {
      let value: unknown;
      try {
        value = JSON.parse(await readTextFile(file));
      } catch (e) {
        if (e instanceof DataError) throw e;
        throw new DataError(`${file}: not valid JSON: ${(e as Error).message}`);
      }
      if (!Array.isArray(value)) throw new DataError(`${file}: expected a JSON array of texts`);
      return value.map((v, i) => (typeof v === 'string' ? v : toDocument(v, field, `${file}: item ${i}`)));
    }
    default:
      throw new DataError(`${file}: unsupported text file type '${extname(file)}' (use .txt, .jsonl or .json)`);
  }
}

function toDocument(value: unknown, field: string, where: string): CorpusDocument {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DataError(`${where}: expected an object with a '${field}' field`);
  const record = value as Record<string, unknown>;
  const text = record[field];
  if (typeof text !== 'string') {
    throw new DataError(`${where}: field '${field}' is ${text === undefined ? 'missing' : `a ${text === null ? 'null' : typeof text}, not a string`}`);
  }
  const title = record.title;
  if (title === undefined || title === null) return text;
  if (typeof title !== 'string') throw new DataError(`${where}: field 'title' is ${Array.isArray(title) ? 'an array' : `a ${typeof title}`}, not a string`);
  return { title, text };
}
