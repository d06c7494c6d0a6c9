import { allocate, type DType, type TypedArray } from './dtype.js';
import { DTypeError, RetrievalsError, ShapeError } from './errors.js';
import { isGradEnabled } from './context.js';
import type { Generator } from './random.js';
import type { TensorLike } from './ops/elementwise.js';
import type { Axes } from './ops/reduce.js';
import { type OpAttrs, type OpName, type OpNode } from './ops/table.js';
import { fmt, numel, type Shape } from './shape.js';

/** A recorded operation, discriminated by its op: what produced a lazy tensor. Kept after realisation, for autograd. */
export type Node = { [K in OpName]: OpNode<K> }[OpName];

let nextId = 0;

/**
 * A lazy tensor. Ops record nodes; values exist once something realises it (`await t.data()`,
 * `realize(...)`, an optimizer step). A tensor with data is a leaf for the next realisation.
 */
// PyTorch-style methods, attached in methods.ts. Declared here (merged with the class) rather than by
// module augmentation there, because augmentations of relative modules do not survive the .d.ts bundle.
// Both spellings exist: `x.add(y).gelu()` and `gelu(add(x, y))`.
export interface Tensor {
  add(o: TensorLike): Tensor;
  sub(o: TensorLike): Tensor;
  mul(o: TensorLike): Tensor;
  div(o: TensorLike): Tensor;
  pow(o: TensorLike): Tensor;
  maximum(o: TensorLike): Tensor;
  minimum(o: TensorLike): Tensor;
  eq(o: TensorLike): Tensor;
  lt(o: TensorLike): Tensor;
  gt(o: TensorLike): Tensor;
  neg(): Tensor;
  exp(): Tensor;
  log(): Tensor;
  sqrt(): Tensor;
  rsqrt(): Tensor;
  abs(): Tensor;
  tanh(): Tensor;
  sigmoid(): Tensor;
  relu(): Tensor;
  silu(): Tensor;
  gelu(approximate?: 'none' | 'tanh'): Tensor;
  softplus(): Tensor;
  clamp(min?: number, max?: number): Tensor;
  sum(axes?: Axes, keepdim?: boolean): Tensor;
  mean(axes?: Axes, keepdim?: boolean): Tensor;
  max(axes?: Axes, keepdim?: boolean): Tensor;
  min(axes?: Axes, keepdim?: boolean): Tensor;
  logsumexp(axes?: Axes, keepdim?: boolean): Tensor;
  argmax(axis: number, keepdim?: boolean): Tensor;
  softmax(axis?: number): Tensor;
  logSoftmax(axis?: number): Tensor;
  matmul(o: Tensor): Tensor;
  reshape(shape: readonly number[]): Tensor;
  permute(perm: readonly number[]): Tensor;
  transpose(a?: number, b?: number): Tensor;
  expand(shape: readonly number[]): Tensor;
  squeeze(axis?: number): Tensor;
  unsqueeze(axis: number): Tensor;
  slice(axis: number, start: number, end?: number): Tensor;
  gather(index: Tensor, axis?: number): Tensor;
  maskedFill(mask: Tensor, value: number): Tensor;
  where(cond: Tensor, other: TensorLike): Tensor;
  cast(dtype: DType): Tensor;
  normalize(axis?: number, eps?: number): Tensor;
  backward(gradient?: Tensor): void;
}

export class Tensor {
  readonly id = nextId++;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** The op that produced it; undefined for tensors created from data. */
  readonly node: Node | undefined;
  /** Values, once realised (or given). */
  buffer: TypedArray | undefined;
  /** A small literal: lowered into the compiled graph as a constant, part of its cache key. */
  readonly isConst: boolean;
  requiresGrad: boolean;
  /** Accumulated gradient (lazy until realised), as in PyTorch. */
  grad: Tensor | undefined;
  /** Parameter name, for errors and checkpoints. */
  name: string | undefined;

  constructor(init: { shape: Shape; dtype: DType; node?: Node; buffer?: TypedArray; isConst?: boolean; requiresGrad?: boolean }) {
    this.shape = Object.freeze([...init.shape]);
    this.dtype = init.dtype;
    this.node = init.node;
    this.buffer = init.buffer;
    this.isConst = init.isConst ?? false;
    this.requiresGrad = init.requiresGrad ?? false;
    this.grad = undefined;
    this.name = undefined;
    if (init.buffer && init.buffer.length !== numel(init.shape)) {
      throw new ShapeError(`tensor: ${init.buffer.length} values do not fill shape ${fmt(init.shape)}`);
    }
  }

  get rank(): number {
    return this.shape.length;
  }

  get size(): number {
    return numel(this.shape);
  }

  get isRealized(): boolean {
    return this.buffer !== undefined;
  }

  /** Realises this tensor (one compiled run for everything it needs) and returns its values. */
  async data(): Promise<TypedArray> {
    if (!this.buffer) await realizeHook([this]);
    return this.buffer!;
  }

  /** Values of a realised tensor; throws if it is still lazy (use `await t.data()`). */
  dataSync(): TypedArray {
    if (!this.buffer) throw new RetrievalsError(`tensor ${fmt(this.shape)} is not realised yet: await t.data() or realize(t) first`);
    return this.buffer;
  }

  /** Values as plain numbers (int64 converted), flat in row-major order. */
  async toArray(): Promise<number[]> {
    return Array.from(await this.data(), Number);
  }

