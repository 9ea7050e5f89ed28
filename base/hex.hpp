#pragma once
// Hex text <-> bytes, for test vectors, CLI output and human-readable formats.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace verdict {

// Lower-case hex, two characters per byte.
std::string to_hex(std::span<const std::uint8_t> bytes);

// Accepts an optional "0x" prefix and either case; rejects odd lengths and non-hex
// characters with an Error naming the offending position.
Result<std::vector<std::uint8_t>> from_hex(std::string_view text);

}  // namespace verdict
