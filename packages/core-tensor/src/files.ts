import { closeSync, copyFileSync, cpSync, existsSync, fsyncSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { threadId } from 'node:worker_threads';
import { RetrievalsError } from './errors.js';

/** A file or folder that cannot be read or written as asked; the message names the path. */
export class FileError extends RetrievalsError {}

let counter = 0;
const tmpName = (path: string) => join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${threadId}-${counter++}`);

/**
 * A file written through a temporary name beside it and renamed over `path` on commit (after an
 * fsync): a reader, or a crash, sees the old file or the new one, never half of one. Every file the
 * project writes goes through here.
 */
export class AtomicFile {
  private fd: number | undefined;
  private readonly tmp: string;

  constructor(readonly path: string) {
    this.tmp = tmpName(path);
    try {
      this.fd = openSync(this.tmp, 'wx');
    } catch (e) {
      throw new FileError(`${path}: cannot write here: ${(e as Error).message}`, { cause: e });
    }
  }

  write(data: string | Uint8Array): void {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    try {
      for (let done = 0; done < bytes.length; ) done += writeSync(this.fd!, bytes, done, bytes.length - done);
    } catch (e) {
      this.abort();
      throw new FileError(`${this.path}: write failed (the previous file, if any, is untouched): ${(e as Error).message}`, { cause: e });
    }
  }

  commit(): void {
    try {
      fsyncSync(this.fd!);
      closeSync(this.fd!);
      this.fd = undefined;
      renameSync(this.tmp, this.path);
    } catch (e) {
      this.abort();
      throw new FileError(`${this.path}: write failed (the previous file, if any, is untouched): ${(e as Error).message}`, { cause: e });
    }
  }

  /** Drops what was written; the target is untouched. Safe to call twice. */
  abort(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
      this.fd = undefined;
    }
    rmSync(this.tmp, { force: true });
  }
}

/** Writes a whole file atomically (see AtomicFile); chunks are written in order, never concatenated. */
export function writeFileAtomic(path: string, data: string | Uint8Array | readonly (string | Uint8Array)[]): void {
  const file = new AtomicFile(path);
  for (const chunk of typeof data === 'string' || data instanceof Uint8Array ? [data] : data) file.write(chunk);
  file.commit();
}

/** Copies a file or a folder through a temporary name, replacing what was there. */
export function copyAtomic(from: string, to: string): void {
  const tmp = tmpName(to);
  try {
    if (statSync(from).isDirectory()) {
      cpSync(from, tmp, { recursive: true });
      rmSync(to, { recursive: true, force: true });
    } else {
      copyFileSync(from, tmp);
    }
    renameSync(tmp, to);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw new FileError(`${to}: copying ${from} failed: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Fails now, before any long work, when `path` could not be written: its folder is missing, is not
 * a folder, or refuses a new file (read-only, no permission). A full disk shows at the write itself,
 * which then leaves the previous file in place.
 */
export function checkWritable(path: string, what = 'output'): void {
  const dir = dirname(resolve(path));
  if (!existsSync(dir)) throw new FileError(`${path}: cannot write the ${what}: folder ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new FileError(`${path}: cannot write the ${what}: ${dir} is not a folder`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new FileError(`${path}: cannot write the ${what}: it is a folder`);
  new AtomicFile(resolve(path)).abort();
}

/** The path with symlinks resolved where it exists (else as given, made absolute). */
export function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

/** True when two paths name the same file (symlinks and relative forms resolved). */
export const samePath = (a: string, b: string): boolean => realPath(a) === realPath(b);

/**
 * A path that a file inside `root` names (modules.json's `path`, an ONNX file option, an adapter
 * file), resolved with symlinks and confined to `root`: a model folder can never make the loader read
 * outside itself. `where` names the file and field that gave the path.
 */
export function confinedPath(root: string, path: string, where: string): string {
  if (typeof path !== 'string' || path.length === 0) throw new FileError(`${where}: expected a relative path inside ${root}, got ${JSON.stringify(path)}`);
  const top = realPath(root);
  const full = realPath(isAbsolute(path) ? path : join(top, path));
  const rel = relative(top, full);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new FileError(`${where}: '${path}' points outside the model folder ${top} (to ${full}); paths in a model folder must stay inside it`);
  }
  return full;
}

/** Checks that `path` is an existing regular file (not a folder, not missing); `what` names it in the error. */
export function requireFile(path: string, what: string): void {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new FileError(`${path}: ${what} not found`);
  }
  if (!isFile) throw new FileError(`${path}: ${what} must be a file, but it is a folder or a special file`);
}
