// A fused elementwise group: a chain of float32/bool elementwise ops of one shape evaluated block
// by block (512 elements) in registers, so the memory is read once for its inputs and written once
// for the values used outside the group, instead of once per op. The MiniLM step has ~2,000
// elementwise ops (gelu's and layerNorm's gradients, AdamW's update, softmax), most of them on
// [B, T, H] or [B, heads, T, T] tensors: separate passes were a third of the step.
// In bf16 plans inputs and outputs may be bf16 (plan/bf16-storage.ts), converted at the edges: the
// ops compute in fp32.
#include <algorithm>
#include <limits>
#include "plan.hpp"
#include "vecmath.hpp"

namespace rt {
namespace {

constexpr int64_t BLOCK = 512;
// Op codes: unary fns as in elementwise.cc (0..15), binary fns + 32, where = 64, to-bool = 65.
enum { BIN = 32, WHERE_OP = 64, TO_BOOL = 65 };

struct In { int v, dt; std::vector<int64_t> strides; bool scalar; };
// shadow: also write the bf16 copy a matmul reads (storeBf16); stream: a large program output,
// written with non-temporal stores (vecmath.hpp store_stream)
struct Out { int v, dt, reg, shadow; bool stream; };
struct FOp { int fn, dst, a, b, c; };

inline float unary_f(int op, float x) {
  switch (op) {
    case 0: return -x;
    case 1: return std::exp(x);
    case 2: return std::log(x);
    case 3: return std::sqrt(x);
    case 4: return std::fabs(x);
    case 5: return std::tanh(x);
    case 6: return x >= 0 ? 1.f / (1.f + std::exp(-x)) : std::exp(x) / (1.f + std::exp(x));
    case 7: return std::erf(x);
    case 8: return 1.f / x;
    case 9: return std::sin(x);
    case 10: return std::cos(x);
    case 11: return x > 0 ? 1.f : x < 0 ? -1.f : x;  // 0 and NaN stay
    case 12: return x;
    case 13: return x == 0 ? 1.f : 0.f;  // not, on 0/1
    case 14: return 0.5f * x * (1.f + std::erf(x * 0.70710678118654752440f));
    case 15: return 0.5f * x * (1.f + std::tanh(0.79788456080286535588f * (x + 0.044715f * x * x * x)));
  }
  return x;
}

struct FusedInstr : Instr {
  std::vector<In> ins;
  std::vector<Out> outs;
  std::vector<FOp> ops;
  std::vector<int64_t> dims;
  int64_t rows = 1, inner = 1;
  int regs;
  std::vector<uint16_t*> shadowOf;  // per output, this run's bf16 copy (or null)

  FusedInstr(Reader& r, BuildCtx& c) {
    int nIn = r.i32(), nOut = r.i32(), nOps = r.i32();
    size_t nd = size_t(r.i32());
    dims = r.vec(nd);
    for (int i = 0; i < nIn; i++) {
      In x;
      x.v = r.i32(); x.dt = r.i32(); x.strides = r.vec(nd);
      if (nd == 0) x.strides = {0};
      x.scalar = std::all_of(x.strides.begin(), x.strides.end(), [](int64_t st) { return st == 0; });
      ins.push_back(x);
    }
    for (int i = 0; i < nOut; i++) {
      Out o;
      o.v = r.i32(); o.dt = r.i32(); o.reg = r.i32(); o.shadow = r.i32();
      const auto& val = c.values[size_t(o.v)];
      o.stream = val.kind == OUTPUT && o.dt == F32 && val.nelem >= (int64_t(1) << 18);
      outs.push_back(o);
    }
    for (int i = 0; i < nOps; i++) { FOp o; o.fn = r.i32(); o.dst = r.i32(); o.a = r.i32(); o.b = r.i32(); o.c = r.i32(); ops.push_back(o); }
    if (nd == 0) dims = {1};
    inner = dims.back();
    for (size_t d = 0; d + 1 < dims.size(); d++) rows *= dims[d];
    regs = nIn + nOps;
  }
  const char* name() const override { return "fused"; }
  std::string describe() const override { return "loop (" + std::to_string(ops.size()) + " ops fused)"; }

  int64_t offset(const In& x, int64_t row) const {
    int64_t off = 0;
    for (int64_t d = int64_t(dims.size()) - 2; d >= 0; d--) {
      int64_t c = row % dims[size_t(d)];
      row /= dims[size_t(d)];
      off += c * x.strides[size_t(d)];
    }
    return off;
  }

