#pragma once
// The escrow service's payloads, carried in signed envelopes (parties/wire):
//   "escrow.op"     client -> service  payload = escrow::encode_request(request)
//   "escrow.query"  client -> service  payload = encode_query(query)
//   "escrow.reply"  service -> client  payload = encode_reply(reply)
// A reply envelope is addressed to the requester, carries the request's instance id
// and seq, and its prev field is the hash of the request envelope it answers (or the
// SHA-256 of the raw frame when the request could not be decoded): a client matches
// replies to requests by it, and a signed reply is a receipt the client can show to a
// judge (it names the audit row and hash the operation got).
// Byte layouts in docs/formats.md ("Escrow and parties").

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "escrow/ledger.hpp"
#include "escrow/ops.hpp"

namespace verdict::escrowd {

inline constexpr const char* kOpType = "escrow.op";
inline constexpr const char* kQueryType = "escrow.query";
inline constexpr const char* kReplyType = "escrow.reply";

enum class QueryKind : std::uint8_t {
  kSummary = 1,    // a party's available, staked and held amounts
  kInstance = 2,   // an instance, its rules, stage, holds and history
  kChainHead = 3,  // the requester's last accepted envelope in an instance stream
  kAuditHead = 4,  // the audit log's last seq and hash
  kBalance = 5,    // one account by name
};

struct Query {
  QueryKind kind = QueryKind::kAuditHead;
  escrow::PartyId party{};        // kSummary
  escrow::InstanceId instance{};  // kInstance, kChainHead
  std::string account;            // kBalance
};

enum class ReplyStatus : std::uint8_t {
  kApplied = 0,    // applied now; durable
  kDuplicate = 1,  // applied before; the first result
  kRejected = 2,   // refused; nothing changed
  kAnswer = 3,     // a query's answer
};

struct Reply {
  ReplyStatus status = ReplyStatus::kRejected;
  escrow::Code code = escrow::Code::kOk;
  std::string reason;
  std::uint64_t audit_seq = 0;
  escrow::Digest audit_hash{};
  std::int64_t time_ms = 0;
  std::vector<std::uint8_t> body;  // encode_result for operations; the answer for queries
};

std::vector<std::uint8_t> encode_query(const Query& q);
Result<Query> decode_query(std::span<const std::uint8_t> bytes);
std::vector<std::uint8_t> encode_reply(const Reply& r);
Result<Reply> decode_reply(std::span<const std::uint8_t> bytes);

// Query answers.
std::vector<std::uint8_t> encode_summary(const escrow::PartySummary& s);
Result<escrow::PartySummary> decode_summary(std::span<const std::uint8_t> bytes);
std::vector<std::uint8_t> encode_instance(const escrow::InstanceView& v);
Result<escrow::InstanceView> decode_instance(std::span<const std::uint8_t> bytes);
std::vector<std::uint8_t> encode_head(const escrow::Head& h);
Result<escrow::Head> decode_head(std::span<const std::uint8_t> bytes);
std::vector<std::uint8_t> encode_amount(escrow::Amount a);
Result<escrow::Amount> decode_amount(std::span<const std::uint8_t> bytes);

const char* status_name(ReplyStatus s);

}  // namespace verdict::escrowd
