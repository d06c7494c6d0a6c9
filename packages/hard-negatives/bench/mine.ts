/**
 * The hard-negative search benchmark: Q queries over an N × D corpus of seeded random unit vectors,
 * searched to depth K (build-hn's default depth, 240) with each index, next to a raw onnxruntime
 * MatMul of the flat index's block shapes in the same process.
 *
 *   npx tsx bench/mine.ts                                      # 10k × 200k × 384 (the full size)
 *   MINE_QUERIES=1000 MINE_CORPUS=20000 npx tsx bench/mine.ts  # a quick run
 *
 * Environment: MINE_QUERIES (10000), MINE_CORPUS (200000), MINE_DIM (384), MINE_K (240),
 * MINE_INDEXES (flat,flat-int8,flat-binary,usearch), MINE_DATA (latent: a random 32-dim latent
 * space mapped to D dims, so neighbours mean something as in real embeddings; uniform: i.i.d.
 * random unit vectors, the worst case for ANN and binary recall), MINE_BLOCK / MINE_QUERY_BLOCK
 * (the flat index's blockSize / queryBlock), MINE_RAW_RUNS (8). Figures are printed, never asserted.
 */
import { cpus, availableParallelism } from 'node:os';
import { backends, Generator, tensor, type OnnxGraph } from '@retrievals/core-tensor';
import { indexes, type Neighbors } from '../src/index.js';

const env = (name: string, fallback: number) => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
};

const Q = env('MINE_QUERIES', 10_000), N = env('MINE_CORPUS', 200_000), D = env('MINE_DIM', 384), K = env('MINE_K', 240);
const BLOCK = env('MINE_BLOCK', 16384), QUERY_BLOCK = env('MINE_QUERY_BLOCK', 1024), RAW_RUNS = env('MINE_RAW_RUNS', 8);
const DATA = process.env.MINE_DATA ?? 'latent';
const KINDS = (process.env.MINE_INDEXES ?? 'flat,flat-int8,flat-binary,usearch').split(',').map((s) => s.trim()).filter(Boolean);
const LATENT = 32;

const rssMiB = () => process.resourceUsage().maxRSS / 1024;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function vectors(n: number, gen: Generator, map: Float32Array | undefined): Float32Array {
  const a = new Float32Array(n * D), z = new Float64Array(LATENT);
  for (let i = 0; i < n; i++) {
    const o = i * D;
    if (map) {
      for (let t = 0; t < LATENT; t++) z[t] = gen.normal();
      for (let j = 0; j < D; j++) {
        let v = 0.02 * gen.normal();
        for (let t = 0; t < LATENT; t++) v += map[j * LATENT + t]! * z[t]!;
        a[o + j] = v;
      }
    } else for (let j = 0; j < D; j++) a[o + j] = gen.normal();
    let s = 0;
    for (let j = 0; j < D; j++) s += a[o + j]! ** 2;
    s = Math.sqrt(s) || 1;
    for (let j = 0; j < D; j++) a[o + j]! /= s;
  }
  return a;
}

function recallAt10(exact: Neighbors, got: Neighbors): number {
  let hit = 0;
  for (let q = 0; q < exact.queries; q++) {
    const truth = new Set(exact.rows.subarray(q * exact.k, q * exact.k + 10));
    for (let j = 0; j < 10; j++) if (truth.has(got.rows[q * got.k + j]!)) hit++;
  }
  return hit / (exact.queries * 10);
}

