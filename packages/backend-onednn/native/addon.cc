// The N-API surface: compile(stream, consts, bf16) → plan, run(plan, feeds) → Promise of output
// ArrayBuffers, both off the JS thread (AsyncWorker), so tokenization and data loading overlap
// with compute. All of them run on one native compute thread (compute-thread.hpp), one at a time:
// oneDNN's and our OpenMP loops already use every core.
#include <napi.h>
#include <chrono>
#include <memory>
#include <mutex>
#include "buffer-pool.hpp"
#include "compute-thread.hpp"
#include "plan.hpp"
#include "resident.hpp"

namespace {

using rt::Plan;
using PlanRef = std::shared_ptr<Plan>;

bool profiling = false;

std::vector<uint8_t> bytes_of(const Napi::Value& v) {
  auto ta = v.As<Napi::TypedArray>();
  auto* base = static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  return std::vector<uint8_t>(base, base + ta.ByteLength());
}

PlanRef& plan_of(const Napi::Value& v) {
  return *v.As<Napi::External<PlanRef>>().Data();
}

class CompileWorker : public Napi::AsyncWorker {
 public:
  CompileWorker(Napi::Env env, std::vector<double> s, std::vector<std::vector<uint8_t>> c, bool bf16)
      : Napi::AsyncWorker(env), deferred(Napi::Promise::Deferred::New(env)), stream(std::move(s)), consts(std::move(c)), bf16(bf16) {}
  Napi::Promise promise() { return deferred.Promise(); }
  void Execute() override {
    try {
      rt::ComputeThread::get().run([&] { plan = std::make_shared<Plan>(stream.data(), stream.size(), std::move(consts), bf16); });
    } catch (const dnnl::error& e) {
      SetError(std::string("oneDNN rejected a primitive: ") + e.what());
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }
  void OnOK() override {
    auto ext = Napi::External<PlanRef>::New(Env(), new PlanRef(plan), [](Napi::Env, PlanRef* p) { delete p; });
    deferred.Resolve(ext);
  }
  void OnError(const Napi::Error& e) override { deferred.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred;
  std::vector<double> stream;
  std::vector<std::vector<uint8_t>> consts;
  bool bf16;
  PlanRef plan;
};

Napi::Value Compile(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto s = info[0].As<Napi::Float64Array>();
  std::vector<double> stream(s.Data(), s.Data() + s.ElementLength());
  auto arr = info[1].As<Napi::Array>();
  std::vector<std::vector<uint8_t>> consts;
  for (uint32_t i = 0; i < arr.Length(); i++) consts.push_back(bytes_of(arr.Get(i)));
  auto* w = new CompileWorker(env, std::move(stream), std::move(consts), info[2].ToBoolean().Value());
  auto p = w->promise();
  w->Queue();
  return p;
}

class RunWorker : public Napi::AsyncWorker {
 public:
  RunWorker(Napi::Env env, PlanRef plan, Napi::Array feedArray, std::vector<int64_t> ids)
      : Napi::AsyncWorker(env), deferred(Napi::Promise::Deferred::New(env)), plan(std::move(plan)), residentIds(std::move(ids)) {
    feedsRef = Napi::Persistent(feedArray.As<Napi::Object>());  // the feeds stay alive while we read them
    for (uint32_t i = 0; i < feedArray.Length(); i++) {
      auto ta = feedArray.Get(i).As<Napi::TypedArray>();
      feeds.push_back(static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset());
    }
  }
  Napi::Promise promise() { return deferred.Promise(); }
  void Execute() override {
    try {
      outputs.assign(plan->outputBytes.size(), nullptr);  // taken from the pool by the plan, each before its first writer
      rt::ComputeThread::get().run([&] { plan->run(feeds, residentIds, outputs, profiling); });
    } catch (const dnnl::error& e) {
      SetError(std::string("oneDNN failed: ") + e.what());
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }
  void OnOK() override {
    auto env = Env();
    auto result = Napi::Array::New(env, outputs.size());
    for (size_t i = 0; i < outputs.size(); i++) {
      size_t bytes = size_t(plan->outputBytes[i]);
      auto* hint = new size_t(bytes);
      // V8 is told of the native bytes it holds: without it a step's ~270 MB of new parameters and
      // Adam state looked free to the GC, old buffers came back to the pool late, and fresh ones
      // page-faulted (~65,000 faults, ~100 ms a step).
      Napi::MemoryManagement::AdjustExternalMemory(env, int64_t(bytes));
      result.Set(uint32_t(i), Napi::ArrayBuffer::New(env, outputs[i], bytes, [](Napi::Env e, void* p, size_t* n) {
        Napi::MemoryManagement::AdjustExternalMemory(e, -int64_t(*n));
        rt::pool_give(p, *n);
        delete n;
      }, hint));
    }
    outputs.clear();
    deferred.Resolve(result);
  }
  void OnError(const Napi::Error& e) override {
    for (size_t i = 0; i < outputs.size(); i++) if (outputs[i]) rt::pool_give(outputs[i], size_t(plan->outputBytes[i]));
    outputs.clear();
    deferred.Reject(e.Value());
  }

 private:
  Napi::Promise::Deferred deferred;
  PlanRef plan;
  Napi::ObjectReference feedsRef;
  std::vector<void*> feeds, outputs;
  std::vector<int64_t> residentIds;
};

// run(plan, feeds, residentIds?): residentIds a Float64Array with, per feed, its resident id or 0.
Napi::Value Run(const Napi::CallbackInfo& info) {
  std::vector<int64_t> ids;
  if (info.Length() > 2 && info[2].IsTypedArray()) {
    auto a = info[2].As<Napi::Float64Array>();
    for (size_t i = 0; i < a.ElementLength(); i++) ids.push_back(int64_t(a[i]));
  }
  auto* w = new RunWorker(info.Env(), plan_of(info[0]), info[1].As<Napi::Array>(), std::move(ids));
  auto p = w->promise();
  w->Queue();
  return p;
}

Napi::Value Describe(const Napi::CallbackInfo& info) {
  auto& plan = plan_of(info[0]);
  auto env = info.Env();
  auto out = Napi::Array::New(env, plan->instrs.size());
  for (size_t i = 0; i < plan->instrs.size(); i++) {
    auto o = Napi::Object::New(env);
    o.Set("kind", plan->instrs[i]->name());
    o.Set("impl", plan->instrs[i]->describe());
    o.Set("ms", plan->profile[i]);
    out.Set(uint32_t(i), o);
  }
  return out;
}

// The bench's "plain oneDNN call" reference: the plan run `iters` times in C++, on the JS thread,
// with no N-API, promise or buffer traffic in between. Returns the mean ms per run.
Napi::Value TimeRuns(const Napi::CallbackInfo& info) {
  auto& plan = plan_of(info[0]);
  auto arr = info[1].As<Napi::Array>();
  int iters = info[2].As<Napi::Number>().Int32Value();
  std::vector<void*> feeds, outputs;
  for (uint32_t i = 0; i < arr.Length(); i++) {
    auto ta = arr.Get(i).As<Napi::TypedArray>();
    feeds.push_back(static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset());
  }
  for (auto b : plan->outputBytes) outputs.push_back(rt::pool_take(size_t(b)));
  double ms = 0;
  try {
    rt::ComputeThread::get().run([&] {
      plan->run(feeds, {}, outputs, false);
      auto t0 = std::chrono::steady_clock::now();
      for (int k = 0; k < iters; k++) plan->run(feeds, {}, outputs, false);
      ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / iters;
    });
  } catch (const std::exception& e) {
    for (size_t i = 0; i < outputs.size(); i++) rt::pool_give(outputs[i], size_t(plan->outputBytes[i]));
    throw Napi::Error::New(info.Env(), e.what());
  }
  for (size_t i = 0; i < outputs.size(); i++) rt::pool_give(outputs[i], size_t(plan->outputBytes[i]));
  return Napi::Number::New(info.Env(), ms);
}

// releaseResident(id): the JS array of a resident feed was garbage-collected.
Napi::Value ReleaseResident(const Napi::CallbackInfo& info) {
  rt::resident::release(int64_t(info[0].As<Napi::Number>().Int64Value()));
  return info.Env().Undefined();
}

Napi::Value SetProfiling(const Napi::CallbackInfo& info) {
  profiling = info[0].ToBoolean().Value();
  return info.Env().Undefined();
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto o = Napi::Object::New(env);
  const dnnl_version_t* v = dnnl_version();
  o.Set("version", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
  o.Set("threads", rt::threads());
  const char* isa = "unknown";
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::avx512_core_amx: isa = "avx512_core_amx"; break;
    case dnnl::cpu_isa::avx512_core_bf16: isa = "avx512_core_bf16"; break;
    case dnnl::cpu_isa::avx512_core_vnni: isa = "avx512_core_vnni"; break;
    case dnnl::cpu_isa::avx512_core: isa = "avx512_core"; break;
    case dnnl::cpu_isa::avx2: isa = "avx2"; break;
    default: break;
  }
  o.Set("isa", isa);
  o.Set("residentBytes", double(rt::resident::bytes()));
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("compile", Napi::Function::New(env, Compile));
  exports.Set("run", Napi::Function::New(env, Run));
  exports.Set("describe", Napi::Function::New(env, Describe));
  exports.Set("setProfiling", Napi::Function::New(env, SetProfiling));
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("timeRuns", Napi::Function::New(env, TimeRuns));
  exports.Set("releaseResident", Napi::Function::New(env, ReleaseResident));
  return exports;
}

}  // namespace

NODE_API_MODULE(retrievals_onednn, Init)
