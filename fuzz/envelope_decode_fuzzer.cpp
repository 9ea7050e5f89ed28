// Fuzzes the decoders of untrusted bytes on the escrow service's path: the signed
// envelope (parties/wire), and the payloads it may carry (an escrow request with its
// embedded rule table, a query, a reply). Any input either is rejected with an Error or
// decodes to a value whose canonical re-encoding is exactly the input; verifying the
// signature and the frames of whatever decodes must not crash either.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "escrow/ops.hpp"
#include "escrow/rules.hpp"
#include "parties/escrowd/messages.hpp"
#include "parties/wire/envelope.hpp"

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

bool same(std::span<const std::uint8_t> a, const std::vector<std::uint8_t>& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// Structured mode (first byte 0xa5): the rest becomes the fields of a genuine signed
// envelope, which must decode, verify, and stop verifying after any one-byte change.
void structured(std::span<const std::uint8_t> in) {
  using namespace verdict;
  static const wire::KeyPair key = [] {
    std::array<std::uint8_t, 32> seed{};
    seed.fill(7);
    return wire::KeyPair::from_seed(seed).value();
  }();
  if (in.size() < 12) return;
  wire::Envelope e;
  std::copy(in.begin(), in.begin() + 8, e.instance.begin());
  e.seq = in[8];
  e.timestamp_ms = static_cast<std::int64_t>(in[9]) << 32;
  e.type = in[10] % 2 ? "escrow.op" : "escrow.query";
  const std::size_t flip = in[11];
  e.payload.assign(in.begin() + 12, in.end());
  sign_envelope(e, key);
  std::vector<std::uint8_t> bytes = wire::encode_envelope(e);
  auto d = wire::decode_envelope(bytes);
  require(d.ok() && *d == e && wire::verify_envelope(*d).ok());
  bytes[flip % bytes.size()] ^= 0x01;
  auto bad = wire::decode_envelope(bytes);
  require(!bad.ok() || !wire::verify_envelope(*bad).ok());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace verdict;
  const std::span<const std::uint8_t> in(data, size);
  if (size > 0 && data[0] == 0xa5) structured(in.subspan(1));

  if (auto env = wire::decode_envelope(in); env.ok()) {
    require(same(in, wire::encode_envelope(*env)));
    (void)wire::envelope_hash(*env);
    (void)wire::verify_envelope(*env);
    std::vector<std::span<const std::uint8_t>> none;
    (void)wire::check_frames(*env, none);
    std::vector<std::span<const std::uint8_t>> one{in};
    (void)wire::check_frames(*env, one);
    // The payload, as the service would read it.
    if (auto r = escrow::decode_request(env->payload); r.ok()) require(same(env->payload, escrow::encode_request(*r)));
    if (auto q = escrowd::decode_query(env->payload); q.ok()) require(same(env->payload, escrowd::encode_query(*q)));
  }
  // The payload decoders directly, on the raw input.
  if (auto r = escrow::decode_request(in); r.ok()) {
    require(same(in, escrow::encode_request(*r)));
    if (auto* o = std::get_if<escrow::OpenInstance>(&r->body)) (void)escrow::analyze(o->rules);
  }
  if (auto rules = escrow::decode_rules(in); rules.ok()) {
    require(same(in, escrow::encode_rules(*rules)));
    (void)escrow::analyze(*rules);
  }
  if (auto q = escrowd::decode_query(in); q.ok()) require(same(in, escrowd::encode_query(*q)));
  if (auto rep = escrowd::decode_reply(in); rep.ok()) require(same(in, escrowd::encode_reply(*rep)));
  if (auto res = escrow::decode_result(in); res.ok()) require(same(in, escrow::encode_result(*res)));
  return 0;
}
