// Scenario files: the shipped ones load; every malformed or inconsistent file is refused
// with an error that names what is wrong.
#include <gtest/gtest.h>

#include <filesystem>

#include "sim/scenario.hpp"

namespace verdict::sim {
namespace {

nlohmann::json minimal() {
  return nlohmann::json::parse(R"({"name": "t", "protocol": "accuracy", "runs": 10, "seed": 3,
    "params": {"n1": 2, "n2": 6, "e": 400000, "p": 20000, "z": "cost", "eps": 100},
    "cases": [{"name": "honest"}]})");
}

TEST(Scenario, ShippedScenariosLoad) {
  std::size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(VERDICT_SCENARIO_DIR)) {
    if (entry.path().extension() != ".json") continue;
    auto s = load_scenario(entry.path().string());
    EXPECT_TRUE(s.ok()) << entry.path() << ": " << (s.ok() ? "" : s.error().message);
    ++n;
  }
  EXPECT_GE(n, 1u);
}

TEST(Scenario, MergesParamsAndParsesParties) {
  nlohmann::json j = minimal();
  j["cases"].push_back(nlohmann::json::parse(
      R"({"name": "sham", "params": {"eps": "n1p"}, "parties": {"mp": {"strategy": "sham_abort", "owner": "mallory"},
          "mc": {"strategy": "timeout", "timeout_at": "subset_chosen"}}})"));
  j["sweep"] = nlohmann::json::parse(R"([{"param": "n1", "values": [1, 2]}, {"param": "eps", "values": [0, 50]}])");
  auto s = parse_scenario(j);
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_EQ(s->cases.size(), 2u);
  EXPECT_EQ(s->cases[1].params["eps"], "n1p");
  EXPECT_EQ(s->cases[1].params["n2"], 6);
  EXPECT_EQ(s->cases[1].parties[0].strategy, "sham_abort");
  EXPECT_EQ(s->cases[1].parties[0].owner, "mallory");
  EXPECT_EQ(s->cases[1].parties[1].deviation.silent_at, "subset_chosen");
  EXPECT_TRUE(s->cases[1].parties[2].honest());
  ASSERT_EQ(s->sweep.size(), 2u);
  EXPECT_EQ(s->runs, 10u);
  EXPECT_EQ(s->seed, 3u);
}

TEST(Scenario, BadFilesNameTheProblem) {
  struct Bad {
    std::string patch;  // a JSON merge patch on minimal()
    std::string message;
  };
  const Bad bad[] = {
      {R"({"protocol": "poker"})", "unknown protocol 'poker'"},
      {R"({"runs": 0})", "scenario.runs"},
      {R"({"runs": "many"})", "scenario.runs: expected an integer"},
      {R"({"colour": "red"})", "unknown field 'colour'"},
      {R"({"cases": []})", "scenario.cases: expected a non-empty array"},
      {R"({"cases": [{"name": "a"}, {"name": "a"}]})", "'a' twice"},
      {R"({"cases": [{"name": "a", "parties": {"judge": {}}}]})", "unknown field 'judge'"},
      {R"({"cases": [{"name": "a", "parties": {"mp": {"strategy": "timeout"}}}]})", "needs timeout_at"},
      {R"({"cases": [{"name": "a", "parties": {"mp": {"strategy": "timeout", "timeout_at": "lunch"}}}]})",
       "timeout_at names no stage of accuracy/v1: 'lunch'"},
      {R"({"cases": [{"name": "a", "parties": {"mp": {"abort_at": "proving"}}}]})", "go together"},
      {R"({"cases": [{"name": "a", "parties": {"mp": {"timeout_at": "proving"}}}]})", "an honest party"},
      {R"({"cases": [{"name": "a", "parties": {"mp": {"strategy": 7}}}]})", "mp.strategy: expected a non-empty string"},
      {R"({"params": {"n1": -1}})", "params.n1"},
      {R"({"cost": {"model": "gpt"}})", "unknown cost model 'gpt'"},
      {R"({"cost": {"vcpus": 0}})", "cost.vcpus"},
      {R"({"baseline": "nope"})", "no case named 'nope'"},
      {R"({"sweep": {"param": "n1", "values": []}})", "1 to 256 values"},
      {R"({"sweep": {"param": "n2", "values": [0]}})", "sweep n2 = 0"},
  };
  for (const Bad& b : bad) {
    nlohmann::json j = minimal();
    j.merge_patch(nlohmann::json::parse(b.patch));
    auto s = parse_scenario(j);
    ASSERT_FALSE(s.ok()) << b.patch;
    EXPECT_NE(s.error().message.find(b.message), std::string::npos) << b.patch << " -> " << s.error().message;
  }
}

TEST(Scenario, RawBytesAreCheckedBeforeParsing) {
  EXPECT_NE(parse_scenario_text("{").error().message.find("not valid JSON"), std::string::npos);
  EXPECT_NE(parse_scenario_text(std::string(100, '[')).error().message.find("nested deeper"), std::string::npos);
  EXPECT_NE(parse_scenario_text(std::string(kMaxScenarioBytes + 1, ' ')).error().message.find("at most 1 MiB"),
            std::string::npos);
  EXPECT_NE(load_scenario("/nonexistent/x.json").error().message.find("cannot read"), std::string::npos);
  EXPECT_TRUE(parse_scenario_text(minimal().dump()).ok());
}

}  // namespace
}  // namespace verdict::sim
