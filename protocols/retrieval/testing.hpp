#pragma once
// Test fixtures of the retrieval protocol (not linked into the library): an Ed25519
// corpus source (OpenSSL EVP, like corpus.cpp; parties/wire sits above protocols) and
// small attested corpora, some documents junk on request.

#include <openssl/evp.h>

#include <cstdlib>
#include <memory>
#include <set>
#include <vector>

#include "base/rng.hpp"
#include "protocols/retrieval/corpus.hpp"

namespace verdict::retrieval::testing {

class Source {
 public:
  explicit Source(Rng& rng) {
    std::array<std::uint8_t, 32> seed{};
    rng.fill(seed);
    key_ = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size());
    if (!key_) std::abort();
    std::size_t len = public_.size();
    if (EVP_PKEY_get_raw_public_key(key_, public_.data(), &len) != 1) std::abort();
  }
  ~Source() { EVP_PKEY_free(key_); }
  Source(const Source&) = delete;
  Source& operator=(const Source&) = delete;

  const PublicKey& public_key() const { return public_; }
  Signature attest(std::span<const std::uint8_t> input) const {
    const Digest msg = attestation_message(input);
    Signature sig{};
    std::size_t len = sig.size();
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key_) != 1 ||
        EVP_DigestSign(ctx, sig.data(), &len, msg.data(), msg.size()) != 1) {
      std::abort();
    }
    EVP_MD_CTX_free(ctx);
    return sig;
  }

 private:
  EVP_PKEY* key_ = nullptr;
  PublicKey public_{};
};

// m documents of input_size random bytes, attested by `source`, except the indices in
// `junk` (random signatures).
inline std::vector<Document> make_corpus(const Source& source, Rng& rng, std::uint32_t m, std::uint32_t input_size,
                                         const std::set<std::uint32_t>& junk = {}) {
  std::vector<Document> out(m);
  for (std::uint32_t i = 0; i < m; ++i) {
    out[i].input.resize(input_size);
    rng.fill(out[i].input);
    if (junk.count(i)) {
      rng.fill(out[i].attestation);
    } else {
      out[i].attestation = source.attest(out[i].input);
    }
  }
  return out;
}

}  // namespace verdict::retrieval::testing
