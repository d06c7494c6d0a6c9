import { DTypeError } from './errors.js';

/**
 * Compute dtypes are float32, int32, int64 and bool. float16/bfloat16 (and the 8-bit types used by
 * quantized embeddings) are storage dtypes: they load from safetensors and are cast before compute.
 */
export type DType = 'float32' | 'float64' | 'int32' | 'int64' | 'bool' | 'float16' | 'bfloat16' | 'int8' | 'uint8';

export type TypedArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Int8Array;

interface DTypeInfo {
  bytes: number;
  make: (n: number) => TypedArray;
  fromBuffer: (buf: ArrayBuffer, byteOffset: number, length: number) => TypedArray;
}

const INFO: Record<DType, DTypeInfo> = {
  float32: { bytes: 4, make: (n) => new Float32Array(n), fromBuffer: (b, o, n) => new Float32Array(b, o, n) },
  float64: { bytes: 8, make: (n) => new Float64Array(n), fromBuffer: (b, o, n) => new Float64Array(b, o, n) },
  int32: { bytes: 4, make: (n) => new Int32Array(n), fromBuffer: (b, o, n) => new Int32Array(b, o, n) },
  int64: { bytes: 8, make: (n) => new BigInt64Array(n), fromBuffer: (b, o, n) => new BigInt64Array(b, o, n) },
  bool: { bytes: 1, make: (n) => new Uint8Array(n), fromBuffer: (b, o, n) => new Uint8Array(b, o, n) },
  float16: { bytes: 2, make: (n) => new Uint16Array(n), fromBuffer: (b, o, n) => new Uint16Array(b, o, n) },
  bfloat16: { bytes: 2, make: (n) => new Uint16Array(n), fromBuffer: (b, o, n) => new Uint16Array(b, o, n) },
  int8: { bytes: 1, make: (n) => new Int8Array(n), fromBuffer: (b, o, n) => new Int8Array(b, o, n) },
  uint8: { bytes: 1, make: (n) => new Uint8Array(n), fromBuffer: (b, o, n) => new Uint8Array(b, o, n) },
};

export const DTYPES = Object.keys(INFO) as DType[];

export function dtypeInfo(dtype: DType): DTypeInfo {
  // Own keys only: 'toString' or '__proto__' must not find Object.prototype's members.
  const info = Object.hasOwn(INFO, dtype) ? INFO[dtype] : undefined;
  if (!info) throw new DTypeError(`unknown dtype '${String(dtype)}'; known: ${DTYPES.join(', ')}`);
  return info;
}

export function bytesPerElement(dtype: DType): number {
  return dtypeInfo(dtype).bytes;
}

export function allocate(dtype: DType, n: number): TypedArray {
  return dtypeInfo(dtype).make(n);
}

export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16' || dtype === 'bfloat16';
}

// float16 <-> float32 without Float16Array (Node 20 has none).
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

export function floatToHalf(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

export function bfloat16ToFloat(b: number): number {
  u32[0] = b << 16;
  return f32[0]!;
}

export function floatToBfloat16(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  if ((bits & 0x7f800000) === 0x7f800000 && bits & 0x7fffff) return (bits >>> 16) | 0x40;
  // round to nearest even on the dropped 16 bits
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Converts between dtypes element by element (float16/bfloat16 through float32). */
export function castArray(src: TypedArray, from: DType, to: DType): TypedArray {
  if (from === to) return src;
  const n = src.length;
  const out = allocate(to, n);
  const read: (i: number) => number =
    from === 'float16'
      ? (i) => halfToFloat(src[i] as number)
      : from === 'bfloat16'
        ? (i) => bfloat16ToFloat(src[i] as number)
        : from === 'int64'
          ? (i) => Number(src[i] as bigint)
          : (i) => src[i] as number;
  switch (to) {
    case 'float16':
      for (let i = 0; i < n; i++) out[i] = floatToHalf(read(i));
      break;
    case 'bfloat16':
      for (let i = 0; i < n; i++) out[i] = floatToBfloat16(read(i));
      break;
    case 'int64':
      for (let i = 0; i < n; i++) (out as BigInt64Array)[i] = BigInt(Math.trunc(read(i)));
      break;
    case 'bool':
      for (let i = 0; i < n; i++) out[i] = read(i) !== 0 ? 1 : 0;
      break;
    default:
      for (let i = 0; i < n; i++) out[i] = read(i);
  }
  return out;
}
