import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '@retrievals/core-tensor';
import { IndexError } from './errors.js';

// A short magic line, a little-endian u32 header length, a JSON header, then the vectors as raw float32.
const MAGIC = Buffer.from('retrievals-index\n');

export interface IndexFileHeader {
  kind: string;
  dim: number;
  ids: string[];
}

/** Writes to a temporary file beside `path`, then renames it over: readers see the old file or the new one, never half of one. */
export async function writeIndexFile(path: string, header: IndexFileHeader, vectors: Float32Array): Promise<void> {
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  const body = Buffer.from(vectors.buffer, vectors.byteOffset, vectors.byteLength);
  try {
    writeFileAtomic(path, [MAGIC, length, json, body]);
  } catch (e) {
    throw new IndexError(`${path}: cannot write the index: ${(e as Error).message}`, { cause: e });
  }
}

export async function readIndexFile(path: string, kind: string): Promise<{ header: IndexFileHeader; vectors: Float32Array }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new IndexError(`${path}: cannot read the index: ${(e as Error).message}`, { cause: e });
  }
  if (bytes.length < MAGIC.length + 4 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new IndexError(`${path}: not a retrievals index file`);
  const jsonLength = bytes.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4 + jsonLength;
  let header: IndexFileHeader;
  try {
    header = JSON.parse(bytes.subarray(MAGIC.length + 4, start).toString('utf8')) as IndexFileHeader;
  } catch (e) {
    throw new IndexError(`${path}: the index header is not valid JSON: ${(e as Error).message}`);
  }
  if (header.kind !== kind) throw new IndexError(`${path}: holds a '${header.kind}' index, expected '${kind}'`);
  if (!Number.isSafeInteger(header.dim) || header.dim < 1 || !Array.isArray(header.ids)) throw new IndexError(`${path}: header field 'dim' or 'ids' is malformed`);
  const expected = header.ids.length * header.dim * 4;
  if (bytes.length - start !== expected) {
    throw new IndexError(`${path}: ${header.ids.length} vectors of dim ${header.dim} need ${expected} bytes of data, the file has ${bytes.length - start} (truncated?)`);
  }
  // Copied out: the vectors' offset in the file need not be 4-byte aligned.
  const vectors = new Float32Array(header.ids.length * header.dim);
  new Uint8Array(vectors.buffer).set(bytes.subarray(start));
  return { header, vectors };
}
