import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Generator } from '@retrievals/core-tensor';

export const TEXT_COUNT = 2000;
const MIN_TOKENS = 8, MAX_TOKENS = 256;

/**
 * Deterministic benchmark texts whose token counts (with [CLS] and [SEP]) are long-tailed between 8
 * and 256: log-normal with median 48 and σ 0.75, clipped — most texts short, a few long, as a
 * retrieval corpus of titles, queries and passages is. Each text is whole words of the folder's
 * WordPiece vocabulary, so a word is one token and the lengths are exactly the drawn ones.
 */
export function benchTexts(dir: string, count = TEXT_COUNT): string[] {
  const vocab = (JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } }).model.vocab;
  const words = Object.keys(vocab).filter((w) => /^[a-z]{3,}$/.test(w));
  const gen = new Generator(1234);
  return Array.from({ length: count }, () => {
    const tokens = Math.min(MAX_TOKENS, Math.max(MIN_TOKENS, Math.round(Math.exp(Math.log(48) + 0.75 * gen.normal()))));
    return Array.from({ length: tokens - 2 }, () => words[gen.int(words.length)]!).join(' ');
  });
}
