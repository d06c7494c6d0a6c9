import type { EmbeddingMatrix } from '@retrievals/models';

/** Cosine similarity of every pair of rows (rows are normalised here, whatever the model did). */
export function cosineMatrix(m: EmbeddingMatrix): number[][] {
  const rows = [...m].map((r) => {
    const norm = Math.hypot(...r) || 1;
    return Array.from(r, (v) => v / norm);
  });
  return rows.map((a) => rows.map((b) => a.reduce((s, v, i) => s + v * b[i]!, 0)));
}
