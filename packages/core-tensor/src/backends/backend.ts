import { Registry } from '../registry.js';
import type { TypedArray } from '../dtype.js';
import type { OnnxGraph } from '../onnx/model.js';
import type { Program } from '../program.js';
import type { Tensor } from '../tensor.js';

/** An ONNX graph compiled once by a backend and run many times (see compileFunction). */
export interface CompiledGraph {
  /** Runs with the graph's inputs in order; the outputs in order, with the shapes they came out with. */
  run(inputs: readonly Tensor[]): Promise<Tensor[]>;
  release(): Promise<void>;
}

/** The arithmetic of a backend's matmuls: fp32, or bf16 operands accumulating in fp32 (mixed precision). */
export type ComputePrecision = 'fp32' | 'bf16';

/** Runs a program: feeds in (in program order), output values out (in `program.outputs` order). */
export interface Backend {
  name: string;
  /** What its matmuls compute in; absent means fp32. `backendForPrecision` picks backends by it. */
  precision?: ComputePrecision;
  run(program: Program, feeds: TypedArray[]): Promise<TypedArray[]>;
  /** Optional: drops compiled state (caches) this backend holds. */
  reset?(): void;
  /** Optional capability: compile a whole ONNX graph (dynamic axes, initializers) to run many times. */
  compileGraph?(graph: OnnxGraph): Promise<CompiledGraph>;
}

/** Compute backends by name (`js`, `ort`; a plugin may add e.g. `ort-cuda`). */
export const backends = new Registry<Backend>('backend', { owner: '@retrievals/core-tensor' });
