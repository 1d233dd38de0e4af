#include "security/crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <utility>

namespace sagemcp::security {

namespace {

constexpr std::string_view base64url_alphabet
  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int base64url_value(char c) {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  if (c == '-') {
    return 62;
  }
  return c == '_' ? 63 : -1;
}

} // namespace

void random_bytes(std::span<uint8_t> out) {
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
}

std::string random_token(size_t bytes) {
  std::vector<uint8_t> buf(bytes);
  random_bytes(buf);
  return base64url_encode(buf);
}

std::string base64url_encode(std::span<const uint8_t> data) {
  std::string out;
  out.reserve((data.size() * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t n = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    out += base64url_alphabet[(n >> 18) & 63];
    out += base64url_alphabet[(n >> 12) & 63];
    out += base64url_alphabet[(n >> 6) & 63];
    out += base64url_alphabet[n & 63];
  }
  if (data.size() - i == 1) {
    uint32_t n = uint32_t{data[i]} << 16;
    out += base64url_alphabet[(n >> 18) & 63];
    out += base64url_alphabet[(n >> 12) & 63];
  } else if (data.size() - i == 2) {
    uint32_t n = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8);
    out += base64url_alphabet[(n >> 18) & 63];
    out += base64url_alphabet[(n >> 12) & 63];
    out += base64url_alphabet[(n >> 6) & 63];
  }
  return out;
}

std::optional<std::vector<uint8_t>> base64url_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') {
    text.remove_suffix(1);
  }
  if (text.size() % 4 == 1) {
    return std::nullopt;
  }
  std::vector<uint8_t> out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = base64url_value(c);
    if (v < 0) {
      return std::nullopt;
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

std::string to_hex(std::span<const uint8_t> data) {
  static constexpr std::string_view hex = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (auto byte : data) {
    out += hex[byte >> 4];
    out += hex[byte & 0xF];
  }
  return out;
}

key256 derive_key(std::string_view secret, std::string_view purpose) {
  key256 out{};
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  EVP_KDF_CTX* ctx = kdf != nullptr ? EVP_KDF_CTX_new(kdf) : nullptr;
  EVP_KDF_free(kdf);
  if (ctx == nullptr) {
    throw std::runtime_error("HKDF is unavailable");
  }
  std::string digest = "SHA256";
  std::string salt = "sagemcp-hkdf-v1";
  std::string key{secret};
  std::string info{purpose};
  std::array params{
    OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest.data(), 0),
    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, key.data(), key.size()),
    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt.data(), salt.size()),
    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), info.size()),
    OSSL_PARAM_construct_end(),
  };
  int rc = EVP_KDF_derive(ctx, out.data(), out.size(), params.data());
  EVP_KDF_CTX_free(ctx);
  OPENSSL_cleanse(key.data(), key.size());
  if (rc != 1) {
    throw std::runtime_error("HKDF derivation failed");
  }
  return out;
}

key256 hmac_sha256(std::span<const uint8_t> key, std::string_view data) {
  key256 out{};
  unsigned len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const uint8_t*>(data.data()), data.size(), out.data(), &len);
  return out;
}

// The hash contexts after the inner (key ^ ipad) and outer (key ^ opad) blocks of RFC 2104.
struct hmac_sha256_key::state {
  EVP_MD_CTX* inner = nullptr;
  EVP_MD_CTX* outer = nullptr;

  state() = default;
  state(const state&) = delete;
  state& operator=(const state&) = delete;
  ~state() {
    EVP_MD_CTX_free(inner);
    EVP_MD_CTX_free(outer);
  }
};

namespace {

constexpr size_t sha256_block = 64;

EVP_MD_CTX* started_digest(std::span<const uint8_t> block) {
  auto* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1
      || EVP_DigestUpdate(ctx, block.data(), block.size()) != 1) {
    EVP_MD_CTX_free(ctx);
    throw std::runtime_error("SHA-256 is not available");
  }
  return ctx;
}

// A context per thread to finish digests in, reused from call to call.
EVP_MD_CTX* scratch_digest() {
  thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(),
                                                                           &EVP_MD_CTX_free};
  if (!ctx) {
    throw std::runtime_error("out of memory for a digest");
  }
  return ctx.get();
}

void finish_digest(EVP_MD_CTX* work, const EVP_MD_CTX* start, const uint8_t* data, size_t size,
                   uint8_t* out) {
  unsigned len = 0;
  if (EVP_MD_CTX_copy_ex(work, start) != 1 || EVP_DigestUpdate(work, data, size) != 1
      || EVP_DigestFinal_ex(work, out, &len) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
}

} // namespace

hmac_sha256_key::hmac_sha256_key(std::span<const uint8_t> key) : state_(new state) {
  std::array<uint8_t, sha256_block> padded{};
  if (key.size() > sha256_block) {
    // Longer keys are hashed first (RFC 2104).
    unsigned len = 0;
    EVP_Digest(key.data(), key.size(), padded.data(), &len, EVP_sha256(), nullptr);
  } else {
    std::copy(key.begin(), key.end(), padded.begin());
  }
  std::array<uint8_t, sha256_block> block{};
  try {
    for (size_t i = 0; i < sha256_block; ++i) {
      block[i] = padded[i] ^ 0x36;
    }
    state_->inner = started_digest(block);
    for (size_t i = 0; i < sha256_block; ++i) {
      block[i] = padded[i] ^ 0x5c;
    }
    state_->outer = started_digest(block);
  } catch (...) {
    OPENSSL_cleanse(padded.data(), padded.size());
    OPENSSL_cleanse(block.data(), block.size());
    delete state_;
    throw;
  }
  OPENSSL_cleanse(padded.data(), padded.size());
  OPENSSL_cleanse(block.data(), block.size());
}

hmac_sha256_key::~hmac_sha256_key() {
  delete state_;
}

hmac_sha256_key::hmac_sha256_key(hmac_sha256_key&& other) noexcept
  : state_(std::exchange(other.state_, nullptr)) {}

hmac_sha256_key& hmac_sha256_key::operator=(hmac_sha256_key&& other) noexcept {
  if (this != &other) {
    delete state_;
    state_ = std::exchange(other.state_, nullptr);
  }
  return *this;
}

key256 hmac_sha256_key::operator()(std::string_view data) const {
  auto* work = scratch_digest();
  key256 inner{};
  finish_digest(work, state_->inner, reinterpret_cast<const uint8_t*>(data.data()), data.size(),
                inner.data());
  key256 out{};
  finish_digest(work, state_->outer, inner.data(), inner.size(), out.data());
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace sagemcp::security
