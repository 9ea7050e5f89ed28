#include "protocols/accuracy/sealed.hpp"

#include <openssl/evp.h>

#include <memory>

#include "base/codec.hpp"

namespace verdict::accuracy {

namespace {

constexpr std::size_t kNonce = 12;
constexpr std::size_t kTag = 16;
constexpr std::uint32_t kMaxBatch = 1u << 20;
constexpr std::size_t kMaxInput = 16u << 20;

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

std::array<std::uint8_t, 33> aad(const Digest& session, Reveal which) {
  std::array<std::uint8_t, 33> a{};
  std::copy(session.begin(), session.end(), a.begin());
  a[32] = static_cast<std::uint8_t>(which);
  return a;
}

int len(std::size_t n) { return static_cast<int>(n); }

}  // namespace

std::vector<std::uint8_t> encode_batch(std::span<const RevealedExample> batch) {
  codec::Writer w;
  w.u32(static_cast<std::uint32_t>(batch.size()));
  for (const RevealedExample& r : batch) {
    w.u32(r.index);
    w.bytes(r.example.input);
    w.u32(r.example.label);
    w.fixed(r.example.salt.to_bytes_be());
    w.u32(static_cast<std::uint32_t>(r.path.size()));
    for (const Digest& d : r.path) w.fixed(d);
  }
  return w.take();
}

Result<std::vector<RevealedExample>> decode_batch(std::span<const std::uint8_t> bytes) {
  codec::Reader r(bytes);
  const std::uint32_t count = r.count(kMaxBatch, 4 + 4 + 4 + 32 + 4);
  std::vector<RevealedExample> out;
  out.reserve(count);
  for (std::uint32_t i = 0; i < count && r.ok(); ++i) {
    RevealedExample e;
    e.index = r.u32();
    e.example.input = r.bytes(kMaxInput);
    e.example.label = r.u32();
    const auto salt = r.fixed<32>();
    const std::uint32_t plen = r.count(64, 32);
    for (std::uint32_t j = 0; j < plen && r.ok(); ++j) e.path.push_back(r.fixed<32>());
    if (!r.ok()) break;
    auto s = field::Fr::from_bytes_be(salt);
    if (!s.ok()) return s.error().context("batch: example salt");
    e.example.salt = *s;
    out.push_back(std::move(e));
  }
  if (Status st = r.finish(); !st.ok()) return st.error().context("batch");
  return out;
}

std::vector<std::uint8_t> seal(const Key& key, std::span<const std::uint8_t> plaintext, const Digest& session,
                               Reveal which, Rng& rng) {
  std::vector<std::uint8_t> out(kNonce + plaintext.size() + kTag);
  rng.fill(std::span(out.data(), kNonce));
  const auto a = aad(session, which);
  Ctx ctx(EVP_CIPHER_CTX_new());
  int n = 0;
  bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), out.data()) == 1 &&
            EVP_EncryptUpdate(ctx.get(), nullptr, &n, a.data(), len(a.size())) == 1 &&
            EVP_EncryptUpdate(ctx.get(), out.data() + kNonce, &n, plaintext.data(), len(plaintext.size())) == 1 &&
            EVP_EncryptFinal_ex(ctx.get(), out.data() + kNonce + n, &n) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, len(kTag),
                                out.data() + kNonce + plaintext.size()) == 1;
  if (!ok) std::abort();  // allocation or library failure: not bad input
  return out;
}

Result<std::vector<std::uint8_t>> open_sealed(const Key& key, std::span<const std::uint8_t> sealed,
                                              const Digest& session, Reveal which) {
  if (sealed.size() < kNonce + kTag || sealed.size() > (std::size_t{1} << 31)) {
    return Error{"sealed batch: wrong size"};
  }
  const std::size_t body = sealed.size() - kNonce - kTag;
  std::vector<std::uint8_t> out(body);
  std::array<std::uint8_t, kTag> tag{};
  std::copy(sealed.end() - kTag, sealed.end(), tag.begin());
  const auto a = aad(session, which);
  Ctx ctx(EVP_CIPHER_CTX_new());
  int n = 0;
  bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), sealed.data()) == 1 &&
            EVP_DecryptUpdate(ctx.get(), nullptr, &n, a.data(), len(a.size())) == 1 &&
            EVP_DecryptUpdate(ctx.get(), out.data(), &n, sealed.data() + kNonce, len(body)) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, len(kTag), tag.data()) == 1;
  if (!ok) return Error{"sealed batch: cipher setup failed"};
  std::array<std::uint8_t, 16> fin{};
  if (EVP_DecryptFinal_ex(ctx.get(), fin.data(), &n) != 1) {
    return Error{"sealed batch: does not authenticate under the published key"};
  }
  return out;
}

Result<std::vector<Example>> open_reveal(const Key& key, std::span<const std::uint8_t> sealed, const Digest& session,
                                         Reveal which, std::span<const std::uint32_t> indices,
                                         const TestSetHead& head) {
  auto plain = open_sealed(key, sealed, session, which);
  if (!plain.ok()) return plain.error();
  auto batch = decode_batch(*plain);
  if (!batch.ok()) return batch.error();
  if (batch->size() != indices.size()) return Error{"reveal: wrong number of examples"};
  std::vector<Example> out;
  out.reserve(batch->size());
  for (std::size_t i = 0; i < batch->size(); ++i) {
    RevealedExample& r = (*batch)[i];
    if (r.index != indices[i]) return Error{"reveal: example " + std::to_string(i) + " has the wrong index"};
    if (!merkle_verify(example_leaf(r.index, r.example), r.index, head.n, r.path, head.root)) {
      return Error{"reveal: example " + std::to_string(r.index) + " is not in the committed test set"};
    }
    out.push_back(std::move(r.example));
  }
  return out;
}

}  // namespace verdict::accuracy
