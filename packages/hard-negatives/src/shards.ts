import { existsSync } from 'node:fs';
import { checkWritable, samePath, writeSafetensors, type ComponentSpec } from '@retrievals/core-tensor';
import type { AutoModelForEmbedding } from '@retrievals/models';
import { embed, effectiveInstruction, type MiningModel } from './encode.js';
import { IndexError, MiningError } from './errors.js';
import { encodingFingerprint, modelFingerprint, TextHasher } from './fingerprint.js';
import { idsMetadata, INDEX_FORMAT, inMemory, TensorFile } from './index-file.js';
import { readPool, type CorpusDoc } from './input.js';
import { TopKAccumulator } from './neighbors.js';
import { indexes, type Neighbors } from './registry.js';
import { searchNeighbors } from './define-index.js';

/** Shard i of N (0-based). */
export interface Shard {
  index: number;
  count: number;
}

/** Parses "i/N" (0 ≤ i < N), as `retrievals encode --shard 0/4` takes it. */
export function parseShard(text: string): Shard {
  const m = typeof text === 'string' ? /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text) : null;
  if (!m) throw new MiningError(`shard: expected "i/N" (shard i of N, 0-based, e.g. "0/4"), got ${JSON.stringify(text)}`);
  const index = Number(m[1]), count = Number(m[2]);
  if (count < 1) throw new MiningError(`shard: the shard count must be at least 1, got "${text}"`);
  if (index >= count) throw new MiningError(`shard: index ${index} is out of range for ${count} shards (0..${count - 1}), got "${text}"`);
  return { index, count };
}

/** Rows [floor(i·n/N), floor((i+1)·n/N)) of n: every row in exactly one shard, sizes within one of each other. */
export function shardRange(shard: Shard, n: number): [number, number] {
  return [Math.floor((shard.index * n) / shard.count), Math.floor(((shard.index + 1) * n) / shard.count)];
}

function toShard(s: unknown): Shard {
  if (typeof s === 'string') return parseShard(s);
  const o = s as Partial<Shard> | null;
  if (o && Number.isSafeInteger(o.index) && Number.isSafeInteger(o.count) && o.count! >= 1 && o.index! >= 0 && o.index! < o.count!) return { index: o.index!, count: o.count! };
  throw new MiningError(`shard: expected "i/N" or { index, count } with 0 ≤ index < count, got ${JSON.stringify(s)}`);
}

/** What every shard of one corpus encoding records, and what the miner checks before using shards together. */
export interface ShardIdentity {
  totalRows: number;
  corpusFingerprint: string;
  encodingFingerprint: string;
}

export interface EncodeShardOptions {
  model: AutoModelForEmbedding | MiningModel;
  /** The corpus (or candidate pool) JSONL: `{text}` or `{title, text}`, optional `id`. */
  inputFile: string;
  /** The shard's .safetensors file. */
  outputFile: string;
  /** "i/N" or { index, count }. */
  shard: string | Shard;
  /** Replaces the model's document instruction (as the miner's `documentInstruction`). */
  documentInstruction?: string;
  batchSize?: number;
  /** The field holding the text (default `text`). */
  textKey?: string;
  /** The field holding the id (default `id`). */
  idKey?: string;
  /** L2-normalise (default true, as the miner). */
  normalize?: boolean;
  showProgress?: boolean;
  /** Overrides the model's fingerprint (a model without a folder). */
  modelFingerprint?: string;
}

export interface EncodeShardResult {
  /** Rows in this shard. */
  rows: number;
  file: string;
  shard: Shard;
  rowStart: number;
  rowEnd: number;
  totalRows: number;
  /** True when the file was already complete for this input, model and shard, and was left as it was. */
  reused: boolean;
}

/**
 * Encodes shard i of N of a corpus into ONE safetensors file: `embeddings` F32 [rows, dim], and in
 * the metadata the ids, the row range [start, end) of the total, the corpus and model fingerprints,
 * the instruction and whether vectors are normalised. The file is also a loadable `flat` index.
 * Idempotent: the same input, model and shard give the same bytes, and a complete file for them is
 * left untouched (a re-run, or a retried job of a distributed queue, is a no-op).
 */
