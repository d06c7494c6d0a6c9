import {
  gather,
  matmul,
  realize,
  reshape,
  resolveBackend,
  tensor,
  topk,
  transpose,
  type CompiledGraph,
  type OnnxGraph,
  type OnnxNode,
  type Tensor,
} from '@retrievals/core-tensor';

/** One block's top-k: `kb` entries per query, best first (ties: lower index first), as local indices. */
export interface BlockResult {
  m: number;
  kb: number;
  scores: Float32Array;
  local: Int32Array;
}

/** int64 indices (non-negative, < 2³¹) as int32: the low words of the little-endian pairs, without a BigInt per element. */
function lowWords(t: Tensor): Int32Array {
  const a = t.dataSync();
  if (a instanceof Int32Array) return a;
  const big = a as BigInt64Array, words = new Int32Array(big.buffer, big.byteOffset, big.length * 2), out = new Int32Array(big.length);
  for (let i = 0; i < out.length; i++) out[i] = words[2 * i]!;
  return out;
}

/** A corpus block made ready for scoring once and scored against every query block. */
export type PreparedBlock =
  | { kind: 'f32'; n: number; d: number; data: Float32Array }
  | { kind: 'int'; n: number; d: number; transposed: Int8Array; colScale?: Float32Array; asFloat?: Float32Array };

/**
 * The scoring programs of the flat indexes, one program per (corpus block, query block): a matmul
 * and a top-k, never a JS loop over corpus rows. Two implementations of one contract: compiled ONNX
 * graphs with dynamic axes on a backend that can compile them (`ort`: Gemm/MatMulInteger + TopK,
 * compiled once for every block shape), and core-tensor ops realised on any other backend (`js`),
 * the reference the first is tested against.
 */
export interface Kernels {
  readonly name: string;
  /** Float rows [n, d]. */
  prepareFloat(c: Float32Array, n: number, d: number): PreparedBlock;
  /** Symmetric int8 rows [n, d] (values in [−127, 127]) and an optional per-row scale. */
  prepareInt(c: Int8Array, n: number, d: number, colScale?: Float32Array): PreparedBlock;
  /** Top k per query of q [m, d] (Float32Array for float blocks, Int8Array for int blocks) against the block. */
  topk(block: PreparedBlock, q: Float32Array | Int8Array, m: number, k: number): Promise<BlockResult>;
  /**
   * Exact rescoring: for each query i of q [m, d], scores against the rows idx[i·R .. i·R+R) of c
   * [u, d]; the best k of those R, as indices into the query's R candidates.
   */
  gatherTopK(c: Float32Array, u: number, d: number, idx: Int32Array, R: number, q: Float32Array, m: number, k: number): Promise<BlockResult>;
}

const cache = new Map<string, Kernels>();

/** The kernels for a backend (default: the context's, see core-tensor's resolveBackend). */
export function kernelsFor(backendName?: string): Kernels {
  const backend = resolveBackend(backendName);
  let k = cache.get(backend.name);
  if (!k) {
    k = backend.compileGraph ? new CompiledKernels(backend.name, backend.compileGraph.bind(backend)) : new PortableKernels(backend.name);
    cache.set(backend.name, k);
  }
  return k;
}

// Transposed int8 so MatMulInteger's right operand is [d, n] (it has no transB).
function transposeInt8(c: Int8Array, n: number, d: number): Int8Array {
  const t = new Int8Array(n * d);
  for (let r = 0; r < n; r++) {
    const ro = r * d;
    for (let j = 0; j < d; j++) t[j * n + r] = c[ro + j]!;
  }
  return t;
}

function i64(v: number): Tensor {
  return tensor(BigInt64Array.from([BigInt(v)]), [1]);
}

class CompiledKernels implements Kernels {
  private readonly graphs = new Map<string, Promise<CompiledGraph>>();

  constructor(
    readonly name: string,
    private readonly compile: (g: OnnxGraph) => Promise<CompiledGraph>,
  ) {}

