import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, writeFileAtomic, writeSafetensors, type TensorToWrite } from '@retrievals/core-tensor';
import { ConfigReader } from './config.js';
import { ConfigError } from './errors.js';
import { copyAtomic, TOKENIZER_FILES } from './files.js';
import { architectures } from './registry.js';

export interface InitializeOptions {
  /** config.json's content: model_type picks the architecture; its sizes shape the weights. */
  config: Record<string, unknown>;
  /** A folder whose tokenizer files (tokenizer.json, tokenizer_config.json, ...) are copied. */
  tokenizerFrom: string;
  seed?: number;
}

/**
 * Writes a Hugging Face folder for a model trained from scratch: config.json, the tokenizer files,
 * and model.safetensors initialised as transformers' `_init_weights` does for BERT and Llama
 * (Linear and Embedding weights N(0, initializer_range), biases 0, norm gains 1), with the
 * parameter names and shapes of the registered architecture, so `fromPretrained(dir)` loads it.
 */
export function initializeModelFolder(dir: string, o: InitializeOptions): string {
  const type = o.config.model_type;
  if (typeof type !== 'string' || !architectures.has(type)) {
    throw new ConfigError(`initializeModelFolder: config field 'model_type' is ${JSON.stringify(type)}; known: ${architectures.list().join(', ')}`);
  }
  if (!existsSync(join(o.tokenizerFrom, 'tokenizer.json'))) throw new ConfigError(`initializeModelFolder: ${o.tokenizerFrom} has no tokenizer.json`);
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, 'config.json');
  const shapes = architectures.get(type).build(new ConfigReader(configFile, o.config)).parameterShapes();
  const std = typeof o.config.initializer_range === 'number' ? o.config.initializer_range : 0.02;
  const gen = new Generator(o.seed ?? 0);
  const tensors = new Map<string, TensorToWrite>();
  for (const [name, shape] of shapes) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const isNorm = /(layernorm|norm)\.(weight|bias)$/i.test(name);
    if (isNorm && name.endsWith('weight')) data.fill(1);
    else if (!isNorm && !name.endsWith('bias')) for (let i = 0; i < data.length; i++) data[i] = std * gen.normal();
    tensors.set(name, { dtype: 'float32', shape, data });
  }
  writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
  writeFileAtomic(configFile, `${JSON.stringify(o.config, null, 2)}\n`);
  for (const f of TOKENIZER_FILES) if (existsSync(join(o.tokenizerFrom, f))) copyAtomic(join(o.tokenizerFrom, f), join(dir, f));
  return dir;
}
