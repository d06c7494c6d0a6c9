import { realize, RetrievalsError, type DType, type TensorToWrite } from '@retrievals/core-tensor';
import type { Module } from './modules.js';
import { Checkpoint } from './weights.js';

/** Saving could not proceed; nothing has been written when this is thrown. */
export class SaveError extends RetrievalsError {}

const LORA = /(^|\.)lora_[AB](\.|$)/;

/**
 * The tensors of model.safetensors for a loaded backbone: every parameter under the checkpoint's
 * own prefix (`bert.`, `model.`, or none), in the dtype it is held in (float32 by default; float16
 * or bfloat16 when loaded with `dtype`, exactly as held), plus every tensor of the source checkpoint
 * the model does not hold (an MLM or LM head, a `position_ids` buffer), copied byte for byte in its
 * stored dtype, so the file has the source's tensor names and Python loads it as the same task
 * model. LayerNorm `gamma`/`beta` of old checkpoints come back as `weight`/`bias`, as transformers
 * saves them. Lazy parameters (after training steps) are realised first.
 */
export async function collectWeights(backbone: Module, prefix: string, sourceDir: string): Promise<{ tensors: Map<string, TensorToWrite>; dtype: DType }> {
  const params = backbone.namedParameters();
  const lora = [...params.keys()].filter((n) => LORA.test(n));
  if (lora.length) {
    throw new SaveError(
      `savePretrained: the model holds LoRA layers (${lora.slice(0, 2).join(', ')}${lora.length > 2 ? ', …' : ''}); ` +
        'call mergeAndUnload() first to save a plain model, or saveAdapter(dir) to save only the adapter',
    );
  }
  await realize(...[...params.values()].filter((t) => !t.buffer));

  const out = new Map<string, TensorToWrite>();
  const used = new Set<string>();
  for (const [name, t] of params) {
    out.set(prefix + name, { dtype: t.dtype, shape: [...t.shape], data: t.buffer! });
    used.add(prefix + name);
    // The names the loader would have taken this parameter from (see load-weights.ts storedCandidates).
    if (name.endsWith('LayerNorm.weight')) used.add(prefix + name.replace(/weight$/, 'gamma'));
    if (name.endsWith('LayerNorm.bias')) used.add(prefix + name.replace(/bias$/, 'beta'));
  }
  const ckpt = Checkpoint.open(sourceDir);
  try {
    for (const name of ckpt.names()) if (!used.has(name)) out.set(name, ckpt.read(name));
  } finally {
    ckpt.close();
  }
  return { tensors: out, dtype: mainDtype([...params.values()].map((t) => [t.dtype, t.size] as const)) };
}

/** The dtype most parameter values are held in: what config.json's torch_dtype should say. */
function mainDtype(held: Iterable<readonly [DType, number]>): DType {
  const count = new Map<DType, number>();
  for (const [dtype, n] of held) count.set(dtype, (count.get(dtype) ?? 0) + n);
  return [...count].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'float32';
}
