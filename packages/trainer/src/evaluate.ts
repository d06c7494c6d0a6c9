import { noGrad, realize } from '@retrievals/core-tensor';
import type { Collator } from '@retrievals/data';
import type { Loss } from '@retrievals/losses';
import type { AutoModelForEmbedding } from '@retrievals/models';
import type { TrainerCallback } from './callbacks.js';
import { lossInputs } from './step.js';

/**
 * Evaluation with the model in eval mode (no dropout): the mean loss over the eval examples
 * (`eval_loss`, each group's first positive and first negatives: no sampling) and every evaluator
 * callback's metrics, prefixed with its name. Training mode is restored by the next step.
 */
export async function evaluateAll(o: { model: AutoModelForEmbedding; loss: Loss; collator: Collator; examples: readonly unknown[] | undefined; batchSize: number; callbacks: readonly TrainerCallback[] }): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  o.model.backbone!.eval();
  if (o.examples?.length) {
    let total = 0, n = 0;
    for (let s = 0; s < o.examples.length; s += o.batchSize) {
      const rows = Array.from({ length: Math.min(o.batchSize, o.examples.length - s) }, (_, i) => s + i);
      const batch = o.collator.collate(rows.map((r) => o.examples![r]), { rows });
      const value = noGrad(() => o.loss(lossInputs(o.model, batch)));
      await realize(value);
      total += Number(value.dataSync()[0]) * rows.length;
      n += rows.length;
    }
    out.eval_loss = total / n;
  }
  for (const [i, cb] of o.callbacks.entries()) {
    if (!cb.evaluate) continue;
    const metrics = await cb.evaluate(o.model);
    for (const [k, v] of Object.entries(metrics)) out[`${cb.name ?? `evaluator${i}`}_${k}`] = v;
  }
  return out;
}