export async function encodeShard(o: EncodeShardOptions): Promise<EncodeShardResult> {
  const shard = toShard(o.shard);
  if (samePath(o.inputFile, o.outputFile)) throw new MiningError(`encodeShard: outputFile ${o.outputFile} is the inputFile`);
  checkWritable(o.outputFile, 'encodeShard outputFile');
  const normalize = o.normalize ?? true;
  // Pass 1: count, check and fingerprint the whole corpus (the range depends on n).
  const hasher = new TextHasher('corpus');
  for await (const d of readPool(o.inputFile, { textKey: o.textKey, idKey: o.idKey })) hasher.add(d.text, d.id);
  const n = hasher.count, corpusFp = hasher.digest();
  const [start, end] = shardRange(shard, n);
  const modelFp = o.modelFingerprint ?? modelFingerprint(o.model as AutoModelForEmbedding);
  const instruction = effectiveInstruction(o.model, 'document', o.documentInstruction);
  const encodingFp = encodingFingerprint(modelFp, instruction, normalize);
  const result = { rows: end - start, file: o.outputFile, shard, rowStart: start, rowEnd: end, totalRows: n };
  if (existsSync(o.outputFile)) {
    try {
      const f = TensorFile.open(o.outputFile).expectIndex('flat');
      const m = f.metadata;
      if (m.shard === `${shard.index}/${shard.count}` && f.int('row_start') === start && f.int('row_end') === end && f.int('total_rows') === n && m.corpus_fingerprint === corpusFp && m.encoding_fingerprint === encodingFp) {
        f.tensor('embeddings', 'float32', [end - start, f.int('dim')]);
        return { ...result, reused: true };
      }
    } catch {
      // Not a complete shard for this input: encoded again below.
    }
  }
  // Pass 2: the shard's documents.
  const docs: CorpusDoc[] = [];
  let row = 0;
  for await (const d of readPool(o.inputFile, { textKey: o.textKey, idKey: o.idKey })) {
    if (row >= start && row < end) docs.push(d);
    if (++row >= end) break;
  }
  const { data, dim } = await embed(o.model, docs.map((d) => d.text), 'document', { instruction: o.documentInstruction, batchSize: o.batchSize, normalize, showProgress: o.showProgress });
  writeSafetensors(o.outputFile, { embeddings: inMemory('float32', [docs.length, dim || 0], data) }, {
    format: INDEX_FORMAT,
    kind: 'flat',
    precision: 'float32',
    dim: String(dim || 0),
    rows: String(docs.length),
    ...idsMetadata(docs.map((d) => d.id)),
    shard: `${shard.index}/${shard.count}`,
    shard_index: String(shard.index),
    shard_count: String(shard.count),
    row_start: String(start),
    row_end: String(end),
    total_rows: String(n),
    corpus_fingerprint: corpusFp,
    model_fingerprint: modelFp,
    encoding_fingerprint: encodingFp,
    document_instruction: instruction,
    normalized: String(normalize),
  });
  return { ...result, reused: false };
}

/** A shard file's place in its corpus, read from its metadata. */
export interface ShardInfo extends ShardIdentity {
  file: string;
  shard: Shard;
  rowStart: number;
  rowEnd: number;
  dim: number;
  normalized: boolean;
}

export function readShardInfo(file: string): ShardInfo {
  const f = TensorFile.open(file).expectIndex('flat');
  const m = f.metadata;
  if (m.shard === undefined) throw new MiningError(`${file}: not an embedding shard (no 'shard' metadata; write shards with encodeShard / retrievals encode --shard)`);
  return {
    file,
    shard: { index: f.int('shard_index'), count: f.int('shard_count') },
    rowStart: f.int('row_start'),
    rowEnd: f.int('row_end'),
    totalRows: f.int('total_rows'),
    dim: f.int('dim'),
    corpusFingerprint: m.corpus_fingerprint ?? '',
    encodingFingerprint: m.encoding_fingerprint ?? '',
    normalized: m.normalized === 'true',
  };
}

