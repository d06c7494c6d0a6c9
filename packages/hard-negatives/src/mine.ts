import { existsSync } from 'node:fs';
import { AtomicFile, checkWritable, parseOptions } from '@retrievals/core-tensor';
import { derivedGenerator } from '@retrievals/data';
import type { AutoModelForEmbedding } from '@retrievals/models';
import { searchNeighbors } from './define-index.js';
import { dot, effectiveInstruction, embed, type MiningModel } from './encode.js';
import { MiningError } from './errors.js';
import { encodingFingerprint, modelFingerprint, TextHasher } from './fingerprint.js';
import { readCandidatePool, readTrainingRows, type CorpusDoc, type TrainingRow } from './input.js';
import { recordsFor, type OutputSettings } from './output.js';
import { indexes, type Neighbors, type VectorIndex } from './registry.js';
import { formatHardNegativesReport, scoreStats, type HardNegativesReport } from './report.js';
import { checkRange, noneRemoved, parseRange, selectNegatives, type RemovedCounts } from './sample.js';
import { checkDistinctKeys, checkMiningPaths, SPEC, type BuildHardNegativesOptions, type MiningProgress } from './mine-options.js';
import { checkCoverage, mergeShardHits, readQueryFile, readShardInfo, searchShard, writeQueryFile } from './shards.js';

export { formatHardNegativesReport, type HardNegativesReport };
export { checkMiningPaths, type BuildHardNegativesOptions, type MiningPaths, type MiningProgress } from './mine-options.js';

/** Corpus documents in chunks of this many per encode call (progress and peak memory). */
const ENCODE_CHUNK = 8192;

/**
 * Mines hard negatives for training rows (open-retrievals' `build_hn`, FlagEmbedding's `hn_mine`,
 * with sentence-transformers' filters): encodes the distinct queries and the corpus, retrieves each
 * query's top `searchDepth` through the index, skips ranks 1..lo, drops the query's positives, the
 * query itself, repeated texts and candidates failing the score filters, samples `negativeNumber`
 * from ranks lo+1..hi (seeded), fills a short row from the next ranks beyond hi, and writes the
 * output atomically, streaming. Every input row is read and checked before anything is encoded.
 */
