#include "store/sha256.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace mps::store {

namespace {

std::string Digest(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr) != 1 || len != 32) {
    throw std::runtime_error("libcrypto could not compute a SHA-256");
  }
  return std::string(reinterpret_cast<const char*>(md), len);
}

}  // namespace

std::string RecordSha256(std::string_view bytes) {
  std::string d = Digest(bytes);
  unsigned char b64[64];
  int n = EVP_EncodeBlock(b64, reinterpret_cast<const unsigned char*>(d.data()), static_cast<int>(d.size()));
  std::string out = "sha256=";
  for (int i = 0; i < n; ++i) {
    char c = static_cast<char>(b64[i]);
    if (c == '=') break;
    out += c == '+' ? '-' : c == '/' ? '_' : c;
  }
  return out;
}

std::string Sha256Hex(std::string_view bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : Digest(bytes)) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

}  // namespace mps::store
