import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { CorpusDocument } from '@retrievals/models';
import { DataError } from './errors.js';
import { readRecords, type ReadRecordsOptions, type RecordItem } from './records.js';

/** A retrieval evaluation set, in the shape InformationRetrievalEvaluator takes. */
export interface BeirDataset {
  /** Query id → text. */
  queries: Record<string, string>;
  /** Document id → `{ title, text }` (or its text when the title is empty). */
  corpus: Record<string, CorpusDocument>;
  /** Query id → { document id: grade }. */
  qrels: Record<string, Record<string, number>>;
}

export interface LoadBeirOptions {
  /** Which `qrels/<split>.tsv` to read when the folder has no `qrels.tsv` (default 'test'). */
  split?: string;
}

/**
 * A BEIR folder: `queries.jsonl`, `corpus.jsonl` and the qrels TSV, from `qrels.tsv` or else
 * `qrels/<split>.tsv`; read as {@link loadBeirFiles} reads them.
 */
export async function loadBeir(folder: string, options: LoadBeirOptions = {}): Promise<BeirDataset> {
  const qrels = existsSync(join(folder, 'qrels.tsv')) ? join(folder, 'qrels.tsv') : join(folder, 'qrels', `${options.split ?? 'test'}.tsv`);
  return loadBeirFiles({ queries: join(folder, 'queries.jsonl'), corpus: join(folder, 'corpus.jsonl'), qrels });
}

/** BEIR's three files named one by one (`eval --queries F --corpus F --qrels F`), wherever they are and whatever they are called. */
export interface BeirFiles {
  /** `{_id, text}` rows. */
  queries: string;
  /** `{_id, title?, text}` rows. */
  corpus: string;
  /** TSV `query-id corpus-id score`, a header line optional. */
  qrels: string;
}

const QREL_COLUMNS = ['query-id', 'corpus-id', 'score'];
const GRADE = /^\s*-?\d+\s*$/;

type Row = Extract<RecordItem, { record: Record<string, unknown> }>;

/**
 * The three files of a BEIR set, wherever they are: ids are strings (or integers), texts
 * non-empty strings, an id is never used twice, every qrel names a known query and document with
 * an integer grade, and a bad row is a DataError naming file, line and field (evaluation data is
 * never skipped silently). Read by the same readers and text rule as training data: queries and
 * corpus may be any format readRecords knows (BEIR's are .jsonl); qrels are TSV unless named .csv,
 * and the first line is a header when its score is not a grade and its first column is not a
 * query id (BEIR writes
 * `query-id corpus-id score`, other exports `qid docid rel`).
 */
export async function loadBeirFiles(files: BeirFiles): Promise<BeirDataset> {
  const queries: Record<string, string> = Object.create(null);
  const corpus: Record<string, CorpusDocument> = Object.create(null);
  const qrels: Record<string, Record<string, number>> = Object.create(null);
  const seen = new Map<string, string>();
  const idOf = (row: Row, kind: string) => {
    const id = field(row, '_id', 'id');
    const before = seen.get(`${kind}\0${id}`);
    if (before) throw new DataError(`${where(row)}: field '_id' ${JSON.stringify(id)} is already the id of the ${kind} at ${before}`);
    seen.set(`${kind}\0${id}`, where(row));
    return id;
  };
  for await (const row of rows(files.queries)) queries[idOf(row, 'query')] = field(row, 'text', 'text');
  for await (const row of rows(files.corpus)) {
    const id = idOf(row, 'document');
    const text = field(row, 'text', 'text');
    const title = row.record.title;
    if (title !== undefined && title !== null && typeof title !== 'string') throw new DataError(`${where(row)}: field 'title' must be a string, got ${JSON.stringify(title)}`);
    corpus[id] = title ? { title, text } : text;
  }
  let first = true;
  for await (const row of rows(files.qrels, { fileType: extname(files.qrels).toLowerCase() === '.csv' ? 'csv' : 'tsv', columns: QREL_COLUMNS })) {
    const header = first && !GRADE.test(String(row.record.score ?? '')) && !(String(row.record['query-id']) in queries);
    first = false;
    if (header) continue;
    const qid = field(row, 'query-id', 'id'), did = field(row, 'corpus-id', 'id');
    if (!(qid in queries)) throw new DataError(`${where(row)}: field 'query-id' ${JSON.stringify(qid)} is not a query of ${files.queries}`);
    if (!(did in corpus)) throw new DataError(`${where(row)}: field 'corpus-id' ${JSON.stringify(did)} is not a document of ${files.corpus}`);
    const score = String(row.record.score ?? '');
    if (!GRADE.test(score)) throw new DataError(`${where(row)}: field 'score' must be an integer grade, got ${JSON.stringify(score)}`);
    (qrels[qid] ??= Object.create(null) as Record<string, number>)[did] = Number(score);
  }
  if (!Object.keys(qrels).length) throw new DataError(`${files.qrels}: no qrels (query-id, corpus-id, score rows); nothing to evaluate`);
  return { queries, corpus, qrels };
}

async function* rows(file: string, options?: ReadRecordsOptions): AsyncGenerator<Row> {
  for await (const item of readRecords(file, options)) {
    if (item.error) throw item.error;
    yield item;
  }
}

const where = (row: Row) => `${row.file}:${row.line}`;

/** A non-empty string field; an id may also be a JSON number (BEIR's are strings, some exports write numbers). */
function field(row: Row, key: string, kind: 'id' | 'text'): string {
  const v = row.record[key];
  if (kind === 'id' && typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (typeof v !== 'string') throw new DataError(`${where(row)}: field '${key}' must be a ${kind === 'id' ? 'string (or integer) id' : 'string'}, got ${v === undefined ? 'nothing (missing)' : JSON.stringify(v)}`);
  if (v.trim() === '') throw new DataError(`${where(row)}: field '${key}' must be a non-empty ${kind === 'id' ? 'id' : 'text'}, got ${JSON.stringify(v)}`);
  return v;
}
