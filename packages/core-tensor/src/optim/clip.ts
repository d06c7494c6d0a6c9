import { noGrad } from '../context.js';
import { add, div, minimum, mul, sqrt, sum } from '../ops/math.js';
import { constant, type Tensor } from '../tensor.js';

/**
 * torch.nn.utils.clip_grad_norm_: scales every gradient by min(1, maxNorm / (‖g‖ + 1e-6)) where ‖g‖
 * is the global L2 norm. Lazy: it joins the same compiled step. Returns the (lazy) total norm.
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number): Tensor | undefined {
  return noGrad(() => {
    const withGrad = [...params].filter((p) => p.grad);
    if (!withGrad.length) return undefined;
    const total = sqrt(withGrad.map((p) => sum(mul(p.grad!, p.grad!))).reduce((a, b) => add(a, b)));
    const coef = minimum(div(constant(maxNorm, total.dtype), add(total, 1e-6)), 1);
    for (const p of withGrad) p.grad = mul(p.grad!, coef);
    return total;
  });
}
