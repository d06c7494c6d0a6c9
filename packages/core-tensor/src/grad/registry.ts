import type { Node, Tensor } from '../tensor.js';

/** Given the output's gradient, the gradient of each input (undefined where none flows). */
export type GradFn = (dy: Tensor, node: Node, out: Tensor) => (Tensor | undefined)[];

const gradients = new Map<string, GradFn>();

export function registerGradient(op: string, fn: GradFn): void {
  if (gradients.has(op)) throw new Error(`gradient for '${op}' registered twice`);
  gradients.set(op, fn);
}

export function getGradient(op: string): GradFn | undefined {
  return gradients.get(op);
}
