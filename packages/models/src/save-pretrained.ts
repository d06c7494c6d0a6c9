import { existsSync, mkdirSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeSafetensors, type DType, type TensorToWrite } from '@retrievals/core-tensor';
import type { AutoModelForEmbedding } from './auto-model.js';
import { copyAtomic, TOKENIZER_FILES, writeFileAtomic } from './files.js';
import { collectWeights, SaveError } from './save-weights.js';
import { sentenceTransformersFiles } from './sentence-transformers-write.js';
import { INDEX_FILE, SINGLE_FILE } from './weights.js';

export { SaveError };

/**
 * Writes a Hugging Face + sentence-transformers folder that fromPretrained (with no options) and
 * Python's SentenceTransformer reload unchanged: model.safetensors (see collectWeights for names and
 * dtypes), config.json (the loaded config, torch_dtype set to the dtype written), the tokenizer
 * files, and modules.json, sentence_bert_config.json, 1_Pooling/config.json, [2_Normalize/],
 * config_sentence_transformers.json (see sentenceTransformersFiles).
 *
 * - Everything is gathered and checked before the first write, and each file is written to a
 *   temporary name and renamed, so a refusal or a crash never leaves a half-written file.
 * - Saving into the folder the model was loaded from is refused: its weights are still read while
 *   saving, and its other files (an ONNX export, shards) would no longer match the new weights.
 * - A model whose runtime holds no weights but runs a file (an ONNX export) has that file copied, as
 *   the runtime's `capabilities.savedFiles` lists it, with config.json and the tokenizer.
 * - Weight files an earlier save may have left in `dir` (an index and its shards; model.safetensors
 *   when saving an ONNX model) are removed, as transformers' save_pretrained does, since they would
 *   otherwise be loaded instead of, or along with, what this save writes.
 */
export async function savePretrained(model: AutoModelForEmbedding, dir: string): Promise<void> {
  if (typeof dir !== 'string' || dir.length === 0) throw new SaveError(`savePretrained: expected a folder path, got ${JSON.stringify(dir)}`);
  const target = resolve(dir), source = model.dir;
  if (existsSync(target) && !statSync(target).isDirectory()) throw new SaveError(`savePretrained: ${target} is a file, expected a folder`);
  if (existsSync(target) && existsSync(source) && realpathSync(target) === realpathSync(source)) {
    throw new SaveError(`savePretrained: ${target} is the folder the model was loaded from; save to another folder (its weights are read while saving, and its other files would no longer match)`);
  }
  const tokenizerFiles = TOKENIZER_FILES.filter((f) => existsSync(join(source, f)));
  if (!tokenizerFiles.includes('tokenizer.json')) throw new SaveError(`savePretrained: ${join(source, 'tokenizer.json')} is gone; the tokenizer files are copied from the source folder`);

  const { capabilities } = model.runtime;
  const file = capabilities.weights ? undefined : capabilities.savedFiles?.(source);
  let weights: { tensors: Map<string, TensorToWrite>; dtype: DType } | undefined;
  if (!file) {
    if (!capabilities.weights || !model.backbone) throw new SaveError(`savePretrained: the '${model.runtime.name}' runtime holds no weights or model file to save`);
    weights = await collectWeights(model.backbone, model.weightPrefix ?? '', source);
  }
  const raw = model.config?.raw;
  const st = sentenceTransformersFiles({
    poolingMethod: model.poolingMethod,
    normalize: model.normalize,
    maxLength: model.maxLength,
    dimension: model.hiddenSize ?? hiddenSizeOf(raw) ?? (await model.encode('dimension')).length,
    queryInstruction: model.queryInstruction,
    documentInstruction: model.documentInstruction,
    doLowerCase: model.doLowerCase,
    addEos: model.addEos,
    onnxFile: file?.file,
    transformersVersion: typeof raw?.transformers_version === 'string' ? raw.transformers_version : undefined,
  });

  mkdirSync(target, { recursive: true });
  removeStaleWeights(target, file !== undefined);
  if (weights) writeSafetensors(join(target, SINGLE_FILE), weights.tensors, { format: 'pt' });
  for (const path of file?.copies ?? []) copyAtomic(join(source, path), join(target, path));
  if (raw) writeJson(join(target, 'config.json'), weights ? withDtype(raw, weights.dtype) : raw);
  for (const f of tokenizerFiles) copyAtomic(join(source, f), join(target, f));
  for (const folder of st.folders) mkdirSync(join(target, folder), { recursive: true });
  // modules.json last: its presence is what makes the folder a sentence-transformers one.
  for (const [path, value] of [...st.files].reverse()) writeJson(join(target, path), value);
}

/** config.json with its dtype field(s) set to what model.safetensors holds (transformers ≥ 4.56 writes `dtype`, older `torch_dtype`). */
function withDtype(raw: Record<string, unknown>, dtype: DType): Record<string, unknown> {
  const out = { ...raw };
  for (const key of ['torch_dtype', 'dtype']) if (typeof out[key] === 'string') out[key] = dtype;
  return out;
}

function hiddenSizeOf(raw: Record<string, unknown> | undefined): number | undefined {
  const v = raw?.hidden_size ?? raw?.dim ?? raw?.d_model;
  return typeof v === 'number' ? v : undefined;
}

function removeStaleWeights(target: string, single: boolean): void {
  const shard = /^model-\d+-of-\d+\.safetensors$/;
  for (const f of readdirSync(target)) {
    if (f === INDEX_FILE || shard.test(f) || (single && f === SINGLE_FILE)) rmSync(join(target, f), { force: true });
  }
}

function writeJson(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
