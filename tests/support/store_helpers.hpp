#pragma once

#include "messages/errc.hpp"
#include "messages/types.hpp"

#include <caf/expected.hpp>

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace sagemcp::test {

/// The value of `x`, failing the test (and returning a default) when it holds an error.
template <class T>
T value_of(caf::expected<T> x) {
  EXPECT_TRUE(x) << message_of(x.error());
  return x ? std::move(*x) : T{};
}

/// The errc of a failed result; nothing when `x` holds a value.
template <class T>
std::optional<errc> failure_of(const caf::expected<T>& x) {
  if (x) {
    return std::nullopt;
  }
  return code_of(x.error());
}

/// A tenant row with a slug, and a name, description and contact e-mail filled in.
inline tenant_row make_tenant(std::string slug) {
  tenant_row row;
  row.name = "Tenant " + slug;
  row.slug = std::move(slug);
  row.description = "a tenant";
  row.contact_email = "ops@example.com";
  return row;
}

} // namespace sagemcp::test
