/** Where progress goes: stderr by default (stdout stays clean for piped embeddings). */
export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
}

/**
 * Reports batches done: a bar redrawn in place on a terminal, plain lines otherwise (log files and
 * CI keep one readable line per step, at most ~20 of them).
 */
export class Progress {
  private lastLine = -1;
  private readonly started = performance.now();

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: ProgressStream = process.stderr,
  ) {}

  update(done: number): void {
    const frac = this.total ? done / this.total : 1;
    const secs = ((performance.now() - this.started) / 1000).toFixed(1);
    if (this.stream.isTTY) {
      const width = 30, filled = Math.round(frac * width);
      this.stream.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total} batches ${secs}s`);
      if (done >= this.total) this.stream.write('\n');
      return;
    }
    const step = Math.floor(frac * 20);
    if (step === this.lastLine && done < this.total) return;
    this.lastLine = step;
    this.stream.write(`${this.label}: ${done}/${this.total} batches (${Math.round(frac * 100)}%) ${secs}s\n`);
  }
}
