import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SafetensorsFile } from '@retrievals/core-tensor';
import { readTexts } from '@retrievals/data';
import { fixturePath } from '@retrievals/fixtures';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, fuzz, reportedOrFine, scratch } from './helpers.js';

afterAll(cleanup, 60_000);

const realFile = readFileSync(join(fixturePath('bert-tiny'), 'model.safetensors'));

/** A real file with some bytes overwritten, inserted or cut: mostly header damage, where parsers break. */
const damagedSafetensors = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.record({
    at: fc.nat({ max: 600 }),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
    cut: fc.option(fc.nat({ max: realFile.length }), { nil: undefined }),
  }).map(({ at, bytes, cut }) => {
    const b = Buffer.from(realFile);
    b.set(bytes.subarray(0, Math.max(0, b.length - at)), Math.min(at, b.length));
    return cut === undefined ? b : b.subarray(0, cut);
  }),
  fc.record({ header: fc.dictionary(fc.string({ maxLength: 8 }), fc.record({ dtype: fc.constantFrom('F32', 'F16', 'I64', 'toString', 'BOOL', 'X'), shape: fc.array(fc.constantFrom(0, 1, 3, 2 ** 31, 1e15, -1), { maxLength: 3 }), data_offsets: fc.tuple(fc.nat({ max: 64 }), fc.integer({ min: -5, max: 2 ** 40 })) }), { maxKeys: 3 }) }).map(({ header }) => {
    const json = Buffer.from(JSON.stringify(header));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    return Buffer.concat([len, json, Buffer.alloc(64)]);
  }),
);

describe('fuzz: file readers', () => {
  it('safetensors: any bytes open and read, or fail with a RetrievalsError', async () => {
    const dir = scratch();
    await fuzz('safetensors', damagedSafetensors, async (bytes) => {
      const path = join(dir, 'case.safetensors'); // one file rewritten per case: nothing piles up for afterAll
      writeFileSync(path, bytes);
      return reportedOrFine(() => {
        const f = SafetensorsFile.open(path);
        try {
          for (const name of f.names()) f.read(name);
        } finally {
          f.close();
        }
      });
    }, 5_000);
  }, 30_000);

  it('text files (.txt, .jsonl, .json): any bytes read as texts or fail with a RetrievalsError, never U+FFFD that was not there', async () => {
    const dir = scratch();
    const content = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 80 }).map((s) => Buffer.from(s, 'utf8')),
      fc.array(fc.oneof(fc.string({ maxLength: 10 }), fc.record({ text: fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), title: fc.option(fc.string({ maxLength: 4 })) })), { maxLength: 4 }).map((rows) => Buffer.from(rows.map((r) => JSON.stringify(r)).join(fc.sample(fc.constantFrom('\n', '\r\n', '\r'), 1)[0]))),
    );
    await fuzz('text readers', fc.tuple(content, fc.constantFrom('.txt', '.jsonl', '.json')), async ([bytes, ext]) => {
      const path = join(dir, `case${ext}`);
      writeFileSync(path, bytes);
      return reportedOrFine(async () => {
        const texts = await readTexts(path);
        // Decoding is fatal, so U+FFFD can only come from the input itself (UTF-8 EF BF BD, or UTF-16 by its BOM).
        const b = Buffer.from(bytes);
        const mayHave = b.includes(Buffer.from('\ufffd')) || (b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff);
        if (!mayHave) for (const t of texts) expect((typeof t === 'string' ? t : t.text).includes('\ufffd')).toBe(false);
      });
    }, 6_000);
  }, 30_000);
});
