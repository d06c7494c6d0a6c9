// Elementwise ops: unary (oneDNN eltwise for the f32 transcendental ones, whose vectorised
// kernels a plain loop of expf/tanhf cannot match), broadcasting binary ops, where and fill as
// loops over the collapsed shapes the planner computes.
#include <algorithm>
#include <limits>
#include "plan.hpp"
#include "vecmath.hpp"

namespace rt {
namespace {

enum Unary : int { NEG, EXP, LOG, SQRT, ABS, TANH, SIGMOID, ERF, RECIP, SIN, COS, SIGN, IDENTITY, NOT, GELU, GELU_TANH, CAST };
enum Binary : int { ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, EQ, LT, GT, AND, OR };

template <class T>
inline T unary_value(int op, T x) {
  switch (op) {
    case NEG: return -x;
    case EXP: return std::exp(x);
    case LOG: return std::log(x);
    case SQRT: return std::sqrt(x);
    case ABS: return x < 0 ? -x : x;
    case TANH: return std::tanh(x);
    case SIGMOID: return x >= 0 ? T(1) / (T(1) + std::exp(-x)) : std::exp(x) / (T(1) + std::exp(x));
    case ERF: return std::erf(x);
    case RECIP: return T(1) / x;
    case SIN: return std::sin(x);
    case COS: return std::cos(x);
    case SIGN: return x > 0 ? T(1) : x < 0 ? T(-1) : x == 0 ? T(0) : x;  // NaN stays NaN
    case IDENTITY: return x;
    case GELU: return T(0.5) * x * (T(1) + std::erf(x * T(0.70710678118654752440)));
    case GELU_TANH: {
      const T k = T(0.79788456080286535588);
      return T(0.5) * x * (T(1) + std::tanh(k * (x + T(0.044715) * x * x * x)));
    }
  }
  return x;
}

/** o[i] = op(a[i]) for i < n, on the calling thread. */
template <class T>
void unary_rows(int op, const T* a, T* o, int64_t n) {
  switch (op) {  // the cheap ones get loops the compiler vectorises
    case NEG: for (int64_t i = 0; i < n; i++) o[i] = -a[i]; return;
    case ABS: for (int64_t i = 0; i < n; i++) o[i] = std::abs(a[i]); return;
    case SQRT: for (int64_t i = 0; i < n; i++) o[i] = std::sqrt(a[i]); return;
    case RECIP: for (int64_t i = 0; i < n; i++) o[i] = T(1) / a[i]; return;
    case IDENTITY: std::memcpy(o, a, size_t(n) * sizeof(T)); return;
    default: break;
  }
  if constexpr (std::is_same_v<T, float>) {
    switch (op) {
      case EXP: for (int64_t i = 0; i < n; i++) o[i] = vexp(a[i]); return;
      case ERF: for (int64_t i = 0; i < n; i++) o[i] = verf(a[i]); return;
      case GELU: for (int64_t i = 0; i < n; i++) o[i] = vgelu(a[i]); return;
      default: break;
    }
  }
  for (int64_t i = 0; i < n; i++) o[i] = unary_value<T>(op, a[i]);
}

template <class T>
void unary_loop(int op, const T* a, T* o, int64_t n) {
  parallel_for(n, 1 << 15, [&](int64_t b, int64_t e) { unary_rows<T>(op, a + b, o + b, e - b); });
}

template <class T>
void int_unary(int op, const T* a, T* o, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    T x = a[i];
    o[i] = op == NEG ? T(-x) : op == ABS ? (x < 0 ? T(-x) : x) : op == SIGN ? T(x > 0 ? 1 : x < 0 ? -1 : 0) : x;
  }
}

// Cast with core-tensor's semantics: float → int truncates, anything → bool is "≠ 0".
template <class O>
inline O cast_to(double v) {
  if constexpr (std::is_integral_v<O>) {
    if (!(v == v)) return O(0);
    return O(int64_t(std::trunc(v)));
  } else {
    return O(v);
  }
}

void cast_values(const void* in, int from, void* out, int to, int64_t n) {
  if (from == F32 && to == BF16) {
    auto* a = static_cast<const float*>(in); auto* o = static_cast<uint16_t*>(out);
    for (int64_t i = 0; i < n; i++) o[i] = f32_to_bf16(a[i]);
    return;
  }
  if (from == BF16 && to == F32) {
    auto* a = static_cast<const uint16_t*>(in); auto* o = static_cast<float*>(out);
    for (int64_t i = 0; i < n; i++) o[i] = bf16_to_f32(a[i]);
    return;
  }
  if (from == F16 && to == F32) {
    auto* a = static_cast<const uint16_t*>(in); auto* o = static_cast<float*>(out);
    for (int64_t i = 0; i < n; i++) o[i] = f16_to_f32(a[i]);
    return;
  }
  if (from == I64 && to != F32 && to != F64 && to != F16 && to != BF16) {
    // int64 → int: exact, not through a double
    auto* a = static_cast<const int64_t*>(in);
    for (int64_t i = 0; i < n; i++) {
      int64_t v = a[i];
      switch (to) {
        case I32: static_cast<int32_t*>(out)[i] = int32_t(v); break;
        case BOOL: static_cast<uint8_t*>(out)[i] = v != 0; break;
        case I8: static_cast<int8_t*>(out)[i] = int8_t(v); break;
        case U8: static_cast<uint8_t*>(out)[i] = uint8_t(v); break;
      }
    }
    return;
  }
  for (int64_t i = 0; i < n; i++) {
    double v = load_as_double(in, from, size_t(i));
    switch (to) {
      case F32: static_cast<float*>(out)[i] = float(v); break;
      case F64: static_cast<double*>(out)[i] = v; break;
      case I32: static_cast<int32_t*>(out)[i] = cast_to<int32_t>(v); break;
      case I64: static_cast<int64_t*>(out)[i] = cast_to<int64_t>(v); break;
      case BOOL: static_cast<uint8_t*>(out)[i] = v != 0 ? 1 : 0; break;
      case I8: static_cast<int8_t*>(out)[i] = cast_to<int8_t>(v); break;
      case U8: static_cast<uint8_t*>(out)[i] = cast_to<uint8_t>(v); break;
      case F16: static_cast<uint16_t*>(out)[i] = f32_to_f16(float(v)); break;
      case BF16: static_cast<uint16_t*>(out)[i] = f32_to_bf16(float(v)); break;
    }
  }
}

struct UnaryInstr : Instr {
  int op, dtIn, dtOut, in, out;
  int64_t n;
  std::unique_ptr<dnnl::eltwise_forward> prim;
  dnnl::memory::desc md;
  std::string impl = "loop";
  dnnl::stream* strm;

