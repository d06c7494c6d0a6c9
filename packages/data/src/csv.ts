import { DataError } from './errors.js';
import type { TextLine } from './text-file.js';

/**
 * RFC 4180 fields over lines already decoded by the one text rule (text-file.ts' readLines): a
 * field is either plain or wrapped in quotes; inside quotes a doubled quote is one quote and the
 * delimiter and line breaks are text (a break inside quotes is read as \n, whatever the file used).
 * Two leniencies, both common in real files: a quote inside a plain field is a literal character,
 * and blank lines between records are skipped.
 *
 * Written here rather than taken from csv-parse (7.0.3), because a bad record must cost that record
 * only: with `skip_records_with_error`, csv-parse folds the records after a bad closing quote into
 * the bad one (`bad,"x"y,3` swallowed the next good rows), so `onBadRow: 'skip'` would lose good
 * rows silently; and its incremental parser (lib/api) is not exported, only whole-string and stream
 * wrappers, which would hide the line each record starts on.
 */

export interface DelimitedRow {
  cells: string[];
  /** The 1-based line the record starts on (a quoted field may carry it over several lines). */
  line: number;
}

export type DelimitedItem = DelimitedRow | { error: DataError; line: number };

export interface DelimitedOptions {
  file: string;
  delimiter: string;
  quote: string;
  /** Column names, for error messages (set once the header is read). */
  names?: () => readonly string[] | undefined;
}

class DelimitedParser {
  private cells: string[] = [];
  private field = '';
  private inQuotes = false;
  /** The lines of the record being read, kept only while a quoted field is open across lines, to re-read them if it never closes. */
  private open: TextLine[] = [];

  constructor(private readonly o: DelimitedOptions) {}

  private column(): string {
    const i = this.cells.length;
    const name = this.o.names?.()?.[i];
    return `column ${i + 1}${name !== undefined ? ` ('${name}')` : ''}`;
  }

  private reset(): void {
    this.cells = [];
    this.field = '';
    this.inQuotes = false;
    this.open = [];
  }

  *push(l: TextLine): Generator<DelimitedItem> {
    const { delimiter: d, quote: q } = this.o;
    const text = l.text;
    if (!this.open.length && text === '') return;
    this.open.push(l);
    let afterQuote = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (this.inQuotes) {
        if (c !== q) this.field += c;
        else if (text[i + 1] === q) (this.field += q), i++;
        else (this.inQuotes = false), (afterQuote = true);
      } else if (c === d) {
        this.cells.push(this.field);
        this.field = '';
        afterQuote = false;
      } else if (afterQuote) {
        const start = this.open[0]!.line;
        const msg = `${this.o.file}:${l.line}: ${this.column()}: a quoted field must end at '${printable(d)}' or the end of the line, got '${c}' after its closing quote (double a quote inside quotes)`;
        this.reset();
        yield { error: new DataError(msg), line: start };
        return;
      } else if (c === q && this.field === '') this.inQuotes = true;
      else this.field += c;
    }
    if (this.inQuotes) {
      this.field += '\n';
      return;
    }
    this.cells.push(this.field);
    const row = { cells: this.cells, line: this.open[0]!.line };
    this.reset();
    yield row;
  }

  /** At the end of the file: a quote never closed is a bad record at its first line, and the lines after that line are read again. */
  *end(): Generator<DelimitedItem> {
    while (this.inQuotes) {
      const [first, ...rest] = this.open;
      const error = new DataError(`${this.o.file}:${first!.line}: ${this.column()}: a quoted field opened here is never closed (a quote inside a quoted field must be doubled)`);
      this.reset();
      yield { error, line: first!.line };
      for (const l of rest) yield* this.push(l);
    }
  }
}

/** The records of a delimited file, each as its cells and first line, or as the error that makes it a bad row. */
export async function* parseDelimited(lines: AsyncIterable<TextLine>, o: DelimitedOptions): AsyncGenerator<DelimitedItem> {
  const parser = new DelimitedParser(o);
  for await (const l of lines) yield* parser.push(l);
  yield* parser.end();
}

const printable = (c: string) => (c === '\t' ? '\\t' : c);
