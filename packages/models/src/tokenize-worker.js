// Worker thread of background-tokenizer.ts: builds the same @huggingface/tokenizers Tokenizer and
// tokenizes batches on request, so the next batch is tokenized on another core while onnxruntime
// (whose run blocks the main thread) computes the current one, and so a tokenizer that never ends
// (a catastrophic regex in tokenizer.json) can be stopped. Plain JS: a worker cannot load .ts.
import { parentPort, workerData } from 'node:worker_threads';
import { Tokenizer } from '@huggingface/tokenizers';
import { encodeBounded } from './bounded-encode.js';

const tokenizer = new Tokenizer(workerData.json, workerData.config);
const encodeOne = (text) => {
  const e = tokenizer.encode(text, { return_token_type_ids: true });
  return { ids: e.ids, typeIds: e.token_type_ids ?? new Array(e.ids.length).fill(0) };
};

parentPort.on('message', ({ id, texts, limit, fromEnd }) => {
  try {
    const encoded = texts.map((text) => (limit === undefined ? encodeOne(text) : encodeBounded(encodeOne, text, limit, fromEnd)));
    parentPort.postMessage({ id, encoded });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error?.message ?? error) });
  }
});
