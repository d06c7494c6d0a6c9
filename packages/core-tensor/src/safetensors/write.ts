import { bytesPerElement, type DType, type TypedArray } from '../dtype.js';
import { SafetensorsError } from '../errors.js';
import { AtomicFile } from '../files.js';
import { DTYPE_TO_SAFETENSORS } from './format.js';

/** A tensor to write: its data in memory, or streamed in order in as many chunks as convenient (a file-backed index streams its blocks). */
export type TensorToWrite = { dtype: DType; shape: readonly number[] } & ({ data: TypedArray; chunks?: never } | { chunks: () => Iterable<Uint8Array>; data?: never });

// The Rust writer lays tensors out by dtype (largest alignment first), then by name.
const DTYPE_ORDER: DType[] = ['int64', 'float64', 'float32', 'int32', 'bfloat16', 'float16', 'int8', 'uint8', 'bool'];

/**
 * Writes tensors in the layout Python's `safetensors` writes (sorted by dtype then name, header
 * padded with spaces to 8 bytes), through a temporary file renamed into place so a crash never
 * leaves half a file; the same tensors and metadata always give the same bytes.
 */
export function writeSafetensors(
  path: string,
  tensors: Map<string, TensorToWrite> | Record<string, TensorToWrite>,
  metadata?: Record<string, string>,
): void {
  const entries = (tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors)).sort(
    ([a, ta], [b, tb]) => DTYPE_ORDER.indexOf(ta.dtype) - DTYPE_ORDER.indexOf(tb.dtype) || (a < b ? -1 : a > b ? 1 : 0),
  );
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) header.__metadata__ = metadata;
  const sizes: number[] = [];
  let offset = 0;
  for (const [name, t] of entries) {
    const st = DTYPE_TO_SAFETENSORS[t.dtype];
    if (!st) throw new SafetensorsError(`${path}: tensor '${name}': dtype ${t.dtype} has no safetensors name`);
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (t.data && t.data.BYTES_PER_ELEMENT !== bytesPerElement(t.dtype)) {
      throw new SafetensorsError(`${path}: tensor '${name}': a ${t.data.constructor.name} cannot hold ${t.dtype} values`);
    }
    if (t.data && t.data.length !== n) {
      throw new SafetensorsError(`${path}: tensor '${name}': shape [${t.shape.join(', ')}] needs ${n} elements, data has ${t.data.length}`);
    }
    const size = n * bytesPerElement(t.dtype);
    header[name] = { dtype: st, shape: [...t.shape], data_offsets: [offset, offset + size] };
    sizes.push(size);
    offset += size;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(headerBytes.length));
  let file: AtomicFile | undefined;
  try {
    file = new AtomicFile(path);
    file.write(len);
    file.write(headerBytes);
    entries.forEach(([name, t], i) => {
      const chunks = t.data ? [new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)] : t.chunks();
      let wrote = 0;
      for (const chunk of chunks) {
        file!.write(chunk);
        wrote += chunk.length;
      }
      if (wrote !== sizes[i]) throw new SafetensorsError(`${path}: tensor '${name}' streamed ${wrote} bytes, its shape [${t.shape.join(', ')}] needs ${sizes[i]}`);
    });
    file.commit();
  } catch (e) {
    file?.abort();
    if (e instanceof SafetensorsError) throw e;
    throw new SafetensorsError((e as Error).message, { cause: e });
  }
}
