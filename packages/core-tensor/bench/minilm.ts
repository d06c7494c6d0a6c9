import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  AdamW, arange, backends, crossEntropy, embedding, Generator, gelu, layerNorm, linear, matmul, normalize, randn, ones, zeros, tensor, type Tensor,
} from '../src/index.js';
import type { OrtStats } from '../src/index.js';
import { fmt } from './util.js';

const H = 384, L = 6, NH = 12, FF = 1536, V = 30522, P = 512, D = H / NH;

interface Layer { q: Tensor; bq: Tensor; k: Tensor; bk: Tensor; v: Tensor; bv: Tensor; o: Tensor; bo: Tensor; g1: Tensor; b1: Tensor; i: Tensor; bi: Tensor; out: Tensor; bout: Tensor; g2: Tensor; b2: Tensor }

function makeModel(gen: Generator) {
  const w = (...shape: number[]) => randn(shape, gen, 0.02).requiresGrad_();
  const b = (n: number) => zeros([n]).requiresGrad_();
  const g = (n: number) => ones([n]).requiresGrad_();
  const emb = { word: w(V, H), pos: w(P, H), type: w(2, H), g: g(H), b: b(H) };
  const layers: Layer[] = Array.from({ length: L }, () => ({
    q: w(H, H), bq: b(H), k: w(H, H), bk: b(H), v: w(H, H), bv: b(H), o: w(H, H), bo: b(H), g1: g(H), b1: b(H),
    i: w(FF, H), bi: b(FF), out: w(H, FF), bout: b(H), g2: g(H), b2: b(H),
  }));
  const params = [...Object.values(emb), ...layers.flatMap((l) => Object.values(l))];
  return { emb, layers, params };
}

type Model = ReturnType<typeof makeModel>;

/** MiniLM-shaped BERT forward + mean pooling, the same math as ../shared/bench/torch_minilm_step.py. */
function encode(m: Model, ids: Tensor, mask: Tensor): Tensor {
  const [B, T] = ids.shape as [number, number];
  const posIds = arange(T, 'int32');
  let x = embedding(m.emb.word, ids).add(embedding(m.emb.pos, posIds)).add(m.emb.type.slice(0, 0, 1));
  x = layerNorm(x, m.emb.g, m.emb.b, 1e-12);
  const bias = mask.sub(1).mul(1e4).reshape([B, 1, 1, T]);
  const heads = (t: Tensor) => t.reshape([B, T, NH, D]).permute([0, 2, 1, 3]);
  for (const l of m.layers) {
    const q = heads(linear(x, l.q, l.bq)), k = heads(linear(x, l.k, l.bk)), v = heads(linear(x, l.v, l.bv));
    const att = matmul(q, k.transpose()).mul(1 / Math.sqrt(D)).add(bias).softmax(-1);
    const ctx = matmul(att, v).permute([0, 2, 1, 3]).reshape([B, T, H]);
    x = layerNorm(x.add(linear(ctx, l.o, l.bo)), l.g1, l.b1, 1e-12);
    x = layerNorm(x.add(linear(gelu(linear(x, l.i, l.bi)), l.out, l.bout)), l.g2, l.b2, 1e-12);
  }
  const mm = mask.reshape([B, T, 1]);
  return x.mul(mm).sum(1).div(mm.sum(1).clamp(1e-9));
}

/** The bench model and its forward, for other scripts (profile-step.ts). */
export function benchModel(gen: Generator) {
  return { model: makeModel(gen), encode, V };
}

export async function benchMiniLM(): Promise<void> {
  const gen = new Generator(0);
  const model = makeModel(gen);
  const opt = new AdamW(model.params, { lr: 2e-5 });
  const B = 32, T = 64;
  const ids = () => tensor(Int32Array.from({ length: B * T }, () => gen.int(V)), [B, T]);
  const q = ids(), p = ids();
  const mask = ones([B, T]);
  const labels = arange(B, 'int64');
  const stats = (backends.get('ort') as unknown as { stats: OrtStats }).stats;
  const step = async () => {
    const eq = normalize(encode(model, q, mask)), ep = normalize(encode(model, p, mask));
    const loss = crossEntropy(matmul(eq, ep.transpose()).div(0.05), labels);
    loss.backward();
    await opt.step(loss);
    return loss;
  };
  const compileBefore = stats.compileMs;
  const t0 = performance.now();
  await step();
  const first = performance.now() - t0;
  const compileMs = stats.compileMs - compileBefore;
  // Steps 2-4 warm up: the third run of a graph recompiles it with a memory arena (ort backend's SessionCache).
  for (let i = 0; i < 3; i++) await step();
  const ts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await step();
    ts.push(performance.now() - t);
  }
  ts.sort((a, b) => a - b);
  const med = ts[2]!;
  console.log(`MiniLM InfoNCE train step (2x${B}x${T}, fwd+bwd+AdamW), core-tensor/ort: median ${fmt(med, 0)} ms -> ${fmt((2 * B) / (med / 1000))} seq/s; graph compile ${fmt(compileMs, 0)} ms (first step ${fmt(first, 0)} ms)`);

  runTorchReference();
}

/**
 * Runs ../shared/bench/torch_minilm_step.py right after our figures. The Python is
 * RETRIEVALS_TORCH_PYTHON, else `python3`; Debian's python3-torch is built on the generic
 * reference BLAS and is ~30x slower, so the pip wheel (pip install --no-index --no-deps
 * "$PIP_FIND_LINKS"/torch-*.whl) is what a fair comparison needs.
 */
function runTorchReference(): void {
  const script = resolve(import.meta.dirname, '../../../../shared/bench/torch_minilm_step.py');
  const python = process.env.RETRIEVALS_TORCH_PYTHON ?? 'python3';
  if (!existsSync(script)) {
    console.log(`  pytorch reference not run: ${script} not found`);
    return;
  }
  try {
    const info = execFileSync(python, ['-c', "import torch,re;print(torch.__version__, re.search(r'BLAS_INFO=(\\w+)', torch.__config__.show()).group(1))"], { encoding: 'utf8' }).trim();
    const out = execFileSync(python, [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    console.log(`  pytorch ${info} (${python}):`);
    console.log(out.trim().split('\n').map((l) => `    ${l}`).join('\n'));
  } catch (e) {
    console.log(`  pytorch reference not run (${python}): ${(e as Error).message.split('\n')[0]}`);
  }
}
