import type { DType } from '../dtype.js';

/** safetensors dtype names and ours. */
export const SAFETENSORS_DTYPES: Record<string, DType> = {
  F32: 'float32',
  F64: 'float64',
  F16: 'float16',
  BF16: 'bfloat16',
  I32: 'int32',
  I64: 'int64',
  BOOL: 'bool',
  I8: 'int8',
  U8: 'uint8',
};

export const DTYPE_TO_SAFETENSORS = Object.fromEntries(
  Object.entries(SAFETENSORS_DTYPES).map(([k, v]) => [v, k]),
) as Record<DType, string>;

export interface TensorInfo {
  dtype: DType;
  shape: number[];
  /** Byte range inside the data section (after the 8-byte length and the JSON header). */
  begin: number;
  end: number;
}

/** The JSON header caps at 100 MB, as the reference implementation does, so a corrupt length can't allocate gigabytes. */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;
