-- Initial schema: tenants, their connectors and tool policy, and API keys.
-- The same tables as the SQLite dialect: identifiers are UUID text; timestamps are ISO-8601 UTC
-- text with microseconds (2026-11-21T12:00:00.123456Z), so both backends hand the same values
-- to the application and sort them the same way.

-- The store creates this table before running any migration; it is repeated here so the file
-- describes the whole schema.
CREATE TABLE IF NOT EXISTS schema_version (
  version INTEGER PRIMARY KEY,
  applied_at TEXT NOT NULL
);

CREATE TABLE tenants (
  id TEXT PRIMARY KEY NOT NULL,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  description TEXT,
  contact_email TEXT,
  is_active BOOLEAN NOT NULL DEFAULT TRUE,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE connectors (
  id TEXT PRIMARY KEY NOT NULL,
  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  connector_type TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT,
  is_enabled BOOLEAN NOT NULL DEFAULT TRUE,
  -- JSON object text (encrypted at rest once secrets support lands).
  configuration TEXT NOT NULL DEFAULT '{}',
  runtime_type TEXT NOT NULL DEFAULT 'native',
  -- JSON array text.
  runtime_command TEXT,
  -- JSON object text (encrypted at rest once secrets support lands).
  runtime_env TEXT NOT NULL DEFAULT '{}',
  package_path TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  -- Orders connectors created in the same microsecond, as SQLite's rowid does.
  seq BIGSERIAL NOT NULL
);

CREATE INDEX ix_connectors_tenant_id ON connectors (tenant_id);

-- Tool policy: a missing row means the tool is enabled.
CREATE TABLE connector_tool_states (
  id TEXT PRIMARY KEY NOT NULL,
  connector_id TEXT NOT NULL REFERENCES connectors (id) ON DELETE CASCADE,
  tool_name TEXT NOT NULL,
  is_enabled BOOLEAN NOT NULL DEFAULT TRUE,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CONSTRAINT uq_connector_tool UNIQUE (connector_id, tool_name)
);

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  key_prefix TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL CHECK (scope IN ('platform_admin', 'tenant_admin', 'tenant_user')),
  -- NULL for platform-wide keys.
  tenant_id TEXT REFERENCES tenants (id) ON DELETE CASCADE,
  is_active BOOLEAN NOT NULL DEFAULT TRUE,
  expires_at TEXT,
  last_used_at TEXT,
  created_at TEXT NOT NULL,
  seq BIGSERIAL NOT NULL
);

CREATE INDEX ix_api_keys_key_prefix ON api_keys (key_prefix);
CREATE INDEX ix_api_keys_tenant_id ON api_keys (tenant_id);
