import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureFixtures, fixturePath } from '@retrievals/fixtures';
import { describe, expect, it } from 'vitest';
import { run, scratch } from './helpers.js';

ensureFixtures();
const dir = scratch('bad');

describe('encode never loses the input or fails late', () => {
  it('refuses an --output that is the --input (or a link to it), leaving the texts intact', async () => {
    const input = join(dir, 'texts.jsonl');
    writeFileSync(input, '{"text": "hello"}\n');
    symlinkSync(input, join(dir, 'alias.jsonl'));
    for (const output of [input, join(dir, 'alias.jsonl')]) {
      const r = await run('encode', '--model_name_or_path', fixturePath('bert-tiny'), '--input', input, '--output', output, '--quiet');
      expect(r.code).toBe(2);
      expect(r.error).toMatch(/is the --input file: writing it would destroy the texts/);
    }
    expect(readFileSync(input, 'utf8')).toBe('{"text": "hello"}\n');
  });

  it('checks the output folder before loading the model', async () => {
    // The model path is not a folder either: the output's error coming first shows the order.
    const r = await run('encode', '--model_name_or_path', '/definitely/not/a/model', '--output', join(dir, 'missing', 'out.npy'));
    expect(r.code).toBe(2);
    expect(r.error).toMatch(/out\.npy: cannot write the --output file: folder .*missing does not exist/);
  });

  it('writes atomically: a run that fails leaves the previous output as it was', async () => {
    const output = join(dir, 'kept.jsonl');
    writeFileSync(output, 'previous\n');
    const input = join(dir, 'bad.jsonl');
    writeFileSync(input, '{"text": "fine"}\n{"text": 7}\n');
    const r = await run('encode', '--model_name_or_path', fixturePath('bert-tiny'), '--input', input, '--output', output, '--quiet');
    expect(r.code).toBe(2);
    expect(r.error).toMatch(/bad\.jsonl:2: field 'text' is a number, not a string/);
    expect(readFileSync(output, 'utf8')).toBe('previous\n');
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });
});

describe('info', () => {
  it('lists a folder whose config.json is broken instead of crashing', async () => {
    const models = join(dir, 'models');
    mkdirSync(models);
    cpSync(fixturePath('bert-tiny'), join(models, 'good'), { recursive: true });
    mkdirSync(join(models, 'broken'));
    writeFileSync(join(models, 'broken', 'config.json'), '{"model_type": ');
    const { code, text } = await run('info', '--fixtures', models);
    expect(code).toBe(0);
    expect(text).toMatch(/broken \[unreadable config\.json: /);
    expect(text).toMatch(/good \[bert\]/);
  });
});
