import { DataError, readRecords, RecordReader } from '@retrievals/data';
import { documentText } from '@retrievals/models';

/** One row of the file to mine for: the record as read (written back with its own fields) and its texts. */
export interface TrainingRow {
  line: number;
  record: Record<string, unknown>;
  query: string;
  positives: string[];
  /** The row's own negatives (empty when the key is absent). */
  negatives: string[];
}

export interface RowKeys {
  queryKey: string;
  positiveKey: string;
  negativeKey: string;
}

const FORMAT = 'build-hn';

function nonEmpty(read: RecordReader, key: string, texts: string[]): string[] {
  texts.forEach((t, i) => {
    if (t.trim() === '') read.fail(key, `${Array.isArray(read.record[key]) ? `entry ${i} ` : ''}must be a non-empty text, got ${JSON.stringify(t)}`);
  });
  return texts;
}

/**
 * Reads and checks every row before anything is encoded (.jsonl, .json, .csv or .tsv, through
 * @retrievals/data's readers): each a record with a non-empty
 * string query, a positive (a text or a non-empty list of texts) and, when present, negatives (a
 * text or a list). A bad row is a DataError `file:line: field 'pos' ...`; an empty file is one too.
 */
export async function readTrainingRows(file: string, keys: RowKeys): Promise<TrainingRow[]> {
  const rows: TrainingRow[] = [];
  for await (const item of readRecords(file)) {
    if (item.error) throw item.error;
    const { record, line } = item;
    const read = new RecordReader(FORMAT, record, { file, line });
    const query = read.string(keys.queryKey);
    if (query.trim() === '') read.fail(keys.queryKey, 'must be a non-empty text, got ""');
    const positives = nonEmpty(read, keys.positiveKey, read.strings(keys.positiveKey, 1));
    const hasNeg = record[keys.negativeKey] !== undefined && record[keys.negativeKey] !== null;
    const negatives = hasNeg ? nonEmpty(read, keys.negativeKey, read.strings(keys.negativeKey, 0)) : [];
    rows.push({ line, record, query, positives, negatives });
  }
  if (!rows.length) throw new DataError(`${file}: no rows (the file is empty or blank); expected one JSON object per line with '${keys.queryKey}' and '${keys.positiveKey}'`);
  return rows;
}

/** One candidate document: its id, the text embedded and written (title and text joined), and the bare text. */
export interface CorpusDoc {
  id: string;
  text: string;
  bare: string;
}

export interface PoolOptions {
  /** The field holding the text (default `text`); a string `title` beside it is joined in front, as encodeCorpus does. */
  textKey?: string;
  /** The field holding the id (default `id`; a string or an integer); absent, the id is the row number. */
  idKey?: string;
}

/**
 * Streams a candidate pool / corpus (JSONL, or .json/.csv/.tsv): `{text}` or `{title, text}`, optional `id`. Errors name
 * file, line and field; a repeated id is an error naming both lines.
 */
export async function* readPool(file: string, options: PoolOptions = {}): AsyncGenerator<CorpusDoc & { line: number }> {
  const textKey = options.textKey ?? 'text', idKey = options.idKey ?? 'id';
  const seen = new Map<string, number>();
  let row = 0;
  for await (const item of readRecords(file)) {
    if (item.error) throw item.error;
    const { record, line } = item;
    const read = new RecordReader('corpus', record, { file, line });
    const bare = read.string(textKey);
    if (bare.trim() === '') read.fail(textKey, 'must be a non-empty text, got ""');
    const title = record.title;
    if (title !== undefined && title !== null && typeof title !== 'string') read.fail('title', `must be a string, got ${typeof title}`);
    const rawId = record[idKey];
    let id: string;
    if (rawId === undefined || rawId === null) id = String(row);
    else if (typeof rawId === 'string' && rawId !== '') id = rawId;
    else if (Number.isSafeInteger(rawId)) id = String(rawId);
    else id = read.fail(idKey, `must be a non-empty string or an integer, got ${JSON.stringify(rawId)}`);
    const before = seen.get(id);
    if (before !== undefined) read.fail(idKey, `repeats id '${id}' of line ${before}`);
    seen.set(id, line);
    const text = title ? documentText({ title: title as string, text: bare }) : bare;
    yield { id, text, bare, line };
    row++;
  }
  if (row === 0) throw new DataError(`${file}: no documents (the file is empty or blank); expected one JSON object per line with '${textKey}'`);
}

export async function readCandidatePool(file: string, options: PoolOptions = {}): Promise<CorpusDoc[]> {
  const out: CorpusDoc[] = [];
  for await (const { id, text, bare } of readPool(file, options)) out.push({ id, text, bare });
  return out;
}
