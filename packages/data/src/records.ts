import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parseDelimited } from './csv.js';
import { DataError } from './errors.js';
import { readJsonArray } from './json-array.js';
import { parseJsonRecord } from './jsonl.js';
import { readLines } from './text-file.js';

/** One record of a data file with where it starts, or the error that makes that row bad (the reader goes on after it). */
export type RecordItem =
  | { file: string; line: number; record: Record<string, unknown>; error?: undefined }
  | { file: string; line: number; error: DataError; record?: undefined };

export type FileType = 'jsonl' | 'json' | 'csv' | 'tsv';

const BY_EXTENSION: Record<string, FileType> = { '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.json': 'json', '.csv': 'csv', '.tsv': 'tsv' };

export interface ReadRecordsOptions {
  /** The file's type; default from its extension (.jsonl/.ndjson, .json, .csv, .tsv). */
  fileType?: FileType;
  /** CSV/TSV column names. Given, every row is data (unless `header` is true); not given, the first row names the columns. */
  columns?: readonly string[];
  /** CSV/TSV: whether the first row is a header (default: true unless `columns` is given; with both, the header row is skipped and `columns` used). */
  header?: boolean;
}

export function fileTypeOf(file: string, given?: FileType): FileType {
  if (given) {
    if (!Object.values(BY_EXTENSION).includes(given)) throw new DataError(`${file}: unknown file type '${given}'; known: jsonl, json, csv, tsv`);
    return given;
  }
  const type = BY_EXTENSION[extname(file).toLowerCase()];
  if (!type) throw new DataError(`${file}: cannot tell the file type from the extension '${extname(file)}'; expected .jsonl, .ndjson, .json, .csv or .tsv, or give fileType`);
  return type;
}

/**
 * The data files a path names: the file itself, or a folder's files with a known extension, sorted
 * by name (byte order, the same on every machine). Other files (README, LICENSE) and subfolders
 * are not read.
 */
export async function dataFiles(path: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    throw new DataError(`${path}: cannot read: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (e as Error).message}`, { cause: e });
  }
  if (!info.isDirectory()) return [path];
  const names = (await readdir(path, { withFileTypes: true })).filter((d) => d.isFile() && !d.name.startsWith('.') && BY_EXTENSION[extname(d.name).toLowerCase()]).map((d) => d.name);
  if (!names.length) throw new DataError(`${path}: a folder with no data files (.jsonl, .ndjson, .json, .csv, .tsv)`);
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((n) => join(path, n));
}

/** Streams the records of one file (JSON arrays are read whole), by the one text rule; bad rows come as items with their error. */
export async function* readRecords(file: string, options: ReadRecordsOptions = {}): AsyncGenerator<RecordItem> {
  const type = fileTypeOf(file, options.fileType);
  if (type === 'json') return yield* readJsonArray(file);
  if (type === 'jsonl') {
    for await (const { text, line } of readLines(file)) {
      const trimmed = text.trim();
      if (!trimmed) continue;
      try {
        yield { file, line, record: parseJsonRecord(trimmed, file, line) };
      } catch (e) {
        if (!(e instanceof DataError)) throw e;
        yield { file, line, error: e };
      }
    }
    return;
  }
  yield* readDelimited(file, type === 'csv' ? ',' : '\t', options);
}

async function* readDelimited(file: string, delimiter: string, o: ReadRecordsOptions): AsyncGenerator<RecordItem> {
  let names: readonly string[] | undefined = o.columns ? checkColumns(file, 0, [...o.columns]) : undefined;
  let skipHeader = o.header ?? !o.columns;
  for await (const item of parseDelimited(readLines(file), { file, delimiter, quote: '"', names: () => names })) {
    if ('error' in item) {
      yield { file, line: item.line, error: item.error };
      continue;
    }
    if (skipHeader) {
      skipHeader = false;
      names ??= checkColumns(file, item.line, item.cells);
      continue;
    }
    const cols = names!;
    if (item.cells.length !== cols.length) {
      yield { file, line: item.line, error: new DataError(`${file}:${item.line}: has ${item.cells.length} field${item.cells.length === 1 ? '' : 's'}, expected ${cols.length} (${cols.join(', ')})`) };
      continue;
    }
    const record: Record<string, unknown> = {};
    cols.forEach((c, i) => (record[c] = item.cells[i]));
    yield { file, line: item.line, record };
  }
  if (skipHeader && !names) throw new DataError(`${file}: empty; expected a header row naming the columns (or give columns)`);
}

function checkColumns(file: string, line: number, cols: string[]): string[] {
  const where = line ? `${file}:${line}: header` : `${file}: option 'columns'`;
  const empty = cols.findIndex((c) => c.trim() === '');
  if (empty >= 0) throw new DataError(`${where}: column ${empty + 1} has no name; got ${JSON.stringify(cols)}`);
  const dup = cols.find((c, i) => cols.indexOf(c) !== i);
  if (dup !== undefined) throw new DataError(`${where}: column '${dup}' is named twice; got ${JSON.stringify(cols)}`);
  return cols;
}