  // Registers are pointers: a contiguous float32 input is read where it lies, and a float32 output
  // register is written straight into the output's memory (an instruction's outputs never share
  // memory with its inputs: the arena planner frees inputs only after the instruction), so the
  // copies in and out of scratch are left only for strided, broadcast, bf16 and bool values. A scalar
  // input (every stride 0) is filled into scratch once per chunk, not per block.
  // nrows > 1: whole rows (c0 = 0, w = inner) read together, so that a group over short rows
  // (softmax's gradient: rows of 64) runs its ops on up to BLOCK elements at a time
  void block(const Frame& f, float* R, float** P, int64_t row, int64_t c0, int64_t w, int64_t nrows = 1) {
    for (size_t i = 0; i < ins.size(); i++) {
      const In& x = ins[i];
      float* dst = R + i * BLOCK;
      P[i] = dst;
      if (x.scalar) continue;
      const int64_t s = x.strides.back();
      const int64_t first = offset(x, row) + c0 * s;
      bool dense = x.dt == F32 && s == 1;
      for (int64_t k = 1; dense && k < nrows; k++) dense = offset(x, row + k) == first + k * w;
      if (dense) {
        P[i] = f.at<float>(x.v) + first;
        continue;
      }
      for (int64_t k = 0; k < nrows; k++) {
        const int64_t base = k == 0 ? first : offset(x, row + k) + c0 * s;
        float* d = dst + k * w;
        if (x.dt == F32) {
          const float* src = f.at<float>(x.v) + base;
          if (s == 1) std::memcpy(d, src, size_t(w) * 4);
          else if (s == 0) std::fill_n(d, w, src[0]);
          else for (int64_t j = 0; j < w; j++) d[j] = src[j * s];
        } else if (x.dt == BF16) {
          const uint16_t* src = f.at<uint16_t>(x.v) + base;
          if (s == 1) from_bf16_row(src, d, w);
          else if (s == 0) std::fill_n(d, w, bf16_to_f32(src[0]));
          else for (int64_t j = 0; j < w; j++) d[j] = bf16_to_f32(src[j * s]);
        } else {
          const uint8_t* src = f.at<uint8_t>(x.v) + base;
          for (int64_t j = 0; j < w; j++) d[j] = src[j * s] ? 1.f : 0.f;
        }
      }
    }
    w *= nrows;
    for (size_t r = ins.size(); r < size_t(regs); r++) P[r] = R + r * BLOCK;
    const int64_t at = row * inner + c0;
    for (const Out& o : outs) if (o.dt == F32 && !o.stream) P[o.reg] = f.at<float>(o.v) + at;
    for (const FOp& o : ops) {
      float* d = P[o.dst];
      const float* a = P[o.a];
      const float* b = o.b >= 0 ? P[o.b] : nullptr;
      if (o.fn < BIN) {
        switch (o.fn) {
          case 0: for (int64_t j = 0; j < w; j++) d[j] = -a[j]; break;
          case 3: for (int64_t j = 0; j < w; j++) d[j] = std::sqrt(a[j]); break;
          case 4: for (int64_t j = 0; j < w; j++) d[j] = std::fabs(a[j]); break;
          case 8: for (int64_t j = 0; j < w; j++) d[j] = 1.f / a[j]; break;
          case 12: std::memcpy(d, a, size_t(w) * 4); break;
          case 1: exp_rows(a, d, w); break;
          case 6: for (int64_t j = 0; j < w; j++) { float e = vexp(-std::fabs(a[j])); d[j] = a[j] >= 0 ? 1.f / (1.f + e) : e / (1.f + e); } break;
          case 7: erf_rows(a, d, w); break;
          case 14: for (int64_t j = 0; j < w; j++) d[j] = vgelu(a[j]); break;
          default: for (int64_t j = 0; j < w; j++) d[j] = unary_f(o.fn, a[j]);
        }
      } else if (o.fn < WHERE_OP) {
        switch (o.fn - BIN) {
          case 0: for (int64_t j = 0; j < w; j++) d[j] = a[j] + b[j]; break;
          case 1: for (int64_t j = 0; j < w; j++) d[j] = a[j] - b[j]; break;
          case 2: for (int64_t j = 0; j < w; j++) d[j] = a[j] * b[j]; break;
          case 3: for (int64_t j = 0; j < w; j++) d[j] = a[j] / b[j]; break;
          case 4: for (int64_t j = 0; j < w; j++) d[j] = std::pow(a[j], b[j]); break;
          case 5: for (int64_t j = 0; j < w; j++) d[j] = a[j] != a[j] || b[j] != b[j] ? std::numeric_limits<float>::quiet_NaN() : a[j] > b[j] ? a[j] : b[j]; break;
          case 6: for (int64_t j = 0; j < w; j++) d[j] = a[j] != a[j] || b[j] != b[j] ? std::numeric_limits<float>::quiet_NaN() : a[j] < b[j] ? a[j] : b[j]; break;
          case 7: for (int64_t j = 0; j < w; j++) d[j] = a[j] == b[j] ? 1.f : 0.f; break;
          case 8: for (int64_t j = 0; j < w; j++) d[j] = a[j] < b[j] ? 1.f : 0.f; break;
          case 9: for (int64_t j = 0; j < w; j++) d[j] = a[j] > b[j] ? 1.f : 0.f; break;
          case 10: for (int64_t j = 0; j < w; j++) d[j] = (a[j] != 0 && b[j] != 0) ? 1.f : 0.f; break;
          case 11: for (int64_t j = 0; j < w; j++) d[j] = (a[j] != 0 || b[j] != 0) ? 1.f : 0.f; break;
        }
      } else if (o.fn == WHERE_OP) {
        const float* c = P[o.c];
        for (int64_t j = 0; j < w; j++) d[j] = a[j] != 0 ? b[j] : c[j];
      } else {
        for (int64_t j = 0; j < w; j++) d[j] = a[j] != 0 ? 1.f : 0.f;
      }
    }
    for (size_t k = 0; k < outs.size(); k++) {
      if (!shadowOf[k]) continue;
      to_bf16_row(P[outs[k].reg], shadowOf[k] + at, w);
    }
    for (const Out& o : outs) {
      const float* src = P[o.reg];
      if (o.stream) store_stream(f.at<float>(o.v) + at, src, w);
      if (o.dt == F32) continue;
      if (o.dt == BF16) {
        to_bf16_row(src, f.at<uint16_t>(o.v) + at, w);
        continue;
      }
      uint8_t* dst = f.at<uint8_t>(o.v) + at;
      for (int64_t j = 0; j < w; j++) dst[j] = src[j] != 0;
    }
  }

