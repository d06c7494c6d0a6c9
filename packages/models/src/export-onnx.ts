import { NotImplementedError } from '@retrievals/core-tensor';
import type { AutoModelForEmbedding } from './auto-model.js';

export interface ExportOnnxOptions {
  /** `int8`: dynamic int8 quantization of the weight MatMuls (per output column). Default `none`. */
  quantize?: 'none' | 'int8';
}

/** Lowers the inference graph to `<dir>/onnx/model.onnx` with dynamic batch and sequence axes. */
export async function exportOnnx(model: AutoModelForEmbedding, dir: string, options: ExportOnnxOptions = {}): Promise<string> {
  void model;
  void dir;
  void options;
  throw new NotImplementedError('exportOnnx');
}
