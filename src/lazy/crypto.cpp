// libcrypto's functions that mps-patch calls (SHA-256 of RECORD entries),
// opened on first use: see lazy.h.
#include <openssl/evp.h>

#include "lazy/lazy.h"

namespace {
constexpr mps::lazy::Library kCrypto{MPS_LIBCRYPTO_SONAME, "to hash files for pip's RECORD"};
}  // namespace

extern "C" {

const EVP_MD* EVP_sha256(void) {
  MPS_LAZY_FN(kCrypto, EVP_sha256);
  return fn();
}

int EVP_Digest(const void* data, size_t count, unsigned char* md, unsigned int* size, const EVP_MD* type,
               ENGINE* impl) {
  MPS_LAZY_FN(kCrypto, EVP_Digest);
  return fn(data, count, md, size, type, impl);
}

int EVP_EncodeBlock(unsigned char* t, const unsigned char* f, int n) {
  MPS_LAZY_FN(kCrypto, EVP_EncodeBlock);
  return fn(t, f, n);
}

}  // extern "C"
