import { NotImplementedError } from '@retrievals/core-tensor';
import type { AutoModelForEmbedding } from './auto-model.js';

/** Writes a Hugging Face + sentence-transformers folder that fromPretrained (and Python) reload unchanged. */
export async function savePretrained(model: AutoModelForEmbedding, dir: string): Promise<void> {
  void model;
  void dir;
  throw new NotImplementedError('savePretrained');
}
