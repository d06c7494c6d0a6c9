// gelu's (erf form) backward as one chunked loop (src/plan/gelu-grad.ts matches core-tensor's 11 ops):
//   dx = dy · ((erf(x·√½)·0.5 + 0.5) + x·(exp((x·x)·−0.5)·1/√(2π)))
// exp and erf are the fused groups' own compiled rows (vecmath.hpp exp_rows/erf_rows) and the
// rest is one rounding per op in the program's order with no FMA contraction, so dx is the
// interpreter's bit for bit, in 3 passes over an L1 chunk instead of 11. x and dy may be bf16 and
// dx bf16 or float32 with a bf16 copy (plan/bf16-storage.ts), as for a fused group.
#include <algorithm>
#include "plan.hpp"
#include "vecmath.hpp"

#pragma GCC optimize("fp-contract=off")

namespace rt {
namespace {

enum Scalar { MINUS_HALF, INV_ROOT_2PI, ROOT_HALF, TIMES_HALF, PLUS_HALF, SCALARS };

struct GeluGradInstr : Instr {
  int x, dtX, dy, dtDy, s[SCALARS], out, dtOut;
  bool shadow;
  int64_t n;
  GeluGradInstr(Reader& r) {
    x = r.i32(); dtX = r.i32(); dy = r.i32(); dtDy = r.i32();
    for (int& v : s) v = r.i32();
    out = r.i32(); dtOut = r.i32(); shadow = r.i32() != 0;
    n = r.i64();
  }
  const char* name() const override { return "geluGrad"; }

  // a float32 operand is read where it lies; a bf16 one is converted into the chunk's buffer
  static const float* load(const Frame& f, int v, int dt, int64_t at, int64_t w, float* buf) {
    if (dt != BF16) return f.at<float>(v) + at;
    from_bf16_row(f.at<uint16_t>(v) + at, buf, w);
    return buf;
  }

  void run(const Frame& f) override {
    float k[SCALARS];
    for (int i = 0; i < SCALARS; i++) k[i] = f.at<float>(s[i])[0];
    uint16_t* copy = shadow && f.shadows ? f.shadows->claim(out, n) : nullptr;
    constexpr int64_t CH = 512;
    parallel_for((n + CH - 1) / CH, 8, [&](int64_t cs, int64_t ce) {
      float xb[CH], db[CH], t[CH], e[CH], er[CH], yb[CH];
      for (int64_t c = cs; c < ce; c++) {
        const int64_t at = c * CH, w = std::min(CH, n - at);
        const float* X = load(f, x, dtX, at, w, xb);
        const float* D = load(f, dy, dtDy, at, w, db);
        // a float32 dx is written in place; the y buffer is also erf's input, consumed before
        float* y = dtOut == BF16 ? yb : f.at<float>(out) + at;
        for (int64_t j = 0; j < w; j++) {
          float sq = X[j] * X[j];
          t[j] = sq * k[MINUS_HALF];
          y[j] = X[j] * k[ROOT_HALF];
        }
        exp_rows(t, e, w);
        erf_rows(y, er, w);
        for (int64_t j = 0; j < w; j++) {
          float pdf = e[j] * k[INV_ROOT_2PI];
          float xpdf = X[j] * pdf;
          float h = er[j] * k[TIMES_HALF];
          float cdf = h + k[PLUS_HALF];
          float total = cdf + xpdf;
          y[j] = D[j] * total;
        }
        if (dtOut == BF16) to_bf16_row(y, f.at<uint16_t>(out) + at, w);
        if (copy) to_bf16_row(y, copy + at, w);
      }
    });
  }
};

}  // namespace

InstrPtr make_gelu_grad(Reader& r, BuildCtx&) { return std::make_unique<GeluGradInstr>(r); }

}  // namespace rt
