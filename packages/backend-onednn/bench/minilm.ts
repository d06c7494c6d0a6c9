// The MiniLM InfoNCE training step (2×32 sequences of 64 tokens, forward + backward + AdamW; the
// shape of ../../trainer/bench/step.ts and torch_peer.py's train) and a mixed-length encode (sorted
// by length, batches of 32 padded to the longest, as sentence-transformers does) on ort, onednn and
// onednn-bf16, interleaved; then torch_peer.py on the same token ids. Random weights, no dropout.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AdamW, backward, backends, Generator, noGrad, realize, Tensor, withBackend } from '@retrievals/core-tensor';
import { losses } from '@retrievals/losses';
import { AutoModelForEmbedding, initializeModelFolder } from '@retrievals/models';
import type { OnednnBackend } from '../src/index.js';
import { lowerProgram } from '../src/plan/lower.js';
import { median, settle, timeByOp } from './common.js';

const SHARED = resolve(import.meta.dirname, '../../../../shared');
const MINILM = join(SHARED, 'tokenizers/all-MiniLM-L6-v2');
const NAMES = ['ort', 'onednn', 'onednn-bf16'];

function modelDir(): string {
  const dir = join(tmpdir(), 'retrievals-bench', 'minilm-onednn');
  if (!existsSync(join(dir, 'model.safetensors'))) {
    mkdirSync(dir, { recursive: true });
    const config = JSON.parse(readFileSync(join(MINILM, 'config.json'), 'utf8')) as Record<string, unknown>;
    initializeModelFolder(dir, { config: { ...config, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 }, tokenizerFrom: MINILM });
  }
  return dir;
}

type Loss = (inputs: Record<string, Tensor>) => Tensor;
type Batch = { inputIds: Tensor; attentionMask: Tensor; tokenTypeIds: Tensor; lengths: number[] };

function batchOf(rows: number[][], T: number): Batch {
  const B = rows.length;
  const ids = new BigInt64Array(B * T), mask = new BigInt64Array(B * T);
  rows.forEach((r, i) => r.forEach((id, j) => ((ids[i * T + j] = BigInt(id)), (mask[i * T + j] = 1n))));
  const t = (buffer: BigInt64Array) => new Tensor({ shape: [B, T], dtype: 'int64', buffer });
  return { inputIds: t(ids), attentionMask: t(mask), tokenTypeIds: t(new BigInt64Array(B * T)), lengths: rows.map((r) => r.length) };
}

function randomIds(gen: Generator, n: number, len: () => number): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: len() }, () => 1000 + Math.floor(gen.uniform() * 29000)));
}

