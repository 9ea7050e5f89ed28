#pragma once
// The structured reference string KZG needs: [tau^i]_1 for i < n, [1]_2 and [tau]_2.
//
// Where it comes from (docs/formats.md, "Powers of tau"): a snarkjs .ptau file — the
// Perpetual Powers of Tau ceremony files, or any file of that format — read by
// load_srs(), which validates every point it loads (canonical coordinates, on the
// curve, G2 in its subgroup, no identity) and the consistency of the powers by a
// random pairing check. An explicitly insecure development SRS can be generated with
// write_dev_ptau() (`verdict srs dev --k N`); such a file carries a marker section,
// and load_srs() refuses it unless the caller sets allow_insecure_dev.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/byte_source.hpp"
#include "base/result.hpp"
#include "base/rng.hpp"
#include "snark/curve/g1.hpp"
#include "snark/curve/g2.hpp"

namespace verdict::commit {

using curve::G1Affine;
using curve::G2Affine;
using field::Fr;

struct Srs {
  std::vector<G1Affine> g1_powers;  // [tau^i]G1, i = 0 .. size-1; g1_powers[0] is the generator
  G2Affine g2;                      // [1]G2, the generator
  G2Affine tau_g2;                  // [tau]G2
  // More G2 powers, for arguments that pair against polynomials in tau of higher
  // degree (plonk's committed columns): [tau^i]_2 for i < kSmallG2Powers, and
  // [tau^(2^j)]_2 for every 2^j the source holds (index -> point).
  std::vector<std::pair<std::size_t, G2Affine>> g2_powers;
  unsigned file_power = 0;          // log2 of the source file's N (it holds 2N-1 G1 powers)
  bool insecure_dev = false;        // true only for a `verdict srs dev` file loaded on request

  static constexpr std::size_t kSmallG2Powers = 16;

  std::size_t size() const { return g1_powers.size(); }
  // [tau^i]_2 if this SRS carries it.
  std::optional<G2Affine> g2_power(std::size_t i) const;
};

struct SrsLoadOptions {
  // How many G1 powers to load; 0 means 2^power (the file's N). At most 2N - 1.
  std::size_t num_g1_powers = 0;
  // Accept a development SRS made by write_dev_ptau (its tau is not secret).
  bool allow_insecure_dev = false;
};

// Reads and validates an SRS from a .ptau file or byte source. The random challenge
// of the consistency check is drawn from `rng` (the OS CSPRNG in production).
Result<Srs> load_srs(const std::filesystem::path& path, const SrsLoadOptions& options, Rng& rng);
Result<Srs> load_srs(const ByteSource& source, const SrsLoadOptions& options, Rng& rng);

// An SRS with a caller-chosen tau, in memory: for tests and benchmarks only (the
// result is marked insecure_dev). Requires n >= 2.
Srs insecure_srs_from_tau(std::size_t n, const Fr& tau);

// Writes a development .ptau of the given power (2^(power+1) - 1 G1 powers, 2^power
// G2 powers, alpha = beta = 1, no contributions) with tau drawn from `tau_rng`, plus
// the insecure-dev marker section. `note` goes into the marker (e.g. the seed).
// Writes to a temporary file and renames it into place. Requires power in [1, 28].
Status write_dev_ptau(const std::filesystem::path& path, unsigned power, Rng& tau_rng, const std::string& note);

}  // namespace verdict::commit