  /** The single value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new ShapeError(`item: tensor has shape ${fmt(this.shape)}, not one element`);
    return Number((await this.data())[0]);
  }

  /** The same values, cut from the graph: no gradient flows through it. */
  detach(): Tensor {
    if (this.buffer) return new Tensor({ shape: this.shape, dtype: this.dtype, buffer: this.buffer });
    return makeOp('identity', [this], {}, this.shape, this.dtype, false);
  }

  /** Marks a leaf as trainable. */
  requiresGrad_(flag = true): this {
    if (flag && this.node) throw new RetrievalsError('requiresGrad_: only leaf tensors (created from data) can be marked trainable');
    this.requiresGrad = flag;
    return this;
  }

  toString(): string {
    return `Tensor(${this.dtype}${fmt(this.shape)}${this.buffer ? '' : ', lazy'})`;
  }
}

/** Set by realize.ts; kept as a hook so tensor.ts does not import the backends. */
let realizeHook: (ts: Tensor[]) => Promise<void> = async () => {
  throw new RetrievalsError('no realize function registered');
};
export function setRealizeHook(fn: (ts: Tensor[]) => Promise<void>): void {
  realizeHook = fn;
}

/** Records an op node. requiresGrad follows the inputs unless gradients are off. */
export function makeOp<K extends OpName>(op: K, inputs: Tensor[], attrs: OpAttrs[K], shape: Shape, dtype: DType, differentiable = true): Tensor {
  const requiresGrad = differentiable && isGradEnabled() && inputs.some((t) => t.requiresGrad);
  return new Tensor({ shape, dtype, node: { op, inputs, attrs } as OpNode as Node, requiresGrad });
}

type Nested = number | boolean | bigint | Nested[];

function flatten(values: Nested, shape: number[], depth = 0, out: (number | bigint)[] = []): (number | bigint)[] {
  if (Array.isArray(values)) {
    if (shape.length === depth) shape.push(values.length);
    else if (shape[depth] !== values.length) throw new ShapeError(`tensor: ragged nested array at depth ${depth}`);
    for (const v of values) flatten(v, shape, depth + 1, out);
  } else {
    if (depth !== shape.length && out.length > 0) throw new ShapeError('tensor: ragged nested array');
    out.push(typeof values === 'boolean' ? (values ? 1 : 0) : values);
  }
  return out;
}

/** A tensor from a typed array, a flat array with a shape, or nested arrays. */
export function tensor(values: TypedArray | Nested, shape?: Shape, dtype?: DType): Tensor {
  if (ArrayBuffer.isView(values)) {
    const dt = dtype ?? inferDType(values);
    return new Tensor({ shape: shape ?? [values.length], dtype: dt, buffer: values });
  }
  const inferred: number[] = [];
  const flat = flatten(values, inferred);
  const dt = dtype ?? (typeof values === 'boolean' ? 'bool' : typeof flat[0] === 'bigint' ? 'int64' : 'float32');
  const buf = allocate(dt, flat.length);
  if (dt === 'int64') for (let i = 0; i < flat.length; i++) (buf as BigInt64Array)[i] = BigInt(flat[i]!);
  else for (let i = 0; i < flat.length; i++) buf[i] = Number(flat[i]);
  return new Tensor({ shape: shape ?? inferred, dtype: dt, buffer: buf });
}

function inferDType(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Uint8Array) return 'uint8';
  if (a instanceof Int8Array) return 'int8';
  throw new DTypeError('tensor: give the dtype of a Uint16Array (float16 or bfloat16)');
}

/** A literal: compiled into the graph as a constant rather than fed each run. */
export function constant(value: number | readonly number[], dtype: DType = 'float32', shape?: Shape): Tensor {
  const values = typeof value === 'number' ? [value] : value;
  const buf = allocate(dtype, values.length);
  if (dtype === 'int64') values.forEach((v, i) => ((buf as BigInt64Array)[i] = BigInt(v)));
  else values.forEach((v, i) => (buf[i] = v));
  return new Tensor({ shape: shape ?? (typeof value === 'number' ? [] : [values.length]), dtype, buffer: buf, isConst: true });
}

export function full(shape: Shape, value: number, dtype: DType = 'float32'): Tensor {
  const buf = allocate(dtype, numel(shape));
  if (dtype === 'int64') (buf as BigInt64Array).fill(BigInt(value));
  else (buf as Float32Array).fill(value);
  return new Tensor({ shape, dtype, buffer: buf });
}

export const zeros = (shape: Shape, dtype: DType = 'float32') => full(shape, 0, dtype);
export const ones = (shape: Shape, dtype: DType = 'float32') => full(shape, 1, dtype);

export function randn(shape: Shape, gen: Generator, std = 1, dtype: DType = 'float32'): Tensor {
  const buf = allocate(dtype, numel(shape));
  for (let i = 0; i < buf.length; i++) buf[i] = gen.normal() * std;
  return new Tensor({ shape, dtype, buffer: buf });
}

export function rand(shape: Shape, gen: Generator, low = 0, high = 1, dtype: DType = 'float32'): Tensor {
  const buf = allocate(dtype, numel(shape));
  for (let i = 0; i < buf.length; i++) buf[i] = low + (high - low) * gen.uniform();
  return new Tensor({ shape, dtype, buffer: buf });
}

export function arange(n: number, dtype: DType = 'int64'): Tensor {
  const buf = allocate(dtype, n);
  for (let i = 0; i < n; i++) (buf as unknown as number[])[i] = (dtype === 'int64' ? BigInt(i) : i) as number;
  return new Tensor({ shape: [n], dtype, buffer: buf });
}
