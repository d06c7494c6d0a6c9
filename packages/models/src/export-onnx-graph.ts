import { castArray, type OnnxGraph } from '@retrievals/core-tensor';

const FLOAT32 = 1; // ONNX TensorProto.FLOAT

/**
 * Weights kept in float16/bfloat16 (`dtype` option) reach the traced graph as an initializer and a
 * Cast to float32. The export stores them as float32 initializers instead: the values are exact,
 * the int8 quantizer only recognises float32 weights, and consumers (transformers.js, Optimum)
 * expect a float32 model; the file is as large as a float32 checkpoint's export.
 */
export function foldWeightCasts(graph: OnnxGraph): OnnxGraph {
  const inits = new Map(graph.initializers.map((t) => [t.name, t]));
  const readers = new Map<string, number>();
  for (const n of graph.nodes) for (const x of n.inputs) readers.set(x, (readers.get(x) ?? 0) + 1);
  const folded = new Map<string, string>(); // cast output → initializer name
  const nodes = graph.nodes.filter((n) => {
    const src = n.op === 'Cast' && n.attrs?.to === FLOAT32 ? inits.get(n.inputs[0]!) : undefined;
    if (!src || (src.dtype !== 'float16' && src.dtype !== 'bfloat16') || readers.get(src.name) !== 1) return true;
    inits.set(src.name, { ...src, dtype: 'float32', data: castArray(src.data, src.dtype, 'float32') });
    folded.set(n.outputs[0]!, src.name);
    return false;
  });
  if (!folded.size) return graph;
  const rename = (x: string) => folded.get(x) ?? x;
  const outputs = new Set(graph.outputs.map((o) => o.name));
  // A folded cast that produced a graph output keeps its name through an Identity.
  const identities = [...folded].filter(([out]) => outputs.has(out)).map(([out, src]) => ({ op: 'Identity', inputs: [src], outputs: [out] }));
  return {
    ...graph,
    nodes: [...nodes.map((n) => ({ ...n, inputs: n.inputs.map(rename) })), ...identities],
    initializers: graph.initializers.map((t) => inits.get(t.name)!),
  };
}
