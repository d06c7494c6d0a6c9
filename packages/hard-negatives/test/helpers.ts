import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator } from '@retrievals/core-tensor';
import { EmbeddingMatrix } from '@retrievals/models';
import type { MiningModel } from '../src/index.js';

export const tmp = (prefix = 'hn-') => mkdtempSync(join(tmpdir(), prefix));

export function writeJsonl(path: string, rows: readonly unknown[]): string {
  writeFileSync(path, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return path;
}

export function unitRows(n: number, d: number, gen: Generator): Float32Array {
  const a = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += (a[i * d + j] = gen.normal()) ** 2;
    s = Math.sqrt(s);
    for (let j = 0; j < d; j++) a[i * d + j]! /= s;
  }
  return a;
}

/**
 * Unit vectors of low intrinsic dimension, as text embeddings are: a random linear map of
 * `latent`-dim Gaussian points into `d` dims, plus a little noise. Nearest neighbours are then
 * meaningful (pure random unit vectors in high dims are all nearly orthogonal), so ANN and
 * quantisation recall figures mean what they mean on real embeddings. `map` shares one embedding
 * space between corpus and queries.
 */
export function latentRows(n: number, d: number, gen: Generator, map: Float32Array, latent: number, noise = 0.02): Float32Array {
  const a = new Float32Array(n * d), z = new Float32Array(latent);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < latent; t++) z[t] = gen.normal();
    let s = 0;
    for (let j = 0; j < d; j++) {
      let v = noise * gen.normal();
      for (let t = 0; t < latent; t++) v += map[j * latent + t]! * z[t]!;
      a[i * d + j] = v;
      s += v * v;
    }
    s = Math.sqrt(s);
    for (let j = 0; j < d; j++) a[i * d + j]! /= s;
  }
  return a;
}

export function latentSpace(d: number, latent: number, gen: Generator): Float32Array {
  return Float32Array.from({ length: d * latent }, () => gen.normal() / Math.sqrt(latent));
}

/** Every score sorted (score desc, row asc) in float64: the reference top k. */
export function bruteForce(corpus: Float32Array, queries: Float32Array, d: number, k: number): { rows: number[]; scores: number[] }[] {
  const n = corpus.length / d;
  return Array.from({ length: queries.length / d }, (_, q) => {
    const all = Array.from({ length: n }, (_, r) => {
      let s = 0;
      for (let j = 0; j < d; j++) s += queries[q * d + j]! * corpus[r * d + j]!;
      return { r, s };
    }).sort((a, b) => b.s - a.s || a.r - b.r);
    return { rows: all.slice(0, k).map((x) => x.r), scores: all.slice(0, k).map((x) => x.s) };
  });
}

export function recallAt(exact: Int32Array | number[][], got: Int32Array, nq: number, k: number): number {
  let hit = 0;
  for (let q = 0; q < nq; q++) {
    const truth = new Set(Array.isArray(exact) ? exact[q]!.slice(0, k) : Array.from(exact.subarray(q * k, q * k + k)));
    for (let j = 0; j < k; j++) if (truth.has(got[q * k + j]!)) hit++;
  }
  return hit / (nq * k);
}

/**
 * A deterministic stand-in model: a text's vector is `table[text]` when the table names it, else a
 * direction seeded by a hash of the text. Fast, and exact control of scores (ties included).
 */
export function tableModel(table: Record<string, number[]> = {}, dim = 8): MiningModel & { fingerprint: string; calls: number } {
  const vectorOf = (text: string): Float32Array => {
    const v = table[text];
    if (v) return Float32Array.from(v);
    let h = 2166136261;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
    const gen = new Generator(h);
    return Float32Array.from({ length: dim }, () => gen.normal());
  };
  const encode = async (texts: readonly string[], options: { normalize?: boolean } = {}) => {
    const out = new Float32Array(texts.length * dim);
    texts.forEach((t, i) => {
      const v = vectorOf(t);
      if (options.normalize) {
        const s = Math.hypot(...v) || 1;
        for (let j = 0; j < dim; j++) v[j]! /= s;
      }
      out.set(v, i * dim);
    });
    model.calls++;
    return new EmbeddingMatrix(out, [texts.length, dim]);
  };
  const model = {
    fingerprint: `table-${dim}-${JSON.stringify(table).length}`,
    calls: 0,
    queryInstruction: undefined,
    documentInstruction: undefined,
    encode,
    encodeQueries: encode,
    encodeCorpus: (docs: readonly unknown[], o?: { normalize?: boolean }) => encode(docs as string[], o),
  };
  return model as unknown as MiningModel & { fingerprint: string; calls: number };
}
