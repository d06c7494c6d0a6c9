// Worker thread of background-tokenizer.ts: builds the same @huggingface/tokenizers Tokenizer and
// tokenizes batches on request, so the next batch is tokenized on another core while onnxruntime
// (whose run blocks the main thread) computes the current one. Plain JS: a worker cannot load .ts.
import { parentPort, workerData } from 'node:worker_threads';
import { Tokenizer } from '@huggingface/tokenizers';

const tokenizer = new Tokenizer(workerData.json, workerData.config);

parentPort.on('message', ({ id, texts }) => {
  try {
    const encoded = texts.map((text) => {
      const e = tokenizer.encode(text, { return_token_type_ids: true });
      return { ids: e.ids, typeIds: e.token_type_ids ?? new Array(e.ids.length).fill(0) };
    });
    parentPort.postMessage({ id, encoded });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error?.message ?? error) });
  }
});
