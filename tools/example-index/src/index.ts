import { readFile } from 'node:fs/promises';
import { checks, definePlugin, Generator, opt, writeFileAtomic } from '@retrievals/core-tensor';
import { defineIndex, IndexError, type SearchHit, type VectorIndex } from '@retrievals/hard-negatives';

/**
 * `example-lsh`: random-projection LSH (SimHash) with an exact rescoring step.
 *
 * Each vector gets a `bits`-bit code: bit b is the sign of its dot product with the b-th random
 * hyperplane (drawn from `seed`). The Hamming distance between two codes estimates the angle
 * between the vectors (Charikar 2002: P[bit differs] = θ/π), so a search ranks the corpus by
 * Hamming distance to the query's code — a cheap popcount per row —, keeps the `candidates` nearest
 * codes (at least `oversample`·k), and rescores those exactly by inner product. With
 * `candidates` ≥ the corpus size it is exact; smaller, it trades recall for speed.
 *
 * The plugin contract it shows: `defineIndex` checks the options (by name and value), the dim, and
 * every add/search input (n×dim finite values, one id per row, k a positive integer) before this
 * code sees them, so the class below holds only what is particular to the index.
 */
export class LshIndex implements VectorIndex {
  /** What `save` stored beside the index (the caller's metadata: fingerprints, provenance); empty when built. */
  metadata: Record<string, string> = {};
  private data: Float32Array;
  private codes: Uint32Array;
  private readonly ids: string[] = [];
  private readonly known = new Set<string>();
  private readonly planes: Float32Array;
  private readonly words: number;

  constructor(
    readonly dim: number,
    readonly bits: number,
    readonly seed: number,
    private readonly oversample: number,
    private readonly minCandidates: number,
  ) {
    this.words = Math.ceil(bits / 32);
    const gen = new Generator(seed);
    this.planes = Float32Array.from({ length: bits * dim }, () => gen.normal());
    this.data = new Float32Array(dim * 16);
    this.codes = new Uint32Array(this.words * 16);
  }

  get size(): number {
    return this.ids.length;
  }

  /** The SimHash code of row `r` of `vectors`, written at `out[at…at+words)`. */
  private code(vectors: Float32Array, r: number, out: Uint32Array, at: number): void {
    const d = this.dim;
    out.fill(0, at, at + this.words);
    for (let b = 0; b < this.bits; b++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += vectors[r * d + j]! * this.planes[b * d + j]!;
      if (s > 0) out[at + (b >>> 5)]! |= 1 << (b & 31);
    }
  }

  add(vectors: Float32Array, ids: readonly string[]): void {
    const batch = new Set<string>();
    for (const id of ids) {
      if (this.known.has(id) || batch.has(id)) throw new IndexError(`example-lsh index: id '${id}' is already in the index`);
      batch.add(id);
    }
    const n = this.size + ids.length;
    if (n * this.dim > this.data.length) {
      const grown = new Float32Array(Math.max(n * this.dim, this.data.length * 2));
      grown.set(this.data.subarray(0, this.size * this.dim));
      this.data = grown;
      const codes = new Uint32Array(Math.max(n * this.words, this.codes.length * 2));
      codes.set(this.codes.subarray(0, this.size * this.words));
      this.codes = codes;
    }
    this.data.set(vectors, this.size * this.dim);
    for (let r = 0; r < ids.length; r++) this.code(vectors, r, this.codes, (this.size + r) * this.words);
    for (const id of ids) this.known.add(id);
    this.ids.push(...ids);
  }

  /** The id of row r (insertion order): lets callers map hits back to the rows they added. */
  idOf(row: number): string {
    const id = this.ids[row];
    if (id === undefined) throw new IndexError(`example-lsh index: no row ${row} (it holds ${this.size})`);
    return id;
  }

  async search(queries: Float32Array, k: number): Promise<SearchHit[]> {
    const d = this.dim, n = this.size, w = this.words;
    const take = Math.min(n, Math.max(k * this.oversample, this.minCandidates));
    const qcode = new Uint32Array(w);
    const hamming = new Uint16Array(n);
    const out: SearchHit[] = [];
    for (let q = 0; q < queries.length / d; q++) {
      this.code(queries, q, qcode, 0);
      // 1. Rank by Hamming distance to the query's code; keep the `take` nearest (ties: lower row).
      for (let r = 0; r < n; r++) {
        let h = 0;
        for (let i = 0; i < w; i++) h += popcount(this.codes[r * w + i]! ^ qcode[i]!);
        hamming[r] = h;
      }
      const rows = Array.from({ length: n }, (_, r) => r).sort((a, b) => hamming[a]! - hamming[b]! || a - b).slice(0, take);
      // 2. Rescore the candidates exactly by inner product; keep the k best (ties: lower row, as flat).
      const scored = rows.map((r) => {
        let s = 0;
        for (let j = 0; j < d; j++) s += queries[q * d + j]! * this.data[r * d + j]!;
        return { r, s: Math.fround(s) };
      });
      scored.sort((a, b) => b.s - a.s || a.r - b.r);
      const best = scored.slice(0, Math.min(k, n));
      out.push({ ids: best.map((x) => this.ids[x.r]!), scores: Float32Array.from(best, (x) => x.s) });
    }
    return out;
  }

