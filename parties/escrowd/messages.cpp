#include "parties/escrowd/messages.hpp"

#include "base/codec.hpp"

namespace verdict::escrowd {

using codec::Reader;
using codec::Writer;

const char* status_name(ReplyStatus s) {
  switch (s) {
    case ReplyStatus::kApplied:
      return "applied";
    case ReplyStatus::kDuplicate:
      return "duplicate";
    case ReplyStatus::kRejected:
      return "rejected";
    case ReplyStatus::kAnswer:
      return "answer";
  }
  return "unknown";
}

std::vector<std::uint8_t> encode_query(const Query& q) {
  Writer w;
  w.u8(1);
  w.u8(static_cast<std::uint8_t>(q.kind));
  switch (q.kind) {
    case QueryKind::kSummary:
      w.fixed(q.party);
      break;
    case QueryKind::kInstance:
    case QueryKind::kChainHead:
      w.fixed(q.instance);
      break;
    case QueryKind::kAuditHead:
      break;
    case QueryKind::kBalance:
      w.str(q.account);
      break;
  }
  return w.take();
}

Result<Query> decode_query(std::span<const std::uint8_t> bytes) {
  Reader r(bytes);
  Query q;
  if (std::uint8_t v = r.u8(); r.ok() && v != 1) r.fail("unknown query version");
  std::uint8_t kind = r.u8();
  q.kind = static_cast<QueryKind>(kind);
  switch (q.kind) {
    case QueryKind::kSummary:
      q.party = r.fixed<32>();
      break;
    case QueryKind::kInstance:
    case QueryKind::kChainHead:
      q.instance = r.fixed<16>();
      break;
    case QueryKind::kAuditHead:
      break;
    case QueryKind::kBalance:
      q.account = r.str(128);
      break;
    default:
      if (r.ok()) r.fail("unknown query kind " + std::to_string(kind));
  }
  if (Status s = r.finish(); !s.ok()) return s.error().context("query");
  return q;
}

std::vector<std::uint8_t> encode_reply(const Reply& rep) {
  Writer w;
  w.u8(1);
  w.u8(static_cast<std::uint8_t>(rep.status));
  w.u8(static_cast<std::uint8_t>(rep.code));
  w.str(rep.reason);
  w.u64(rep.audit_seq);
  w.fixed(rep.audit_hash);
  w.i64(rep.time_ms);
  w.bytes(rep.body);
  return w.take();
}

Result<Reply> decode_reply(std::span<const std::uint8_t> bytes) {
  Reader r(bytes);
  Reply rep;
  if (std::uint8_t v = r.u8(); r.ok() && v != 1) r.fail("unknown reply version");
  std::uint8_t status = r.u8();
  if (r.ok() && status > 3) r.fail("unknown reply status");
  rep.status = static_cast<ReplyStatus>(status);
  rep.code = static_cast<escrow::Code>(r.u8());
  rep.reason = r.str(4096);
  rep.audit_seq = r.u64();
  rep.audit_hash = r.fixed<32>();
  rep.time_ms = r.i64();
  rep.body = r.bytes(1 << 21);
  if (Status s = r.finish(); !s.ok()) return s.error().context("reply");
  return rep;
}

std::vector<std::uint8_t> encode_summary(const escrow::PartySummary& s) {
  Writer w;
  w.i64(s.available);
  w.i64(s.staked);
  w.i64(s.held);
  return w.take();
}

Result<escrow::PartySummary> decode_summary(std::span<const std::uint8_t> bytes) {
  Reader r(bytes);
  escrow::PartySummary s;
  s.available = r.i64();
  s.staked = r.i64();
  s.held = r.i64();
  if (Status st = r.finish(); !st.ok()) return st.error().context("summary");
  return s;
}

std::vector<std::uint8_t> encode_instance(const escrow::InstanceView& v) {
  Writer w;
  w.u8(1);
  w.fixed(v.id);
  w.bytes(escrow::encode_rules(v.rules));
  w.fixed(v.rules_digest);
  w.u32(static_cast<std::uint32_t>(v.parties.size()));
  for (const auto& p : v.parties) w.fixed(p);
  w.i64(v.stage);
  w.str(v.stage_name);
  w.u32(v.deposited);
  w.u32(v.count);
  w.i64(v.opened_ms);
  w.i64(v.stage_entered_ms);
  w.i64(v.deadline_ms);
  w.u8(v.settled ? 1 : 0);
  w.u32(static_cast<std::uint32_t>(v.holds.size()));
  for (escrow::Amount h : v.holds) w.i64(h);
  w.u32(static_cast<std::uint32_t>(v.history.size()));
  for (const auto& e : v.history) {
    w.u64(e.audit_seq);
    w.i64(e.time_ms);
    w.str(e.transition);
    w.fixed(e.actor);
    w.fixed(e.evidence);
    w.str(e.stage_after);
  }
  return w.take();
}

Result<escrow::InstanceView> decode_instance(std::span<const std::uint8_t> bytes) {
  Reader r(bytes);
  escrow::InstanceView v;
  if (std::uint8_t ver = r.u8(); r.ok() && ver != 1) r.fail("unknown instance version");
  v.id = r.fixed<16>();
  std::vector<std::uint8_t> rules = r.bytes(1 << 20);
  if (r.ok()) {
    auto d = escrow::decode_rules(rules);
    if (!d.ok()) {
      r.fail(d.error().message);
    } else {
      v.rules = std::move(*d);
    }
  }
  v.rules_digest = r.fixed<32>();
  std::uint32_t n = r.count(escrow::kMaxRoles, 32);
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) v.parties.push_back(r.fixed<32>());
  v.stage = static_cast<int>(r.i64());
  v.stage_name = r.str(escrow::kMaxNameLength);
  v.deposited = r.u32();
  v.count = r.u32();
  v.opened_ms = r.i64();
  v.stage_entered_ms = r.i64();
  v.deadline_ms = r.i64();
  v.settled = r.u8() != 0;
  n = r.count(escrow::kMaxRoles, 8);
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) v.holds.push_back(r.i64());
  n = r.count(1u << 20, 90);
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
    escrow::InstanceEvent e;
    e.audit_seq = r.u64();
    e.time_ms = r.i64();
    e.transition = r.str(escrow::kMaxNameLength);
    e.actor = r.fixed<32>();
    e.evidence = r.fixed<32>();
    e.stage_after = r.str(escrow::kMaxNameLength);
    v.history.push_back(std::move(e));
  }
  if (Status s = r.finish(); !s.ok()) return s.error().context("instance");
  return v;
}

std::vector<std::uint8_t> encode_head(const escrow::Head& h) {
  Writer w;
  w.u64(h.seq);
  w.fixed(h.hash);
  return w.take();
}

Result<escrow::Head> decode_head(std::span<const std::uint8_t> bytes) {
  Reader r(bytes);
  escrow::Head h;
  h.seq = r.u64();
  h.hash = r.fixed<32>();
  if (Status s = r.finish(); !s.ok()) return s.error().context("head");
  return h;
}

std::vector<std::uint8_t> encode_amount(escrow::Amount a) {
  Writer w;
  w.i64(a);
  return w.take();
}

Result<escrow::Amount> decode_amount(std::span<const std::uint8_t> bytes) {
  Reader r(bytes);
  escrow::Amount a = r.i64();
  if (Status s = r.finish(); !s.ok()) return s.error().context("amount");
  return a;
}

}  // namespace verdict::escrowd
