import type { DType, TypedArray } from '../dtype.js';
import { ProtoWriter } from './proto.js';

/** protobuf caps a message at 2 GiB: the most weights one ONNX file (without external data) can hold. */
export const PROTOBUF_LIMIT = 2 ** 31 - 1;

/** ONNX TensorProto.DataType numbers. */
export const ONNX_DTYPE: Record<DType, number> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
  bfloat16: 16,
};

export type AttrValue = number | string | number[] | { tensor: OnnxTensor } | { float: number };

export interface OnnxTensor {
  name?: string;
  dtype: DType;
  dims: readonly number[];
  data: TypedArray;
}

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrValue>;
  domain?: string;
}

/** A dimension: a fixed size, or a named symbolic one (dynamic batch / sequence axes). */
export type OnnxDim = number | string;

export interface OnnxValue {
  name: string;
  dtype: DType;
  dims: readonly OnnxDim[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  inputs: OnnxValue[];
  outputs: OnnxValue[];
  initializers: (OnnxTensor & { name: string })[];
  opset: number;
  producer?: string;
}

function writeTensor(w: ProtoWriter, t: OnnxTensor): void {
  w.packedInts(1, [...t.dims]);
  w.int(2, ONNX_DTYPE[t.dtype]);
  if (t.name) w.string(8, t.name);
  w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

function writeValue(w: ProtoWriter, v: OnnxValue): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tt) => {
      tt.int(1, ONNX_DTYPE[v.dtype]);
      tt.message(2, (shape) => {
        for (const d of v.dims) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
}

function writeAttr(w: ProtoWriter, name: string, value: AttrValue): void {
  w.string(1, name);
  if (typeof value === 'number') {
    w.int(3, value).int(20, 2);
  } else if (typeof value === 'string') {
    w.string(4, value).int(20, 3);
  } else if (Array.isArray(value)) {
    w.packedInts(8, value).int(20, 7);
  } else if ('tensor' in value) {
    w.message(5, (t) => writeTensor(t, value.tensor)).int(20, 4);
  } else {
    w.float(2, value.float).int(20, 1);
  }
}

/** Serialises a graph as an ONNX ModelProto (IR version 8). */
export function encodeModel(g: OnnxGraph): Uint8Array {
  const m = new ProtoWriter();
  m.int(1, 8);
  m.string(2, g.producer ?? 'retrievals-ts');
  m.message(7, (graph) => {
    g.nodes.forEach((n, i) =>
      graph.message(1, (node) => {
        for (const x of n.inputs) node.string(1, x);
        for (const y of n.outputs) node.string(2, y);
        node.string(3, `${n.op}_${i}`);
        node.string(4, n.op);
        for (const [k, v] of Object.entries(n.attrs ?? {})) node.message(5, (a) => writeAttr(a, k, v));
        if (n.domain) node.string(7, n.domain);
      }),
    );
    graph.string(2, g.name);
    for (const t of g.initializers) graph.message(5, (w) => writeTensor(w, t));
    for (const v of g.inputs) graph.message(11, (w) => writeValue(w, v));
    for (const v of g.outputs) graph.message(12, (w) => writeValue(w, v));
  });
  m.message(8, (op) => op.string(1, '').int(2, g.opset));
  if (g.nodes.some((n) => n.domain === 'com.microsoft')) m.message(8, (op) => op.string(1, 'com.microsoft').int(2, 1));
  return m.finish();
}
