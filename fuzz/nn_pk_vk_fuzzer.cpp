// Fuzzes reading the verifying key out of a model proving key's bytes
// (nn::ModelProvingKey::verifying_key_of, used to size the SRS before loading the key):
// any input is rejected with an Error, or its verifying key decodes canonically (the
// input starts with the header and the re-encoded key, length-prefixed).
// Input byte 0 selects the mode: 0 = the rest is the whole input; otherwise the rest
// edits the start of a valid proving key of a small fully connected model (the header,
// the verifying key and the first bytes of the Plonk key; built once per process;
// plonk_fuzz_support.hpp).
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "base/codec.hpp"
#include "plonk_fuzz_support.hpp"
#include "nn_fuzz_support.hpp"
#include "snark/nn/model_proof.hpp"

namespace {

using namespace verdict;

constexpr std::size_t kHeader = 4 + 2 + 32;  // magic, version, model digest

// The first bytes of the fixed proving key: header, verifying key, 64 bytes of the Plonk key.
const std::vector<std::uint8_t>& valid_prefix() {
  static const std::vector<std::uint8_t> prefix = [] {
    const auto& f = nn::fuzzing::material("fuzz_nn_pk_vk");
    auto bytes = f.key.to_bytes();
    const std::size_t keep = kHeader + 4 + f.key.mvk.to_bytes().size() + 64;
    bytes.resize(std::min(bytes.size(), keep));
    return bytes;
  }();
  return prefix;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  valid_prefix();  // the one-time setup, outside every input's time limit
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto bytes = plonk::fuzzing::shape_input(data, size, valid_prefix());
  auto vk = nn::ModelProvingKey::verifying_key_of(bytes);
  if (!vk.ok()) return 0;
  // The input is the header, then the key's canonical bytes (length-prefixed), then anything.
  codec::Writer w;
  w.raw(std::span(bytes).first(kHeader));
  w.bytes(vk->to_bytes());
  const auto expect = w.take();
  if (bytes.size() < expect.size() || !std::equal(expect.begin(), expect.end(), bytes.begin())) std::abort();
  return 0;
}
