// Matmul on oneDNN. fp32: the operands are read in place through strided memory descriptors (a
// transposed weight is a stride, not a copy). bf16: both operands are converted to bf16 keeping
// their strides (one vectorised pass per value per run, shared by every matmul reading it: see
// Bf16Shadows) and the primitive accumulates and writes fp32 — converting explicitly is what gets
// AMX: fpmath_mode=bf16 on an f32 matmul was measured not to switch to it. oneDNN's reorders to
// the blocked layout it prefers cost as much as the matmuls (1.8 ms for a [2048, 384] operand);
// they remain the fallback where no bf16 kernel takes the strided layout. A resident weight
// (resident.hpp: fed again, as at inference) keeps its bf16 copy across runs. Weights kept in the
// preferred blocked layout instead were measured slower (MiniLM encode batch 32×64, bf16 AMX:
// matmuls 50.9 ms vs 33.6 ms strided), so that layout is only the fallback's.
// The bias of a following add (a [N] row) is fused as the primitive's bias argument, and a permute
// of the output keeping its last dim is the N-D form's dst strides (lower.ts).
#include <unordered_map>
#include "plan.hpp"
#include "resident.hpp"

namespace rt {
namespace {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;
using dims = dnnl::memory::dims;

struct MatmulInstr : Instr {
  int dtype, a, b, out, bias, act = 0;  // act: a gelu post-op (1 erf, 2 tanh), lower.ts's geluOf
  int64_t M, N, K, nb, bsA, bsB, rsA, csA, rsB, csB;
  std::vector<int64_t> offA, offB;  // explicit batch pairs (general broadcasting), else empty
  bool bf16 = false, shadow = false, nd = false;
  bool storedA = false, storedB = false, storedOut = false;  // values stored as bf16 (lower.ts storeBf16)
  int64_t nelemA = 0, nelemB = 0;
  std::unique_ptr<dnnl::matmul> prim;
  dnnl::memory::desc srcUser, weiUser, dstMd, biasMd, srcMd, weiMd;
  std::unique_ptr<dnnl::reorder> srcReorder, weiReorder;
  dnnl::memory::desc weiPlain16;  // the reorder fallback's B as bf16 in its own strides
  std::vector<uint8_t> srcBuf, weiBuf;
  std::string impl = "loop";
  dnnl::stream* strm;

