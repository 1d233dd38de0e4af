#include "security/keyring.hpp"

#include "messages/errc.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <stdexcept>

namespace sagemcp::security {

namespace {

constexpr size_t nonce_size = 12;
constexpr size_t tag_size = 16;
constexpr size_t key_id_size = 8;
constexpr std::string_view fernet_salt = "sagemcp-field-encryption-v1";
constexpr int fernet_iterations = 480'000;

struct cipher_ctx {
  EVP_CIPHER_CTX* ptr = EVP_CIPHER_CTX_new();
  cipher_ctx() {
    if (ptr == nullptr) {
      throw std::runtime_error("EVP_CIPHER_CTX_new failed");
    }
  }
  cipher_ctx(const cipher_ctx&) = delete;
  cipher_ctx& operator=(const cipher_ctx&) = delete;
  ~cipher_ctx() {
    EVP_CIPHER_CTX_free(ptr);
  }
};

std::string aad_of(std::string_view key_id, std::string_view context) {
  std::string aad{sealed_prefix};
  aad += key_id;
  aad += ':';
  aad += context;
  return aad;
}

caf::error unreadable(std::string message) {
  return make_error(errc::secret_unreadable, std::move(message));
}

} // namespace

keyring::keyring(std::string_view current, std::string_view previous) {
  for (auto secret : {current, previous}) {
    if (secret.empty()) {
      continue;
    }
    auto entry = std::make_unique<key_entry>();
    auto id_material = derive_key(secret, "secret-key-id");
    entry->id = to_hex(std::span{id_material}.first(key_id_size / 2));
    if (find(entry->id) != nullptr) {
      continue;
    }
    entry->key = derive_key(secret, "secrets-at-rest-aes-256-gcm");
    entry->secret = std::string{secret};
    keys_.push_back(std::move(entry));
  }
  if (keys_.empty()) {
    throw std::invalid_argument("a keyring needs a secret");
  }
}

keyring::~keyring() {
  for (auto& entry : keys_) {
    OPENSSL_cleanse(entry->key.data(), entry->key.size());
    OPENSSL_cleanse(entry->fernet_key.data(), entry->fernet_key.size());
    OPENSSL_cleanse(entry->secret.data(), entry->secret.size());
  }
}

const keyring::key_entry* keyring::find(std::string_view id) const {
  for (const auto& entry : keys_) {
    if (entry->id == id) {
      return entry.get();
    }
  }
  return nullptr;
}

const std::string& keyring::current_key_id() const {
  return keys_.front()->id;
}

bool keyring::is_fernet(std::string_view stored) {
  // Version byte 0x80 followed by a 64-bit timestamp whose top bytes are zero.
  return stored.starts_with("gAAAAA");
}

bool keyring::is_sealed(std::string_view stored) {
  return stored.starts_with(sealed_prefix);
}

bool keyring::is_current(std::string_view stored) const {
  const auto& id = current_key_id();
  return is_sealed(stored) && stored.size() > sealed_prefix.size() + id.size()
         && stored.substr(sealed_prefix.size(), id.size()) == id
         && stored[sealed_prefix.size() + id.size()] == ':';
}

std::string keyring::seal(std::string_view plaintext, std::string_view context) const {
  const auto& entry = *keys_.front();
  std::vector<uint8_t> blob(nonce_size + plaintext.size() + tag_size);
  random_bytes(std::span{blob}.first(nonce_size));
  auto aad = aad_of(entry.id, context);
  cipher_ctx ctx;
  int len = 0;
  bool ok
    = EVP_EncryptInit_ex(ctx.ptr, EVP_aes_256_gcm(), nullptr, entry.key.data(), blob.data()) == 1
      && EVP_EncryptUpdate(ctx.ptr, nullptr, &len, reinterpret_cast<const uint8_t*>(aad.data()),
                           static_cast<int>(aad.size()))
           == 1
      && EVP_EncryptUpdate(ctx.ptr, blob.data() + nonce_size, &len,
                           reinterpret_cast<const uint8_t*>(plaintext.data()),
                           static_cast<int>(plaintext.size()))
           == 1
      && EVP_EncryptFinal_ex(ctx.ptr, blob.data() + nonce_size + len, &len) == 1
      && EVP_CIPHER_CTX_ctrl(ctx.ptr, EVP_CTRL_GCM_GET_TAG, static_cast<int>(tag_size),
                             blob.data() + nonce_size + plaintext.size())
           == 1;
  if (!ok) {
    throw std::runtime_error("AES-256-GCM encryption failed");
  }
  std::string out{sealed_prefix};
  out += entry.id;
  out += ':';
  out += base64url_encode(blob);
  return out;
}

caf::expected<std::string> keyring::open(std::string_view stored, std::string_view context) const {
  if (is_fernet(stored)) {
    return open_fernet(stored);
  }
  if (!is_sealed(stored)) {
    return unreadable("a stored secret is not encrypted; run `sagemcp keys rotate` to encrypt it");
  }
  auto rest = stored.substr(sealed_prefix.size());
  auto colon = rest.find(':');
  if (colon == std::string_view::npos) {
    return unreadable("a stored secret is malformed");
  }
  auto id = rest.substr(0, colon);
  const auto* entry = find(id);
  if (entry == nullptr) {
    return unreadable("a stored secret was encrypted with key " + std::string{id}
                      + ", which is neither SECRET_KEY nor SECRET_KEY_PREVIOUS");
  }
  auto blob = base64url_decode(rest.substr(colon + 1));
  if (!blob || blob->size() < nonce_size + tag_size) {
    return unreadable("a stored secret is malformed");
  }
  auto aad = aad_of(entry->id, context);
  size_t text_size = blob->size() - nonce_size - tag_size;
  std::string plaintext(text_size, '\0');
  cipher_ctx ctx;
  int len = 0;
  bool ok
    = EVP_DecryptInit_ex(ctx.ptr, EVP_aes_256_gcm(), nullptr, entry->key.data(), blob->data()) == 1
      && EVP_DecryptUpdate(ctx.ptr, nullptr, &len, reinterpret_cast<const uint8_t*>(aad.data()),
                           static_cast<int>(aad.size()))
           == 1
      && EVP_DecryptUpdate(ctx.ptr, reinterpret_cast<uint8_t*>(plaintext.data()), &len,
                           blob->data() + nonce_size, static_cast<int>(text_size))
           == 1
      && EVP_CIPHER_CTX_ctrl(ctx.ptr, EVP_CTRL_GCM_SET_TAG, static_cast<int>(tag_size),
                             blob->data() + nonce_size + text_size)
           == 1
      && EVP_DecryptFinal_ex(ctx.ptr, reinterpret_cast<uint8_t*>(plaintext.data()) + len, &len)
           == 1;
  if (!ok) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return unreadable("a stored secret failed authentication with key " + entry->id
                      + " (altered, or moved from another row)");
  }
  return plaintext;
}

