// layerNorm over the last dim, one row at a time (lower.ts's layer-norm match): x is read once
// (made from x = a + b in the row when the match has the residual add), and only the parts the
// backward reads are written. The arithmetic is the unfused instructions' (row_sum as reduce.cc,
// each op one float rounding, in their order), so fusing changes no bit of the result.
#include <algorithm>
#include <cmath>
#include "plan.hpp"
#include "vecmath.hpp"

namespace rt {
namespace {

// the parts in the order of src/plan/layer-norm.ts's LayerNormMatch.parts
enum Part { S1, MU, XC, SQ, S2, V, V2, Q, R, N, NW, Y, PARTS };

struct LayerNormInstr : Instr {
  int x, ra, rb, w, b;
  int64_t rows, len;
  float eps, count;
  int out[PARTS];
  int last;     // the part the match ends at (y, n·w or n)
  bool shadow;  // also write its bf16 copy, for the matmuls reading it (lower.ts storeBf16)
  LayerNormInstr(Reader& r) {
    x = r.i32(); ra = r.i32(); rb = r.i32(); w = r.i32(); b = r.i32();
    rows = r.i64(); len = r.i64();
    eps = float(r.next());
    count = float(len);
    for (int& o : out) o = r.i32();
    shadow = r.i32() != 0;
    last = out[Y] >= 0 ? Y : out[NW] >= 0 ? NW : N;
  }
  const char* name() const override { return "layerNorm"; }

  void run(const Frame& f) override {
    const float* pw = w >= 0 ? f.at<float>(w) : nullptr;
    const float* pb = b >= 0 ? f.at<float>(b) : nullptr;
    uint16_t* copy = shadow && f.shadows ? f.shadows->claim(out[last], rows * len) : nullptr;
    parallel_for(rows, std::max<int64_t>(1, 8192 / len), [&](int64_t begin, int64_t end) {
      std::vector<float> scratch(size_t(len) * 5);
      float* tmp[PARTS] = {};
      tmp[XC] = scratch.data(); tmp[SQ] = tmp[XC] + len; tmp[N] = tmp[SQ] + len; tmp[NW] = tmp[N] + len; tmp[Y] = tmp[NW] + len;
      for (int64_t row = begin; row < end; row++) {
        // a full-size part lives in its output row when written, else in scratch
        float* P[PARTS];
        for (int p : {XC, SQ, N, NW, Y}) P[p] = out[p] >= 0 ? f.at<float>(out[p]) + row * len : tmp[p];
        const float* xr;
        if (x >= 0) xr = f.at<float>(x) + row * len;
        else {
          const float* a = f.at<float>(ra) + row * len;
          const float* c = f.at<float>(rb) + row * len;
          float* xs = tmp[Y];  // y is written last: its scratch holds x until then
          for (int64_t j = 0; j < len; j++) xs[j] = a[j] + c[j];
          xr = xs;
        }
        float s1 = row_sum(xr, len);
        float mu = s1 / count;
        for (int64_t j = 0; j < len; j++) P[XC][j] = xr[j] - mu;
        for (int64_t j = 0; j < len; j++) P[SQ][j] = P[XC][j] * P[XC][j];
        float s2 = row_sum(P[SQ], len);
        float v = s2 / count, v2 = v + eps, q = std::sqrt(v2), r = 1.f / q;
        for (int64_t j = 0; j < len; j++) P[N][j] = P[XC][j] * r;
        if (pw) for (int64_t j = 0; j < len; j++) P[NW][j] = P[N][j] * pw[j];
        if (pb) for (int64_t j = 0; j < len; j++) P[Y][j] = P[pw ? NW : N][j] + pb[j];
        if (copy) to_bf16_row(P[last], copy + row * len, len);
        const float scalars[PARTS] = {s1, mu, 0, 0, s2, v, v2, q, r, 0, 0, 0};
        for (int p : {S1, MU, S2, V, V2, Q, R}) if (out[p] >= 0) f.at<float>(out[p])[row] = scalars[p];
      }
    });
  }
};

}  // namespace

InstrPtr make_layer_norm(Reader& r) { return std::make_unique<LayerNormInstr>(r); }

}  // namespace rt