  MatmulInstr(Reader& r, BuildCtx& c) : strm(&c.strm) {
    dtype = r.i32(); a = r.i32(); b = r.i32(); out = r.i32(); bias = r.i32();
    M = r.i64(); N = r.i64(); K = r.i64(); nb = r.i64();
    bsA = r.i64(); bsB = r.i64(); rsA = r.i64(); csA = r.i64(); rsB = r.i64(); csB = r.i64();
    int64_t pairs = r.i64();
    dims ndA, ndB, ndSA, ndSB, ndSD;
    if (pairs == -1) {  // N-D form: each operand and the output with its own strides (a folded permute)
      size_t rank = size_t(r.i64());
      ndA = r.vec(rank); ndSA = r.vec(rank); ndB = r.vec(rank); ndSB = r.vec(rank); ndSD = r.vec(rank);
      nd = true;
    } else {
      offA = r.vec(size_t(pairs));
      offB = r.vec(size_t(pairs));
    }
    act = r.i32();
    if (dtype != F32 || M == 0 || N == 0 || K == 0) return;
    bf16 = c.bf16;
    storedA = c.values[size_t(a)].dtype == BF16;
    storedB = c.values[size_t(b)].dtype == BF16;
    storedOut = c.values[size_t(out)].dtype == BF16;
    const dt dtA = storedA ? dt::bf16 : dt::f32, dtB = storedB ? dt::bf16 : dt::f32, dtO = storedOut ? dt::bf16 : dt::f32;
    dnnl::primitive_attr attr;
    if (act) {
      dnnl::post_ops po;
      po.append_eltwise(1.f, act == 2 ? dnnl::algorithm::eltwise_gelu_tanh : dnnl::algorithm::eltwise_gelu_erf, 0.f, 0.f);
      attr.set_post_ops(po);
    }
    const bool batched = offA.empty() && nb > 1;
    if (nd) {
      dims dd(ndA.begin(), ndA.end() - 2);
      dd.push_back(M);
      dd.push_back(N);
      srcUser = dnnl::memory::desc(ndA, dtA, ndSA);
      weiUser = dnnl::memory::desc(ndB, dtB, ndSB);
      dstMd = dnnl::memory::desc(dd, dtO, ndSD);
      if (bias >= 0) {
        dims bd(dd.size(), 1);
        bd.back() = N;
        dims bs(dd.size(), N);
        bs.back() = 1;
        biasMd = dnnl::memory::desc(bd, dt::f32, bs);
      }
    } else if (batched) {
      srcUser = dnnl::memory::desc(dims{bsA ? nb : 1, M, K}, dtA, dims{bsA ? bsA : M * K, rsA, csA});
      weiUser = dnnl::memory::desc(dims{bsB ? nb : 1, K, N}, dtB, dims{bsB ? bsB : K * N, rsB, csB});
      dstMd = dnnl::memory::desc(dims{nb, M, N}, dtO, tag::abc);
      if (bias >= 0) biasMd = dnnl::memory::desc(dims{1, 1, N}, dt::f32, tag::abc);
    } else {
      srcUser = dnnl::memory::desc(dims{M, K}, dtA, dims{rsA, csA});
      weiUser = dnnl::memory::desc(dims{K, N}, dtB, dims{rsB, csB});
      dstMd = dnnl::memory::desc(dims{M, N}, dtO, tag::ab);
      if (bias >= 0) biasMd = dnnl::memory::desc(dims{1, N}, dt::f32, tag::ab);
    }
    nelemA = c.values[size_t(a)].nelem;
    nelemB = c.values[size_t(b)].nelem;
    if (bf16) {
      // first choice: bf16 copies with the f32 operands' own strides
      srcMd = dnnl::memory::desc(srcUser.dims(), dt::bf16, stridesOf(srcUser));
      weiMd = dnnl::memory::desc(weiUser.dims(), dt::bf16, stridesOf(weiUser));
      try {
        auto d = bias >= 0 ? dnnl::matmul::desc(srcMd, weiMd, biasMd, dstMd) : dnnl::matmul::desc(srcMd, weiMd, dstMd);
        auto pd = dnnl::matmul::primitive_desc(d, attr, c.eng);
        std::string name = pd.impl_info_str();
        if (name.find("ref") == std::string::npos) {
          prim = std::make_unique<dnnl::matmul>(pd);
          impl = name;
          shadow = true;
          return;
        }
      } catch (const dnnl::error&) {
        // no kernel for these strides: reorder below
      }
      auto any = [&](const dnnl::memory::desc& u) {
        static const tag plain[] = {tag::a, tag::ab, tag::abc, tag::abcd, tag::abcde, tag::abcdef};
        return dnnl::memory::desc(u.dims(), dt::bf16, plain[u.dims().size() - 1]);
      };
      // src plain (reordered from its strides), weights in whatever layout the kernel prefers
      srcMd = any(srcUser);
      dnnl::memory::desc weiAny(weiUser.dims(), dt::bf16, tag::any);
      auto d = bias >= 0 ? dnnl::matmul::desc(srcMd, weiAny, biasMd, dstMd) : dnnl::matmul::desc(srcMd, weiAny, dstMd);
      auto pd = dnnl::matmul::primitive_desc(d, attr, c.eng);
      weiMd = pd.weights_desc();
      prim = std::make_unique<dnnl::matmul>(pd);
      impl = pd.impl_info_str();
      srcReorder = std::make_unique<dnnl::reorder>(dnnl::reorder::primitive_desc(c.eng, srcUser, c.eng, srcMd));
      weiReorder = std::make_unique<dnnl::reorder>(dnnl::reorder::primitive_desc(c.eng, weiUser, c.eng, weiMd));
      srcBuf.resize(srcMd.get_size());
      weiBuf.resize(weiMd.get_size());
      weiPlain16 = dnnl::memory::desc(weiUser.dims(), dt::bf16, stridesOf(weiUser));
    } else {
      auto d = bias >= 0 ? dnnl::matmul::desc(srcUser, weiUser, biasMd, dstMd) : dnnl::matmul::desc(srcUser, weiUser, dstMd);
      auto pd = dnnl::matmul::primitive_desc(d, attr, c.eng);
      prim = std::make_unique<dnnl::matmul>(pd);
      impl = pd.impl_info_str();
    }
  }
  const char* name() const override { return "matmul"; }
  std::string describe() const override { return impl; }

  static dims stridesOf(const dnnl::memory::desc& md) {
    const auto& b = md.data.format_desc.blocking;
    return dims(b.strides, b.strides + md.data.ndims);
  }

