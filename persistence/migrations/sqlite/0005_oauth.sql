-- OAuth: the accounts tenants (or their principals) connected, tenants' own OAuth apps, and the
-- authorizations under way. Tokens, client secrets and code verifiers are stored sealed.

-- One credential per tenant, provider and owner: an empty owner is the tenant's own credential,
-- otherwise the id of the API key whose personal credential it is.
CREATE TABLE oauth_credentials (
  id TEXT PRIMARY KEY NOT NULL,
  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  provider TEXT NOT NULL,
  owner TEXT NOT NULL DEFAULT '',
  provider_user_id TEXT NOT NULL DEFAULT '',
  provider_username TEXT,
  access_token TEXT NOT NULL,
  refresh_token TEXT,
  token_type TEXT NOT NULL DEFAULT 'bearer',
  -- Space-separated, as the provider granted them.
  scopes TEXT,
  expires_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CONSTRAINT uq_oauth_credential UNIQUE (tenant_id, provider, owner)
);

-- A tenant's own OAuth app for a provider, used instead of the operator's.
CREATE TABLE oauth_configs (
  id TEXT PRIMARY KEY NOT NULL,
  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  provider TEXT NOT NULL,
  client_id TEXT NOT NULL,
  client_secret TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CONSTRAINT uq_oauth_config UNIQUE (tenant_id, provider)
);

-- Authorizations started; the id is the random part of the `state` sent to the provider.
-- Rows are forgotten an hour after they expire.
CREATE TABLE oauth_flows (
  id TEXT PRIMARY KEY NOT NULL,
  tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  provider TEXT NOT NULL,
  owner TEXT NOT NULL DEFAULT '',
  initiator TEXT NOT NULL,
  code_verifier TEXT,
  redirect_uri TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  created_at TEXT NOT NULL,
  -- When a callback claimed the flow; NULL while it waits for one.
  completed_at TEXT,
  -- Empty while pending, `exchanging` once claimed, `connected`, or `failed: <reason>`.
  outcome TEXT NOT NULL DEFAULT ''
);

CREATE INDEX ix_oauth_flows_expires_at ON oauth_flows (expires_at);
CREATE INDEX ix_oauth_flows_tenant_id ON oauth_flows (tenant_id);
