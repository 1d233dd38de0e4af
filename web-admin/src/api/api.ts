// Every admin REST route the UI uses, in one place (transport/router.cpp is the route table).
import type { ApiClient, RequestOptions } from './client';
import type {
  ApiKey,
  AuditEntry,
  Connector,
  ConnectorInput,
  ConnectorType,
  CreatedKey,
  KeyInput,
  OAuthApp,
  OAuthCredential,
  OAuthFlow,
  OAuthProvider,
  OAuthRevokeResult,
  OAuthStart,
  PoolEntry,
  PoolSummary,
  ProcessStatus,
  SessionInfo,
  Settings,
  Stats,
  Tenant,
  TenantInput,
  ToolPolicy,
  ToolState,
  UsageRow,
  VerifyResult,
} from './types';

const enc = encodeURIComponent;

export const tenantPath = (slug: string) => `/api/v1/admin/tenants/${enc(slug)}`;
export const connectorPath = (slug: string, id: string) =>
  `${tenantPath(slug)}/connectors/${enc(id)}`;

/** The MCP endpoint paths of a connector and of a tenant. */
export const mcpPaths = {
  connector: (slug: string, id: string) => `/api/v1/${enc(slug)}/connectors/${enc(id)}/mcp`,
  connectorSse: (slug: string, id: string) => `/api/v1/${enc(slug)}/connectors/${enc(id)}/mcp/sse`,
  tenant: (slug: string) => `/api/v1/${enc(slug)}/mcp`,
  tenantSse: (slug: string) => `/api/v1/${enc(slug)}/mcp/sse`,
};

export class Api {
  constructor(readonly client: ApiClient) {}

  // Keys and identity.
  verify(options?: RequestOptions) {
    return this.client.post<VerifyResult>('/api/v1/auth/verify', undefined, options);
  }
  listKeys() {
    return this.client.get<ApiKey[]>('/api/v1/auth/keys');
  }
  createKey(input: KeyInput) {
    return this.client.post<CreatedKey>('/api/v1/auth/keys', input);
  }
  revokeKey(id: string) {
    return this.client.del<void>(`/api/v1/auth/keys/${enc(id)}`);
  }

  // Tenants.
  listTenants() {
    return this.client.get<Tenant[]>('/api/v1/admin/tenants');
  }
  getTenant(slug: string) {
    return this.client.get<Tenant>(tenantPath(slug));
  }
  createTenant(input: TenantInput) {
    return this.client.post<Tenant>('/api/v1/admin/tenants', input);
  }
  updateTenant(slug: string, input: TenantInput) {
    return this.client.put<Tenant>(tenantPath(slug), input);
  }
  deleteTenant(slug: string) {
    return this.client.del<void>(tenantPath(slug));
  }
  tenantAudit(slug: string, limit = 100) {
    return this.client.get<AuditEntry[]>(`${tenantPath(slug)}/audit`, { query: { limit } });
  }

  // Connectors.
  connectorTypes() {
    return this.client.get<ConnectorType[]>('/api/v1/admin/connector-types');
  }
  listConnectors(slug: string) {
    return this.client.get<Connector[]>(`${tenantPath(slug)}/connectors`);
  }
  getConnector(slug: string, id: string) {
    return this.client.get<Connector>(connectorPath(slug, id));
  }
  createConnector(slug: string, input: ConnectorInput) {
    return this.client.post<Connector>(`${tenantPath(slug)}/connectors`, input);
  }
  updateConnector(slug: string, id: string, input: ConnectorInput) {
    return this.client.put<Connector>(connectorPath(slug, id), input);
  }
  toggleConnector(slug: string, id: string) {
    return this.client.patch<Connector>(`${connectorPath(slug, id)}/toggle`);
  }
  deleteConnector(slug: string, id: string) {
    return this.client.del<void>(connectorPath(slug, id));
  }

  // Tool policy.
  toolPolicy(slug: string, id: string) {
    return this.client.get<ToolPolicy>(`${connectorPath(slug, id)}/tools`);
  }
  setTool(slug: string, id: string, tool: string, enabled: boolean) {
    return this.client.patch<ToolState>(`${connectorPath(slug, id)}/tools/${enc(tool)}`, {
      is_enabled: enabled,
    });
  }
  bulkSetTools(slug: string, id: string, updates: { tool_name: string; is_enabled: boolean }[]) {
    return this.client.post<ToolPolicy>(`${connectorPath(slug, id)}/tools/bulk-update`, { updates });
  }
  setAllTools(slug: string, id: string, enabled: boolean) {
    return this.client.post<ToolPolicy>(
      `${connectorPath(slug, id)}/tools/${enabled ? 'enable-all' : 'disable-all'}`,
    );
  }

