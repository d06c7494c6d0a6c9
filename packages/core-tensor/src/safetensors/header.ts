import { bytesPerElement } from '../dtype.js';
import { SafetensorsError } from '../errors.js';
import { MAX_HEADER_BYTES, SAFETENSORS_DTYPES, type TensorInfo } from './format.js';

export interface ParsedHeader {
  tensors: Map<string, TensorInfo>;
  metadata: Record<string, string>;
  /** Offset of the data section from the start of the file. */
  dataStart: number;
}

/**
 * Validates everything a reader relies on before any tensor is read: the header length, the JSON,
 * each dtype name, shape, and byte range (inside the file, matching dtype×shape, not overlapping,
 * and together covering the data section exactly).
 */
export function parseHeader(file: string, headerLen: bigint, headerBytes: Uint8Array | undefined, fileSize: number): ParsedHeader {
  const fail = (msg: string): never => {
    throw new SafetensorsError(`${file}: corrupt safetensors file: ${msg}`);
  };
  if (fileSize < 8) fail(`file is ${fileSize} bytes, shorter than the 8-byte header length`);
  if (headerLen > BigInt(MAX_HEADER_BYTES)) fail(`header length ${headerLen} exceeds ${MAX_HEADER_BYTES} bytes`);
  const len = Number(headerLen);
  if (8 + len > fileSize) fail(`header length ${len} runs past the end of the file (${fileSize} bytes)`);
  if (!headerBytes) return fail('header missing');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (e) {
    return fail(`header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('header JSON is not an object');
  const dataStart = 8 + len;
  const dataSize = fileSize - dataStart;
  const tensors = new Map<string, TensorInfo>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Object.values(raw).some((v) => typeof v !== 'string')) {
        fail(`__metadata__ must map strings to strings`);
      }
      metadata = raw as Record<string, string>;
      continue;
    }
    const entry = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof entry !== 'object' || entry === null) fail(`tensor '${name}': entry is not an object`);
    const dtype = typeof entry.dtype === 'string' && Object.hasOwn(SAFETENSORS_DTYPES, entry.dtype) ? SAFETENSORS_DTYPES[entry.dtype] : undefined;
    if (!dtype) fail(`tensor '${name}': dtype ${JSON.stringify(entry.dtype)} is not one of ${Object.keys(SAFETENSORS_DTYPES).join(', ')}`);
    const shape = entry.shape;
    if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
      fail(`tensor '${name}': shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    }
    const offsets = entry.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((o) => !Number.isSafeInteger(o) || o < 0)) {
      fail(`tensor '${name}': data_offsets ${JSON.stringify(offsets)} is not [begin, end]`);
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin) fail(`tensor '${name}': data_offsets [${begin}, ${end}] end before begin`);
    if (end > dataSize) fail(`tensor '${name}': data_offsets [${begin}, ${end}] past the data section (${dataSize} bytes; file truncated?)`);
    const expected = (shape as number[]).reduce((a, b) => a * b, 1) * bytesPerElement(dtype!);
    if (end - begin !== expected) {
      fail(`tensor '${name}': ${end - begin} bytes for ${entry.dtype as string}${JSON.stringify(shape)}, expected ${expected}`);
    }
    tensors.set(name, { dtype: dtype!, shape: shape as number[], begin, end });
  }
  const sorted = [...tensors.entries()].sort((a, b) => a[1].begin - b[1].begin || a[1].end - b[1].end);
  let cursor = 0;
  for (const [name, info] of sorted) {
    if (info.begin < cursor) fail(`tensor '${name}' [${info.begin}, ${info.end}] overlaps the tensor before it (ends at ${cursor})`);
    if (info.begin > cursor) fail(`hole in the data section before tensor '${name}' (bytes ${cursor}..${info.begin})`);
    cursor = info.end;
  }
  if (cursor !== dataSize) fail(`data section is ${dataSize} bytes but tensors cover ${cursor}`);
  return { tensors, metadata, dataStart };
}
