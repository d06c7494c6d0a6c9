import './builtins.js';
import { DataError } from './errors.js';
import { inferFormat, numericKeys } from './infer-format.js';
import { dataFiles, fileTypeOf, readRecords, type ReadRecordsOptions, type RecordItem } from './records.js';
import { formats, type Example, type ExampleFormat } from './registry.js';

export interface LoadDatasetOptions extends ReadRecordsOptions {
  /** The example format: a registered name, or a format made with `formats.create`; default inferred from the first good record's keys (inferFormat). */
  format?: string | ExampleFormat;
  /** A bad row (invalid JSON or CSV quoting, missing key, wrong type, empty text): 'fail' (default) throws its DataError; 'skip' counts it and goes on. */
  onBadRow?: 'fail' | 'skip';
  /** CSV/TSV columns read as numbers (cells are text); default: the score a scored-pair format reads. */
  numericColumns?: readonly string[];
  /** Every other option is the format's (`queryKey`, `positiveKey`, `text1Key`, `scoreKey`, ...). */
  [formatOption: string]: unknown;
}

/** A skipped row: where, and why. */
export interface BadRow {
  file: string;
  line: number;
  message: string;
}

/** What loadDataset returns; `{ examples, format }` is what the trainer's `trainDataset` takes. */
export interface LoadedDataset<E extends Example = Example> {
  examples: E[];
  format: ExampleFormat;
  files: string[];
  /** How many bad rows were skipped (always 0 with onBadRow 'fail'). */
  skipped: number;
  /** The first BAD_ROWS_KEPT skipped rows, to print. */
  badRows: BadRow[];
  /** One printable line (plus one per kept bad row): counts, format, files. */
  summary(): string;
}

const BAD_ROWS_KEPT = 20;
const OWN = new Set(['format', 'onBadRow', 'numericColumns', 'fileType', 'columns', 'header']);
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Typed examples from a .jsonl / .json / .csv / .tsv file or a folder of them (sorted by name):
 * records stream through the one text rule and the example-format registry, so only the examples
 * are held. Every bad row names file, line and field.
 */
export async function loadDataset<E extends Example = Example>(path: string, options: LoadDatasetOptions = {}): Promise<LoadedDataset<E>> {
  const reader = new DatasetReader(path, options);
  const examples: E[] = [];
  for await (const { example } of reader.examples()) examples.push(example as E);
  const { format, files, skipped, badRows } = reader;
  if (!format) throw new DataError(`${path}: no examples (${files.length} file${files.length === 1 ? '' : 's'}${skipped ? `, ${skipped} bad rows skipped` : ''})`);
  return {
    examples,
    format,
    files,
    skipped,
    badRows,
    summary: () => summarize(path, examples.length, reader),
  };
}

/** Streams the examples of a dataset (for data larger than memory); `loadDataset` collects them. Counts and format are read off it as it goes. */
export class DatasetReader {
  format: ExampleFormat | undefined;
  inferredFrom: string | undefined;
  files: string[] = [];
  skipped = 0;
  badRows: BadRow[] = [];
  private readonly formatOptions: Record<string, unknown> = {};
  private numeric: string[] = [];

  constructor(
    readonly path: string,
    readonly options: LoadDatasetOptions = {},
  ) {
    const onBadRow = options.onBadRow ?? 'fail';
    if (onBadRow !== 'fail' && onBadRow !== 'skip') throw new DataError(`loadDataset: option 'onBadRow' must be 'fail' or 'skip', got ${JSON.stringify(onBadRow)}`);
    for (const [k, v] of Object.entries(options)) if (!OWN.has(k) && v !== undefined) this.formatOptions[k] = v;
    if (typeof options.format === 'object' && Object.keys(this.formatOptions).length) {
      throw new DataError(`loadDataset: format options ${Object.keys(this.formatOptions).join(', ')} given with a ready-made format '${options.format.name}'; give the format by name, or build it with them`);
    }
  }

