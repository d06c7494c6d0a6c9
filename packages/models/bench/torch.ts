import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export type TorchResult = { ok: true; label: string; tokensPerSec: number; peakRssMB: number; line: string } | { ok: false; reason: string };

/** The same MiniLM in PyTorch CPU (2 threads): its inference figure is a forward of 64×128 tokens. */
const SCRIPT = resolve(import.meta.dirname, '../../../../shared/bench/torch_minilm_step.py');

// Run through runpy so the script is unchanged and peak RSS (ru_maxrss, KiB on Linux) is still read.
const WRAPPER = `import runpy, resource, sys
runpy.run_path(sys.argv[1], run_name='__main__')
print('peak_rss_kib', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)`;

/**
 * Runs ../shared/bench/torch_minilm_step.py with RETRIEVALS_TORCH_PYTHON (default python3: the
 * pyenv one with the MKL wheel here; Debian's python3-torch uses a reference BLAS and is no fair
 * comparison) and reads its inference line. Never throws: a missing python or torch is a skip.
 */
export function runTorch(): TorchResult {
  const python = process.env.RETRIEVALS_TORCH_PYTHON ?? 'python3';
  if (!existsSync(SCRIPT)) return { ok: false, reason: `${SCRIPT} not found` };
  try {
    const info = execFileSync(python, ['-c', "import torch,re;print(torch.__version__, re.search(r'BLAS_INFO=(\\w+)', torch.__config__.show()).group(1))"], { encoding: 'utf8' }).trim();
    const out = execFileSync(python, ['-c', WRAPPER, SCRIPT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const m = /inference (\d+)x(\d+): median (\d+(?:\.\d+)?) ms/.exec(out);
    const rss = /peak_rss_kib (\d+)/.exec(out);
    if (!m || !rss) return { ok: false, reason: `no inference figure in its output:\n${out}` };
    const tokens = Number(m[1]) * Number(m[2]);
    return { ok: true, label: `pytorch ${info}`, tokensPerSec: tokens / (Number(m[3]) / 1000), peakRssMB: Number(rss[1]) / 1024, line: m[0] };
  } catch (e) {
    return { ok: false, reason: `${python}: ${(e as Error).message.split('\n')[0]}` };
  }
}
