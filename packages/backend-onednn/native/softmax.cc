// Softmax over the last dim, one row at a time (lower.ts's softmax match): the row max, exp(x − m)
// and its sum, and the division while the row is in L1, instead of four passes over memory. The
// arithmetic is the unfused instructions' own (NaN-aware max, vexp, sums of eight double partials
// as reduce.cc adds them, e / s), so fusing changes no bit of the result. With a prologue, x is
// a · scale + addend (attention's scaled and masked scores), made in the output row and never stored.
#include <algorithm>
#include <limits>
#include "plan.hpp"
#include "vecmath.hpp"

namespace rt {
namespace {

struct SoftmaxInstr : Instr {
  int x, y, e, s;
  int64_t rows, len;
  bool pre;
  float scale = 1.f;
  int addend = -1;
  std::vector<int64_t> dims, addStrides;  // the addend by strides over the full shape
  bool storedY;  // y stored as bf16 (lower.ts storeBf16): rounded as the matmul's operand conversion rounds
  SoftmaxInstr(Reader& r, BuildCtx& c) {
    x = r.i32(); y = r.i32(); e = r.i32(); s = r.i32(); rows = r.i64(); len = r.i64();
    storedY = c.values[size_t(y)].dtype == BF16;
    pre = r.i32() != 0;
    if (!pre) return;
    scale = float(r.next());
    addend = r.i32();
    size_t rank = size_t(r.i64());
    dims = r.vec(rank);
    addStrides = r.vec(rank);
  }

  /** Where row r's addend starts. */
  int64_t addendAt(int64_t r) const {
    int64_t off = 0;
    for (int64_t d = int64_t(dims.size()) - 2; d >= 0; d--) {
      off += (r % dims[size_t(d)]) * addStrides[size_t(d)];
      r /= dims[size_t(d)];
    }
    return off;
  }
  const char* name() const override { return "softmax"; }

  void row(const float* xr, float* er, float* yr, float* sr) const {
    bool nan;
    float m = row_max(xr, len, nan);
    // core-tensor's softmax subtracts 0 where the max is not finite (a row of -inf, or NaN)
    float w = !nan && std::fabs(m) < std::numeric_limits<float>::infinity() ? m : 0.f;
    exp_shifted(xr, w, er, len);
    float sum = row_sum(er, len);
    if (sr) *sr = sum;
    for (int64_t j = 0; j < len; j++) yr[j] = er[j] / sum;
  }

  void run(const Frame& f) override {
    const float* px = f.at<float>(x);
    float* py = storedY ? nullptr : f.at<float>(y);
    uint16_t* py16 = storedY ? f.at<uint16_t>(y) : nullptr;
    float* pe = e >= 0 ? f.at<float>(e) : nullptr;
    float* ps = s >= 0 ? f.at<float>(s) : nullptr;
    const float* pa = pre ? f.at<float>(addend) : nullptr;
    const int64_t lastStride = pre ? addStrides.back() : 0;
    parallel_for(rows, std::max<int64_t>(1, 16384 / len), [&](int64_t b, int64_t end) {
      std::vector<float> row32(storedY ? size_t(len) : 0);
      for (int64_t r = b; r < end; r++) {
        float* yr = storedY ? row32.data() : py + r * len;
        const float* xr = px + r * len;
        if (pre) {
          // product and sum as two roundings, as the unfused mul and add make them (no FMA)
          const float* ar = pa + addendAt(r);
          for (int64_t j = 0; j < len; j++) yr[j] = xr[j] * scale;
          for (int64_t j = 0; j < len; j++) yr[j] = yr[j] + ar[j * lastStride];
          xr = yr;
        }
        // without e among the outputs, exp(x − m) is kept in y and divided in place
        row(xr, pe ? pe + r * len : yr, yr, ps ? ps + r : nullptr);
        if (storedY) to_bf16_row(yr, py16 + r * len, len);
      }
    });
  }
};

}  // namespace

InstrPtr make_softmax(Reader& r, BuildCtx& c) { return std::make_unique<SoftmaxInstr>(r, c); }

}  // namespace rt
