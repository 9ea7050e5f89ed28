#pragma once
// The judge's audit: from transcripts alone (docs/protocols.md, "The judge").
//
// Input: one or more agents' transcripts of one protocol run (agents/transcript.hpp),
// the parties' public keys by role, the escrow's public key and, for the SNARKs, the
// model's verifying key. Nothing else: no ledger, no party's secrets.
//
// What is checked, in order:
//   1. each transcript: the hash chain, the header, every checkpoint (signed by the
//      owner's key, naming the size and head at its place; the file ends with one unless
//      the agent was killed);
//   2. every envelope: decodes, is signed by its sender, its frames match their digests,
//      it was sent by the owner or addressed to it, by a known party or the escrow;
//   3. every stream: the envelopes of each (sender, stream) pair are consecutive (seq
//      1, 2, ... each naming the hash of the one before): a removed, reordered or
//      inserted message breaks it even in a re-chained, re-signed file;
//   4. across transcripts: every (size, head) a party put into an envelope it sent must
//      be a prefix of that party's transcript; every message one transcript says a party
//      sent must be in that party's own transcript if given;
//   5. the escrow: the longest signed instance view; its rules are the protocol's for
//      the terms in the headers, its parties the given keys, its id the one the
//      session's commitments derive; every event of its history is allowed by the rule
//      table (protocols::EscrowView); earlier views are prefixes of it;
//   6. the protocol (an auditor per protocol): commitments and their openings, Merkle
//      inclusion proofs, the randomness of every selection (commit-reveal), every SNARK,
//      and whether the terminal stage is the one the evidence calls for.
//
// A Finding names where (transcript and record), who is at fault (a role, "escrow", or
// "transcript" for a file that is not what its owner signed), which rule and why. The
// audit never fails on bad input: an unreadable or malformed transcript is a finding.

#include <cstdint>
#include <string>
#include <vector>

#include "parties/wire/keys.hpp"
#include "snark/nn/model_proof.hpp"

namespace verdict::judge {

struct Finding {
  std::string where;  // "mc.transcript #12", or "" for the run as a whole
  std::string party;  // a role name, "escrow", or "transcript"
  std::string rule;   // a short stable name, e.g. "stream", "signature", "proof"
  std::string detail;
};

struct Verdict {
  std::string protocol;
  std::string terminal;              // the instance's stage in the escrow's last signed view
  std::vector<std::string> checked;  // what was verified, one line each
  std::vector<Finding> findings;
  bool clean() const { return findings.empty(); }
};

struct AuditOptions {
  std::vector<wire::PublicKey> parties;  // by role of the protocol
  wire::PublicKey escrow{};
  const nn::ModelVerifyingKey* vk = nullptr;  // needed to verify SNARKs
};

Verdict audit(const std::vector<std::string>& transcript_paths, const AuditOptions& options);

// Prints the verdict: the checks, then each finding as "where: party broke rule: detail".
std::string format_verdict(const Verdict& v);

}  // namespace verdict::judge
