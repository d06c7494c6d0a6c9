// Branch-free float exp and erf that the compiler vectorises inside a loop (glibc's expf/erff are
// scalar calls without -ffast-math, which we cannot use: it would break NaN propagation). In the
// MiniLM step, gelu's gradient and the attention softmax spent ~0.5 s per step in scalar expf/erff.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

namespace rt {

/** e^x to ~1 ulp: x = n·ln2 + r, |r| ≤ ln2/2, e^r by its degree-7 Taylor polynomial, × 2^n. */
inline float vexp(float x) {
  const float hi = 88.7228f, lo = -87.3365f;  // beyond: +inf, and 0 (e^x is subnormal there)
  float xc = x > hi ? hi : (x < lo ? lo : x);
  // round to nearest even by the 1.5·2^23 trick: std::nearbyint kept gcc from vectorising (2× slower)
  float n = (xc * 1.44269504088896341f + 12582912.f) - 12582912.f;
  float r = xc - n * 0.693145751953125f;
  r = r - n * 1.428606765330187e-06f;
  float p = 1.f / 5040 + r * (1.f / 40320);
  p = 1.f / 720 + r * p;
  p = 1.f / 120 + r * p;
  p = 1.f / 24 + r * p;
  p = 1.f / 6 + r * p;
  p = 0.5f + r * p;
  p = 1.f + r * p;
  p = 1.f + r * p;
  int32_t e = int32_t(n) + 127;
  // n can reach 128 at the top of the range: scale in two halves so 2^n never overflows the exponent
  int32_t e1 = e > 254 ? 254 : e, e2 = e - e1 + 127;
  uint32_t b1 = uint32_t(e1) << 23, b2 = uint32_t(e2) << 23;
  float s1, s2;
  std::memcpy(&s1, &b1, 4);
  std::memcpy(&s2, &b2, 4);
  float y = p * s1 * s2;
  y = x > hi ? INFINITY : (x < lo ? 0.f : y);
  return x != x ? x : y;
}

/**
 * erf: the odd Maclaurin series for |x| < 0.5 (exact to float there, and relative accuracy near 0),
 * and 1 − erfc(|x|) above, erfc by the Chebyshev fit of Numerical Recipes' erfcc (fractional error
 * < 1.2e-7), which keeps 1 + erf(x) accurate for negative x (gelu's cdf).
 */
inline float verf(float x) {
  float a = std::fabs(x);
  float x2 = x * x;
  // 2/√π · (x − x³/3 + x⁵/10 − x⁷/42 + x⁹/216 − x¹¹/1320)
  float series = x * (1.1283791670955126f + x2 * (-0.37612638903183754f + x2 * (0.11283791670955126f + x2 * (-0.026866170645131252f + x2 * (0.0052239776254421879f + x2 * -0.00085483270234508528f)))));
  float t = 1.f / (1.f + 0.5f * a);
  float poly = -1.26551223f + t * (1.00002368f + t * (0.37409196f + t * (0.09678418f + t * (-0.18628806f + t * (0.27886807f + t * (-1.13520398f + t * (1.48851587f + t * (-0.82215223f + t * 0.17087277f))))))));
  float erfc = t * vexp(-a * a + poly);
  float big = 1.f - erfc;
  big = x < 0 ? -big : big;
  return a < 0.5f ? series : big;
}

/** gelu (erf form) with verf: the fused groups' and the unary instruction's, bit for bit. */
inline float vgelu(float x) { return 0.5f * x * (1.f + verf(x * 0.70710678118654752440f)); }

}  // namespace rt

#ifdef __AVX512F__
#include <immintrin.h>
#endif

namespace rt {

#ifdef __AVX512F__
/** vexp on 16 lanes, bit for bit (checked on 1M values incl. NaN, ±inf and the range ends); 2^n by scalef. */
inline __m512 vexp16(__m512 x) {
  const __m512 hi = _mm512_set1_ps(88.7228f), lo = _mm512_set1_ps(-87.3365f);
  __m512 xc = _mm512_min_ps(_mm512_max_ps(x, lo), hi);
  __m512 n = _mm512_sub_ps(_mm512_fmadd_ps(xc, _mm512_set1_ps(1.44269504088896341f), _mm512_set1_ps(12582912.f)), _mm512_set1_ps(12582912.f));
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145751953125f), xc);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.428606765330187e-06f), r);
  __m512 p = _mm512_fmadd_ps(r, _mm512_set1_ps(1.f / 40320), _mm512_set1_ps(1.f / 5040));
  p = _mm512_fmadd_ps(r, p, _mm512_set1_ps(1.f / 720));
  p = _mm512_fmadd_ps(r, p, _mm512_set1_ps(1.f / 120));
  p = _mm512_fmadd_ps(r, p, _mm512_set1_ps(1.f / 24));
  p = _mm512_fmadd_ps(r, p, _mm512_set1_ps(1.f / 6));
  p = _mm512_fmadd_ps(r, p, _mm512_set1_ps(0.5f));
  p = _mm512_fmadd_ps(r, p, _mm512_set1_ps(1.f));
  p = _mm512_fmadd_ps(r, p, _mm512_set1_ps(1.f));
  __m512 y = _mm512_scalef_ps(p, n);
  y = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, hi, _CMP_GT_OQ), y, _mm512_set1_ps(INFINITY));
  y = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, lo, _CMP_LT_OQ), y, _mm512_setzero_ps());
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), y, x);
}
#endif

