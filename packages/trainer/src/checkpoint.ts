import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SafetensorsFile, saveTensors, Tensor, type Optimizer, type TypedArray } from '@retrievals/core-tensor';
import { CheckpointError } from './errors.js';

export const CHECKPOINT_PREFIX = 'checkpoint-';
export const STATE_FILE = 'trainer_state.json';
const OPTIMIZER_FILE = 'optimizer.safetensors';
const LOSS_FILE = 'loss.safetensors';

/** Where the data loader stands: the next batch to read is batch `batch` of epoch `epoch`. */
export interface DataPosition {
  epoch: number;
  batch: number;
}

/** What trainer_state.json holds besides the weights. */
export interface TrainerState {
  /** Optimizer steps done. */
  step: number;
  position: DataPosition;
  /**
   * Every random draw of the run comes from a generator derived from (seed, what, epoch/step, …),
   * so this seed and the position are the whole generator state (see data's derivedGenerator).
   */
  rng: { seed: number; derivation: 'seed-path' };
  scheduler: { stepCount: number; baseLrs: number[] };
  optimizer: { step: number; lrs: number[] };
  /** Steps skipped for a NaN/Inf loss or gradient (onNonFinite: 'skip'). */
  skippedSteps: number;
  /** The trainable parameters by name, and which saved file and key hold each. */
  params: { name: string; file: string; key: string }[];
  lossParams: number;
  useLora: boolean;
}

export function checkpointDir(outputDir: string, step: number): string {
  return join(outputDir, `${CHECKPOINT_PREFIX}${step}`);
}

/** The checkpoints of a run folder by step, oldest first (temporary folders of an interrupted save are not checkpoints). */
export function listCheckpoints(outputDir: string): { step: number; dir: string }[] {
  if (!existsSync(outputDir)) return [];
  return readdirSync(outputDir)
    .map((n) => ({ n, m: /^checkpoint-(\d+)$/.exec(n) }))
    .filter((e) => e.m && existsSync(join(outputDir, e.n, STATE_FILE)))
    .map((e) => ({ step: Number(e.m![1]), dir: join(outputDir, e.n) }))
    .sort((a, b) => a.step - b.step);
}

/**
 * Writes a checkpoint atomically: everything goes into a temporary folder that is renamed to
 * `checkpoint-<step>` once complete, so a run killed mid-save leaves the previous checkpoints and
 * a stray `.tmp-` folder, never a half-written checkpoint.
 */
