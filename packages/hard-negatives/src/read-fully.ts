import { readSync } from 'node:fs';

/** Reads into all of `bytes` from `position` (readSync may return fewer bytes than asked); returns how many were read, fewer only at end of file. */
export function readFully(fd: number, bytes: Uint8Array, position: number): number {
  let done = 0;
  while (done < bytes.length) {
    const got = readSync(fd, bytes, done, bytes.length - done, position + done);
    if (got === 0) break;
    done += got;
  }
  return done;
}
