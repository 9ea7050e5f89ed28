#pragma once
// What the judge's generic pass hands to a protocol's auditor (judge.hpp, step 6): the
// authenticated peer messages of the run, the escrow's last signed view of the
// instance, the terms every transcript's header names, and where to put findings.
// Internal to parties/judge.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "escrow/ledger.hpp"
#include "parties/judge/judge.hpp"

namespace verdict::judge {

// A peer message, authenticated (signature, frames, stream) and deduplicated: the same
// envelope seen in the sender's and the recipient's transcripts is one message.
struct PeerMessage {
  int from = -1, to = -1;  // roles
  std::string type;
  std::vector<std::uint8_t> body;  // the single frame
  std::string where;
};

struct Case {
  const AuditOptions& options;
  std::vector<std::string> roles;  // role names by index
  std::vector<std::uint8_t> terms;
  std::vector<PeerMessage> messages;  // in the order first seen
  std::optional<escrow::InstanceView> view;
  std::string view_where;
  Verdict& verdict;

  void find(const std::string& where, const std::string& party, const std::string& rule, const std::string& detail) {
    verdict.findings.push_back({where, party, rule, detail});
  }
  void checked(const std::string& line) { verdict.checked.push_back(line); }
  std::string role(int r) const { return r >= 0 && r < static_cast<int>(roles.size()) ? roles[r] : "?"; }
  // The messages of a type sent by a role (optionally to a role).
  std::vector<const PeerMessage*> of(const std::string& type, int from, int to = -1) const {
    std::vector<const PeerMessage*> out;
    for (const auto& m : messages) {
      if (m.type == type && m.from == from && (to < 0 || m.to == to)) out.push_back(&m);
    }
    return out;
  }
  // Step 5 for every protocol: the view's rules, parties and id are the expected ones and
  // its history is allowed by the table. Returns false when there is no usable view.
  bool check_escrow(const escrow::RuleSet& expected_rules, const escrow::InstanceId& expected_id);
  // The evidence of the first event `transition` in the view's history, if any.
  std::optional<escrow::Digest> evidence_of(const std::string& transition) const;
  bool happened(const std::string& transition) const { return evidence_of(transition).has_value(); }
};

void audit_accuracy(Case& c);
void audit_serving(Case& c);
void audit_retrieval(Case& c);

}  // namespace verdict::judge
