-- Per-tenant rate limit: requests per minute on the tenant's MCP endpoints (0 = unlimited);
-- NULL means the server's default (RATE_LIMIT_RPM).
ALTER TABLE tenants ADD COLUMN rate_limit_rpm INTEGER
  CHECK (rate_limit_rpm IS NULL OR rate_limit_rpm >= 0);

CREATE INDEX ix_connector_tool_states_connector_id ON connector_tool_states (connector_id);
