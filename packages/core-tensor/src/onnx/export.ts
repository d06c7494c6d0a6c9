import type { DType, TypedArray } from '../dtype.js';
import { allocate } from '../dtype.js';
import { RetrievalsError } from '../errors.js';
import { noGrad } from '../context.js';
import { buildProgram } from '../program.js';
import { Tensor } from '../tensor.js';
import { lowerProgram } from './lower.js';
import { ONNX_DTYPE, type OnnxDim, type OnnxGraph, type OnnxNode, type OnnxTensor } from './model.js';

export class ExportError extends RetrievalsError {}

export interface ExportInput {
  name: string;
  dtype: DType;
  /** Fixed sizes, or names of dynamic axes ('batch', 'sequence'). */
  dims: readonly OnnxDim[];
}

export interface ExportSpec {
  inputs: readonly ExportInput[];
  outputNames: readonly string[];
  /** The inference function, written with tensor ops only: it is traced, never given real data. */
  build(inputs: Tensor[]): Tensor[];
  /** Parameters, stored as initializers under these names. */
  weights?: ReadonlyMap<string, Tensor>;
  name?: string;
}

// Trace t gives dynamic axis s the size PRIMES[t + s]: distinct primes, so no two dynamic
// quantities (or a dynamic and a fixed one) coincide by accident.
const PRIMES = [5, 7, 11, 13, 17, 19, 23];

/**
 * Exports a traced function as ONE ONNX graph with dynamic axes. The function is traced several
 * times at different sizes; the lowered graphs must agree op for op, and every shape constant that
 * differs is refitted as c0 + Σ cᵢ·sᵢ + Σ cᵢⱼ·sᵢ·sⱼ of the dynamic sizes and computed in-graph
 * from `Shape` of the inputs. Weights become initializers under their names.
 */
export function exportGraph(spec: ExportSpec): OnnxGraph {
  const symbols = [...new Set(spec.inputs.flatMap((i) => i.dims.filter((d): d is string => typeof d === 'string')))];
  if (symbols.length > 2) throw new ExportError(`exportGraph: at most 2 dynamic axis names, got ${symbols.join(', ')}`);
  const terms = termsFor(symbols.length);
  const traces = Array.from({ length: terms.length + 1 }, (_, t) => trace(spec, symbols, symbols.map((_, s) => PRIMES[t + s]!)));
  const base = traces[0]!.graph;
  for (const t of traces.slice(1)) compareStructure(base, t.graph);
  const symbolSource = symbols.map((sym) => {
    for (const input of spec.inputs) {
      const axis = input.dims.indexOf(sym);
      if (axis >= 0) return { input: input.name, axis };
    }
    throw new ExportError(`exportGraph: axis '${sym}' not found`);
  });
  const prelude: OnnxNode[] = [];
  const exprs = new ExprBuilder(prelude, symbolSource, terms);
  const replaced = new Map<string, string>();
  base.initializers.forEach((init, k) => {
    const series = traces.map((t) => t.graph.initializers[k]!);
    if (series.every((s) => sameData(s.data, init.data))) return;
    const coefs: number[][] = [];
    for (let e = 0; e < init.data.length; e++) coefs.push(fit(series.map((s) => Number(s.data[e]!)), traces.map((t) => t.sizes), terms, init.name));
    replaced.set(init.name, exprs.tensor(coefs, init.dtype, init.dims));
  });
  const nodes = [...prelude, ...base.nodes.map((n) => ({ ...n, inputs: n.inputs.map((x) => replaced.get(x) ?? x) }))];
  const outputs = base.outputs.map((o, i) => ({
    ...o,
    dims: o.dims.map((d, a) => {
      const series = traces.map((t) => t.graph.outputs[i]!.dims[a] as number);
      if (series.every((v) => v === d)) return d;
      const sym = symbols.find((_, s) => traces.every((t, j) => t.sizes[s] === series[j]));
      return sym ?? `${o.name}_dim${a}`;
    }),
  }));
  return {
    ...base,
    name: spec.name ?? 'model',
    nodes,
    initializers: base.initializers.filter((i) => !replaced.has(i.name)),
    inputs: spec.inputs.map((i) => ({ name: i.name, dtype: i.dtype, dims: [...i.dims] })),
    outputs,
  };
}

function trace(spec: ExportSpec, symbols: string[], sizes: number[]): { graph: OnnxGraph; sizes: number[] } {
  const inputs = spec.inputs.map((i) => {
    const shape = i.dims.map((d) => (typeof d === 'string' ? sizes[symbols.indexOf(d)]! : d));
    return new Tensor({ shape, dtype: i.dtype, buffer: allocate(i.dtype, shape.reduce((a, b) => a * b, 1)) });
  });
  const outs = noGrad(() => spec.build(inputs));
  if (outs.length !== spec.outputNames.length) throw new ExportError(`exportGraph: build returned ${outs.length} outputs, expected ${spec.outputNames.length}`);
  const weightName = new Map<number, string>();
  for (const [name, t] of spec.weights ?? []) weightName.set(t.id, name);
  const inputName = new Map(inputs.map((t, i) => [t.id, spec.inputs[i]!.name]));
  // Lower with every feed as an input, then turn the non-inputs into initializers.
  const { program, feedData, feedTensors } = buildProgram(outs);
  let internal = 0;
  const names = feedTensors.map((t) => inputName.get(t.id) ?? weightName.get(t.id) ?? `data_${internal++}`);
  const graph = lowerProgram(program, { inputNames: names, outputNames: [...spec.outputNames], dedupe: false });
  const fed: (OnnxTensor & { name: string })[] = [];
  graph.inputs = graph.inputs.filter((v, i) => {
    if (inputName.has(feedTensors[i]!.id)) return true;
    fed.push({ name: v.name, dtype: v.dtype, dims: program.feeds[i]!.shape, data: feedData[i]! });
    return false;
  });
  graph.initializers = [...fed, ...graph.initializers];
  return { graph, sizes };
}

