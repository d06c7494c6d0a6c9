import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureFixtures, fixturePath } from '@retrievals/fixtures';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/index.js';
import { run, scratch } from './helpers.js';

ensureFixtures();

describe('retrievals: commands, --help and usage errors', () => {
  it('every command answers --help with each of its flags and their defaults, exit 0', async () => {
    for (const def of COMMANDS) {
      const r = await run(def.name, '--help');
      expect(r.code, def.name).toBe(0);
      expect(r.text).toContain(`Usage: retrievals ${def.name}`);
      for (const f of def.flags) expect(r.text, `${def.name} --${f.name}`).toContain(`--${f.name} `);
    }
    const embed = await run('embed', '--help');
    expect(embed.text).toMatch(/--train_group_size <int>\s+1 positive \+ \(n−1\) negatives per query,[^-]*\(default: 2\)/);
    expect(embed.text).toMatch(/--learning_rate <number>\s+peak learning rate \(default: 5e-5\)/);
    expect(embed.text).toMatch(/--use_inbatch_negative \[bool\]/);
    expect((await run('help', 'build-hn')).text).toMatch(/--range_for_sampling <lo-hi>[\s\S]*default:\s+10-210/);
  });

  it('no command prints the usage and exits 1; --help exits 0', async () => {
    const none = await run();
    expect(none.code).toBe(1);
    expect(none.error).toMatch(/^Usage: retrievals <command> \[flags\]/);
    for (const def of COMMANDS) expect(none.error).toContain(def.name);
    expect((await run('--help')).code).toBe(0);
  });

  it('a bad flag, a bad value or an unknown command exits 2 naming it, with the usage line', async () => {
    const unknown = await run('encode', '--pooling', 'mean');
    expect(unknown.code).toBe(2);
    expect(unknown.error).toBe("retrievals: encode: unknown option '--pooling'\nusage: retrievals encode [options] [texts...]\n(retrievals encode --help lists the flags)");
    const value = await run('embed', '--learning_rate', 'fast');
    expect(value.code).toBe(2);
    expect(value.error).toMatch(/^retrievals: embed: option '--learning_rate <number>' argument 'fast' is invalid\. expected a finite number > 0\nusage: retrievals embed \[options\]/);
    const bool = await run('embed', '--use_lora', 'maybe');
    expect(bool.error).toMatch(/option '--use_lora \[bool\]' argument 'maybe' is invalid\. expected true or false/);
    expect((await run('build-hn', '--range_for_sampling', '200-2')).error).toMatch(/argument '200-2' is invalid\. expected a range 'lo-hi' of ranks with lo < hi/);
    expect((await run('encode', '--precision', 'int4')).error).toMatch(/argument 'int4' is invalid\. expected one of float32, int8, uint8, binary, ubinary/);
    expect((await run('encode', '--input')).error).toMatch(/encode: option '--input <file>' argument missing/);
    expect((await run('embed', 'stray')).error).toMatch(/embed: too many arguments/);
    expect((await run('help', 'frobnicate')).error).toMatch(/^retrievals: unknown command 'frobnicate'/);
    const cmd = await run('frobnicate');
    expect(cmd.code).toBe(2);
    expect(cmd.error).toMatch(/^retrievals: unknown command 'frobnicate'\nusage: retrievals <command> \[flags\]/);
    const missing = await run('encode');
    expect(missing.error).toBe('retrievals: encode: --model_name_or_path is required\nusage: retrievals encode [options] [texts...]');
  });

  it('an unknown component name lists the registered ones', async () => {
    const bert = fixturePath('bert-tiny');
    const dir = scratch('names');
    const data = join(dir, 'train.jsonl');
    writeFileSync(data, '{"query": "a", "positive": "b"}\n{"query": "c", "positive": "d"}\n');
    const train = ['embed', '--model_name_or_path', bert, '--output_dir', join(dir, 'out'), '--do_train', '--data_name_or_path', data, '--max_steps', '1', '--progress', 'none'];
    expect((await run(...train, '--loss_fn', 'hinge')).error).toMatch(/unknown loss 'hinge'; known: .*cosent.*infonce/);
    expect((await run(...train, '--optim', 'lion')).error).toMatch(/unknown optimizer 'lion'; known: adamw, sgd/);
    expect((await run(...train, '--lr_scheduler_type', 'step')).error).toMatch(/unknown scheduler 'step'; known: constant, cosine, linear/);
    expect((await run(...train, '--format', 'quads')).error).toMatch(/unknown example format 'quads'; known: .*pair/);
    expect((await run('encode', '--model_name_or_path', bert, '--pooling_method', 'median', 'x')).error).toMatch(/unknown pooling 'median'; known: .*cls.*mean/);
    expect((await run('encode', '--model_name_or_path', bert, '--backend', 'cuda', 'x')).error).toMatch(/unknown backend 'cuda'; known: .*js.*ort/);
  });
});

describe('retrievals list', () => {
  it('lists every registry with each component\'s package, and the model folders given (info is its alias)', async () => {
    const dir = scratch('list');
    mkdirSync(join(dir, 'bert-x'));
    writeFileSync(join(dir, 'bert-x', 'config.json'), '{"model_type":"bert"}');
    mkdirSync(join(dir, 'not-a-model'));
    for (const name of ['list', 'info']) {
      const { code, text } = await run(name, '--fixtures', dir);
      expect(code).toBe(0);
      for (const key of ['backends', 'architectures', 'runtimes', 'poolers', 'losses', 'formats', 'schedulers', 'optimizers', 'indexes']) expect(text).toContain(`  ${key} (`);
      expect(text).toContain(
        ['  schedulers (scheduler):', '    constant (constant_with_warmup)  @retrievals/trainer', '    cosine                           @retrievals/trainer', '    linear                           @retrievals/trainer'].join('\n'),
      );
      expect(text).toMatch(/ {2}backends \(backend\):\n {4}js .*\n {4}ort /);
      expect(text).toMatch(/\n {4}infonce \(multiple-negatives-ranking\) +@retrievals\/losses\n/);
      expect(text).toMatch(/\n {4}roberta \(camembert, xlm-roberta\) +@retrievals\/models\n/);
      expect(text).toMatch(/\n {4}adamw \(adamw_torch\) +@retrievals\/trainer\n/);
      expect(text).toMatch(/\n {4}flat \(exact\) +@retrievals\/hard-negatives\n/);
      expect(text).toMatch(/\n {4}triplet \(group, hard-negatives\) +@retrievals\/data\n/);
      expect(text).toMatch(/\n {4}mean \(avg\) +@retrievals\/pooling\n/);
      expect(text).toContain('bert-x [bert]: config.json');
      expect(text).not.toContain('not-a-model');
    }
  });
});
