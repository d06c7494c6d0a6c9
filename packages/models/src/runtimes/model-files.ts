import { existsSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { SaveError } from '../save-weights.js';
import type { SavedFiles } from './runtime.js';

/**
 * What saving a model that runs from one file copies: the file's folder (e.g. `onnx/`), or, for a
 * file at the root, the file and its external data; and the file's path to record in the saved
 * folder when `candidates` (the reload's search order) would find another first.
 */
export function modelFileCopies(source: string, file: string, candidates: readonly string[]): SavedFiles {
  const rel = relative(source, file);
  if (rel.startsWith('..')) throw new SaveError(`savePretrained: the model file ${file} is outside the model folder ${source}`);
  const top = rel.split(sep)[0]!;
  const copies = rel.includes(sep) ? [top] : readdirSync(source).filter((f) => f === rel || f.startsWith(`${rel}_data`) || f.startsWith(`${rel}.data`));
  const found = candidates.find((c) => existsSync(join(source, c)) && copies.some((p) => c === p || c.startsWith(`${p}/`)));
  const posix = rel.split(sep).join('/');
  return { copies, file: found === posix ? undefined : posix };
}
