import { TokenizerError } from './errors.js';

/** Far above any real vocabulary (~256k); the tokenizer library sizes tables by the largest id, so a huge one would exhaust memory. */
export const MAX_TOKEN_ID = 2 ** 24 - 1;

const isId = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= MAX_TOKEN_ID;

/**
 * Checks what the tokenizer library would otherwise crash on deep inside (or silently accept):
 * the model's vocabulary maps tokens to non-negative integer ids, and every added token has an id
 * and a content string. Errors name the file and the field.
 */
export function checkTokenizerJson(file: string, json: Record<string, unknown>): void {
  const fail = (field: string, expected: string, actual: unknown): never => {
    throw new TokenizerError(`${file}: field '${field}' must be ${expected}, got ${JSON.stringify(actual) ?? String(actual)}`);
  };
  const model = json.model;
  if (typeof model !== 'object' || model === null || Array.isArray(model)) fail('model', 'an object (the tokenizer model)', model);
  const vocab = (model as Record<string, unknown>).vocab;
  if (Array.isArray(vocab)) {
    // Unigram: [token, log-probability] pairs, the id being the position.
    vocab.forEach((entry, i) => {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'number' || !Number.isFinite(entry[1])) fail(`model.vocab[${i}]`, 'a [token, score] pair', entry);
    });
  } else if (typeof vocab === 'object' && vocab !== null) {
    for (const [token, id] of Object.entries(vocab)) if (!isId(id)) fail(`model.vocab[${JSON.stringify(token)}]`, `an integer id in [0, ${MAX_TOKEN_ID}]`, id);
  } else if (vocab !== undefined) {
    fail('model.vocab', 'an object of token → id (or a list of [token, score])', vocab);
  }
  const added = json.added_tokens ?? [];
  if (!Array.isArray(added)) fail('added_tokens', 'a list', added);
  (added as unknown[]).forEach((t, i) => {
    const tok = t as Record<string, unknown> | null;
    if (typeof tok !== 'object' || tok === null) fail(`added_tokens[${i}]`, 'an object { id, content }', t);
    if (!isId(tok!.id)) fail(`added_tokens[${i}].id`, `an integer id in [0, ${MAX_TOKEN_ID}]`, tok!.id);
    if (typeof tok!.content !== 'string' || tok!.content.length === 0) fail(`added_tokens[${i}].content`, 'a non-empty string', tok!.content);
  });
}
