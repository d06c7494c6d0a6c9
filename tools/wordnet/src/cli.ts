#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { buildWordnetTask, PARTS, type PartOfSpeech } from '@retrievals/cli';

const USAGE = 'usage: retrievals-wordnet --out DIR [--parts noun,verb,adj,adv] [--max-synsets N] [--seed 42] [--dict DIR]';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' }, parts: { type: 'string' }, 'max-synsets': { type: 'string' }, seed: { type: 'string' }, dict: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help || !values.out) {
    console.log(USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const parts = values.parts?.split(',').map((p) => p.trim()) as PartOfSpeech[] | undefined;
  const unknown = parts?.find((p) => !(p in PARTS));
  if (unknown !== undefined) throw new Error(`--parts: unknown part of speech '${unknown}'; known: ${Object.keys(PARTS).join(', ')}`);
  const int = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw new Error(`--${name} must be a non-negative integer, got '${v}'`);
    return Number(v);
  };
  const started = performance.now();
  const counts = await buildWordnetTask({ outDir: values.out, parts, maxSynsets: int('max-synsets', values['max-synsets']), seed: int('seed', values.seed), dictDir: values.dict });
  console.log(JSON.stringify({ ...counts, seconds: Number(((performance.now() - started) / 1000).toFixed(2)) }));
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exitCode = 1;
});
