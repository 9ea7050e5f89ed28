// Reports: the same seed gives byte-identical files whatever the thread count; another
// seed changes them; the grid and plots are written for a sweep; observables and the
// agreement rule behave; the SVG is well formed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/binomial.hpp"
#include "sim/report.hpp"
#include "sim/svg_plot.hpp"

namespace verdict::sim {
namespace {

namespace fs = std::filesystem;

Scenario small_scenario() {
  auto s = parse_scenario(nlohmann::json::parse(R"({"name": "det", "protocol": "accuracy", "runs": 300, "seed": 5,
    "params": {"n1": 2, "n2": 6, "e": 400000, "p": 20000, "z": "cost", "eps": 100}, "baseline": "honest",
    "cases": [{"name": "honest", "parties": {"mp": {"accuracy": 0.8}}},
              {"name": "sham", "parties": {"mp": {"strategy": "sham_abort"}}}],
    "sweep": {"param": "n1", "values": [1, 2, 3]}})"));
  EXPECT_TRUE(s.ok()) << s.error().message;
  return *s;
}

std::string read(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream b;
  b << f.rdbuf();
  return b.str();
}

fs::path temp_dir(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("verdict_sim_report_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(p);
  return p;
}

TEST(Report, SameSeedGivesByteIdenticalFilesForAnyThreadCount) {
  const Scenario s = small_scenario();
  auto one = run_scenario(s, MonteCarloOptions{s.runs, s.seed, 1});
  auto two = run_scenario(s, MonteCarloOptions{s.runs, s.seed, 2});
  ASSERT_TRUE(one.ok() && two.ok());
  const fs::path a = temp_dir("a"), b = temp_dir("b");
  ASSERT_TRUE(write_reports(*one, a.string()).ok());
  ASSERT_TRUE(write_reports(*two, b.string()).ok());
  std::size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(a)) {
    if (!e.is_regular_file()) continue;
    const fs::path rel = fs::relative(e.path(), a);
    EXPECT_EQ(read(e.path()), read(b / rel)) << rel;
    ++files;
  }
  EXPECT_EQ(files, 9u);  // 5 reports, sweep.csv and a plot per role
  EXPECT_TRUE(fs::exists(a / "plots" / "ev_mp_vs_n1.svg"));
  // Another seed: another report.
  auto other = run_scenario(s, MonteCarloOptions{s.runs, s.seed + 1, 2});
  ASSERT_TRUE(other.ok());
  EXPECT_NE(text_report(*one), text_report(*other));
  fs::remove_all(a);
  fs::remove_all(b);
}

TEST(Report, ReportsStateTheFindings) {
  const Scenario s = small_scenario();
  auto r = run_scenario(s, MonteCarloOptions{200, 9, 2});
  ASSERT_TRUE(r.ok());
  const std::string text = text_report(*r);
  EXPECT_NE(text.find("case 'sham'"), std::string::npos);
  EXPECT_NE(text.find("validity: mp (sham_abort) came out ahead in 200 of 200 runs"), std::string::npos) << text;
  EXPECT_NE(text.find("Paper Tables 3 and 4"), std::string::npos);
  const nlohmann::json j = json_report(*r);
  EXPECT_EQ(j["cases"].size(), 2u);
  EXPECT_EQ(j["sweep"].size(), 3u);
  EXPECT_EQ(j["total_runs"], 200u * 2 * 4);
  const std::string csv = cases_csv(*r);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 2 * 3);
  const std::string tables = tables_csv(s.cost);
  EXPECT_NE(tables.find("3,0.05,72,7.65,72,"), std::string::npos) << tables;
  EXPECT_NE(tables.find("4,0.01,14979,1590.50,14979,"), std::string::npos) << tables;
}

TEST(Report, CoalitionsSumTheirMembersPayoffs) {
  // MP and MC of one owner (a fake verification, Appendix B's "collude to verify"): the
  // coalition pays the escrow's two fees and the work, whatever moves between its members.
  auto s = parse_scenario(nlohmann::json::parse(R"({"name": "c", "protocol": "accuracy", "runs": 200, "seed": 2,
    "params": {"n1": 2, "n2": 6, "e": 400000, "p": 20000, "z": "cost", "eps": 100},
    "cases": [{"name": "fake", "parties": {"mp": {"accuracy": 1.0, "owner": "mallory"},
                                           "mc": {"owner": "mallory"}}}]})"));
  ASSERT_TRUE(s.ok()) << s.error().message;
  auto r = run_scenario(*s, MonteCarloOptions{s->runs, s->seed, 2});
  ASSERT_TRUE(r.ok());
  const CaseResult& c = r->cases[0];
  ASSERT_EQ(c.coalitions.size(), 1u);
  const CoalitionResult& co = c.coalitions[0];
  EXPECT_EQ(co.owner, "mallory");
  EXPECT_EQ(co.roles, (std::vector<std::string>{"mp", "mc"}));
  EXPECT_NEAR(co.payoff.mean, c.roles[0].payoff.mean + c.roles[1].payoff.mean, 1e-6);
  EXPECT_NEAR(co.payoff.mean, -200 - c.roles[0].cost.mean - c.roles[1].cost.mean, 1e-6);
  EXPECT_EQ(co.ahead.k, 0u);
  EXPECT_NE(text_report(*r).find("coalition 'mallory' (mp + mc)"), std::string::npos);
  EXPECT_EQ(json_report(*r)["cases"][0]["coalitions"][0]["owner"], "mallory");
}

TEST(Report, ObservablesAndAgreement) {
  CaseResult c;
  c.runs = 1000;
  c.terminals = {{"a", 250}, {"b", 750}};
  RoleResult mp;
  mp.role = "mp";
  std::vector<double> xs(1000);
  for (std::size_t i = 0; i < xs.size(); ++i) xs[i] = i % 2 ? 110 : 90;  // mean 100, sd ~10
  mp.payoff = mp.ledger_net = summarize(xs);
  c.roles = {mp};
  c.fees = summarize(std::vector<double>(1000, 20));
  const Observed rate = observe(c, "rate:a");
  EXPECT_DOUBLE_EQ(rate.value, 0.25);
  EXPECT_LT(rate.low, 0.25);
  EXPECT_GT(rate.high, 0.25);
  EXPECT_DOUBLE_EQ(observe(c, "rate:a|b").value, 1.0);
  EXPECT_DOUBLE_EQ(observe(c, "loss:mp").value, -100);
  EXPECT_DOUBLE_EQ(observe(c, "transfer:mp").value, 110);
  EXPECT_DOUBLE_EQ(observe(c, "ratio:transfer:mp/fee_per_party").value, 11);
  EXPECT_FALSE(observe(c, "payoff:judge").available);
  EXPECT_FALSE(observe(c, "none").available);
  ClosedForm f{"x", "x", 100.5, "payoff:mp", true, ""};
  EXPECT_TRUE(agrees(f, observe(c, "payoff:mp")));
  f.value = 104;  // 0.999 interval is about +-1.04
  EXPECT_FALSE(agrees(f, observe(c, "payoff:mp")));
  f.value = 100;
  f.applies = false;
  EXPECT_FALSE(agrees(f, observe(c, "payoff:mp")));
}

TEST(Report, Binomials) {
  EXPECT_NEAR(miss_probability(50, 6, 10), 0.24154883044799788, 1e-12);  // C(44,10)/C(50,10)
  EXPECT_DOUBLE_EQ(miss_probability(10, 5, 6), 0.0);
  EXPECT_DOUBLE_EQ(miss_probability(10, 0, 6), 1.0);
  EXPECT_NEAR(hypergeometric_pmf(50, 6, 10, 0), miss_probability(50, 6, 10), 1e-12);
  double sum = 0;
  for (std::uint64_t k = 0; k <= 6; ++k) sum += hypergeometric_pmf(50, 6, 10, k);
  EXPECT_NEAR(sum, 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(hypergeometric_pmf(50, 6, 10, 7), 0.0);
  EXPECT_NEAR(binomial_tail_at_least(10, 0.5, 5), 0.623046875, 1e-12);
  EXPECT_DOUBLE_EQ(binomial_tail_at_least(10, 1.0, 10), 1.0);
  EXPECT_DOUBLE_EQ(binomial_tail_at_least(10, 0.0, 1), 0.0);
  EXPECT_DOUBLE_EQ(binomial_tail_at_least(10, 0.3, 11), 0.0);
}

TEST(Report, SvgIsWellFormed) {
  Plot p{"EV <of> mp & co", "beta", "EV", {{"case", {1, 2, 3}, {-1, 0, 2}, {-2, -1, 1}, {0, 1, 3}}, {"empty", {}, {}, {}, {}}}};
  const std::string svg = render_svg(p);
  EXPECT_EQ(svg.rfind("<svg ", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("EV &lt;of&gt; mp &amp; co"), std::string::npos);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(render_svg(p), svg);
  EXPECT_NE(render_svg(Plot{}).find("</svg>"), std::string::npos);
}

}  // namespace
}  // namespace verdict::sim
