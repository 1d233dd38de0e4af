#include "security/keyring.hpp"

#include "messages/errc.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <memory>
#include <string>

namespace sagemcp::security {
namespace {

// Runs a shell command and returns what it printed (without the trailing newline).
std::string run(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe{popen(command.c_str(), "r"), pclose};
  std::string out;
  if (!pipe) {
    return out;
  }
  std::array<char, 4096> buf{};
  while (auto n = fread(buf.data(), 1, buf.size(), pipe.get())) {
    out.append(buf.data(), n);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) {
    out.pop_back();
  }
  return out;
}

TEST(KeyringTest, SealsAndOpensInItsContext) {
  keyring keys{"current-secret-0123456789"};
  auto sealed = keys.seal(R"({"api_key":"sk-live-123"})", "connectors.configuration:t1");
  EXPECT_TRUE(sealed.starts_with("enc:v1:" + keys.current_key_id() + ":"));
  EXPECT_EQ(sealed.find("sk-live-123"), std::string::npos);
  EXPECT_TRUE(keys.is_current(sealed));
  auto opened = keys.open(sealed, "connectors.configuration:t1");
  ASSERT_TRUE(opened) << message_of(opened.error());
  EXPECT_EQ(*opened, R"({"api_key":"sk-live-123"})");
  // Each seal uses a fresh nonce.
  EXPECT_NE(keys.seal("x", "c"), keys.seal("x", "c"));
}

TEST(KeyringTest, RefusesAnotherContextAlteredValuesAndPlaintext) {
  keyring keys{"current-secret-0123456789"};
  auto sealed = keys.seal("token", "connectors.configuration:t1");
  auto moved = keys.open(sealed, "connectors.configuration:t2");
  ASSERT_FALSE(moved);
  EXPECT_EQ(code_of(moved.error()), errc::secret_unreadable);
  auto altered = sealed;
  altered.back() = altered.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(keys.open(altered, "connectors.configuration:t1"));
  auto plain = keys.open(R"({"api_key":"sk"})", "connectors.configuration:t1");
  ASSERT_FALSE(plain);
  EXPECT_EQ(code_of(plain.error()), errc::secret_unreadable);
  EXPECT_EQ(message_of(plain.error()).find("sk"), std::string::npos);
  EXPECT_FALSE(keys.open("enc:v1:deadbeef:AAAA", "c"));
  EXPECT_FALSE(keys.open("enc:v1:", "c"));
}

TEST(KeyringTest, OpensValuesOfThePreviousKeyAndSealsUnderTheCurrent) {
  keyring old_keys{"old-secret-0123456789"};
  auto sealed = old_keys.seal("refresh-token", "ctx");
  keyring keys{"new-secret-0123456789", "old-secret-0123456789"};
  EXPECT_FALSE(keys.is_current(sealed));
  auto opened = keys.open(sealed, "ctx");
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, "refresh-token");
  EXPECT_NE(keys.current_key_id(), old_keys.current_key_id());
  EXPECT_TRUE(keys.is_current(keys.seal("x", "ctx")));
  // Once the previous secret is gone, its values are an error, never plaintext.
  keyring without{"new-secret-0123456789"};
  auto lost = without.open(sealed, "ctx");
  ASSERT_FALSE(lost);
  EXPECT_NE(message_of(lost.error()).find(old_keys.current_key_id()), std::string::npos);
}

// A Fernet token made the way SageMCP makes them (PBKDF2-SHA256, 480,000 iterations, salt
// "sagemcp-field-encryption-v1"; AES-128-CBC and HMAC-SHA256), built with the openssl CLI.
TEST(KeyringTest, OpensSageMcpFernetValuesBuiltWithTheOpenSslCli) {
  const std::string secret = "sagemcp-production-secret-key";
  const std::string plaintext = R"({"api_key": "lin_api_0123456789", "team": "eng"})";
  const std::string script = R"(
set -e
key=$(openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt pass:)"
                             + secret + R"( \
  -kdfopt salt:sagemcp-field-encryption-v1 -kdfopt iter:480000 PBKDF2 | tr -d ':\n' \
  | tr 'A-F' 'a-f')
sign=${key:0:32}
enc=${key:32:32}
iv=000102030405060708090a0b0c0d0e0f
dir=$(mktemp -d)
printf '\x80\x00\x00\x00\x00\x65\x00\x00\x00' > "$dir/head"
printf '\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f' >> "$dir/head"
printf '%s' ')" + plaintext + R"(' | openssl enc -aes-128-cbc -K "$enc" -iv "$iv" > "$dir/ct"
cat "$dir/head" "$dir/ct" > "$dir/signed"
openssl dgst -sha256 -mac HMAC -macopt "hexkey:$sign" -binary "$dir/signed" > "$dir/mac"
printf '%s ' "$key"
cat "$dir/signed" "$dir/mac" | openssl base64 -A | tr '+/' '-_'
rm -rf "$dir"
)";
  auto out = run("bash -c '" + [&] {
    std::string quoted;
    for (char c : script) {
      quoted += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
    }
    return quoted;
  }() + "'");
  auto space = out.find(' ');
  ASSERT_NE(space, std::string::npos) << "openssl CLI failed: " << out;
  auto key_hex = out.substr(0, space);
  auto token = out.substr(space + 1);
  ASSERT_TRUE(token.starts_with("gAAAAA")) << token;
  // The key derivation matches OpenSSL's PBKDF2.
  EXPECT_EQ(to_hex(sagemcp_fernet_key(secret)), key_hex);
  // The token opens through the keyring, as the current or the previous secret.
  keyring keys{secret};
  auto opened = keys.open(token, "connectors.configuration:any");
  ASSERT_TRUE(opened) << message_of(opened.error());
  EXPECT_EQ(*opened, plaintext);
  keyring rotated{"a-newer-secret-0123456789", secret};
  auto reopened = rotated.open(token, "c");
  ASSERT_TRUE(reopened);
  EXPECT_EQ(*reopened, plaintext);
  EXPECT_FALSE(rotated.is_current(token));
  // Under another secret it is an error, never the token as plaintext.
  keyring other{"another-secret-0123456789"};
  auto refused = other.open(token, "c");
  ASSERT_FALSE(refused);
  EXPECT_EQ(code_of(refused.error()), errc::secret_unreadable);
  // A tampered token does not open.
  auto tampered = token;
  tampered[token.size() / 2] = tampered[token.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(fernet_open(tampered, sagemcp_fernet_key(secret)));
}

TEST(KeyringTest, Base64UrlRoundTrips) {
  for (size_t n = 0; n < 40; ++n) {
    std::vector<uint8_t> data(n);
    for (size_t i = 0; i < n; ++i) {
      data[i] = static_cast<uint8_t>(i * 37 + n);
    }
    auto text = base64url_encode(data);
    EXPECT_EQ(base64url_decode(text), data);
  }
  EXPECT_FALSE(base64url_decode("a+b/"));
  EXPECT_FALSE(base64url_decode("abcde"));
  EXPECT_EQ(base64url_decode("YQ=="), std::vector<uint8_t>{'a'});
}

} // namespace
} // namespace sagemcp::security
