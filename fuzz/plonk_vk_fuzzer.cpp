// Fuzzes verifying-key decoding: rejected with an Error, or decoded canonically
// (re-encoding gives the same bytes). A decoded key is used to verify the reference
// proof, which must never crash (and verifies only for the genuine key).
#include <cstdlib>

#include "plonk_fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace verdict::plonk;
  const auto& m = fuzzing::material();
  auto bytes = fuzzing::shape_input(data, size, m.vk_bytes);
  auto vk = VerifyingKey::from_bytes(bytes);
  if (!vk.ok()) return 0;
  if (vk->to_bytes() != bytes) std::abort();
  if (vk->k > 6) return 0;  // keep runs short
  auto proof = Proof::from_bytes(m.proof_bytes, *vk);
  if (!proof.ok()) return 0;
  bool accepted = verify(*vk, m.instances, *proof).ok();
  if (accepted && vk->digest != m.pk.vk.digest) std::abort();  // another key accepted the proof
  return 0;
}
