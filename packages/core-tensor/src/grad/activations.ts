import { add, erf, exp, mul, tanh } from '../ops/math.js';
import { registerGradient } from './registry.js';

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const K = Math.sqrt(2 / Math.PI);

// d/dx [x·Φ(x)] = Φ(x) + x·φ(x); tanh form: 0.5(1+t) + 0.5·x·(1−t²)·K·(1 + 3·0.044715·x²).
registerGradient('gelu', (dy, node) => {
  const x = node.inputs[0]!;
  if (node.attrs.approximate === 'tanh') {
    const x2 = mul(x, x);
    const t = tanh(mul(mul(x, add(mul(x2, 0.044715), 1)), K));
    const dInner = mul(add(mul(x2, 3 * 0.044715 * K), K), mul(x, 0.5));
    const d = add(mul(add(t, 1), 0.5), mul(dInner, add(mul(mul(t, t), -1), 1)));
    return [mul(dy, d)];
  }
  const cdf = add(mul(erf(mul(x, Math.SQRT1_2)), 0.5), 0.5);
  const xpdf = mul(x, mul(exp(mul(mul(x, x), -0.5)), INV_SQRT_2PI));
  return [mul(dy, add(cdf, xpdf))];
});

