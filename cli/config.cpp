#include "cli/config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>

#include <toml++/toml.h>

namespace sagemcp::cli {

namespace fs = std::filesystem;

std::optional<std::string> env_value(const char* name) {
  // The CLI reads its environment on the main thread before any other thread starts.
  const char* value = std::getenv(name); // NOLINT(concurrency-mt-unsafe)
  if (value == nullptr) {
    return std::nullopt;
  }
  return std::string{value};
}

namespace {

// $<xdg_var>/sagemcp/<file>, else $HOME/<fallback>/sagemcp/<file>.
std::string xdg_file(const char* xdg_var, const char* fallback, const char* file) {
  auto base = env_value(xdg_var);
  if (!base || base->empty()) {
    base = env_value("HOME").value_or(".") + "/" + fallback;
  }
  return *base + "/sagemcp/" + file;
}

} // namespace

std::string config_path() {
  return xdg_file("XDG_CONFIG_HOME", ".config", "config.toml");
}

std::string history_path() {
  return xdg_file("XDG_STATE_HOME", ".local/state", "history");
}

client_config load_config_file(const std::string& path, std::string& error) {
  client_config config;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    return config;
  }
  toml::table table;
  // The system's toml++ library is built with exceptions; they stop here.
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& ex) {
    error = path + ": " + std::string{ex.description()};
    return config;
  }
  config.current = table["current_profile"].value_or(std::string{"default"});
  if (const auto* profiles = table["profiles"].as_table()) {
    for (const auto& [name, node] : *profiles) {
      const auto* entry = node.as_table();
      if (entry == nullptr) {
        continue;
      }
      profile p;
      p.url = (*entry)["url"].value_or(std::string{});
      p.api_key = (*entry)["api_key"].value_or(std::string{});
      p.format = (*entry)["format"].value_or(std::string{});
      config.profiles.emplace(std::string{name.str()}, std::move(p));
    }
  }
  return config;
}

std::string save_config_file(const std::string& path, const client_config& config) {
  toml::table profiles;
  for (const auto& [name, p] : config.profiles) {
    toml::table entry;
    if (!p.url.empty()) {
      entry.insert("url", p.url);
    }
    if (!p.api_key.empty()) {
      entry.insert("api_key", p.api_key);
    }
    if (!p.format.empty()) {
      entry.insert("format", p.format);
    }
    profiles.insert(name, std::move(entry));
  }
  toml::table root;
  root.insert("current_profile", config.current);
  root.insert("profiles", std::move(profiles));
  std::ostringstream text;
  text << root << '\n';

  auto dir = fs::path{path}.parent_path();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return "cannot create " + dir.string() + ": " + ec.message();
  }
  // The file holds API keys: only its owner may read it or list the directory.
  fs::permissions(dir, fs::perms::owner_all, ec);
  auto tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return "cannot write " + tmp + ": " + std::strerror(errno); // NOLINT(concurrency-mt-unsafe)
  }
  ::fchmod(fd, 0600);
  auto data = text.str();
  bool written = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
  written = ::close(fd) == 0 && written;
  if (!written || ::rename(tmp.c_str(), path.c_str()) != 0) {
    return "cannot write " + path + ": " + std::strerror(errno); // NOLINT(concurrency-mt-unsafe)
  }
  return {};
}

bool set_profile_value(profile& p, std::string_view key, std::string value) {
  if (key == "url") {
    p.url = std::move(value);
  } else if (key == "api_key") {
    p.api_key = std::move(value);
  } else if (key == "format") {
    p.format = std::move(value);
  } else {
    return false;
  }
  return true;
}

std::string mask_secret(std::string_view secret) {
  if (secret.empty()) {
    return {};
  }
  // smcp_pa_ and the like say which scope a key has; the rest is the secret.
  size_t keep = secret.starts_with("smcp_") && secret.size() > 16 ? 12 : 4;
  if (secret.size() <= keep) {
    return "…";
  }
  return std::string{secret.substr(0, keep)} + "…";
}

} // namespace sagemcp::cli
