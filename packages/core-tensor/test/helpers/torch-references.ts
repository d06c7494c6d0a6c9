/**
 * The PyTorch reference suite, for any backend (core-tensor's own test runs it on js and ort, and a
 * backend plugin's tests on theirs, passing the core-tensor module they use). PyTorch references: the same computations as tools/torch-refs/make_refs.py (which wrote
 * test/refs/*.json with torch 1.13, float32), rebuilt from core-tensor ops and run on BOTH
 * backends: a 2-layer MLP with label-smoothed cross-entropy (values and gradients), a BERT-style
 * multi-head self-attention block (values and gradients), five AdamW steps (one and two param
 * groups: losses per step, parameters) and five SGD (nesterov momentum, weight decay) steps with
 * clipGradNorm.
 *
 * Tolerance rule, element by element: |actual − torch| ≤ 1e-5 + 1e-5·|torch|, i.e.
 * torch.allclose(rtol=1e-5, atol=1e-5). Every checked quantity is of order 1 or smaller, so this
 * is "max abs diff ≤ 1e-5" on values of order 1 (a value of 3 may differ by 4e-5). Run with
 * TORCH_REF_REPORT=1 to print the max abs deviation of every check.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type * as CoreTensor from '../../src/index.js';
import type { Optimizer, Tensor } from '../../src/index.js';

interface Ref {
  shape: number[];
  data: number[];
}

interface MlpRef {
  labelSmoothing: number;
  inputs: { x: Ref; targets: Ref; W1: Ref; b1: Ref; W2: Ref; b2: Ref };
  logits: Ref;
  loss: number;
  grads: Record<'W1' | 'b1' | 'W2' | 'b2' | 'x', Ref>;
}

const ATTN_PARAMS = ['Wq', 'bq', 'Wk', 'bk', 'Wv', 'bv', 'Wo', 'bo', 'gamma', 'beta'] as const;
type AttnParam = (typeof ATTN_PARAMS)[number];

interface AttentionRef {
  heads: number;
  layerNormEps: number;
  inputs: { x: Ref; attentionMask: Ref; R: Ref } & Record<AttnParam, Ref>;
  out: Ref;
  grads: Record<AttnParam | 'x', Ref>;
}

const MLP_PARAMS = ['W1', 'b1', 'W2', 'b2'] as const;
type MlpParam = (typeof MLP_PARAMS)[number];
type Snapshot = Record<MlpParam, Ref>;

interface RunRef {
  losses: number[];
  paramsAfterStep: Record<string, Snapshot>;
  gradNorms?: number[];
}

interface OptimRef {
  steps: number;
  adamw: RunRef & { options: { lr: number; betas: [number, number]; eps: number; weightDecay: number } };
  adamwGroups: RunRef & { options: AdamWRefOptions; groups: { params: MlpParam[]; lr?: number; weightDecay?: number }[] };
  sgd: RunRef & { options: { lr: number; momentum: number; nesterov: boolean; weightDecay: number; clipMaxNorm: number } };
}
type AdamWRefOptions = OptimRef['adamw']['options'];

const load = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../refs/${name}`, import.meta.url), 'utf8')) as T;
const MLP = load<MlpRef>('mlp.json');
const ATTN = load<AttentionRef>('attention.json');
const OPTIM = load<OptimRef>('adamw.json');

const RTOL = 1e-5;
const ATOL = 1e-5;

/** Max abs deviation of every check, by backend, printed with TORCH_REF_REPORT=1. */
const deviations = new Map<string, number>();

type Run = { losses: number[]; norms: number[]; snapshots: Record<string, Record<MlpParam, Tensor>> };

/** max |core-tensor − torch| of every check, printed with TORCH_REF_REPORT=1 (call from afterAll). */
export function reportTorchDeviations(): void {
  if (!process.env.TORCH_REF_REPORT) return;
  const lines = [...deviations].map(([k, v]) => `${k.padEnd(36)} ${v.toExponential(2)}`);
  console.log(`max |core-tensor − torch| per check:\n${lines.join('\n')}`);
}