  /**
   * One file: a magic line, a little-endian u32 header length, a JSON header (dim, bits, seed, ids,
   * and the caller's `metadata`), then the vectors as raw float32. Codes are not stored: they follow from the vectors and the seed.
   * Written through core-tensor's writeFileAtomic (temporary file beside it, fsync, rename), so a
   * reader, or a crash, sees the previous file or the new one, never half of one.
   */
  async save(path: string, metadata: Record<string, string> = {}): Promise<void> {
    const header = Buffer.from(JSON.stringify({ kind: 'example-lsh', dim: this.dim, bits: this.bits, seed: this.seed, ids: this.ids, metadata }));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(header.length);
    const vectors = this.data.subarray(0, this.size * this.dim);
    try {
      writeFileAtomic(path, [MAGIC, length, header, new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength)]);
    } catch (e) {
      throw new IndexError(`${path}: cannot write the example-lsh index: ${(e as Error).message}`, { cause: e });
    }
  }

  static async load(path: string, oversample: number, minCandidates: number): Promise<LshIndex> {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (e) {
      throw new IndexError(`${path}: cannot read the example-lsh index: ${(e as Error).message}`, { cause: e });
    }
    if (bytes.length < MAGIC.length + 4 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new IndexError(`${path}: not an example-lsh index file`);
    const headerEnd = MAGIC.length + 4 + bytes.readUInt32LE(MAGIC.length);
    if (headerEnd > bytes.length) throw new IndexError(`${path}: the header runs past the end of the file (truncated?)`);
    let header: { kind?: unknown; dim?: unknown; bits?: unknown; seed?: unknown; ids?: unknown; metadata?: unknown };
    try {
      header = JSON.parse(bytes.subarray(MAGIC.length + 4, headerEnd).toString('utf8'));
    } catch (e) {
      throw new IndexError(`${path}: the header is not valid JSON: ${(e as Error).message}`);
    }
    const { dim, bits, seed, ids, metadata = {} } = header;
    if (header.kind !== 'example-lsh') throw new IndexError(`${path}: holds a '${String(header.kind)}' index, expected 'example-lsh'`);
    const posInt = (v: unknown) => Number.isSafeInteger(v) && (v as number) > 0;
    if (!posInt(dim) || !posInt(bits) || !Number.isSafeInteger(seed) || !Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
      throw new IndexError(`${path}: header field 'dim', 'bits', 'seed' or 'ids' is malformed`);
    }
    if (typeof metadata !== 'object' || metadata === null || Object.values(metadata).some((v) => typeof v !== 'string')) {
      throw new IndexError(`${path}: header field 'metadata' must map names to strings`);
    }
    const expected = ids.length * (dim as number) * 4;
    if (bytes.length - headerEnd !== expected) {
      throw new IndexError(`${path}: ${ids.length} vectors of dim ${dim} need ${expected} bytes, the file has ${bytes.length - headerEnd} (truncated?)`);
    }
    const vectors = new Float32Array(expected / 4);
    new Uint8Array(vectors.buffer).set(bytes.subarray(headerEnd)); // copied: the data need not be 4-byte aligned in the file
    const index = new LshIndex(dim as number, bits as number, seed as number, oversample, minCandidates);
    index.add(vectors, ids as string[]);
    index.metadata = { ...(metadata as Record<string, string>) };
    return index;
  }
}

const MAGIC = Buffer.from('example-lsh-index\n');

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** The registry entry: `{ name: 'example-lsh', bits: 64, oversample: 10, candidates: 64, seed: 0 }`. */
export const exampleLsh = defineIndex({
  name: 'example-lsh',
  options: {
    /** Code length: more bits estimate the angle better and cost more per row. */
    bits: opt(64, checks.positiveInteger),
    /** The random hyperplanes' seed (saved with the index, so a loaded index hashes the same). */
    seed: opt(0, checks.nonNegativeInteger),
    /** Candidates rescored per query: at least oversample·k … */
    oversample: opt(10, checks.positiveInteger),
    /** … and at least this many. */
    candidates: opt(64, checks.positiveInteger),
  },
  build: (dim, o) => new LshIndex(dim, o.bits, o.seed, o.oversample, o.candidates),
  load: (path, o) => LshIndex.load(path, o.oversample, o.candidates),
});

/**
 * The plugin as a third party would publish it: one default export whose `setup` registers the
 * index by name. A config then asks for it (`"plugins": ["@retrievals/example-index"]`,
 * `"index": { "name": "example-lsh", "bits": 128 }`) exactly as for the built-in `flat`.
 */
export default definePlugin({
  name: '@retrievals/example-index',
  setup({ indexes }) {
    if (!indexes) throw new Error('@retrievals/example-index needs the indexes registry of @retrievals/hard-negatives');
    indexes.register('example-lsh', exampleLsh);
  },
});
