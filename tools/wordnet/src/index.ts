// The task builder lives in @retrievals/cli (its quickstart needs it); this tool re-exports it beside its fine-tuning helpers.
export { buildWordnetTask, cardOf, mentionsLemma, splitOf, parseDataLine, readSynsets, wordnetDictDir, PARTS, type BuildCounts, type BuildOptions, type SplitName, type PartOfSpeech, type Synset } from '@retrievals/cli';
export { finetuneOnTask, type FinetuneOptions, type FinetuneResult } from './finetune.js';
