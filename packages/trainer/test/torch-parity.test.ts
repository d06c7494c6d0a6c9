/**
 * The trainer against a PyTorch reference trainer (tools/torch-refs/make_trainer_refs.py): same
 * initial weights, same batches, same hyperparameters, and the loss of each of the first 50 steps
 * within 1e-4 relative (float32). The reference files hold the 50 losses, the gradient norms, the
 * final norm of every trained tensor and the SHA-256 of the batches they were computed on; the batches themselves are reproduced here from the seed, so a
 * change in shuffling, sampling or tokenization fails the digest check rather than the losses.
 *
 * Regenerate: python3 tools/torch-refs/make_trainer_refs.py (it runs this file with
 * TORCH_PARITY_DUMP set, which writes the weights and batches instead of comparing).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { realize, Tensor } from '@retrievals/core-tensor';
import { describe, expect, it } from 'vitest';
import { RetrievalTrainer } from '../src/index.js';
import { CASES, COMMON, missing, STEPS, type ParityMeta } from './parity/cases.js';
import { batchesJson, RecordingCollator, sha256, writeDump } from './parity/record.js';
import { logRecords, noDropout, tmp } from './helpers.js';

const DUMP = process.env.TORCH_PARITY_DUMP;
const REFS = join(import.meta.dirname, 'refs');
const RTOL = 1e-4;

interface Reference {
  case: string;
  batches_sha256: string;
  losses: number[];
  grad_norms: number[];
  final_norms: Record<string, number>;
  /** The largest |gradient| element each trained tensor had over the run (0 when it never had one). */
  max_abs_grads: Record<string, number>;
}

/**
 * A gradient this small is the rounding noise of one that is mathematically zero: BERT's attention
 * key bias adds q·b_k to every score of a row, which softmax ignores. Adam divides each gradient by
 * its own magnitude, so noise moves such a tensor by full lr-sized steps in directions set by
 * rounding, different in every implementation; its final value is not compared.
 */
const NOISE = 1e-6;

/** A snapshot of a tensor's current values (the optimizer replaces parameter buffers as it trains). */
const copy = (t: Tensor) => new Tensor({ shape: t.shape, dtype: t.dtype, buffer: t.dataSync().slice() });

describe('training against PyTorch (50 steps, float32)', () => {
  for (const c of CASES) {
    const absent = missing(c);
    if (absent) console.log(`torch-parity: skipping ${c.name}: ${absent} is missing`);
    it.skipIf(absent !== undefined)(c.name, async () => {
      const { model, examples, collator, loss, args } = await c.build();
      const recording = new RecordingCollator(collator);
      const outputDir = tmp(`parity-${c.name}`);
      const trainer = new RetrievalTrainer({ model, args: { outputDir, ...COMMON, ...args }, trainDataset: examples, dataCollator: recording, loss });
      // Dropout off (the reference runs the eval-mode forward), so both sides are deterministic.
      noDropout(model);
      await realize(...trainer.trainable.values());
      const init = new Map([...trainer.trainable].map(([n, t]) => [n, copy(t)]));
      const { losses } = await trainer.train();
      const batches = batchesJson(recording.batches);
      expect(recording.batches.length).toBe(STEPS);
      const got = Array.from({ length: STEPS }, (_, i) => losses.get(i + 1)!);
      if (DUMP) {
        const a = trainer.args;
        const hyper: ParityMeta['hyper'] = {
          lr: a.learningRate, betas: [a.adamBeta1, a.adamBeta2], eps: a.adamEpsilon, weight_decay: a.weightDecay,
          warmup_steps: trainer.warmupSteps, total_steps: trainer.totalSteps, max_grad_norm: a.maxGradNorm, schedule: 'linear',
        };
        writeDump(join(DUMP, c.name), { case: c.name, ...c.meta, hyper, project_losses: got }, init, batches);
        return;
      }
      const file = join(REFS, `torch_trainer_${c.name}.json`);
      expect(existsSync(file), `${file} is missing: run python3 tools/torch-refs/make_trainer_refs.py`).toBe(true);
      const ref = JSON.parse(readFileSync(file, 'utf8')) as Reference;
      expect(sha256(batches), 'the batches differ from those the reference was computed on (shuffling, sampling or tokenization changed): regenerate with make_trainer_refs.py').toBe(ref.batches_sha256);
      const rel = got.map((l, i) => Math.abs(l - ref.losses[i]!) / Math.abs(ref.losses[i]!));
      const worst = Math.max(...rel);
      if (process.env.TORCH_PARITY_REPORT) console.log(`${c.name}: max rel ${worst.toExponential(2)} at step ${rel.indexOf(worst) + 1}; loss ${got[0]} → ${got[STEPS - 1]}`);
      const bad = rel.findIndex((r) => !(r <= RTOL));
      expect.soft(bad, bad < 0 ? '' : `step ${bad + 1}: loss ${got[bad]}, PyTorch ${ref.losses[bad]} (relative ${rel[bad]!.toExponential(2)} > ${RTOL})`).toBe(-1);
      // The gradient norms before clipping (logged every step) follow the reference too.
      const norms = logRecords<{ grad_norm: number }>(outputDir, 'step').map((r) => r.grad_norm);
      expect(norms).toHaveLength(STEPS);
      const normRel = norms.map((g, i) => Math.abs(g - ref.grad_norms[i]!) / ref.grad_norms[i]!);
      expect.soft(Math.max(...normRel)).toBeLessThan(1e-3);
      // Every trained tensor ends where PyTorch's does: its L2 norm, which a misplaced weight decay
      // (on a LayerNorm weight, say) moves by ~1e-3 while the losses move by ~2e-4.
      const compared = [...trainer.trainable].filter(([n]) => !(ref.max_abs_grads[n]! > 0 && ref.max_abs_grads[n]! < NOISE));
      const off = compared.filter(([n, t]) => !(Math.abs(norm(t) - ref.final_norms[n]!) <= RTOL * ref.final_norms[n]! + 1e-7));
      expect.soft(off.map(([n, t]) => `${n}: ${norm(t)} vs ${ref.final_norms[n]}`)).toEqual([]);
    }, 60_000);
  }
});

const norm = (t: Tensor) => Math.sqrt(Array.from(t.dataSync() as Float32Array).reduce((a, x) => a + x * x, 0));
