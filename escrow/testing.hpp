#pragma once
// Helpers for the escrow tests (not linked into the library).

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "base/rng.hpp"
#include "escrow/accuracy_rules.hpp"
#include "escrow/ids.hpp"

namespace verdict::escrow::testing {

// A fixed, recognisable party id (not a real public key: the ledger does not care).
inline PartyId party(std::uint8_t n) {
  PartyId p{};
  p[0] = n;
  p[31] = 0xa5;
  return p;
}

template <std::size_t N>
std::array<std::uint8_t, N> random_id(Rng& rng) {
  std::array<std::uint8_t, N> a{};
  rng.fill(a);
  return a;
}

inline AccuracyParams small_params(std::int64_t n1, std::int64_t n2, Amount e, Amount p, Amount z, Amount eps) {
  AccuracyParams a;
  a.n1 = n1;
  a.n2 = n2;
  a.e = e;
  a.p = p;
  a.z = z;
  a.eps = eps;
  return a;
}

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/verdict-escrow-XXXXXX";
    if (!mkdtemp(tmpl.data())) std::abort();
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// The seed of a randomized test: $VERDICT_SEED if set, else `fallback`. Printed by the
// caller so that a failure can be replayed.
inline std::uint64_t test_seed(std::uint64_t fallback) {
  const char* s = std::getenv("VERDICT_SEED");
  return s && *s ? std::strtoull(s, nullptr, 0) : fallback;
}

}  // namespace verdict::escrow::testing
