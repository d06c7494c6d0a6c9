import type { DType, TypedArray } from '../dtype.js';
import { NotImplementedError, RegistryError } from '../errors.js';
import type { LowerContext } from '../onnx/lower.js';
import type { Tensor } from '../tensor.js';

/**
 * Every primitive op and its typed attributes, in one table (tfjs' kernel_names.ts is the model).
 * Composite functions (softmax, layerNorm, ...) are written with these and need no entry. A plugin
 * adds an op by declaration merging (`declare module '@retrievals/core-tensor/internal' { interface
 * OpAttrs { myOp: {...} } }`) and one `defineOp` call.
 */
export interface OpAttrs {
  // elementwise, unary
  neg: {}; exp: {}; log: {}; sqrt: {}; abs: {}; tanh: {}; sigmoid: {}; erf: {}; reciprocal: {};
  sin: {}; cos: {}; sign: {}; identity: {}; not: {};
  gelu: { approximate: 'none' | 'tanh' };
  cast: { to: DType };
  // elementwise, binary (broadcasting)
  add: {}; sub: {}; mul: {}; div: {}; pow: {}; maximum: {}; minimum: {};
  equal: {}; less: {}; greater: {}; and: {}; or: {};
  where: {};
  // reductions
  sum: ReduceAttrs; max: ReduceAttrs; min: ReduceAttrs;
  argmax: { axis: number; keepdim: boolean };
  topk: { k: number; axis: number; largest: boolean };
  matmul: {};
  // layout
  reshape: { shape: number[] };
  permute: { perm: number[] };
  expand: { shape: number[] };
  slice: { starts: number[]; ends: number[] };
  pad: { pads: [number, number][] };
  concat: { axis: number };
  // indexing
  gather: { axis: number };
  gatherElements: { axis: number };
  /** The gradient of gather: rows of the updates added into zeros whose dim `axis` is `dim`. */
  gatherGrad: { axis: number; dim: number };
  scatterElementsAdd: { axis: number; shape: number[] };
  // scans and shape-derived values
  cumsum: { axis: number; reverse: boolean };
  fullLike: { value: number; dtype: DType };
}

export interface ReduceAttrs {
  axes: number[];
  keepdim: boolean;
}

export type OpName = keyof OpAttrs & string;

/** A recorded op of op K: what produced a lazy tensor. */
export interface OpNode<K extends OpName = OpName> {
  op: K;
  inputs: Tensor[];
  attrs: OpAttrs[K];
}

export interface ValueInfo {
  shape: readonly number[];
  dtype: DType;
}

/** One op of a compiled program: inputs are value ids (feeds, then constants, then nodes). */
export interface ProgramNode<K extends OpName = OpName> extends ValueInfo {
  op: K;
  inputs: number[];
  attrs: OpAttrs[K];
}

/** Given the output's gradient, the gradient of each input (undefined where none flows). */
export type GradFn<K extends OpName = OpName> = (dy: Tensor, node: OpNode<K>, out: Tensor) => (Tensor | undefined)[];
/** The js backend's kernel: input values (with their shapes and dtypes) and the node → the output. */
export type JsKernel<K extends OpName = OpName> = (inputs: TypedArray[], infos: ValueInfo[], node: ProgramNode<K>) => TypedArray;
/** Emits the ONNX nodes of one program node; returns the name of the value it produces. */
export type OnnxLowering<K extends OpName = OpName> = (ctx: LowerContext, inputs: string[], node: ProgramNode<K>, output: string) => string;

/** For ops whose output carries no gradient (comparisons, indices, shape-derived values). */
export const NOT_DIFFERENTIABLE = 'not differentiable';

/** What each op must have: the three things a new op used to spread over four folders. */
export interface OpDef<K extends OpName = OpName> {
  grad: GradFn<K> | typeof NOT_DIFFERENTIABLE;
  js: JsKernel<K>;
  onnx: OnnxLowering<K>;
}

const table = new Map<string, OpDef>();

export function defineOp<K extends OpName>(name: K, def: OpDef<K>): void {
  if (table.has(name)) throw new RegistryError(`op '${name}' is defined twice`);
  for (const part of ['grad', 'js', 'onnx'] as const) {
    if (def[part] === undefined) throw new RegistryError(`op '${name}': its definition has no '${part}'`);
  }
  table.set(name, def as unknown as OpDef);
}

/** The definition of an op; an unknown name is a NotImplementedError naming it. */
export function opDef<K extends OpName>(name: K): OpDef<K> {
  const def = table.get(name);
  if (!def) throw new NotImplementedError(`op '${name}' (no defineOp for it; known: ${[...table.keys()].sort().join(', ')})`);
  return def as unknown as OpDef<K>;
}

export function listOps(): OpName[] {
  return [...table.keys()].sort() as OpName[];
}

/** The core ops, as a runtime list; the type below fails to compile if OpAttrs gains an op missing here. */
export const CORE_OPS = [
  'neg', 'exp', 'log', 'sqrt', 'abs', 'tanh', 'sigmoid', 'erf', 'reciprocal', 'sin', 'cos', 'sign', 'identity', 'not',
  'gelu', 'cast', 'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'equal', 'less', 'greater', 'and', 'or',
  'where', 'sum', 'max', 'min', 'argmax', 'topk', 'matmul', 'reshape', 'permute', 'expand', 'slice', 'pad', 'concat',
  'gather', 'gatherElements', 'gatherGrad', 'scatterElementsAdd', 'cumsum', 'fullLike',
] as const satisfies readonly OpName[];
type Missing = Exclude<OpName, (typeof CORE_OPS)[number]>;
const complete: [Missing] extends [never] ? true : Missing = true;
void complete;
