export { buildWordnetTask, cardOf, mentionsLemma, splitOf, type BuildCounts, type BuildOptions, type SplitName } from './task.js';
export { finetuneOnTask, type FinetuneOptions, type FinetuneResult } from './finetune.js';
export { parseDataLine, readSynsets, wordnetDictDir, PARTS, type PartOfSpeech, type Synset } from './wndb.js';