export async function buildHardNegatives(options: BuildHardNegativesOptions): Promise<HardNegativesReport> {
  const t0 = performance.now();
  const o = parseOptions({ kind: 'build-hn', name: 'options' }, options, SPEC);
  const model = o.model as MiningModel;
  const log = o.log ?? (() => {});
  const progressFn = typeof o.showProgress === 'function' ? o.showProgress : undefined;
  const bars = o.showProgress === true;
  const progress = (stage: MiningProgress['stage'], done: number, total: number) => progressFn?.({ stage, done, total });
  const range = typeof o.rangeForSampling === 'string' ? parseRange(o.rangeForSampling) : checkRange(o.rangeForSampling);
  const [lo, hi] = range;
  checkMiningPaths(o);
  checkDistinctKeys(o);
  if (o.negativesMode === 'append' && o.outputFormat !== 'input') {
    throw new MiningError(`build-hn: negativesMode 'append' applies only to outputFormat 'input' (the rows' own negatives are kept there), not to outputFormat '${o.outputFormat}'`);
  }
  if (o.corpusShards && o.shardHits) throw new MiningError('build-hn: give corpusShards (search them here) or shardHits (already searched), not both');
  if ((o.corpusShards || o.shardHits) && !o.candidatePool) throw new MiningError('build-hn: corpusShards / shardHits need the candidatePool they were encoded from (for its texts)');
  if ((o.corpusShards || o.shardHits) && o.indexFile) throw new MiningError('build-hn: indexFile does not apply to corpusShards / shardHits (the shards are the index)');
  checkWritable(o.outputFile, 'build-hn outputFile');
  const keys = { queryKey: o.queryKey, positiveKey: o.positiveKey, negativeKey: o.negativeKey };

  // ---- read and check everything before any encoding ----
  progress('read', 0, 1);
  const rows = await readTrainingRows(o.inputFile, keys);
  const corpus: CorpusDoc[] = o.candidatePool ? await readCandidatePool(o.candidatePool, { textKey: o.textKey }) : corpusOfRows(rows);
  progress('read', 1, 1);
  const tRead = performance.now();

  const queryIndex = new Map<string, number>();
  const queries: string[] = [];
  const rowQuery = rows.map((r) => {
    let qi = queryIndex.get(r.query);
    if (qi === undefined) queryIndex.set(r.query, (qi = queries.push(r.query) - 1));
    return qi;
  });
  // Rows sharing a query share its positives: a text that is positive for the query anywhere is never its negative.
  const positivesOf = queries.map(() => new Set<string>());
  rows.forEach((r, i) => r.positives.forEach((p) => positivesOf[rowQuery[i]!]!.add(p)));
  const depth = Math.min(corpus.length, o.searchDepth ?? hi + 2 * o.negativeNumber);
  if (o.searchDepth !== undefined && o.searchDepth < hi) log(`build-hn: searchDepth ${o.searchDepth} is below the range's hi ${hi}: ranks beyond it are never seen`);

  const modelFp = o.modelFingerprint ?? modelFingerprint(model as AutoModelForEmbedding);
  const docInstruction = effectiveInstruction(model, 'document', o.documentInstruction);
  const encodingFp = encodingFingerprint(modelFp, docInstruction, o.normalize);
  const corpusHash = new TextHasher('corpus');
  for (const d of corpus) corpusHash.add(d.text, d.id);
  const corpusFp = corpusHash.digest();
  const queryHash = new TextHasher('queries');
  for (const q of queries) queryHash.add(q);
  const queryFp = queryHash.digest() + ':' + encodingFingerprint(modelFp, effectiveInstruction(model, 'query', o.queryInstruction), o.normalize);

  // ---- encode ----
  let encodeMs = 0, searchMs = 0;
  const timed = async <T>(fn: () => Promise<T>, into: 'encode' | 'search'): Promise<T> => {
    const s = performance.now();
    try {
      return await fn();
    } finally {
      if (into === 'encode') encodeMs += performance.now() - s;
      else searchMs += performance.now() - s;
    }
  };
  const embedSettings = (instruction: string | undefined) => ({ instruction, batchSize: o.batchSize, normalize: o.normalize, showProgress: bars });

  // Texts whose own scores are needed: positives (margins, report, scores) and, when appending scores, the rows' negatives.
  const needed = new Set<string>();
  rows.forEach((r) => {
    r.positives.forEach((p) => needed.add(p));
    if (o.outputScores && o.negativesMode === 'append') r.negatives.forEach((n) => needed.add(n));
  });
  const textVectors = new Map<string, Float32Array>();

  let qvecs: Float32Array | undefined, dim = 0;
  if (o.queryEmbeddingsFile && existsSync(o.queryEmbeddingsFile)) {
    try {
      const q = readQueryFile(o.queryEmbeddingsFile);
      if (q.fingerprint === queryFp && q.vectors.length === queries.length * q.dim) {
        qvecs = q.vectors;
        dim = q.dim;
        log(`build-hn: query embeddings reused from ${o.queryEmbeddingsFile}`);
      } else log(`build-hn: ${o.queryEmbeddingsFile} holds other queries or another encoding; encoding them again`);
    } catch (e) {
      log(`build-hn: cannot reuse ${o.queryEmbeddingsFile} (${(e as Error).message}); encoding the queries again`);
    }
  }
  if (!qvecs) {
    progress('encode-queries', 0, queries.length);
    if (bars) log(`build-hn: encoding ${queries.length} queries`);
    const q = await timed(() => embed(model, queries, 'query', embedSettings(o.queryInstruction)), 'encode');
    qvecs = q.data;
    dim = q.dim;
    progress('encode-queries', queries.length, queries.length);
    if (o.queryEmbeddingsFile) writeQueryFile(o.queryEmbeddingsFile, qvecs, dim, queryFp, { model_fingerprint: modelFp });
  }

  // ---- the corpus index, and the search ----
  let neighbors: Neighbors;
  const indexInfo: HardNegativesReport['index'] = { name: typeof o.index === 'string' ? o.index : o.index.name, reused: false, depth };
  if (o.corpusShards || o.shardHits) {
    const expect = { totalRows: corpus.length, corpusFingerprint: corpusFp, encodingFingerprint: encodingFp };
    if (o.shardHits) {
      neighbors = await timed(async () => mergeShardHits(o.shardHits!, { k: depth, minK: Math.min(depth, hi), expect: { ...expect, queries: queries.length, queryFingerprint: o.queryEmbeddingsFile ? queryFp : undefined } }), 'search');
      indexInfo.shards = o.shardHits.length;
    } else {
      const infos = checkCoverage(o.corpusShards!.map(readShardInfo), expect);
      const wrong = infos.find((s) => s.rowEnd > s.rowStart && s.dim !== dim);
      if (wrong) throw new MiningError(`build-hn: ${wrong.file} holds ${wrong.dim}-dim vectors, the model gives ${dim}`);
      const hits = [];
      for (const [i, info] of infos.entries()) {
        progress('search', i, infos.length);
        hits.push(await timed(() => searchShard({ shard: info.file, queries: qvecs!, k: depth, index: o.index }), 'search'));
      }
      progress('search', infos.length, infos.length);
      neighbors = mergeShardHits(hits, { k: depth, minK: Math.min(depth, hi), expect });
      indexInfo.shards = infos.length;
    }
  } else {
    const kind = indexes.create(o.index);
    indexInfo.name = kind.name;
    let index: VectorIndex | undefined;
    if (o.indexFile && existsSync(o.indexFile)) {
      try {
        const loaded = await kind.load(o.indexFile);
        const m = loaded.metadata ?? {};
        const why =
          m.corpus_fingerprint !== corpusFp ? 'another corpus' : m.encoding_fingerprint !== encodingFp ? 'another model, instruction or normalisation' : m.index_kind !== kind.name ? `another index kind ('${m.index_kind}')` : loaded.size !== corpus.length ? 'another size' : undefined;
        if (why) {
          loaded.close?.();
          log(`build-hn: ${o.indexFile} was built from ${why}; building the index again`);
        } else {
          index = loaded;
          indexInfo.reused = true;
          log(`build-hn: reusing the corpus index ${o.indexFile} (${loaded.size} vectors)`);
        }
      } catch (e) {
        log(`build-hn: cannot reuse ${o.indexFile} (${(e as Error).message}); building the index again`);
      }
    }
    indexInfo.file = o.indexFile;
    if (!index) {
      let built: VectorIndex | undefined;
      if (bars) log(`build-hn: encoding ${corpus.length} corpus texts`);
      for (let c0 = 0; c0 < corpus.length; c0 += ENCODE_CHUNK) {
        progress('encode-corpus', c0, corpus.length);
        const chunk = corpus.slice(c0, c0 + ENCODE_CHUNK);
        const e = await timed(() => embed(model, chunk.map((d) => d.text), 'document', embedSettings(o.documentInstruction)), 'encode');
        if (e.dim !== dim) throw new MiningError(`build-hn: the model gives ${e.dim}-dim documents but ${dim}-dim queries`);
        if (!built) {
          built = kind.build(dim);
          built.reserve?.(corpus.length);
        }
        built.add(e.data, chunk.map((d) => d.id));
        // Vectors of texts whose scores are needed, kept now rather than encoded again.
        chunk.forEach((d, i) => {
          if (needed.has(d.text) && !textVectors.has(d.text)) textVectors.set(d.text, e.data.slice(i * dim, (i + 1) * dim));
        });
      }
      progress('encode-corpus', corpus.length, corpus.length);
      index = built!;
      if (o.indexFile) {
        await index.save(o.indexFile, { corpus_fingerprint: corpusFp, encoding_fingerprint: encodingFp, model_fingerprint: modelFp, index_kind: kind.name, document_instruction: docInstruction, normalized: String(o.normalize) });
        log(`build-hn: saved the corpus index to ${o.indexFile}`);
      }
    }
    const rowOf = index.searchNeighbors ? undefined : new Map(corpus.map((d, i) => [d.id, i] as const));
    progress('search', 0, queries.length);
    try {
      neighbors = await timed(() => searchNeighbors(index!, qvecs!, depth, rowOf), 'search');
    } finally {
      index.close?.();
    }
    progress('search', queries.length, queries.length);
  }

  // ---- scores of the positives (and kept negatives) ----
  const missing = [...needed].filter((t) => !textVectors.has(t));
  if (missing.length) {
    progress('encode-positives', 0, missing.length);
    const e = await timed(() => embed(model, missing, 'document', embedSettings(o.documentInstruction)), 'encode');
    missing.forEach((t, i) => textVectors.set(t, e.data.subarray(i * dim, (i + 1) * dim)));
    progress('encode-positives', missing.length, missing.length);
  }
  const scoreOf = (qi: number, text: string) => dot(qvecs!, qi * dim, textVectors.get(text)!, 0, dim);

  // ---- select and write ----
  const tWrite0 = performance.now();
  const settings: OutputSettings = { format: o.outputFormat, keys, negativesMode: o.negativesMode, outputScores: o.outputScores, count: o.negativeNumber, positiveScoresKey: o.positiveScoresKey, negativeScoresKey: o.negativeScoresKey };
  const removed: RemovedCounts = noneRemoved();
  const posScores: number[] = [], negScores: number[] = [], diffs: number[] = [];
  let written = 0, dropped = 0, negatives = 0, filled = 0;
  const short = { rows: 0, missing: 0, byMissing: {} as Record<string, number> };
  // Titled pool documents by their bare text, to match the rows' own negatives against (append only).
  let titledByBare: Map<string, string[]> | undefined;
  if (o.negativesMode === 'append') {
    titledByBare = new Map();
    for (const d of corpus) {
      if (d.bare === d.text) continue;
      const list = titledByBare.get(d.bare);
      if (list) list.push(d.text);
      else titledByBare.set(d.bare, [d.text]);
    }
  }
  const out = new AtomicFile(o.outputFile);
  try {
    let buffer = '';
    const k = neighbors.k;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!, qi = rowQuery[r]!;
      const positives = positivesOf[qi]!;
      const own = row.positives.map((p) => scoreOf(qi, p));
      // The margins compare against the query's hardest (lowest-scoring) positive, as sentence-transformers does.
      const minPositive = Math.min(...[...positives].map((p) => (textVectors.has(p) ? scoreOf(qi, p) : Infinity)));
      // The row's own negatives (appended to) are never picked again, matched by the joined text and, for a titled pool document, its bare text.
      const exclude = new Set<string>();
      if (o.negativesMode === 'append') {
        for (const n of row.negatives) {
          exclude.add(n);
          for (const t of titledByBare?.get(n) ?? []) exclude.add(t);
        }
      }
      const sel = selectNegatives(
        neighbors.rows.subarray(qi * k, (qi + 1) * k),
        neighbors.scores.subarray(qi * k, (qi + 1) * k),
        (d) => corpus[d]!.text,
        (d) => positives.has(corpus[d]!.text) || positives.has(corpus[d]!.bare),
        (d) => corpus[d]!.text === row.query || corpus[d]!.bare === row.query,
        exclude,
        minPositive,
        { range, count: o.negativeNumber, strategy: o.samplingStrategy, maxScore: o.maxScore, minScore: o.minScore, absoluteMargin: o.absoluteMargin, relativeMargin: o.relativeMargin },
        derivedGenerator(o.seed, r),
      );
      for (const key of Object.keys(removed) as (keyof RemovedCounts)[]) removed[key] += sel.removed[key];
      filled += sel.filled;
      const lack = o.negativeNumber - sel.picked.length;
      if (lack > 0) {
        short.rows++;
        short.missing += lack;
        short.byMissing[lack] = (short.byMissing[lack] ?? 0) + 1;
      }
      const mined = {
        row,
        negatives: sel.picked.map((c) => corpus[c.row]!.text),
        negativeScores: sel.picked.map((c) => c.score),
        positiveScores: own,
        existingScores: o.outputScores && o.negativesMode === 'append' ? row.negatives.map((n) => scoreOf(qi, n)) : undefined,
      };
      const records = recordsFor(mined, settings);
      if (!records.length) dropped++;
      else {
        negatives += mined.negatives.length;
        posScores.push(...own);
        for (const c of sel.picked) {
          negScores.push(c.score);
          diffs.push(minPositive - c.score);
        }
      }
      for (const rec of records) buffer += JSON.stringify(rec) + '\n';
      written += records.length;
      if (buffer.length > 1 << 20) {
        out.write(buffer);
        buffer = '';
      }
      if (r % 4096 === 0) progress('write', r, rows.length);
    }
    out.write(buffer);
    out.commit();
  } catch (e) {
    out.abort();
    throw e;
  }
  progress('write', rows.length, rows.length);
  const tEnd = performance.now();
  if (short.rows) log(`build-hn: ${short.rows} rows got fewer than ${o.negativeNumber} negatives`);
  return {
    inputFile: o.inputFile,
    outputFile: o.outputFile,
    outputFormat: o.outputFormat,
    rows: rows.length,
    recordsWritten: written,
    rowsDropped: dropped,
    queries: queries.length,
    corpusSize: corpus.length,
    index: indexInfo,
    range: [lo, hi],
    negativesPerRow: o.negativeNumber,
    negatives,
    filled,
    short,
    removed,
    scores: { positive: scoreStats(posScores), negative: scoreStats(negScores), difference: scoreStats(diffs) },
    seconds: { read: (tRead - t0) / 1000, encode: encodeMs / 1000, search: searchMs / 1000, write: (tEnd - tWrite0) / 1000, total: (tEnd - t0) / 1000 },
  };
}

/** The corpus without a candidate pool: every positive and negative of the rows, each text once, in first-seen order (ids = row numbers). */
function corpusOfRows(rows: readonly TrainingRow[]): CorpusDoc[] {
  const seen = new Set<string>();
  const out: CorpusDoc[] = [];
  for (const r of rows) {
    for (const t of [...r.positives, ...r.negatives]) {
      if (seen.has(t)) continue;
      seen.add(t);
      out.push({ id: String(out.length), text: t, bare: t });
    }
  }
  return out;
}
