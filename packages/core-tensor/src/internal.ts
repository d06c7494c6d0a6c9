// The internal API: what sibling @retrievals packages and authors of ops and backends need, but a
// user encoding or training does not. Imported as '@retrievals/core-tensor/internal'.
export { makeOp } from './tensor.js';
export { buildProgram, MAX_COMPILED_LITERAL, type BuiltProgram, type Program } from './program.js';
export {
  CORE_OPS, defineOp, listOps, NOT_DIFFERENTIABLE, opDef,
  type GradFn, type JsKernel, type OnnxLowering, type OpAttrs, type OpDef, type OpName, type OpNode, type ProgramNode, type ReduceAttrs, type ValueInfo,
} from './ops/table.js';
export { sumTo } from './ops/sum-to.js';
export { lift } from './ops/elementwise.js';
export { lowerProgram, LowerContext, OPSET, type LowerOptions } from './onnx/lower.js';
export { runSync } from './backends/js/backend.js';
export { broadcastOffsets, finish, nums, out } from './backends/js/util.js';
export { SessionCache, type Releasable, type SessionCacheOptions } from './backends/session-cache.js';