  void call(const Frame& f, int64_t oa, int64_t ob, void* po, float* pbias) {
    void* pa = storedA ? static_cast<void*>(f.at<uint16_t>(a) + oa) : static_cast<void*>(f.at<float>(a) + oa);
    void* pb = storedB ? static_cast<void*>(f.at<uint16_t>(b) + ob) : static_cast<void*>(f.at<float>(b) + ob);
    auto& eng = engine();
    if (shadow) {
      uint16_t* a16 = storedA ? static_cast<uint16_t*>(pa) : f.bf16(a, nelemA) + oa;
      uint16_t* b16 = storedB ? static_cast<uint16_t*>(pb) : f.bf16(b, nelemB) + ob;
      std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, dnnl::memory(srcMd, eng, a16)}, {DNNL_ARG_WEIGHTS, dnnl::memory(weiMd, eng, b16)}, {DNNL_ARG_DST, dnnl::memory(dstMd, eng, po)}};
      if (pbias) args.emplace(DNNL_ARG_BIAS, dnnl::memory(biasMd, eng, pbias));
      prim->execute(*strm, args);
      strm->wait();
      return;
    }
    // a resident B (a weight fed again) is reordered to the kernel's layout once, not every run
    const int64_t residentB = offA.empty() ? f.resident[size_t(b)] : 0;
    dnnl::memory src(srcUser, eng, pa), wei(weiUser, eng, pb), dst(dstMd, eng, po);
    std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_DST, dst}};
    if (pbias) args.emplace(DNNL_ARG_BIAS, dnnl::memory(biasMd, eng, pbias));
    if (bf16) {
      dnnl::memory s16(srcMd, eng, srcBuf.data());
      srcReorder->execute(*strm, src, s16);
      dnnl::memory w16 = residentB ? dnnl::memory(weiMd, eng, resident::layout(residentB, static_cast<float*>(pb), nelemB, weiPlain16, weiMd)) : dnnl::memory(weiMd, eng, weiBuf.data());
      if (!residentB) weiReorder->execute(*strm, wei, w16);
      args.emplace(DNNL_ARG_SRC, s16);
      args.emplace(DNNL_ARG_WEIGHTS, w16);
    } else {
      args.emplace(DNNL_ARG_SRC, src);
      args.emplace(DNNL_ARG_WEIGHTS, wei);
    }
    prim->execute(*strm, args);
    strm->wait();
  }

  template <class T>
  void loop(const T* pa, const T* pb, T* po, const T* pbias, int64_t oa, int64_t ob, int64_t oo) {
    for (int64_t i = 0; i < M; i++) {
      T* row = po + oo + i * N;
      for (int64_t j = 0; j < N; j++) row[j] = pbias ? pbias[j] : T(0);
      for (int64_t p = 0; p < K; p++) {
        T av = pa[oa + i * rsA + p * csA];
        for (int64_t j = 0; j < N; j++) row[j] += av * pb[ob + p * rsB + j * csB];
      }
    }
  }

  template <class T>
  void run_loops(const Frame& f) {
    const T* pa = f.at<T>(a); const T* pb = f.at<T>(b); T* po = f.at<T>(out);
    const T* pbias = bias >= 0 ? f.at<T>(bias) : nullptr;
    if (offA.empty()) {
      parallel_for(nb, 1, [&](int64_t s, int64_t e) {
        for (int64_t t = s; t < e; t++) loop<T>(pa, pb, po, pbias, t * bsA, t * bsB, t * M * N);
      });
    } else {
      parallel_for(int64_t(offA.size()), 1, [&](int64_t s, int64_t e) {
        for (int64_t t = s; t < e; t++) loop<T>(pa, pb, po, pbias, offA[size_t(t)], offB[size_t(t)], t * M * N);
      });
    }
  }

  void run(const Frame& f) override {
    if (M == 0 || N == 0) return;
    if (!prim) {
      if (nd) {  // K == 0: the product is empty, the output (dense: lower.ts writes permuted outputs only for K > 0) is the bias (or zero)
        float* po = f.at<float>(out);
        const float* pbias = bias >= 0 ? f.at<float>(bias) : nullptr;
        for (int64_t i = 0; i < nb * M; i++)
          for (int64_t j = 0; j < N; j++) po[i * N + j] = pbias ? pbias[j] : 0.f;
      } else {
        switch (dtype) {
          case F32: run_loops<float>(f); break;  // K == 0
          case F64: return run_loops<double>(f);
          case I32: return run_loops<int32_t>(f);
          case I64: return run_loops<int64_t>(f);
          default: throw KernelError("matmul on an unsupported dtype " + std::to_string(dtype));
        }
      }
      // the post-op the primitive would have applied (lower.ts fuses gelu only into float32 products)
      float* po = f.at<float>(out);
      const int64_t n = (offA.empty() ? nb : int64_t(offA.size())) * M * N;
      for (int64_t i = 0; act && i < n; i++) {
        float x = po[i];
        po[i] = act == 2 ? 0.5f * x * (1.f + std::tanh(0.79788456080286535588f * (x + 0.044715f * x * x * x))) : 0.5f * x * (1.f + std::erf(x * 0.70710678118654752440f));
      }
      return;
    }
    char* po = f.at<char>(out);
    float* pbias = bias >= 0 ? f.at<float>(bias) : nullptr;
    if (offA.empty()) return call(f, 0, 0, po, pbias);
    const int64_t outBytes = M * N * (storedOut ? 2 : 4);
    for (size_t t = 0; t < offA.size(); t++) call(f, offA[t], offB[t], po + int64_t(t) * outBytes, pbias);
  }
};

}  // namespace

InstrPtr make_matmul(int, Reader& r, BuildCtx& c) { return std::make_unique<MatmulInstr>(r, c); }

}  // namespace rt
