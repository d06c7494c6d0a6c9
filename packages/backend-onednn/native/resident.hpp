// Converted copies of float32 feeds that the JS side marks resident: a feed array it has seen in an
// earlier run (model weights at inference, frozen base weights under LoRA). Kept across runs and
// plans (every padded length of an encode shares them), so weights are converted to bf16, and
// reordered to a matmul's preferred layout, once instead of every run. Released when the JS array
// is garbage-collected. A sampled fingerprint, checked once per run, catches an array changed in
// place (core-tensor replaces buffers rather than writing into them, so this is a guard only).
#pragma once
#include <cstdint>
#include "dnnl.hpp"

namespace rt {
namespace resident {
/** Starts a run: fingerprints are checked again on first use in it. */
void next_run();
/** The bf16 copy of resident feed `id` (n float32 values at src). */
uint16_t* bf16(int64_t id, const float* src, int64_t n);
/** The bf16 copy (laid out as `from`) reordered to `to`, made once per layout. */
void* layout(int64_t id, const float* src, int64_t n, const dnnl::memory::desc& from, const dnnl::memory::desc& to);
void release(int64_t id);
/** Bytes held, for the bench. */
int64_t bytes();
}  // namespace resident
}  // namespace rt