  UnaryInstr(Reader& r, BuildCtx& c) : strm(&c.strm) {
    op = r.i32(); dtIn = r.i32(); dtOut = r.i32(); n = r.i64(); in = r.i32(); out = r.i32();
    dnnl::algorithm alg = dnnl::algorithm::undef;
    switch (op) {
      case EXP: alg = dnnl::algorithm::eltwise_exp; break;
      case TANH: alg = dnnl::algorithm::eltwise_tanh; break;
      case SIGMOID: alg = dnnl::algorithm::eltwise_logistic; break;
      case GELU: alg = dnnl::algorithm::eltwise_gelu_erf; break;
      case GELU_TANH: alg = dnnl::algorithm::eltwise_gelu_tanh; break;
    }
    // bf16 in and out (bf16-storage.ts: gelu on a bf16-stored matmul output): oneDNN's bf16
    // kernel computes in fp32 and rounds, as the loop below does for a bf16 input or output alone
    const bool bothBf16 = dtIn == BF16 && dtOut == BF16;
    if (alg != dnnl::algorithm::undef && (dtIn == F32 || bothBf16) && n >= 1024) {
      md = dnnl::memory::desc({n}, bothBf16 ? dnnl::memory::data_type::bf16 : dnnl::memory::data_type::f32, dnnl::memory::format_tag::a);
      auto pd = dnnl::eltwise_forward::primitive_desc(dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_inference, alg, md, 0.f, 0.f), c.eng);
      prim = std::make_unique<dnnl::eltwise_forward>(pd);
      impl = pd.impl_info_str();
    }
  }
  const char* name() const override { return "unary"; }
  std::string describe() const override { return impl; }
  // a float op with a bf16 input or output: through float32 in chunks
  void bf16_unary(const void* a, void* o) const {
    constexpr int64_t CH = 1024;
    parallel_for((n + CH - 1) / CH, 8, [&](int64_t s, int64_t e) {
      float x[CH], y[CH];
      for (int64_t c = s; c < e; c++) {
        const int64_t at = c * CH, w = std::min(CH, n - at);
        if (dtIn == BF16) from_bf16_row(static_cast<const uint16_t*>(a) + at, x, w);
        else std::memcpy(x, static_cast<const float*>(a) + at, size_t(w) * 4);
        unary_rows(op, x, y, w);
        if (dtOut == BF16) to_bf16_row(y, static_cast<uint16_t*>(o) + at, w);
        else std::memcpy(static_cast<float*>(o) + at, y, size_t(w) * 4);
      }
    });
  }
  void run(const Frame& f) override {
    if (n == 0) return;
    void* a = f.at(in); void* o = f.at(out);
    if (op == CAST) return cast_values(a, dtIn, o, dtOut, n);
    if (op == NOT) {
      auto* x = static_cast<const uint8_t*>(a); auto* y = static_cast<uint8_t*>(o);
      for (int64_t i = 0; i < n; i++) y[i] = !x[i];
      return;
    }
    if (prim) {
      dnnl::memory src(md, engine(), a), dst(md, engine(), o);
      prim->execute(*strm, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
      strm->wait();
      return;
    }
    if (dtIn == BF16 || dtOut == BF16) return bf16_unary(a, o);
    switch (dtIn) {
      case F32: return unary_loop<float>(op, static_cast<const float*>(a), static_cast<float*>(o), n);
      case F64: return unary_loop<double>(op, static_cast<const double*>(a), static_cast<double*>(o), n);
      case I32: return int_unary<int32_t>(op, static_cast<const int32_t*>(a), static_cast<int32_t*>(o), n);
      case I64: return int_unary<int64_t>(op, static_cast<const int64_t*>(a), static_cast<int64_t*>(o), n);
      default: std::memcpy(o, a, size_t(n) * dtype_size(dtIn));
    }
  }
};

template <class T>
inline T pow_c(T a, T b) { return std::pow(a, b); }

template <class T, class R>
inline R binary_value(int op, T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case ADD: return R(a + b);
      case SUB: return R(a - b);
      case MUL: return R(a * b);
      case DIV: return R(a / b);
      case POW: return R(pow_c(a, b));
      case MAXIMUM: return R(a != a || b != b ? std::numeric_limits<T>::quiet_NaN() : a > b ? a : b);
      case MINIMUM: return R(a != a || b != b ? std::numeric_limits<T>::quiet_NaN() : a < b ? a : b);
    }
  } else {
    switch (op) {
      case ADD: return R(a + b);
      case SUB: return R(a - b);
      case MUL: return R(a * b);
      case DIV: return R(b == 0 ? 0 : a / b);  // C division truncates, as the js kernel's Math.trunc
      case POW: return R(std::pow(double(a), double(b)));
      case MAXIMUM: return R(a > b ? a : b);
      case MINIMUM: return R(a < b ? a : b);
    }
  }
  switch (op) {
    case EQ: return R(a == b);
    case LT: return R(a < b);
    case GT: return R(a > b);
    case AND: return R(a && b);
    case OR: return R(a || b);
  }
  return R(0);
}

