// `pnpm bench` (tsx bench/encode.ts): encode throughput of a MiniLM-shaped BERT over 2,000 texts of
// mixed length on our tensor and onnx runtimes and on transformers.js (same ONNX file, same threads,
// batch size 32, mean pooling + normalise), each in its own process for its peak RSS; then PyTorch.
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AutoModelForEmbedding } from '../src/index.js';
import { BATCH_SIZE, CASES, SAMPLE_ROWS, type CaseResult } from './case.js';
import { miniLMFolder } from './minilm-folder.js';
import { benchTexts } from './texts.js';
import { runTorch } from './torch.js';

const THREADS = availableParallelism();
const dir = resolve(process.env.RETRIEVALS_BENCH_DIR ?? join(tmpdir(), 'retrievals-bench', 'minilm'));
const fmt = (x: number, digits = 0) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

function runCase(name: string): CaseResult | string {
  // Same interpreter flags (tsx's loader) as this process.
  const r = spawnSync(process.execPath, [...process.execArgv, join(import.meta.dirname, 'case.ts'), name, dir, String(THREADS)], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as CaseResult;
  } catch {
    return `failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`;
  }
}

/** Max |difference| of the sampled embeddings from the reference case's. */
function maxDiff(a: CaseResult, ref: CaseResult): number {
  return Math.max(...a.sample.flatMap((row, r) => row.map((v, j) => Math.abs(v - ref.sample[r]![j]!))));
}

async function main(): Promise<void> {
  const t0 = performance.now();
  await miniLMFolder(dir);
  const texts = benchTexts(dir);
  const model = await AutoModelForEmbedding.fromPretrained(dir);
  const lengths = texts.map((t) => model.tokenizer.encode(t, { maxLength: 512 }).ids.length);
  await model.dispose();
  const tokens = lengths.reduce((a, b) => a + b, 0);
  const sorted = [...lengths].sort((a, b) => a - b);
  console.log(`MiniLM-shaped BERT (6x384, 12 heads, FFN 1536, vocab 30522), random weights: ${dir} (ready in ${fmt((performance.now() - t0) / 1000, 1)} s)`);
  console.log(`${texts.length} texts, ${fmt(tokens)} tokens: min ${sorted[0]}, median ${sorted[sorted.length >> 1]}, p90 ${sorted[Math.floor(sorted.length * 0.9)]}, max ${sorted.at(-1)}`);
  console.log(`batch ${BATCH_SIZE}, mean pooling + normalize, ${THREADS} intra-op threads each, one process per case; load average before: ${load()}\n`);

  const results: (CaseResult | { name: string; error: string })[] = [];
  for (const name of CASES) {
    const r = runCase(name);
    results.push(typeof r === 'string' ? { name, error: r } : r);
    console.error(`  ${name} done (load ${load()})`);
  }
  const ok = results.filter((r): r is CaseResult => !('error' in r));
  const ref = ok.find((r) => r.name === 'tensor');
  const tjs = ok.find((r) => r.name === 'transformers.js');
  const rows = results.map((r) => {
    if ('error' in r) return { case: r.name, 'texts/s': r.error };
    const tps = texts.length / (r.warmMs / 1000);
    return {
      case: r.name,
      'texts/s': fmt(tps, 1),
      'tokens/s': fmt(tokens / (r.warmMs / 1000)),
      'µs/token': fmt((r.warmMs * 1000) / tokens, 1),
      'cold pass s': fmt(r.coldMs / 1000, 1),
      'load s': fmt(r.loadMs / 1000, 1),
      'peak RSS MB': fmt(r.peakRssMB),
      'vs transformers.js': tjs ? `${fmt(tjs.warmMs / r.warmMs, 2)}x` : '-',
      'max |Δ| vs tensor': ref ? maxDiff(r, ref).toExponential(1) : '-',
    };
  });
  console.table(rows);
  console.log(`(texts/s, tokens/s: the best of two warm passes; cold pass = the first, graph compilation included; Δ over rows ${SAMPLE_ROWS.join(', ')})`);

  const torch = runTorch();
  if (!torch.ok) {
    console.log(`\npytorch reference skipped: ${torch.reason}`);
  } else {
    console.log(`\n${torch.label}: ${torch.line} -> ${fmt(torch.tokensPerSec)} tokens/s, ${fmt(1e6 / torch.tokensPerSec, 1)} µs/token (fixed 64x128, no padding, no tokenization; peak RSS of the whole script incl. its training step ${fmt(torch.peakRssMB)} MB)`);
    for (const r of ok) console.log(`  ${r.name}: ${fmt(tokens / (r.warmMs / 1000) / torch.tokensPerSec, 2)}x pytorch per token`);
  }
  console.log(`load average after: ${load()}`);
}

await main();
