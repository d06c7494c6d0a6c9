import { DataError } from './errors.js';
import { parseJsonRecord } from './jsonl.js';
import type { RecordItem } from './records.js';
import { readTextFile } from './text-file.js';

/**
 * The objects of a `.json` file holding one array, each with the line its element starts on. The
 * file is read whole (JSON has no record boundaries to stream by; use JSONL for large data), then
 * cut into top-level elements by a scan that follows strings and nesting, so each element is
 * parsed on its own: a bad element is one bad row naming its line, not a failure of the file.
 */
export async function* readJsonArray(file: string): AsyncGenerator<RecordItem> {
  const text = await readTextFile(file);
  let i = skipSpace(text, 0);
  let line = 1 + countLines(text, 0, i);
  if (text[i] !== '[') throw new DataError(`${file}:${line}: expected a JSON array of objects, got ${i < text.length ? `'${text[i]}'` : 'an empty file'}`);
  let pos = i + 1;
  for (;;) {
    const start = skipSpace(text, pos);
    line += countLines(text, pos, start);
    if (text[start] === ']' && pos === i + 1) return checkEnd(text, start + 1, file, line);
    const end = elementEnd(text, start);
    if (end >= text.length) throw new DataError(`${file}:${line}: the JSON array opened on line ${1 + countLines(text, 0, i)} is never closed`);
    const elementLine = line;
    const raw = text.slice(start, end).trimEnd();
    line += countLines(text, start, end);
    try {
      if (!raw) throw new DataError(`${file}:${elementLine}: an empty array element (two commas, or a comma before ']')`);
      yield { file, line: elementLine, record: parseJsonRecord(raw, file, elementLine, 'per array element') };
    } catch (e) {
      if (!(e instanceof DataError)) throw e;
      yield { file, line: elementLine, error: e };
    }
    pos = end + 1;
    if (text[end] === ']') return checkEnd(text, pos, file, line);
  }
}

/** Index of the ',' or ']' that ends the element starting at `i` (text.length if none). */
function elementEnd(text: string, i: number): number {
  let depth = 0;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || (c === ']' && depth > 0)) depth--;
    else if (depth === 0 && (c === ',' || c === ']')) return i;
  }
  return text.length;
}

function checkEnd(text: string, pos: number, file: string, line: number): void {
  const rest = skipSpace(text, pos);
  if (rest < text.length) throw new DataError(`${file}:${line + countLines(text, pos, rest)}: text after the end of the JSON array`);
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i]!)) i++;
  return i;
}

function countLines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}
