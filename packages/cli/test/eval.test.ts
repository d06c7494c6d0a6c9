import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadBeir } from '@retrievals/data';
import { ensureFixtures, fixturePath } from '@retrievals/fixtures';
import { AutoModelForEmbedding } from '@retrievals/models';
import { EmbeddingSimilarityEvaluator, InformationRetrievalEvaluator } from '@retrievals/trainer';
import { describe, expect, it } from 'vitest';
import { readIrData, readSts } from '../src/evaluation.js';
import { run, scratch, SHARED } from './helpers.js';

ensureFixtures();
const dir = scratch('eval');
const bert = fixturePath('bert-tiny');

/** A BEIR folder: three queries, four documents, graded qrels. */
const beir = join(dir, 'beir');
mkdirSync(beir);
writeFileSync(join(beir, 'queries.jsonl'), ['{"_id":"q1","text":"capital of france"}', '{"_id":"q2","text":"the cat sat"}', '{"_id":"q3","text":"coffee in the morning"}'].join('\n') + '\n');
writeFileSync(join(beir, 'corpus.jsonl'), ['{"_id":"d1","title":"paris","text":"paris is the capital of france"}', '{"_id":"d2","text":"the cat sat on the mat"}', '{"_id":"d3","text":"tea and coffee"}', '{"_id":"d4","text":"the moon at night"}'].join('\n') + '\n');
writeFileSync(join(beir, 'qrels.tsv'), 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t2\nq3\td3\t1\n');

describe('retrievals eval', () => {
  it("IR metrics on a BEIR folder are the trainer's InformationRetrievalEvaluator's, as a table and as JSON", async () => {
    const output = join(dir, 'metrics.json');
    const r = await run('eval', '--model_name_or_path', bert, '--pooling_method', 'mean', '--eval_data', beir, '--k', '1,3', '--output', output);
    expect(r.error).toBe('');
    expect(r.code).toBe(0);
    const model = await AutoModelForEmbedding.fromPretrained(bert, { poolingMethod: 'mean' });
    const expected = await new InformationRetrievalEvaluator({ ...(await loadBeir(beir)), ks: [1, 3] }).evaluate(model);
    await model.dispose();
    const json = JSON.parse(readFileSync(output, 'utf8')) as { metrics: Record<string, number> };
    for (const name of ['ndcg@3', 'mrr@3', 'recall@3', 'map@3', 'precision@1']) {
      expect(json.metrics[`ir_${name}`], name).toBe(expected[name]);
      expect(r.text).toMatch(new RegExp(`\\nir_${name.replace('@', '@')} +${expected[name]!.toFixed(4)}\\b`));
    }
    expect(r.text.split('\n')[0]).toMatch(/^metric +.*bert-tiny$/);
  });

  it('a JSONL of query/positive rows is a retrieval set whose corpus is every positive and negative', async () => {
    const rows = join(dir, 'pairs.jsonl');
    writeFileSync(rows, '{"query":"capital of france","positive":"paris is the capital of france","negative":["the moon at night"]}\n{"query":"the cat sat","positive":["the cat sat on the mat"],"negative":"tea and coffee"}\n');
    const r = await run('eval', '--model_name_or_path', bert, '--eval_data', rows, '--k', '1,2');
    expect(r.code).toBe(0);
    expect(r.text).toMatch(/\nir_queries +2(\n|$)/);
    expect(r.text).toMatch(/\nir_recall@2 +\d\.\d{4}\n/);
  });

  it('rows repeating a query are one query knowing all their positives', async () => {
    const rows = join(dir, 'repeated.jsonl');
    writeFileSync(rows, '{"query":"capital of france","positive":"paris is the capital of france"}\n{"query":"the cat sat","positive":"the cat sat on the mat"}\n{"query":"capital of france","positive":"paris, the french capital"}\n');
    const set = await readIrData(rows);
    expect(Object.values(set.queries)).toEqual(['capital of france', 'the cat sat']);
    const [q1] = Object.keys(set.queries);
    expect(Object.keys(set.qrels[q1!]!).map((d) => set.corpus[d])).toEqual(['paris is the capital of france', 'paris, the french capital']);
    const r = await run('eval', '--model_name_or_path', bert, '--eval_data', rows, '--k', '3');
    expect(r.code).toBe(0);
    expect(r.text).toMatch(/\nir_queries +2(\n|$)/);
    // Each query's positives are all in the top 3 of a 3-document corpus.
    expect(r.text).toMatch(/\nir_recall@3 +1\.0000\n/);
  });

  it('--output may not be one of the inputs; a config file may list --k as numbers', async () => {
    const rows = join(dir, 'inputs.jsonl');
    writeFileSync(rows, '{"query":"capital of france","positive":"paris is the capital of france"}\n');
    const e = await run('eval', '--model_name_or_path', bert, '--eval_data', rows, '--output', rows);
    expect(e.code).toBe(2);
    expect(e.error).toMatch(/eval: --output .*inputs\.jsonl is the --eval_data file/);
    expect(readFileSync(rows, 'utf8')).toMatch(/^\{"query"/);
    const qrels = join(beir, 'qrels.tsv');
    const f = await run('eval', '--model_name_or_path', bert, '--queries', join(beir, 'queries.jsonl'), '--corpus', join(beir, 'corpus.jsonl'), '--qrels', qrels, '--output', qrels);
    expect(f.error).toMatch(/is the --qrels file/);
    const config = join(dir, 'ks.yaml');
    writeFileSync(config, `model_name_or_path: ${bert}\neval_data: ${beir}\nk: [1, 3]\n`);
    const c = await run('eval', '--config', config);
    expect(c.error).toBe('');
    expect(c.text).toMatch(/\nir_ndcg@3 +\d\.\d{4}\n/);
    expect(c.text).not.toMatch(/@10/);
  });

  it('embed: --optim / --lr_scheduler_type are names (options in a config are refused), --eval_steps needs evaluation data', async () => {
    const config = join(dir, 'sgd.yaml');
    writeFileSync(config, `model_name_or_path: ${bert}\noptim:\n  name: sgd\n  momentum: 0.9\n`);
    const c = await run('embed', '--config', config, '--eval_data', beir);
    expect(c.code).toBe(2);
    expect(c.error).toMatch(/key 'optim' must be a string/);
    const s = await run('embed', '--model_name_or_path', bert, '--output_dir', join(dir, 'steps-out'), '--do_train', '--data_name_or_path', join(dir, 'inputs.jsonl'), '--eval_steps', '1');
    expect(s.code).toBe(2);
    expect(s.error).toMatch(/embed: --eval_steps needs evaluation data: give --eval_data \(or --queries\/--corpus\/--qrels\) and\/or --eval_sts/);
    expect((await run('embed', '--model_name_or_path', bert, '--eval_data', beir, '--optim', 'nadam')).error).toMatch(/nadam/);
  });

  it('BEIR files named one by one (--queries, --corpus, --qrels, header line or not) give the metrics of the same folder, in eval and embed', async () => {
    const files = join(dir, 'files');
    mkdirSync(files);
    const queries = join(files, 'dev-queries.jsonl'), corpus = join(files, 'docs.jsonl'), qrels = join(files, 'dev.qrels.tsv');
    writeFileSync(queries, readFileSync(join(beir, 'queries.jsonl')));
    writeFileSync(corpus, readFileSync(join(beir, 'corpus.jsonl')));
    writeFileSync(qrels, readFileSync(join(beir, 'qrels.tsv')));
    const common = ['--model_name_or_path', bert, '--pooling_method', 'mean', '--k', '1,3'];
    const folder = await run('eval', ...common, '--eval_data', beir);
    const byFile = await run('eval', ...common, '--queries', queries, '--corpus', corpus, '--qrels', qrels);
    expect(byFile.error).toBe('');
    expect(byFile.text).toMatch(/\nir_ndcg@3 +\d\.\d{4}\n/);
    expect(byFile.text).toBe(folder.text);
    const headless = join(files, 'no-header.tsv');
    writeFileSync(headless, 'q1\td1\t1\nq2\td2\t2\nq3\td3\t1\n');
    expect((await run('eval', ...common, '--queries', queries, '--corpus', corpus, '--qrels', headless)).text).toBe(folder.text);
    const embed = await run('embed', ...common, '--queries', queries, '--corpus', corpus, '--qrels', qrels);
    expect(embed.error).toBe('');
    expect(embed.text).toMatch(/^metric +value\n[\s\S]*\nir_ndcg@3 +\d\.\d{4}/);
  });

  it('BEIR files: all three or none, not with --eval_data; a bad row names its file, line and field', async () => {
    const queries = join(beir, 'queries.jsonl'), corpus = join(beir, 'corpus.jsonl');
    const ev = (...flags: string[]) => run('eval', '--model_name_or_path', bert, ...flags).then((r) => r.error);
    expect(await ev('--queries', queries, '--corpus', corpus)).toMatch(/^retrievals: eval: --queries, --corpus and --qrels go together; missing --qrels\nusage: retrievals eval/);
    expect(await ev('--eval_data', beir, '--qrels', join(beir, 'qrels.tsv'))).toMatch(/eval: give --eval_data or --queries\/--corpus\/--qrels, not both/);
    const bad = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
    const qrels = bad('bad-doc.tsv', 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td9\t1\n');
    expect(await ev('--queries', queries, '--corpus', corpus, '--qrels', qrels)).toBe(`retrievals: ${qrels}:3: field 'corpus-id' "d9" is not a document of ${corpus}`);
    const grade = bad('bad-grade.tsv', 'q1\td1\t1\nq2\td2\thigh\n');
    expect(await ev('--queries', queries, '--corpus', corpus, '--qrels', grade)).toBe(`retrievals: ${grade}:2: field 'score' must be an integer grade, got "high"`);
    const noText = bad('bad-queries.jsonl', '{"_id":"q1","text":"capital of france"}\n{"_id":"q2","txt":"the cat sat"}\n');
    expect(await ev('--queries', noText, '--corpus', corpus, '--qrels', join(beir, 'qrels.tsv'))).toBe(`retrievals: ${noText}:2: field 'text' must be a string, got nothing (missing)`);
    const twice = bad('twice.jsonl', '{"_id":"d1","text":"a"}\n{"_id":"d1","text":"b"}\n');
    expect(await ev('--queries', queries, '--corpus', twice, '--qrels', join(beir, 'qrels.tsv'))).toBe(`retrievals: ${twice}:2: field '_id' "d1" is already the id of the document at ${twice}:1`);
    expect(await ev('--queries', queries, '--corpus', join(dir, 'missing.jsonl'), '--qrels', qrels)).toMatch(/missing\.jsonl/);
  });

  it('STS-B (no header row) gives the Spearman and Pearson of EmbeddingSimilarityEvaluator; a header row is skipped', async () => {
    const sts = join(dir, 'stsb-slice.csv');
    writeFileSync(sts, readFileSync(join(SHARED, 'data', 'stsb', 'stsb-en-dev.csv'), 'utf8').split('\n').slice(0, 40).join('\n') + '\n');
    const r = await run('eval', '--model_name_or_path', bert, '--pooling_method', 'mean', '--eval_sts', sts);
    expect(r.code).toBe(0);
    const pairs = await readSts(sts);
    expect(pairs.scores).toHaveLength(40);
    const model = await AutoModelForEmbedding.fromPretrained(bert, { poolingMethod: 'mean' });
    const expected = await new EmbeddingSimilarityEvaluator(pairs).evaluate(model);
    await model.dispose();
    expect(r.text).toMatch(new RegExp(`\\nsts_spearman_cosine +${expected.spearman_cosine!.toFixed(4)}(\\n|$)`));
    expect(r.text).toMatch(new RegExp(`\\nsts_pearson_cosine +${expected.pearson_cosine!.toFixed(4)}`));
    const withHeader = join(dir, 'sts-header.csv');
    writeFileSync(withHeader, `sentence1,sentence2,score\n${readFileSync(sts, 'utf8')}`);
    expect((await readSts(withHeader)).scores).toEqual(pairs.scores);
  });

  it('embed --eval_data evaluates the trained model at the end; without --do_train it only evaluates', async () => {
    const rows = join(dir, 'train.jsonl');
    writeFileSync(rows, '{"query":"capital of france","positive":"paris is the capital of france"}\n{"query":"the cat sat","positive":"the cat sat on the mat"}\n');
    const r = await run('embed', '--model_name_or_path', bert, '--output_dir', join(dir, 'embed-out'), '--do_train', '--data_name_or_path', rows, '--max_steps', '1', '--per_device_train_batch_size', '2', '--eval_data', beir, '--k', '1', '--progress', 'none');
    expect(r.error).toBe('');
    expect(r.text).toMatch(/trained 1 steps[\s\S]*\nir_ndcg@1 +\d\.\d{4}\n/);
    const only = await run('embed', '--model_name_or_path', bert, '--eval_data', beir, '--k', '1');
    expect(only.code).toBe(0);
    expect(only.text).toMatch(/^metric +value\n[\s\S]*\nir_mrr@1 +\d\.\d{4}/);
  });

  it('asks for evaluation data, and names a bad file and line', async () => {
    expect((await run('eval', '--model_name_or_path', bert)).error).toMatch(/eval: give --eval_data or --queries\/--corpus\/--qrels \(IR\) and\/or --eval_sts \(STS\)/);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'a,b,4\nc,d,high\n');
    expect((await run('eval', '--model_name_or_path', bert, '--eval_sts', bad)).error).toMatch(/bad\.csv:2: field 'score'/);
  });
});
