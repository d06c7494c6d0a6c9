import { binary, cast, not, unary, where } from '../ops/elementwise.js';
import { constant, type Tensor } from '../tensor.js';
import { registerGradient } from './registry.js';
import { sumTo } from './sum-to.js';

const mul = (a: Tensor, b: Tensor | number) => binary('mul', a, b);
const two = (fn: (a: Tensor, b: Tensor, dy: Tensor, out: Tensor) => [Tensor | undefined, Tensor | undefined]) =>
  ((dy, node, out) => {
    const [a, b] = node.inputs as [Tensor, Tensor];
    const [ga, gb] = fn(a, b, dy, out);
    return [a.requiresGrad && ga ? sumTo(ga, a.shape) : undefined, b.requiresGrad && gb ? sumTo(gb, b.shape) : undefined];
  }) as Parameters<typeof registerGradient>[1];

registerGradient('add', two((_a, _b, dy) => [dy, dy]));
registerGradient('sub', two((_a, _b, dy) => [dy, unary('neg', dy)]));
registerGradient('mul', two((a, b, dy) => [mul(dy, b), mul(dy, a)]));
registerGradient('div', two((a, b, dy) => [binary('div', dy, b), unary('neg', binary('div', mul(dy, a), mul(b, b)))]));
registerGradient(
  'pow',
  two((a, b, dy, out) => [
    mul(mul(dy, b), binary('pow', a, binary('sub', b, 1))),
    b.requiresGrad ? where(binary('greater', a, 0), mul(mul(dy, out), unary('log', binary('maximum', a, constant(1e-30, a.dtype)))), 0) : undefined,
  ]),
);
// Ties split the gradient evenly, as PyTorch's maximum/minimum do.
const pick = (op: 'greater' | 'less') =>
  two((a, b, dy) => {
    const win = cast(binary(op, a, b), dy.dtype);
    const tie = mul(cast(binary('equal', a, b), dy.dtype), 0.5);
    const wa = binary('add', win, tie);
    return [mul(dy, wa), mul(dy, binary('sub', binary('sub', 1, win), tie))];
  });
registerGradient('maximum', pick('greater'));
registerGradient('minimum', pick('less'));

const one = (fn: (x: Tensor, dy: Tensor, out: Tensor) => Tensor) =>
  ((dy, node, out) => [fn(node.inputs[0]!, dy, out)]) as Parameters<typeof registerGradient>[1];

registerGradient('neg', one((_x, dy) => unary('neg', dy)));
registerGradient('identity', one((_x, dy) => dy));
registerGradient('exp', one((_x, dy, out) => mul(dy, out)));
registerGradient('log', one((x, dy) => binary('div', dy, x)));
registerGradient('sqrt', one((_x, dy, out) => binary('div', mul(dy, 0.5), out)));
registerGradient('abs', one((x, dy) => mul(dy, unary('sign', x))));
registerGradient('tanh', one((_x, dy, out) => mul(dy, binary('sub', 1, mul(out, out)))));
registerGradient('sigmoid', one((_x, dy, out) => mul(dy, mul(out, binary('sub', 1, out)))));
registerGradient('erf', one((x, dy) => mul(dy, mul(unary('exp', unary('neg', mul(x, x))), 2 / Math.sqrt(Math.PI)))));
registerGradient('reciprocal', one((_x, dy, out) => unary('neg', mul(dy, mul(out, out)))));
registerGradient('sin', one((x, dy) => mul(dy, unary('cos', x))));
registerGradient('cos', one((x, dy) => unary('neg', mul(dy, unary('sin', x)))));
registerGradient('cast', one((x, dy) => cast(dy, x.dtype)));

registerGradient('where', (dy, node) => {
  const [c, a, b] = node.inputs as [Tensor, Tensor, Tensor];
  const zero = constant(0, dy.dtype);
  return [
    undefined,
    a.requiresGrad ? sumTo(where(c, dy, zero), a.shape) : undefined,
    b.requiresGrad ? sumTo(where(not(c), dy, zero), b.shape) : undefined,
  ];
});
