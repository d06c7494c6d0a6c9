#include "buffer-pool.hpp"
#include <cstdlib>
#include <map>
#include <mutex>
#include <vector>

namespace rt {
namespace {
std::mutex mu;
std::map<size_t, std::vector<void*>> freeBySize;
size_t pooled = 0;
// Beyond this many idle bytes a returned buffer is freed instead of kept.
constexpr size_t kMaxPooled = size_t(768) << 20;
}  // namespace

void* pool_take(size_t bytes) {
  size_t rounded = (bytes + 63) / 64 * 64;
  if (rounded == 0) rounded = 64;
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
  return std::aligned_alloc(64, rounded);
}

void pool_give(void* p, size_t bytes) {
  size_t rounded = (bytes + 63) / 64 * 64;
  if (rounded == 0) rounded = 64;
  std::lock_guard<std::mutex> g(mu);
  if (pooled + rounded > kMaxPooled) {
    std::free(p);
    return;
  }
  freeBySize[rounded].push_back(p);
  pooled += rounded;
}
}  // namespace rt
