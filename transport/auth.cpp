#include "transport/auth.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <chrono>
#include <ctime>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace sagemcp::transport {

namespace {

constexpr std::string_view base64url_alphabet
  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(const uint8_t* data, size_t size) {
  std::string out;
  out.reserve((size * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 2 < size; i += 3) {
    uint32_t n = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    out += base64url_alphabet[(n >> 18) & 63];
    out += base64url_alphabet[(n >> 12) & 63];
    out += base64url_alphabet[(n >> 6) & 63];
    out += base64url_alphabet[n & 63];
  }
  if (size - i == 1) {
    uint32_t n = uint32_t{data[i]} << 16;
    out += base64url_alphabet[(n >> 18) & 63];
    out += base64url_alphabet[(n >> 12) & 63];
  } else if (size - i == 2) {
    uint32_t n = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8);
    out += base64url_alphabet[(n >> 18) & 63];
    out += base64url_alphabet[(n >> 12) & 63];
    out += base64url_alphabet[(n >> 6) & 63];
  }
  return out;
}

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

} // namespace

std::string random_token(size_t bytes) {
  std::vector<uint8_t> buf(bytes);
  if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) {
    // Without a working CSPRNG no secret can be minted safely; this is not recoverable.
    throw std::runtime_error("RAND_bytes failed");
  }
  return base64url(buf.data(), buf.size());
}

std::string_view key_prefix(scope role) {
  switch (role) {
    case scope::platform_admin:
      return "smcp_pa_";
    case scope::tenant_admin:
      return "smcp_ta_";
    case scope::tenant_user:
      return "smcp_tu_";
  }
  return "smcp_tu_";
}

std::string generate_api_key(scope role) {
  // 32 random bytes encode to exactly 43 base64url characters.
  std::string key{key_prefix(role)};
  key += random_token(32);
  return key;
}

std::array<uint8_t, 32> derive_key(std::string_view secret, std::string_view purpose) {
  std::array<uint8_t, 32> out{};
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
  if (rc != 1) {
    throw std::runtime_error("HKDF derivation failed");
  }
  return out;
}

key_cache::key_cache(std::string_view secret) : pepper_(derive_key(secret, "api-key-pepper")) {
  // nop
}

std::string key_cache::hash(std::string_view key) const {
  std::array<uint8_t, EVP_MAX_MD_SIZE> mac{};
  unsigned len = 0;
  HMAC(EVP_sha256(), pepper_.data(), static_cast<int>(pepper_.size()),
       reinterpret_cast<const uint8_t*>(key.data()), key.size(), mac.data(), &len);
  static constexpr std::string_view hex = "0123456789abcdef";
  std::string out;
  out.reserve(size_t{len} * 2);
  for (unsigned i = 0; i < len; ++i) {
    out += hex[mac[i] >> 4];
    out += hex[mac[i] & 0xF];
  }
  return out;
}

void key_cache::put(const api_key_row& row) {
  std::unique_lock guard{mtx_};
  put_locked(row);
}

void key_cache::replace_all(const std::vector<api_key_row>& rows) {
  std::unique_lock guard{mtx_};
  by_hash_.clear();
  hash_by_id_.clear();
  for (const auto& row : rows) {
    put_locked(row);
  }
}

void key_cache::put_locked(const api_key_row& row) {
  if (auto i = hash_by_id_.find(row.id); i != hash_by_id_.end()) {
    by_hash_.erase(i->second);
    hash_by_id_.erase(i);
  }
  int64_t expires = 0;
  if (!row.expires_at.empty()) {
    expires = parse_timestamp(row.expires_at).value_or(1);
  }
  if (!row.is_active || (expires != 0 && expires <= now_seconds())) {
    return;
  }
  principal who{row.id, row.role, row.tenant_id, row.tenant_slug};
  by_hash_.insert_or_assign(row.key_hash, entry{std::move(who), expires});
  hash_by_id_.insert_or_assign(row.id, row.key_hash);
}

void key_cache::erase(const std::string& key_id) {
  std::unique_lock guard{mtx_};
  if (auto i = hash_by_id_.find(key_id); i != hash_by_id_.end()) {
    by_hash_.erase(i->second);
    hash_by_id_.erase(i);
  }
}

void key_cache::erase_tenant(const std::string& tenant_id) {
  std::unique_lock guard{mtx_};
  for (auto i = by_hash_.begin(); i != by_hash_.end();) {
    if (i->second.who.tenant_id == tenant_id) {
      hash_by_id_.erase(i->second.who.key_id);
      i = by_hash_.erase(i);
    } else {
      ++i;
    }
  }
}

std::optional<principal> key_cache::find(std::string_view key) const {
  auto digest = hash(key);
  std::shared_lock guard{mtx_};
  auto i = by_hash_.find(digest);
  if (i == by_hash_.end()) {
    return std::nullopt;
  }
  if (i->second.expires_at != 0 && i->second.expires_at <= now_seconds()) {
    return std::nullopt;
  }
  return i->second.who;
}

size_t key_cache::size() const {
  std::shared_lock guard{mtx_};
  return by_hash_.size();
}

std::optional<int64_t> parse_timestamp(std::string_view text) {
  if (text.size() < 19) {
    return std::nullopt;
  }
  std::tm tm{};
  std::string head{text.substr(0, 19)};
  if (strptime(head.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) {
    return std::nullopt;
  }
  return static_cast<int64_t>(timegm(&tm));
}

} // namespace sagemcp::transport
