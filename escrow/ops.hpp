#pragma once
// The escrow's operations: what a client may ask, what an applied operation returns,
// and why one may be refused. Canonical encodings in docs/formats.md ("Escrow and parties").
//
// Every request carries a client-chosen 16-byte op id. The ledger applies a request at
// most once per (actor, op id): a retry of an applied request (same op id, same bytes)
// returns the first result, flagged as a duplicate; the same op id with a different
// request is refused (kOpIdReused). A refused request changes nothing and binds nothing:
// its op id may be used again.

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "base/result.hpp"
#include "escrow/amount.hpp"
#include "escrow/ids.hpp"
#include "escrow/rules.hpp"

namespace verdict::escrow {

// Why a request was refused. Stable numbers: they are part of the wire format.
enum class Code : std::uint8_t {
  kOk = 0,
  kMalformed = 1,            // undecodable frame, envelope or payload
  kBadSignature = 2,         // the envelope's signature does not verify
  kWrongRecipient = 3,       // the envelope is addressed to another service
  kStaleTimestamp = 4,       // a new request signed too far from the escrow's clock
  kReplay = 5,               // sequence number or previous-envelope hash out of order
  kOpIdReused = 6,           // the op id was applied with a different request
  kUnauthorized = 7,         // not the operator, not a party, or not the role that may act
  kUnknownInstance = 8,      // no instance with that id
  kInstanceExists = 9,       // an instance with that id was already opened
  kInvalidAmount = 10,       // an amount <= 0 or otherwise out of range
  kInsufficientFunds = 11,   // the debited account holds less
  kOverflow = 12,            // a balance would leave the 64-bit range
  kInvalidRules = 13,        // the rule set fails analyze(), or parties do not fit it
  kWrongStage = 14,          // no such transition from the current stage, or settled
  kDeadlineNotReached = 15,  // a timeout claimed before the deadline
  kDeadlinePassed = 16,      // an action after the deadline
  kStakeTooLow = 17,         // a stake below what a rule set requires
  kBadConsent = 18,          // a deposit whose evidence is not the rule set's digest
  kInvalidRequest = 19,      // semantically invalid (self-transfer, id mismatch, ...)
  kStorage = 20,             // the store failed; nothing was applied; retry
};
const char* code_name(Code code);

struct Rejection {
  Code code = Code::kMalformed;
  std::string reason;
};

// Operator only: money enters the system (e.g. a test account is funded).
struct Mint {
  PartyId to{};
  Amount amount = 0;
};
// The actor takes money out of the system (paid out off-ledger by the operator).
struct Withdraw {
  Amount amount = 0;
};
struct Transfer {
  PartyId to{};
  Amount amount = 0;
};
struct Stake {
  Amount amount = 0;
};
// Refused if it would leave less staked than an open instance of the actor requires.
struct Unstake {
  Amount amount = 0;
};
// The actor must be one of `parties` (one per role, all distinct).
struct OpenInstance {
  InstanceId id{};
  RuleSet rules;
  std::vector<PartyId> parties;
};
// "deposit" (evidence = rules digest), "timeout", or an action of the rule set.
// evidence is a digest of the protocol data the action rests on (a commitment, a proof
// bundle, a verification report); the escrow records it and does not interpret it.
struct Act {
  InstanceId id{};
  std::string transition;
  Digest evidence{};
  std::uint32_t count = 0;  // for a transition with count_max > 0: in [1, count_max]; else 0
};
// Operator only: fees leave the system.
struct CollectFees {
  Amount amount = 0;
};

using Body = std::variant<Mint, Withdraw, Transfer, Stake, Unstake, OpenInstance, Act, CollectFees>;

struct Request {
  OpId op_id{};
  Body body;
};

// The instance a request concerns; all zero for account operations.
InstanceId request_instance(const Request& request);

// One line of a balanced journal entry: delta is added to the account's balance.
struct Posting {
  std::string account;
  Amount delta = 0;
  bool operator==(const Posting&) const = default;
};

struct OpResult {
  std::vector<Posting> postings;  // sums to zero
  std::string stage;              // instance operations: the stage afterwards
  std::string transition;         // Act: the transition taken (its table name)
  bool operator==(const OpResult&) const = default;
};

std::vector<std::uint8_t> encode_request(const Request& request);
Result<Request> decode_request(std::span<const std::uint8_t> bytes);
std::vector<std::uint8_t> encode_result(const OpResult& result);
Result<OpResult> decode_result(std::span<const std::uint8_t> bytes);

// Readable one-line description, for logs and the CLI.
std::string describe(const Request& request);

}  // namespace verdict::escrow