/** The rows of a collapsed broadcast: the last dim is the contiguous inner loop. */
struct Broadcast {
  std::vector<int64_t> dims;
  std::vector<std::vector<int64_t>> strides;  // per operand
  int64_t rows = 1, inner = 1;
  void read(Reader& r, int operands) {
    size_t nd = size_t(r.i32());
    dims = r.vec(nd);
    strides.resize(size_t(operands));
    for (auto& s : strides) s = r.vec(nd);
    if (nd == 0) { dims = {1}; for (auto& s : strides) s = {0}; }
    inner = dims.back();
    for (size_t d = 0; d + 1 < dims.size(); d++) rows *= dims[d];
  }
  int64_t offset(int operand, int64_t row) const {
    int64_t off = 0;
    const auto& s = strides[size_t(operand)];
    for (int64_t d = int64_t(dims.size()) - 2; d >= 0; d--) {
      int64_t c = row % dims[size_t(d)];
      row /= dims[size_t(d)];
      off += c * s[size_t(d)];
    }
    return off;
  }
  int64_t last(int operand) const { return strides[size_t(operand)].back(); }
};

template <class T, class R>
void binary_row(int op, int64_t inner, int64_t sa, int64_t sb, const T* pa, const T* pb, R* po) {
#define RT_ROW(EXPR)                                                                   \
  if (sa == 1 && sb == 1) for (int64_t i = 0; i < inner; i++) { T x = pa[i], y = pb[i]; po[i] = R(EXPR); } \
  else if (sa == 1 && sb == 0) { T y = pb[0]; for (int64_t i = 0; i < inner; i++) { T x = pa[i]; po[i] = R(EXPR); } } \
  else if (sa == 0 && sb == 1) { T x = pa[0]; for (int64_t i = 0; i < inner; i++) { T y = pb[i]; po[i] = R(EXPR); } } \
  else for (int64_t i = 0; i < inner; i++) { T x = pa[i * sa], y = pb[i * sb]; po[i] = R(EXPR); }
  switch (op) {
    case ADD: { RT_ROW(x + y) break; }
    case SUB: { RT_ROW(x - y) break; }
    case MUL: { RT_ROW(x * y) break; }
    case DIV: if constexpr (std::is_floating_point_v<T>) { RT_ROW(x / y) break; } [[fallthrough]];
    default: { RT_ROW((binary_value<T, R>(op, x, y))) }
  }
#undef RT_ROW
}

