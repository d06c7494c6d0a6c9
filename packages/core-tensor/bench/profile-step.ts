// Where a MiniLM step's time goes: graph building in JS, program/key building, and the ORT run.
import { buildProgram, lowerProgram } from '../src/internal.js';
import { AdamW, arange, crossEntropy, Generator, matmul, normalize, ones, tensor, backends, type Tensor } from '../src/index.js';
import { benchModel } from './minilm.js';

const gen = new Generator(0);
const { model, encode, V } = benchModel(gen);
const opt = new AdamW(model.params, { lr: 2e-5 });
const B = 32, T = 64;
const ids = () => tensor(Int32Array.from({ length: B * T }, () => gen.int(V)), [B, T]);
const q = ids(), p = ids(), mask = ones([B, T]), labels = arange(B, 'int64');
for (let i = 0; i < 4; i++) {
  const t0 = performance.now();
  const eq = normalize(encode(model, q, mask)), ep = normalize(encode(model, p, mask));
  const loss: Tensor = crossEntropy(matmul(eq, ep.transpose()).div(0.05), labels);
  loss.backward();
  const t1 = performance.now();
  const built = buildProgram([loss, ...model.params.map((x) => x.grad!)]);
  const t2 = performance.now();
  await opt.step(loss);
  const t3 = performance.now();
  console.log(`step ${i}: graph ${(t1 - t0).toFixed(0)} ms, buildProgram ${(t2 - t1).toFixed(0)} ms (${built.program.nodes.length} nodes, key ${(built.program.key.length / 1024).toFixed(0)} KiB), step ${(t3 - t2).toFixed(0)} ms`, JSON.stringify((backends.get('ort') as unknown as { stats: object }).stats));
}
