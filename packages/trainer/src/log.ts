import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const LOG_FILE = 'trainer_log.jsonl';

export type LogRecord = Record<string, number | string | boolean | null | number[] | Record<string, number>>;

interface Stream {
  write(s: string): unknown;
  isTTY?: boolean;
}

export interface TrainerLogOptions {
  /** 'auto': a bar on a terminal, JSON lines otherwise. */
  progress: 'auto' | 'json' | 'none';
  totalSteps: number;
  /** Where the bar / JSON lines go (default process.stderr for the bar, process.stdout for lines). */
  stream?: Stream;
}

/**
 * The run's log: every record is appended to `outputDir/trainer_log.jsonl` as one line, with one
 * write call (O_APPEND), so a killed run keeps every line it logged. The console gets a progress
 * bar (step, loss, lr, it/s, ETA) on a terminal, the same JSON lines otherwise.
 */
export class TrainerLog {
  readonly file: string;
  private readonly started = performance.now();
  private firstStep: number | undefined;
  private readonly stream: Stream;
  private readonly bar: boolean;

  constructor(outputDir: string, private readonly o: TrainerLogOptions) {
    this.file = join(outputDir, LOG_FILE);
    mkdirSync(dirname(this.file), { recursive: true });
    const tty = (o.stream ?? process.stderr).isTTY === true;
    this.bar = o.progress === 'auto' && tty;
    this.stream = o.stream ?? (this.bar ? process.stderr : process.stdout);
  }

  write(record: LogRecord): void {
    const line = JSON.stringify(record);
    appendFileSync(this.file, line + '\n');
    if (this.o.progress === 'none' || (this.bar && record.event === 'step')) return;
    if (this.bar) this.stream.write('\r\x1b[K');
    this.stream.write(line + '\n');
  }

  /** Redraws the bar after a step (terminal only). */
  progress(step: number, loss: number, lr: number): void {
    if (!this.bar) return;
    this.firstStep ??= step - 1;
    const done = step - this.firstStep, secs = (performance.now() - this.started) / 1000;
    const rate = done / Math.max(secs, 1e-9), eta = (this.o.totalSteps - step) / Math.max(rate, 1e-9);
    const width = 24, filled = Math.round((width * step) / this.o.totalSteps);
    this.stream.write(
      `\r\x1b[Ktrain ${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${step}/${this.o.totalSteps} loss ${loss.toFixed(4)} lr ${lr.toExponential(2)} ${rate.toFixed(2)} it/s ETA ${clock(eta)}`,
    );
    if (step === this.o.totalSteps) this.stream.write('\n');
  }
}

function clock(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const t = Math.round(s), h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), sec = t % 60;
  return `${h ? `${h}:` : ''}${String(m).padStart(h ? 2 : 1, '0')}:${String(sec).padStart(2, '0')}`;
}
