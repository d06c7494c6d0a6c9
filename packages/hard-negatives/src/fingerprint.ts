import { createHash, type Hash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { AutoModelForEmbedding } from '@retrievals/models';
import { readFully } from './read-fully.js';

/** Files up to this size are hashed whole; larger ones by their size and 16 evenly spaced 64 KiB samples. */
const WHOLE_FILE = 64 * 2 ** 20;
const SAMPLE = 64 * 2 ** 10;

function hashFile(h: Hash, path: string): void {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    h.update(`${size}\0`);
    const buf = Buffer.alloc(Math.min(size, size <= WHOLE_FILE ? 4 * 2 ** 20 : SAMPLE));
    const readAt = (pos: number, len: number) => h.update(buf.subarray(0, readFully(fd, buf.subarray(0, len), pos)));
    if (size <= WHOLE_FILE) for (let pos = 0; pos < size; pos += buf.length) readAt(pos, Math.min(buf.length, size - pos));
    else for (let i = 0; i < 16; i++) readAt(Math.floor(((size - SAMPLE) * i) / 15), SAMPLE);
  } finally {
    closeSync(fd);
  }
}

function folderFiles(dir: string, depth = 2): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith('.')) continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory() && depth > 1) out.push(...folderFiles(p, depth - 1));
    else if (entry.isFile() || (entry.isSymbolicLink() && statSync(p).isFile())) out.push(p);
  }
  return out;
}

/**
 * What decides a model's embeddings, hashed: the files of its folder (weights, config, tokenizer,
 * pooling; hashed whole up to 64 MiB, else by size and 16 samples) and the settings it was loaded
 * with (pooling, normalisation, max length, lowercasing, EOS, runtime, dtype, LoRA). Two folders
 * with the same files give the same fingerprint wherever they are. A model object without a folder
 * (a test double) may carry its own `fingerprint` string.
 */
export function modelFingerprint(model: AutoModelForEmbedding | { fingerprint: string }): string {
  const own = (model as { fingerprint?: unknown }).fingerprint;
  if (typeof own === 'string') return own;
  const m = model as AutoModelForEmbedding;
  const h = createHash('sha256');
  h.update('retrievals-model-v1\0');
  for (const file of folderFiles(m.dir)) {
    h.update(`${relative(m.dir, file)}\0`);
    hashFile(h, file);
  }
  const o = m.options ?? {};
  const settings = {
    pooling: m.poolingMethod,
    normalize: m.normalize,
    maxLength: m.maxLength,
    doLowerCase: m.doLowerCase,
    addEos: m.addEos,
    runtime: m.runtime?.name,
    dtype: (o as Record<string, unknown>).dtype ?? null,
    useFp16: (o as Record<string, unknown>).useFp16 ?? null,
    onnxFile: (o as Record<string, unknown>).onnxFile ?? null,
  };
  h.update(JSON.stringify(settings));
  const lora = (o as Record<string, unknown>).lora;
  if (typeof lora === 'string') for (const file of folderFiles(lora)) hashFile(h.update(`lora:${relative(lora, file)}\0`), file);
  return h.digest('hex');
}

/** A running sha256 over texts (and ids), in order: two corpora or query lists are the same iff their fingerprints are. */
export class TextHasher {
  private readonly h = createHash('sha256');
  count = 0;

  constructor(tag: string) {
    this.h.update(`${tag}\0`);
  }

  add(text: string, id = ''): void {
    this.h.update(`${id.length}:${id}${text.length}:${text}\n`);
    this.count++;
  }

  digest(): string {
    return this.h.digest('hex');
  }
}

/** How documents were embedded: the model, the instruction template and whether vectors were normalised. */
export function encodingFingerprint(modelFp: string, instruction: string | undefined, normalized: boolean): string {
  return createHash('sha256').update(JSON.stringify({ model: modelFp, instruction: instruction ?? '', normalized })).digest('hex');
}