/** A raw onnxruntime MatMul [qb, D] @ [D, block] (the corpus block pre-transposed), compiled through core-tensor's ort backend. */
async function rawMatMul(qb: number, block: number, gen: Generator): Promise<number> {
  const ort = backends.get('ort');
  const graph: OnnxGraph = {
    name: 'raw_matmul',
    opset: 17,
    nodes: [{ op: 'MatMul', inputs: ['a', 'b'], outputs: ['c'] }],
    inputs: [{ name: 'a', dtype: 'float32', dims: [qb, D] }, { name: 'b', dtype: 'float32', dims: [D, block] }],
    outputs: [{ name: 'c', dtype: 'float32', dims: [qb, block] }],
    initializers: [],
  };
  const g = await ort.compileGraph!(graph);
  const a = Float32Array.from({ length: qb * D }, () => gen.normal()), b = Float32Array.from({ length: D * block }, () => gen.normal());
  const inputs = [tensor(a, [qb, D]), tensor(b, [D, block])];
  await g.run(inputs);
  const times: number[] = [];
  for (let r = 0; r < RAW_RUNS; r++) {
    const t = performance.now();
    await g.run(inputs);
    times.push(performance.now() - t);
  }
  await g.release();
  times.sort((x, y) => x - y);
  return times[Math.floor(times.length / 2)]!; // median
}

async function main(): Promise<void> {
  console.log(`hard-negatives search bench: ${Q.toLocaleString()} queries × ${N.toLocaleString()} corpus × ${D} dims, depth ${K}, data '${DATA}'`);
  console.log(`cpu: ${cpus()[0]?.model ?? 'unknown'} × ${availableParallelism()} (node ${process.version})`);
  const gen = new Generator(42);
  const map = DATA === 'uniform' ? undefined : Float32Array.from({ length: D * LATENT }, () => gen.normal() / Math.sqrt(LATENT));
  let t = performance.now();
  const corpus = vectors(N, gen, map), queries = vectors(Q, gen, map);
  const ids = Array.from({ length: N }, (_, i) => String(i));
  console.log(`data: ${secs(performance.now() - t)}, peak RSS ${rssMiB().toFixed(0)} MiB`);

  const flops = 2 * Q * N * D;
  const qb = Math.min(QUERY_BLOCK, Q), block = Math.min(BLOCK, N);
  const rawMs = await rawMatMul(qb, block, gen);
  const rawGflops = (2 * qb * block * D) / rawMs / 1e6;
  console.log(`raw onnxruntime MatMul [${qb}×${D}]·[${D}×${block}] (median of ${RAW_RUNS}): ${rawMs.toFixed(1)} ms = ${rawGflops.toFixed(1)} GFLOPS`);

  let exact: Neighbors | undefined;
  const rows: string[] = [];
  for (const name of KINDS) {
    const spec = name.startsWith('flat') ? { name, blockSize: BLOCK, queryBlock: QUERY_BLOCK } : { name };
    const kind = indexes.create(spec);
    t = performance.now();
    const index = kind.build(D);
    index.reserve?.(N);
    for (let r0 = 0; r0 < N; r0 += 50_000) index.add(corpus.subarray(r0 * D, Math.min(N, r0 + 50_000) * D), ids.slice(r0, r0 + 50_000));
    const buildMs = performance.now() - t;
    t = performance.now();
    const found = await index.searchNeighbors!(queries, K);
    const searchMs = performance.now() - t;
    index.close?.();
    if (name === 'flat') exact = found;
    const recall = exact ? recallAt10(exact, found) : NaN;
    const gflops = name === 'flat' ? ` = ${(flops / searchMs / 1e6).toFixed(1)} GFLOPS (${((100 * flops) / searchMs / 1e6 / rawGflops).toFixed(0)}% of raw MatMul)` : '';
    const line = `${name.padEnd(12)} build ${secs(buildMs).padStart(9)}  search ${secs(searchMs).padStart(9)}${gflops}  ${(Q / (searchMs / 1000)).toFixed(0)} q/s  recall@10 vs flat ${Number.isNaN(recall) ? '-' : recall.toFixed(4)}  peak RSS ${rssMiB().toFixed(0)} MiB`;
    console.log(line);
    rows.push(line);
  }
  if (!exact) console.log('(recall@10 needs flat in MINE_INDEXES)');
}

await main();
