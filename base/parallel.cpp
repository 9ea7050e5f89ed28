#include "base/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace verdict {

std::size_t worker_count() {
  if (const char* env = std::getenv("VERDICT_THREADS")) {
    char* end = nullptr;
    long v = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && v > 0 && v <= 1024) return static_cast<std::size_t>(v);
  }
  unsigned hc = std::thread::hardware_concurrency();
  return hc == 0 ? 1 : hc;
}

void parallel_for(std::size_t n, std::size_t grain, const std::function<void(std::size_t, std::size_t)>& body) {
  if (n == 0) return;
  grain = std::max<std::size_t>(grain, 1);
  std::size_t workers = std::min(worker_count(), (n + grain - 1) / grain);
  if (workers <= 1) {
    body(0, n);
    return;
  }
  std::vector<std::thread> threads;
  threads.reserve(workers - 1);
  std::size_t chunk = n / workers, extra = n % workers, begin = 0;
  std::size_t first_end = 0;
  for (std::size_t w = 0; w < workers; ++w) {
    std::size_t end = begin + chunk + (w < extra ? 1 : 0);
    if (w == 0) {
      first_end = end;
    } else {
      threads.emplace_back([&body, begin, end] { body(begin, end); });
    }
    begin = end;
  }
  body(0, first_end);
  for (auto& t : threads) t.join();
}

void parallel_tasks(std::size_t count, const std::function<void(std::size_t)>& task) {
  if (count == 0) return;
  std::size_t workers = std::min(worker_count(), count);
  std::atomic<std::size_t> next{0};
  auto run = [&] {
    for (std::size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) task(i);
  };
  std::vector<std::thread> threads;
  for (std::size_t w = 1; w < workers; ++w) threads.emplace_back(run);
  run();
  for (auto& t : threads) t.join();
}

}  // namespace verdict
