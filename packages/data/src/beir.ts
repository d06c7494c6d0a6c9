import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CorpusDocument } from '@retrievals/models';
import { DataError } from './errors.js';
import { readRecords, type RecordItem } from './records.js';

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

const QREL_COLUMNS = ['query-id', 'corpus-id', 'score'];

/**
 * A BEIR folder: `queries.jsonl` (`{_id, text}`), `corpus.jsonl` (`{_id, title?, text}`) and the
 * qrels TSV (`query-id`, `corpus-id`, integer `score`, with or without BEIR's header row), from
 * `qrels.tsv` or else `qrels/<split>.tsv`. Read by the same readers and text rule as training data;
 * a bad row, a duplicate id or a qrel naming an unknown query or document is a DataError naming
 * file, line and field (evaluation data is never skipped silently).
 */
export async function loadBeir(folder: string, options: LoadBeirOptions = {}): Promise<BeirDataset> {
  const queries: Record<string, string> = Object.create(null);
  const corpus: Record<string, CorpusDocument> = Object.create(null);
  const qrels: Record<string, Record<string, number>> = Object.create(null);
  const seen = new Map<string, string>();
  const idOf = (item: Loaded, kind: string) => {
    const id = field(item, '_id', 'id');
    const before = seen.get(`${kind}\0${id}`);
    if (before) throw new DataError(`${where(item)}: field '_id' ${JSON.stringify(id)} is already the id of the ${kind} at ${before}`);
    seen.set(`${kind}\0${id}`, where(item));
    return id;
  };
  for await (const item of records(join(folder, 'queries.jsonl'))) queries[idOf(item, 'query')] = field(item, 'text', 'text');
  for await (const item of records(join(folder, 'corpus.jsonl'))) {
    const id = idOf(item, 'document');
    const text = field(item, 'text', 'text');
    const title = item.record.title;
    if (title !== undefined && title !== null && typeof title !== 'string') throw new DataError(`${where(item)}: field 'title' must be a string, got ${typeof title}`);
    corpus[id] = title ? { title, text } : text;
  }
  const qrelsFile = existsSync(join(folder, 'qrels.tsv')) ? join(folder, 'qrels.tsv') : join(folder, 'qrels', `${options.split ?? 'test'}.tsv`);
  let first = true;
  for await (const item of records(qrelsFile, QREL_COLUMNS)) {
    const isHeader = first && QREL_COLUMNS.every((c) => item.record[c] === c);
    first = false;
    if (isHeader) continue;
    const qid = field(item, 'query-id', 'id'), did = field(item, 'corpus-id', 'id');
    if (!(qid in queries)) throw new DataError(`${where(item)}: field 'query-id' ${JSON.stringify(qid)} is not a query of ${join(folder, 'queries.jsonl')}`);
    if (!(did in corpus)) throw new DataError(`${where(item)}: field 'corpus-id' ${JSON.stringify(did)} is not a document of ${join(folder, 'corpus.jsonl')}`);
    const score = item.record.score as string;
    if (!/^-?\d+$/.test(score.trim())) throw new DataError(`${where(item)}: field 'score' must be an integer grade, got ${JSON.stringify(score)}`);
    (qrels[qid] ??= Object.create(null) as Record<string, number>)[did] = Number(score);
  }
  return { queries, corpus, qrels };
}

type Loaded = Extract<RecordItem, { record: Record<string, unknown> }>;

async function* records(file: string, columns?: string[]): AsyncGenerator<Loaded> {
  for await (const item of readRecords(file, columns ? { columns } : {})) {
    if (item.error) throw item.error;
    yield item;
  }
}

const where = (item: Loaded) => `${item.file}:${item.line}`;

/** A non-empty string field; an id may also be a JSON number (BEIR's are strings, some exports write numbers). */
function field(item: Loaded, key: string, kind: 'id' | 'text'): string {
  const v = item.record[key];
  if (kind === 'id' && typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (typeof v !== 'string') throw new DataError(`${where(item)}: field '${key}' must be a ${kind === 'id' ? 'string (or integer) id' : 'string'}, got ${v === undefined ? 'nothing (missing)' : JSON.stringify(v)}`);
  if (v.trim() === '') throw new DataError(`${where(item)}: field '${key}' must be a non-empty ${kind === 'id' ? 'id' : 'text'}, got ${JSON.stringify(v)}`);
  return v;
}
