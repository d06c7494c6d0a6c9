import { concat, crossEntropy, div, maskAsBool, matmul, max, normalize, reshape, sum, transpose, where, type Tensor } from '@retrievals/core-tensor';
import { defineLoss } from '../define-loss.js';
import { LossInputError } from '../errors.js';
import { boolean, opt, parseOptions, positive } from '../options.js';
import { Dims, expectFloat, requireField } from '../shapes.js';
import { diagonalTargets, EXCLUDED, firstColumnTargets } from '../tensors.js';
import type { Loss } from '../types.js';

export interface ColBERTOptions {
  /** Logits are MaxSim scores divided by this (default 1, as ColBERT and PyLate). */
  temperature?: number;
  /** Contrast each query with every document of the batch (default true), else only its own group. */
  useInbatchNegative?: boolean;
  /** L2-normalise every token vector first, as ColBERT's encoder does (default true). */
  normalize?: boolean;
}

const SPEC = {
  temperature: opt(1, positive),
  useInbatchNegative: opt(true, boolean),
  normalize: opt(true, boolean),
};

/**
 * Token-level late interaction: MaxSim(q, d) = Σ over the query's real tokens of the best dot
 * product with any real token of d; then cross entropy over MaxSim/τ with the positive as target,
 * against the whole batch's documents (in-batch) or the query's own group.
 *
 * Inputs: query [B, Tq, D], positive [B, Tp, D], negative [B·(G−1), Tn, D] (optional in-batch), and
 * optional masks queryMask [B, Tq], positiveMask [B, Tp], negativeMask [B·(G−1), Tn] (1/true = token,
 * 0 = padding; any dtype). A document must keep at least one real token.
 */
export function colbertMaxsim(options: ColBERTOptions = {}): Loss {
  const o = parseOptions('colbert-maxsim', options, SPEC);
  const name = 'colbert-maxsim';
  return defineLoss({
    name,
    required: ['query', 'positive'],
    optional: ['negative', 'queryMask', 'positiveMask', 'negativeMask'],
    compute(inputs) {
      const dims = new Dims(name);
      const prep = (t: Tensor) => (o.normalize ? normalize(t, -1) : t);
      const query = requireField(name, 'query', inputs.query, 'query token embeddings [B, Tq, D]');
      expectFloat(name, 'query', query);
      dims.expect('query', query, ['B', 'Tq', 'D']);
      const B = dims.get('B'), Tq = dims.get('Tq'), D = dims.get('D');
      const field = (f: 'positive' | 'negative', rows: string, T: string) => {
        const t = inputs[f]!;
        expectFloat(name, f, t, { field: 'query', tensor: query });
        dims.expect(f, t, [rows, T, 'D']);
        const maskName = `${f}Mask` as const;
        const mask = inputs[maskName];
        if (mask) dims.expect(maskName, mask, [rows, T]);
        return { tokens: prep(t), mask: mask && maskAsBool(mask) };
      };
      const pos = field('positive', 'B', 'Tp');
      let neg: ReturnType<typeof field> | undefined;
      if (inputs.negative && inputs.negative.shape[0] !== 0) {
        neg = field('negative', 'N', 'Tn');
        if (dims.get('N') % B !== 0) {
          throw new LossInputError(`${name}: input 'negative' has ${dims.get('N')} documents, not a multiple of B = ${B}: give every query the same number G−1, contiguous`);
        }
      } else if (!o.useInbatchNegative) {
        throw new LossInputError(`${name}: input 'negative' [B·(G−1), Tn, D] with G ≥ 2 is required when useInbatchNegative is false`);
      }
      const qMask = inputs.queryMask && maskAsBool(inputs.queryMask);
      if (inputs.queryMask) dims.expect('queryMask', inputs.queryMask, ['B', 'Tq']);
      const q = prep(query);

      // Query tokens [B, Tq, ·] against the tokens of M documents: best match per query token,
      // summed over the query's real tokens. `perQuery` pairs query b only with its own docs.
      const maxsim = (docs: { tokens: Tensor; mask?: Tensor | undefined }, perQuery: boolean): Tensor => {
        const [M, T] = docs.tokens.shape as [number, number];
        let sim: Tensor; // [B, Tq, m, T] with m = M (all docs) or M/B (own docs)
        let m: number;
        if (perQuery) {
          m = M / B;
          const d = transpose(reshape(docs.tokens, [B, m * T, D])); // [B, D, m·T]
          sim = reshape(matmul(q, d), [B, Tq, m, T]);
        } else {
          m = M;
          sim = reshape(matmul(reshape(q, [B * Tq, D]), transpose(reshape(docs.tokens, [M * T, D]))), [B, Tq, M, T]);
        }
        if (docs.mask) sim = where(perQuery ? reshape(docs.mask, [B, 1, m, T]) : reshape(docs.mask, [1, 1, M, T]), sim, EXCLUDED);
        let best = max(sim, 3); // [B, Tq, m]
        if (qMask) best = where(reshape(qMask, [B, Tq, 1]), best, 0);
        return sum(best, 1); // [B, m]
      };

      const scores = o.useInbatchNegative
        ? concat(neg ? [maxsim(pos, false), maxsim(neg, false)] : [maxsim(pos, false)], 1)
        : concat([maxsim(pos, true), maxsim(neg!, true)], 1);
      const targets = o.useInbatchNegative ? diagonalTargets(B) : firstColumnTargets(B);
      return crossEntropy(div(scores, o.temperature), targets);
    },
  });
}
