#include "actors/node/config.hpp"

#include "messages/errc.hpp"
#include "persistence/postgres_store.hpp"

#include <sched.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <thread>

namespace sagemcp::node {

namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name); // NOLINT(concurrency-mt-unsafe): read before threads
  return value == nullptr ? std::string{} : std::string{value};
}

caf::error bad(std::string_view name, std::string_view expectation) {
  std::string msg{name};
  msg += ' ';
  msg += expectation;
  return make_error(errc::invalid_argument, std::move(msg));
}

caf::expected<long long> parse_int(std::string_view name, std::string_view value, long long min,
                                   long long max) {
  long long result = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), result);
  if (ec != std::errc{} || ptr != value.data() + value.size() || result < min || result > max) {
    return bad(name,
               "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return result;
}

// Applies an optional integer variable to `out`.
template <class T>
caf::error read_int(const char* name, long long min, long long max, T& out) {
  auto text = env(name);
  if (text.empty()) {
    return {};
  }
  auto value = parse_int(name, text, min, max);
  if (!value) {
    return std::move(value.error());
  }
  out = static_cast<T>(*value);
  return {};
}

caf::error read_bool(const char* name, bool& out) {
  auto text = env(name);
  if (text.empty()) {
    return {};
  }
  auto value = parse_bool(name, text);
  if (!value) {
    return std::move(value.error());
  }
  out = *value;
  return {};
}

caf::error read_database(node_config& cfg) {
  auto url = env("DATABASE_URL");
  if (url.empty()) {
    cfg.database_path = cfg.data_dir + "/sagemcp.db";
    return {};
  }
  constexpr std::string_view sqlite_scheme = "sqlite:///";
  if (url.starts_with(sqlite_scheme)) {
    // sqlite:///relative/path and sqlite:////absolute/path, as SQLAlchemy spells them.
    cfg.database_path = url.substr(sqlite_scheme.size());
    if (cfg.database_path.empty()) {
      return bad("DATABASE_URL", "names no database file");
    }
    return {};
  }
  if (persistence::is_postgres_url(url)) {
    cfg.database_url = url;
    return {};
  }
  return bad("DATABASE_URL", "must start with sqlite:///, postgresql:// or postgres://");
}

} // namespace

caf::expected<bool> parse_bool(std::string_view name, std::string_view value) {
  std::string lower{value};
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  if (lower == "true" || lower == "1" || lower == "yes" || lower == "on") {
    return true;
  }
  if (lower == "false" || lower == "0" || lower == "no" || lower == "off") {
    return false;
  }
  return bad(name, "must be true or false");
}

// The CPUs this process may run on (its affinity mask, which containers narrow), at least one.
unsigned available_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    return std::max(1, CPU_COUNT(&set));
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

