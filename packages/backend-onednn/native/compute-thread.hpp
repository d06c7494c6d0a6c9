// Every compile and run executes on ONE native thread. libgomp keeps a thread team per master
// thread: running on whichever libuv pool thread picked up the job gave up to four teams, and the
// idle ones spin-wait on the same two cores the busy one needs (measured: matmuls from Node at
// 30-60 % of the same plan run in a C++ loop). The AsyncWorker's pool thread only waits here.
#pragma once
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace rt {

class ComputeThread {
 public:
  static ComputeThread& get() {
    static ComputeThread* t = new ComputeThread();  // never destroyed: joined threads at exit race with the loader
    return *t;
  }
  /** Runs fn on the compute thread and waits for it; its exception is rethrown here. */
  void run(const std::function<void()>& fn) {
    if (std::this_thread::get_id() == worker.get_id()) return fn();
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    std::exception_ptr err;
    {
      std::lock_guard<std::mutex> g(mu);
      jobs.push_back([&] {
        try {
          fn();
        } catch (...) {
          err = std::current_exception();
        }
        std::lock_guard<std::mutex> dg(m);
        done = true;
        cv.notify_one();
      });
    }
    wake.notify_one();
    std::unique_lock<std::mutex> l(m);
    cv.wait(l, [&] { return done; });
    if (err) std::rethrow_exception(err);
  }

 private:
  ComputeThread() : worker([this] { loop(); }) { worker.detach(); }
  void loop() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> l(mu);
        wake.wait(l, [&] { return !jobs.empty(); });
        job = std::move(jobs.front());
        jobs.pop_front();
      }
      job();
    }
  }
  std::mutex mu;
  std::condition_variable wake;
  std::deque<std::function<void()>> jobs;
  std::thread worker;
};

}  // namespace rt
