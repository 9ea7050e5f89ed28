// Fuzzes proof decoding and verification against a fixed small circuit's key: any
// input is rejected with an Error or decodes canonically (re-encoding gives the same
// bytes); verification never crashes, and a changed proof never verifies.
#include <cstdlib>

#include "plonk_fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace verdict::plonk;
  const auto& m = fuzzing::material();
  auto bytes = fuzzing::shape_input(data, size, m.proof_bytes);
  auto proof = Proof::from_bytes(bytes, m.pk.vk);
  if (!proof.ok()) return 0;
  if (proof->to_bytes() != bytes) std::abort();
  bool accepted = verify(m.pk.vk, m.instances, *proof).ok();
  if (accepted && bytes != m.proof_bytes) std::abort();  // a modified proof verified
  return 0;
}
