import type { DType } from '@retrievals/core-tensor';

/** dtype codes shared with native/common.hpp. */
export const DTYPE_CODE: Record<DType, number> = { float32: 0, float64: 1, int32: 2, int64: 3, bool: 4, float16: 5, bfloat16: 6, int8: 7, uint8: 8 };

export const ELEMENT_BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, int64: 8, bool: 1, float16: 2, bfloat16: 2, int8: 1, uint8: 1 };

/** Opcodes of the instruction stream (native/plan.cc's enum Op). */
export const OP = {
  unary: 1, binary: 2, where: 3, reduce: 4, copy: 5, paste: 6, fill: 7, gather: 8, gatherGrad: 9,
  gatherElements: 10, scatterAdd: 11, topk: 12, cumsum: 13, matmul: 14, fused: 15, softmax: 16, layerNorm: 17, adamw: 18, geluGrad: 19, rows: 20,
} as const;

/** Unary function codes (native/elementwise.cc's enum Unary). */
export const UNARY_FN = {
  neg: 0, exp: 1, log: 2, sqrt: 3, abs: 4, tanh: 5, sigmoid: 6, erf: 7, reciprocal: 8, sin: 9, cos: 10, sign: 11,
  identity: 12, not: 13, gelu: 14, geluTanh: 15, cast: 16,
} as const;

/** Binary function codes (native/elementwise.cc's enum Binary). */
export const BINARY_FN = {
  add: 0, sub: 1, mul: 2, div: 3, pow: 4, maximum: 5, minimum: 6, equal: 7, less: 8, greater: 9, and: 10, or: 11,
} as const;

/** sumProduct: Σ a·b, each product rounded as a float32 mul (native/reduce.cc); its second factor is a trailing word. */
export const REDUCE_FN = { sum: 0, max: 1, min: 2, argmax: 3, sumProduct: 4 } as const;

/** Where a value lives during a run (native/plan.hpp's enum Storage). */
export const STORAGE = { feed: 0, const: 1, arena: 2, output: 3 } as const;
