import { type CompiledGraph } from './backends/backend.js';
import { resolveBackend } from './context.js';
import { ExportError, exportGraph, type ExportSpec } from './onnx/export.js';
import { PROTOBUF_LIMIT } from './onnx/model.js';

/**
 * A traced inference function compiled ONCE for every size of its dynamic axes, its weights resident
 * in the compiled graph as initializers (so the backend pre-packs them once, rather than per run as
 * for fed weights), for serving the same function on batches of any shape. The weights are copied
 * into the compiled graph: the caller recompiles when they change. Undefined when the backend has
 * no `compileGraph` capability (the js backend); an ExportError when the function cannot be traced
 * with dynamic axes (it branches on sizes) or its weights exceed one graph's 2 GiB.
 */
export async function compileFunction(spec: ExportSpec, options: { backend?: string } = {}): Promise<CompiledGraph | undefined> {
  const backend = resolveBackend(options.backend);
  if (!backend.compileGraph) return undefined;
  const graph = exportGraph(spec);
  const bytes = graph.initializers.reduce((s, t) => s + t.data.byteLength, 0);
  if (bytes > PROTOBUF_LIMIT) throw new ExportError(`compileFunction: ${(bytes / 2 ** 30).toFixed(2)} GiB of weights exceed one ONNX graph's 2 GiB`);
  return backend.compileGraph(graph);
}
