// A row chain: consecutive instructions over the same R rows (fused groups, float binary ops and
// row sums, as in layerNorm's and softmax's gradients) run block of rows by block of rows, each
// block through all of them while it is in cache. The values only the chain reads live in a
// per-thread scratch of one block instead of the arena, so they never reach memory. Every member
// computes each element exactly as it does alone (plan/row-chains.ts chooses the chains).
#include <algorithm>
#include "plan.hpp"
#include "vecmath.hpp"

namespace rt {
namespace {

struct Scratch { int v; int64_t width, bytes; };  // a chain-only value: its elements per row, element size

struct RowChainInstr : Instr {
  int64_t R, block;
  std::vector<Scratch> scratch;
  std::vector<int64_t> at;  // each scratch value's offset in a thread's scratch, 64-byte aligned
  int64_t total = 0;
  std::vector<InstrPtr> members;

  RowChainInstr(Reader& r, BuildCtx& c) {
    R = r.i64(); block = r.i64();
    const int nScratch = r.i32();
    for (int k = 0; k < nScratch; k++) {
      const int v = r.i32();
      const auto& val = c.values[size_t(v)];
      scratch.push_back({v, val.nelem / R, int64_t(dtype_size(val.dtype))});
      at.push_back(total);
      total += (scratch.back().width * block * scratch.back().bytes + 63) / 64 * 64;
    }
    const int n = r.i32();
    for (int k = 0; k < n; k++) members.push_back(make_instr(r.i32(), r, c));
  }
  const char* name() const override { return "rows"; }
  std::string describe() const override { return "loop (" + std::to_string(members.size()) + " instructions by rows)"; }

  void run(const Frame& f) override {
    if (R == 0) return;
    for (auto& m : members) m->prepare_rows(f);
    parallel_for(R, block, [&](int64_t s, int64_t e) {
      Frame local = f;
      // one block of each scratch value, kept on the thread (a fresh zeroed vector per chunk was
      // ~15 MB of memset a MiniLM step)
      thread_local std::vector<uint8_t> mem;
      if (mem.size() < size_t(total) + 64) mem.resize(size_t(total) + 64);
      uint8_t* base = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(mem.data()) + 63) & ~uintptr_t(63));
      for (int64_t g0 = s; g0 < e; g0 += block) {
        const int64_t g1 = std::min(e, g0 + block);
        // members index a value by its global row: point each scratch value so row g0 is its first
        for (size_t k = 0; k < scratch.size(); k++)
          local.ptr[size_t(scratch[k].v)] = reinterpret_cast<void*>(reinterpret_cast<uintptr_t>(base + at[k]) - uintptr_t(g0 * scratch[k].width * scratch[k].bytes));
        for (auto& m : members) m->run_rows(local, g0, g1, R);
      }
      store_fence();
    });
  }
};

}  // namespace

InstrPtr make_rows(Reader& r, BuildCtx& c) { return std::make_unique<RowChainInstr>(r, c); }

}  // namespace rt
