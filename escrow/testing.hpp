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
#include "escrow/rules.hpp"

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

// A sketch of a serving round (section 5.3) with counted effects: roles mc, mp,
// verifier; MC escrows 2KZ, MP beta*K*Z; "contest" takes K1 in [1, K]; proven contests
// pay 2*K1*Z from MC to MP; failed or missing proofs give MP's bond to MC; no contest
// refunds both.
inline RuleSet serving_sketch_rules(Amount k, Amount z, Amount beta, std::int64_t timeout_ms = 60'000) {
  constexpr std::uint8_t mc = 0, mp = 1, verifier = 2;
  RuleSet r;
  r.name = "serving-sketch/v0";
  r.roles = {"mc", "mp", "verifier"};
  r.deposits = {2 * k * z, beta * k * z, 0};
  r.min_stakes = {0, 0, 0};
  r.funding_timeout_ms = timeout_ms;
  r.stages = {{"round", timeout_ms, false},
              {"contested", timeout_ms, false},
              {"closed", 0, true},
              {"proven", 0, true},
              {"mp_slashed", 0, true}};
  const std::vector<Effect> refund = {{mc, mc, 0, EffectKind::kRest}, {mp, mp, 0, EffectKind::kRest}};
  const std::vector<Effect> proven = {
      {mc, mp, 2 * z, EffectKind::kPerCount}, {mc, mc, 0, EffectKind::kRest}, {mp, mp, 0, EffectKind::kRest}};
  const std::vector<Effect> slashed = {{mp, mc, 0, EffectKind::kRest}, {mc, mc, 0, EffectKind::kRest}};
  r.transitions = {
      {"contest", 0, 1, mc, false, {}, static_cast<std::uint32_t>(k)},
      {"close", 0, 2, mc, false, refund},
      {"expire", 0, 2, kAnyParty, true, refund},
      {"proofs_valid", 1, 3, verifier, false, proven},
      {"proofs_invalid", 1, 4, verifier, false, slashed},
      {"no_proofs", 1, 4, kAnyParty, true, slashed},
  };
  return r;
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
