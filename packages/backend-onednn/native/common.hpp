// Shared types of the addon: dtype codes (the same numbers as src/plan/dtype-codes.ts), element
// conversions, and the Instr interface every kernel implements.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace rt {

enum DType : int { F32 = 0, F64 = 1, I32 = 2, I64 = 3, BOOL = 4, F16 = 5, BF16 = 6, I8 = 7, U8 = 8 };

inline size_t dtype_size(int dt) {
  switch (dt) {
    case F32: case I32: return 4;
    case F64: case I64: return 8;
    case F16: case BF16: return 2;
    default: return 1;
  }
}

inline float bf16_to_f32(uint16_t h) {
  uint32_t u = uint32_t(h) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
// Round to nearest even, NaN kept quiet (as core-tensor's floatToBfloat16).
inline uint16_t f32_to_bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return uint16_t((u >> 16) | 0x40);
  u += 0x7fffu + ((u >> 16) & 1u);
  return uint16_t(u >> 16);
}
inline float f16_to_f32(uint16_t h) {
  uint32_t s = (h & 0x8000u) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  uint32_t u;
  if (e == 0) {
    if (m == 0) u = s;
    else {
      int sh = 0;
      while (!(m & 0x400)) { m <<= 1; sh++; }
      m &= 0x3ff;
      u = s | (uint32_t(127 - 15 - sh + 1) << 23) | (m << 13);
    }
  } else if (e == 31) u = s | 0x7f800000u | (m << 13);
  else u = s | ((e + 127 - 15) << 23) | (m << 13);
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
inline uint16_t f32_to_f16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  uint32_t s = (u >> 16) & 0x8000u;
  int32_t e = int32_t((u >> 23) & 0xff) - 127 + 15;
  uint32_t m = u & 0x7fffffu;
  if (((u >> 23) & 0xff) == 0xff) return uint16_t(s | 0x7c00u | (m ? 0x200u : 0));
  if (e >= 31) return uint16_t(s | 0x7c00u);
  if (e <= 0) {
    if (e < -10) return uint16_t(s);
    m |= 0x800000u;
    uint32_t shift = uint32_t(14 - e);
    uint32_t half = m >> shift, rem = m & ((1u << shift) - 1), mid = 1u << (shift - 1);
    if (rem > mid || (rem == mid && (half & 1))) half++;
    return uint16_t(s | half);
  }
  uint32_t half = s | (uint32_t(e) << 10) | (m >> 13);
  uint32_t rem = m & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (half & 1))) half++;
  return uint16_t(half);
}

/** A value read as double from any dtype (index and cast paths). */
inline double load_as_double(const void* p, int dt, size_t i) {
  switch (dt) {
    case F32: return static_cast<const float*>(p)[i];
    case F64: return static_cast<const double*>(p)[i];
    case I32: return static_cast<const int32_t*>(p)[i];
    case I64: return double(static_cast<const int64_t*>(p)[i]);
    case BOOL: case U8: return static_cast<const uint8_t*>(p)[i];
    case I8: return static_cast<const int8_t*>(p)[i];
    case F16: return f16_to_f32(static_cast<const uint16_t*>(p)[i]);
    case BF16: return bf16_to_f32(static_cast<const uint16_t*>(p)[i]);
  }
  return 0;
}

inline int64_t load_index(const void* p, int dt, size_t i) {
  return dt == I64 ? static_cast<const int64_t*>(p)[i] : int64_t(static_cast<const int32_t*>(p)[i]);
}

/** Fails the run with a message the JS side turns into a RetrievalsError. */
struct KernelError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/**
 * bf16 copies of float32 values, made at most once per run: x feeds the Q, K and V projections and
 * their weight gradients, and a weight its forward and its input gradient, so converting per
 * matmul converted the same buffer up to six times. Keyed by value id (values are written once
 * per run), stamped with the run's generation.
 */
struct Bf16Shadows {
  std::vector<std::vector<uint16_t>> buf;
  std::vector<uint64_t> stamp;
  uint64_t gen = 0;
  uint16_t* of(int v, const float* src, int64_t n);
  /** This run's copy of v, to be written by its producer (fused.cc) instead of converted. */
  uint16_t* claim(int v, int64_t n);
};

/** float32 → bf16 as f32_to_bf16, branch-free so it vectorises; on the calling thread. */
inline void to_bf16_row(const float* src, uint16_t* o, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    uint32_t u;
    std::memcpy(&u, src + i, 4);
    uint32_t r = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
    o[i] = uint16_t((u & 0x7fffffffu) > 0x7f800000u ? ((u >> 16) | 0x40u) : r);
  }
}

/** bf16 → float32 (exact: the bits shifted up); on the calling thread, vectorised. */
inline void from_bf16_row(const uint16_t* src, float* o, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    uint32_t u = uint32_t(src[i]) << 16;
    std::memcpy(o + i, &u, 4);
  }
}

