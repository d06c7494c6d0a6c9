import { defineFormat } from '../define-format.js';
import { key, type KeyOption } from './keys.js';

/** Two texts and a similarity score (STS-style, for cosent / angle). */
export interface ScoredPairExample {
  text1: string;
  text2: string;
  score: number;
}

/** `{"text1": ..., "text2": ..., "score": number}` */
export const scoredPairFormat = defineFormat<ScoredPairExample, { text1Key: KeyOption; text2Key: KeyOption; scoreKey: KeyOption }>({
  name: 'scored-pair',
  fields: ['text1', 'text2', 'score'],
  options: { text1Key: key(), text2Key: key(), scoreKey: key() },
  parse: (read, o) => ({
    text1: read.string(read.key(o.text1Key, ['text1'])),
    text2: read.string(read.key(o.text2Key, ['text2'])),
    score: read.number(read.key(o.scoreKey, ['score'])),
  }),
});