  private graph(key: string, make: () => OnnxGraph): Promise<CompiledGraph> {
    let g = this.graphs.get(key);
    if (!g) {
      g = this.compile(make());
      this.graphs.set(key, g);
      g.catch(() => this.graphs.delete(key));
    }
    return g;
  }

  prepareFloat(c: Float32Array, n: number, d: number): PreparedBlock {
    return { kind: 'f32', n, d, data: c };
  }

  prepareInt(c: Int8Array, n: number, d: number, colScale?: Float32Array): PreparedBlock {
    return { kind: 'int', n, d, transposed: transposeInt8(c, n, d), colScale };
  }

  async topk(block: PreparedBlock, q: Float32Array | Int8Array, m: number, k: number): Promise<BlockResult> {
    const kb = Math.min(k, block.n), d = block.d;
    if (block.kind === 'f32') {
      const g = await this.graph('f32', (): OnnxGraph => ({
        name: 'flat_f32_topk',
        opset: 17,
        nodes: [
          { op: 'Gemm', inputs: ['q', 'c'], outputs: ['s'], attrs: { transB: 1 } },
          { op: 'TopK', inputs: ['s', 'k'], outputs: ['v', 'i'], attrs: { axis: 1, largest: 1, sorted: 1 } },
        ],
        inputs: [
          { name: 'q', dtype: 'float32', dims: ['m', 'd'] },
          { name: 'c', dtype: 'float32', dims: ['n', 'd'] },
          { name: 'k', dtype: 'int64', dims: [1] },
        ],
        outputs: [
          { name: 'v', dtype: 'float32', dims: ['m', 'kb'] },
          { name: 'i', dtype: 'int64', dims: ['m', 'kb'] },
        ],
        initializers: [],
      }));
      const [v, i] = await g.run([tensor(q as Float32Array, [m, d]), tensor(block.data, [block.n, d]), i64(kb)]);
      return { m, kb, scores: v!.dataSync() as Float32Array, local: lowWords(i!) };
    }
    // Queries as uint8 with zero point 128: MatMulInteger computes Σ (q + 128 − 128)·c exactly in int32.
    const qu = new Uint8Array(m * d);
    const qi = q as Int8Array;
    for (let j = 0; j < qu.length; j++) qu[j] = qi[j]! + 128;
    const scaled = block.colScale !== undefined;
    const g = await this.graph(scaled ? 'int-scaled' : 'int', (): OnnxGraph => ({
      name: 'flat_int8_topk',
      opset: 17,
      nodes: [
        { op: 'MatMulInteger', inputs: ['q', 'ct', 'zp'], outputs: ['s32'] },
        { op: 'Cast', inputs: ['s32'], outputs: [scaled ? 'sf' : 's'], attrs: { to: 1 } },
        ...(scaled ? [{ op: 'Mul', inputs: ['sf', 'cs'], outputs: ['s'] } as OnnxNode] : []),
        { op: 'TopK', inputs: ['s', 'k'], outputs: ['v', 'i'], attrs: { axis: 1, largest: 1, sorted: 1 } },
      ] satisfies OnnxNode[],
      inputs: [
        { name: 'q', dtype: 'uint8', dims: ['m', 'd'] },
        { name: 'ct', dtype: 'int8', dims: ['d', 'n'] },
        { name: 'zp', dtype: 'uint8', dims: [] },
        ...(scaled ? [{ name: 'cs', dtype: 'float32' as const, dims: [1, 'n'] }] : []),
        { name: 'k', dtype: 'int64', dims: [1] },
      ],
      outputs: [
        { name: 'v', dtype: 'float32', dims: ['m', 'kb'] },
        { name: 'i', dtype: 'int64', dims: ['m', 'kb'] },
      ],
      initializers: [],
    }));
    const inputs = [tensor(qu, [m, d], 'uint8'), tensor(block.transposed, [d, block.n], 'int8'), tensor(Uint8Array.from([128]), [], 'uint8')];
    if (scaled) inputs.push(tensor(block.colScale!, [1, block.n]));
    inputs.push(i64(kb));
    const [v, i] = await g.run(inputs);
    return { m, kb, scores: v!.dataSync() as Float32Array, local: lowWords(i!) };
  }

