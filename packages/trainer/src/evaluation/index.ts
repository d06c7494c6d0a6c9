export { InformationRetrievalEvaluator, scoreMatrix, type InformationRetrievalEvaluatorOptions } from './information-retrieval.js';
export { EmbeddingSimilarityEvaluator, type EmbeddingSimilarityEvaluatorOptions } from './embedding-similarity.js';
export { irMetricsFromScores, rankingMetrics, topK, gradesOf, type IrScores, type Qrels } from './ir-metrics.js';
export { pearson, spearman, averageRanks } from './correlation.js';
