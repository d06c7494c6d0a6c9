import { RetrievalsError } from '@retrievals/core-tensor';
import { applyInstruction, type AutoModelForEmbedding } from '@retrievals/models';

/** What the miner needs of a model: AutoModelForEmbedding's encode methods (a test may pass a double). */
export type MiningModel = Pick<AutoModelForEmbedding, 'encode' | 'encodeQueries' | 'encodeCorpus'> & Partial<Pick<AutoModelForEmbedding, 'queryInstruction' | 'documentInstruction'>>;

export interface EmbedSettings {
  /** An instruction template replacing the model's own for this role (undefined: the model's). */
  instruction?: string;
  batchSize?: number;
  normalize: boolean;
  showProgress?: boolean;
}

/** The instruction template a role is encoded with: the given one, else the model's. */
export function effectiveInstruction(model: MiningModel, role: 'query' | 'document', given: string | undefined): string {
  return given ?? (role === 'query' ? model.queryInstruction : model.documentInstruction) ?? '';
}

/** Embeds texts as queries or documents, float32, one row per text, every value finite. */
export async function embed(model: MiningModel, texts: readonly string[], role: 'query' | 'document', s: EmbedSettings): Promise<{ data: Float32Array; dim: number }> {
  if (!texts.length) return { data: new Float32Array(0), dim: 0 };
  const options = { batchSize: s.batchSize, normalize: s.normalize, showProgress: s.showProgress };
  const m =
    s.instruction !== undefined
      ? await model.encode(texts.map((t) => applyInstruction(s.instruction, t)), options)
      : role === 'query'
        ? await model.encodeQueries(texts, options)
        : await model.encodeCorpus(texts, options);
  if (!(m.data instanceof Float32Array) || m.rows !== texts.length) throw new RetrievalsError(`encode: expected ${texts.length} float32 embeddings, got ${m.rows} (${m.precision})`);
  const d = m.cols, data = m.data;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v - v !== 0) throw new RetrievalsError(`encode: the model gave ${v} for ${role} ${Math.floor(i / d)} (${JSON.stringify(texts[Math.floor(i / d)]!.slice(0, 60))})`);
  }
  return { data, dim: d };
}

export { dot } from './neighbors.js';
