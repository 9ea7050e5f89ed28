#include "escrow/ops.hpp"

#include "base/codec.hpp"

namespace verdict::escrow {

const char* code_name(Code code) {
  switch (code) {
    case Code::kOk:
      return "ok";
    case Code::kMalformed:
      return "malformed";
    case Code::kBadSignature:
      return "bad_signature";
    case Code::kWrongRecipient:
      return "wrong_recipient";
    case Code::kStaleTimestamp:
      return "stale_timestamp";
    case Code::kReplay:
      return "replay";
    case Code::kOpIdReused:
      return "op_id_reused";
    case Code::kUnauthorized:
      return "unauthorized";
    case Code::kUnknownInstance:
      return "unknown_instance";
    case Code::kInstanceExists:
      return "instance_exists";
    case Code::kInvalidAmount:
      return "invalid_amount";
    case Code::kInsufficientFunds:
      return "insufficient_funds";
    case Code::kOverflow:
      return "overflow";
    case Code::kInvalidRules:
      return "invalid_rules";
    case Code::kWrongStage:
      return "wrong_stage";
    case Code::kDeadlineNotReached:
      return "deadline_not_reached";
    case Code::kDeadlinePassed:
      return "deadline_passed";
    case Code::kStakeTooLow:
      return "stake_too_low";
    case Code::kBadConsent:
      return "bad_consent";
    case Code::kInvalidRequest:
      return "invalid_request";
    case Code::kStorage:
      return "storage";
  }
  return "unknown";
}

InstanceId request_instance(const Request& request) {
  if (auto* o = std::get_if<OpenInstance>(&request.body)) return o->id;
  if (auto* a = std::get_if<Act>(&request.body)) return a->id;
  return InstanceId{};
}

namespace {
// Tags of the request body (wire format).
enum Tag : std::uint8_t { kMint = 1, kWithdraw, kTransfer, kStake, kUnstake, kOpen, kAct, kCollectFees };
constexpr std::size_t kMaxRulesBytes = 1 << 20;
constexpr std::size_t kMaxAccountName = 128;
constexpr std::uint32_t kMaxPostings = 4 * kMaxEffects + 16;
}  // namespace

std::vector<std::uint8_t> encode_request(const Request& request) {
  codec::Writer w;
  w.u8(1);  // format version
  w.fixed(request.op_id);
  std::visit(
      [&](const auto& b) {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, Mint>) {
          w.u8(kMint);
          w.fixed(b.to);
          w.i64(b.amount);
        } else if constexpr (std::is_same_v<T, Withdraw>) {
          w.u8(kWithdraw);
          w.i64(b.amount);
        } else if constexpr (std::is_same_v<T, Transfer>) {
          w.u8(kTransfer);
          w.fixed(b.to);
          w.i64(b.amount);
        } else if constexpr (std::is_same_v<T, Stake>) {
          w.u8(kStake);
          w.i64(b.amount);
        } else if constexpr (std::is_same_v<T, Unstake>) {
          w.u8(kUnstake);
          w.i64(b.amount);
        } else if constexpr (std::is_same_v<T, OpenInstance>) {
          w.u8(kOpen);
          w.fixed(b.id);
          w.bytes(encode_rules(b.rules));
          w.u32(static_cast<std::uint32_t>(b.parties.size()));
          for (const PartyId& p : b.parties) w.fixed(p);
        } else if constexpr (std::is_same_v<T, Act>) {
          w.u8(kAct);
          w.fixed(b.id);
          w.str(b.transition);
          w.fixed(b.evidence);
          w.u32(b.count);
        } else if constexpr (std::is_same_v<T, CollectFees>) {
          w.u8(kCollectFees);
          w.i64(b.amount);
        }
      },
      request.body);
  return w.take();
}

