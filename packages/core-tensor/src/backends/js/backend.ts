import type { TypedArray } from '../../dtype.js';
import type { Backend } from '../backend.js';
import type { Program, ValueInfo } from '../../program.js';
import { getJsKernel } from './kernels.js';
import './elementwise.js';
import './reduce.js';
import './matmul.js';
import './shape-ops.js';
import './index-ops.js';
import './scan.js';

/** The reference backend: interprets a program op by op in plain TypeScript. */
export const jsBackend: Backend = {
  name: 'js',
  async run(program: Program, feeds: TypedArray[]): Promise<TypedArray[]> {
    return runSync(program, feeds);
  },
};

export function runSync(program: Program, feeds: TypedArray[]): TypedArray[] {
  const values: TypedArray[] = [...feeds, ...program.consts.map((c) => c.data)];
  const infos: ValueInfo[] = [...program.feeds, ...program.consts];
  for (const node of program.nodes) {
    values.push(getJsKernel(node.op)(node.inputs.map((i) => values[i]!), node.inputs.map((i) => infos[i]!), node));
    infos.push(node);
  }
  return program.outputs.map((i) => values[i]!);
}
