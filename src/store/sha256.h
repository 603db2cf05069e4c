#pragma once
// SHA-256 (from libcrypto) in the forms the state uses.
#include <string>
#include <string_view>

namespace mps::store {

// "sha256=" and the URL-safe base64 of the digest without padding: the form of
// a hash in a wheel's RECORD.
std::string RecordSha256(std::string_view bytes);

std::string Sha256Hex(std::string_view bytes);

}  // namespace mps::store