/**
 * y = vexp(x − w) over n values. gcc's vectorisation of vexp is latency-bound (one serial
 * polynomial per vector): four vectors in flight measured 0.85 → 0.55 ns/value on one core.
 */
inline void exp_shifted(const float* x, float w, float* y, int64_t n) {
  int64_t j = 0;
#ifdef __AVX512F__
  const __m512 W = _mm512_set1_ps(w);
  for (; j + 64 <= n; j += 64) {
    __m512 a0 = vexp16(_mm512_sub_ps(_mm512_loadu_ps(x + j), W)), a1 = vexp16(_mm512_sub_ps(_mm512_loadu_ps(x + j + 16), W));
    __m512 a2 = vexp16(_mm512_sub_ps(_mm512_loadu_ps(x + j + 32), W)), a3 = vexp16(_mm512_sub_ps(_mm512_loadu_ps(x + j + 48), W));
    _mm512_storeu_ps(y + j, a0);
    _mm512_storeu_ps(y + j + 16, a1);
    _mm512_storeu_ps(y + j + 32, a2);
    _mm512_storeu_ps(y + j + 48, a3);
  }
  for (; j + 16 <= n; j += 16) _mm512_storeu_ps(y + j, vexp16(_mm512_sub_ps(_mm512_loadu_ps(x + j), W)));
#endif
  for (; j < n; j++) y[j] = vexp(x[j] - w);
}

/** A row's max, and whether it holds a NaN (the caller decides what NaN means; a compare chain does not vectorise: 1.1 → 0.09 ns/value). */
inline float row_max(const float* x, int64_t n, bool& nan) {
  float m = -INFINITY;
  int64_t j = 0;
  nan = false;
#ifdef __AVX512F__
  __m512 mv = _mm512_set1_ps(-INFINITY);
  __mmask16 bad = 0;
  for (; j + 16 <= n; j += 16) {
    __m512 v = _mm512_loadu_ps(x + j);
    bad |= _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
    mv = _mm512_max_ps(mv, v);
  }
  m = _mm512_reduce_max_ps(mv);
  nan = bad != 0;
#endif
  for (; j < n; j++) {
    nan |= x[j] != x[j];
    m = x[j] > m ? x[j] : m;
  }
  return m;
}

/** A float row's sum in eight double partials, the tail on the first (reduce.cc's float row sums are this function). */
inline float row_sum(const float* p, int64_t n) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t j = 0;
#ifdef __AVX512F__
  __m512d av = _mm512_setzero_pd();
  for (; j + 8 <= n; j += 8) av = _mm512_add_pd(av, _mm512_cvtps_pd(_mm256_loadu_ps(p + j)));
  _mm512_storeu_pd(acc, av);
#endif
  for (; j + 8 <= n; j += 8)
    for (int l = 0; l < 8; l++) acc[l] += double(p[j + l]);
  for (; j < n; j++) acc[0] += double(p[j]);
  return float(((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])));
}

/**
 * dst[0..n) = src[0..n) with non-temporal stores where dst is 64-byte aligned: for outputs that go
 * back to JS, which no later kernel of the run reads, writing around the cache saves reading each
 * line in first (AdamW's update of MiniLM's 30522×384 embedding: 12 → 7 ms in a C++ loop). The
 * caller fences (store_fence) before the values are read on another thread.
 */
inline void store_stream(float* dst, const float* src, int64_t n) {
  int64_t j = 0;
#ifdef __AVX512F__
  for (; j < n && (reinterpret_cast<uintptr_t>(dst + j) & 63); j++) dst[j] = src[j];
  for (; j + 16 <= n; j += 16) _mm512_stream_ps(dst + j, _mm512_loadu_ps(src + j));
#endif
  for (; j < n; j++) dst[j] = src[j];
}

inline void store_fence() {
#ifdef __AVX512F__
  _mm_sfence();
#endif
}

/**
 * The fused groups' exp and erf over a row, compiled once (in fused.cc): a kernel doing the same
 * ops in one loop (gelu-grad.cc) calls these, so the results match bit for bit whatever the
 * caller's own floating-point contraction.
 */
void exp_rows(const float* a, float* d, int64_t n);
void erf_rows(const float* a, float* d, int64_t n);

}  // namespace rt
