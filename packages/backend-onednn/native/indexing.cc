// Gather / scatter / topk as plain loops. Indices are checked in one serial pass before the
// parallel copy (an exception must not leave an OpenMP region), with the js backend's message.
#include <algorithm>
#include <numeric>
#include "plan.hpp"

namespace rt {
namespace {

int64_t checked(int64_t i, int64_t dim, const char* op) {
  int64_t j = i < 0 ? i + dim : i;
  if (!(j >= 0 && j < dim)) throw KernelError(std::string(op) + ": index " + std::to_string(i) + " is out of range for a dimension of size " + std::to_string(dim));
  return j;
}

std::vector<int64_t> checked_indices(const void* idx, int dt, int64_t n, int64_t dim, const char* op) {
  std::vector<int64_t> out(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; j++) out[size_t(j)] = checked(load_index(idx, dt, size_t(j)), dim, op);
  return out;
}

struct GatherInstr : Instr {
  int size, x, idx, idxDt, out;
  int64_t outer, dim, inner, n;
  GatherInstr(Reader& r) { size = r.i32(); x = r.i32(); idx = r.i32(); idxDt = r.i32(); out = r.i32(); outer = r.i64(); dim = r.i64(); inner = r.i64(); n = r.i64(); }
  const char* name() const override { return "gather"; }
  void run(const Frame& f) override {
    auto ids = checked_indices(f.at(idx), idxDt, n, dim, "gather");
    const uint8_t* src = f.at<uint8_t>(x);
    uint8_t* dst = f.at<uint8_t>(out);
    const size_t row = size_t(inner) * size_t(size);
    parallel_for(outer * n, std::max<int64_t>(1, (1 << 16) / int64_t(std::max<size_t>(row, 1))), [&](int64_t b, int64_t e) {
      for (int64_t g = b; g < e; g++) {
        int64_t a = g / n, j = g % n;
        std::memcpy(dst + size_t(g) * row, src + (size_t(a) * size_t(dim) + size_t(ids[size_t(j)])) * row, row);
      }
    });
  }
};

/**
 * Adds each update row (a, j) into rowOf(a, j). Duplicate indices add into the same row, so one
 * thread owns each (outer, column block), the blocks narrow enough for every thread to get some;
 * within a column the adds keep index order.
 */
template <class T, class RowOf>
void scatter_rows(const T* upd, int64_t outer, int64_t n, int64_t inner, RowOf rowOf) {
  const int64_t width = column_width(inner, 2, 512);
  const int64_t blocks = (inner + width - 1) / width;
  parallel_for(outer * blocks, 1, [&](int64_t b, int64_t e) {
    for (int64_t g = b; g < e; g++) {
      int64_t a = g / blocks, c0 = (g % blocks) * width, w = std::min<int64_t>(width, inner - c0);
      for (int64_t j = 0; j < n; j++) {
        T* dst = rowOf(a, j) + c0;
        const T* src = upd + (a * n + j) * inner + c0;
        for (int64_t c = 0; c < w; c++) dst[c] += src[c];
      }
    }
  });
}

template <class T>
void gather_grad(const std::vector<int64_t>& ids, const T* upd, T* o, int64_t outer, int64_t dim, int64_t inner, int64_t n) {
  // the zeroing is most of the work for an embedding's gradient (30522×384: 47 MB for 4096 rows)
  parallel_for(outer * dim * inner, 1 << 18, [&](int64_t b, int64_t e) { std::fill(o + b, o + e, T(0)); });
  scatter_rows(upd, outer, n, inner, [&](int64_t a, int64_t j) { return o + (a * dim + ids[size_t(j)]) * inner; });
}

/**
 * o += the gather gradient of (ids, upd) (outer 1), as gather_grad would make it and then an add:
 * its touched rows summed in index order into a compact copy, then each added once, so o's row is
 * (first gradient) + (second) in one float add, as the add it replaces (untouched rows: + 0).
 */
template <class T>
void add_gather_grad(const std::vector<int64_t>& ids, const T* upd, T* o, int64_t dim, int64_t inner, int64_t n) {
  std::vector<int32_t> slot(static_cast<size_t>(dim), -1);
  std::vector<int64_t> rows;
  for (int64_t id : ids)
    if (slot[size_t(id)] < 0) {
      slot[size_t(id)] = int32_t(rows.size());
      rows.push_back(id);
    }
  std::vector<T> side(rows.size() * size_t(inner), T(0));
  scatter_rows(upd, 1, n, inner, [&](int64_t, int64_t j) { return side.data() + int64_t(slot[size_t(ids[size_t(j)])]) * inner; });
  parallel_for(int64_t(rows.size()), std::max<int64_t>(1, 4096 / std::max<int64_t>(inner, 1)), [&](int64_t b, int64_t e) {
    for (int64_t k = b; k < e; k++) {
      T* dst = o + rows[size_t(k)] * inner;
      const T* src = side.data() + k * inner;
      for (int64_t c = 0; c < inner; c++) dst[c] += src[c];
    }
  });
}

struct GatherGradInstr : Instr {
  int dt, idx, idxDt, upd, out;
  int64_t outer, dim, inner, n;
  // a second gradient added in (plan: the add of two gatherGrads of one table, outer 1)
  int idx2 = -1, idxDt2 = 0, upd2 = -1;
  int64_t n2 = 0;
  GatherGradInstr(Reader& r) {
    dt = r.i32(); idx = r.i32(); idxDt = r.i32(); upd = r.i32(); out = r.i32(); outer = r.i64(); dim = r.i64(); inner = r.i64(); n = r.i64();
    if (r.i32()) { idx2 = r.i32(); idxDt2 = r.i32(); upd2 = r.i32(); n2 = r.i64(); }
    if (idx2 >= 0 && outer != 1) throw KernelError("a paired gatherGrad is along axis 0 only");
  }
  const char* name() const override { return "gatherGrad"; }
  template <class T>
  void go(const Frame& f) {
    auto ids = checked_indices(f.at(idx), idxDt, n, dim, "gather");
    gather_grad<T>(ids, f.at<T>(upd), f.at<T>(out), outer, dim, inner, n);
    if (idx2 >= 0) add_gather_grad<T>(checked_indices(f.at(idx2), idxDt2, n2, dim, "gather"), f.at<T>(upd2), f.at<T>(out), dim, inner, n2);
  }
  void run(const Frame& f) override {
    if (dt == F32) go<float>(f);
    else if (dt == F64) go<double>(f);
    else throw KernelError("gatherGrad on an unsupported dtype " + std::to_string(dt));
  }
};

/** For each index element, the flat offset it addresses in a tensor of `dataDims`. */
std::vector<int64_t> element_offsets(const void* idx, int idxDt, const std::vector<int64_t>& idxDims, const std::vector<int64_t>& dataDims, int axis, const char* op) {
  size_t rank = idxDims.size();
  std::vector<int64_t> strides(rank, 1);
  for (int64_t d = int64_t(rank) - 2; d >= 0; d--) strides[size_t(d)] = strides[size_t(d) + 1] * dataDims[size_t(d) + 1];
  int64_t n = 1;
  for (auto d : idxDims) n *= d;
  std::vector<int64_t> offs(static_cast<size_t>(n));
  std::vector<int64_t> c(rank, 0);
  for (int64_t p = 0; p < n; p++) {
    int64_t off = 0;
    for (size_t d = 0; d < rank; d++) off += (int(d) == axis ? checked(load_index(idx, idxDt, size_t(p)), dataDims[d], op) : c[d]) * strides[d];
    offs[size_t(p)] = off;
    for (int64_t d = int64_t(rank) - 1; d >= 0; d--) {
      if (++c[size_t(d)] < idxDims[size_t(d)]) break;
      c[size_t(d)] = 0;
    }
  }
  return offs;
}

struct ElementsInstr : Instr {
  bool scatter;
  int sizeOrDt, a, idx, idxDt, out, axis;
  std::vector<int64_t> idxDims, dataDims;
  ElementsInstr(Reader& r, bool s) : scatter(s) {
    sizeOrDt = r.i32();
    if (scatter) { idx = r.i32(); idxDt = r.i32(); a = r.i32(); }
    else { a = r.i32(); idx = r.i32(); idxDt = r.i32(); }
    out = r.i32(); axis = r.i32();
    size_t rank = size_t(r.i32());
    idxDims = r.vec(rank);
    dataDims = r.vec(rank);
  }
  const char* name() const override { return scatter ? "scatterElementsAdd" : "gatherElements"; }
  void run(const Frame& f) override {
    auto offs = element_offsets(f.at(idx), idxDt, idxDims, dataDims, axis, name());
    if (!scatter) {
      const size_t sz = size_t(sizeOrDt);
      const uint8_t* src = f.at<uint8_t>(a);
      uint8_t* dst = f.at<uint8_t>(out);
      for (size_t p = 0; p < offs.size(); p++) std::memcpy(dst + p * sz, src + size_t(offs[p]) * sz, sz);
      return;
    }
    int64_t total = 1;
    for (auto d : dataDims) total *= d;
    if (sizeOrDt == F32) {
      float* o = f.at<float>(out); const float* u = f.at<float>(a);
      std::fill_n(o, total, 0.f);
      for (size_t p = 0; p < offs.size(); p++) o[offs[p]] += u[p];
    } else if (sizeOrDt == F64) {
      double* o = f.at<double>(out); const double* u = f.at<double>(a);
      std::fill_n(o, total, 0.0);
      for (size_t p = 0; p < offs.size(); p++) o[offs[p]] += u[p];
    } else throw KernelError("scatterElementsAdd on an unsupported dtype " + std::to_string(sizeOrDt));
  }
};

template <class T>
void topk_kernel(const T* in, int64_t* o, int64_t outer, int64_t dim, int64_t inner, int64_t k, bool largest) {
  parallel_for(outer * inner, 64, [&](int64_t b, int64_t e) {
    std::vector<int64_t> order(static_cast<size_t>(dim));
    for (int64_t g = b; g < e; g++) {
      int64_t p = g / inner, c = g % inner;
      const T* base = in + p * dim * inner + c;
      std::iota(order.begin(), order.end(), 0);
      // Stable: among equal values the lower index first, as onnxruntime's TopK and the js kernel.
      auto cmp = [&](int64_t x, int64_t y) { T vx = base[x * inner], vy = base[y * inner]; return largest ? vx > vy : vx < vy; };
      std::stable_sort(order.begin(), order.end(), cmp);
      for (int64_t j = 0; j < k; j++) o[p * k * inner + j * inner + c] = order[size_t(j)];
    }
  });
}

struct TopkInstr : Instr {
  int dt, in, out;
  int64_t outer, dim, inner, k;
  bool largest;
  TopkInstr(Reader& r) { dt = r.i32(); in = r.i32(); out = r.i32(); outer = r.i64(); dim = r.i64(); inner = r.i64(); k = r.i64(); largest = r.i32() != 0; }
  const char* name() const override { return "topk"; }
  void run(const Frame& f) override {
    int64_t* o = f.at<int64_t>(out);
    switch (dt) {
      case F32: return topk_kernel<float>(f.at<float>(in), o, outer, dim, inner, k, largest);
      case F64: return topk_kernel<double>(f.at<double>(in), o, outer, dim, inner, k, largest);
      case I32: return topk_kernel<int32_t>(f.at<int32_t>(in), o, outer, dim, inner, k, largest);
      case I64: return topk_kernel<int64_t>(f.at<int64_t>(in), o, outer, dim, inner, k, largest);
      default: throw KernelError("topk on an unsupported dtype " + std::to_string(dt));
    }
  }
};

}  // namespace

InstrPtr make_indexing(int op, Reader& r, BuildCtx&) {
  switch (op) {
    case 8: return std::make_unique<GatherInstr>(r);
    case 9: return std::make_unique<GatherGradInstr>(r);
    case 10: return std::make_unique<ElementsInstr>(r, false);
    case 11: return std::make_unique<ElementsInstr>(r, true);
    default: return std::make_unique<TopkInstr>(r);
  }
}

}  // namespace rt
