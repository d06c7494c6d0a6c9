/** Median wall time (ms) of `fn` after warm-up runs (4: the ort backend gives a graph its memory arena on the third run). */
export async function time(fn: () => Promise<unknown>, { warmup = 4, runs = 5 } = {}): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)]!;
}

export const fmt = (x: number, digits = 1) => x.toFixed(digits);
