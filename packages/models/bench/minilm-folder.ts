import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureFixtures, fixturePath } from '@retrievals/fixtures';
import { AutoModelForEmbedding, initializeModelFolder } from '../src/index.js';

/** all-MiniLM-L6-v2's shape (and config keys), with random weights: throughput does not depend on the values. */
export const MINILM_CONFIG = {
  architectures: ['BertModel'], model_type: 'bert', vocab_size: 30522, hidden_size: 384, num_hidden_layers: 6,
  num_attention_heads: 12, intermediate_size: 1536, max_position_embeddings: 512, type_vocab_size: 2, hidden_act: 'gelu',
  layer_norm_eps: 1e-12, hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1, pad_token_id: 0, position_embedding_type: 'absolute',
};

// Bump when the folder's contents change, so a stale cached folder is rebuilt.
const STAMP = 'minilm-v2';

/**
 * A MiniLM-shaped BERT folder in `dir` (kept between runs): config.json, random model.safetensors
 * (initializeModelFolder: N(0, 0.02), biases 0, LayerNorm gains 1, as BERT initialises), the bert-tiny fixture's WordPiece
 * tokenizer (its ids are all < 30522; model_max_length raised to 512), and our own ONNX exports
 * (onnx/model.onnx, onnx/model_quantized.onnx) that the onnx runtime and transformers.js load.
 */
export async function miniLMFolder(dir: string): Promise<string> {
  const stamp = join(dir, 'bench-stamp');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === STAMP) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  ensureFixtures();
  // The bert-tiny fixture's WordPiece tokenizer: its ids are all < 30522.
  initializeModelFolder(dir, { config: MINILM_CONFIG, tokenizerFrom: fixturePath('bert-tiny') });
  const tokConfig = JSON.parse(readFileSync(join(fixturePath('bert-tiny'), 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ ...tokConfig, model_max_length: MINILM_CONFIG.max_position_embeddings }, null, 2));
  const model = await AutoModelForEmbedding.fromPretrained(dir);
  await model.exportOnnx(dir);
  await model.exportOnnx(dir, { quantize: 'int8' });
  await model.dispose();
  writeFileSync(stamp, STAMP);
  return dir;
}
