#include "transport/auth.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>
#include <mutex>

namespace sagemcp::transport {

namespace {

constexpr std::string_view key_id_alphabet = "abcdefghijklmnopqrstuvwxyz234567";
constexpr size_t scope_prefix_length = 8;
constexpr size_t secret_length = 43;
// What an unknown key id is compared against, so that it costs what a known one costs.
constexpr security::key256 unknown_key_digest{};
// The most peppers a key is hashed under: the current one and, while keys rotate, the previous.
constexpr size_t max_peppers = 2;

// The bytes of a stored hash: 64 hex digits.
std::optional<security::key256> digest_of(std::string_view hex) {
  security::key256 out{};
  if (hex.size() != out.size() * 2) {
    return std::nullopt;
  }
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  };
  for (size_t i = 0; i < out.size(); ++i) {
    auto high = nibble(hex[2 * i]);
    auto low = nibble(hex[2 * i + 1]);
    if (high < 0 || low < 0) {
      return std::nullopt;
    }
    out[i] = static_cast<uint8_t>((high << 4) | low);
  }
  return out;
}

bool digests_equal(const security::key256& a, const security::key256& b) {
  return security::constant_time_equal(
    std::string_view{reinterpret_cast<const char*>(a.data()), a.size()},
    std::string_view{reinterpret_cast<const char*>(b.data()), b.size()});
}

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

bool is_scope_prefix(std::string_view text) {
  return text == "smcp_pa_" || text == "smcp_ta_" || text == "smcp_tu_";
}

} // namespace

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
  std::array<uint8_t, key_id_length> id_bytes{};
  security::random_bytes(id_bytes);
  std::string key{key_prefix(role)};
  for (auto byte : id_bytes) {
    key += key_id_alphabet[byte & 31];
  }
  key += '_';
  // 32 random bytes encode to exactly 43 base64url characters.
  key += random_token(32);
  return key;
}

std::string_view key_id_of(std::string_view key) {
  if (key.size() != scope_prefix_length + key_id_length + 1 + secret_length
      || !is_scope_prefix(key.substr(0, scope_prefix_length))
      || key[scope_prefix_length + key_id_length] != '_') {
    return {};
  }
  auto id = key.substr(scope_prefix_length, key_id_length);
  if (id.find_first_not_of(key_id_alphabet) != std::string_view::npos) {
    return {};
  }
  return id;
}

std::string display_prefix(std::string_view key) {
  if (!key_id_of(key).empty()) {
    return std::string{key.substr(0, scope_prefix_length + key_id_length)};
  }
  return std::string{key.substr(0, std::min(key.size(), scope_prefix_length))};
}

key_cache::key_cache(std::string_view secret, std::string_view previous_secret) {
  peppers_.emplace_back(derive_key(secret, "api-key-pepper"));
  if (!previous_secret.empty() && previous_secret != secret) {
    peppers_.emplace_back(derive_key(previous_secret, "api-key-pepper"));
  }
}

std::string key_cache::hash(std::string_view key) const {
  return security::to_hex(peppers_.front()(key));
}

void key_cache::put(const api_key_row& row) {
  std::unique_lock guard{mtx_};
  put_locked(row);
}

void key_cache::replace_all(const std::vector<api_key_row>& rows) {
  std::unique_lock guard{mtx_};
  // Uses not reported yet survive the reload.
  std::unordered_map<std::string, int64_t> pending;
  for (const auto& [id, e] : entries_) {
    if (auto used = e->used_at.load(std::memory_order_relaxed); used > e->reported_at) {
      pending.emplace(id, used);
    }
  }
  entries_.clear();
  by_key_id_.clear();
  by_hash_.clear();
  for (const auto& row : rows) {
    put_locked(row);
  }
  for (const auto& [id, used] : pending) {
    if (auto i = entries_.find(id); i != entries_.end()) {
      i->second->used_at.store(used, std::memory_order_relaxed);
    }
  }
}

void key_cache::erase_locked(const std::string& id) {
  auto i = entries_.find(id);
  if (i == entries_.end()) {
    return;
  }
  if (!i->second->lookup_id.empty()) {
    if (auto k = by_key_id_.find(i->second->lookup_id);
        k != by_key_id_.end() && k->second == i->second.get()) {
      by_key_id_.erase(k);
    }
  } else {
    by_hash_.erase(i->second->hash);
  }
  entries_.erase(i);
}

