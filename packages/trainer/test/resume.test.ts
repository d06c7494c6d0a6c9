import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '@retrievals/fixtures';
import { AutoModelForEmbedding } from '@retrievals/models';
import type { TrainerState } from '../src/index.js';
import { PROBE, runConfig } from './child/run-config.js';
import { loggedLosses, tmp } from './helpers.js';

const CHILD = fileURLToPath(new URL('./child/train-run.ts', import.meta.url));

/** Starts a training run in a child process and SIGKILLs it once it reports the checkpoint at `step`. */
function runAndKill(config: object, step: number): Promise<{ killed: boolean; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify({ ...config, announceAt: step })], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(`SAVED ${step}`)) child.kill('SIGKILL');
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve({ killed: true, out }) : reject(new Error(`child exited with ${code} before the kill: ${err.slice(-2000)}`))));
  });
}

describe.each([false, true])('kill after a checkpoint, resume (useLora %s)', (useLora) => {
  it('the resumed run logs exactly the losses of the uninterrupted run, and its final folder embeds as the trained model', async () => {
    const maxSteps = 9;
    const straight = await runConfig({ outputDir: tmp('straight'), useLora, resume: false, maxSteps });
    expect(straight.losses.size).toBe(maxSteps);

    const dir = tmp('killed');
    const { killed } = await runAndKill({ outputDir: dir, useLora, resume: false, maxSteps }, 4);
    expect(killed).toBe(true);
    const before = loggedLosses(dir);
    expect(Math.max(...before.keys())).toBeLessThan(maxSteps); // killed mid-run
    expect(readdirSync(dir).filter((n) => n.startsWith('checkpoint-'))).toContain('checkpoint-4');

    mkdirSync(join(dir, '.tmp-checkpoint-6-99999')); // what a kill during a save leaves
    const resumed = await runConfig({ outputDir: dir, useLora, resume: true, maxSteps });
    expect(existsSync(join(dir, '.tmp-checkpoint-6-99999'))).toBe(false);
    expect(Math.min(...resumed.losses.keys())).toBeGreaterThanOrEqual(5);
    expect([...loggedLosses(dir)]).toEqual([...straight.losses]);
    // saveTotalLimit 2: only the newest two checkpoints remain
    expect(readdirSync(dir).filter((n) => /^checkpoint-\d+$/.test(n)).sort()).toEqual(['checkpoint-6', 'checkpoint-8']);
    const state = JSON.parse(readFileSync(join(dir, 'checkpoint-8', 'trainer_state.json'), 'utf8')) as TrainerState;
    expect(state).toMatchObject({ step: 8, rng: { seed: 7 }, useLora, scheduler: { stepCount: 8 }, optimizer: { step: 8 } });
    expect(state.params.every((p) => p.file === (useLora ? 'adapter_model.safetensors' : 'model.safetensors'))).toBe(true);

    // the final folder, loaded with no options, embeds as the trained model did (pooling saved with it)
    if (useLora) expect(existsSync(join(dir, 'adapter_config.json')) && existsSync(join(dir, 'adapter_model.safetensors'))).toBe(true);
    const saved = useLora ? await AutoModelForEmbedding.fromPretrained(fixturePath('bert-tiny'), { poolingMethod: 'mean', lora: dir }) : await AutoModelForEmbedding.fromPretrained(dir);
    expect(saved.poolingMethod).toBe('mean');
    const again = (await saved.encode(PROBE)).data as Float32Array;
    expect(Math.max(...again.map((v, i) => Math.abs(v - resumed.probe[i]!)))).toBeLessThan(1e-6);
    expect(resumed.probe).toEqual(straight.probe);
    await saved.dispose();
  }, 60_000);
});
