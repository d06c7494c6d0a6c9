import { add, backward, clipGradNorm, mul, noGrad, realize, sqrt, sum, type Optimizer, type Tensor, type TypedArray } from '@retrievals/core-tensor';
import type { CollatedBatch, Collator, TextRole } from '@retrievals/data';
import { derivedGenerator } from '@retrievals/data';
import { checkFinite, finiteGuards, NonFiniteError, type CachedBatch, type CachedLoss, type Loss, type LossInputs } from '@retrievals/losses';
import type { AutoModelForEmbedding } from '@retrievals/models';
import { NonFiniteStepError } from './errors.js';

/** Tags of the generator derivations, so dropout, sampling and shuffling never share a stream. */
export const RNG = { shuffle: 1, sample: 2, dropout: 3, lora: 4, arcface: 5 } as const;

export interface StepContext {
  model: AutoModelForEmbedding;
  collator: Collator;
  loss: Loss;
  optimizer: Optimizer;
  /** The tensors the optimizer updates (model + loss parameters). */
  params: Tensor[];
  seed: number;
  maxGradNorm: number;
  onNonFinite: 'stop' | 'skip';
}

const isCached = (loss: Loss): loss is CachedLoss => typeof (loss as Partial<CachedLoss>).backward === 'function' && 'inner' in loss;

/** Dropout masks of a forward pass come from a generator derived from the step, the micro-batch and (GradCache) the chunk, so a replay draws the same ones. */
function seedDropout(ctx: StepContext, ...path: number[]): void {
  ctx.model.backbone!.train(derivedGenerator(ctx.seed, RNG.dropout, ...path));
}

/** The loss inputs of a batch: each text role through the model, targets as they are. */
export function lossInputs(model: AutoModelForEmbedding, batch: CollatedBatch): LossInputs {
  const inputs: LossInputs = { ...batch.targets };
  for (const [role, f] of Object.entries(batch.texts) as [TextRole, NonNullable<CollatedBatch['texts'][TextRole]>][]) inputs[role] = model.forward(f.tokens);
  return inputs;
}

const ROLES: readonly TextRole[] = ['query', 'positive', 'negative', 'embeddings'];

/**
 * One optimizer step over micro-batches (gradient accumulation): each micro-batch's gradient is
 * realised before the next is built, so the graph stays one micro-batch big; the last one's
 * forward, backward, clipping and update run as ONE compiled run. Accumulation averages gradients
 * over micro-batches: it does not add in-batch negatives (each micro-batch only sees its own).
 * Returns the mean loss and the gradient norm before clipping; a NaN/Inf loss or gradient throws
 * NonFiniteStepError naming the step and rows, or with 'skip' restores the pre-step state and
 * returns skipped.
 */
export async function optimizerStep(ctx: StepContext, step: number, micro: readonly CollatedBatch[]): Promise<{ loss: number; gradNorm: number; skipped: boolean }> {
  const rows = micro.flatMap((b) => b.rows);
  const before = ctx.onNonFinite === 'skip' ? { buffers: ctx.params.map((p) => p.buffer), state: ctx.optimizer.stateDict() } : undefined;
  const fail = (what: string, cause?: unknown): never => {
    throw new NonFiniteStepError(`step ${step}: ${what}; batch rows ${rows.slice(0, 16).join(', ')}${rows.length > 16 ? `, … (${rows.length})` : ''}`, step, rows, { cause });
  };
  let total = 0;
  let last: Tensor | undefined;
  try {
    for (const [m, batch] of micro.entries()) {
      if (isCached(ctx.loss)) {
        const cachedBatch: CachedBatch = { ...batch.targets };
        ROLES.forEach((role, f) => {
          const feature = batch.texts[role];
          if (!feature) return;
          cachedBatch[role] = {
            items: feature.texts,
            encode: (chunk, info) => {
              seedDropout(ctx, step, m, f, info.chunk);
              return ctx.model.forward(ctx.collator.tokenize(role, chunk as string[]));
            },
          };
        });
        total += Number((await ctx.loss.backward(cachedBatch, ctx.params)).dataSync()[0]);
        continue;
      }
      seedDropout(ctx, step, m);
      const value = ctx.loss(lossInputs(ctx.model, batch));
      backward(value);
      if (m < micro.length - 1) {
        await realize(value, ...finiteGuards(value), ...grads(ctx.params));
        checkFinite(value);
        total += Number(value.dataSync()[0]);
      } else last = value;
    }
  } catch (e) {
    if (e instanceof NonFiniteError) return handle(ctx, before, fail, e);
    throw e;
  }
  const norm = noGrad(() => {
    if (micro.length > 1) for (const p of ctx.params) if (p.grad) p.grad = mul(p.grad, 1 / micro.length);
    return ctx.maxGradNorm > 0 ? clipGradNorm(ctx.params, ctx.maxGradNorm) : globalNorm(ctx.params);
  });
  const extra = last ? [last, ...finiteGuards(last)] : [];
  await ctx.optimizer.step(...extra, ...(norm ? [norm] : []));
  try {
    if (last) {
      checkFinite(last);
      total += Number(last.dataSync()[0]);
    }
  } catch (e) {
    return handle(ctx, before, fail, e);
  }
  const gradNorm = norm ? Number(norm.dataSync()[0]) : 0;
  if (!Number.isFinite(gradNorm)) return handle(ctx, before, fail, undefined, `the gradient norm is ${gradNorm} (the loss is finite: a gradient overflowed)`);
  return { loss: total / micro.length, gradNorm, skipped: false };
}

function grads(params: readonly Tensor[]): Tensor[] {
  return params.map((p) => p.grad).filter((g): g is Tensor => g !== undefined);
}

function globalNorm(params: readonly Tensor[]): Tensor | undefined {
  const g = grads(params);
  return g.length ? sqrt(g.map((x) => sum(mul(x, x))).reduce((a, b) => add(a, b))) : undefined;
}

type Before = { buffers: (TypedArray | undefined)[]; state: ReturnType<Optimizer['stateDict']> } | undefined;

function handle(ctx: StepContext, before: Before, fail: (what: string, cause?: unknown) => never, cause: unknown, what?: string): { loss: number; gradNorm: number; skipped: true } {
  for (const p of ctx.params) p.grad = undefined;
  if (!before) fail(what ?? (cause as Error).message, cause);
  // Optimizers replace parameter buffers rather than writing into them, so the old ones are intact.
  ctx.params.forEach((p, i) => (p.buffer = before!.buffers[i]));
  ctx.optimizer.loadStateDict(before!.state);
  // loadStateDict leaves alone a parameter that had no state yet (a skipped first step), which would
  // keep moments computed from the poisoned gradient: drop those.
  const state = Reflect.get(ctx.optimizer, 'state') as unknown;
  if (state instanceof Map) ctx.optimizer.params.forEach((p, i) => Object.keys(before!.state.state[i] ?? {}).length || state.delete(p.id));
  return { loss: NaN, gradNorm: NaN, skipped: true };
}
