/**
 * Every case of helpers/cases.ts on onednn (fp32) against ort (rtol 1e-5, atol 1e-6: ort's own
 * bound against js) and js; on onednn-bf16 against js within a stated bound relative to each
 * output's largest value (only matmuls round to bf16, so the bound is a matmul's error).
 */
import { defineBackend, backends, Tensor, type Backend } from '@retrievals/core-tensor';
import { expect, it } from 'vitest';
import { CASES, type Case } from './helpers/cases.js';
import { describeOnednn, install } from './helpers/setup.js';
import { backwardProjected, expectClose, fresh, runOn, type Values } from './helpers/values.js';

function build(c: Case) {
  const ins: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(c.inputs)) ins[k] = fresh(t, c.grad?.includes(k) ?? false);
  const out = c.build(ins);
  const outs: Record<string, Tensor> = out instanceof Tensor ? { out } : { ...out };
  if (c.grad?.length) {
    backwardProjected(Object.values(outs));
    for (const k of c.grad) {
      const g = ins[k]!.grad;
      if (!g) throw new Error(`${c.name}: no gradient reached '${k}'`);
      outs[`grad.${k}`] = g;
    }
  }
  return outs;
}

/** Relative to the output's max |value|: what bf16 rounding of a matmul's operands gives. */
function expectBf16(a: Values, b: Values, bound: number) {
  for (const k of Object.keys(b)) {
    const x = a[k]!.values, y = b[k]!.values;
    const scale = Math.max(1e-6, ...y.filter(Number.isFinite).map(Math.abs));
    let worst = 0;
    y.forEach((q, i) => {
      if (Number.isFinite(q)) worst = Math.max(worst, Math.abs(x[i]! - q) / scale);
      else expect(x[i], `${k}[${i}]`).toBe(q);
    });
    expect(worst, `${k}: bf16 error relative to max |value|`).toBeLessThanOrEqual(bound);
  }
}

describeOnednn('op agreement: onednn vs ort vs js', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const js = await runOn('js', () => build(c));
      const ort = c.noOrt ? undefined : await runOn('ort', () => build(c));
      const dnn = await runOn('onednn', () => build(c));
      expectClose(dnn, js, c.rtol ?? 1e-5, c.atol ?? 1e-6, ['onednn', 'js']);
      if (ort) expectClose(dnn, ort, c.rtol ?? 1e-5, c.atol ?? 1e-6, ['onednn', 'ort']);
      const bf = await runOn('onednn-bf16', () => build(c));
      expectBf16(bf, js, c.bf16 ?? 2e-2);
    });
  }

  it('covers every op of the core op table', async () => {
    await install();
    const seen = new Set<string>();
    const inner = backends.get('onednn');
    const spy: Backend = defineBackend({ name: 'onednn-spy', run: (p, f) => (p.nodes.forEach((n) => seen.add(n.op)), inner.run(p, f)) });
    if (!backends.has('onednn-spy')) backends.register('onednn-spy', spy);
    for (const c of CASES) await runOn('onednn-spy', () => build(c));
    // core-tensor's CORE_OPS (its op table; a new op there must get a case here)
    const core = ['neg', 'exp', 'log', 'sqrt', 'abs', 'tanh', 'sigmoid', 'erf', 'reciprocal', 'sin', 'cos', 'sign', 'identity', 'not', 'gelu', 'cast', 'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'equal', 'less', 'greater', 'and', 'or', 'where', 'sum', 'max', 'min', 'argmax', 'topk', 'matmul', 'reshape', 'permute', 'expand', 'slice', 'pad', 'concat', 'gather', 'gatherElements', 'gatherGrad', 'scatterElementsAdd', 'cumsum', 'fullLike'];
    expect(core.filter((op) => !seen.has(op))).toEqual([]);
  });
});