void key_cache::put_locked(const api_key_row& row) {
  erase_locked(row.id);
  int64_t expires = 0;
  if (!row.expires_at.empty()) {
    expires = parse_timestamp(row.expires_at).value_or(1);
  }
  if (!row.is_active || (expires != 0 && expires <= now_seconds())) {
    return;
  }
  auto e = std::make_unique<entry>();
  e->who = principal{row.id, row.role, row.tenant_id, row.tenant_slug};
  e->hash = row.key_hash;
  e->digest = digest_of(row.key_hash);
  e->expires_at = expires;
  // The display prefix of a key in this format is `smcp_xx_<key id>`.
  if (row.key_prefix.size() == scope_prefix_length + key_id_length
      && is_scope_prefix(std::string_view{row.key_prefix}.substr(0, scope_prefix_length))) {
    e->lookup_id = row.key_prefix.substr(scope_prefix_length);
    by_key_id_.insert_or_assign(e->lookup_id, e.get());
  } else {
    by_hash_.insert_or_assign(e->hash, row.id);
  }
  entries_.emplace(row.id, std::move(e));
}

void key_cache::erase(const std::string& key_id) {
  std::unique_lock guard{mtx_};
  erase_locked(key_id);
}

void key_cache::erase_tenant(const std::string& tenant_id) {
  std::unique_lock guard{mtx_};
  std::vector<std::string> ids;
  for (const auto& [id, e] : entries_) {
    if (e->who.tenant_id == tenant_id) {
      ids.push_back(id);
    }
  }
  for (const auto& id : ids) {
    erase_locked(id);
  }
}

std::optional<principal> key_cache::find(std::string_view key) const {
  // Every pepper is tried for every key, known or not, so timing tells nothing.
  std::array<security::key256, max_peppers> digests{};
  for (size_t p = 0; p < peppers_.size(); ++p) {
    digests[p] = peppers_[p](key);
  }
  auto lookup_id = key_id_of(key);
  std::shared_lock guard{mtx_};
  const entry* found = nullptr;
  size_t matched = 0;
  if (!lookup_id.empty()) {
    auto i = by_key_id_.find(lookup_id);
    const entry* candidate = i != by_key_id_.end() && i->second->digest ? i->second : nullptr;
    const auto& stored = candidate != nullptr ? *candidate->digest : unknown_key_digest;
    for (size_t p = 0; p < peppers_.size(); ++p) {
      if (digests_equal(digests[p], stored) && candidate != nullptr) {
        found = candidate;
        matched = p;
      }
    }
  } else {
    for (size_t p = 0; p < peppers_.size() && found == nullptr; ++p) {
      if (auto i = by_hash_.find(security::to_hex(digests[p])); i != by_hash_.end()) {
        found = entries_.at(i->second).get();
        matched = p;
      }
    }
  }
  if (found == nullptr) {
    return std::nullopt;
  }
  auto now = now_seconds();
  if (found->expires_at != 0 && found->expires_at <= now) {
    return std::nullopt;
  }
  found->used_at.store(now, std::memory_order_relaxed);
  if (matched != 0) {
    std::lock_guard rehash_guard{rehash_mtx_};
    rehash_.try_emplace(found->who.key_id, security::to_hex(digests.front()));
  }
  return found->who;
}

std::vector<api_key_row> key_cache::take_uses() {
  std::unique_lock guard{mtx_};
  std::unordered_map<std::string, std::string> rehash;
  {
    std::lock_guard rehash_guard{rehash_mtx_};
    rehash.swap(rehash_);
  }
  std::vector<api_key_row> uses;
  for (auto& [id, e] : entries_) {
    auto used = e->used_at.load(std::memory_order_relaxed);
    if (used <= e->reported_at) {
      continue;
    }
    e->reported_at = used;
    api_key_row row;
    row.id = id;
    row.last_used_at = format_timestamp(used);
    if (auto r = rehash.find(id); r != rehash.end()) {
      row.key_hash = r->second;
      if (e->lookup_id.empty()) {
        by_hash_.erase(e->hash);
        by_hash_.insert_or_assign(r->second, id);
      }
      e->hash = r->second;
    }
    uses.push_back(std::move(row));
  }
  return uses;
}

void key_cache::restore_uses(const std::vector<api_key_row>& uses) {
  std::unique_lock guard{mtx_};
  for (const auto& use : uses) {
    if (auto i = entries_.find(use.id); i != entries_.end()) {
      // Reported again with the next take, unless a newer use already is.
      i->second->reported_at = std::min(i->second->reported_at,
                                        parse_timestamp(use.last_used_at).value_or(1) - 1);
    }
    if (!use.key_hash.empty()) {
      std::lock_guard rehash_guard{rehash_mtx_};
      rehash_.try_emplace(use.id, use.key_hash);
    }
  }
}

size_t key_cache::size() const {
  std::shared_lock guard{mtx_};
  return entries_.size();
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

std::string format_timestamp(int64_t seconds) {
  auto t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 40> buf{};
  auto n = std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%S.000000Z", &tm);
  return std::string{buf.data(), n};
}

} // namespace sagemcp::transport
