#include "messages/session_directory.hpp"

#include "messages/errc.hpp"

#include <algorithm>
#include <mutex>

namespace sagemcp {

bool session_binding::admits(const mcp_envelope& env) const {
  return tenant == env.tenant && connector_id == env.connector_id && key_id == env.caller.key_id
         && stateless == env.request.stateless;
}

std::string stateless_session_id(std::string_view tenant, std::string_view connector_id,
                                 std::string_view key_id) {
  std::string id;
  id.reserve(3 + tenant.size() + connector_id.size() + key_id.size());
  id += '~';
  id += tenant;
  id += '/';
  id += connector_id;
  id += '/';
  id += key_id;
  return id;
}

caf::error session_not_found() {
  return make_error(errc::session_not_found,
                    "Session not found: it expired, was terminated, or belongs to someone else");
}

void session_directory::add(const std::string& id, const session_actor& handle,
                            const session_binding& binding) {
  std::unique_lock guard{mtx_};
  sessions_.erase(id);
  sessions_.try_emplace(id, handle, binding);
}

void session_directory::remove(const std::string& id) {
  std::unique_lock guard{mtx_};
  sessions_.erase(id);
}

void session_directory::clear() {
  std::unique_lock guard{mtx_};
  sessions_.clear();
}

std::optional<session_actor> session_directory::find(const mcp_envelope& env) {
  std::shared_lock guard{mtx_};
  auto i = sessions_.find(env.session_id);
  if (i == sessions_.end() || !i->second.binding.admits(env)) {
    return std::nullopt;
  }
  auto& e = i->second;
  e.used.store(clock::now().time_since_epoch().count(), std::memory_order_relaxed);
  // Released after the time is stored: whoever clears the flag after this sees the time.
  if (!e.listed.exchange(true, std::memory_order_acq_rel)) {
    std::lock_guard listing{used_mtx_};
    used_.push_back(i->first);
  }
  return e.handle;
}

std::vector<session_directory::use> session_directory::take_used() {
  std::vector<std::string> ids;
  {
    std::lock_guard listing{used_mtx_};
    ids.swap(used_);
  }
  std::vector<use> uses;
  uses.reserve(ids.size());
  std::shared_lock guard{mtx_};
  for (auto& id : ids) {
    auto i = sessions_.find(id);
    if (i == sessions_.end()) {
      continue;
    }
    // Cleared before the time is read: a use after this lists the session again.
    i->second.listed.exchange(false, std::memory_order_acq_rel);
    auto at = clock::time_point{clock::duration{i->second.used.load(std::memory_order_relaxed)}};
    uses.push_back({std::move(id), at});
  }
  std::sort(uses.begin(), uses.end(), [](const use& a, const use& b) {
    return a.at < b.at;
  });
  return uses;
}

} // namespace sagemcp
