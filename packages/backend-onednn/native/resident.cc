#include "resident.hpp"
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>
#include "plan.hpp"

namespace rt {
namespace resident {
namespace {

struct Entry {
  uint64_t fingerprint = 0;
  uint64_t checkedIn = 0;  // the run the fingerprint was last checked in
  const float* src = nullptr;
  int64_t n = 0;
  std::vector<uint16_t> bf16;
  std::map<std::string, std::vector<uint8_t>> layouts;  // by the target memory descriptor's bytes
};

std::mutex mu;
std::unordered_map<int64_t, Entry> entries;
uint64_t run = 0;

uint64_t fingerprint(const float* src, int64_t n) {
  uint64_t h = 1469598103934665603ull ^ uint64_t(n);
  const int64_t samples = n < 256 ? n : 256;
  for (int64_t k = 0; k < samples; k++) {
    uint32_t u;
    std::memcpy(&u, src + (samples == n ? k : k * (n - 1) / (samples - 1)), 4);
    h = (h ^ u) * 1099511628211ull;
  }
  return h;
}

// The entry for id, emptied when its array moved or its sampled values changed.
Entry& fresh(int64_t id, const float* src, int64_t n) {
  Entry& e = entries[id];
  if (e.checkedIn == run && e.src == src && e.n == n) return e;
  uint64_t fp = fingerprint(src, n);
  if (e.src != src || e.n != n || e.fingerprint != fp) {
    e.bf16.clear();
    e.layouts.clear();
    e.src = src;
    e.n = n;
    e.fingerprint = fp;
  }
  e.checkedIn = run;
  return e;
}

}  // namespace

void next_run() {
  std::lock_guard<std::mutex> g(mu);
  run++;
}

uint16_t* bf16(int64_t id, const float* src, int64_t n) {
  std::lock_guard<std::mutex> g(mu);
  Entry& e = fresh(id, src, n);
  if (e.bf16.size() != size_t(n)) {
    e.bf16.resize(size_t(n));
    to_bf16(src, e.bf16.data(), n);
  }
  return e.bf16.data();
}

void* layout(int64_t id, const float* src, int64_t n, const dnnl::memory::desc& from, const dnnl::memory::desc& to) {
  uint16_t* plain = bf16(id, src, n);
  std::lock_guard<std::mutex> g(mu);
  Entry& e = entries[id];
  std::string key(reinterpret_cast<const char*>(&to.data), sizeof(to.data));
  auto it = e.layouts.find(key);
  if (it != e.layouts.end()) return it->second.data();
  std::vector<uint8_t> buf(to.get_size());
  dnnl::memory a(from, engine(), plain), b(to, engine(), buf.data());
  dnnl::reorder(dnnl::reorder::primitive_desc(engine(), from, engine(), to)).execute(stream(), a, b);
  stream().wait();
  return e.layouts.emplace(std::move(key), std::move(buf)).first->second.data();
}

void release(int64_t id) {
  std::lock_guard<std::mutex> g(mu);
  entries.erase(id);
}

int64_t bytes() {
  std::lock_guard<std::mutex> g(mu);
  int64_t total = 0;
  for (auto& [id, e] : entries) {
    total += int64_t(e.bf16.size()) * 2;
    for (auto& [k, l] : e.layouts) total += int64_t(l.size());
  }
  return total;
}

}  // namespace resident
}  // namespace rt
