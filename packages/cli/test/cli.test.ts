import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main, parseArgs } from '../src/index.js';

describe('retrievals CLI', () => {
  it('parses open-retrievals style flags', () => {
    expect(parseArgs(['embed', '--model_name_or_path', 'm', '--fp16', '--temperature=0.02', 'extra'])).toEqual({
      command: 'embed',
      flags: { model_name_or_path: 'm', fp16: true, temperature: '0.02' },
      positional: ['extra'],
    });
  });

  it('info lists every registry and the model folders it finds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    mkdirSync(join(dir, 'bert-x'));
    writeFileSync(join(dir, 'bert-x', 'config.json'), '{"model_type":"bert"}');
    mkdirSync(join(dir, 'not-a-model'));
    const lines: string[] = [];
    expect(await main(['info', '--fixtures', dir], (l) => lines.push(l))).toBe(0);
    const text = lines.join('\n');
    for (const key of ['backends', 'architectures', 'runtimes', 'poolers', 'losses', 'formats', 'schedulers', 'optimizers', 'indexes']) expect(text).toContain(`  ${key} (`);
    expect(text).toContain(
      ['  schedulers (scheduler):', '    constant (constant_with_warmup)  @retrievals/trainer', '    cosine                           @retrievals/trainer', '    linear                           @retrievals/trainer'].join('\n'),
    );
    expect(text).toMatch(/ {2}backends \(backend\):\n {4}js .*\n {4}ort /);
    expect(text).toMatch(/ {2}runtimes \(runtime\):\n {4}onnx +@retrievals\/models\n {4}tensor +@retrievals\/models/);
    expect(text).toMatch(/\n {4}infonce \(multiple-negatives-ranking\) +@retrievals\/losses\n/);
    expect(text).toMatch(/\n {4}roberta \(camembert, xlm-roberta\) +@retrievals\/models\n/);
    expect(text).toMatch(/\n {4}adamw \(adamw_torch\) +@retrievals\/trainer\n/);
    expect(text).toMatch(/\n {4}flat \(exact\) +@retrievals\/hard-negatives\n/);
    expect(text).toMatch(/\n {4}triplet \(group, hard-negatives\) +@retrievals\/data\n/);
    expect(text).toMatch(/\n {4}mean \(avg\) +@retrievals\/pooling\n/);
    expect(text).toContain('fixture models in');
    expect(text).toContain('bert-x [bert]: config.json');
    expect(text).not.toContain('not-a-model');
  });

  it('says clearly what is not implemented yet and rejects unknown commands', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await main(['build-hn'])).toBe(2);
    expect(err).toHaveBeenLastCalledWith("retrievals: not implemented: the 'build-hn' command");
    expect(await main(['frobnicate'])).toBe(2);
    expect(err.mock.lastCall![0]).toMatch(/unknown command 'frobnicate'/);
    err.mockRestore();
  });
});
