// Fuzzes the retrieval protocol's decoders of untrusted bytes (protocols/retrieval): the
// peer messages (the first byte picks the envelope type), the corpus file and the terms
// of a transcript header. Each input is rejected with an Error or decodes to a value
// whose canonical re-encoding is exactly the input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include "protocols/retrieval/corpus.hpp"
#include "protocols/retrieval/messages.hpp"

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}
bool same(const std::vector<std::uint8_t>& a, std::span<const std::uint8_t> b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

constexpr const char* kTypes[] = {"retrieval.corpus", "retrieval.request", "retrieval.response",
                                  "retrieval.openings", "retrieval.dispute", "retrieval.unknown"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace verdict::retrieval;  // NOLINT(google-build-using-namespace): a fuzzer
  if (size == 0) return 0;
  const std::span<const std::uint8_t> in(data + 1, size - 1);
  if (data[0] < 0xc0) {
    const char* type = kTypes[data[0] % 6];
    auto m = decode_message(type, in);
    if (m.ok()) {
      require(std::string(message_type(*m)) == type);
      require(same(encode_message(*m), in));
    }
  } else if (data[0] < 0xe0) {
    auto c = decode_corpus(in);
    if (c.ok()) require(same(encode_corpus(*c), in));
  } else {
    auto t = decode_terms(in);
    if (t.ok()) require(same(encode_terms(*t), in));
  }
  return 0;
}