/** Declares the suite for `backend`, built from the ops of `ct` (a backend plugin passes the package it registers into). */
export function torchReferenceSuite(ct: typeof CoreTensor, backend: string, describeFn: typeof describe = describe): void {
  const { AdamW, add, cast, clipGradNorm, crossEntropy, div, gelu, layerNorm, linear, matmul, mul, permute, realize, reshape, SGD, softmax, sub, sum, Tensor, tensor, transpose, withBackend } = ct;
  /** A fresh float32 leaf holding the reference values. */
  function leaf(r: Ref, requiresGrad = false): Tensor {
    const t = tensor(Float32Array.from(r.data), r.shape);
    return requiresGrad ? t.requiresGrad_() : t;
  }

  /** An int64 tensor (targets, attention mask), as torch stores them. */
  const int64 = (r: Ref) => tensor(BigInt64Array.from(r.data, (v) => BigInt(v)), r.shape);

  function expectClose(label: string, actual: Tensor | number | readonly number[], expected: Ref | number | readonly number[]): void {
    const exp: Ref = typeof expected === 'number' ? { shape: [], data: [expected] } : Array.isArray(expected) ? { shape: [expected.length], data: [...expected] } : (expected as Ref);
    let values: number[], shape: number[];
    if (actual instanceof Tensor) {
      values = Array.from(actual.dataSync(), Number);
      shape = [...actual.shape];
    } else {
      values = typeof actual === 'number' ? [actual] : [...actual];
      shape = exp.shape;
    }
    expect(shape, `${label}: shape`).toEqual(exp.shape);
    expect(values.length, `${label}: length`).toBe(exp.data.length);
    let maxAbs = 0, worst = -1, worstExcess = -Infinity;
    values.forEach((a, i) => {
      const e = exp.data[i]!;
      const err = Math.abs(a - e);
      const excess = Number.isFinite(err) ? err - (ATOL + RTOL * Math.abs(e)) : Infinity;
      maxAbs = Math.max(maxAbs, Number.isFinite(err) ? err : Infinity);
      if (excess > worstExcess) [worstExcess, worst] = [excess, i];
    });
    deviations.set(label, Math.max(deviations.get(label) ?? 0, maxAbs));
    expect(
      worstExcess <= 0,
      `${label}: element ${worst} is ${values[worst]} vs torch ${exp.data[worst]} (max abs diff ${maxAbs.toExponential(2)}, allowed ${ATOL} + ${RTOL}·|torch|)`,
    ).toBe(true);
  }

  function mlp(x: Tensor, targets: Tensor, p: Record<MlpParam, Tensor>, labelSmoothing: number) {
    const logits = linear(gelu(linear(x, p.W1, p.b1)), p.W2, p.b2);
    return { logits, loss: crossEntropy(logits, targets, { labelSmoothing }) };
  }

  const mlpParams = (src: Record<MlpParam, Ref>) => Object.fromEntries(MLP_PARAMS.map((k) => [k, leaf(src[k], true)])) as Record<MlpParam, Tensor>;

  /** BertSelfAttention + BertSelfOutput without dropout, as make_refs.py's attention_block. */
  function attentionBlock(x: Tensor, mask: Tensor, p: Record<AttnParam, Tensor>, heads: number, eps: number): Tensor {
    const [b, t, hidden] = x.shape as [number, number, number];
    const hd = hidden / heads;
    const split = (y: Tensor) => permute(reshape(y, [b, t, heads, hd]), [0, 2, 1, 3]);
    const q = split(linear(x, p.Wq, p.bq));
    const k = split(linear(x, p.Wk, p.bk));
    const v = split(linear(x, p.Wv, p.bv));
    // (1 − mask) · finfo(float32).min, broadcast over heads and query positions: [B, 1, 1, T]
    const ext = reshape(mul(sub(1, cast(mask, 'float32')), -3.4028234663852886e38), [b, 1, 1, t]);
    const scores = add(div(matmul(q, transpose(k)), Math.sqrt(hd)), ext);
    const ctx = reshape(permute(matmul(softmax(scores, -1), v), [0, 2, 1, 3]), [b, t, hidden]);
    return layerNorm(add(linear(ctx, p.Wo, p.bo), x), p.gamma, p.beta, eps);
  }

  /** Trains the reference MLP for OPTIM.steps steps; returns losses, snapshots and clip norms. */
  async function train(makeOpt: (p: Record<MlpParam, Tensor>) => Optimizer, record: number[], clip?: number) {
    const x = leaf(MLP.inputs.x), targets = int64(MLP.inputs.targets);
    const p = mlpParams(MLP.inputs);
    const opt = makeOpt(p);
    const losses: number[] = [], norms: number[] = [];
    const snapshots: Record<string, Record<MlpParam, Tensor>> = {};
    for (let step = 1; step <= OPTIM.steps; step++) {
      opt.zeroGrad();
      const { loss } = mlp(x, targets, p, MLP.labelSmoothing);
      loss.backward();
      const norm = clip === undefined ? undefined : clipGradNorm(MLP_PARAMS.map((k) => p[k]), clip);
      await opt.step(loss, ...(norm ? [norm] : []));
      losses.push(await loss.item());
      if (norm) norms.push(await norm.item());
      // a copy: the next step replaces the parameters' buffers
      if (record.includes(step)) snapshots[step] = Object.fromEntries(MLP_PARAMS.map((k) => [k, p[k].detach()])) as Record<MlpParam, Tensor>;
    }
    return { losses, norms, snapshots };
  }

  function expectRun(prefix: string, ref: RunRef, run: Run): void {
    expectClose(`${prefix} losses`, run.losses, ref.losses);
    if (ref.gradNorms) expectClose(`${prefix} grad norms`, run.norms, ref.gradNorms);
    expect(Object.keys(run.snapshots).sort()).toEqual(Object.keys(ref.paramsAfterStep).sort());
    for (const [step, params] of Object.entries(ref.paramsAfterStep)) {
      for (const k of MLP_PARAMS) expectClose(`${prefix} ${k} after step ${step}`, run.snapshots[step]![k], params[k]);
    }
  }

  describeFn(`PyTorch references on ${backend}`, () => {
    const on = <T>(fn: () => Promise<T>) => withBackend(backend, fn);

    it('2-layer MLP, GELU, cross-entropy with label smoothing: logits, loss, gradients', () =>
      on(async () => {
        const x = leaf(MLP.inputs.x, true), targets = int64(MLP.inputs.targets);
        expect(targets.dtype).toBe('int64');
        const p = mlpParams(MLP.inputs);
        const { logits, loss } = mlp(x, targets, p, MLP.labelSmoothing);
        loss.backward();
        const grads = { ...p, x } as Record<MlpParam | 'x', Tensor>;
        await realize(logits, loss, ...Object.values(grads).map((t) => t.grad!));
        expectClose(`${backend} mlp logits`, logits, MLP.logits);
        expectClose(`${backend} mlp loss`, await loss.item(), MLP.loss);
        for (const [k, t] of Object.entries(grads)) expectClose(`${backend} mlp grad ${k}`, t.grad!, MLP.grads[k as MlpParam | 'x']);
      }));

    it('BERT-style multi-head self-attention with padding mask and residual LayerNorm: output, gradients', () =>
      on(async () => {
        const x = leaf(ATTN.inputs.x, true), mask = int64(ATTN.inputs.attentionMask), r = leaf(ATTN.inputs.R);
        expect(mask.dtype).toBe('int64');
        const p = Object.fromEntries(ATTN_PARAMS.map((k) => [k, leaf(ATTN.inputs[k], true)])) as Record<AttnParam, Tensor>;
        const out = attentionBlock(x, mask, p, ATTN.heads, ATTN.layerNormEps);
        sum(mul(out, r)).backward();
        const grads = { ...p, x } as Record<AttnParam | 'x', Tensor>;
        await realize(out, ...Object.values(grads).map((t) => t.grad!));
        expectClose(`${backend} attention out`, out, ATTN.out);
        for (const [k, t] of Object.entries(grads)) expectClose(`${backend} attention grad ${k}`, t.grad!, ATTN.grads[k as AttnParam | 'x']);
      }));

    it('AdamW, five steps, one param group: loss of each step, parameters after steps 1 and 5', () =>
      on(async () => {
        const { lr, betas, eps, weightDecay } = OPTIM.adamw.options;
        const run = await train((p) => new AdamW(MLP_PARAMS.map((k) => p[k]), { lr, betas, eps, weightDecay }), [1, OPTIM.steps]);
        expectRun(`${backend} adamw`, OPTIM.adamw, run);
      }));

    it('AdamW, five steps, two param groups (biases: own lr, no weight decay)', () =>
      on(async () => {
        const { lr, betas, eps, weightDecay } = OPTIM.adamwGroups.options;
        const run = await train(
          (p) => new AdamW(OPTIM.adamwGroups.groups.map((g) => ({ ...g, params: g.params.map((k) => p[k]) })), { lr, betas, eps, weightDecay }),
          [OPTIM.steps],
        );
        expectRun(`${backend} adamw groups`, OPTIM.adamwGroups, run);
      }));

    it('SGD (nesterov momentum, weight decay) with clipGradNorm(0.5), five steps', () =>
      on(async () => {
        const { lr, momentum, nesterov, weightDecay, clipMaxNorm } = OPTIM.sgd.options;
        const run = await train((p) => new SGD(MLP_PARAMS.map((k) => p[k]), { lr, momentum, nesterov, weightDecay }), [OPTIM.steps], clipMaxNorm);
        expectRun(`${backend} sgd+clip`, OPTIM.sgd, run);
      }));
  });
}
