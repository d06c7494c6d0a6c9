import { writeFileAtomic } from '@retrievals/core-tensor';
import type { EmbeddingMatrix } from '@retrievals/models';

const DESCR = { Float32Array: '<f4', Int8Array: '|i1', Uint8Array: '|u1' } as const;

/** NumPy .npy v1.0 bytes of a matrix (`numpy.load` reads it; packed binary rows come out as uint8). */
export function npyBytes(m: EmbeddingMatrix): Buffer {
  const descr = DESCR[m.data.constructor.name as keyof typeof DESCR];
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${m.rows}, ${m.cols}), }`;
  // magic (6) + version (2) + header length (2) + header + '\n' is padded with spaces to a multiple of 64
  header = header.padEnd(Math.ceil((10 + header.length + 1) / 64) * 64 - 10 - 1, ' ') + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const body = Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), body]);
}

export function writeNpy(file: string, m: EmbeddingMatrix): void {
  writeFileAtomic(file, npyBytes(m));
}
