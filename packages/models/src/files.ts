export { copyAtomic, writeFileAtomic } from '@retrievals/core-tensor';

/** Tokenizer files transformers and sentence-transformers read; copied along with a model when present. */
export const TOKENIZER_FILES = [
  'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'added_tokens.json',
  'vocab.txt', 'vocab.json', 'merges.txt', 'sentencepiece.bpe.model', 'tokenizer.model', 'spiece.model',
];
