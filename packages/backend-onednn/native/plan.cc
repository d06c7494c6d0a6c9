#include "plan.hpp"
#include "buffer-pool.hpp"
#include "resident.hpp"
#include <chrono>
#include <cstdlib>
#include <omp.h>

namespace rt {

int threads() {
  static int n = omp_get_max_threads();
  return n;
}

dnnl::engine& engine() {
  static dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  return eng;
}
dnnl::stream& stream() {
  static dnnl::stream s(engine());
  return s;
}

// Opcodes of the stream: the same table as src/plan/opcodes.ts.
enum Op : int {
  UNARY = 1, BINARY = 2, WHERE = 3, REDUCE = 4, COPY = 5, PASTE = 6, FILL = 7, GATHER = 8, GATHER_GRAD = 9,
  GATHER_ELEMENTS = 10, SCATTER_ADD = 11, TOPK = 12, CUMSUM = 13, MATMUL = 14, FUSED = 15, SOFTMAX = 16, LAYER_NORM = 17, ADAMW = 18, GELU_GRAD = 19, ROWS = 20,
};

InstrPtr make_instr(int op, Reader& r, BuildCtx& ctx) {
  switch (op) {
    case UNARY: case BINARY: case WHERE: case FILL: return make_elementwise(op, r, ctx);
    case REDUCE: case CUMSUM: return make_reduce(op, r, ctx);
    case COPY: case PASTE: return make_layout(op, r, ctx);
    case GATHER: case GATHER_GRAD: case GATHER_ELEMENTS: case SCATTER_ADD: case TOPK: return make_indexing(op, r, ctx);
    case MATMUL: return make_matmul(op, r, ctx);
    case FUSED: return make_fused(r, ctx);
    case SOFTMAX: return make_softmax(r, ctx);
    case LAYER_NORM: return make_layer_norm(r);
    case ADAMW: return make_adamw(r);
    case GELU_GRAD: return make_gelu_grad(r, ctx);
    case ROWS: return make_rows(r, ctx);
    default: throw std::runtime_error("unknown opcode " + std::to_string(op) + " in plan stream");
  }
}

Plan::Plan(const double* s, size_t n, std::vector<std::vector<uint8_t>> cs, bool bf16) : consts(std::move(cs)) {
  Reader r{s, n};
  int version = r.i32();
  if (version != 2) throw std::runtime_error("plan stream version " + std::to_string(version) + " (this addon reads 2)");
  int nValues = r.i32(), nInstr = r.i32(), nOutputs = r.i32();
  arenaBytes = r.i64();
  values.resize(size_t(nValues));
  outputBytes.assign(size_t(nOutputs), 0);
  for (auto& v : values) {
    v.dtype = r.i32();
    v.nelem = r.i64();
    v.kind = r.i32();
    v.index = r.i64();
    if (v.kind == OUTPUT) outputBytes[size_t(v.index)] = v.nelem * int64_t(dtype_size(v.dtype));
  }
  allocBefore.resize(size_t(nInstr) + 1);
  for (int k = 0; k < nOutputs; k++) {
    int64_t at = r.i64();
    if (at < 0 || at > nInstr) throw std::runtime_error("plan stream: output " + std::to_string(k) + " first written by instruction " + std::to_string(at));
    allocBefore[size_t(at)].push_back(k);
  }
  outputValues.resize(size_t(nOutputs));
  for (size_t i = 0; i < values.size(); i++) if (values[i].kind == OUTPUT) outputValues[size_t(values[i].index)].push_back(int(i));
  BuildCtx ctx{engine(), stream(), bf16, values};
  for (int k = 0; k < nInstr; k++) instrs.push_back(make_instr(r.i32(), r, ctx));
  if (r.i != r.n) throw std::runtime_error("plan stream has trailing data");
  profile.assign(instrs.size(), 0.0);
}

void to_bf16(const float* src, uint16_t* o, int64_t n) {
  parallel_for(n, 1 << 15, [&](int64_t s, int64_t e) { to_bf16_row(src + s, o + s, e - s); });
}

uint16_t* Bf16Shadows::claim(int v, int64_t n) {
  if (buf.size() <= size_t(v)) {
    buf.resize(size_t(v) + 1);
    stamp.resize(size_t(v) + 1, 0);
  }
  buf[size_t(v)].resize(size_t(n));
  stamp[size_t(v)] = gen;
  return buf[size_t(v)].data();
}

uint16_t* Bf16Shadows::of(int v, const float* src, int64_t n) {
  if (size_t(v) < buf.size() && stamp[size_t(v)] == gen && buf[size_t(v)].size() == size_t(n)) return buf[size_t(v)].data();
  uint16_t* b = claim(v, n);
  to_bf16(src, b, n);
  return b;
}

uint16_t* Frame::bf16(int v, int64_t n) const {
  int64_t id = resident[size_t(v)];
  return id ? resident::bf16(id, at<float>(v), n) : shadows->of(v, at<float>(v), n);
}

Plan::~Plan() { std::free(arena); }

void Plan::run(const std::vector<void*>& feeds, const std::vector<int64_t>& residentIds, std::vector<void*>& outputs, bool profiling) {
  if (!arena && arenaBytes > 0) {
    arena = static_cast<uint8_t*>(allocate(size_t(arenaBytes)));
    if (!arena) throw std::runtime_error("cannot allocate a " + std::to_string(arenaBytes) + "-byte arena");
  }
  Frame f;
  f.ptr.resize(values.size());
  f.resident.assign(values.size(), 0);
  resident::next_run();
  shadows.gen++;
  f.shadows = &shadows;
  for (size_t i = 0; i < values.size(); i++) {
    const auto& v = values[i];
    switch (v.kind) {
      case FEED:
        f.ptr[i] = feeds[size_t(v.index)];
        if (size_t(v.index) < residentIds.size() && v.dtype == F32) f.resident[i] = residentIds[size_t(v.index)];
        break;
      case CONST: f.ptr[i] = consts[size_t(v.index)].data(); break;
      case ARENA: f.ptr[i] = arena + v.index; break;
      case OUTPUT: f.ptr[i] = outputs[size_t(v.index)]; break;
    }
  }
  for (size_t k = 0; k < instrs.size(); k++) {
    for (int o : allocBefore[k]) {
      if (outputs[size_t(o)]) continue;
      outputs[size_t(o)] = pool_take(size_t(outputBytes[size_t(o)]));
      for (int v : outputValues[size_t(o)]) f.ptr[size_t(v)] = outputs[size_t(o)];
    }
    if (profiling) {
      auto t0 = std::chrono::steady_clock::now();
      instrs[k]->run(f);
      profile[k] += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    } else {
      instrs[k]->run(f);
    }
  }
  // a plan without instructions still returns buffers
  for (size_t o = 0; o < outputs.size(); o++) if (!outputs[o]) outputs[o] = pool_take(size_t(outputBytes[o]));
}

}  // namespace rt
