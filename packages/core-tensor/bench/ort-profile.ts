// Runs one MiniLM training step's compiled graph under onnxruntime's profiler and prints where
import { buildProgram, lowerProgram } from '../src/internal.js';
// the time goes by ONNX op type (for tuning the lowering; not part of `pnpm bench`).
import { readFileSync } from 'node:fs';
import ort from 'onnxruntime-node';
import { AdamW, arange, crossEntropy, encodeModel, Generator, matmul, normalize, ones, tensor, noGrad, type Tensor } from '../src/index.js';
import { benchModel } from './minilm.js';

const gen = new Generator(0);
const { model, encode, V } = benchModel(gen);
const opt = new AdamW(model.params, { lr: 2e-5 });
const B = 32, T = 64;
const ids = () => tensor(Int32Array.from({ length: B * T }, () => gen.int(V)), [B, T]);
const q = ids(), p = ids(), mask = ones([B, T]), labels = arange(B, 'int64');
const eq = normalize(encode(model, q, mask)), ep = normalize(encode(model, p, mask));
const loss: Tensor = crossEntropy(matmul(eq, ep.transpose()).div(0.05), labels);
loss.backward();
// Build the same update nodes opt.step() would, without running them.
opt.stepCount = 1;
const updates = noGrad(() => model.params.map((x) => (opt as unknown as { update: Function; stepFeeds: Function }).update(x, x.grad, opt.groups[0], (opt as unknown as { stepFeeds: Function }).stepFeeds(opt.groups[0], x))));
const targets = [loss, ...updates.flatMap((u: { param: Tensor; state: Record<string, Tensor> }) => [u.param, ...Object.values(u.state)])];
const { program, feedData } = buildProgram(targets);
const session = await ort.InferenceSession.create(encodeModel(lowerProgram(program)), { intraOpNumThreads: 2, interOpNumThreads: 1, graphOptimizationLevel: 'all', enableProfiling: true, profileFilePrefix: '/tmp/ortprof' });
const feeds: Record<string, ort.Tensor> = {};
program.feeds.forEach((f, i) => (feeds[`in${i}`] = new ort.Tensor(f.dtype as 'float32', feedData[i] as Float32Array, [...f.shape])));
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  await session.run(feeds);
  console.log(`run ${i}: ${(performance.now() - t0).toFixed(0)} ms`);
}
const file = (session as unknown as { endProfiling(): string }).endProfiling?.() ?? '';
const events = JSON.parse(readFileSync(file || '/dev/null', 'utf8')) as { cat: string; name: string; dur: number; args?: { op_name?: string } }[];
const byOp = new Map<string, number>();
for (const e of events) if (e.cat === 'Node' && e.name.endsWith('_kernel_time')) byOp.set(e.args?.op_name ?? '?', (byOp.get(e.args?.op_name ?? '?') ?? 0) + e.dur / 3000);
const total = [...byOp.values()].reduce((a, b) => a + b, 0);
console.log(`kernel time per run ${total.toFixed(0)} ms`);
for (const [op, ms] of [...byOp.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${op.padEnd(22)} ${ms.toFixed(1)} ms`);