Result<Request> decode_request(std::span<const std::uint8_t> bytes) {
  codec::Reader r(bytes);
  Request out;
  if (std::uint8_t v = r.u8(); r.ok() && v != 1) r.fail("unknown request format version " + std::to_string(v));
  out.op_id = r.fixed<16>();
  std::uint8_t tag = r.u8();
  switch (tag) {
    case kMint:
      out.body = Mint{r.fixed<32>(), r.i64()};
      break;
    case kWithdraw:
      out.body = Withdraw{r.i64()};
      break;
    case kTransfer:
      out.body = Transfer{r.fixed<32>(), r.i64()};
      break;
    case kStake:
      out.body = Stake{r.i64()};
      break;
    case kUnstake:
      out.body = Unstake{r.i64()};
      break;
    case kOpen: {
      OpenInstance o;
      o.id = r.fixed<16>();
      std::vector<std::uint8_t> rules = r.bytes(kMaxRulesBytes);
      if (r.ok()) {
        auto decoded = decode_rules(rules);
        if (!decoded.ok()) {
          r.fail(decoded.error().message);
        } else {
          o.rules = std::move(*decoded);
        }
      }
      std::uint32_t n = r.count(kMaxRoles, 32);
      for (std::uint32_t i = 0; i < n && r.ok(); ++i) o.parties.push_back(r.fixed<32>());
      out.body = std::move(o);
      break;
    }
    case kAct: {
      Act a;
      a.id = r.fixed<16>();
      a.transition = r.str(kMaxNameLength);
      a.evidence = r.fixed<32>();
      a.count = r.u32();
      out.body = std::move(a);
      break;
    }
    case kCollectFees:
      out.body = CollectFees{r.i64()};
      break;
    default:
      if (r.ok()) r.fail("unknown request tag " + std::to_string(tag));
  }
  if (Status s = r.finish(); !s.ok()) return s.error().context("request");
  return out;
}

std::vector<std::uint8_t> encode_result(const OpResult& result) {
  codec::Writer w;
  w.u8(1);
  w.u32(static_cast<std::uint32_t>(result.postings.size()));
  for (const Posting& p : result.postings) {
    w.str(p.account);
    w.i64(p.delta);
  }
  w.str(result.stage);
  w.str(result.transition);
  return w.take();
}

Result<OpResult> decode_result(std::span<const std::uint8_t> bytes) {
  codec::Reader r(bytes);
  OpResult out;
  if (std::uint8_t v = r.u8(); r.ok() && v != 1) r.fail("unknown result format version " + std::to_string(v));
  std::uint32_t n = r.count(kMaxPostings, 12);
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
    Posting p;
    p.account = r.str(kMaxAccountName);
    p.delta = r.i64();
    out.postings.push_back(std::move(p));
  }
  out.stage = r.str(kMaxNameLength);
  out.transition = r.str(kMaxNameLength);
  if (Status s = r.finish(); !s.ok()) return s.error().context("result");
  return out;
}

std::string describe(const Request& request) {
  std::string id = to_hex(request.op_id).substr(0, 8);
  return std::visit(
      [&](const auto& b) -> std::string {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, Mint>) {
          return "mint " + std::to_string(b.amount) + " to " + to_hex(b.to).substr(0, 8) + " [" + id + "]";
        } else if constexpr (std::is_same_v<T, Withdraw>) {
          return "withdraw " + std::to_string(b.amount) + " [" + id + "]";
        } else if constexpr (std::is_same_v<T, Transfer>) {
          return "transfer " + std::to_string(b.amount) + " to " + to_hex(b.to).substr(0, 8) + " [" + id + "]";
        } else if constexpr (std::is_same_v<T, Stake>) {
          return "stake " + std::to_string(b.amount) + " [" + id + "]";
        } else if constexpr (std::is_same_v<T, Unstake>) {
          return "unstake " + std::to_string(b.amount) + " [" + id + "]";
        } else if constexpr (std::is_same_v<T, OpenInstance>) {
          return "open " + to_hex(b.id) + " (" + b.rules.name + ") [" + id + "]";
        } else if constexpr (std::is_same_v<T, Act>) {
          return "act " + b.transition + " on " + to_hex(b.id) + " [" + id + "]";
        } else {
          return "collect-fees " + std::to_string(b.amount) + " [" + id + "]";
        }
      },
      request.body);
}

}  // namespace verdict::escrow
