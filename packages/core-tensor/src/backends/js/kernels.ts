import type { TypedArray } from '../../dtype.js';
import { NotImplementedError } from '../../errors.js';
import type { ProgramNode, ValueInfo } from '../../program.js';

/** A JS kernel: input values (with their shapes/dtypes) and the node → the output values. */
export type JsKernel = (inputs: TypedArray[], infos: ValueInfo[], node: ProgramNode) => TypedArray;

const kernels = new Map<string, JsKernel>();

export function registerJsKernel(op: string, kernel: JsKernel): void {
  if (kernels.has(op)) throw new Error(`js kernel '${op}' registered twice`);
  kernels.set(op, kernel);
}

export function getJsKernel(op: string): JsKernel {
  const k = kernels.get(op);
  if (!k) throw new NotImplementedError(`op '${op}' on the js backend`);
  return k;
}