caf::expected<node_config> load_config(const serve_flags& flags) {
  node_config cfg;
  cfg.threads = available_cpus();
  if (auto host = env("HOST"); !host.empty()) {
    cfg.server.host = host;
  }
  if (auto dir = env("SAGEMCP_DATA_DIR"); !dir.empty()) {
    cfg.data_dir = dir;
  }
  long long session_ttl = cfg.session_ttl.count();
  long long pool_ttl = cfg.pool_ttl.count();
  long long db_wait = cfg.db_wait.count();
  long long usage_flush = cfg.usage_flush.count();
  auto max_body = static_cast<long long>(cfg.server.max_body_bytes);
  auto max_header = static_cast<long long>(cfg.server.max_header_bytes);
  long long header_timeout = cfg.server.header_timeout.count();
  long long body_timeout = cfg.server.body_timeout.count();
  auto event_buffer = static_cast<long long>(cfg.event_buffer_bytes);
  auto session_max = static_cast<long long>(cfg.session_max_bytes);
  long long upstream_connect = cfg.upstream.connect_timeout.count() / 1000;
  uint64_t process_memory_mb = cfg.process_limits.memory_bytes >> 20;
  long long upstream_read = cfg.upstream.read_timeout.count() / 1000;
  for (auto err :
       {read_int("PORT", 0, 65535, cfg.server.port),
        read_int("SAGEMCP_THREADS", 1, 256, cfg.threads),
        read_int("SAGEMCP_SESSION_TTL", 1, 7LL * 24 * 3600, session_ttl),
        read_int("SAGEMCP_MAX_BODY_BYTES", 1024, 1LL << 30, max_body),
        read_int("SAGEMCP_MAX_HEADER_BYTES", 1024, 1LL << 20, max_header),
        read_int("SAGEMCP_HEADER_TIMEOUT_SECONDS", 1, 3600, header_timeout),
        read_int("SAGEMCP_BODY_TIMEOUT_SECONDS", 1, 3600, body_timeout),
        read_int("SAGEMCP_SSE_BUFFER_BYTES", 4096, 1LL << 30, event_buffer),
        read_int("SAGEMCP_SESSION_MAX_BYTES", 64LL << 10, 1LL << 32, session_max),
        read_int("SAGEMCP_POOL_MAX", 1, 10'000'000, cfg.pool_max),
        read_int("SAGEMCP_POOL_TTL", 1, 7LL * 24 * 3600, pool_ttl),
        read_int("SAGEMCP_DB_WAIT_SECONDS", 1, 25, db_wait),
        read_int("SAGEMCP_USAGE_FLUSH_SECONDS", 1, 3600, usage_flush),
        read_int("SAGEMCP_MAX_SESSIONS_PER_TENANT", 1, 10'000'000, cfg.sessions_per_tenant),
        read_int("RATE_LIMIT_RPM", 0, 1'000'000'000, cfg.server.rate_limit_rpm),
        read_bool("SAGEMCP_ENABLE_AUTH", cfg.server.auth_enabled),
        read_bool("SAGEMCP_ENABLE_METRICS", cfg.metrics_enabled),
        read_int("SAGEMCP_UPSTREAM_CONNECT_TIMEOUT_SECONDS", 1, 300, upstream_connect),
        read_int("SAGEMCP_UPSTREAM_TIMEOUT_SECONDS", 1, 3600, upstream_read),
        read_int("SAGEMCP_UPSTREAM_RETRIES", 0, 5, cfg.upstream_retries),
        read_int("SAGEMCP_PROCESS_MEMORY_MB", 0, 1LL << 20, process_memory_mb),
        read_int("SAGEMCP_PROCESS_OPEN_FILES", 0, 1LL << 20, cfg.process_limits.open_files),
        read_int("SAGEMCP_PROCESS_CPU_SECONDS", 0, 1LL << 32, cfg.process_limits.cpu_seconds),
        read_bool("SAGEMCP_ALLOW_PRIVATE_UPSTREAMS", cfg.upstream.allow_private)}) {
    if (err) {
      return err;
    }
  }
  cfg.process_limits.memory_bytes = process_memory_mb << 20;
  cfg.upstream.connect_timeout = std::chrono::seconds{upstream_connect};
  cfg.upstream.read_timeout = std::chrono::seconds{upstream_read};
  cfg.upstream.ca_file = env("SAGEMCP_UPSTREAM_CA_FILE");
  cfg.upstream.user_agent = "SageMCP/" SAGEMCP_VERSION;
  cfg.upstream.read_proxy_environment();
  cfg.session_ttl = std::chrono::seconds{session_ttl};
  cfg.pool_ttl = std::chrono::seconds{pool_ttl};
  cfg.db_wait = std::chrono::seconds{db_wait};
  cfg.usage_flush = std::chrono::seconds{usage_flush};
  cfg.server.max_body_bytes = static_cast<size_t>(max_body);
  cfg.server.max_header_bytes = static_cast<size_t>(max_header);
  cfg.server.header_timeout = std::chrono::seconds{header_timeout};
  cfg.server.body_timeout = std::chrono::seconds{body_timeout};
  cfg.event_buffer_bytes = static_cast<size_t>(event_buffer);
  cfg.session_max_bytes = static_cast<size_t>(session_max);
  if (event_buffer > session_max) {
    return bad("SAGEMCP_SSE_BUFFER_BYTES",
               "must not exceed SAGEMCP_SESSION_MAX_BYTES (" + std::to_string(session_max)
                 + "): the event buffer is part of each session's byte budget");
  }
  if (!flags.host.empty()) {
    cfg.server.host = flags.host;
  }
  if (flags.port >= 0) {
    cfg.server.port = static_cast<uint16_t>(flags.port);
  }
  if (!flags.data_dir.empty()) {
    cfg.data_dir = flags.data_dir;
  }
  if (auto err = read_database(cfg)) {
    return err;
  }
  cfg.secret_key = env("SECRET_KEY");
  if (cfg.secret_key.size() < 16) {
    return bad("SECRET_KEY", "is required and must be at least 16 characters (it derives the keys "
                             "that protect API keys and stored secrets)");
  }
  cfg.previous_secret_key = env("SECRET_KEY_PREVIOUS");
  if (!cfg.previous_secret_key.empty() && cfg.previous_secret_key.size() < 16) {
    return bad("SECRET_KEY_PREVIOUS", "must be at least 16 characters when set");
  }
  cfg.bootstrap_admin_key = env("SAGEMCP_BOOTSTRAP_ADMIN_KEY");
  if (!cfg.bootstrap_admin_key.empty() && cfg.bootstrap_admin_key.size() < 16) {
    return bad("SAGEMCP_BOOTSTRAP_ADMIN_KEY", "must be at least 16 characters");
  }
  auto oauth = connectors::oauth::registry::from_environment([](const std::string& name) {
    return env(name.c_str());
  });
  if (!oauth) {
    return make_error(errc::invalid_argument,
                      "invalid OAuth setting: " + message_of(oauth.error()));
  }
  cfg.oauth = std::move(*oauth);
  cfg.public_url = env("SAGEMCP_PUBLIC_URL");
  while (!cfg.public_url.empty() && cfg.public_url.back() == '/') {
    cfg.public_url.pop_back();
  }
  if (!cfg.public_url.empty() && !cfg.public_url.starts_with("https://")
      && !cfg.public_url.starts_with("http://")) {
    return bad("SAGEMCP_PUBLIC_URL", "must be an http(s) URL such as https://mcp.example.com");
  }
  cfg.server.allowed_origins = env("MCP_ALLOWED_ORIGINS");
  cfg.server.allowed_hosts = env("SAGEMCP_ALLOWED_HOSTS");
  cfg.server.cors_origins = env("CORS_ALLOWED_ORIGINS");
  cfg.server.web_dir = env("SAGEMCP_WEB_DIR");
  if (!cfg.server.web_dir.empty() && cfg.server.web_dir.front() != '/') {
    return bad("SAGEMCP_WEB_DIR", "must be an absolute directory path");
  }
  if (auto level = env("SAGEMCP_LOG_LEVEL"); !level.empty()) {
    if (level != "debug" && level != "info" && level != "warn" && level != "warning"
        && level != "error") {
      return bad("SAGEMCP_LOG_LEVEL", "must be debug, info, warn or error");
    }
    cfg.log_level = level;
  }
  return cfg;
}

} // namespace sagemcp::node
