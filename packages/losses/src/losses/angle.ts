import { oneOf, opt, parseOptions, positive } from '../options.js';
import type { Loss } from '../types.js';
import { makeCosent, type CoSENTSimilarity } from './cosent.js';

export interface AnglEOptions {
  /** Multiplies the score differences (default 20, as sentence-transformers' AnglELoss). */
  scale?: number;
  /** 'angle' (default) or 'cosine'. */
  similarity?: CoSENTSimilarity;
}

const SPEC = {
  scale: opt(20, positive),
  similarity: opt<CoSENTSimilarity>('angle', oneOf('cosine', 'angle')),
};

/**
 * AnglE's angle objective: the CoSENT ranking over AnglE's complex-division angle score (as
 * sentence-transformers' AnglELoss). Same inputs as cosent: query [B, D], positive [B, D],
 * labels [B]; D even.
 */
export function angle(options: AnglEOptions = {}): Loss {
  return makeCosent('angle', parseOptions('angle', options, SPEC));
}
