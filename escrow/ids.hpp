#pragma once
// Identifiers the ledger uses and the ledger's account names.
//
// A party is its Ed25519 public key (32 bytes): the ledger never sees a key pair, only
// the public key the message layer authenticated. Instances and operations are
// identified by 16-byte ids the client chooses (random, from OsRng).
//
// Account names (docs/formats.md ("Escrow and parties")):
//   party/<hex key>             a party's available balance
//   stake/<hex key>             a party's staked (locked) balance
//   hold/<hex instance>/<role>  what one role has escrowed in one instance
//   fee                         the escrow service's fees
//   world                       contra account for money that entered or left the system

#include <array>
#include <cstdint>
#include <string>

#include "base/hex.hpp"
#include "escrow/codec/sha256.hpp"

namespace verdict::escrow {

using PartyId = std::array<std::uint8_t, 32>;
using InstanceId = std::array<std::uint8_t, 16>;
using OpId = std::array<std::uint8_t, 16>;
using Digest = codec::Digest;

inline std::string party_account(const PartyId& p) { return "party/" + to_hex(p); }
inline std::string stake_account(const PartyId& p) { return "stake/" + to_hex(p); }
inline std::string hold_account(const InstanceId& i, const std::string& role) {
  return "hold/" + to_hex(i) + "/" + role;
}
inline constexpr const char* kFeeAccount = "fee";
inline constexpr const char* kWorldAccount = "world";

}  // namespace verdict::escrow
