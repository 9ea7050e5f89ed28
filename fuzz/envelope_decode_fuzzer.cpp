// Fuzzes the decoders of untrusted bytes on the escrow service's path: the signed
// envelope (parties/wire), and the payloads it may carry (an escrow request with its
// embedded rule table, a query, a reply). Any input either is rejected with an Error or
// decodes to a value whose canonical re-encoding is exactly the input; verifying the
// signature and the frames of whatever decodes must not crash either.
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace verdict;
  const std::span<const std::uint8_t> in(data, size);

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