/**
 * Checks that shard files (or their hits) belong together and cover the corpus: one corpus, one
 * encoding, ranges that tile [0, n) without gap or overlap. Returns them in row order.
 */
export function checkCoverage<T extends ShardIdentity & { file: string; rowStart: number; rowEnd: number }>(items: readonly T[], expect?: Partial<ShardIdentity>): T[] {
  if (!items.length) throw new MiningError('shards: none given');
  const first = items[0]!;
  for (const s of items) {
    for (const key of ['totalRows', 'corpusFingerprint', 'encodingFingerprint'] as const) {
      if (s[key] !== first[key]) throw new MiningError(`shards: ${s.file} and ${first.file} come from different ${key === 'totalRows' ? 'corpora (sizes differ)' : key === 'corpusFingerprint' ? 'corpora' : 'models or instructions'} (${key} ${s[key]} vs ${first[key]})`);
    }
  }
  if (expect?.totalRows !== undefined && first.totalRows !== expect.totalRows) throw new MiningError(`shards: they cover a corpus of ${first.totalRows} documents, the candidate pool has ${expect.totalRows}`);
  if (expect?.corpusFingerprint !== undefined && first.corpusFingerprint !== expect.corpusFingerprint) throw new MiningError(`shards: they were encoded from another corpus than the candidate pool (its texts or ids differ)`);
  if (expect?.encodingFingerprint !== undefined && first.encodingFingerprint !== expect.encodingFingerprint) {
    throw new MiningError(`shards: they were encoded with another model, document instruction or normalisation than this run's`);
  }
  const sorted = [...items].sort((a, b) => a.rowStart - b.rowStart || a.rowEnd - b.rowEnd);
  let cursor = 0;
  for (const s of sorted) {
    if (s.rowStart > cursor) throw new MiningError(`shards: rows ${cursor}..${s.rowStart - 1} of ${first.totalRows} are in no shard given (missing a shard?)`);
    if (s.rowStart < cursor) throw new MiningError(`shards: ${s.file} (rows ${s.rowStart}..${s.rowEnd - 1}) overlaps a shard before it (given twice?)`);
    cursor = s.rowEnd;
  }
  if (cursor !== first.totalRows) throw new MiningError(`shards: rows ${cursor}..${first.totalRows - 1} of ${first.totalRows} are in no shard given (missing a shard?)`);
  return sorted;
}

/** One shard's per-query top k (the map step's output), rows in corpus numbering. */
export interface ShardHits extends Neighbors, ShardIdentity {
  file: string;
  shard: Shard;
  rowStart: number;
  rowEnd: number;
  /** Fingerprint of the queries searched (their embeddings' file, when given as one). */
  queryFingerprint: string;
}

export interface SearchShardOptions {
  /** The shard's .safetensors file (encodeShard's output). */
  shard: string;
  /** Query vectors (q×dim), or a .safetensors file with an `embeddings` tensor (encodeQueryFile's output). */
  queries: Float32Array | string;
  k: number;
  /** The index to search the shard with (default 'flat', streamed from the file). */
  index?: ComponentSpec;
  /** Write the hits here (a small safetensors file: `rows` I32 and `scores` F32 [q, k]) for the reduce step on another machine. */
  outputFile?: string;
}

const HITS_FORMAT = 'retrievals-shard-hits';

/**
 * The map step: each query's top k within one shard, as global corpus rows. With a `flat` index the
 * shard is scanned from its file block by block (never loaded whole); another index kind is built
 * from the shard's vectors. Ties go to the earlier row, as in the whole-corpus search, so
 * mergeShardHits over all shards gives exactly the single-machine top k.
 */
