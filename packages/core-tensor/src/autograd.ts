import { RetrievalsError } from './errors.js';
import './ops/all.js';
import { NOT_DIFFERENTIABLE, opDef } from './ops/table.js';
import { noGrad } from './context.js';
import { binary } from './ops/elementwise.js';
import { expand } from './ops/shape-ops.js';
import { fmt, sameShape } from './shape.js';
import { constant, type Tensor } from './tensor.js';

/** Tensors that lead to `root` and need a gradient, inputs before the tensors computed from them. */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<number>();
  const stack: [Tensor, boolean][] = [[root, false]];
  while (stack.length) {
    const [t, expanded] = stack.pop()!;
    if (expanded) {
      order.push(t);
      continue;
    }
    if (seen.has(t.id) || !t.requiresGrad) continue;
    seen.add(t.id);
    stack.push([t, true]);
    for (const x of t.node?.inputs ?? []) if (!seen.has(x.id) && x.requiresGrad) stack.push([x, false]);
  }
  return order;
}

/**
 * Records the gradient nodes of `root` with respect to every trainable leaf it depends on and adds
 * them to each leaf's `.grad` (lazily: they are computed by the next realisation, typically the
 * optimizer step, in the same compiled graph as the forward pass).
 */
export function backward(root: Tensor, gradient?: Tensor): void {
  if (!root.requiresGrad) throw new RetrievalsError('backward: the tensor does not require grad (no trainable input, or built under noGrad)');
  if (!gradient && root.size !== 1) throw new RetrievalsError(`backward: give the gradient of a non-scalar output ${fmt(root.shape)}`);
  if (gradient && !sameShape(gradient.shape, root.shape)) throw new RetrievalsError(`backward: gradient shape ${fmt(gradient.shape)} differs from output ${fmt(root.shape)}`);
  noGrad(() => {
    const grads = new Map<number, Tensor>();
    grads.set(root.id, gradient ?? expand(constant(1, root.dtype), root.shape));
    const order = topoOrder(root);
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i]!;
      const dy = grads.get(t.id);
      if (!dy) continue;
      grads.delete(t.id);
      if (!t.node) {
        t.grad = t.grad ? binary('add', t.grad, dy) : dy;
        continue;
      }
      const fn = opDef(t.node.op).grad;
      if (fn === NOT_DIFFERENTIABLE) throw new RetrievalsError(`backward: op '${t.node.op}' is not differentiable, yet its output requires grad`);
      const gs = fn(dy, t.node as never, t);
      t.node.inputs.forEach((x, j) => {
        const g = gs[j];
        if (!g || !x.requiresGrad) return;
        if (!sameShape(g.shape, x.shape)) throw new RetrievalsError(`backward: gradient of '${t.node!.op}' input ${j} has shape ${fmt(g.shape)}, expected ${fmt(x.shape)}`);
        const prev = grads.get(x.id);
        grads.set(x.id, prev ? binary('add', prev, g) : g);
      });
    }
  });
}

/** Clears the gradients of the given tensors. */
export function zeroGrad(params: Iterable<Tensor>): void {
  for (const p of params) p.grad = undefined;
}
