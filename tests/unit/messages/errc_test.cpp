#include "messages/errc.hpp"

#include <caf/sec.hpp>

#include <gtest/gtest.h>

#include <set>

namespace sagemcp {
namespace {

TEST(ErrcTest, EveryValueHasAConsistentRow) {
  std::set<std::string_view> names;
  for (int i = 1; i <= static_cast<int>(last_errc); ++i) {
    auto code = static_cast<errc>(i);
    const auto& row = info(code);
    EXPECT_EQ(row.code, code);
    EXPECT_FALSE(row.name.empty());
    EXPECT_FALSE(row.text.empty());
    EXPECT_TRUE(names.insert(row.name).second) << "duplicate name " << row.name;
    EXPECT_GE(row.http_status, 200u);
    EXPECT_LT(row.http_status, 600u);
    EXPECT_LE(row.jsonrpc_code, -32000);
    EXPECT_GE(row.jsonrpc_code, -32768);
  }
}

TEST(ErrcTest, MapsProtocolErrorsToTheSpecsCodes) {
  EXPECT_EQ(info(errc::parse_error).jsonrpc_code, -32700);
  EXPECT_EQ(info(errc::parse_error).http_status, 400u);
  EXPECT_EQ(info(errc::invalid_request).jsonrpc_code, -32600);
  EXPECT_EQ(info(errc::method_not_found).jsonrpc_code, -32601);
  EXPECT_EQ(info(errc::unknown_tool).jsonrpc_code, -32602);
  EXPECT_EQ(info(errc::session_required).http_status, 400u);
  EXPECT_EQ(info(errc::session_not_found).http_status, 404u);
  EXPECT_EQ(info(errc::not_acceptable).http_status, 406u);
  EXPECT_EQ(info(errc::unsupported_media_type).http_status, 415u);
  EXPECT_EQ(info(errc::payload_too_large).http_status, 413u);
  EXPECT_EQ(info(errc::unsupported_protocol_version).http_status, 400u);
  EXPECT_EQ(info(errc::tool_failed).surface, error_surface::tool_result);
  EXPECT_EQ(info(errc::invalid_tool_arguments).surface, error_surface::tool_result);
  EXPECT_EQ(info(errc::unknown_tool).surface, error_surface::jsonrpc);
}

TEST(ErrcTest, ErrorsCarryCodeAndMessage) {
  auto err = make_error(errc::unknown_tool, "Unknown tool: x");
  EXPECT_EQ(code_of(err), errc::unknown_tool);
  EXPECT_EQ(message_of(err), "Unknown tool: x");
  EXPECT_TRUE(err == errc::unknown_tool);
  auto bare = make_error(errc::session_not_found);
  EXPECT_EQ(message_of(bare), "Session not found");
  EXPECT_EQ(data_of(bare), "");
  auto with_data = make_error(errc::resource_not_found, "Resource not found: x", R"({"uri":"x"})");
  EXPECT_EQ(message_of(with_data), "Resource not found: x");
  EXPECT_EQ(data_of(with_data), R"({"uri":"x"})");
  EXPECT_EQ(info(errc::resource_not_found).jsonrpc_code, -32002);
  EXPECT_EQ(info(errc::cancelled).http_status, 202u);
}

TEST(ErrcTest, ForeignErrorsMapToInternalOrTimeout) {
  EXPECT_EQ(code_of(caf::make_error(caf::sec::request_timeout)), errc::timeout);
  EXPECT_EQ(code_of(caf::make_error(caf::sec::unexpected_message)), errc::internal_error);
  EXPECT_EQ(to_string(errc::conflict), "conflict");
}

} // namespace
} // namespace sagemcp
