#pragma once
// What the simulator asks of each protocol (accuracy, serving, retrieval): a case (the
// protocol's parameters and one strategy per role) becomes a ProtocolSim, which plays
// one run at a time through the protocol's own machines (protocols/) and the real
// escrow ledger (sim/bus.hpp, sim/virtual_escrow.hpp) and returns what each party
// gained or lost. The protocol also states its closed forms (the paper's formulas and
// ours) for the report to set beside the simulated values.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.hpp"
#include "base/rng.hpp"
#include "escrow/rules.hpp"
#include "sim/bus.hpp"
#include "sim/cost_model.hpp"
#include "sim/real_proofs.hpp"

namespace verdict::sim {

// One role's strategy: a label ("honest", "lazy", "malicious", "abort", "timeout",
// "grief", ...), the generic deviations, and the protocol's own options (the JSON
// object it was parsed from, which the protocol reads and checks).
struct PartySpec {
  std::string strategy = "honest";
  Deviation deviation;
  nlohmann::json options = nlohmann::json::object();
  std::string owner;  // parties with the same owner are one coalition in the report
  bool honest() const { return strategy == "honest"; }
};

// A Sybil: one owner plays up to `identities` fresh identities of role `role`, one after
// another, each a whole protocol instance (a new session, escrow instance and draws),
// until an instance ends in the terminal stage `until` ("" : every identity plays). A
// run of the case is the whole sequence: each role's ledger net, work cost, fees,
// virtual time and escrow requests are summed over the instances, and its terminal is
// the last instance's (so "rate:UNTIL" is P(some identity reaches UNTIL)). The other
// roles stand for every counterparty the identities met.
struct SybilSpec {
  std::size_t role = 0;         // index into the protocol's roles
  std::uint32_t identities = 1;  // 1: no Sybil
  std::string until;
  bool active() const { return identities > 1; }
};
inline constexpr std::uint32_t kMaxSybilIdentities = 4096;

struct CaseSpec {
  std::string name;
  std::string protocol;
  nlohmann::json params = nlohmann::json::object();  // the protocol's parameters
  std::vector<PartySpec> parties;                     // in role order
  // The escrow backend every run uses (virtual_escrow.hpp): the rule engine in memory,
  // or the whole SQLite ledger.
  VirtualEscrow::Backend escrow = VirtualEscrow::Backend::kEngine;
  // Real SNARKs (real_proofs.hpp) instead of the cost model's stand-ins, for protocols
  // whose ProtocolInfo has real_examples. Null: modelled proofs.
  std::shared_ptr<const RealProofs> real;
  SybilSpec sybil;
};

// One run, as the ledger saw it, plus the off-ledger costs of the work each party did.
struct RunOutcome {
  std::string terminal;             // the instance's final stage; "abandoned" if never opened
  std::vector<Amount> ledger_net;   // per role: the change of its party account
  std::vector<double> cost;         // per role: work done (cost model), in ledger units
  Amount fees = 0;                  // to the escrow's fee account
  std::int64_t duration_ms = 0;     // virtual time from start to the last machine finishing
  std::uint64_t escrow_ops = 0;     // requests the ledger applied or refused
  std::uint32_t identities = 1;     // protocol instances played (a Sybil's identities)
  double payoff(std::size_t role) const { return static_cast<double>(ledger_net[role]) - cost[role]; }
};

// One worker's simulator for one case. run() is called with strictly increasing run
// indices; the outcome depends only on the case, the index and `rng` (seeded from the
// scenario seed and the index), so the same seed reproduces every run. Conservation is
// checked inside every run: a violation is an Error, never a result.
class ProtocolSim {
 public:
  virtual ~ProtocolSim() = default;
  virtual Result<RunOutcome> run(std::uint64_t run_index, Rng& rng) = 0;
};

// A formula next to the simulation: `value` is the closed form for the case's
// parameters; `observable` names what the report measures for it (see report.hpp):
//   "payoff:ROLE"        the mean payoff of ROLE (ledger net minus work cost)
//   "ledger_net:ROLE"    the mean ledger net of ROLE
//   "rate:STAGE[|STAGE]" the fraction of runs ending in one of the stages
//   "ratio:A/B"          mean of observable A over mean of observable B (each "payoff:"/"ledger_net:"/"fees")
//   "identities"         the mean number of identities a Sybil case's run played
//   "none"               a figure with nothing simulated beside it (a table row, a bound)
// `applies` is false when the formula's assumptions do not hold for the case (stated in
// `note`): the report prints it but does not test agreement.
struct ClosedForm {
  std::string name;
  std::string formula;
  double value = 0;
  std::string observable = "none";
  bool applies = true;
  std::string note;
  // Printed beside the simulated value although it does not apply (a formula of the
  // paper that the simulation refutes, with the cause in `note`).
  bool compare = false;
  // In a Sybil case: the form already describes a whole run (every identity). Forms
  // without it describe one instance and are rescaled or set aside (sybil_closed_forms).
  bool whole_run = false;
};

struct ProtocolInfo {
  std::string name;
  std::vector<std::string> roles;
  // The rule set a case's parameters give (used to check deviations against the table).
  std::function<Result<escrow::RuleSet>(const CaseSpec&)> rules;
  // Checks the case (parameters, strategies) and builds one worker's simulator.
  std::function<Result<std::unique_ptr<ProtocolSim>>(const CaseSpec&, const CostModel&)> make;
  // The same checks as make() without building anything (scenario loading; cheap even
  // for large parameters). Unset: make() is used.
  std::function<Status(const CaseSpec&, const CostModel&)> check;
  std::function<std::vector<ClosedForm>(const CaseSpec&, const CostModel&)> closed_forms;
  // With real proofs (CaseSpec::real): how many dataset examples a case needs (its params
  // read leniently; make() checks them). Unset: the protocol has no real-proof mode.
  std::function<std::size_t(const CaseSpec&)> real_examples;
};

// accuracy, serving, retrieval; an Error names the known ones.
Result<ProtocolInfo> protocol_info(const std::string& name);
// info.check if set, else info.make.
Status check_case(const ProtocolInfo& info, const CaseSpec& c, const CostModel& cost);

// A Sybil case's closed forms from one instance's (`single`): forms marked whole_run are
// kept; without `until`, payoffs and ledger nets are multiplied by the identities (each
// plays one instance) and rates and ratios kept; with `until`, the instance's rate of
// reaching it, p, gives P(some identity reaches it) = 1 - (1 - p)^k and the expected
// identities played (1 - (1 - p)^k) / p, and the other forms are set aside (they
// describe one instance).
std::vector<ClosedForm> sybil_closed_forms(std::vector<ClosedForm> single, const SybilSpec& sybil);

// The deviations of a case against the rule table: a silent_at stage must be "start",
// "funding" or a stage of the table; an abort must name a transition of the table out
// of that stage taken by that role.
Status check_deviations(const escrow::RuleSet& rules, const CaseSpec& c, const std::vector<std::string>& roles);

// Strict readers of a protocol's options (errors name the field).
Result<double> number_field(const nlohmann::json& j, const std::string& where, const std::string& key,
                            double fallback, double min, double max);
Result<std::int64_t> integer_field(const nlohmann::json& j, const std::string& where, const std::string& key,
                                   std::int64_t fallback, std::int64_t min, std::int64_t max);
Result<bool> bool_field(const nlohmann::json& j, const std::string& where, const std::string& key, bool fallback);
// Lenient, for sizing a case before it is checked (ProtocolInfo::real_examples): j[key]
// if `j` is an object holding an integer there, else `fallback`; clamped to [min, max].
std::int64_t integer_or(const nlohmann::json& j, const std::string& key, std::int64_t fallback, std::int64_t min,
                        std::int64_t max);
// Every key of `j` is in `known`.
Status only_fields(const nlohmann::json& j, const std::string& where, const std::vector<std::string>& known);

}  // namespace verdict::sim

namespace verdict::sim {

// The end of every run: checks conservation (an Error names the run's imbalance) and
// collects the ledger's view: the terminal stage ("abandoned" if never opened), each
// role's net, the fees, and the run's virtual duration since `start_ms`.
Result<RunOutcome> finish_run(VirtualEscrow& escrow, std::vector<double> costs, std::int64_t start_ms);

// A run's rng, from the scenario seed, the case and the run index (SHA-256 keyed ChaCha20):
// independent of the thread that plays the run.
std::array<std::uint8_t, 32> run_key(std::uint64_t seed, const std::string& case_name, std::uint64_t run_index);

}  // namespace verdict::sim
