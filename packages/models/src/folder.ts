import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ModelNotFoundError } from './errors.js';

/** `org/name` or `name`: what a Hugging Face Hub id looks like. */
const HUB_ID = /^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/;

/**
 * The absolute folder of a local model. Nothing is ever downloaded: a Hub id that is not a folder
 * here is an error that says so and how to get the files.
 */
export function resolveModelFolder(path: string): string {
  if (typeof path !== 'string' || path.length === 0) throw new ModelNotFoundError(`fromPretrained: expected a folder path, got ${JSON.stringify(path)}`);
  // URL forms and `name@revision` name a remote model: say so, rather than "folder not found" for a mangled path.
  const remote = /^(https?|hf|s3|gs):\/\//i.test(path) || (/^[\w.-]+(\/[\w.-]+)?@[\w./-]+$/.test(path) && !existsSync(resolve(path)));
  if (remote) {
    throw new ModelNotFoundError(
      `'${path}' names a remote model; nothing is downloaded here (no network access at run time). ` +
        'Download the folder first (e.g. `huggingface-cli download <repo> --revision <rev> --local-dir ./model`) and pass its local path',
    );
  }
  const dir = resolve(path);
  if (!existsSync(dir)) {
    if (HUB_ID.test(path) && !path.startsWith('.')) {
      throw new ModelNotFoundError(
        `'${path}' is not a local folder. Downloading from the Hugging Face Hub is not supported here; ` +
          `download it first (e.g. \`huggingface-cli download ${path} --local-dir ./${path.split('/').pop()}\`) and pass the folder path`,
      );
    }
    throw new ModelNotFoundError(`${dir}: model folder not found`);
  }
  if (!statSync(dir).isDirectory()) throw new ModelNotFoundError(`${dir}: expected a model folder, got a file`);
  return dir;
}
