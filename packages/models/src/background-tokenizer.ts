import { Worker } from 'node:worker_threads';
import { TokenizerError } from './errors.js';
import type { Encoded, TextTokenizer } from './tokenizer.js';

type Reply = { id: number; encoded?: Encoded[]; error?: string };

/** How long one batch may take to tokenize before the worker is stopped (texts are bounded by maxLength first). */
export const TOKENIZE_TIMEOUT_MS = 30_000;

/**
 * Tokenizes batches in a worker thread. onnxruntime-node runs a session synchronously on the main
 * thread, so tokenizing "while the batch runs" needs another thread: encode() asks the worker for
 * batch i+1 before running batch i. A batch that takes longer than the time limit (a tokenizer.json
 * whose regular expression backtracks forever) stops the worker and fails naming the file; the
 * next request starts a new worker. Started on first use, ref'd only while a request is out (an
 * idle worker never keeps the process alive), and replaced by inline tokenization if it cannot run.
 */
export class BackgroundTokenizer {
  private worker: Worker | undefined;
  private failed = false;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (e: Encoded[]) => void; reject: (e: Error) => void }>();

  constructor(
    private readonly tokenizer: TextTokenizer,
    private readonly timeoutMs = TOKENIZE_TIMEOUT_MS,
  ) {}

  /** Starts the worker ahead of the first request (its start-up then overlaps other work). */
  warm(): void {
    this.start();
  }

  /** True once a worker thread is doing the tokenizing. */
  get usingWorker(): boolean {
    return this.worker !== undefined;
  }

  private start(): Worker | undefined {
    if (this.worker || this.failed || !this.tokenizer.source) return this.worker;
    try {
      const w = new Worker(new URL('./tokenize-worker.js', import.meta.url), { workerData: this.tokenizer.source });
      w.on('message', (r: Reply) => {
        const p = this.pending.get(r.id);
        this.pending.delete(r.id);
        if (this.pending.size === 0) w.unref();
        if (r.error !== undefined) p?.reject(new TokenizerError(`tokenizer worker: ${r.error}`));
        else p?.resolve(r.encoded!);
      });
      w.on('error', (e) => this.fail(e));
      w.on('exit', () => this.fail(new Error('tokenizer worker exited')));
      w.unref(); // idle: never keeps the process alive (ref'd only while a request is out)
      this.worker = w;
    } catch {
      this.failed = true;
    }
    return this.worker;
  }

  /** A worker that dies takes its pending requests with it; they are redone inline. */
  private fail(e: Error): void {
    this.failed = true;
    this.worker = undefined;
    for (const [, p] of this.pending) p.reject(e);
    this.pending.clear();
  }

  /** Raw encodings of the texts (bounded by maxLength, see TextTokenizer.encodeRaw), from the worker when one runs. */
  async encodeRaw(texts: readonly string[], maxLength?: number): Promise<Encoded[]> {
    const w = this.start();
    if (!w) return texts.map((t) => this.tokenizer.encodeRaw(t, maxLength));
    const id = this.nextId++;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await new Promise<Encoded[]>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        timer = setTimeout(() => this.hung(w, texts.length), this.timeoutMs);
        w.ref();
        w.postMessage({ id, texts, limit: maxLength, fromEnd: this.tokenizer.truncationSide === 'left' });
      });
    } catch (e) {
      if (e instanceof TokenizerError) throw e;
      return texts.map((t) => this.tokenizer.encodeRaw(t, maxLength));
    } finally {
      clearTimeout(timer);
    }
  }

  /** A batch past the time limit: stop the worker, fail its requests by name; a later request starts a new one. */
  private hung(w: Worker, count: number): void {
    if (this.worker !== w) return;
    const error = new TokenizerError(
      `${this.tokenizer.file}: tokenizing a batch of ${count} texts did not finish within ${this.timeoutMs / 1000} s and was stopped ` +
        '(a regular expression in its normalizer or pre-tokenizer that backtracks without end?)',
    );
    this.worker = undefined;
    w.removeAllListeners('exit');
    void w.terminate();
    for (const [, p] of this.pending) p.reject(error);
    this.pending.clear();
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.failed = true;
    if (w) {
      w.removeAllListeners('exit');
      await w.terminate();
    }
  }
}
