#pragma once
// The mock prover: runs a circuit's assignment and checks it row by row, without any
// cryptography, reporting each violated constraint by name, row and the values of the
// cells it reads. The tool for debugging layouts.
//
// It fills the blinding rows with random values and draws the challenges at random (from
// a seeded ChaCha generator), as the prover would, and then checks:
//   gates    every constraint on every row of the domain; a failure on a row >= u means
//            the gate is not switched off by a selector outside the usable rows
//   copies   both cells of every copy constraint are equal
//   lookups  on every usable row, the tuple of input values is a row of the table

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "snark/plonk/circuit.hpp"

namespace verdict::plonk {

struct VerifyFailure {
  enum class Kind { kGate, kCopy, kLookup };
  Kind kind;
  std::string name;  // "gate 'mul' constraint 'a*b=c'", "copy", "lookup 'range'"
  std::size_t row = 0;
  std::vector<std::pair<std::string, Fr>> cells;  // e.g. {"advice[0]@1", value}

  std::string to_string() const;
};

class MockProver {
 public:
  static Result<MockProver> run(Circuit& circuit, unsigned k, const std::vector<std::vector<Fr>>& instances,
                                std::uint64_t seed = 1);

  // Every failure found (at most kMaxFailures).
  const std::vector<VerifyFailure>& failures() const { return failures_; }
  // OK when there is none; otherwise an Error listing the first few.
  Status verify() const;

  static constexpr std::size_t kMaxFailures = 1000;

 private:
  std::vector<VerifyFailure> failures_;
};

}  // namespace verdict::plonk
