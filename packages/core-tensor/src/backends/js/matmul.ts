import { allocate } from '../../dtype.js';
import { numel } from '../../shape.js';
import { registerJsKernel } from './kernels.js';
import { broadcastOffsets } from './util.js';

registerJsKernel('matmul', ([x, y], infos, node) => {
  const a = x as Float32Array, b = y as Float32Array;
  const as = infos[0]!.shape, bs = infos[1]!.shape;
  const m = as[as.length - 2]!, k = as[as.length - 1]!, n = bs[bs.length - 1]!;
  const batch = node.shape.slice(0, -2);
  const ba = broadcastOffsets(batch, as.slice(0, -2)), bb = broadcastOffsets(batch, bs.slice(0, -2));
  const o = allocate(node.dtype, numel(node.shape)) as Float32Array;
  const acc = new Float64Array(n);
  for (let t = 0; t < ba.length; t++) {
    const ao = ba[t]! * m * k, bo = bb[t]! * k * n, oo = t * m * n;
    for (let i = 0; i < m; i++) {
      acc.fill(0);
      for (let p = 0; p < k; p++) {
        const av = a[ao + i * k + p]!;
        const row = bo + p * n;
        for (let j = 0; j < n; j++) acc[j]! += av * b[row + j]!;
      }
      for (let j = 0; j < n; j++) o[oo + i * n + j] = acc[j]!;
    }
  }
  return o;
});
