#pragma once
// The snarkjs .ptau container (layout: ../shared/vectors/PTAU.md; our summary in
// docs/formats.md, "Powers of tau"). All integers little-endian:
//   "ptau" | u32 version = 1 | u32 section count | sections...
//   section = u32 id | u64 length | body
// Section 1 (header): u32 n8 = 32 | q (32 bytes, the BN254 base field modulus) |
//   u32 power | u32 ceremony power.
// Points are affine, Montgomery form (R = 2^256, which is also our Fq's R),
// little-endian, 32 bytes per Fq; G2 coordinates real part first; all-zero = identity.
// Sections 2..6: tauG1 (2N-1), tauG2 (N), alphaTauG1 (N), betaTauG1 (N), betaG2 (1);
// 7: contributions; 12..15: optional Lagrange-basis sections; 99: verdict's marker
// for an insecure development file.
//
// read_ptau_layout checks everything that can be checked without decoding points:
// magic, version, the section table (no duplicates, every length inside the file),
// the header fields, and every point section's exact length for the header's power.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/byte_source.hpp"
#include "base/result.hpp"
#include "snark/curve/g1.hpp"
#include "snark/curve/g2.hpp"

namespace verdict::commit {

inline constexpr std::uint32_t kPtauSectionHeader = 1;
inline constexpr std::uint32_t kPtauSectionTauG1 = 2;
inline constexpr std::uint32_t kPtauSectionTauG2 = 3;
inline constexpr std::uint32_t kPtauSectionAlphaTauG1 = 4;
inline constexpr std::uint32_t kPtauSectionBetaTauG1 = 5;
inline constexpr std::uint32_t kPtauSectionBetaG2 = 6;
inline constexpr std::uint32_t kPtauSectionContributions = 7;
inline constexpr std::uint32_t kPtauSectionInsecureDev = 99;
inline constexpr char kPtauInsecureDevMagic[] = "VERDICT INSECURE DEV SRS v1";

inline constexpr std::uint32_t kPtauMaxPower = 28;  // Fr's 2-adicity

struct PtauSection {
  std::uint64_t offset = 0;  // of the body
  std::uint64_t length = 0;
};

struct PtauLayout {
  std::uint32_t power = 0;
  std::uint32_t ceremony_power = 0;
  std::map<std::uint32_t, PtauSection> sections;
  std::uint32_t contributions = 0;        // from section 7
  std::vector<std::string> contributor_names;
  bool insecure_dev = false;              // section 99 present with the marker
  std::string insecure_dev_note;

  std::uint64_t num_g1_powers() const { return (std::uint64_t(2) << power) - 1; }
  std::uint64_t num_g2_powers() const { return std::uint64_t(1) << power; }
};

Result<PtauLayout> read_ptau_layout(const ByteSource& source);

// Decodes `count` points from the start of a point section, validating each one
// (canonical coordinates, on the curve; G2 also in the subgroup; the identity is
// rejected: no power of a non-zero tau is the identity). Requires `count` not to
// exceed the section.
Result<std::vector<curve::G1Affine>> read_ptau_g1(const ByteSource& source, const PtauLayout& layout,
                                                  std::uint32_t section, std::size_t count);
Result<std::vector<curve::G2Affine>> read_ptau_g2(const ByteSource& source, const PtauLayout& layout,
                                                  std::uint32_t section, std::size_t count);

}  // namespace verdict::commit
