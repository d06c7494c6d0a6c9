import type { TypedArray } from '../../dtype.js';
import '../../ops/all.js';
import { opDef, type ValueInfo } from '../../ops/table.js';
import type { Program } from '../../program.js';
import type { Backend } from '../backend.js';

/** The reference backend: interprets a program op by op in plain TypeScript (each op's `js` kernel). */
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
    values.push(opDef(node.op).js(node.inputs.map((i) => values[i]!), node.inputs.map((i) => infos[i]!), node as never));
    infos.push(node);
  }
  return program.outputs.map((i) => values[i]!);
}
