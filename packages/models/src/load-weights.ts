import { castArray, isFloat, storedToTensor, Tensor } from '@retrievals/core-tensor';
import { WeightsError } from './errors.js';
import type { Module } from './modules.js';
import type { Checkpoint } from './weights.js';

/** Storage dtype of parameters in memory; compute is float32 whatever this is. */
export type StorageDType = 'float32' | 'float16' | 'bfloat16';

export interface LoadWeightsOptions {
  /** Prefixes a checkpoint may put before the base model's names (`bert.`, `model.`, ...); none is always tried. */
  prefixes?: readonly string[];
  /** Stored tensors that are never an error: heads of other tasks (`cls.*`, `lm_head.*`), buffers (`position_ids`). */
  ignore?: readonly RegExp[];
  /** Child modules that may be absent from a checkpoint (e.g. BERT's pooler); dropped when none of their tensors is stored. */
  optionalModules?: readonly string[];
  dtype?: StorageDType;
}

export interface LoadedWeights {
  /** The prefix found in the checkpoint ('' for none); kept so a saved model can use the same layout. */
  prefix: string;
  /** Stored tensors left unused because an `ignore` pattern or another prefix covers them. */
  ignored: string[];
}

const LIST = 8;
const list = (names: string[]) => names.slice(0, LIST).map((n) => `'${n}'`).join(', ') + (names.length > LIST ? `, … (${names.length} in all)` : '');

/** Old TF-converted BERT checkpoints name LayerNorm parameters gamma/beta; transformers renames them on load, so do we. */
function storedCandidates(prefix: string, name: string): string[] {
  const out = [prefix + name];
  if (name.endsWith('LayerNorm.weight')) out.push(prefix + name.replace(/weight$/, 'gamma'));
  if (name.endsWith('LayerNorm.bias')) out.push(prefix + name.replace(/bias$/, 'beta'));
  return out;
}

function pickPrefix(expected: string[], ckpt: Checkpoint, prefixes: readonly string[]): string {
  let best = '', bestCount = -1;
  for (const p of ['', ...prefixes]) {
    const count = expected.filter((n) => storedCandidates(p, n).some((c) => ckpt.has(c))).length;
    if (count > bestCount) [best, bestCount] = [p, count];
  }
  if (bestCount <= 0) {
    const shown = prefixes.length ? ` (optionally prefixed ${prefixes.map((p) => `'${p}'`).join(' or ')})` : '';
    throw new WeightsError(
      `${ckpt.files.join(', ')}: none of the model's tensors is stored; expected names like ${list(expected.slice(0, 3))}${shown}, the file has ${list(ckpt.names())}`,
    );
  }
  return best;
}

/**
 * Fills a module's parameters from a checkpoint by their Hugging Face names, with or without the
 * task model's prefix. Everything is checked before any tensor data is read: a missing, unexpected
 * or mis-shaped tensor is a WeightsError that names it, its file, and the expected shape.
 */
export function loadWeights(model: Module, ckpt: Checkpoint, options: LoadWeightsOptions = {}): LoadedWeights {
  const { prefixes = [], ignore = [], optionalModules = [], dtype = 'float32' } = options;
  const prefix = pickPrefix([...model.parameterShapes().keys()], ckpt, prefixes);
  for (const path of optionalModules) {
    if (!ckpt.names().some((n) => n.startsWith(`${prefix}${path}.`))) {
      const parts = path.split('.');
      const leaf = parts.pop()!;
      model.getModule(parts.join('.')).removeModule(leaf);
    }
  }
  const expected = model.parameterShapes();
  const sourceOf = new Map<string, string>();
  const missing: string[] = [];
  for (const name of expected.keys()) {
    const stored = storedCandidates(prefix, name).find((c) => ckpt.has(c));
    if (stored) sourceOf.set(name, stored);
    else missing.push(prefix + name);
  }
  if (missing.length) throw new WeightsError(`${ckpt.files.join(', ')}: missing tensor${missing.length > 1 ? 's' : ''} ${list(missing)}`);

  const used = new Set(sourceOf.values());
  const ignored: string[] = [], extra: string[] = [];
  for (const name of ckpt.names()) {
    if (used.has(name)) continue;
    // Under another prefix (an MLM head next to `bert.`), or a known buffer/head: not ours to load.
    if ((prefix && !name.startsWith(prefix)) || ignore.some((re) => re.test(name))) ignored.push(name);
    else extra.push(name);
  }
  if (extra.length) {
    throw new WeightsError(`${ckpt.dir}: unexpected tensor${extra.length > 1 ? 's' : ''} ${list(extra)} in ${ckpt.info(extra[0]!).file} (not part of this ${model.constructor.name}; check config.json, e.g. num_hidden_layers)`);
  }

  for (const [name, stored] of sourceOf) {
    const info = ckpt.info(stored), shape = expected.get(name)!;
    if (info.shape.length !== shape.length || info.shape.some((d, i) => d !== shape[i])) {
      throw new WeightsError(`${info.file}: tensor '${stored}' has shape [${info.shape.join(', ')}], expected [${shape.join(', ')}] from config.json`);
    }
    if (!isFloat(info.dtype)) throw new WeightsError(`${info.file}: tensor '${stored}' is ${info.dtype}; weights must be a float type`);
  }

  for (const [name, stored] of sourceOf) {
    const t = toStorage(ckpt.read(stored), dtype);
    const parts = name.split('.');
    const leaf = parts.pop()!;
    model.getModule(parts.join('.')).setOwnParameter(leaf, t);
  }
  return { prefix, ignored };
}

function toStorage(stored: ReturnType<Checkpoint['read']>, dtype: StorageDType): Tensor {
  if (dtype === 'float32') return storedToTensor(stored);
  return new Tensor({ shape: stored.shape, dtype, buffer: castArray(stored.data, stored.dtype, dtype) });
}
