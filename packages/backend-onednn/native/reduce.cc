// Reductions and cumsum over an [outer, reduced, inner] view (the planner permutes first when the
// reduced axes are not one block). Plain loops: oneDNN 2.6's reduction primitive was measured far
// slower than this for row sums. float sums accumulate in double, as the js reference does.
#include <algorithm>
#include <limits>
#include <type_traits>
#include "plan.hpp"
#include "vecmath.hpp"

namespace rt {
namespace {

enum Reduce : int { SUM, MAX, MIN, ARGMAX, SUM_PRODUCT };

template <class T> struct Acc { using type = T; };
template <> struct Acc<float> { using type = double; };
template <> struct Acc<int32_t> { using type = int64_t; };

// an element as the kernel's type T: a bf16 input (a bf16-stored gradient, plan/bf16-storage.ts) widened exactly
template <class T, class In>
inline T ld(In v) {
  if constexpr (std::is_same_v<In, uint16_t>) return bf16_to_f32(v);
  else return v;
}

// A float row's sum by row_sum, the function the row kernels (softmax, layerNorm) sum with, so
// they agree bit for bit; a bf16 row is widened into `widened` first.
template <class In>
inline float float_row_sum(const In* row, int64_t red, float* widened) {
  if constexpr (std::is_same_v<In, float>) {
    return row_sum(row, red);
  } else {
    from_bf16_row(row, widened, red);
    return row_sum(widened, red);
  }
}

template <class T, class In = T>
void reduce_kernel(int op, const In* in, void* outp, int64_t outer, int64_t red, int64_t inner, const T* factor = nullptr) {
  using A = typename Acc<T>::type;
  const bool isFloat = std::is_floating_point_v<T>;
  if (op == ARGMAX) {
    auto* o = static_cast<int64_t*>(outp);
    parallel_for(outer * inner, 1 << 12, [&](int64_t s, int64_t e) {
      for (int64_t g = s; g < e; g++) {
        int64_t p = g / inner, c = g % inner;
        const In* base = in + p * red * inner + c;
        int64_t best = 0;
        for (int64_t j = 1; j < red; j++) if (ld<T>(base[j * inner]) > ld<T>(base[best * inner])) best = j;
        o[g] = best;
      }
    });
    return;
  }
  T* o = static_cast<T*>(outp);
  if (inner == 1) {
    parallel_for(outer, std::max<int64_t>(1, (1 << 14) / std::max<int64_t>(red, 1)), [&](int64_t s, int64_t e) {
      std::vector<float> widened(std::is_same_v<In, T> ? 0 : size_t(red));
      for (int64_t p = s; p < e; p++) {
        const In* row = in + p * red;
        if (op == SUM) {
          if constexpr (std::is_same_v<T, float>) {
            o[p] = float_row_sum(row, red, widened.data());
          } else {
            // eight partial sums: one chain of dependent adds would run at one add per 4 cycles
            A acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
            int64_t j = 0;
            for (; j + 8 <= red; j += 8)
              for (int l = 0; l < 8; l++) acc[l] += A(ld<T>(row[j + l]));
            for (; j < red; j++) acc[0] += A(ld<T>(row[j]));
            o[p] = T(((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])));
          }
        } else {
          T acc = ld<T>(row[0]);
          bool nan = false;
          for (int64_t j = 0; j < red; j++) {
            T v = ld<T>(row[j]);
            if (isFloat && v != v) nan = true;
            acc = op == MAX ? (v > acc ? v : acc) : (v < acc ? v : acc);
          }
          o[p] = nan ? std::numeric_limits<T>::quiet_NaN() : acc;
        }
      }
    });
    return;
  }
  if (op == SUM || op == SUM_PRODUCT) {
    // Column sums (bias and norm-weight gradients): the rows in fixed chunks, each streamed in order
    // into its own partial sums, then the partials added chunk by chunk. Reading whole rows in
    // sequence is ~1.5× faster here than column blocks (strided); the chunks do not depend on the
    // thread count, so neither does the result.
    constexpr int64_t CHUNK = 256;
    const int64_t nc = (red + CHUNK - 1) / CHUNK;
    std::vector<A> part(size_t(outer * nc * inner));
    parallel_for(outer * nc, 1, [&](int64_t s, int64_t e) {
      for (int64_t g = s; g < e; g++) {
        const int64_t p = g / nc, j0 = (g % nc) * CHUNK, j1 = std::min(red, j0 + CHUNK);
        A* acc = part.data() + g * inner;
        std::fill_n(acc, inner, A(0));
        for (int64_t j = j0; j < j1; j++) {
          const In* r = in + (p * red + j) * inner;
          if (!factor) {
            for (int64_t i = 0; i < inner; i++) acc[i] += A(ld<T>(r[i]));
            continue;
          }
          // each product rounded to T first, as a mul instruction writing it would
          const T* r2 = factor + (p * red + j) * inner;
          for (int64_t i = 0; i < inner; i++) acc[i] += A(T(ld<T>(r[i]) * r2[i]));
        }
      }
    });
    parallel_for(outer * inner, 1 << 14, [&](int64_t s, int64_t e) {
      for (int64_t g = s; g < e; g++) {
        const int64_t p = g / inner, i = g % inner;
        A total = part[size_t(p * nc * inner + i)];
        for (int64_t c = 1; c < nc; c++) total += part[size_t((p * nc + c) * inner + i)];
        o[g] = T(total);
      }
    });
    return;
  }
  // max/min column-wise: each output row of `inner` values scans `red` contiguous input rows, in
  // blocks of columns every thread gets some of
  const int64_t width = column_width(inner, 4, 256);
  const int64_t blocks = (inner + width - 1) / width;
  parallel_for(outer * blocks, 1, [&](int64_t s, int64_t e) {
    std::vector<A> acc(static_cast<size_t>(width));
    std::vector<uint8_t> nan(static_cast<size_t>(width));
    for (int64_t g = s; g < e; g++) {
      int64_t p = g / blocks, c0 = (g % blocks) * width, w = std::min<int64_t>(width, inner - c0);
      const In* base = in + p * red * inner + c0;
      std::fill_n(nan.begin(), w, uint8_t(0));
      for (int64_t i = 0; i < w; i++) acc[size_t(i)] = A(ld<T>(base[i]));
      for (int64_t j = 0; j < red; j++) {
        const In* r = base + j * inner;
        for (int64_t i = 0; i < w; i++) {
          A v = A(ld<T>(r[i]));
          if (isFloat && v != v) nan[size_t(i)] = 1;
          acc[size_t(i)] = op == MAX ? (v > acc[size_t(i)] ? v : acc[size_t(i)]) : (v < acc[size_t(i)] ? v : acc[size_t(i)]);
        }
      }
      for (int64_t i = 0; i < w; i++) if (nan[size_t(i)]) acc[size_t(i)] = std::numeric_limits<A>::quiet_NaN();
      T* out = o + p * inner + c0;
      for (int64_t i = 0; i < w; i++) out[i] = T(acc[size_t(i)]);
    }
  });
}

struct ReduceInstr : Instr {
  int op, dt, in, out, dtIn;
  int64_t outer, red, inner;
  int factor = -1;  // SUM_PRODUCT: the second factor (the planner emits it for float32 column sums only)
  ReduceInstr(Reader& r) {
    op = r.i32(); dt = r.i32(); in = r.i32(); out = r.i32(); outer = r.i64(); red = r.i64(); inner = r.i64(); dtIn = r.i32();
    if (op == SUM_PRODUCT) factor = r.i32();
    if (op == SUM_PRODUCT && (dt != F32 || dtIn != F32 || inner == 1)) throw KernelError("a sum of products is of float32 columns only");
  }
  const char* name() const override { return "reduce"; }
  void run(const Frame& f) override {
    if (outer * inner == 0) return;
    if (red == 0) {  // an empty sum is 0 (max/min/argmax of nothing are rejected by the frontend)
      std::memset(f.at(out), 0, size_t(outer * inner) * dtype_size(op == ARGMAX ? I64 : dt));
      return;
    }
    if (op == SUM_PRODUCT) return reduce_kernel<float>(op, f.at<float>(in), f.at(out), outer, red, inner, f.at<float>(factor));
    if (dtIn == BF16 && dt == F32) return reduce_kernel<float, uint16_t>(op, f.at<uint16_t>(in), f.at(out), outer, red, inner);
    switch (dt) {
      case F32: return reduce_kernel<float>(op, f.at<float>(in), f.at(out), outer, red, inner);
      case F64: return reduce_kernel<double>(op, f.at<double>(in), f.at(out), outer, red, inner);
      case I32: return reduce_kernel<int32_t>(op, f.at<int32_t>(in), f.at(out), outer, red, inner);
      case I64: return reduce_kernel<int64_t>(op, f.at<int64_t>(in), f.at(out), outer, red, inner);
      default: throw KernelError("reduce on an unsupported dtype " + std::to_string(dt));
    }
  }
  // in a row chain: a float row sum (inner 1, outer the chain's rows), row by row as reduce_kernel
  void run_rows(const Frame& f, int64_t g0, int64_t g1, int64_t) override {
    float* o = f.at<float>(out);
    if (red == 0) {
      std::fill(o + g0, o + g1, 0.f);
      return;
    }
    std::vector<float> widened(dtIn == BF16 ? static_cast<size_t>(red) : 0);
    auto sums = [&](const auto* rows) {
      for (int64_t p = g0; p < g1; p++) o[p] = float_row_sum(rows + p * red, red, widened.data());
    };
    if (dtIn == BF16) sums(f.at<uint16_t>(in));
    else sums(f.at<float>(in));
  }
};

template <class T>
void cumsum_kernel(const T* in, T* o, int64_t outer, int64_t dim, int64_t inner, bool reverse) {
  using A = typename Acc<T>::type;
  parallel_for(outer * inner, 1 << 10, [&](int64_t s, int64_t e) {
    for (int64_t g = s; g < e; g++) {
      int64_t p = g / inner, c = g % inner;
      A acc = 0;
      for (int64_t k = 0; k < dim; k++) {
        int64_t i = p * dim * inner + (reverse ? dim - 1 - k : k) * inner + c;
        acc += A(in[i]);
        o[i] = T(acc);
      }
    }
  });
}

struct CumsumInstr : Instr {
  int dt, in, out;
  int64_t outer, dim, inner;
  bool reverse;
  CumsumInstr(Reader& r) { dt = r.i32(); in = r.i32(); out = r.i32(); outer = r.i64(); dim = r.i64(); inner = r.i64(); reverse = r.i32() != 0; }
  const char* name() const override { return "cumsum"; }
  void run(const Frame& f) override {
    switch (dt) {
      case F32: return cumsum_kernel<float>(f.at<float>(in), f.at<float>(out), outer, dim, inner, reverse);
      case F64: return cumsum_kernel<double>(f.at<double>(in), f.at<double>(out), outer, dim, inner, reverse);
      case I32: return cumsum_kernel<int32_t>(f.at<int32_t>(in), f.at<int32_t>(out), outer, dim, inner, reverse);
      case I64: return cumsum_kernel<int64_t>(f.at<int64_t>(in), f.at<int64_t>(out), outer, dim, inner, reverse);
      default: throw KernelError("cumsum on an unsupported dtype " + std::to_string(dt));
    }
  }
};

}  // namespace

InstrPtr make_reduce(int op, Reader& r, BuildCtx&) {
  if (op == 4) return std::make_unique<ReduceInstr>(r);
  return std::make_unique<CumsumInstr>(r);
}

}  // namespace rt
