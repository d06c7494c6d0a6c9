import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AutoModelForEmbedding } from '@retrievals/models';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, inFixtureCopy, fuzz, jsonValue, reportedOrFine } from './helpers.js';

afterAll(cleanup, 60_000);

const TEXTS = ['hello world', 'a second text'];

/** Loads the folder and, when it loads, encodes: every embedding finite, or a RetrievalsError. */
async function loadAndEncode(dir: string): Promise<'ok' | 'refused'> {
  return reportedOrFine(async () => {
    const m = await AutoModelForEmbedding.fromPretrained(dir, { tokenizeTimeoutMs: 5_000 });
    try {
      const e = await m.encode(TEXTS);
      expect((e.data as Float32Array).every(Number.isFinite)).toBe(true);
    } finally {
      await m.dispose();
    }
  });
}

const edit = (file: string, change: (json: Record<string, unknown>) => void) => {
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  change(json);
  writeFileSync(file, JSON.stringify(json));
};

describe('fuzz: model folders', () => {
  it('config.json: any field given any value loads and encodes finitely, or fails with a RetrievalsError', async () => {
    const bertFields = ['vocab_size', 'hidden_size', 'num_hidden_layers', 'num_attention_heads', 'intermediate_size', 'max_position_embeddings', 'type_vocab_size', 'layer_norm_eps', 'hidden_act', 'pad_token_id', 'model_type', 'is_decoder', 'hidden_dropout_prob'];
    const llamaFields = ['num_key_value_heads', 'head_dim', 'rope_theta', 'rms_norm_eps', 'rope_scaling', 'sliding_window', 'use_sliding_window', 'max_window_layers', 'layer_types', 'tie_word_embeddings', 'hidden_act', 'num_hidden_layers'];
    const arb = fc.oneof(
      fc.record({ fixture: fc.constant('bert-tiny' as const), edits: fc.array(fc.tuple(fc.constantFrom(...bertFields), jsonValue()), { minLength: 1, maxLength: 3 }) }),
      fc.record({ fixture: fc.constant('qwen2-tiny' as const), edits: fc.array(fc.tuple(fc.constantFrom(...llamaFields), jsonValue()), { minLength: 1, maxLength: 3 }) }),
    );
    await fuzz('config.json', arb, async ({ fixture, edits }) => {
      return inFixtureCopy(fixture, (dir) => {
        edit(join(dir, 'config.json'), (c) => edits.forEach(([k, v]) => (c[k] = v)));
        return loadAndEncode(dir);
      });
    }, 12_000);
  }, 40_000);

  it('tokenizer.json: damaged vocabularies, added tokens and normalizers load and encode, or fail with a RetrievalsError', async () => {
    const arb = fc.record({
      vocab: fc.array(fc.tuple(fc.constantFrom('[CLS]', '[SEP]', '[PAD]', 'hello', 'world', 'zz'), jsonValue()), { maxLength: 2 }),
      added: fc.option(jsonValue(), { nil: undefined }),
      normalizer: fc.option(fc.oneof(jsonValue(), fc.constant({ type: 'Replace', pattern: { Regex: '(a+)+$' }, content: '' })), { nil: undefined }),
      preTokenizer: fc.option(jsonValue(), { nil: undefined }),
    });
    await fuzz('tokenizer.json', arb, async ({ vocab, added, normalizer, preTokenizer }) => {
      return inFixtureCopy('bert-tiny', (dir) => {
        edit(join(dir, 'tokenizer.json'), (t) => {
          const model = t.model as { vocab: Record<string, unknown> };
          for (const [k, v] of vocab) model.vocab[k] = v;
          if (added !== undefined) t.added_tokens = added;
          if (normalizer !== undefined) t.normalizer = normalizer;
          if (preTokenizer !== undefined) t.pre_tokenizer = preTokenizer;
        });
        return loadAndEncode(dir);
      });
    }, 10_000);
  }, 40_000);
});