  void claim_shadows(const Frame& f) {
    shadowOf.assign(outs.size(), nullptr);
    for (size_t k = 0; k < outs.size(); k++) if (outs[k].shadow && f.shadows) shadowOf[k] = f.shadows->claim(outs[k].v, rows * inner);
  }

  /**
   * This thread's registers and their pointers, kept allocated on the thread (a zeroed vector per
   * parallel chunk and run was megabytes of memset a step), the scalar inputs filled in.
   */
  std::pair<float*, float**> registers(const Frame& f) const {
    thread_local std::vector<float> R;
    thread_local std::vector<float*> P;
    if (R.size() < size_t(regs) * BLOCK) R.resize(size_t(regs) * BLOCK);
    if (P.size() < size_t(regs)) P.resize(size_t(regs));
    fill_scalars(f, R.data());
    return {R.data(), P.data()};
  }

  /** Fills the scalar inputs' registers (once per run of blocks: blocks never write them). */
  void fill_scalars(const Frame& f, float* R) const {
    for (size_t i = 0; i < ins.size(); i++) {
      if (!ins[i].scalar) continue;
      const int dt = ins[i].dt;
      float v = dt == F32 ? f.at<float>(ins[i].v)[0] : dt == BF16 ? bf16_to_f32(f.at<uint16_t>(ins[i].v)[0]) : (f.at<uint8_t>(ins[i].v)[0] ? 1.f : 0.f);
      std::fill_n(R + i * BLOCK, BLOCK, v);
    }
  }

  void run(const Frame& f) override {
    if (rows * inner == 0) return;
    claim_shadows(f);
    // units of work: BLOCK-wide pieces of a row, or as many whole short rows as fill a block
    const int64_t perUnit = inner < BLOCK ? BLOCK / inner : 1, pieces = inner < BLOCK ? 1 : (inner + BLOCK - 1) / BLOCK;
    const int64_t units = inner < BLOCK ? (rows + perUnit - 1) / perUnit : rows * pieces;
    parallel_for(units, std::max<int64_t>(1, 16384 / std::min(inner * perUnit, BLOCK)), [&](int64_t s, int64_t e) {
      auto [R, P] = registers(f);
      for (int64_t g = s; g < e; g++) {
        if (inner < BLOCK) {
          const int64_t row = g * perUnit;
          block(f, R, P, row, 0, inner, std::min(perUnit, rows - row));
        } else {
          const int64_t row = g / pieces, c0 = (g % pieces) * BLOCK;
          block(f, R, P, row, c0, std::min(BLOCK, inner - c0));
        }
      }
      store_fence();
    });
  }

  void prepare_rows(const Frame& f) override { claim_shadows(f); }

  // the chain's rows [g0, g1) are this group's elements [g0·n/R, g1·n/R): whole short rows
  // together, else pieces that stop at the group's own rows
  void run_rows(const Frame& f, int64_t g0, int64_t g1, int64_t chainRows) override {
    const int64_t width = rows * inner / chainRows;
    auto [R, P] = registers(f);
    for (int64_t p = g0 * width, end = g1 * width; p < end;) {
      const int64_t row = p / inner, c0 = p % inner;
      const int64_t whole = c0 == 0 && inner < BLOCK ? std::min(BLOCK / inner, (end - p) / inner) : 0;
      if (whole > 0) {
        block(f, R, P, row, 0, inner, whole);
        p += whole * inner;
        continue;
      }
      const int64_t w = std::min({BLOCK, inner - c0, end - p});
      block(f, R, P, row, c0, w);
      p += w;
    }
  }
};

}  // namespace

void exp_rows(const float* a, float* d, int64_t n) { exp_shifted(a, 0.f, d, n); }  // x − 0 is x, bit for bit
void erf_rows(const float* a, float* d, int64_t n) {
  for (int64_t j = 0; j < n; j++) d[j] = verf(a[j]);
}

InstrPtr make_fused(Reader& r, BuildCtx& c) { return std::make_unique<FusedInstr>(r, c); }

}  // namespace rt
