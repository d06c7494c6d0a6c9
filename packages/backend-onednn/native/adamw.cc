// AdamW's update as one vector loop (src/plan/adamw.ts matches core-tensor's 14 ops):
//   g = g1 (+ g2); m' = m·b1 + g·c1; v' = v·b2 + (g·g)·c2; p' = p·decay − (m' / (√v' / bc2 + eps))·step
// Every op is its own float rounding, in the program's order, and nothing is contracted to an FMA
// (GCC would otherwise fuse m·b1 + g·c1), so the results are the fused-group interpreter's bit for
// bit; in registers, the loop is bound by memory instead of by the interpreter's stores. The three
// results are program outputs that go back to JS, written with non-temporal stores.
#include "plan.hpp"
#include "vecmath.hpp"

#pragma GCC optimize("fp-contract=off")

namespace rt {
namespace {

enum Scalar { B1, C1, B2, C2, BC2, EPS, STEP, DECAY, SCALARS };

struct AdamWInstr : Instr {
  int p, g1, g2, m, v, s[SCALARS], po, mo, vo;
  int64_t n;
  AdamWInstr(Reader& r) {
    p = r.i32(); g1 = r.i32(); g2 = r.i32(); m = r.i32(); v = r.i32();
    for (int& x : s) x = r.i32();
    po = r.i32(); mo = r.i32(); vo = r.i32();
    n = r.i64();
  }
  const char* name() const override { return "adamw"; }

  void run(const Frame& f) override {
    float k[SCALARS];
    for (int i = 0; i < SCALARS; i++) k[i] = f.at<float>(s[i])[0];
    const float *P = f.at<float>(p), *G1 = f.at<float>(g1), *G2 = g2 >= 0 ? f.at<float>(g2) : nullptr;
    const float *M = f.at<float>(m), *V = f.at<float>(v);
    float *PO = f.at<float>(po), *MO = f.at<float>(mo), *VO = f.at<float>(vo);
    constexpr int64_t CH = 1024;
    parallel_for((n + CH - 1) / CH, 16, [&](int64_t cs, int64_t ce) {
      float pb[CH], mb[CH], vb[CH];
      for (int64_t c = cs; c < ce; c++) {
        const int64_t at = c * CH, w = std::min(CH, n - at);
        for (int64_t j = 0; j < w; j++) {
          const int64_t i = at + j;
          float g = G2 ? G1[i] + G2[i] : G1[i];
          float m1 = M[i] * k[B1], m2 = g * k[C1];
          float mn = m1 + m2;
          float gg = g * g;
          float v1 = V[i] * k[B2], v2 = gg * k[C2];
          float vn = v1 + v2;
          float d = std::sqrt(vn) / k[BC2];
          d = d + k[EPS];
          float u = mn / d;
          u = u * k[STEP];
          float pd = P[i] * k[DECAY];
          pb[j] = pd - u;
          mb[j] = mn;
          vb[j] = vn;
        }
        store_stream(PO + at, pb, w);
        store_stream(MO + at, mb, w);
        store_stream(VO + at, vb, w);
      }
      store_fence();
    });
  }
};

}  // namespace

InstrPtr make_adamw(Reader& r) { return std::make_unique<AdamWInstr>(r); }

}  // namespace rt
