import { availableParallelism } from 'node:os';
import type ort from 'onnxruntime-node';

export interface OrtSessionSettings {
  /** Intra-op threads; default one per core. */
  threads?: number;
  /** Give the session a CPU memory arena (fast for graphs run often, memory kept per session). Default true, as onnxruntime. */
  arena?: boolean;
}

/**
 * The one place onnxruntime session options are chosen, for core-tensor's ort backend and for the
 * models' onnx runtime alike, so both run like for like: all graph optimisations, one thread per
 * core inside an op and ops run sequentially (the graphs are chains; parallel ops only oversubscribe
 * two cores).
 */
export function ortSessionOptions(settings: OrtSessionSettings = {}): ort.InferenceSession.SessionOptions {
  return {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: settings.threads ?? availableParallelism(),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    enableCpuMemArena: settings.arena ?? true,
  };
}
