#include "transport/connector_secrets.hpp"

#include "connectors/external.hpp"
#include "connectors/http_tool.hpp"
#include "connectors/remote_mcp.hpp"
#include "connectors/spec.hpp"
#include "messages/errc.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace sagemcp::transport {

namespace {

namespace json = boost::json;

// Whether a configuration field holds a secret: as the connector type declares, else as its
// name suggests. A remote server's own settings are never secret; its secrets are its headers.
bool secret_field(const connector_row& row, const connectors::connector_spec* spec,
                  std::string_view name) {
  if (row.runtime_type == connectors::remote_runtime && connectors::is_remote_setting(name)) {
    return false;
  }
  return connectors::is_secret_field(spec, name);
}

json::array sorted_names(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  json::array out;
  for (auto& name : names) {
    out.emplace_back(std::move(name));
  }
  return out;
}

} // namespace

json::object present_connector(const connector_row& row, const security::keyring& keys) {
  const auto* spec = connectors::find_connector_type(row.connector_type);
  json::object out;
  auto configuration = open_object(keys, row.configuration, configuration_context(row.tenant_id));
  auto env = open_object(keys, row.runtime_env, runtime_env_context(row.tenant_id));
  if (configuration) {
    json::object visible;
    std::vector<std::string> secrets;
    for (auto& [name, value] : *configuration) {
      if (secret_field(row, spec, name)) {
        secrets.emplace_back(name);
      } else {
        visible.emplace(name, std::move(value));
      }
    }
    out["configuration"] = std::move(visible);
    out["secret_fields"] = sorted_names(std::move(secrets));
  } else {
    out["configuration"] = nullptr;
    out["secret_fields"] = json::array{};
  }
  if (env) {
    std::vector<std::string> names;
    for (const auto& field : *env) {
      names.emplace_back(field.key());
    }
    out["runtime_env_keys"] = sorted_names(std::move(names));
  } else {
    out["runtime_env_keys"] = nullptr;
  }
  if (!configuration || !env) {
    out["secrets_error"] = message_of(!configuration ? configuration.error() : env.error());
  }
  return out;
}

caf::error apply_connector_secrets(const security::keyring& keys, connector_row& row,
                                   std::optional<json::object> configuration,
                                   std::optional<json::object> runtime_env, bool creating) {
  const auto* spec = connectors::find_connector_type(row.connector_type);
  auto config_context = configuration_context(row.tenant_id);
  auto env_context = runtime_env_context(row.tenant_id);
  if (configuration || creating) {
    auto given = std::move(configuration).value_or(json::object{});
    json::object result;
    if (!creating) {
      auto stored = open_object(keys, row.configuration, config_context);
      if (stored) {
        // Secrets the body does not mention keep their values.
        for (auto& [name, value] : *stored) {
          if (secret_field(row, spec, name) && !given.contains(name)) {
            result.emplace(name, std::move(value));
          }
        }
      }
    }
    for (auto& [name, value] : given) {
      if (!value.is_null()) {
        result[name] = std::move(value);
      }
    }
    if (spec != nullptr && spec->api != nullptr) {
      if (auto base = connectors::base_url_of(*spec->api, result); !base) {
        return std::move(base.error());
      }
      if (auto mode = connectors::credential_mode_of(*spec->api, result); !mode) {
        return std::move(mode.error());
      }
      for (auto field : {spec->api->token_field, spec->api->user_field}) {
        if (const auto* value = field.empty() ? nullptr : result.if_contains(field);
            value != nullptr && !value->is_string()) {
          return make_error(errc::invalid_argument,
                            "configuration '" + std::string{field} + "' must be a string");
        }
      }
    }
    if (row.runtime_type == connectors::remote_runtime) {
      if (auto remote = connectors::remote_config_of(result); !remote) {
        return std::move(remote.error());
      }
    }
    row.configuration = keys.seal(json::serialize(result), config_context);
  }
  if (runtime_env || creating) {
    auto given = std::move(runtime_env).value_or(json::object{});
    json::object result;
    if (!creating) {
      if (auto stored = open_object(keys, row.runtime_env, env_context)) {
        result = std::move(*stored);
      }
    }
    for (auto& [name, value] : given) {
      if (value.is_null()) {
        result.erase(name);
      } else if (value.is_string()) {
        result[name] = std::move(value);
      } else {
        return make_error(errc::invalid_argument,
                          "'runtime_env." + std::string{name} + "' must be a string or null");
      }
    }
    if (row.runtime_type == connectors::remote_runtime) {
      if (auto headers = connectors::remote_headers_of(result); !headers) {
        return std::move(headers.error());
      }
    }
    row.runtime_env = keys.seal(json::serialize(result), env_context);
  }
  return {};
}

} // namespace sagemcp::transport
