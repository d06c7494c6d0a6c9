/**
 * bf16 training tracks fp32: a MiniLM-shaped BERT (scaled down: 2 layers, 64 hidden, 4 heads,
 * FFN 256) trained 30 InfoNCE steps (lr 3e-4, 4 batches of 16 pairs) with AdamW on onednn-bf16 has every step's loss within 1 %
 * (relative) of the same run on onednn fp32.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdamW, backward, Generator, Tensor, withBackend } from '@retrievals/core-tensor';
import { fixturesDir } from '@retrievals/fixtures';
import { losses } from '@retrievals/losses';
import { AutoModelForEmbedding, initializeModelFolder } from '@retrievals/models';
import { expect, it } from 'vitest';
import { describeOnednn, install } from './helpers/setup.js';

type Loss = (inputs: Record<string, Tensor>) => Tensor;

function batch(gen: Generator, B: number, T: number, vocab: number) {
  const ids = BigInt64Array.from({ length: B * T }, () => BigInt(5 + Math.floor(gen.uniform() * (vocab - 5))));
  const t = (buffer: BigInt64Array) => new Tensor({ shape: [B, T], dtype: 'int64', buffer });
  return { inputIds: t(ids), attentionMask: t(new BigInt64Array(B * T).fill(1n)), tokenTypeIds: t(new BigInt64Array(B * T)), lengths: new Array<number>(B).fill(T) };
}

describeOnednn('bf16 training', () => {
  it('30 InfoNCE steps of a small MiniLM-shaped BERT: bf16 loss within 1 % of fp32 at every step', async () => {
    await install();
    const tiny = join(fixturesDir(), 'bert-tiny');
    const base = JSON.parse(readFileSync(join(tiny, 'config.json'), 'utf8')) as Record<string, unknown>;
    const dir = initializeModelFolder(mkdtempSync(join(tmpdir(), 'onednn-bf16-')), {
      config: { ...base, hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 256, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 },
      tokenizerFrom: tiny,
      seed: 3,
    });
    const vocab = base.vocab_size as number;
    const gen = new Generator(5);
    const data = Array.from({ length: 4 }, () => ({ q: batch(gen, 16, 24, vocab), p: batch(gen, 16, 24, vocab) }));
    const loss = losses.create({ name: 'infonce', temperature: 0.05 }) as unknown as Loss;
    const train = async (backend: string) => {
      const model = await AutoModelForEmbedding.fromPretrained(dir, { poolingMethod: 'mean', backend });
      model.backbone!.requiresGrad_(true);
      const opt = new AdamW(model.parameters(), { lr: 3e-4 });
      const out: number[] = [];
      await withBackend(backend, async () => {
        for (let s = 0; s < 30; s++) {
          const { q, p } = data[s % data.length]!;
          const value = loss({ query: model.forward(q), positive: model.forward(p) });
          backward(value);
          await opt.step(value);
          out.push(Number(value.dataSync()[0]));
        }
      });
      return out;
    };
    const fp32 = await train('onednn'), bf16 = await train('onednn-bf16');
    expect(fp32[29]!).toBeLessThan(fp32[0]!); // it does train
    const worst = Math.max(...fp32.map((l, s) => Math.abs(bf16[s]! - l) / l));
    console.log(`bf16 vs fp32 loss: worst relative difference ${(worst * 100).toFixed(3)} % over 30 steps (loss ${fp32[0]!.toFixed(3)} → ${fp32[29]!.toFixed(3)})`);
    fp32.forEach((l, s) => expect(Math.abs(bf16[s]! - l) / l, `step ${s + 1}: bf16 ${bf16[s]} vs fp32 ${l}`).toBeLessThanOrEqual(0.01));
  }, 60_000); // ~3 s alone; 60 s leaves room for a loaded 2-core machine
});
