import { main } from '@retrievals/cli';
import { fixturePath } from '@retrievals/fixtures';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, fuzz, scratch } from './helpers.js';

afterAll(cleanup, 60_000);

describe('fuzz: CLI flags', () => {
  it('any argument list exits 0, 1 or 2 with a message, and never throws', async () => {
    const out = scratch();
    const flag = fc.constantFrom('--model_name_or_path', '--input', '--output', '--pooling_method', '--batch_size', '--max_length', '--precision', '--truncate_dim', '--normalize', '--as', '--nope', '--', '-x', '--fixtures');
    const value = fc.oneof(
      fc.constantFrom(fixturePath('bert-tiny'), fixturePath('llama-tiny'), '0', '-1', 'NaN', '1e9', 'mean', 'int8', 'query', `${out}/a.npy`, `${out}/b.jsonl`, '/nonexistent/x.npy', 'hf://org/model', 'org/model@main', ''),
      fc.string({ maxLength: 6 }),
    );
    const argv = fc.tuple(fc.constantFrom('encode', 'info', 'embed', 'help', 'bogus'), fc.array(fc.oneof(flag, value), { maxLength: 7 })).map(([cmd, rest]) => [cmd, ...rest]);
    const log = console.error;
    console.error = () => undefined;
    try {
      await fuzz('cli flags', argv, async (args) => {
        const code = await main(args, () => undefined);
        expect([0, 1, 2]).toContain(code);
        return code === 0 ? 'ok' : 'refused';
      }, 8_000);
    } finally {
      console.error = log;
    }
  }, 40_000);
});
