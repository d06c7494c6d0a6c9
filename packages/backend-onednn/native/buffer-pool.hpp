// Output buffers are recycled by size: a fresh ArrayBuffer per output costs a page fault per 4 KiB
// on first touch (measured as a visible share of a training step), a recycled one does not.
#pragma once
#include <cstddef>

namespace rt {
void* pool_take(size_t bytes);
// 64-byte aligned; from 4 MiB on, whole transparent huge pages (freed with std::free).
void* allocate(size_t bytes);
void pool_give(void* p, size_t bytes);
}  // namespace rt
