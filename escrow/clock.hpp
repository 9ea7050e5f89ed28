#pragma once
// Time, injected. The escrow enforces deadlines on its own clock: milliseconds since
// the Unix epoch. SystemClock reads the wall clock (deadlines survive a restart);
// ManualClock is set by tests and the simulator.

#include <atomic>
#include <cstdint>

namespace verdict::escrow {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since 1970-01-01T00:00:00Z. Thread-safe.
  virtual std::int64_t now_ms() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t now_ms() const override;
};

// Starts at `start_ms`; moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start_ms = 1'700'000'000'000) : now_(start_ms) {}
  std::int64_t now_ms() const override { return now_.load(); }
  void set(std::int64_t ms) { now_.store(ms); }
  void advance(std::int64_t ms) { now_.fetch_add(ms); }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace verdict::escrow
