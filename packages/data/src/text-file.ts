import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { DataError } from './errors.js';

/**
 * The one rule by which every reader turns a file's bytes into text: UTF-8, a byte-order mark
 * stripped; UTF-16 read as UTF-16 when its BOM says so; anything else that is not valid UTF-8 (or is
 * UTF-16 without a BOM) an error naming the file and the line, never U+FFFD or garbage; lines end at
 * \r\n, \n or a lone \r.
 */

export interface TextLine {
  text: string;
  /** 1-based. */
  line: number;
}

type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be';

function encodingOf(head: Uint8Array): { encoding: Encoding; bom: number } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bom: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bom: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bom: 2 };
  return { encoding: 'utf-8', bom: 0 };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeLine(file: string, bytes: Uint8Array, line: number): string {
  if (bytes.includes(0)) {
    throw new DataError(`${file}:${line}: holds NUL bytes, as UTF-16 text without a byte-order mark does; save it as UTF-8`);
  }
  try {
    return utf8.decode(bytes);
  } catch {
    throw new DataError(`${file}:${line}: not valid UTF-8 (byte ${firstInvalid(bytes)} of the line); save the file as UTF-8`);
  }
}

/** 1-based position of the first byte that no valid UTF-8 sequence can hold (an incomplete one at the end counts as the end). */
function firstInvalid(bytes: Uint8Array): number {
  const d = new TextDecoder('utf-8', { fatal: true });
  for (let i = 0; i < bytes.length; i++) {
    try {
      d.decode(bytes.subarray(i, i + 1), { stream: true });
    } catch {
      return i + 1;
    }
  }
  return bytes.length;
}

function* splitString(text: string, firstLine: number): Generator<TextLine> {
  let line = firstLine, start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 10 && c !== 13) continue;
    yield { text: text.slice(start, i), line: line++ };
    if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
    start = i + 1;
  }
  if (start < text.length) yield { text: text.slice(start), line };
}

/** Streams a text file line by line (a corpus need not fit in memory), decoded by the one rule above. */
export async function* readLines(file: string): AsyncGenerator<TextLine> {
  await checkReadable(file);
  const stream = createReadStream(file);
  let encoding: Encoding | undefined;
  let decoder16: { decode(input: Uint8Array, options?: { stream?: boolean }): string } | undefined;
  let carry = '';
  let pending: Uint8Array = new Uint8Array(0);
  let skipLf = false;
  let line = 1;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let bytes: Uint8Array = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      if (encoding === undefined) {
        if (bytes.length < 3 && chunk.length) {
          pending = bytes;
          continue;
        }
        const found = encodingOf(bytes);
        encoding = found.encoding;
        bytes = bytes.subarray(found.bom);
        if (encoding !== 'utf-8') decoder16 = new TextDecoder(encoding, { fatal: true });
      }
      pending = new Uint8Array(0);
      if (decoder16) {
        let text: string;
        try {
          text = carry + decoder16.decode(bytes, { stream: true });
        } catch {
          throw new DataError(`${file}: not valid ${encoding} text after line ${line}`);
        }
        const last = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
        // A \r at the very end may be the first half of \r\n: keep it for the next chunk.
        const cut = last === text.length - 1 && text.endsWith('\r') ? last : last + 1;
        for (const l of splitString(text.slice(0, cut), line)) (yield l, (line = l.line + 1));
        carry = text.slice(cut);
        continue;
      }
      let start = 0;
      for (let i = 0; i < bytes.length; i++) {
        const b = bytes[i]!;
        if (skipLf) {
          skipLf = false;
          if (b === 10) {
            start = i + 1;
            continue;
          }
        }
        if (b !== 10 && b !== 13) continue;
        yield { text: decodeLine(file, bytes.subarray(start, i), line), line };
        line++;
        if (b === 13) {
          if (i + 1 < bytes.length) {
            if (bytes[i + 1] === 10) i++;
          } else skipLf = true;
        }
        start = i + 1;
      }
      pending = bytes.slice(start);
    }
    if (encoding === undefined && pending.length) {
      const found = encodingOf(pending);
      if (found.encoding !== 'utf-8') decoder16 = new TextDecoder(found.encoding, { fatal: true });
      pending = pending.subarray(found.bom);
    }
    if (decoder16) {
      const text = carry + decoder16.decode(pending);
      yield* splitString(text, line);
    } else if (pending.length) {
      yield { text: decodeLine(file, pending, line), line };
    }
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(`${file}: cannot read: ${(e as Error).message}`, { cause: e });
  } finally {
    stream.destroy();
  }
}

/** A whole text file (JSON arrays, small files): readLines' lines joined by \n, so the same rule and line numbers. */
export async function readTextFile(file: string): Promise<string> {
  const lines: string[] = [];
  for await (const { text } of readLines(file)) lines.push(text);
  return lines.join('\n');
}

async function checkReadable(file: string): Promise<void> {
  let info;
  try {
    info = await stat(file);
  } catch (e) {
    throw new DataError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { cause: e });
  }
  if (!info.isFile()) throw new DataError(`${file}: cannot read: it is a folder or a special file, not a file`);
}
