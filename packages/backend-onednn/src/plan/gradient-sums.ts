import type { Program, ProgramNode } from '../program-types.js';
import type { PlanValue } from './lower.js';
import { programLookups } from './match.js';
import { reduceForm } from './strides.js';

/**
 * The add of two gradients of one table along axis 0 (an embedding both towers look up) runs as
 * one gatherGrad instruction: the table is zeroed and written once, not twice and then added
 * (native/indexing.cc, bit for bit the add). Add value → the two gatherGrads.
 */
export function findTablePairs(program: Program, outputs: ReadonlySet<number>, users: ReadonlyMap<number, number[]>): Map<number, [number, number]> {
  const { base, nodeOf, usersOf } = programLookups(program, users);
  const axisOf = (g: ProgramNode) => (g.attrs as { axis: number }).axis;
  const alone = (g: number) => !outputs.has(g) && usersOf(g).length === 1;
  const pairs = new Map<number, [number, number]>();
  program.nodes.forEach((n, k) => {
    const [x, y] = n.inputs as [number, number];
    const X = nodeOf(x), Y = nodeOf(y);
    if (n.op !== 'add' || n.dtype !== 'float32' || x === y || X?.op !== 'gatherGrad' || Y?.op !== 'gatherGrad') return;
    if (axisOf(X) !== 0 || axisOf(Y) !== 0 || X.shape.join() !== n.shape.join() || Y.shape.join() !== n.shape.join() || !alone(x) || !alone(y)) return;
    pairs.set(base + k, [x, y]);
  });
  return pairs;
}

/**
 * A float32 product read only by a column sum (a norm weight's gradient, Σ dy·n over the tokens)
 * is summed as it is made (native/reduce.cc, bit for bit mul then sum). Sum value → the factors;
 * `taken(mul)`: the product already runs elsewhere (a fused group, a matched kernel).
 */
export function findProductSums(program: Program, values: readonly PlanValue[], outputs: ReadonlySet<number>, users: ReadonlyMap<number, number[]>, taken: (v: number) => boolean): Map<number, [number, number]> {
  const { base, nodeOf, usersOf } = programLookups(program, users);
  const sums = new Map<number, [number, number]>();
  program.nodes.forEach((n, k) => {
    const m = n.inputs[0]!, M = nodeOf(m);
    if (n.op !== 'sum' || n.dtype !== 'float32' || !M || M.op !== 'mul' || M.dtype !== 'float32') return;
    if (taken(m) || outputs.has(m) || usersOf(m).length !== 1) return;
    if (!M.inputs.every((i) => values[i]!.shape.join() === M.shape.join() && values[i]!.dtype === 'float32')) return;
    const form = reduceForm(M.shape, (n.attrs as { axes: number[] }).axes);
    if (!form || form.inner === 1) return;
    sums.set(base + k, [M.inputs[0]!, M.inputs[1]!]);
  });
  return sums;
}
