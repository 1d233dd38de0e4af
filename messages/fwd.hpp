#pragma once

// Forward declarations of the messages module, for headers that only name its types.

namespace sagemcp {

enum class errc : unsigned char;
enum class scope : unsigned char;
struct principal;
struct tenant_row;
struct connector_row;
struct api_key_row;
struct tenant_snapshot;
struct mcp_request;
struct mcp_envelope;
struct mcp_reply;
struct session_request;
struct session_info;

} // namespace sagemcp
