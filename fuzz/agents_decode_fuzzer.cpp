// Fuzzes the agents' decoders of untrusted bytes (parties/agents): the accuracy peer
// messages (the first byte picks the envelope type) and whole protocol transcripts. A
// message either is rejected with an Error or decodes to a value whose canonical
// re-encoding is exactly the input; a transcript either is rejected or every record's
// chain value recomputes and re-encoding the records gives back the input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "base/codec.hpp"
#include "parties/agents/peer_messages.hpp"
#include "parties/agents/transcript.hpp"

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

constexpr const char* kTypes[] = {"accuracy.model_commitment", "accuracy.test_set_commitment", "accuracy.subset",
                                  "accuracy.rest", "accuracy.proofs", "accuracy.unknown"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::span<const std::uint8_t> in(data + 1, size - 1);
  if (data[0] < 0x80) {
    const char* type = kTypes[data[0] % 6];
    auto m = verdict::agents::decode_message(type, in);
    if (m.ok()) {
      const auto again = verdict::agents::encode_message(*m);
      require(std::string(verdict::agents::message_type(*m)) == type);
      // Proofs re-encode through nn::ModelProof, canonical too.
      require(again.size() == in.size() && std::equal(again.begin(), again.end(), in.begin()));
    }
    return 0;
  }
  auto t = verdict::agents::parse_transcript(in);
  if (t.ok()) {
    verdict::codec::Writer w;
    w.raw(std::span<const std::uint8_t>(in.data(), 8));
    verdict::agents::Digest chain = verdict::agents::transcript_genesis();
    for (const auto& r : *t) {
      const auto body = verdict::agents::encode_record_body(r);
      verdict::codec::Sha256 h;
      chain = h.update(chain).update(body).finish();
      require(chain == r.chain);
      w.u32(static_cast<std::uint32_t>(body.size()));
      w.raw(body);
      w.fixed(r.chain);
    }
    require(w.data().size() == in.size() && std::equal(w.data().begin(), w.data().end(), in.begin()));
  }
  return 0;
}
