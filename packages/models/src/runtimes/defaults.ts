import { hasSafetensors } from '../weights.js';
import { findOnnxFile } from './onnx.js';

/** The runtime that runs a folder's safetensors weights as a core-tensor graph. */
export const WEIGHTS_RUNTIME = 'tensor';
/** The runtime that runs an ONNX export as it is. */
export const ONNX_FILE_RUNTIME = 'onnx';

/** fromPretrained's choice when none is given: the weights when the folder has them, else its ONNX export. */
export function defaultRuntime(dir: string, onnxFile: string | undefined): string | undefined {
  if (hasSafetensors(dir)) return WEIGHTS_RUNTIME;
  return findOnnxFile(dir, onnxFile) ? ONNX_FILE_RUNTIME : undefined;
}
