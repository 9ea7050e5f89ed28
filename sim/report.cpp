#include "sim/report.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "protocols/sizing/paper_tables.hpp"
#include "sim/svg_plot.hpp"

namespace verdict::sim {
namespace {

std::string fmt(double v, const char* f = "%.6g") {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string pct(double v) { return fmt(100 * v, "%.2f") + "%"; }

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

int role_index(const CaseResult& r, const std::string& role) {
  for (std::size_t i = 0; i < r.roles.size(); ++i) {
    if (r.roles[i].role == role) return static_cast<int>(i);
  }
  return -1;
}

Observed mean_of(const Summary& s, double sign = 1, double shift = 0) {
  const double h = s.half_width(kAgreementConfidence);
  const double v = sign * s.mean + shift;
  return {true, v, v - h, v + h, s.min == s.max};
}

Observed observe_term(const CaseResult& r, const std::string& term) {
  const auto colon = term.find(':');
  const std::string kind = term.substr(0, colon);
  const std::string arg = colon == std::string::npos ? "" : term.substr(colon + 1);
  if (kind == "fees") return mean_of(r.fees);
  if (kind == "identities") return mean_of(r.identities);
  if (kind == "fee_per_party") return mean_of(r.fees, 0.5);
  if (kind == "rate") {
    Proportion p{0, r.runs};
    std::size_t start = 0;
    for (;;) {
      const auto bar = arg.find('|', start);
      const std::string stage = arg.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
      if (auto it = r.terminals.find(stage); it != r.terminals.end()) p.k += it->second;
      if (bar == std::string::npos) break;
      start = bar + 1;
    }
    Observed o{true, p.p(), 0, 1};
    proportion_interval(p, kAgreementConfidence, o.low, o.high);
    return o;
  }
  const int i = role_index(r, arg);
  if (i < 0) return {};
  const RoleResult& role = r.roles[static_cast<std::size_t>(i)];
  if (kind == "payoff") return mean_of(role.payoff);
  if (kind == "ledger_net") return mean_of(role.ledger_net);
  if (kind == "loss") return mean_of(role.ledger_net, -1);
  if (kind == "transfer") {
    // What the role received from the others: its net plus its share of the fees.
    Observed o = mean_of(role.ledger_net, 1, r.fees.mean / 2);
    o.no_variation = o.no_variation && r.fees.min == r.fees.max;
    const double h = r.fees.half_width(kAgreementConfidence) / 2;
    o.low -= h;
    o.high += h;
    return o;
  }
  return {};
}

// The honest/deviating split of a case.
bool deviates(const CaseSpec& c, std::size_t role) { return !c.parties[role].honest(); }

const CaseResult* baseline_of(const ScenarioResult& s, const std::vector<CaseResult>& cases) {
  for (const CaseResult& c : cases) {
    if (c.spec.name == s.scenario.baseline) return &c;
  }
  return nullptr;
}

// A loss this small relative to the victim's counts as none.
constexpr double kNegligible = 1e-9;

struct Grief {
  bool available = false;
  double attacker_loss = 0;  // summed over deviating roles, relative to the baseline
  std::vector<std::pair<std::string, double>> victim_loss;  // honest roles
};

Grief grief_of(const CaseResult& c, const CaseResult* base) {
  Grief g;
  if (!base || base == &c || base->roles.size() != c.roles.size()) return g;
  bool any_deviation = false;
  for (std::size_t r = 0; r < c.roles.size(); ++r) {
    const double delta = base->roles[r].payoff.mean - c.roles[r].payoff.mean;
    if (deviates(c.spec, r)) {
      g.attacker_loss += delta;
      any_deviation = true;
    } else {
      g.victim_loss.emplace_back(c.roles[r].role, delta);
    }
  }
  g.available = any_deviation;
  return g;
}

std::string interval(const Summary& s) {
  const double h = s.half_width(kReportConfidence);
  return fmt(s.mean, "%.1f") + " +- " + fmt(h, "%.1f");
}

nlohmann::json summary_json(const Summary& s) {
  const double h = s.half_width(kReportConfidence);
  return {{"n", s.n}, {"mean", s.mean}, {"sd", s.sd}, {"ci95_low", s.mean - h}, {"ci95_high", s.mean + h},
          {"min", s.min}, {"max", s.max}};
}

struct TableRow {
  std::string table;
  double parameter;
  std::uint64_t paper_n;
  double paper_cost;
  std::uint64_t n;  // the paper's rule, recomputed
};

std::vector<TableRow> table_rows() {
  std::vector<TableRow> rows;
  for (const auto& t : sizing::recompute_table3())
    rows.push_back({"3", t.paper.parameter, t.paper.n, t.paper.cost_dollars, t.two_sided});
  for (const auto& t : sizing::recompute_table4())
    rows.push_back({"4", t.paper.parameter, t.paper.n, t.paper.cost_dollars, t.one_sided});
  return rows;
}

// A Sybil case: how many identities a run played, how often one reached the goal, and
// what the Sybil's role paid per goal reached (its break-even value of the goal).
void sybil_text(std::string& out, const CaseResult& c) {
  const SybilSpec& sy = c.spec.sybil;
  const RoleResult& r = c.roles[sy.role];
  out += "  sybil: " + r.role + " plays up to " + std::to_string(sy.identities) + " identities, one after another" +
         (sy.until.empty() ? "" : ", until one reaches " + sy.until) + "; identities played per run " +
         interval(c.identities) + "\n";
  if (sy.until.empty()) return;
  Proportion reached{0, c.runs};
  if (auto it = c.terminals.find(sy.until); it != c.terminals.end()) reached.k = it->second;
  double low = 0, high = 1;
  proportion_interval(reached, kReportConfidence, low, high);
  out += "  sybil: reached " + sy.until + " in " + std::to_string(reached.k) + " of " + std::to_string(c.runs) +
         " runs (" + pct(reached.p()) + ", 95% [" + pct(low) + ", " + pct(high) + "])";
  if (reached.k > 0)
    out += "; " + r.role + "'s E[payoff] per " + sy.until + " " + fmt(r.payoff.mean / reached.p(), "%.1f") +
           " (E[payoff] / P(reached): with no value set on reaching it, minus the value at which the Sybil breaks "
           "even)";
  out += "\n";
}

void case_text(std::string& out, const ScenarioResult& s, const CaseResult& c, const CaseResult* base) {
  out += "\ncase '" + c.spec.name + "'\n";
  out += "  terminal stages:";
  for (const auto& [stage, n] : c.terminals)
    out += " " + stage + " " + std::to_string(n) + " (" + pct(double(n) / double(c.runs)) + ")";
  out += "\n  per run: fees " + fmt(c.fees.mean, "%.1f") + ", virtual time " + fmt(c.duration_s.mean, "%.1f") +
         " s, escrow requests " + fmt(c.escrow_ops.mean, "%.1f") + "\n";
  if (c.spec.sybil.active()) sybil_text(out, c);
  char line[512];
  std::snprintf(line, sizeof line, "  %-10s %-12s %26s %16s %14s %12s %26s\n", "role", "strategy",
                "E[payoff] +- 95%", "ledger net", "work cost", "P(ahead)", "worst .. best run");
  out += line;
  for (const RoleResult& r : c.roles) {
    std::snprintf(line, sizeof line, "  %-10s %-12s %26s %16s %14s %12s %26s\n", r.role.c_str(), r.strategy.c_str(),
                  interval(r.payoff).c_str(), fmt(r.ledger_net.mean, "%.1f").c_str(), fmt(r.cost.mean, "%.1f").c_str(),
                  pct(r.ahead.p()).c_str(), (fmt(r.payoff.min, "%.1f") + " .. " + fmt(r.payoff.max, "%.1f")).c_str());
    out += line;
  }
  // Validity and viability.
  for (std::size_t i = 0; i < c.roles.size(); ++i) {
    const RoleResult& r = c.roles[i];
    const double h = r.payoff.half_width(kReportConfidence);
    if (deviates(c.spec, i)) {
      std::string verdict = r.payoff.mean - h > 0 ? "PROFITS in expectation: validity fails"
                            : r.payoff.mean + h < 0 ? "loses in expectation"
                                                    : "breaks even within the interval";
      out += "  validity: " + r.role + " (" + r.strategy + ") came out ahead in " + std::to_string(r.ahead.k) + " of " +
             std::to_string(r.ahead.n) + " runs (best " + fmt(r.payoff.max, "%.1f") + "); " + verdict + "\n";
    } else {
      std::string verdict = r.payoff.mean - h > 0 ? "profits" : r.payoff.mean + h < 0 ? "loses" : "breaks even";
      out += "  viability: honest " + r.role + " " + verdict + " (E = " + interval(r.payoff) + ")\n";
    }
  }
  for (const CoalitionResult& co : c.coalitions) {
    std::string members;
    for (const std::string& r : co.roles) members += (members.empty() ? "" : " + ") + r;
    const double h = co.payoff.half_width(kReportConfidence);
    out += "  coalition '" + co.owner + "' (" + members + "): E[payoff] = " + interval(co.payoff) + ", ahead in " +
           std::to_string(co.ahead.k) + " of " + std::to_string(co.ahead.n) + " runs" +
           (co.payoff.mean - h > 0 ? ": the coalition PROFITS" : "") + "\n";
  }
  const Grief g = grief_of(c, base);
  if (g.available) {
    // Only victims the deviation leaves worse off than in the baseline.
    for (const auto& [victim, loss] : g.victim_loss) {
      if (!(loss > 0)) continue;
      out += "  grief vs '" + s.scenario.baseline + "': " + victim + " loses " + fmt(loss, "%.1f") +
             " per run, the deviating parties " +
             (g.attacker_loss > kNegligible * loss
                  ? "lose " + fmt(g.attacker_loss, "%.1f") + ": victim/attacker " + fmt(loss / g.attacker_loss, "%.4g")
              : g.attacker_loss < -kNegligible * loss
                  ? "gain " + fmt(-g.attacker_loss, "%.1f") + ": the deviation pays"
                  : "lose nothing: victim/attacker unbounded") +
             "\n";
    }
  }
  if (!c.closed_forms.empty()) {
    out += "  closed forms (simulated: 99.9% interval):\n";
    std::string skipped;
    for (const ClosedForm& f : c.closed_forms) {
      const Observed o = observe(c, f.observable);
      // A formula whose assumptions this case breaks is only named (report.json has it).
      if (!f.applies && !f.compare && o.available) {
        skipped += (skipped.empty() ? "" : "; ") + f.name;
        continue;
      }
      out += "    " + f.name + " = " + f.formula + "\n      = " + fmt(f.value, "%.6g");
      if (o.available) {
        out += "; simulated " + fmt(o.value, "%.6g") + " [" + fmt(o.low, "%.6g") + ", " + fmt(o.high, "%.6g") + "]";
        if (f.applies) {
          out += std::string(": ") + agreement_name(agreement(f, o));
        } else {
          out += ": for comparison (its assumptions do not hold here, see the note)";
        }
      }
      out += "\n";
      if (!f.note.empty()) out += "      note: " + f.note + "\n";
    }
    if (!skipped.empty()) out += "    not applicable to this case: " + skipped + "\n";
  }
}

}  // namespace

Observed observe(const CaseResult& result, const std::string& observable) {
  if (observable.rfind("ratio:", 0) == 0) {
    const std::string body = observable.substr(6);
    const auto slash = body.find('/');
    if (slash == std::string::npos) return {};
    const Observed a = observe_term(result, body.substr(0, slash));
    const Observed b = observe_term(result, body.substr(slash + 1));
    if (!a.available || !b.available || b.value == 0 || (b.low <= 0 && b.high >= 0)) return {};
    const double c[4] = {a.low / b.low, a.low / b.high, a.high / b.low, a.high / b.high};
    return {true, a.value / b.value, *std::min_element(c, c + 4), *std::max_element(c, c + 4),
            a.no_variation && b.no_variation};
  }
  if (observable == "none") return {};
  return observe_term(result, observable);
}

Agreement agreement(const ClosedForm& form, const Observed& o) {
  if (!form.applies || !o.available) return Agreement::kNotTested;
  if (agrees(form, o)) return Agreement::kAgrees;
  return o.no_variation ? Agreement::kInconclusive : Agreement::kDisagrees;
}

const char* agreement_name(Agreement a) {
  switch (a) {
    case Agreement::kAgrees: return "agrees";
    case Agreement::kDisagrees: return "DISAGREES";
    case Agreement::kInconclusive: return "inconclusive (no variation in the sample)";
    case Agreement::kNotTested: return "not tested";
  }
  return "?";
}

bool agrees(const ClosedForm& form, const Observed& o) {
  if (!form.applies || !o.available) return false;
  // Room for floating-point error in the formula (a probability of 1 - 1e-12 times a
  // large amount) when the simulated interval has no width.
  const double tol = 1e-6 * std::max({1.0, std::abs(form.value), std::abs(o.value)});
  return form.value >= o.low - tol && form.value <= o.high + tol;
}

std::string text_report(const ScenarioResult& s) {
  const Scenario& sc = s.scenario;
  const CostModel& c = sc.cost;
  std::string out = "verdict sim: scenario '" + sc.name + "' (" + sc.protocol + ")\n";
  if (!sc.description.empty()) out += sc.description + "\n";
  const std::uint64_t runs = s.cases.empty() ? 0 : s.cases[0].runs;
  out += std::string("escrow: ") +
         (sc.cases.empty() || sc.cases[0].escrow == VirtualEscrow::Backend::kEngine
              ? "the rule engine (escrow/instance_engine) on in-memory balances"
              : "the SQLite ledger (escrow::Ledger, in memory)") +
         "\n";
  out += "runs per case " + std::to_string(runs) + ", seed " + std::to_string(sc.seed) + ", total runs " +
         std::to_string(s.total_runs) + "\n";
  out += "cost model '" + c.model + "': prove " + fmt(c.prove_seconds) + " s, verify " + fmt(c.verify_seconds) +
         " s, inference " + fmt(c.inference_seconds) + " s on " + fmt(c.vcpus) + " vCPU at $" +
         fmt(c.usd_per_vcpu_hour) + "/vCPU-hour, " + fmt(c.units_per_usd) + " units per $ -> a proof costs " +
         fmt(c.prove_cost(), "%.2f") + " units ($" + fmt(c.prove_usd(), "%.3g") + ")\n  source: " + c.source + "\n";
  const CaseResult* base = baseline_of(s, s.cases);
  for (const CaseResult& cr : s.cases) case_text(out, s, cr, base);

  // Summary: validity and viability over all cases.
  out += "\nsummary\n";
  std::size_t violations = 0;
  for (const CaseResult& cr : s.cases) {
    for (std::size_t i = 0; i < cr.roles.size(); ++i) {
      const RoleResult& r = cr.roles[i];
      const double h = r.payoff.half_width(kReportConfidence);
      if (deviates(cr.spec, i) && r.payoff.mean - h > 0) {
        ++violations;
        out += "  validity fails: in '" + cr.spec.name + "' " + r.role + " (" + r.strategy + ") gains " +
               interval(r.payoff) + " per run\n";
      }
    }
  }
  if (violations == 0) out += "  validity: no deviating party profits in expectation in any case\n";
  std::size_t counts[4] = {0, 0, 0, 0};
  for (const CaseResult& cr : s.cases) {
    for (const ClosedForm& f : cr.closed_forms) ++counts[static_cast<int>(agreement(f, observe(cr, f.observable)))];
  }
  out += "  closed forms: " + std::to_string(counts[0]) + " agree, " + std::to_string(counts[1]) + " disagree, " +
         std::to_string(counts[2]) + " inconclusive (no variation in the sample), " + std::to_string(counts[3]) +
         " not tested (assumptions differ or nothing to observe)\n";

  out += "\nPaper Tables 3 and 4 (delta = 5%) with our proving cost per sample\n";
  char line[256];
  std::snprintf(line, sizeof line, "  %-6s %-8s %9s %12s %9s %16s %16s\n", "table", "p/eps", "paper N", "paper $",
                "our N", "$ (this model)", "$ (MobileNet)");
  out += line;
  const CostModel mnv2 = *cost_preset("mobilenet_v2_0.35_96");
  const double here = c.prove_usd() + c.verify_seconds * c.usd_per_second();
  const double mob = mnv2.prove_usd() + mnv2.verify_seconds * mnv2.usd_per_second();
  for (const TableRow& r : table_rows()) {
    std::snprintf(line, sizeof line, "  %-6s %-8s %9llu %12s %9llu %16s %16s\n", r.table.c_str(),
                  pct(r.parameter).c_str(), static_cast<unsigned long long>(r.paper_n), fmt(r.paper_cost, "%.2f").c_str(),
                  static_cast<unsigned long long>(r.n), fmt(double(r.n) * here, "%.4f").c_str(),
                  fmt(double(r.n) * mob, "%.4f").c_str());
    out += line;
  }
  out += "  (paper: $" + fmt(sizing::kPaperCostPerProof) + " per MobileNet proof; ours: $" + fmt(mob, "%.4g") +
         " per MobileNet proof, $" + fmt(here, "%.4g") + " per proof of this scenario's model)\n";

  if (!s.grid.empty()) {
    out += "\nsweep over";
    for (const Sweep& a : sc.sweep) out += " " + a.param;
    out += ": E[payoff] per role (95% half-width)\n";
    for (const GridPoint& p : s.grid) {
      std::string at;
      for (std::size_t a = 0; a < sc.sweep.size(); ++a) at += (a ? ", " : "") + sc.sweep[a].param + " = " + p.values[a].dump();
      out += "  " + at + "\n";
      for (const CaseResult& cr : p.cases) {
        out += "    " + cr.spec.name + ":";
        for (const RoleResult& r : cr.roles) out += " " + r.role + " " + interval(r.payoff);
        out += "\n";
      }
    }
  }
  return out;
}

nlohmann::json json_report(const ScenarioResult& s) {
  auto case_json = [&](const CaseResult& c, const CaseResult* base) {
    nlohmann::json j;
    j["name"] = c.spec.name;
    j["params"] = c.spec.params;
    j["runs"] = c.runs;
    j["terminals"] = c.terminals;
    j["fees"] = summary_json(c.fees);
    j["virtual_seconds"] = summary_json(c.duration_s);
    j["escrow_requests"] = summary_json(c.escrow_ops);
    if (c.spec.sybil.active()) {
      j["sybil"] = {{"role", c.roles[c.spec.sybil.role].role},
                    {"identities", c.spec.sybil.identities},
                    {"until", c.spec.sybil.until},
                    {"identities_played", summary_json(c.identities)}};
    }
    for (std::size_t i = 0; i < c.roles.size(); ++i) {
      const RoleResult& r = c.roles[i];
      j["roles"].push_back({{"role", r.role},
                            {"strategy", r.strategy},
                            {"options", c.spec.parties[i].options},
                            {"owner", r.owner},
                            {"honest", !deviates(c.spec, i)},
                            {"payoff", summary_json(r.payoff)},
                            {"ledger_net", summary_json(r.ledger_net)},
                            {"work_cost", summary_json(r.cost)},
                            {"runs_ahead", r.ahead.k}});
    }
    for (const CoalitionResult& co : c.coalitions)
      j["coalitions"].push_back(
          {{"owner", co.owner}, {"roles", co.roles}, {"payoff", summary_json(co.payoff)}, {"runs_ahead", co.ahead.k}});
    const Grief g = grief_of(c, base);
    if (g.available) {
      j["grief"]["attacker_loss"] = g.attacker_loss;
      for (const auto& [victim, loss] : g.victim_loss) {
        nlohmann::json v{{"victim", victim}, {"loss", loss}};
        if (loss > 0 && g.attacker_loss > kNegligible * loss) v["ratio"] = loss / g.attacker_loss;
        if (loss > 0 && std::abs(g.attacker_loss) <= kNegligible * loss) v["ratio"] = "unbounded";
        j["grief"]["victims"].push_back(v);
      }
    }
    for (const ClosedForm& f : c.closed_forms) {
      const Observed o = observe(c, f.observable);
      nlohmann::json cf{{"name", f.name}, {"formula", f.formula}, {"value", f.value},
                        {"observable", f.observable}, {"applies", f.applies}, {"note", f.note}};
      if (o.available) {
        cf["simulated"] = o.value;
        cf["ci999_low"] = o.low;
        cf["ci999_high"] = o.high;
        cf["agreement"] = agreement_name(agreement(f, o));
      }
      j["closed_forms"].push_back(cf);
    }
    return j;
  };
  nlohmann::json j;
  j["scenario"] = {{"name", s.scenario.name}, {"protocol", s.scenario.protocol},
                   {"description", s.scenario.description}, {"seed", s.scenario.seed},
                   {"baseline", s.scenario.baseline},
                   {"escrow", s.scenario.cases.empty() || s.scenario.cases[0].escrow == VirtualEscrow::Backend::kEngine
                                  ? "engine"
                                  : "ledger"}};
  j["cost_model"] = to_json(s.scenario.cost);
  j["total_runs"] = s.total_runs;
  const CaseResult* base = baseline_of(s, s.cases);
  for (const CaseResult& c : s.cases) j["cases"].push_back(case_json(c, base));
  for (const GridPoint& p : s.grid) {
    nlohmann::json pj;
    for (std::size_t a = 0; a < s.scenario.sweep.size(); ++a) pj["at"][s.scenario.sweep[a].param] = p.values[a];
    const CaseResult* pbase = baseline_of(s, p.cases);
    for (const CaseResult& c : p.cases) pj["cases"].push_back(case_json(c, pbase));
    j["sweep"].push_back(pj);
  }
  return j;
}

std::string cases_csv(const ScenarioResult& s) {
  std::string out =
      "case,role,strategy,owner,honest,runs,payoff_mean,payoff_ci95_low,payoff_ci95_high,ledger_net_mean,"
      "work_cost_mean,runs_ahead,payoff_min,payoff_max\n";
  for (const CaseResult& c : s.cases) {
    for (std::size_t i = 0; i < c.roles.size(); ++i) {
      const RoleResult& r = c.roles[i];
      const double h = r.payoff.half_width(kReportConfidence);
      out += csv_field(c.spec.name) + "," + r.role + "," + csv_field(r.strategy) + "," + csv_field(r.owner) + "," +
             (deviates(c.spec, i) ? "0" : "1") + "," + std::to_string(c.runs) + "," + fmt(r.payoff.mean, "%.10g") +
             "," + fmt(r.payoff.mean - h, "%.10g") + "," + fmt(r.payoff.mean + h, "%.10g") + "," +
             fmt(r.ledger_net.mean, "%.10g") + "," + fmt(r.cost.mean, "%.10g") + "," + std::to_string(r.ahead.k) + "," +
             fmt(r.payoff.min, "%.10g") + "," + fmt(r.payoff.max, "%.10g") + "\n";
    }
  }
  return out;
}

std::string closed_forms_csv(const ScenarioResult& s) {
  std::string out = "case,name,formula,value,observable,applies,simulated,ci999_low,ci999_high,agreement\n";
  for (const CaseResult& c : s.cases) {
    for (const ClosedForm& f : c.closed_forms) {
      const Observed o = observe(c, f.observable);
      out += csv_field(c.spec.name) + "," + csv_field(f.name) + "," + csv_field(f.formula) + "," +
             fmt(f.value, "%.10g") + "," + csv_field(f.observable) + "," + (f.applies ? "1" : "0") + ",";
      if (o.available) {
        out += fmt(o.value, "%.10g") + "," + fmt(o.low, "%.10g") + "," + fmt(o.high, "%.10g") + "," +
               csv_field(agreement_name(agreement(f, o)));
      } else {
        out += ",,,";
      }
      out += "\n";
    }
  }
  return out;
}

std::string tables_csv(const CostModel& cost) {
  const CostModel mnv2 = *cost_preset("mobilenet_v2_0.35_96");
  const double here = cost.prove_usd() + cost.verify_seconds * cost.usd_per_second();
  const double mob = mnv2.prove_usd() + mnv2.verify_seconds * mnv2.usd_per_second();
  std::string out = "table,parameter,paper_n,paper_usd,n,usd_this_model,usd_mobilenet,usd_per_proof_this_model,"
                    "usd_per_proof_mobilenet\n";
  for (const TableRow& r : table_rows()) {
    out += r.table + "," + fmt(r.parameter, "%.4g") + "," + std::to_string(r.paper_n) + "," +
           fmt(r.paper_cost, "%.2f") + "," + std::to_string(r.n) + "," + fmt(double(r.n) * here, "%.6g") + "," +
           fmt(double(r.n) * mob, "%.6g") + "," + fmt(here, "%.6g") + "," + fmt(mob, "%.6g") + "\n";
  }
  return out;
}

std::string sweep_csv(const ScenarioResult& s) {
  std::string out;
  for (const Sweep& a : s.scenario.sweep) out += csv_field(a.param) + ",";
  out += "case,role,strategy,payoff_mean,payoff_ci95_low,payoff_ci95_high,ledger_net_mean,work_cost_mean\n";
  for (const GridPoint& p : s.grid) {
    std::string at;
    for (const auto& v : p.values) at += csv_field(v.is_string() ? v.get<std::string>() : v.dump()) + ",";
    for (const CaseResult& c : p.cases) {
      for (const RoleResult& r : c.roles) {
        const double h = r.payoff.half_width(kReportConfidence);
        out += at + csv_field(c.spec.name) + "," + r.role + "," + csv_field(r.strategy) + "," +
               fmt(r.payoff.mean, "%.10g") + "," + fmt(r.payoff.mean - h, "%.10g") + "," +
               fmt(r.payoff.mean + h, "%.10g") + "," + fmt(r.ledger_net.mean, "%.10g") + "," +
               fmt(r.cost.mean, "%.10g") + "\n";
      }
    }
  }
  return out;
}

Status write_reports(const ScenarioResult& s, const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error{"cannot create " + dir + ": " + ec.message()};
  auto write = [&](const std::string& name, const std::string& text) -> Status {
    const fs::path p = fs::path(dir) / name;
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f << text;
    f.close();
    if (!f) return Error{"cannot write " + p.string()};
    return {};
  };
  const std::pair<const char*, std::string> files[] = {
      {"report.txt", text_report(s)},       {"report.json", json_report(s).dump(2) + "\n"},
      {"cases.csv", cases_csv(s)},          {"closed_forms.csv", closed_forms_csv(s)},
      {"tables.csv", tables_csv(s.scenario.cost)}};
  for (const auto& [name, text] : files) {
    if (Status st = write(name, text); !st.ok()) return st;
  }
  if (s.grid.empty()) return {};
  if (Status st = write("sweep.csv", sweep_csv(s)); !st.ok()) return st;
  fs::create_directories(fs::path(dir) / "plots", ec);
  if (ec) return Error{"cannot create " + dir + "/plots: " + ec.message()};
  // One plot per role: E[payoff] against the first axis; a line per case (and per value
  // of the other axes).
  const Sweep& x_axis = s.scenario.sweep[0];
  const std::size_t per_x = x_axis.values.size();
  const std::size_t roles = s.grid[0].cases.empty() ? 0 : s.grid[0].cases[0].roles.size();
  for (std::size_t r = 0; r < roles; ++r) {
    Plot plot;
    const std::string role = s.grid[0].cases[0].roles[r].role;
    plot.title = s.scenario.name + ": " + role + "'s expected payoff against " + x_axis.param;
    plot.x_label = x_axis.param;
    plot.y_label = "E[payoff] of " + role + " (ledger units, 95% CI)";
    for (std::size_t group = 0; group < s.grid.size() / per_x; ++group) {
      for (std::size_t c = 0; c < s.scenario.cases.size(); ++c) {
        PlotSeries series;
        series.name = s.scenario.cases[c].name;
        for (std::size_t a = 1; a < s.scenario.sweep.size(); ++a)
          series.name += " " + s.scenario.sweep[a].param + "=" + s.grid[group * per_x].values[a].dump();
        for (std::size_t xi = 0; xi < per_x; ++xi) {
          const GridPoint& p = s.grid[group * per_x + xi];
          if (!p.values[0].is_number()) continue;
          const Summary& pay = p.cases[c].roles[r].payoff;
          const double h = pay.half_width(kReportConfidence);
          series.x.push_back(p.values[0].get<double>());
          series.y.push_back(pay.mean);
          series.low.push_back(pay.mean - h);
          series.high.push_back(pay.mean + h);
        }
        plot.series.push_back(std::move(series));
      }
    }
    if (Status st = write("plots/ev_" + role + "_vs_" + x_axis.param + ".svg", render_svg(plot)); !st.ok()) return st;
  }
  return {};
}

}  // namespace verdict::sim
