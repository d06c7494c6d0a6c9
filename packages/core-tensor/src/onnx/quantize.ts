import type { OnnxGraph, OnnxNode, OnnxTensor } from './model.js';

type Init = OnnxTensor & { name: string };

/**
 * Dynamic int8 quantization of every MatMul whose right operand is a constant 2-D weight (also
 * through a Transpose of one, as `linear` lowers), as onnxruntime's quantize_dynamic does but with
 * per-column weight scales: activations are quantized per call (DynamicQuantizeLinear, uint8),
 * weights ahead of time (symmetric int8), and MatMulInteger's int32 result is rescaled to float.
 */
export function quantizeMatMulsInt8(graph: OnnxGraph): OnnxGraph {
  const inits = new Map(graph.initializers.map((t) => [t.name, t]));
  const producer = new Map<string, OnnxNode>();
  for (const n of graph.nodes) for (const o of n.outputs) producer.set(o, n);
  const added: Init[] = [];
  const nodes: OnnxNode[] = [];
  let count = 0;
  for (const node of graph.nodes) {
    const weight = node.op === 'MatMul' ? constantWeight(node.inputs[1]!, inits, producer) : undefined;
    if (!weight) {
      nodes.push(node);
      continue;
    }
    const p = `q${count++}`;
    const { q, scale } = quantizeColumns(weight.data, weight.k, weight.n);
    added.push(
      { name: `${p}_w`, dtype: 'int8', dims: [weight.k, weight.n], data: q },
      { name: `${p}_w_scale`, dtype: 'float32', dims: [weight.n], data: scale },
      { name: `${p}_w_zp`, dtype: 'int8', dims: [weight.n], data: new Int8Array(weight.n) },
    );
    nodes.push(
      { op: 'DynamicQuantizeLinear', inputs: [node.inputs[0]!], outputs: [`${p}_a`, `${p}_a_scale`, `${p}_a_zp`] },
      { op: 'MatMulInteger', inputs: [`${p}_a`, `${p}_w`, `${p}_a_zp`, `${p}_w_zp`], outputs: [`${p}_i32`] },
      { op: 'Cast', inputs: [`${p}_i32`], outputs: [`${p}_f`], attrs: { to: 1 } },
      { op: 'Mul', inputs: [`${p}_a_scale`, `${p}_w_scale`], outputs: [`${p}_scale`] },
      { op: 'Mul', inputs: [`${p}_f`, `${p}_scale`], outputs: node.outputs },
    );
  }
  return prune({ ...graph, nodes, initializers: [...graph.initializers, ...added] });
}

/** The [K, N] float data of a MatMul's right operand when it is a constant (or its transpose). */
function constantWeight(name: string, inits: Map<string, Init>, producer: Map<string, OnnxNode>) {
  const direct = inits.get(name);
  if (direct && direct.dtype === 'float32' && direct.dims.length === 2) return { data: direct.data as Float32Array, k: direct.dims[0]!, n: direct.dims[1]! };
  const t = producer.get(name);
  const src = t?.op === 'Transpose' ? inits.get(t.inputs[0]!) : undefined;
  const perm = t?.attrs?.perm as number[] | undefined;
  if (!src || src.dtype !== 'float32' || src.dims.length !== 2 || (perm && perm.join() !== '1,0')) return undefined;
  const [rows, cols] = src.dims as [number, number];
  const data = src.data as Float32Array, out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  return { data: out, k: cols, n: rows };
}

function quantizeColumns(w: Float32Array, k: number, n: number): { q: Int8Array; scale: Float32Array } {
  const scale = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    let m = 0;
    for (let i = 0; i < k; i++) m = Math.max(m, Math.abs(w[i * n + j]!));
    scale[j] = m > 0 ? m / 127 : 1;
  }
  const q = new Int8Array(w.length);
  for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) q[i * n + j] = Math.max(-127, Math.min(127, Math.round(w[i * n + j]! / scale[j]!)));
  return { q, scale };
}

/** Drops nodes and initializers nothing reads any more (the float weights and their transposes). */
function prune(graph: OnnxGraph): OnnxGraph {
  const needed = new Set(graph.outputs.map((o) => o.name));
  const kept: OnnxNode[] = [];
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const n = graph.nodes[i]!;
    if (!n.outputs.some((o) => needed.has(o))) continue;
    kept.push(n);
    for (const x of n.inputs) needed.add(x);
  }
  return { ...graph, nodes: kept.reverse(), initializers: graph.initializers.filter((t) => needed.has(t.name)) };
}
