import { padBatch, type TextTokenizer, type TokenBatch } from '@retrievals/models';
import { DataError } from '../errors.js';

/**
 * What a collator tokenizes with: a TextTokenizer, or a model holding one (an
 * AutoModelForEmbedding), whose maxLength, EOS and lowercasing settings are then used too so
 * training sees the texts exactly as `encode` will.
 */
export type CollatorTokenizer = TextTokenizer | { readonly tokenizer: TextTokenizer; readonly maxLength?: number; readonly addEos?: boolean; readonly doLowerCase?: boolean };

interface Resolved {
  tokenizer: TextTokenizer;
  maxLength: number | undefined;
  addEos: boolean;
  doLowerCase: boolean;
}

export function resolveTokenizer(t: CollatorTokenizer): Resolved {
  if (t && typeof t === 'object' && 'tokenizer' in t && t.tokenizer) {
    return { tokenizer: t.tokenizer, maxLength: t.maxLength, addEos: t.addEos ?? false, doLowerCase: t.doLowerCase ?? false };
  }
  const tok = t as TextTokenizer;
  if (!tok || typeof tok.encodeRaw !== 'function') throw new DataError('collator: tokenizer must be a TextTokenizer or a model with a .tokenizer (e.g. AutoModelForEmbedding)');
  return { tokenizer: tok, maxLength: tok.modelMaxLength, addEos: false, doLowerCase: false };
}

/**
 * The padded lengths a collator uses for texts of at most `maxLength` tokens: 8, 16, 32, … below
 * it, then maxLength itself. Each distinct batch shape compiles one training graph, so a run with
 * K text fields compiles at most (number of buckets)^K graphs per batch size, however varied its
 * texts (multiples of 8, as `encode` pads, would allow maxLength/8 lengths per field).
 */
export function lengthBuckets(maxLength: number): number[] {
  const out: number[] = [];
  for (let b = 8; b < maxLength; b *= 2) out.push(b);
  out.push(maxLength);
  return out;
}

export function bucketFor(longest: number, buckets: readonly number[]): number {
  return buckets.find((b) => b >= longest) ?? buckets[buckets.length - 1]!;
}

/** Tokenizes texts (truncated to maxLength, specials kept) and pads them to their length bucket. */
export function tokenizeBucketed(r: Resolved, texts: readonly string[], maxLength: number): TokenBatch {
  const encoded = texts.map((t) => r.tokenizer.encode(r.doLowerCase ? t.toLowerCase() : t, { maxLength, addEos: r.addEos }));
  const longest = Math.max(1, ...encoded.map((e) => e.ids.length));
  return padBatch(encoded, { padId: r.tokenizer.padId, side: r.tokenizer.paddingSide, length: bucketFor(longest, lengthBuckets(maxLength)) });
}