template <class T, class R>
void binary_rows(int op, const Broadcast& bc, const T* a, const T* b, R* o) {
  const int64_t inner = bc.inner, sa = bc.last(0), sb = bc.last(1);
  if (bc.rows == 1) {  // one long row: split it
    parallel_for(inner, 1 << 15, [&](int64_t s, int64_t e) { binary_row<T, R>(op, e - s, sa, sb, a + s * sa, b + s * sb, o + s); });
    return;
  }
  parallel_for(bc.rows, std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(inner, 1)), [&](int64_t s, int64_t e) {
    RowWalker<2> w(bc.dims, {&bc.strides[0], &bc.strides[1]}, s);
    for (int64_t r = s; r < e; r++, w.next()) binary_row<T, R>(op, inner, sa, sb, a + w.off[0], b + w.off[1], o + r * inner);
  });
}

struct BinaryInstr : Instr {
  int op, dt, dtOut, a, b, out;
  Broadcast bc;
  BinaryInstr(Reader& r) {
    op = r.i32(); dt = r.i32(); dtOut = r.i32(); a = r.i32(); b = r.i32(); out = r.i32();
    bc.read(r, 2);
  }
  const char* name() const override { return "binary"; }
  template <class T>
  void go(const Frame& f) {
    if (dtOut == BOOL) binary_rows<T, uint8_t>(op, bc, f.at<T>(a), f.at<T>(b), f.at<uint8_t>(out));
    else binary_rows<T, T>(op, bc, f.at<T>(a), f.at<T>(b), f.at<T>(out));
  }
  void run(const Frame& f) override {
    if (bc.rows * bc.inner == 0) return;
    switch (dt) {
      case F32: return go<float>(f);
      case F64: return go<double>(f);
      case I32: return go<int32_t>(f);
      case I64: return go<int64_t>(f);
      case BOOL: return go<uint8_t>(f);
      default: throw KernelError("binary op on an unsupported dtype " + std::to_string(dt));
    }
  }
  // in a row chain (float32 in and out): the chain's rows [g0, g1) are elements [g0·n/R, g1·n/R)
  void run_rows(const Frame& f, int64_t g0, int64_t g1, int64_t chainRows) override {
    const int64_t width = bc.rows * bc.inner / chainRows, sa = bc.last(0), sb = bc.last(1);
    const float* pa = f.at<float>(a); const float* pb = f.at<float>(b); float* po = f.at<float>(out);
    for (int64_t p = g0 * width, end = g1 * width; p < end;) {
      int64_t row = p / bc.inner, c0 = p % bc.inner, n = std::min(bc.inner - c0, end - p);
      binary_row<float, float>(op, n, sa, sb, pa + bc.offset(0, row) + c0 * sa, pb + bc.offset(1, row) + c0 * sb, po + p);
      p += n;
    }
  }
};

