import { finish, erf as erfJs, out } from '../backends/js/util.js';
import { makeOp, type Tensor } from '../tensor.js';
import { unary, where } from './elementwise.js';
import { abs, add, erf, exp, greater, less, log, mul, requireFloat, sigmoid, sub, tanh } from './math.js';
import { defineOp } from './table.js';

/** max(x, 0) with PyTorch's gradient 0 at x = 0 (maximum would split it in half there). */
export const relu = (x: Tensor) => where(greater(x, 0), x, 0);
export const silu = (x: Tensor) => mul(x, sigmoid(x));

/**
 * GELU: exact erf form (BERT's "gelu") or the tanh approximation ("gelu_new"/"gelu_pytorch_tanh").
 * One op rather than a composite: onnxruntime has a fused kernel for each form, and the gradient
 * is written out by hand with fewer passes than autodiff of the composite would take.
 */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  requireFloat('gelu', x);
  return makeOp('gelu', [x], { approximate }, x.shape, x.dtype);
}

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const K = Math.sqrt(2 / Math.PI);

defineOp('gelu', {
  // d/dx [x·Φ(x)] = Φ(x) + x·φ(x); tanh form: 0.5(1+t) + 0.5·x·(1−t²)·K·(1 + 3·0.044715·x²).
  grad: (dy, node) => {
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
  },
  js: ([x], _infos, node) => {
    const a = x as Float32Array;
    const o = out(node.dtype, a.length);
    if (node.attrs.approximate === 'tanh') {
      for (let i = 0; i < a.length; i++) {
        const v = a[i]!;
        o[i] = 0.5 * v * (1 + Math.tanh(K * (v + 0.044715 * v * v * v)));
      }
    } else for (let i = 0; i < a.length; i++) o[i] = 0.5 * a[i]! * (1 + erfJs(a[i]! * Math.SQRT1_2));
    return finish(o, node.dtype);
  },
  // onnxruntime's fused contrib kernels; the tanh form is FastGelu (same constants as PyTorch's).
  // FastGelu rejects rank 0, so a scalar goes through as [1].
  onnx: (ctx, [x], n, output) => {
    const op = n.attrs.approximate === 'tanh' ? 'FastGelu' : 'Gelu';
    const scalar = n.shape.length === 0;
    const y = scalar ? ctx.fresh('gelu') : output;
    ctx.nodes.push({ op, inputs: [scalar ? ctx.emit('Reshape', [x!, ctx.int64([1])]) : x!], outputs: [y], domain: 'com.microsoft' });
    return scalar ? ctx.emit('Reshape', [y, ctx.int64([])], undefined, output) : output;
  },
});

/** log(1 + e^x) without overflow: max(x,0) + log(1 + e^(−|x|)). */
export function softplus(x: Tensor): Tensor {
  // log1p(e) for e = e^(−|x|) ≤ 1: below 1e-4 the series e − e²/2 is exact in float32 where
  // log(1 + e) would round 1 + e to 1 and return 0.
  const e = exp(unary('neg', abs(x)));
  const log1p = where(less(e, 1e-4), sub(e, mul(mul(e, e), 0.5)), log(add(e, 1)));
  return add(relu(x), log1p);
}

