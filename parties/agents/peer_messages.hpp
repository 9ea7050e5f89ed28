#pragma once
// The accuracy protocol's peer messages (protocols/accuracy/protocol.hpp) on the wire.
// Each travels as one signed envelope (parties/wire) whose type names the message and
// whose single binary frame holds the canonical encoding below (base/codec.hpp:
// big-endian, u32 length prefixes); the envelope payload is empty.
//
//   accuracy.model_commitment     32-byte commitment
//   accuracy.test_set_commitment  32-byte root || u32 N || 32-byte seed commitment
//   accuracy.subset               32-byte mc_seed || bytes sealed
//   accuracy.rest                 bytes sealed
//   accuracy.proofs               u32 count || count x bytes (nn::ModelProof::to_bytes)

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "protocols/accuracy/protocol.hpp"

namespace verdict::agents {

const char* message_type(const accuracy::Message& m);
std::vector<std::uint8_t> encode_message(const accuracy::Message& m);
// Errors on an unknown type or a malformed body.
Result<accuracy::Message> decode_message(const std::string& type, std::span<const std::uint8_t> body);

}  // namespace verdict::agents
