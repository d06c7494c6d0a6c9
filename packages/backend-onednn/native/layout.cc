// Layout ops as two strided copies: COPY reads a strided view into a contiguous output (permute,
// expand, slice, reshape), PASTE writes a contiguous input into a strided view of the output
// (pad, concat). The planner collapses dims first, so the inner loop is as long as it can be.
#include "plan.hpp"

namespace rt {
namespace {

struct Strided {
  int size, in, out;
  int64_t base;
  std::vector<int64_t> dims, strides;
  int64_t rows = 1, inner = 1, total = 1;
  void read(Reader& r) {
    size = r.i32(); in = r.i32(); out = r.i32(); base = r.i64();
    size_t nd = size_t(r.i32());
    dims = r.vec(nd);
    strides = r.vec(nd);
    if (nd == 0) { dims = {1}; strides = {1}; }
    inner = dims.back();
    for (size_t d = 0; d + 1 < dims.size(); d++) rows *= dims[d];
    total = rows * inner;
  }
  int64_t offset(int64_t row) const {
    int64_t off = base;
    for (int64_t d = int64_t(dims.size()) - 2; d >= 0; d--) {
      int64_t c = row % dims[size_t(d)];
      row /= dims[size_t(d)];
      off += c * strides[size_t(d)];
    }
    return off;
  }
};

template <class T, bool Paste>
void strided(const Strided& s, const T* in, T* out) {
  const int64_t inner = s.inner, st = s.strides.back();
  parallel_for(s.rows, std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(inner, 1)), [&](int64_t b, int64_t e) {
    RowWalker<1> w(s.dims, {&s.strides}, b, &s.base);
    for (int64_t r = b; r < e; r++, w.next()) {
      int64_t off = w.off[0];
      if (Paste) {
        const T* src = in + r * inner;
        T* dst = out + off;
        if (st == 1) std::memcpy(dst, src, size_t(inner) * sizeof(T));
        else for (int64_t i = 0; i < inner; i++) dst[i * st] = src[i];
      } else {
        const T* src = in + off;
        T* dst = out + r * inner;
        if (st == 1) std::memcpy(dst, src, size_t(inner) * sizeof(T));
        else if (st == 0) std::fill_n(dst, inner, src[0]);
        else for (int64_t i = 0; i < inner; i++) dst[i] = src[i * st];
      }
    }
  });
}

template <bool Paste>
struct StridedInstr : Instr {
  Strided s;
  StridedInstr(Reader& r) { s.read(r); }
  const char* name() const override { return Paste ? "paste" : "copy"; }
  void run(const Frame& f) override {
    if (s.total == 0) return;
    void* i = f.at(s.in); void* o = f.at(s.out);
    switch (s.size) {
      case 1: return strided<uint8_t, Paste>(s, static_cast<uint8_t*>(i), static_cast<uint8_t*>(o));
      case 2: return strided<uint16_t, Paste>(s, static_cast<uint16_t*>(i), static_cast<uint16_t*>(o));
      case 4: return strided<uint32_t, Paste>(s, static_cast<uint32_t*>(i), static_cast<uint32_t*>(o));
      default: return strided<uint64_t, Paste>(s, static_cast<uint64_t*>(i), static_cast<uint64_t*>(o));
    }
  }
};

}  // namespace

InstrPtr make_layout(int op, Reader& r, BuildCtx&) {
  if (op == 5) return std::make_unique<StridedInstr<false>>(r);
  return std::make_unique<StridedInstr<true>>(r);
}

}  // namespace rt
