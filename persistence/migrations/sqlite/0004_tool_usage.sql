-- Tool calls per UTC day, tenant, connector and tool, added to in batches by every node.
CREATE TABLE tool_usage (
  day TEXT NOT NULL,
  tenant_slug TEXT NOT NULL,
  connector_id TEXT NOT NULL,
  tool_name TEXT NOT NULL,
  calls INTEGER NOT NULL DEFAULT 0 CHECK (calls >= 0),
  errors INTEGER NOT NULL DEFAULT 0 CHECK (errors >= 0),
  PRIMARY KEY (day, tenant_slug, connector_id, tool_name)
);

CREATE INDEX ix_tool_usage_tenant_day ON tool_usage (tenant_slug, day);
