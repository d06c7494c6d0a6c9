// Tokenizes only as much of a text as truncation can keep: a 10 MB line must not be tokenized in
// full to keep 128 tokens. Shared by the main thread (tokenizer.ts) and the tokenizer worker, so it
// is plain JS (a worker cannot load .ts), typed by bounded-encode.d.ts.

// Tokens near a cut may differ from the uncut text's; this many beyond the limit keeps them out.
const MARGIN = 16;
const FIRST_CUT_CHARS_PER_TOKEN = 8;

/** Cuts at a whitespace near `at` (pre-tokenizers split there) and never inside a surrogate pair. */
function cutAt(text, at, fromEnd) {
  const window = 256;
  if (!fromEnd) {
    for (let i = at; i > at - window && i > 0; i--) if (/\s/.test(text[i])) return text.slice(0, i);
    const code = text.charCodeAt(at - 1);
    return text.slice(0, code >= 0xd800 && code <= 0xdbff ? at - 1 : at);
  }
  const start = text.length - at;
  for (let i = start; i < start + window && i < text.length; i++) if (/\s/.test(text[i])) return text.slice(i);
  const code = text.charCodeAt(start);
  return text.slice(code >= 0xdc00 && code <= 0xdfff ? start + 1 : start);
}

/**
 * `encode(text)` of the shortest prefix (or suffix, for left truncation) that still yields more
 * than `limit` tokens, growing the cut fourfold while it yields too few: the result, truncated to
 * `limit`, is that of the whole text, and the work is bounded by a few times what is kept.
 */
export function encodeBounded(encode, text, limit, fromEnd = false) {
  let chars = Math.max(1024, limit * FIRST_CUT_CHARS_PER_TOKEN);
  for (;;) {
    if (chars >= text.length) return encode(text);
    const out = encode(cutAt(text, chars, fromEnd));
    if (out.ids.length >= limit + MARGIN) return out;
    chars *= 4;
  }
}
