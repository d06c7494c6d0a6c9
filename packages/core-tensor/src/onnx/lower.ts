import '../ops/all.js';
import { opDef, type ValueInfo } from '../ops/table.js';
import type { Program } from '../program.js';
import type { AttrValue, OnnxDim, OnnxGraph, OnnxNode, OnnxTensor } from './model.js';

export const OPSET = 17;

/** What a lowering sees: emit ONNX nodes and initializers, know the inputs' shapes. */
export class LowerContext {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: (OnnxTensor & { name: string })[] = [];
  private counter = 0;
  private int64Cache = new Map<string, string>();

  /** @param dedupe share equal int64 initializers (off when exporting: traces must line up 1:1). */
  constructor(readonly infos: ValueInfo[], private readonly dedupe = true) {}

  fresh(hint: string): string {
    return `${hint}_${this.counter++}`;
  }

  emit(op: string, inputs: string[], attrs?: Record<string, AttrValue>, output?: string): string {
    const out = output ?? this.fresh(op.toLowerCase());
    this.nodes.push({ op, inputs, outputs: [out], attrs });
    return out;
  }

  /** An int64 initializer (shapes, axes, pads), shared between nodes that use the same values. */
  int64(values: readonly number[]): string {
    const key = values.join(',');
    let name = this.dedupe ? this.int64Cache.get(key) : undefined;
    if (!name) {
      name = this.fresh('i64');
      this.initializers.push({ name, dtype: 'int64', dims: [values.length], data: BigInt64Array.from(values, (v) => BigInt(v)) });
      this.int64Cache.set(key, name);
    }
    return name;
  }

  /** A 0-d int64 initializer (CumSum's axis). */
  scalarInt64(value: number): string {
    return this.initializer({ dtype: 'int64', dims: [], data: BigInt64Array.from([BigInt(value)]) });
  }

  initializer(t: OnnxTensor): string {
    const name = this.fresh('const');
    this.initializers.push({ ...t, name });
    return name;
  }
}

export interface LowerOptions {
  /** Names for the graph inputs (default in0, in1, ...). */
  inputNames?: string[];
  outputNames?: string[];
  /** Symbolic dims per input/output (e.g. { 0: 'batch', 1: 'sequence' }) for exported models. */
  inputDims?: (Record<number, string> | undefined)[];
  outputDims?: (Record<number, string> | undefined)[];
  /** The graph's name. */
  name?: string;
  /** Share equal int64 initializers (default true). */
  dedupe?: boolean;
}

const dimsOf = (shape: readonly number[], names?: Record<number, string>): OnnxDim[] => shape.map((d, i) => names?.[i] ?? d);

/** Lowers a program to one ONNX graph: feeds become graph inputs, constants initializers. */
export function lowerProgram(program: Program, options: LowerOptions = {}): OnnxGraph {
  const infos: ValueInfo[] = [...program.feeds, ...program.consts, ...program.nodes];
  const ctx = new LowerContext(infos, options.dedupe ?? true);
  const names: string[] = [];
  const inputNames = options.inputNames ?? program.feeds.map((_, i) => `in${i}`);
  const outputNames = options.outputNames ?? program.outputs.map((_, i) => `out${i}`);
  const outputOf = new Map(program.outputs.map((v, i) => [v, outputNames[i]!]));
  program.feeds.forEach((_, i) => names.push(inputNames[i]!));
  program.consts.forEach((c) => names.push(ctx.initializer({ dtype: c.dtype, dims: c.shape, data: c.data })));
  const base = program.feeds.length + program.consts.length;
  program.nodes.forEach((node, i) => {
    const id = base + i;
    const produced = opDef(node.op).onnx(ctx, node.inputs.map((j) => names[j]!), node as never, outputOf.get(id) ?? ctx.fresh('v'));
    names.push(produced);
  });
  // A lowering may return an existing value (e.g. a no-op cast); outputs need their own names.
  program.outputs.forEach((v, i) => {
    if (names[v] !== outputNames[i]) ctx.emit('Identity', [names[v]!], undefined, outputNames[i]);
  });
  return {
    name: options.name ?? 'retrievals',
    nodes: ctx.nodes,
    initializers: ctx.initializers,
    inputs: program.feeds.map((f, i) => ({ name: inputNames[i]!, dtype: f.dtype, dims: dimsOf(f.shape, options.inputDims?.[i]) })),
    outputs: program.outputs.map((v, i) => ({ name: outputNames[i]!, dtype: infos[v]!.dtype, dims: dimsOf(infos[v]!.shape, options.outputDims?.[i]) })),
    opset: OPSET,
  };
}
