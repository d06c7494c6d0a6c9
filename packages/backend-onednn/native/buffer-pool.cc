#include "buffer-pool.hpp"
#include <cstdlib>
#include <map>
#include <mutex>
#include <vector>
#include <sys/mman.h>

namespace rt {
namespace {
std::mutex mu;
std::map<size_t, std::vector<void*>> freeBySize;
size_t pooled = 0;
// Beyond this many idle bytes a returned buffer is freed instead of kept.
constexpr size_t kMaxPooled = size_t(768) << 20;
constexpr size_t kHuge = size_t(2) << 20;

// Buffers of 4 MiB and more are whole 2 MiB transparent huge pages: a step's fresh parameter and
// Adam-state outputs (~270 MB for MiniLM, when the GC has not yet returned the last step's) cost
// ~65,000 4 KiB page faults, ~0.2 s of kernel time; huge pages make that ~130.
size_t rounded_size(size_t bytes) {
  if (bytes >= 2 * kHuge) return (bytes + kHuge - 1) / kHuge * kHuge;
  return bytes == 0 ? 64 : (bytes + 63) / 64 * 64;
}

}  // namespace

void* allocate(size_t bytes) {
  size_t rounded = rounded_size(bytes);
  if (rounded < 2 * kHuge) return std::aligned_alloc(64, rounded);
  void* p = std::aligned_alloc(kHuge, rounded);
  if (p) madvise(p, rounded, MADV_HUGEPAGE);  // advice only: where THP is off this is a no-op
  return p;
}

void* pool_take(size_t bytes) {
  size_t rounded = rounded_size(bytes);
  {
    std::lock_guard<std::mutex> g(mu);
    auto it = freeBySize.find(rounded);
    if (it != freeBySize.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      pooled -= rounded;
      return p;
    }
  }
  return allocate(rounded);
}

void pool_give(void* p, size_t bytes) {
  size_t rounded = rounded_size(bytes);
  std::lock_guard<std::mutex> g(mu);
  if (pooled + rounded > kMaxPooled) {
    std::free(p);
    return;
  }
  freeBySize[rounded].push_back(p);
  pooled += rounded;
}
}  // namespace rt
