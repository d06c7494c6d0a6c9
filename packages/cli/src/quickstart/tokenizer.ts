import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@retrievals/core-tensor';

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;
// Every printable ASCII character but the upper case (the normaliser lowercases), alone and as a
// continuation: no ASCII word is ever [UNK], however rare.
const CHARS = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).filter((c) => c !== ' ' && !/[A-Z]/.test(c));
const SUFFIXES = ['s', 'es', 'ed', 'ing', 'ly', 'er', 'ers', 'est', 'ness', 'tion', 'ions', 'able', 'al', 'ic', 'ous', 'ful', 'less', 'ment', 'ity', 'ize', 'ist', 'ism'];

/** What BertNormalizer (lowercase, accents stripped) and BertPreTokenizer make of a text: its words. */
export function bertWords(text: string): string[] {
  return text.toLowerCase().normalize('NFD').replace(/\p{Mn}/gu, '').match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * A WordPiece vocabulary trained the simplest way there is: the special tokens, every ASCII
 * character (alone and as `##x`), common English suffixes, then the texts' words by frequency
 * (ties alphabetical, so the same texts give the same vocabulary) up to `size` tokens.
 */
export function wordPieceVocab(texts: Iterable<string>, size: number): string[] {
  const counts = new Map<string, number>();
  for (const t of texts) for (const w of bertWords(t)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const vocab: string[] = [];
  const seen = new Set<string>();
  const add = (t: string) => !seen.has(t) && vocab.length < size && (seen.add(t), vocab.push(t));
  [...SPECIALS, ...CHARS, ...CHARS.map((c) => `##${c}`), ...SUFFIXES.map((s) => `##${s}`)].forEach(add);
  const words = [...counts].sort(([a, ca], [b, cb]) => cb - ca || (a < b ? -1 : a > b ? 1 : 0));
  for (const [w] of words) add(w);
  return vocab;
}

/**
 * Writes a bert-base-uncased-style tokenizer (tokenizer.json, tokenizer_config.json,
 * special_tokens_map.json, vocab.txt) for `vocab` into dir, so a model built from scratch has a
 * tokenizer without anything downloaded.
 */
export function writeWordPieceTokenizer(dir: string, vocab: readonly string[], modelMaxLength: number): string {
  const id = new Map(vocab.map((t, i) => [t, i]));
  const special = (content: string) => ({ id: id.get(content)!, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map(special),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [id.get('[CLS]')], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [id.get('[SEP]')], tokens: ['[SEP]'] } },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(id) },
  };
  const config = {
    added_tokens_decoder: Object.fromEntries(SPECIALS.map((c) => [String(id.get(c)), { content: c, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true }])),
    clean_up_tokenization_spaces: true, cls_token: '[CLS]', do_basic_tokenize: true, do_lower_case: true, mask_token: '[MASK]', model_max_length: modelMaxLength,
    never_split: null, pad_token: '[PAD]', sep_token: '[SEP]', strip_accents: null, tokenize_chinese_chars: true, tokenizer_class: 'BertTokenizer', unk_token: '[UNK]',
  };
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, 'tokenizer.json'), `${JSON.stringify(tokenizer, null, 2)}\n`);
  writeFileAtomic(join(dir, 'tokenizer_config.json'), `${JSON.stringify(config, null, 2)}\n`);
  writeFileAtomic(join(dir, 'special_tokens_map.json'), `${JSON.stringify({ cls_token: '[CLS]', mask_token: '[MASK]', pad_token: '[PAD]', sep_token: '[SEP]', unk_token: '[UNK]' }, null, 2)}\n`);
  writeFileAtomic(join(dir, 'vocab.txt'), `${vocab.join('\n')}\n`);
  return dir;
}
