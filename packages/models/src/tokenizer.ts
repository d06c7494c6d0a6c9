import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { encodeBounded } from './bounded-encode.js';
import { readJsonFile } from './config.js';
import { ModelNotFoundError, TokenizerError } from './errors.js';
import { checkTokenizerJson } from './tokenizer-file.js';

/** One text's tokens, before padding. */
export interface Encoded {
  ids: number[];
  typeIds: number[];
}

export interface EncodeOptions {
  /** Longest result, special tokens included. */
  maxLength: number;
  /** Append the EOS token when the post-processor did not (last-token pooling of some LLM embedders). */
  addEos?: boolean;
}

/** Values the model's config.json can supply when the tokenizer files do not. */
export interface TokenizerFallbacks {
  padTokenId?: number;
  eosTokenId?: number;
}

type Side = 'left' | 'right';

/** transformers writes this (int(1e30)) when a tokenizer has no limit. */
const NO_LIMIT = 1e12;

const tokenText = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'object' && v !== null && typeof (v as { content?: unknown }).content === 'string' ? (v as { content: string }).content : undefined;

/**
 * A Hugging Face tokenizer (tokenizer.json through @huggingface/tokenizers) plus what transformers
 * reads from tokenizer_config.json: special tokens, padding and truncation side, model_max_length.
 * The library does not truncate or pad; this class truncates, and batching.ts pads.
 */
export class TextTokenizer {
  readonly padId: number;
  readonly eosId: number | undefined;
  readonly paddingSide: Side;
  readonly truncationSide: Side;
  /** tokenizer_config.json's model_max_length, unless it is transformers' "no limit". */
  readonly modelMaxLength: number | undefined;
  /** The parsed files, kept so a background worker can build the same tokenizer. */
  source: { json: Record<string, unknown>; config: Record<string, unknown> } | undefined;
  /** The tokenizer.json it was read from, for errors. */
  file = 'tokenizer.json';
  /** Special tokens the post-processor puts before and after a single text (e.g. [CLS] … [SEP]). */
  private readonly prefixLen: number;
  private readonly suffixLen: number;

  constructor(
    readonly hf: Tokenizer,
    readonly tokenizerConfig: Record<string, unknown>,
    fallbacks: TokenizerFallbacks = {},
    specialTokensMap: Record<string, unknown> = {},
  ) {
    const cfg = tokenizerConfig;
    const special = (key: string) => this.idOf(tokenText(cfg[key]) ?? tokenText(specialTokensMap[key]));
    this.eosId = special('eos_token') ?? fallbacks.eosTokenId;
    this.padId = special('pad_token') ?? fallbacks.padTokenId ?? this.eosId ?? 0;
    this.paddingSide = cfg.padding_side === 'left' ? 'left' : 'right';
    this.truncationSide = cfg.truncation_side === 'left' ? 'left' : 'right';
    const mml = cfg.model_max_length;
    this.modelMaxLength = typeof mml === 'number' && mml > 0 && mml < NO_LIMIT ? mml : undefined;
    // Probe the post-processor once: how many special tokens wrap a single text.
    const plain = hf.encode('a', { add_special_tokens: false }).ids;
    const full = hf.encode('a').ids;
    const at = indexOfRun(full, plain);
    if (at < 0) throw new TokenizerError('tokenizer.json: the post-processor does not keep the text\'s tokens together; cannot truncate');
    this.prefixLen = at;
    this.suffixLen = full.length - at - plain.length;
  }

  /** Reads tokenizer.json (+ tokenizer_config.json, special_tokens_map.json when present). */
  static fromFolder(dir: string, fallbacks: TokenizerFallbacks = {}): TextTokenizer {
    const file = join(dir, 'tokenizer.json');
    if (!existsSync(file)) throw new ModelNotFoundError(`${dir}: tokenizer.json not found (only fast-tokenizer files are supported; save the tokenizer with transformers to get one)`);
    const json = readJsonFile(file, 'tokenizer.json');
    checkTokenizerJson(file, json);
    const optional = (name: string) => (existsSync(join(dir, name)) ? readJsonFile(join(dir, name), name) : {});
    const config = optional('tokenizer_config.json');
    try {
      const tok = new TextTokenizer(new Tokenizer(json, config), config, fallbacks, optional('special_tokens_map.json'));
      tok.source = { json, config };
      tok.file = file;
      return tok;
    } catch (e) {
      if (e instanceof TokenizerError) throw e;
      throw new TokenizerError(`${file}: cannot load the tokenizer: ${(e as Error).message}`, { cause: e });
    }
  }

  /** The id of a token text (added/special tokens first), or undefined. */
  idOf(token: string | undefined): number | undefined {
    if (token === undefined) return undefined;
    for (const [id, added] of this.hf.get_added_tokens_decoder()) if (added.content === token) return id;
    return this.hf.token_to_id(token);
  }

  /**
   * Tokenizes one text with its special tokens (the expensive part; batching may run it in a
   * worker). With `maxLength`, only as much of the text as truncation to it can keep is tokenized
   * (bounded-encode.js), so the work is bounded by maxLength rather than by the text.
   */
  encodeRaw(text: string, maxLength?: number): Encoded {
    const one = (t: string): Encoded => {
      const enc = this.hf.encode(t, { return_token_type_ids: true });
      return { ids: enc.ids, typeIds: enc.token_type_ids ?? new Array<number>(enc.ids.length).fill(0) };
    };
    return maxLength === undefined ? one(text) : encodeBounded(one, text, maxLength, this.truncationSide === 'left');
  }

  /** The largest id the tokenizer can produce (vocabulary and added tokens), with its token. */
  maxId(): { id: number; token: string } {
    let best = { id: -1, token: '' };
    for (const [token, id] of this.hf.get_vocab(true)) if (id > best.id) best = { id, token };
    return best;
  }

  /**
   * Truncates as transformers does: text tokens are cut (on `truncation_side`) and the special tokens
   * kept, so [SEP] / EOS survive truncation; then appends EOS if asked and missing.
   */
  fit(raw: Encoded, { maxLength, addEos = false }: EncodeOptions): Encoded {
    let { ids, typeIds: types } = raw;
    const needEos = addEos && this.eosId !== undefined && ids[ids.length - 1] !== this.eosId;
    const limit = maxLength - (needEos ? 1 : 0);
    if (ids.length > limit) {
      const keep = limit - this.prefixLen - this.suffixLen;
      if (keep < 0) throw new TokenizerError(`maxLength ${maxLength} leaves no room for the ${this.prefixLen + this.suffixLen + (needEos ? 1 : 0)} special tokens`);
      const cut = <T>(a: T[]): T[] => {
        const body = a.slice(this.prefixLen, a.length - this.suffixLen);
        const kept = this.truncationSide === 'right' ? body.slice(0, keep) : body.slice(body.length - keep);
        return [...a.slice(0, this.prefixLen), ...kept, ...a.slice(a.length - this.suffixLen)];
      };
      ids = cut(ids);
      types = cut(types);
    }
    if (needEos) {
      ids = [...ids, this.eosId!];
      types = [...types, types[types.length - 1] ?? 0];
    }
    return { ids, typeIds: types };
  }

  /** encodeRaw + fit. */
  encode(text: string, options: EncodeOptions): Encoded {
    return this.fit(this.encodeRaw(text, options.maxLength), options);
  }

  decode(ids: number[], skipSpecialTokens = true): string {
    return ids.length ? this.hf.decode(ids, { skip_special_tokens: skipSpecialTokens }) : '';
  }
}

function indexOfRun(haystack: number[], needle: number[]): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
