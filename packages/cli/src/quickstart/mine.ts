import type { AutoModelForEmbedding } from '@retrievals/models';
import { buildHardNegatives, formatHardNegativesReport } from '@retrievals/hard-negatives';

export interface MineOptions {
  model: AutoModelForEmbedding;
  inputFile: string;
  outputFile: string;
  negativeNumber: number;
  rangeForSampling: [number, number];
  seed: number;
  showProgress: boolean;
}

/** The quickstart's build-hn step: hard-negatives' miner with the fine-tuned model (corpus = the training positives); returns the report's lines. */
export async function mineHardNegatives(o: MineOptions): Promise<string[]> {
  const report = await buildHardNegatives({ ...o, queryKey: 'query', positiveKey: 'positive', negativeKey: 'negative' });
  return formatHardNegativesReport(report);
}
