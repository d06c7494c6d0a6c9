import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureFixtures, fixturePath } from '@retrievals/fixtures';
import { describe, expect, it } from 'vitest';
import { run, scratch } from './helpers.js';

ensureFixtures();
const dir = scratch('config');
const bert = fixturePath('bert-tiny');
const words = ['the cat sat on the mat', 'dog park walk', 'paris is the capital of france', 'coffee and tea in the morning', 'the sun is hot today', 'music and songs at night'];
const data = join(dir, 'train.jsonl');
writeFileSync(data, words.map((w, i) => JSON.stringify({ query: w, positive: words[(i + 1) % words.length], negative: [words[(i + 2) % words.length], words[(i + 3) % words.length]] })).join('\n') + '\n');
const CONFIG_DIR = join(import.meta.dirname, 'config');

describe('--config JSON / YAML', () => {
  it("loads the config's plugins (resolved from its folder), so list shows their components with their package", async () => {
    const yaml = join(CONFIG_DIR, 'plugins.yaml');
    const { code, text } = await run('list', '--config', yaml);
    expect(code).toBe(0);
    expect(text).toMatch(/\n {4}example-margin +example-plugin\n/);
  });

  it('takes flag names as keys; flags on the command line override the file', async () => {
    const file = join(dir, 'embed.yaml');
    writeFileSync(file, `model_name_or_path: ${bert}\noutput_dir: ${join(dir, 'out-yaml')}\ndo_train: true\ndata_name_or_path: ${data}\nmax_steps: 3\nper_device_train_batch_size: 2\nprogress: none\nloss_fn:\n  name: infonce\n  temperature: 0.1\n`);
    const r = await run('embed', '--config', file, '--max_steps', '1');
    expect(r.error).toBe('');
    expect(r.code).toBe(0);
    expect(r.text).toMatch(/training 1 steps: loss infonce/);
    const json = join(dir, 'embed.json');
    writeFileSync(json, JSON.stringify({ model_name_or_path: bert, output_dir: join(dir, 'out-json'), do_train: 'True', data_name_or_path: data, max_steps: 2, per_device_train_batch_size: 2, progress: 'none' }));
    const j = await run('embed', '--config', json);
    expect(j.code).toBe(0);
    expect(j.text).toMatch(/training 2 steps/);
    expect(existsSync(join(dir, 'out-json', 'model.safetensors'))).toBe(true);
  });

  it('an unknown key names the file and line; a bad value names the key', async () => {
    const file = join(dir, 'typo.yaml');
    writeFileSync(file, 'model_name_or_path: x\n# the learning rate\nlearning_rte: 1e-4\n');
    const r = await run('embed', '--config', file);
    expect(r.code).toBe(2);
    expect(r.error).toMatch(new RegExp(`^retrievals: ${file.replace(/[.]/g, '\\.')}:3: unknown key 'learning_rte' for 'embed'; known: plugins, model_name_or_path, output_dir`));
    writeFileSync(file, 'max_steps: -1\n');
    expect((await run('embed', '--config', file)).error).toBe(`retrievals: ${file}:1: key 'max_steps' must be an integer ≥ 1, got -1`);
    const json = join(dir, 'bad.json');
    writeFileSync(json, '{\n  "use_lora": "sometimes"\n}\n');
    expect((await run('embed', '--config', json)).error).toBe(`retrievals: ${json}:2: key 'use_lora' must be true or false (or the flag alone), got "sometimes"`);
    writeFileSync(file, 'a: [1\n');
    expect((await run('list', '--config', file)).error).toMatch(/typo\.yaml:\d+: not valid YAML/);
    expect((await run('list', '--config', join(dir, 'x.toml'))).error).toMatch(/expected a \.json, \.yaml or \.yml file/);
  });

  it("trains with a plugin's loss named in the config (one Node process, as a user runs it)", () => {
    const json = join(dir, 'plugin-embed.json');
    writeFileSync(json, JSON.stringify({ plugins: [join(import.meta.dirname, '..', 'node_modules', '@retrievals', 'example-plugin', 'dist', 'index.js')], loss_fn: { name: 'example-margin', margin: 0.5 }, model_name_or_path: bert, do_train: true, data_name_or_path: data, train_group_size: 2, per_device_train_batch_size: 2, progress: 'none' }));
    const bin = join(import.meta.dirname, '..', 'dist', 'bin.js');
    const text = execFileSync(process.execPath, [bin, 'embed', '--config', json, '--output_dir', join(dir, 'out-plugin'), '--max_steps', '2'], { encoding: 'utf8' });
    expect(text).toMatch(/training 2 steps: loss example-margin/);
    expect(text).toMatch(/trained 2 steps; loss \d+\.\d+ → \d+\.\d+/);
  }, 60_000);
});
