import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureFixtures, fixturePath } from '@retrievals/fixtures';
import { AutoModelForEmbedding } from '@retrievals/models';
import { describe, expect, it } from 'vitest';
import { run, scratch, SHARED, stepLosses } from './helpers.js';

ensureFixtures();
const dir = scratch('embed');
const TOPICS = ['the cat sat on the mat', 'a dog walks in the park', 'paris is the capital of france', 'coffee and tea in the morning', 'the sun is hot and sunny today', 'we sing songs and play music at night', 'machine learning models learn vectors', 'search engines rank relevant documents'];
/** t2_ranking's layout: {query, positive, negative: [...]}, 40 rows. */
const data = join(dir, 't2_ranking.jsonl');
writeFileSync(data, Array.from({ length: 40 }, (_, i) => JSON.stringify({ query: `${TOPICS[i % 8]} ${i}`, positive: TOPICS[i % 8], negative: [1, 2, 3, 4].map((k) => TOPICS[(i + k) % 8]) })).join('\n') + '\n');

describe("the seed's embed scripts, with retrievals embed in place of torchrun … -m retrievals.pipelines.embed", () => {
  it('pairwise fine-tune of an encoder (bert-tiny): the saved folder loads and the loss is logged finite', async () => {
    const out = join(dir, 't2_output');
    // prettier-ignore
    const r = await run('embed', '--output_dir', out, '--overwrite_output_dir', '--model_name_or_path', fixturePath('bert-tiny'), '--do_train',
      '--data_name_or_path', data, '--query_key', 'query', '--positive_key', 'positive', '--negative_key', 'negative', '--learning_rate', '3e-5',
      '--fp16', '--num_train_epochs', '5', '--per_device_train_batch_size', '32', '--dataloader_drop_last', 'True', '--query_max_length', '64',
      '--document_max_length', '512', '--train_group_size', '4', '--logging_steps', '100', '--temperature', '0.02', '--use_inbatch_negative', 'false',
      '--max_steps', '3', '--progress', 'none');
    expect(r.error).toBe('');
    expect(r.code).toBe(0);
    expect(r.text).toContain('--fp16: accepted for open-retrievals scripts; this CPU build trains in fp32');
    expect(r.text).toMatch(/training 3 steps: loss infonce, all weights, pooling 'cls', batch 32×1/);
    const losses = stepLosses(out);
    expect(losses.length).toBeGreaterThan(0);
    expect(losses.every(Number.isFinite)).toBe(true);
    const model = await AutoModelForEmbedding.fromPretrained(out);
    expect((await model.encode(['the cat sat'])).dims).toEqual([1, 32]);
    await model.dispose();
  });

  it('pairwise fine-tune of an LLM (stories260K): LoRA, last-token pooling, instructions, --bf16; the adapter loads and the losses are finite', async () => {
    const base = existsSync(join(SHARED, 'models', 'stories260K')) ? join(SHARED, 'models', 'stories260K') : fixturePath('llama-tiny');
    const out = join(dir, 't2_llm_output');
    // The seed's flags, but 2 micro-batches per step instead of 16 and one step: each micro-batch costs as much as a step here.
    // prettier-ignore
    const r = await run('embed', '--output_dir', out, '--overwrite_output_dir', '--model_name_or_path', base, '--pooling_method', 'last', '--do_train',
      '--data_name_or_path', data, '--query_key', 'query', '--positive_key', 'positive', '--negative_key', 'negative', '--use_lora', 'True',
      '--query_instruction', 'Retrieve the possible answer for query.\nQuery: ', '--document_instruction', 'Document: ', '--learning_rate', '2e-4',
      '--bf16', '--num_train_epochs', '3', '--per_device_train_batch_size', '4', '--gradient_accumulation_steps', '2', '--dataloader_drop_last', 'True',
      '--query_max_length', '64', '--document_max_length', '256', '--train_group_size', '4', '--logging_steps', '1', '--temperature', '0.02',
      '--use_inbatch_negative', 'false', '--save_total_limit', '1', '--save_steps', '1', '--max_steps', '1', '--progress', 'none');
    expect(r.error).toBe('');
    expect(r.code).toBe(0);
    expect(r.text).toMatch(/--bf16: precision 'bf16': needs a backend that computes in bf16: none is registered \(install @retrievals\/backend-onednn .*; training in fp32/);
    expect(r.text).toMatch(/LoRA r=8, pooling 'last', batch 4×2/);
    const losses = stepLosses(out);
    expect(losses).toHaveLength(1);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(existsSync(join(out, 'adapter_model.safetensors'))).toBe(true);
    expect(existsSync(join(out, 'checkpoint-1', 'adapter_model.safetensors'))).toBe(true);
    // A PEFT adapter folder holds the adapter only: pooling and instructions are given again, as with peft.
    const model = await AutoModelForEmbedding.fromPretrained(base, { lora: out, poolingMethod: 'last', queryInstruction: 'Query: ' });
    expect(Array.from(await model.encode('a story')).every(Number.isFinite)).toBe(true);
    await model.dispose();
    // Inherently the heaviest embed test (compiling a decoder's LoRA training graph, a checkpoint, a reload): ~5 s alone, 3× that beside CI's other suites.
  }, 60_000);

  it('--bf16 trains on a registered bf16 backend (a stand-in for backend-onednn, loaded from the config)', async () => {
    const out = join(dir, 'bf16');
    const r = await run('embed', '--config', join(import.meta.dirname, 'config', 'bf16.yaml'), '--output_dir', out, '--model_name_or_path', fixturePath('bert-tiny'), '--do_train', '--data_name_or_path', data, '--bf16', '--max_steps', '1', '--progress', 'none');
    expect(r.error).toBe('');
    expect(r.text).toContain("--bf16: training on the 'onednn-bf16' backend (bf16 matmuls, fp32 accumulation)");
    expect((globalThis as { fakeBf16Runs?: number }).fakeBf16Runs).toBeGreaterThan(0);
  });

  it('--resume_from_checkpoint (true, or a checkpoint folder) continues a killed run from its checkpoint to max_steps, as if never stopped', async () => {
    const train = ['--model_name_or_path', fixturePath('bert-tiny'), '--do_train', '--data_name_or_path', data, '--per_device_train_batch_size', '4', '--train_group_size', '2',
      '--learning_rate', '1e-3', '--max_steps', '4', '--save_steps', '2', '--logging_steps', '1', '--progress', 'none'];
    const whole = join(dir, 'resume-whole');
    expect((await run('embed', ...train, '--output_dir', whole)).error).toBe('');
    // A run killed after its step-2 checkpoint: the step-4 one, the final model and the log lines after the save are gone.
    const killed = join(dir, 'resume-killed');
    cpSync(whole, killed, { recursive: true });
    rmSync(join(killed, 'checkpoint-4'), { recursive: true });
    rmSync(join(killed, 'model.safetensors'));
    const log = readFileSync(join(killed, 'trainer_log.jsonl'), 'utf8').split('\n');
    writeFileSync(join(killed, 'trainer_log.jsonl'), log.slice(0, log.findIndex((l) => l.includes('"event":"save"')) + 1).join('\n') + '\n');
    const fresh = join(dir, 'resume-fresh');
    for (const [out, resume, from] of [[killed, 'true', join(killed, 'checkpoint-2')], [fresh, join(whole, 'checkpoint-2'), join(whole, 'checkpoint-2')]] as const) {
      const r = await run('embed', ...train, '--output_dir', out, '--resume_from_checkpoint', resume);
      expect(r.error, resume).toBe('');
      expect(r.text).toContain(`resuming from ${from} (step 2 of 4)`);
      expect(r.text).toMatch(/trained steps 3–4; loss/);
      const events = readFileSync(join(out, 'trainer_log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; step: number; checkpoint?: string; loss?: number });
      const resumedAt = events.findIndex((e) => e.event === 'resume');
      expect(events[resumedAt], resume).toMatchObject({ step: 2, checkpoint: from });
      expect(events.slice(resumedAt).filter((e) => e.event === 'step').map((e) => e.step)).toEqual([3, 4]);
      expect(events.at(-1)).toMatchObject({ event: 'end', step: 4 });
      // Exact resume: the steps after the checkpoint repeat the uninterrupted run's, so the final weights are the same bytes.
      expect(stepLosses(out).slice(-2)).toEqual(stepLosses(whole).slice(-2));
      expect(readFileSync(join(out, 'model.safetensors')).equals(readFileSync(join(whole, 'model.safetensors'))), resume).toBe(true);
    }
    const none = await run('embed', ...train, '--output_dir', join(dir, 'resume-none'), '--resume_from_checkpoint', 'true');
    expect(none.code).toBe(2);
    expect(none.error).toMatch(/resumeFromCheckpoint: no checkpoint-<step> folder with trainer_state\.json in .*resume-none/);
    // Four short training runs (the reference, two resumes, the refusal): ~4 s alone, ~10 s beside another suite.
  }, 60_000);

  it('refuses to train over a previous run without --overwrite_output_dir, and says what to do', async () => {
    const out = join(dir, 't2_output');
    const r = await run('embed', '--output_dir', out, '--model_name_or_path', fixturePath('bert-tiny'), '--do_train', '--data_name_or_path', data, '--max_steps', '1', '--progress', 'none');
    expect(r.code).toBe(2);
    expect(r.error).toMatch(/holds a previous run .*set overwriteOutputDir/);
    expect((await run('embed', '--model_name_or_path', 'x')).error).toMatch(/embed: nothing to do: give --do_train/);
  });
});
