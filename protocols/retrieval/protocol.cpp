#include "protocols/retrieval/protocol.hpp"

namespace verdict::retrieval {

const char* role_name(Role role) {
  switch (role) {
    case Role::kRequester: return "requester";
    case Role::kResponder: return "responder";
    case Role::kJudge: return "judge";
  }
  return "?";
}

Outcome outcome_of(const Terms& t, const std::string& stage) {
  const RetrievalParams& p = t.params;
  const escrow::Amount mz = static_cast<escrow::Amount>(p.m) * p.z;  // check_terms: no overflow
  if (stage == "settled_paid") return Outcome{stage, -mz - p.eps, mz - p.eps};
  if (stage == "settled_responder_slashed") return Outcome{stage, p.bond - p.eps, -p.bond - p.eps};
  if (stage == "settled_refund") return Outcome{stage, -p.eps, -p.eps};
  return Outcome{stage, 0, 0};
}

}  // namespace verdict::retrieval