export async function searchShard(o: SearchShardOptions): Promise<ShardHits> {
  const info = readShardInfo(o.shard);
  let queries: Float32Array, queryFp = '';
  if (typeof o.queries === 'string') {
    const q = readQueryFile(o.queries);
    queries = q.vectors;
    queryFp = q.fingerprint;
    if (q.dim !== info.dim) throw new MiningError(`searchShard: ${o.queries} holds ${q.dim}-dim queries, ${o.shard} ${info.dim}-dim documents`);
  } else queries = o.queries;
  const spec = o.index ?? 'flat';
  if (info.rowEnd === info.rowStart) {
    // An empty shard (more shards than documents): nothing in it; the merge skips it.
    const empty: ShardHits = { queries: 0, k: 0, rows: new Int32Array(0), scores: new Float32Array(0), file: o.outputFile ?? o.shard, shard: info.shard, rowStart: info.rowStart, rowEnd: info.rowEnd, totalRows: info.totalRows, corpusFingerprint: info.corpusFingerprint, encodingFingerprint: info.encodingFingerprint, queryFingerprint: queryFp };
    return finishHits(o, info, spec, empty);
  }
  const kind = indexes.create(typeof spec === 'string' ? { name: spec } : spec);
  const flatLike = kind.name === 'flat' || kind.name === 'flat-int8' || kind.name === 'flat-binary';
  let index;
  if (flatLike) {
    const opts = typeof spec === 'string' ? { name: spec } : spec;
    index = await indexes.create({ storage: 'file', ...opts } as ComponentSpec).load(o.shard);
  } else {
    const file = TensorFile.open(o.shard);
    const n = info.rowEnd - info.rowStart;
    const vectors = file.rows('embeddings', Float32Array, 'float32', n, info.dim, 'memory').block(0, n);
    index = kind.build(info.dim);
    index.add(vectors, file.ids(n));
  }
  let found: Neighbors;
  try {
    const rowOf = index.searchNeighbors ? undefined : new Map(TensorFile.open(o.shard).ids(info.rowEnd - info.rowStart).map((id, i) => [id, i] as const));
    found = await searchNeighbors(index, queries, o.k, rowOf);
  } finally {
    index.close?.();
  }
  const rows = Int32Array.from(found.rows, (r) => (r < 0 ? -1 : r + info.rowStart));
  const hits: ShardHits = { ...found, rows, file: o.outputFile ?? o.shard, shard: info.shard, rowStart: info.rowStart, rowEnd: info.rowEnd, totalRows: info.totalRows, corpusFingerprint: info.corpusFingerprint, encodingFingerprint: info.encodingFingerprint, queryFingerprint: queryFp };
  return finishHits(o, info, spec, hits);
}

function finishHits(o: SearchShardOptions, info: ShardInfo, spec: ComponentSpec, found: ShardHits): ShardHits {
  const rows = found.rows;
  if (o.outputFile) {
    writeSafetensors(o.outputFile, { rows: inMemory('int32', [found.queries, found.k], rows), scores: inMemory('float32', [found.queries, found.k], found.scores) }, {
      format: HITS_FORMAT,
      shard: `${info.shard.index}/${info.shard.count}`,
      row_start: String(info.rowStart),
      row_end: String(info.rowEnd),
      total_rows: String(info.totalRows),
      corpus_fingerprint: info.corpusFingerprint,
      encoding_fingerprint: info.encodingFingerprint,
      query_fingerprint: found.queryFingerprint,
      queries: String(found.queries),
      k: String(found.k),
      index: typeof spec === 'string' ? spec : JSON.stringify(spec),
    });
  }
  return found;
}

/** Reads a map step's output file. */
export function readShardHits(file: string): ShardHits {
  const f = TensorFile.open(file);
  if (f.metadata.format !== HITS_FORMAT) throw new MiningError(`${file}: not a shard hits file (searchShard's output)`);
  const q = f.int('queries'), k = f.int('k');
  const [index, count] = (f.metadata.shard ?? '').split('/').map(Number);
  return {
    file,
    shard: { index: index!, count: count! },
    rowStart: f.int('row_start'),
    rowEnd: f.int('row_end'),
    totalRows: f.int('total_rows'),
    corpusFingerprint: f.metadata.corpus_fingerprint ?? '',
    encodingFingerprint: f.metadata.encoding_fingerprint ?? '',
    queryFingerprint: f.metadata.query_fingerprint ?? '',
    queries: q,
    k,
    rows: f.read('rows', Int32Array, 'int32', [q, k]),
    scores: f.read('scores', Float32Array, 'float32', [q, k]),
  };
}