/** float32 → bf16, round to nearest even, NaN kept quiet; parallel and vectorised. */
void to_bf16(const float* src, uint16_t* dst, int64_t n);

/** Resolves value ids to their memory for one run. */
struct Frame {
  std::vector<void*> ptr;
  // Per value: the resident id of a feed the JS side has seen before (see resident.hpp), else 0.
  std::vector<int64_t> resident;
  Bf16Shadows* shadows = nullptr;
  template <class T = void>
  T* at(int v) const { return static_cast<T*>(ptr[size_t(v)]); }
  /** The bf16 copy of float32 value v (n values): the resident one of a resident feed, else this run's. */
  uint16_t* bf16(int v, int64_t n) const;
};

/** One step of a plan; built once from the instruction stream, run for every feed set. */
struct Instr {
  virtual ~Instr() = default;
  virtual void run(const Frame& f) = 0;
  /** What the bench and profile print: the oneDNN implementation, or "loop". */
  virtual std::string describe() const { return "loop"; }
  virtual const char* name() const = 0;
  /**
   * Row-chain members (rows.cc): before the threads start, per run (claims bf16 copies); then
   * rows [g0, g1) of the chain's R rows on the calling thread, every value this instruction
   * touches being R rows of equal width (the planner checks it: plan/row-chains.ts).
   */
  virtual void prepare_rows(const Frame&) {}
  virtual void run_rows(const Frame&, int64_t, int64_t, int64_t) { throw KernelError(std::string(name()) + " cannot run in a row chain"); }
};

/** Reads the Float64Array instruction stream. */
struct Reader {
  const double* p;
  size_t n, i = 0;
  double next() {
    if (i >= n) throw std::runtime_error("plan stream ended early");
    return p[i++];
  }
  int64_t i64() { return int64_t(next()); }
  int i32() { return int(next()); }
  std::vector<int64_t> vec(size_t k) {
    std::vector<int64_t> v(k);
    for (auto& x : v) x = i64();
    return v;
  }
};

/**
 * Walks the rows (all dims but the last) of a collapsed shape from a start row, keeping each
 * operand's offset incrementally: a div/mod per dim per row cost more than copying a short row.
 */
template <int K>
struct RowWalker {
  const std::vector<int64_t>& dims;
  const std::vector<int64_t>* strides[K];
  std::vector<int64_t> idx;
  int64_t off[K];
  RowWalker(const std::vector<int64_t>& d, std::initializer_list<const std::vector<int64_t>*> s, int64_t row, const int64_t* base = nullptr) : dims(d), idx(d.size(), 0) {
    int k = 0;
    for (auto* p : s) strides[k++] = p;
    for (int j = 0; j < K; j++) off[j] = base ? base[j] : 0;
    for (int64_t dd = int64_t(dims.size()) - 2; dd >= 0; dd--) {
      int64_t c = row % dims[size_t(dd)];
      row /= dims[size_t(dd)];
      idx[size_t(dd)] = c;
      for (int j = 0; j < K; j++) off[j] += c * (*strides[j])[size_t(dd)];
    }
  }
  void next() {
    for (int64_t dd = int64_t(dims.size()) - 2; dd >= 0; dd--) {
      size_t u = size_t(dd);
      idx[u]++;
      for (int j = 0; j < K; j++) off[j] += (*strides[j])[u];
      if (idx[u] < dims[u]) return;
      for (int j = 0; j < K; j++) off[j] -= (*strides[j])[u] * dims[u];
      idx[u] = 0;
    }
  }
};

int threads();
/**
 * The width (a multiple of 16, at most maxWidth) of the column blocks an [.., inner] pass that
 * owns whole columns (a column sum, a scatter-add) is split into, for about perThread blocks per
 * thread: one output row of 384 in blocks of 256 left one of two threads a third of the work.
 */
inline int64_t column_width(int64_t inner, int64_t perThread, int64_t maxWidth) {
  int64_t w = (inner / (int64_t(threads()) * perThread) + 15) / 16 * 16;
  return w < 16 ? 16 : w > maxWidth ? maxWidth : w;
}
/** Splits [0, n) over the threads when n·cost is worth it. */
template <class F>
void parallel_for(int64_t n, int64_t grain, F&& fn) {
  if (n <= grain || threads() == 1) {
    fn(int64_t(0), n);
    return;
  }
  int64_t chunks = std::min<int64_t>(n / grain, int64_t(threads()) * 4);
  if (chunks < 2) { fn(int64_t(0), n); return; }
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < chunks; c++) {
    int64_t b = n * c / chunks, e = n * (c + 1) / chunks;
    fn(b, e);
  }
}

}  // namespace rt
