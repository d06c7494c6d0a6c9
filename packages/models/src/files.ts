import { copyFileSync, cpSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Tokenizer files transformers and sentence-transformers read; copied along with a model when present. */
export const TOKENIZER_FILES = [
  'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'added_tokens.json',
  'vocab.txt', 'vocab.json', 'merges.txt', 'sentencepiece.bpe.model', 'tokenizer.model', 'spiece.model',
];

const tmpName = (path: string) => join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);

/** Writes through a temporary name and renames it: a reader (or a crash) never sees half a file. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = tmpName(path);
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Copies a file or a folder through a temporary name, replacing what was there. */
export function copyAtomic(from: string, to: string): void {
  const tmp = tmpName(to);
  rmSync(tmp, { recursive: true, force: true });
  if (statSync(from).isDirectory()) {
    cpSync(from, tmp, { recursive: true });
    rmSync(to, { recursive: true, force: true });
  } else {
    copyFileSync(from, tmp);
  }
  renameSync(tmp, to);
}
