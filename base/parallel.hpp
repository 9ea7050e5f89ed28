#pragma once
// Data-parallel loops over all cores.
//
// There is no global thread pool (no global mutable state): each call starts its
// workers and joins them before returning, which costs tens of microseconds, so
// callers pass a grain size below which the loop runs on the calling thread.
// The worker count is std::thread::hardware_concurrency(), or VERDICT_THREADS when
// that environment variable holds a positive integer.

#include <cstddef>
#include <functional>

namespace verdict {

// Number of workers parallel_for uses (>= 1).
std::size_t worker_count();

// Calls body(begin, end) on disjoint chunks covering [0, n), at most one chunk per
// worker, each chunk at least `grain` long (except possibly when n < grain). Blocks
// until every chunk is done. body must be safe to run concurrently on disjoint ranges.
void parallel_for(std::size_t n, std::size_t grain, const std::function<void(std::size_t, std::size_t)>& body);

// Calls task(i) for i in [0, count) with up to worker_count() tasks running at once,
// handing out indices dynamically (for uneven tasks).
void parallel_tasks(std::size_t count, const std::function<void(std::size_t)>& task);

}  // namespace verdict