export async function writeCheckpoint(
  outputDir: string,
  state: Omit<TrainerState, 'params' | 'optimizer' | 'lossParams'>,
  parts: {
    saveModel: (dir: string) => Promise<void>;
    /** Which key each trainable parameter was saved under, once the model is written. */
    locate: (dir: string) => { name: string; file: string; key: string }[];
    optimizer: Optimizer;
    lossParams: Tensor[];
  },
): Promise<string> {
  const final = checkpointDir(outputDir, state.step);
  const tmp = join(outputDir, `.tmp-${CHECKPOINT_PREFIX}${state.step}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await parts.saveModel(tmp);
  const opt = parts.optimizer.stateDict();
  const tensors: Record<string, Tensor> = {};
  opt.state.forEach((entries, i) => {
    for (const [k, data] of Object.entries(entries)) tensors[`${i}.${k}`] = new Tensor({ shape: [data.length], dtype: dtypeOf(data), buffer: data });
  });
  saveTensors(join(tmp, OPTIMIZER_FILE), tensors);
  if (parts.lossParams.length) saveTensors(join(tmp, LOSS_FILE), Object.fromEntries(parts.lossParams.map((p, i) => [String(i), p])));
  const full: TrainerState = { ...state, optimizer: { step: opt.step, lrs: opt.lrs }, params: parts.locate(tmp), lossParams: parts.lossParams.length };
  writeFileSync(join(tmp, STATE_FILE), JSON.stringify(full, null, 1));
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
  return final;
}

function dtypeOf(data: TypedArray): 'float32' | 'float64' {
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Float32Array) return 'float32';
  throw new CheckpointError(`checkpoint: optimizer state of type ${data.constructor.name} is not supported (float32 or float64)`);
}

/** Removes the temporary folders of saves a killed run left unfinished. */
export function removeUnfinishedSaves(outputDir: string): void {
  if (!existsSync(outputDir)) return;
  for (const n of readdirSync(outputDir)) if (n.startsWith(`.tmp-${CHECKPOINT_PREFIX}`)) rmSync(join(outputDir, n), { recursive: true, force: true });
}

/** Keeps the newest `limit` checkpoints. */
export function pruneCheckpoints(outputDir: string, limit: number | undefined): void {
  if (limit === undefined) return;
  const all = listCheckpoints(outputDir);
  for (const c of all.slice(0, Math.max(0, all.length - limit))) rmSync(c.dir, { recursive: true, force: true });
}

/** `resumeFromCheckpoint`: true = the latest checkpoint in outputDir, a string = that folder. */
export function resolveCheckpoint(outputDir: string, resume: boolean | string): string | undefined {
  if (resume === false) return undefined;
  if (resume === true) {
    const latest = listCheckpoints(outputDir).at(-1);
    if (!latest) throw new CheckpointError(`resumeFromCheckpoint: no checkpoint-<step> folder with ${STATE_FILE} in ${outputDir}`);
    return latest.dir;
  }
  if (!existsSync(join(resume, STATE_FILE))) throw new CheckpointError(`resumeFromCheckpoint: ${resume} is not a checkpoint (no ${STATE_FILE})`);
  return resume;
}

export function readState(dir: string): TrainerState {
  try {
    return JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as TrainerState;
  } catch (e) {
    throw new CheckpointError(`${join(dir, STATE_FILE)}: cannot read: ${(e as Error).message}`, { cause: e });
  }
}

/** Puts a checkpoint's trainable weights, loss parameters and optimizer state back into the running objects. */
export function restoreCheckpoint(dir: string, state: TrainerState, target: { params: ReadonlyMap<string, Tensor>; optimizer: Optimizer; lossParams: Tensor[] }): void {
  const names = [...target.params.keys()];
  const saved = state.params.map((p) => p.name);
  if (saved.length !== names.length || saved.some((n, i) => n !== names[i])) {
    const missing = names.filter((n) => !saved.includes(n)).slice(0, 3), extra = saved.filter((n) => !names.includes(n)).slice(0, 3);
    throw new CheckpointError(`${dir}: the checkpoint trains ${saved.length} tensors, this run ${names.length} (not in the checkpoint: ${missing.join(', ') || '—'}; only in it: ${extra.join(', ') || '—'}); resume with the same model and useLora setting`);
  }
  const files = new Map<string, SafetensorsFile>();
  const open = (f: string) => files.get(f) ?? files.set(f, SafetensorsFile.open(join(dir, f))).get(f)!;
  try {
    for (const { name, file, key } of state.params) setValue(target.params.get(name)!, open(file), key, name);
    if (state.lossParams !== target.lossParams.length) throw new CheckpointError(`${dir}: the checkpoint holds ${state.lossParams} loss parameters, this run's loss has ${target.lossParams.length}`);
    target.lossParams.forEach((p, i) => setValue(p, open(LOSS_FILE), String(i), `loss parameter ${i}`));
    const optFile = open(OPTIMIZER_FILE);
    const entries: Record<string, TypedArray>[] = target.optimizer.params.map(() => ({}));
    for (const key of optFile.names()) {
      const [i, k] = [Number(key.slice(0, key.indexOf('.'))), key.slice(key.indexOf('.') + 1)];
      if (!entries[i]) throw new CheckpointError(`${join(dir, OPTIMIZER_FILE)}: state for parameter ${i}, the optimizer has ${entries.length}`);
      entries[i]![k] = optFile.read(key).data;
    }
    target.optimizer.loadStateDict({ step: state.optimizer.step, lrs: state.optimizer.lrs, state: entries });
  } finally {
    for (const f of files.values()) f.close();
  }
}

function setValue(p: Tensor, file: SafetensorsFile, key: string, name: string): void {
  if (!file.tensors.has(key)) throw new CheckpointError(`${file.path}: no tensor '${key}' for '${name}'`);
  const stored = file.read(key);
  if (stored.data.length !== p.size || stored.dtype !== p.dtype) {
    throw new CheckpointError(`${file.path}: '${key}' is ${stored.dtype} [${stored.shape.join(', ')}], '${name}' is ${p.dtype} [${p.shape.join(', ')}]`);
  }
  p.buffer = stored.data;
}

/** Finds the key under which a parameter was saved in a safetensors file: its name, or its name under a checkpoint or PEFT prefix. */
export function locateParams(dir: string, file: string, names: readonly string[], prefixes: readonly string[]): { name: string; file: string; key: string }[] {
  const f = SafetensorsFile.open(join(dir, file));
  try {
    return names.map((name) => {
      const key = ['', ...prefixes].map((p) => p + name).find((k) => f.tensors.has(k));
      if (!key) throw new CheckpointError(`${join(dir, file)}: the saved model has no tensor for trainable parameter '${name}'`);
      return { name, file, key };
    });
  } finally {
    f.close();
  }
}
