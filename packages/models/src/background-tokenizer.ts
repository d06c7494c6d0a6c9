import { Worker } from 'node:worker_threads';
import { TokenizerError } from './errors.js';
import type { Encoded, TextTokenizer } from './tokenizer.js';

type Reply = { id: number; encoded?: Encoded[]; error?: string };

/**
 * Tokenizes batches in a worker thread. onnxruntime-node runs a session synchronously on the main
 * thread, so tokenizing "while the batch runs" needs another thread: encode() asks the worker for
 * batch i+1 before running batch i. Started on first use, ref'd only while a request is out (an
 * idle worker never keeps the process alive), and replaced by inline tokenization if it fails.
 */
export class BackgroundTokenizer {
  private worker: Worker | undefined;
  private failed = false;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (e: Encoded[]) => void; reject: (e: Error) => void }>();

  constructor(private readonly tokenizer: TextTokenizer) {}

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

  /** Raw (untruncated) encodings of the texts, from the worker when one runs. */
  async encodeRaw(texts: readonly string[]): Promise<Encoded[]> {
    const w = this.start();
    if (!w) return texts.map((t) => this.tokenizer.encodeRaw(t));
    const id = this.nextId++;
    try {
      return await new Promise<Encoded[]>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        w.ref();
        w.postMessage({ id, texts });
      });
    } catch (e) {
      if (e instanceof TokenizerError) throw e;
      return texts.map((t) => this.tokenizer.encodeRaw(t));
    }
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
