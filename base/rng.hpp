#pragma once
// Randomness, injected: every consumer of randomness takes an Rng&.
//
// OsRng is the operating system's CSPRNG (getrandom(2)); use it for anything that
// becomes a key, a blinding factor, a challenge or a sample selection.
// ChaChaRng is a deterministic ChaCha20 keystream: cryptographically strong given a
// secret 32-byte key, and replayable from a printed seed in tests and simulations.
// Neither is rand(); nothing in verdict uses a non-cryptographic generator.

#include <array>
#include <cstdint>
#include <span>

namespace verdict {

class Rng {
 public:
  virtual ~Rng() = default;
  // Fills `out` with random bytes. Never fails (OsRng aborts if the kernel cannot
  // provide entropy, which is a broken system, not bad input).
  virtual void fill(std::span<std::uint8_t> out) = 0;

  std::uint64_t next_u64();
  // Uniform in [0, bound) by rejection; requires bound > 0.
  std::uint64_t uniform(std::uint64_t bound);
};

class OsRng final : public Rng {
 public:
  void fill(std::span<std::uint8_t> out) override;
};

class ChaChaRng final : public Rng {
 public:
  explicit ChaChaRng(const std::array<std::uint8_t, 32>& key);
  // Test convenience: key = the seed as 8 little-endian bytes followed by zeros.
  explicit ChaChaRng(std::uint64_t seed);

  void fill(std::span<std::uint8_t> out) override;

 private:
  void refill();

  std::array<std::uint32_t, 8> key_{};
  std::uint64_t counter_ = 0;
  std::array<std::uint8_t, 64> block_{};
  std::size_t used_ = 64;
};

}  // namespace verdict
