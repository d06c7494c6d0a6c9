import { fixturePath } from '@retrievals/fixtures';
import { describe, expect, it } from 'vitest';
import { AutoModelForEmbedding, padBatch, TextTokenizer } from '../src/index.js';

const LONG = 'the quick brown fox jumps over the lazy dog and keeps on running far away';

describe('TextTokenizer', () => {
  it('reads special tokens, padding side and model_max_length from tokenizer_config.json', () => {
    const bert = TextTokenizer.fromFolder(fixturePath('bert-tiny'));
    expect([bert.padId, bert.paddingSide, bert.modelMaxLength]).toEqual([0, 'right', 128]);
    const llama = TextTokenizer.fromFolder(fixturePath('llama-tiny'));
    expect([llama.padId, llama.eosId, llama.paddingSide]).toEqual([0, 2, 'left']);
    const qwen = TextTokenizer.fromFolder(fixturePath('qwen2-tiny'));
    expect([qwen.padId, qwen.eosId, qwen.paddingSide]).toEqual([456, 456, 'right']);
    expect(TextTokenizer.fromFolder(fixturePath('xlmr-tiny')).padId).toBe(1);
  });

  it('truncates the text and keeps the special tokens, as transformers does', () => {
    const bert = TextTokenizer.fromFolder(fixturePath('bert-tiny'));
    const full = bert.encode(LONG, { maxLength: 512 }).ids;
    const cut = bert.encode(LONG, { maxLength: 6 }).ids;
    expect(cut).toEqual([full[0], ...full.slice(1, 5), full[full.length - 1]]);
    expect(cut[0]).toBe(2); // [CLS]
    expect(cut[5]).toBe(3); // [SEP]
    const qwen = TextTokenizer.fromFolder(fixturePath('qwen2-tiny'));
    const q = qwen.encode(LONG, { maxLength: 5 }).ids;
    expect(q).toHaveLength(5);
    expect(q[4]).toBe(456); // gte-Qwen2's post-processor EOS survives
    expect(() => bert.encode(LONG, { maxLength: 1 })).toThrow(/maxLength 1 leaves no room for the 2 special tokens/);
  });

  it('appends EOS on request (last-token pooling), never twice, within maxLength', () => {
    const llama = TextTokenizer.fromFolder(fixturePath('llama-tiny'));
    const plain = llama.encode('hello', { maxLength: 64 }).ids;
    expect(plain[0]).toBe(1); // <s>
    expect(plain[plain.length - 1]).not.toBe(2);
    expect(llama.encode('hello', { maxLength: 64, addEos: true }).ids).toEqual([...plain, 2]);
    const cut = llama.encode(LONG, { maxLength: 8, addEos: true }).ids;
    expect(cut).toHaveLength(8);
    expect([cut[0], cut[7]]).toEqual([1, 2]);
    const qwen = TextTokenizer.fromFolder(fixturePath('qwen2-tiny'));
    expect(qwen.encode('hello', { maxLength: 64, addEos: true }).ids).toEqual(qwen.encode('hello', { maxLength: 64 }).ids);
  });

  it('pads left or right, buckets the length to a multiple of 8, and stops at the position table', () => {
    const enc = [{ ids: [5, 6, 7], typeIds: [0, 0, 0] }, { ids: [9], typeIds: [0] }];
    const right = padBatch(enc, { padId: 0, side: 'right' });
    expect(right.inputIds.shape).toEqual([2, 8]);
    expect(Array.from(right.inputIds.dataSync() as BigInt64Array, Number).slice(0, 8)).toEqual([5, 6, 7, 0, 0, 0, 0, 0]);
    const left = padBatch(enc, { padId: 1, side: 'left' });
    expect(Array.from(left.inputIds.dataSync() as BigInt64Array, Number).slice(8)).toEqual([1, 1, 1, 1, 1, 1, 1, 9]);
    expect(Array.from(left.attentionMask.dataSync() as BigInt64Array, Number).slice(8)).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(padBatch(enc, { padId: 0, side: 'right', maxPositions: 5 }).inputIds.shape).toEqual([2, 5]);
    const fixed = padBatch(enc, { padId: 0, side: 'right', length: 12, rows: 4 });
    expect(fixed.inputIds.shape).toEqual([4, 12]);
    expect(fixed.lengths).toEqual([3, 1]);
  });
});

describe('maxLength', () => {
  it('defaults to min(position table, model_max_length)', async () => {
    expect((await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny'))).maxLength).toBe(128);
    // XLM-R: 66 position rows − (padding_idx + 1) = 64 usable, model_max_length 64
    expect((await AutoModelForEmbedding.fromPretrained(fixturePath('xlmr-tiny'))).maxLength).toBe(64);
    expect((await AutoModelForEmbedding.fromPretrained(fixturePath('llama-tiny'))).maxLength).toBe(128);
  });

  it('truncates long texts: encoding them equals encoding their kept tokens', async () => {
    const m = await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny'), { maxLength: 10 });
    const batch = m.tokenize([LONG]);
    expect(batch.lengths).toEqual([10]);
    expect(batch.inputIds.shape).toEqual([1, 16]);
    const xlmr = await AutoModelForEmbedding.fromPretrained(fixturePath('xlmr-tiny'));
    const long = xlmr.tokenize([LONG.repeat(4)]);
    expect(long.lengths).toEqual([64]);
    expect(long.inputIds.shape).toEqual([1, 64]);
    await expect(xlmr.encode(LONG.repeat(4))).resolves.toHaveLength(32);
  });
});
