// A compiled program: the value table (where each value lives) and its instructions. The JS side
// (src/plan/) plans storage by liveness and encodes both as one Float64Array; this decodes it once.
#pragma once
#include <memory>
#include <mutex>
#include "common.hpp"
#include "dnnl.hpp"

namespace rt {

enum Storage : int { FEED = 0, CONST = 1, ARENA = 2, OUTPUT = 3 };

struct ValueSlot {
  int dtype;
  int64_t nelem;
  int kind;
  int64_t index;  // feed index, const index, arena byte offset, or output index
};

struct BuildCtx {
  dnnl::engine& eng;
  dnnl::stream& strm;
  bool bf16;
  std::vector<ValueSlot>& values;
};

using InstrPtr = std::unique_ptr<Instr>;
InstrPtr make_elementwise(int op, Reader& r, BuildCtx& c);
InstrPtr make_reduce(int op, Reader& r, BuildCtx& c);
InstrPtr make_layout(int op, Reader& r, BuildCtx& c);
InstrPtr make_indexing(int op, Reader& r, BuildCtx& c);
InstrPtr make_matmul(int op, Reader& r, BuildCtx& c);
InstrPtr make_fused(Reader& r, BuildCtx& c);
InstrPtr make_softmax(Reader& r, BuildCtx& c);
InstrPtr make_layer_norm(Reader& r);
InstrPtr make_adamw(Reader& r);
InstrPtr make_gelu_grad(Reader& r, BuildCtx& c);
InstrPtr make_rows(Reader& r, BuildCtx& c);
/** The instruction an opcode starts (the stream's next words are its own). */
InstrPtr make_instr(int op, Reader& r, BuildCtx& c);

struct Plan {
  std::vector<ValueSlot> values;
  std::vector<InstrPtr> instrs;
  std::vector<std::vector<uint8_t>> consts;
  std::vector<int64_t> outputBytes;
  int64_t arenaBytes = 0;
  uint8_t* arena = nullptr;
  std::mutex mu;
  Bf16Shadows shadows;
  // Per-instruction time of the last runs, when profiling is on.
  std::vector<double> profile;

  Plan(const double* stream, size_t n, std::vector<std::vector<uint8_t>> consts, bool bf16);
  ~Plan();
  // Per instruction, the outputs it writes first (their buffers are taken from the pool then), and
  // per output the values stored in it.
  std::vector<std::vector<int>> allocBefore, outputValues;

  /**
   * Runs with feed pointers; writes into the output buffers (sizes from outputBytes): a null one
   * is taken from the pool (buffer-pool.hpp) before its first writer runs, and the caller owns it
   * after, also when run throws. residentIds: per feed, its resident id (resident.hpp) or 0; may be empty.
   */
  void run(const std::vector<void*>& feeds, const std::vector<int64_t>& residentIds, std::vector<void*>& outputs, bool profiling);
};

dnnl::engine& engine();
dnnl::stream& stream();

}  // namespace rt
