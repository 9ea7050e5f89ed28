// verdict sim's scenario files (sim/scenario.hpp): arbitrary bytes must give a Scenario
// or an Error, never a crash, a hang or undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sim/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto s = verdict::sim::parse_scenario_text(std::string_view(reinterpret_cast<const char*>(data), size));
  if (s.ok() && s->cases.empty()) __builtin_trap();  // a parsed scenario has cases
  return 0;
}