  // External MCP server processes.
  process(slug: string, id: string) {
    return this.client.get<ProcessStatus>(`${connectorPath(slug, id)}/process`);
  }
  restartProcess(slug: string, id: string) {
    return this.client.post<{ restarting: boolean }>(`${connectorPath(slug, id)}/process/restart`);
  }
  stopProcess(slug: string, id: string) {
    return this.client.del<void>(`${connectorPath(slug, id)}/process`);
  }

  // Pool, sessions, platform.
  pool(tenantSlug?: string) {
    return this.client.get<PoolEntry[]>('/api/v1/admin/pool', { query: { tenant_slug: tenantSlug } });
  }
  poolSummary() {
    return this.client.get<PoolSummary>('/api/v1/admin/pool/summary');
  }
  evictPoolEntry(slug: string, connectorId: string) {
    return this.client.del<void>(`/api/v1/admin/pool/${enc(slug)}/${enc(connectorId)}`);
  }
  evictIdle(idleSeconds?: number) {
    return this.client.post<{ evicted: number; idle_seconds: number }>(
      '/api/v1/admin/pool/evict-idle',
      undefined,
      { query: { idle_seconds: idleSeconds } },
    );
  }
  sessions(tenantSlug?: string) {
    return this.client.get<SessionInfo[]>('/api/v1/admin/sessions', {
      query: { tenant_slug: tenantSlug },
    });
  }
  session(id: string) {
    return this.client.get<Record<string, unknown>>(`/api/v1/admin/sessions/${enc(id)}`);
  }
  terminateSession(id: string) {
    return this.client.del<void>(`/api/v1/admin/sessions/${enc(id)}`);
  }
  stats() {
    return this.client.get<Stats>('/api/v1/admin/stats');
  }
  settings() {
    return this.client.get<Settings>('/api/v1/admin/settings');
  }
  audit(tenantSlug?: string, limit = 200) {
    return this.client.get<AuditEntry[]>('/api/v1/admin/audit', {
      query: { tenant_slug: tenantSlug, limit },
    });
  }
  usage(days = 1, tenantSlug?: string) {
    return this.client.get<UsageRow[]>('/api/v1/admin/usage', {
      query: { days, tenant_slug: tenantSlug },
    });
  }
  /** Prometheus text of /metrics (public, but sent with the key like everything else). */
  async metrics(): Promise<string> {
    const res = await this.client.send('GET', '/metrics', { headers: { Accept: 'text/plain' } });
    return res.text();
  }

  // OAuth.
  oauthProviders() {
    return this.client.get<OAuthProvider[]>('/api/v1/oauth/providers');
  }
  oauthCredentials(slug: string) {
    return this.client.get<OAuthCredential[]>(`/api/v1/oauth/${enc(slug)}/auth`);
  }
  /** Starts an authorization; with Accept: application/json the server answers with the URL. */
  oauthStart(slug: string, provider: string, personal = false) {
    const path = personal
      ? `/api/v1/oauth/${enc(slug)}/me/auth/${enc(provider)}`
      : `/api/v1/oauth/${enc(slug)}/auth/${enc(provider)}`;
    return this.client.get<OAuthStart>(path);
  }
  oauthFlow(statusUrl: string) {
    return this.client.get<OAuthFlow>(statusUrl);
  }
  oauthRevoke(slug: string, provider: string, personal = false) {
    const path = personal
      ? `/api/v1/oauth/${enc(slug)}/me/auth/${enc(provider)}`
      : `/api/v1/oauth/${enc(slug)}/auth/${enc(provider)}`;
    return this.client.del<OAuthRevokeResult>(path);
  }
  oauthApps(slug: string) {
    return this.client.get<OAuthApp[]>(`/api/v1/oauth/${enc(slug)}/config`);
  }
  setOAuthApp(slug: string, provider: string, clientId: string, clientSecret: string) {
    return this.client.post<OAuthApp>(`/api/v1/oauth/${enc(slug)}/config`, {
      provider,
      client_id: clientId,
      client_secret: clientSecret,
    });
  }
  deleteOAuthApp(slug: string, provider: string) {
    return this.client.del<void>(`/api/v1/oauth/${enc(slug)}/config/${enc(provider)}`);
  }
}
