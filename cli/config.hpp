#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace sagemcp::cli {

/// One named set of connection settings.
struct profile {
  std::string url;
  std::string api_key;
  /// The default output format of this profile; empty for table.
  std::string format;
};

/// The client's configuration file: profiles and the one in use.
struct client_config {
  std::string current = "default";
  std::map<std::string, profile> profiles;
};

/// The settings keys `config set` accepts.
inline constexpr std::string_view profile_keys = "url, api_key, format";

/// The configuration file: $XDG_CONFIG_HOME/sagemcp/config.toml, else ~/.config/sagemcp/config.toml.
std::string config_path();

/// The REPL history file: $XDG_STATE_HOME/sagemcp/history, else ~/.local/state/sagemcp/history.
std::string history_path();

/// Reads the configuration file; an empty configuration when the file does not exist. Returns an
/// error message in `error` when it exists but cannot be read or parsed.
client_config load_config_file(const std::string& path, std::string& error);

/// Writes the configuration file (mode 0600, its directory 0700); returns an error message or
/// an empty string.
std::string save_config_file(const std::string& path, const client_config& config);

/// Sets one profile setting by key; returns false for an unknown key.
bool set_profile_value(profile& p, std::string_view key, std::string value);

/// An API key shortened for display: its scope prefix and four more characters, then an ellipsis.
std::string mask_secret(std::string_view secret);

/// The value of an environment variable; nullopt when unset.
std::optional<std::string> env_value(const char* name);

} // namespace sagemcp::cli
