import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensors, writeSafetensors, type StoredTensor } from '@retrievals/core-tensor';
import { ensureFixtures, fixturePath, type FixtureName } from '@retrievals/fixtures';
import { AutoModelForEmbedding } from '../../src/index.js';

ensureFixtures();

const made: string[] = [];

/** A fresh temporary folder, removed by cleanupFolders(). */
export function tempFolder(prefix = 'retrievals-models-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function cleanupFolders(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'];

/** Copies a fixture's tokenizer files (and, unless told otherwise, its config) into a folder. */
export function copyFixtureFiles(name: FixtureName, dir: string, files = ['config.json', ...TOKENIZER_FILES]): void {
  for (const f of files) copyFileSync(join(fixturePath(name), f), join(dir, f));
}

/** Writes tensors as model.safetensors in dir. */
export function writeWeights(dir: string, tensors: Map<string, StoredTensor>, file = 'model.safetensors'): void {
  writeSafetensors(join(dir, file), tensors);
}

/**
 * A DistilBERT folder without a fixture of its own: bert-tiny's tensors under DistilBERT's names
 * (the same renaming tools/torch-refs/make_model_refs.py does), bert-tiny's tokenizer.
 */
export function distilbertFolder(): string {
  const dir = tempFolder();
  const bert = readSafetensors(join(fixturePath('bert-tiny'), 'model.safetensors')).tensors;
  const out = new Map<string, StoredTensor>();
  for (const n of ['word_embeddings.weight', 'position_embeddings.weight', 'LayerNorm.weight', 'LayerNorm.bias']) out.set(`embeddings.${n}`, bert.get(`embeddings.${n}`)!);
  const names: Record<string, string> = {
    'attention.q_lin': 'attention.self.query', 'attention.k_lin': 'attention.self.key', 'attention.v_lin': 'attention.self.value',
    'attention.out_lin': 'attention.output.dense', sa_layer_norm: 'attention.output.LayerNorm', 'ffn.lin1': 'intermediate.dense',
    'ffn.lin2': 'output.dense', output_layer_norm: 'output.LayerNorm',
  };
  for (let i = 0; i < 2; i++) {
    for (const [to, from] of Object.entries(names)) {
      for (const s of ['weight', 'bias']) out.set(`transformer.layer.${i}.${to}.${s}`, bert.get(`encoder.layer.${i}.${from}.${s}`)!);
    }
  }
  writeWeights(dir, out);
  copyFixtureFiles('bert-tiny', dir, TOKENIZER_FILES);
  const config = {
    activation: 'gelu', architectures: ['DistilBertModel'], attention_dropout: 0.1, dim: 32, dropout: 0.1, hidden_dim: 64,
    max_position_embeddings: 128, model_type: 'distilbert', n_heads: 4, n_layers: 2, pad_token_id: 0, sinusoidal_pos_embds: false, vocab_size: 286,
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  return dir;
}

/**
 * A folder with only config.json, the tokenizer files and onnx/model.onnx exported from the tensor
 * model (exportOnnx): fromPretrained must pick the onnx runtime by itself. With batch and seq the
 * export is static-shape, so the onnx runtime's padding up to fixed dims is exercised.
 */
export async function onnxOnlyFolder(source: string, batch?: number, seq?: number): Promise<string> {
  const model = await AutoModelForEmbedding.fromPretrained(source);
  const dir = tempFolder();
  await model.exportOnnx(dir, { staticShape: batch !== undefined && seq !== undefined ? { batch, sequence: seq } : undefined });
  await model.dispose();
  return dir;
}