  async gatherTopK(c: Float32Array, u: number, d: number, idx: Int32Array, R: number, q: Float32Array, m: number, k: number): Promise<BlockResult> {
    const kb = Math.min(k, R);
    const g = await this.graph('gather', (): OnnxGraph => ({
      name: 'rescore_topk',
      opset: 17,
      nodes: [
        { op: 'Gather', inputs: ['c', 'idx'], outputs: ['rows'], attrs: { axis: 0 } },
        { op: 'MatMul', inputs: ['rows', 'q'], outputs: ['s3'] },
        { op: 'Squeeze', inputs: ['s3', 'axis2'], outputs: ['s'] },
        { op: 'TopK', inputs: ['s', 'k'], outputs: ['v', 'i'], attrs: { axis: 1, largest: 1, sorted: 1 } },
      ],
      inputs: [
        { name: 'c', dtype: 'float32', dims: ['u', 'd'] },
        { name: 'idx', dtype: 'int32', dims: ['m', 'r'] },
        { name: 'q', dtype: 'float32', dims: ['m', 'd', 1] },
        { name: 'k', dtype: 'int64', dims: [1] },
      ],
      outputs: [
        { name: 'v', dtype: 'float32', dims: ['m', 'kb'] },
        { name: 'i', dtype: 'int64', dims: ['m', 'kb'] },
      ],
      initializers: [{ name: 'axis2', dtype: 'int64', dims: [1], data: BigInt64Array.from([2n]) }],
    }));
    const [v, i] = await g.run([tensor(c, [u, d]), tensor(idx, [m, R]), tensor(q, [m, d, 1]), i64(kb)]);
    return { m, kb, scores: v!.dataSync() as Float32Array, local: lowWords(i!) };
  }
}

/**
 * The same programs as core-tensor ops (matmul, topk, gather) realised on a backend without
 * compileGraph. int8 blocks are scored as floats holding the integers: every product and partial sum
 * (at most 127²·dim) is an integer below 2²⁴, so the float sums are the exact int32 ones.
 */
class PortableKernels implements Kernels {
  constructor(readonly name: string) {}

  prepareFloat(c: Float32Array, n: number, d: number): PreparedBlock {
    return { kind: 'f32', n, d, data: c };
  }

  prepareInt(c: Int8Array, n: number, d: number, colScale?: Float32Array): PreparedBlock {
    return { kind: 'int', n, d, transposed: new Int8Array(0), colScale, asFloat: Float32Array.from(c) };
  }

  async topk(block: PreparedBlock, q: Float32Array | Int8Array, m: number, k: number): Promise<BlockResult> {
    const kb = Math.min(k, block.n), d = block.d;
    const data = block.kind === 'f32' ? block.data : block.asFloat!;
    const qf = q instanceof Float32Array ? q : Float32Array.from(q);
    let s = matmul(tensor(qf, [m, d]), transpose(tensor(data, [block.n, d])));
    if (block.kind === 'int' && block.colScale) s = s.mul(tensor(block.colScale, [1, block.n]));
    const { values, indices } = topk(s, kb, 1);
    await realize([values, indices], { backend: this.name });
    return { m, kb, scores: values.dataSync() as Float32Array, local: lowWords(indices) };
  }

  async gatherTopK(c: Float32Array, u: number, d: number, idx: Int32Array, R: number, q: Float32Array, m: number, k: number): Promise<BlockResult> {
    const kb = Math.min(k, R);
    const rows = gather(tensor(c, [u, d]), tensor(idx, [m, R]), 0);
    const s = reshape(matmul(rows, tensor(q, [m, d, 1])), [m, R]);
    const { values, indices } = topk(s, kb, 1);
    await realize([values, indices], { backend: this.name });
    return { m, kb, scores: values.dataSync() as Float32Array, local: lowWords(indices) };
  }
}