struct WhereInstr : Instr {
  int size, c, a, b, out;
  Broadcast bc;
  WhereInstr(Reader& r) {
    size = r.i32(); c = r.i32(); a = r.i32(); b = r.i32(); out = r.i32();
    bc.read(r, 3);
  }
  const char* name() const override { return "where"; }
  template <class T>
  void go(const Frame& f) {
    const uint8_t* pc = f.at<uint8_t>(c);
    const T* pa = f.at<T>(a); const T* pb = f.at<T>(b); T* po = f.at<T>(out);
    const int64_t inner = bc.inner, sc = bc.last(0), sa = bc.last(1), sb = bc.last(2);
    parallel_for(bc.rows, std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(inner, 1)), [&](int64_t s, int64_t e) {
      for (int64_t r = s; r < e; r++) {
        const uint8_t* rc = pc + bc.offset(0, r);
        const T* ra = pa + bc.offset(1, r); const T* rb = pb + bc.offset(2, r);
        T* ro = po + r * inner;
        for (int64_t i = 0; i < inner; i++) ro[i] = rc[i * sc] ? ra[i * sa] : rb[i * sb];
      }
    });
  }
  void run(const Frame& f) override {
    if (bc.rows * bc.inner == 0) return;
    switch (size) {
      case 1: return go<uint8_t>(f);
      case 2: return go<uint16_t>(f);
      case 4: return go<uint32_t>(f);
      default: return go<uint64_t>(f);
    }
  }
};

struct FillInstr : Instr {
  int dt, out;
  int64_t n;
  double value;
  FillInstr(Reader& r) { dt = r.i32(); out = r.i32(); n = r.i64(); value = r.next(); }
  const char* name() const override { return "fill"; }
  void run(const Frame& f) override {
    void* o = f.at(out);
    switch (dt) {
      case F32: std::fill_n(static_cast<float*>(o), n, float(value)); break;
      case F64: std::fill_n(static_cast<double*>(o), n, value); break;
      case I32: std::fill_n(static_cast<int32_t*>(o), n, int32_t(value)); break;
      case I64: std::fill_n(static_cast<int64_t*>(o), n, int64_t(value)); break;
      case BOOL: case U8: std::fill_n(static_cast<uint8_t*>(o), n, uint8_t(value != 0 ? (dt == BOOL ? 1 : value) : 0)); break;
      case I8: std::fill_n(static_cast<int8_t*>(o), n, int8_t(value)); break;
      case F16: std::fill_n(static_cast<uint16_t*>(o), n, f32_to_f16(float(value))); break;
      case BF16: std::fill_n(static_cast<uint16_t*>(o), n, f32_to_bf16(float(value))); break;
    }
  }
};

}  // namespace

InstrPtr make_elementwise(int op, Reader& r, BuildCtx& c) {
  switch (op) {
    case 1: return std::make_unique<UnaryInstr>(r, c);
    case 2: return std::make_unique<BinaryInstr>(r);
    case 3: return std::make_unique<WhereInstr>(r);
    default: return std::make_unique<FillInstr>(r);
  }
}

}  // namespace rt