caf::expected<std::string> keyring::open_fernet(std::string_view token) const {
  for (const auto& entry : keys_) {
    std::call_once(entry->fernet_once, [&e = *entry] {
      e.fernet_key = sagemcp_fernet_key(e.secret);
    });
    if (auto plaintext = fernet_open(token, entry->fernet_key)) {
      return std::move(*plaintext);
    }
  }
  return unreadable("a stored SageMCP (Fernet) secret does not open with SECRET_KEY or "
                    "SECRET_KEY_PREVIOUS");
}

key256 sagemcp_fernet_key(std::string_view secret) {
  key256 out{};
  if (PKCS5_PBKDF2_HMAC(secret.data(), static_cast<int>(secret.size()),
                        reinterpret_cast<const uint8_t*>(fernet_salt.data()),
                        static_cast<int>(fernet_salt.size()), fernet_iterations, EVP_sha256(),
                        static_cast<int>(out.size()), out.data())
      != 1) {
    throw std::runtime_error("PBKDF2 derivation failed");
  }
  return out;
}

std::optional<std::string> fernet_open(std::string_view token, const key256& key) {
  // version (1) ‖ timestamp (8) ‖ IV (16) ‖ AES-128-CBC ciphertext ‖ HMAC-SHA256 (32)
  constexpr size_t header = 1 + 8 + 16;
  constexpr size_t mac_size = 32;
  auto raw = base64url_decode(token);
  if (!raw || raw->size() < header + 16 + mac_size || (*raw)[0] != 0x80
      || (raw->size() - header - mac_size) % 16 != 0) {
    return std::nullopt;
  }
  auto signing_key = std::span{key}.first(16);
  auto encryption_key = std::span{key}.last(16);
  size_t signed_size = raw->size() - mac_size;
  auto mac = hmac_sha256(signing_key,
                         std::string_view{reinterpret_cast<const char*>(raw->data()), signed_size});
  if (CRYPTO_memcmp(mac.data(), raw->data() + signed_size, mac_size) != 0) {
    return std::nullopt;
  }
  size_t text_size = signed_size - header;
  std::string plaintext(text_size, '\0');
  cipher_ctx ctx;
  int len = 0;
  int final_len = 0;
  bool ok = EVP_DecryptInit_ex(ctx.ptr, EVP_aes_128_cbc(), nullptr, encryption_key.data(),
                               raw->data() + 9)
              == 1
            && EVP_DecryptUpdate(ctx.ptr, reinterpret_cast<uint8_t*>(plaintext.data()), &len,
                                 raw->data() + header, static_cast<int>(text_size))
                 == 1
            && EVP_DecryptFinal_ex(ctx.ptr, reinterpret_cast<uint8_t*>(plaintext.data()) + len,
                                   &final_len)
                 == 1;
  if (!ok) {
    return std::nullopt;
  }
  plaintext.resize(static_cast<size_t>(len) + static_cast<size_t>(final_len));
  return plaintext;
}

} // namespace sagemcp::security