/** torch_peer.py on the same ids (train: its own fixed batch of the same shape); undefined where torch is missing. */
function torchPeer(what: 'train' | 'encode' | 'all', corpus: number[][]): string | undefined {
  const ids = join(tmpdir(), `retrievals-bench-ids-${process.pid}.json`);
  writeFileSync(ids, JSON.stringify(corpus));
  const python = process.env.RETRIEVALS_TORCH_PYTHON ?? 'python3';
  try {
    return execFileSync(python, [join(SHARED, 'bench/torch_peer.py'), ids, what], { encoding: 'utf8' }).trim();
  } catch (e) {
    console.log(`PyTorch peer not run (${python}): ${(e as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

export async function benchModel(rounds = 5, only?: string): Promise<void> {
  const dir = modelDir();
  const gen = new Generator(1);
  const q = batchOf(randomIds(gen, 32, () => 64), 64), p = batchOf(randomIds(gen, 32, () => 64), 64);
  const loss = losses.create({ name: 'infonce', temperature: 0.05 }) as unknown as Loss;

  console.log('\n== MiniLM InfoNCE step, 2×32×64, fwd+bwd+AdamW (ms, median of interleaved rounds) ==');
  const models = await Promise.all(NAMES.map((backend) => AutoModelForEmbedding.fromPretrained(dir, { poolingMethod: 'mean', backend })));
  for (const m of models) m.backbone!.requiresGrad_(true);
  const opts = models.map((m) => new AdamW(m.parameters(), { lr: 2e-5 }));
  const step = async (k: number, pause = true) => {
    if (pause) await settle();
    const t0 = performance.now();
    await withBackend(NAMES[k]!, async () => {
      const value = loss({ query: models[k]!.forward(q), positive: models[k]!.forward(p) });
      backward(value);
      await opts[k]!.step(value);
    });
    return performance.now() - t0;
  };
  if (only === 'encode') return benchEncode(models, gen);
  if (only === 'profile') {
    // four warm steps right before each profiled one: until the GC returns the first steps'
    // parameter buffers, and after another model's step, outputs are fresh memory
    for (let k = 1; k < NAMES.length; k++) {
      for (let i = 0; i < 4; i++) await step(k);
      await profileStep(models, opts, q, p, loss, [k]);
    }
    return;
  }
  const times: number[][] = NAMES.map(() => []);
  // PyTorch before and after our rounds, so a change of machine load between them shows
  const before = torchPeer('train', []);
  if (before) console.log(`PyTorch before ours:\n  ${before.split('\n').join('\n  ')}`);
  for (let k = 0; k < NAMES.length; k++) for (let i = 0; i < 3; i++) await step(k);
  // timed steps follow an untimed one of the same backend and each other with no pause, as in a
  // training loop and as torch_peer.py times them: right after another backend's step, the buffer
  // pools hold the other model's buffers and the GC has its ~270 MB of outputs to return (a 20 ms
  // pause before each timed step, as this bench had, let the GC catch up and hid late buffers)
  for (let r = 0; r < rounds; r++)
    for (let k = 0; k < NAMES.length; k++) {
      await step(k);
      for (let i = 0; i < 2; i++) times[k]!.push(await step(k, false));
    }
  NAMES.forEach((n, k) => console.log(`${n.padEnd(12)} ${median(times[k]!).toFixed(0)} ms/step  (${times[k]!.map((t) => t.toFixed(0)).join(', ')})`));
  const after = torchPeer('train', []);
  if (after) console.log(`PyTorch after ours:\n  ${after.split('\n').join('\n  ')}`);
  // each profiled step right after one of its own backend (after another model's step its
  // matmuls ran at ~60 % and its AdamW waited on fresh memory)
  for (const k of [1, 2]) {
    await step(k);
    await profileStep(models, opts, q, p, loss, [k]);
  }
  await benchEncode(models, gen);
}

async function benchEncode(models: AutoModelForEmbedding[], gen: Generator): Promise<void> {
  console.log('\n== MiniLM encode: 256 texts of 16–128 tokens, batches of 32 sorted by length (texts/s, best of 3) ==');
  const corpus = randomIds(new Generator(2), 256, () => 16 + Math.floor(gen.uniform() * 113));
  const order = corpus.map((_, i) => i).sort((a, b) => corpus[b]!.length - corpus[a]!.length);
  const encode = async (k: number) => {
    await settle();
    const t0 = performance.now();
    await withBackend(NAMES[k]!, () =>
      noGrad(async () => {
        for (let s = 0; s < order.length; s += 32) {
          const rows = order.slice(s, s + 32).map((i) => corpus[i]!);
          const T = Math.ceil(rows[0]!.length / 8) * 8; // the models' padding multiple
          await realize(models[k]!.forward(batchOf(rows, T), { normalize: true }));
        }
      }),
    );
    return performance.now() - t0;
  };
  const enc: number[][] = NAMES.map(() => []);
  // PyTorch before and after ours, as for the step: on a shared host the load moves within minutes
  const before = torchPeer('encode', corpus);
  if (before) console.log(`PyTorch encode before ours (torch_peer.py, same ids):\n  ${before.split('\n').join('\n  ')}`);
  for (let k = 0; k < NAMES.length; k++) console.log(`  ${NAMES[k]} first pass (compiling 8 shapes): ${(await encode(k)).toFixed(0)} ms`);
  for (let r = 0; r < 3; r++) for (let k = 0; k < NAMES.length; k++) enc[k]!.push(await encode(k));
  NAMES.forEach((n, k) => console.log(`${n.padEnd(12)} ${(256 / (Math.min(...enc[k]!) / 1000)).toFixed(1)} texts/s`));

  const peer = torchPeer('encode', corpus);
  if (peer) console.log(`PyTorch encode after ours:\n  ${peer.split('\n').join('\n  ')}`);
}

/** One profiled step on each onednn backend: time by instruction kind, and the matmul implementations. */
async function profileStep(models: AutoModelForEmbedding[], opts: AdamW[], q: Batch, p: Batch, loss: Loss, which: number[]) {
  for (const k of which) {
    const be = backends.get(NAMES[k]!) as OnednnBackend;
    be.profile(true);
    let program: Parameters<OnednnBackend['describe']>[0] | undefined;
    // the step's one program, captured (by wrapping run for this call) to describe it afterwards
    const original = be.run;
    let runMs = 0, enteredAt = 0;
    be.run = async (prog, feeds) => {
      program = prog;
      enteredAt = performance.now();
      const out = await original.call(be, prog, feeds);
      runMs += performance.now() - enteredAt;
      return out;
    };
    const t0 = performance.now();
    try {
      await withBackend(NAMES[k]!, async () => {
        const value = loss({ query: models[k]!.forward(q), positive: models[k]!.forward(p) });
        backward(value);
        await opts[k]!.step(value);
      });
    } finally {
      be.run = original;
    }
    const stepMs = performance.now() - t0;
    be.profile(false);
    if (!program) continue;
    const rows = await be.describe(program);
    const total = rows.reduce((s, r) => s + r.ms, 0);
    const top = timeByOp(rows).slice(0, 8);
    console.log(`  ${NAMES[k]} profile: step ${stepMs.toFixed(0)} ms = ${(enteredAt - t0).toFixed(0)} ms building the graph and program (core-tensor, JS) + ${runMs.toFixed(0)} ms in run (${total.toFixed(0)} ms of it in ${rows.length} kernels)`);
    console.log(`    by op: ${top.map(([op, e]) => `${op} ${e.ms.toFixed(0)} ms/${e.n}`).join(', ')}`);
    if (process.env.PROFILE_TOP) {
      // the costliest instructions one by one, with what they write (same order as the plan's)
      const { values, instrs } = lowerProgram(program);
      const shapeOf = (i: number) => instrs[i]!.writes.map((w) => `[${values[w]!.shape.join(',')}]`).join(' ');
      const worst = rows.map((r, i) => ({ ...r, i })).sort((a, b) => b.ms - a.ms).slice(0, Number(process.env.PROFILE_TOP));
      for (const r of worst) console.log(`    #${r.i} ${r.ms.toFixed(2)} ms ${r.op.slice(0, 60)} -> ${shapeOf(r.i)}`);
    }
    const impls = new Map<string, number>();
    for (const r of rows) if (r.kind === 'matmul') impls.set(r.impl, (impls.get(r.impl) ?? 0) + 1);
    console.log(`  ${NAMES[k]} matmul implementations: ${[...impls.entries()].map(([i, n]) => `${i} ×${n}`).join(', ')}`);
  }
}