function compareStructure(a: OnnxGraph, b: OnnxGraph): void {
  const fail = (what: string) => {
    throw new ExportError(`exportGraph: the traced graph changes with the input sizes (${what}); build must not branch on sizes or read input data`);
  };
  if (a.nodes.length !== b.nodes.length) fail(`${a.nodes.length} vs ${b.nodes.length} ops`);
  a.nodes.forEach((n, i) => {
    const m = b.nodes[i]!;
    if (n.op !== m.op || n.inputs.join() !== m.inputs.join() || JSON.stringify(n.attrs ?? {}, big) !== JSON.stringify(m.attrs ?? {}, big)) fail(`op ${i}: ${n.op} vs ${m.op}`);
  });
  if (a.initializers.length !== b.initializers.length) fail('initializer count');
  a.initializers.forEach((t, i) => {
    const u = b.initializers[i]!;
    if (t.name !== u.name || t.dtype !== u.dtype || t.data.length !== u.data.length) fail(`constant '${t.name}' has another shape`);
  });
}

const big = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);

function sameData(a: TypedArray, b: TypedArray): boolean {
  if (a === b) return true; // a weight: the same array in every trace
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Monomials of the fit: 1, s0, s1, s0·s1 (for two symbols). */
function termsFor(n: number): number[][] {
  return n === 0 ? [[]] : n === 1 ? [[], [0]] : [[], [0], [1], [0, 1]];
}

function fit(values: number[], sizes: number[][], terms: number[][], where: string): number[] {
  const row = (s: number[]) => terms.map((t) => t.reduce((p, k) => p * s[k]!, 1));
  const n = terms.length;
  const a = sizes.slice(0, n).map((s, i) => [...row(s), values[i]!]);
  for (let c = 0; c < n; c++) {
    const p = a.findIndex((r, i) => i >= c && Math.abs(r[c]!) > 1e-12);
    if (p < 0) throw new ExportError(`exportGraph: cannot solve sizes of '${where}'`);
    [a[c], a[p]] = [a[p]!, a[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k <= n; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  const coef = a.map((r, i) => Math.round(r[n]! / r[i]!));
  sizes.forEach((s, i) => {
    const v = row(s).reduce((acc, x, k) => acc + x * coef[k]!, 0);
    if (v !== values[i]) throw new ExportError(`exportGraph: '${where}' (${values.join(', ')}) is not an integer polynomial of the dynamic sizes`);
  });
  return coef;
}

class ExprBuilder {
  private dims: string[] = [];
  private count = 0;
  private constants = new Map<number, string>();

  constructor(private readonly nodes: OnnxNode[], private readonly sources: { input: string; axis: number }[], private readonly terms: number[][]) {}

  private name(hint: string): string {
    return `dyn_${hint}_${this.count++}`;
  }

  private emit(op: string, inputs: string[], attrs?: OnnxNode['attrs']): string {
    const out = this.name(op.toLowerCase());
    this.nodes.push({ op, inputs, outputs: [out], attrs });
    return out;
  }

  private constant(v: number): string {
    let name = this.constants.get(v);
    if (!name) {
      name = this.emit('Constant', [], { value: { tensor: { dtype: 'int64', dims: [1], data: BigInt64Array.from([BigInt(v)]) } } });
      this.constants.set(v, name);
    }
    return name;
  }

  private symbol(k: number): string {
    if (!this.dims[k]) {
      const { input, axis } = this.sources[k]!;
      const shape = this.emit('Shape', [input]);
      this.dims[k] = this.emit('Gather', [shape, this.constant(axis)], { axis: 0 });
    }
    return this.dims[k]!;
  }

  private scalar(coef: number[]): string {
    let acc: string | undefined;
    this.terms.forEach((term, i) => {
      const c = coef[i]!;
      if (c === 0) return;
      let v = term.length ? term.map((k) => this.symbol(k)).reduce((a, b) => this.emit('Mul', [a, b])) : this.constant(c);
      if (term.length && c !== 1) v = this.emit('Mul', [v, this.constant(c)]);
      acc = acc ? this.emit('Add', [acc, v]) : v;
    });
    return acc ?? this.constant(0);
  }

  /** A tensor whose elements are polynomials of the dynamic sizes, cast and shaped like the original. */
  tensor(coefs: number[][], dtype: DType, dims: readonly number[]): string {
    let t = coefs.length === 1 ? this.scalar(coefs[0]!) : this.emit('Concat', coefs.map((c) => this.scalar(c)), { axis: 0 });
    if (dtype !== 'int64') t = this.emit('Cast', [t], { to: ONNX_DTYPE[dtype] });
    if (dims.length !== 1) {
      const shape = this.emit('Constant', [], { value: { tensor: { dtype: 'int64', dims: [dims.length], data: BigInt64Array.from(dims, (d) => BigInt(d)) } } });
      t = this.emit('Reshape', [t, shape]);
    }
    return t;
  }
}