  async *examples(): AsyncGenerator<{ example: Example; file: string; line: number }> {
    this.files = await dataFiles(this.path);
    const { fileType, columns, header } = this.options;
    for (const file of this.files) {
      for await (const item of readRecords(file, { fileType, columns, header })) {
        // Outside the bad-row handling: keys no format matches mean a wrong file or a missing option, not a bad row.
        if (!this.format && item.record) this.resolveFormat(item.record, `${item.file}:${item.line}`);
        let example: Example;
        try {
          example = this.parse(item);
        } catch (e) {
          if (!(e instanceof DataError)) throw e;
          this.bad(item, e);
          continue;
        }
        yield { example, file: item.file, line: item.line };
      }
    }
  }

  private parse(item: RecordItem): Example {
    if (item.error) throw item.error;
    const where = { file: item.file, line: item.line };
    const format = this.format!;
    const type = fileTypeOf(item.file, this.options.fileType);
    const record = this.numeric.length && (type === 'csv' || type === 'tsv') ? this.toNumbers(item.record, where, format.name) : item.record;
    const example = format.parse(record, where);
    checkTexts(example, record, this.formatOptions, where, format.name);
    return example;
  }

  private resolveFormat(record: Record<string, unknown>, where: string): void {
    const given = this.options.format;
    if (typeof given === 'object') {
      this.format = given;
    } else {
      const inferred = given === undefined ? inferFormat(record, where) : { name: given, options: {} };
      const options = { ...inferred.options, ...this.formatOptions };
      this.format = formats.create({ name: inferred.name, ...options });
      if (given === undefined) this.inferredFrom = where;
      Object.assign(this.formatOptions, options);
    }
    this.numeric = [...(this.options.numericColumns ?? numericKeys(this.format.name, this.formatOptions))];
  }

  private toNumbers(record: Record<string, unknown>, where: { file: string; line: number }, format: string): Record<string, unknown> {
    const out = { ...record };
    for (const key of this.numeric) {
      const v = out[key];
      if (typeof v !== 'string') continue;
      if (!NUMBER.test(v.trim())) throw new DataError(`${where.file}:${where.line}: field '${key}' must be a number, got ${JSON.stringify(v)} (format '${format}')`);
      out[key] = Number(v);
    }
    return out;
  }

  private bad(item: RecordItem, e: DataError): void {
    if ((this.options.onBadRow ?? 'fail') === 'fail') throw new DataError(`${e.message} (onBadRow: 'skip' skips bad rows)`, { cause: e });
    this.skipped++;
    if (this.badRows.length < BAD_ROWS_KEPT) this.badRows.push({ file: item.file, line: item.line, message: e.message });
  }
}

const DEFAULT_KEYS: Record<string, readonly string[]> = { positive: ['positive', 'pos'], negative: ['negative', 'neg'] };

/** An empty (or all-blank) text is a bad row, named by the record key it came from. */
function checkTexts(example: Example, record: Record<string, unknown>, options: Record<string, unknown>, where: { file: string; line: number }, format: string): void {
  for (const [field, value] of Object.entries(example)) {
    const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
    const i = list.findIndex((t) => typeof t === 'string' && t.trim() === '');
    if (i < 0) continue;
    const configured = options[`${field}Key`];
    const key = typeof configured === 'string' ? configured : ((DEFAULT_KEYS[field] ?? [field]).find((k) => record[k] !== undefined) ?? field);
    const entry = typeof value === 'string' ? '' : ` entry ${i}`;
    throw new DataError(`${where.file}:${where.line}: field '${key}'${entry} must be a non-empty text, got ${JSON.stringify(list[i])} (format '${format}')`);
  }
}

function summarize(path: string, n: number, r: DatasetReader): string {
  const how = r.inferredFrom ? `inferred from the keys at ${r.inferredFrom}` : 'given';
  const head = `${path}: ${n} examples, format '${r.format!.name}' (${how}), from ${r.files.length} file${r.files.length === 1 ? '' : 's'}`;
  if (!r.skipped) return `${head}; no bad rows`;
  const more = r.skipped > r.badRows.length ? `\n  ... and ${r.skipped - r.badRows.length} more` : '';
  return `${head}; skipped ${r.skipped} bad row${r.skipped === 1 ? '' : 's'}:\n${r.badRows.map((b) => `  ${b.message}`).join('\n')}${more}`;
}
