// Shapes of the admin REST API, as transport/admin_api.cpp and transport/oauth_api.cpp write them.

export type Scope = 'platform_admin' | 'tenant_admin' | 'tenant_user';

export interface Tenant {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  contact_email: string | null;
  is_active: boolean;
  rate_limit_rpm: number | null;
  created_at: string;
  updated_at: string;
}

export interface TenantInput {
  slug?: string;
  name: string;
  description?: string | null;
  contact_email?: string | null;
  rate_limit_rpm?: number | null;
}

export type RuntimeType =
  | 'native'
  | 'external_nodejs'
  | 'external_python'
  | 'external_go'
  | 'external_custom'
  | 'external_remote';

export const PROCESS_RUNTIMES: RuntimeType[] = [
  'external_nodejs',
  'external_python',
  'external_go',
  'external_custom',
];

export interface Connector {
  id: string;
  tenant_id: string;
  connector_type: string;
  name: string;
  description: string | null;
  is_enabled: boolean;
  runtime_type: RuntimeType | string;
  runtime_command: string[] | null;
  package_path: string | null;
  created_at: string;
  updated_at: string;
  /** Non-secret configuration values; secrets are never returned, only named in secret_fields. */
  configuration: Record<string, unknown> | null;
  secret_fields: string[];
  runtime_env_keys: string[] | null;
  secrets_error?: string;
}

/** A create or update body; absent fields keep their values on update. */
export interface ConnectorInput {
  connector_type?: string;
  runtime_type?: RuntimeType;
  name?: string;
  description?: string | null;
  configuration?: Record<string, unknown>;
  runtime_command?: string[] | null;
  runtime_env?: Record<string, string | null>;
  package_path?: string | null;
}

export interface ConfigField {
  name: string;
  title: string;
  description: string;
  secret: boolean;
  required: boolean;
}

export interface ConnectorType {
  type: string;
  display_name: string;
  description: string;
  configuration: ConfigField[];
  tools: string[];
}

export interface ToolState {
  tool_name: string;
  description: string;
  is_enabled: boolean;
}

export interface ToolPolicy {
  connector_id: string;
  tools: ToolState[];
  summary: { total: number; enabled: number; disabled: number };
}

export interface ApiKey {
  id: string;
  name: string;
  key_prefix: string;
  scope: Scope;
  tenant_id: string | null;
  tenant_slug: string | null;
  is_active: boolean;
  expires_at: string | null;
  last_used_at: string | null;
  created_at: string;
}

export interface CreatedKey extends ApiKey {
  /** The whole key: returned once, at creation. */
  key: string;
}

export interface KeyInput {
  name: string;
  scope: Scope;
  tenant_id?: string;
  expires_at?: string;
}

export interface VerifyResult {
  valid: boolean;
  key_id: string;
  scope: Scope;
  tenant_id: string | null;
  tenant_slug: string | null;
}

export interface Stats {
  tenants: number;
  active_instances: number | null;
  active_sessions: number | null;
  pool_hits: number | null;
  pool_misses: number | null;
  tool_calls_since_start: number;
  usage_today: {
    day: string;
    calls: number;
    errors: number;
    calls_by_tenant: Record<string, number>;
  };
  timestamp: string;
}

export interface PoolEntry {
  key: string;
  tenant_slug: string;
  connector_id: string;
  connector_name: string;
  connector_type: string;
  credential_owner: string;
  age_seconds: number;
  idle_seconds: number;
  ttl_remaining_seconds: number;
  hit_count: number;
  restarts: number;
  status: string;
}

export interface PoolSummary {
  instances: number;
  max_instances: number;
  instance_ttl_seconds: number;
  sessions: number;
  sessions_per_tenant: number;
  session_ttl_seconds: number;
  tenants: number;
  hits: number;
  misses: number;
  hit_rate_percent: number;
  by_tenant: Record<string, number>;
  by_status: Record<string, number>;
}

export interface SessionInfo {
  session_id: string;
  kind: string;
  tenant_slug: string;
  connector_id: string;
  key_id: string;
  protocol_version: string;
  age_seconds: number;
  idle_seconds: number;
}

export interface UsageRow {
  day: string;
  tenant_slug: string;
  connector_id: string;
  tool_name: string;
  calls: number;
  errors: number;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor_key_id: string;
  actor_scope: string;
  tenant_slug: string | null;
  action: string;
  target: Record<string, unknown>;
  detail: Record<string, unknown>;
}

export interface OAuthProvider {
  id: string;
  name: string;
  scopes: string[];
  connector_types: string[];
  configured: boolean;
  pkce: boolean;
  revocable: boolean;
  auth_url: string;
}

export interface OAuthCredential {
  id: string;
  provider: string;
  provider_name: string;
  kind: 'tenant' | 'personal';
  owner_key_id: string | null;
  provider_user_id: string | null;
  provider_username: string | null;
  token_type: string;
  scopes: string | null;
  expires_at: string | null;
  refreshable: boolean;
  created_at: string;
  updated_at: string;
}

export interface OAuthStart {
  authorization_url: string;
  flow_id: string;
  provider: string;
  expires_at: string;
  status_url: string;
}

export type OAuthFlowStatus = 'pending' | 'exchanging' | 'connected' | 'failed' | 'expired';

export interface OAuthFlow {
  id: string;
  provider: string;
  kind: 'tenant' | 'personal';
  status: OAuthFlowStatus;
  error: string | null;
  expires_at: string;
  completed_at: string | null;
}

export interface OAuthRevokeResult {
  deleted: boolean;
  provider: string;
  revoked_at_provider: boolean;
  detail?: string;
}

export interface OAuthApp {
  id: string;
  provider: string;
  client_id: string;
  client_secret_set: boolean;
  created_at: string;
  updated_at: string;
}

export interface ProcessInfo {
  connector_id: string;
  runtime_type: string;
  status: 'starting' | 'running' | 'restarting' | 'failed' | string;
  pid: number | null;
  started_at: string | null;
  last_health_check: string | null;
  restart_count: number;
  error_message: string | null;
  protocol_version: string;
  server_info: unknown;
  framing: string | null;
  transport: string;
  calls: number;
  failures: number;
  pending_requests: number;
  stderr_tail: string[];
}

export interface ProcessStatus {
  connector_id: string;
  runtime_type: string;
  processes: ProcessInfo[];
}

export type Settings = Record<string, unknown>;
