// The two escrow backends of the simulator agree run for run: every case of every
// shipped scenario, played on the rule engine in memory and on the whole SQLite ledger
// with the same seeds, gives the same terminal stage, nets, fees, costs, virtual time
// and number of escrow requests, Sybil sequences included (the ledger backend also checks that the events the
// machines saw are the ledger's recorded history).
#include <gtest/gtest.h>

#include <filesystem>

#include "sim/monte_carlo.hpp"
#include "sim/scenario.hpp"

namespace verdict::sim {
namespace {

TEST(EscrowBackends, EngineAndLedgerAgreeOnEveryShippedCase) {
  std::size_t cases = 0;
  for (const auto& entry : std::filesystem::directory_iterator(VERDICT_SCENARIO_DIR)) {
    if (entry.path().extension() != ".json") continue;
    auto scenario = load_scenario(entry.path().string());
    ASSERT_TRUE(scenario.ok()) << scenario.error().message;
    auto info = protocol_info(scenario->protocol);
    ASSERT_TRUE(info.ok());
    for (CaseSpec c : scenario->cases) {
      c.escrow = VirtualEscrow::Backend::kEngine;
      auto engine = info->make(c, scenario->cost);
      c.escrow = VirtualEscrow::Backend::kLedger;
      auto ledger = info->make(c, scenario->cost);
      ASSERT_TRUE(engine.ok() && ledger.ok()) << c.name;
      for (std::uint64_t i = 0; i < 12; ++i) {
        ChaChaRng r1(run_key(scenario->seed, c.name, i)), r2(run_key(scenario->seed, c.name, i));
        // A Sybil case's run is its whole sequence of instances.
        auto a = play_run(**engine, c.sybil, i, r1);
        auto b = play_run(**ledger, c.sybil, i, r2);
        ASSERT_TRUE(a.ok()) << c.name << " run " << i << ": " << a.error().message;
        ASSERT_TRUE(b.ok()) << c.name << " run " << i << ": " << b.error().message;
        const std::string at = entry.path().filename().string() + " / " + c.name + " / run " + std::to_string(i);
        EXPECT_EQ(a->terminal, b->terminal) << at;
        EXPECT_EQ(a->ledger_net, b->ledger_net) << at;
        EXPECT_EQ(a->cost, b->cost) << at;
        EXPECT_EQ(a->fees, b->fees) << at;
        EXPECT_EQ(a->duration_ms, b->duration_ms) << at;
        EXPECT_EQ(a->escrow_ops, b->escrow_ops) << at;
        EXPECT_EQ(a->identities, b->identities) << at;
      }
      ++cases;
    }
  }
  EXPECT_GE(cases, 30u);
}

}  // namespace
}  // namespace verdict::sim