/**
 * The reduce step's merge: every query's top k over all shards (k: the smallest the shards were
 * searched to, or less when given), ordered by score then row, exactly what one search over the
 * whole corpus returns. The shards must tile the corpus (checkCoverage) and have searched the same
 * queries. With `minK`, a shard searched to a smaller k is refused, naming its file.
 */
export function mergeShardHits(hits: readonly (ShardHits | string)[], options: { k?: number; minK?: number; expect?: Partial<ShardIdentity> & { queryFingerprint?: string; queries?: number } } = {}): Neighbors & ShardIdentity {
  const all = checkCoverage(hits.map((h) => (typeof h === 'string' ? readShardHits(h) : h)), options.expect).filter((h) => h.rowEnd > h.rowStart);
  if (!all.length) throw new MiningError('mergeShardHits: every shard is empty');
  const nq = all[0]!.queries;
  for (const h of all) {
    if (h.queries !== nq) throw new MiningError(`mergeShardHits: ${h.file} holds ${h.queries} queries, ${all[0]!.file} ${nq}`);
    if (h.queryFingerprint !== all[0]!.queryFingerprint) throw new MiningError(`mergeShardHits: ${h.file} and ${all[0]!.file} searched different queries`);
  }
  const e = options.expect;
  if (e?.queries !== undefined && nq !== e.queries) throw new MiningError(`mergeShardHits: the shard hits hold ${nq} queries, this run has ${e.queries}`);
  if (e?.queryFingerprint && all[0]!.queryFingerprint && all[0]!.queryFingerprint !== e.queryFingerprint) throw new MiningError('mergeShardHits: the shard hits were searched for other queries than this run\'s');
  // A shard searched shallower than the run needs would silently cut every query's list short: refuse it.
  if (options.minK !== undefined) {
    for (const h of all) {
      if (h.k < options.minK) throw new MiningError(`mergeShardHits: ${h.file} was searched to k ${h.k}, below the ${options.minK} this run needs (search the shard again with k of at least the search depth)`);
    }
  }
  const k = Math.min(options.k ?? Infinity, ...all.map((h) => h.k));
  const acc = new TopKAccumulator(nq, k);
  for (const h of all) acc.merge(0, nq, h.k, h.scores, h.rows, 0);
  const first = all[0]!;
  return { ...acc.result(), totalRows: first.totalRows, corpusFingerprint: first.corpusFingerprint, encodingFingerprint: first.encodingFingerprint };
}

/** Query embeddings saved for map steps elsewhere: `embeddings` F32 [q, dim] and the queries' fingerprint. */
export function writeQueryFile(path: string, vectors: Float32Array, dim: number, fingerprint: string, extra: Record<string, string> = {}): void {
  writeSafetensors(path, { embeddings: inMemory('float32', [vectors.length / dim, dim], vectors) }, { ...extra, format: 'retrievals-queries', dim: String(dim), rows: String(vectors.length / dim), query_fingerprint: fingerprint });
}

export function readQueryFile(path: string): { vectors: Float32Array; dim: number; fingerprint: string; metadata: Record<string, string> } {
  const f = TensorFile.open(path);
  if (f.metadata.format !== 'retrievals-queries') throw new IndexError(`${path}: not a query embeddings file (format 'retrievals-queries')`);
  const dim = f.int('dim'), rows = f.int('rows');
  return { vectors: f.read('embeddings', Float32Array, 'float32', [rows, dim]), dim, fingerprint: f.metadata.query_fingerprint ?? '', metadata: { ...f.metadata } };
}
