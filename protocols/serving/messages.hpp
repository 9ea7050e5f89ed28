#pragma once
// Canonical encodings of the serving messages (protocol.hpp), for the transport and the
// transcripts. Big-endian (base/codec.hpp); every value has exactly one encoding.
//
//   serving.model_commitment   model commitment (32)
//   serving.round_open         round id (16) || seed commitment (32)
//   serving.inputs             u32 K || K x (u32 len || input bytes || salt (32, Fr BE))
//   serving.input_commitments  u32 K || K x ic_i (32, Fr BE) || seed commitment (32)
//   serving.predictions        u32 K || K x (u32 len || output bytes)
//   serving.contest            seed (32)
//   serving.proofs             u32 n || n x (u32 len || nn::ModelProof::to_bytes)
//
// Decoding refuses an unknown type, truncation, trailing bytes, a count above
// kMaxMessageItems, a tensor above kMaxTensorBytes, a proof above kMaxProofBytes, a
// field element >= r, and a proof whose bytes are not its canonical encoding.
// Counts are not checked against the terms' K or K1 here; the machines do that.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "protocols/serving/protocol.hpp"

namespace verdict::serving {

inline constexpr std::uint32_t kMaxMessageItems = kMaxRoundSize;
inline constexpr std::size_t kMaxTensorBytes = std::size_t(1) << 24;
inline constexpr std::size_t kMaxProofBytes = std::size_t(64) << 20;

const char* message_type(const Message& message);
// Requires counts below 2^32, and as many salts as inputs in an Inputs message.
std::vector<std::uint8_t> encode_message(const Message& message);
Result<Message> decode_message(const std::string& type, std::span<const std::uint8_t> body);

}  // namespace verdict::serving
