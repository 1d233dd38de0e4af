-- The audit log: one row per admin change. It outlives what it names (no foreign keys) and
-- holds no values the change wrote.
CREATE TABLE audit_log (
  id TEXT PRIMARY KEY NOT NULL,
  at TEXT NOT NULL,
  actor_key_id TEXT NOT NULL,
  actor_scope TEXT NOT NULL,
  tenant_slug TEXT,
  action TEXT NOT NULL,
  -- JSON object text.
  target TEXT NOT NULL DEFAULT '{}',
  -- JSON object text.
  detail TEXT NOT NULL DEFAULT '{}'
);

CREATE INDEX ix_audit_log_at ON audit_log (at);
CREATE INDEX ix_audit_log_tenant_at ON audit_log (tenant_slug, at);
