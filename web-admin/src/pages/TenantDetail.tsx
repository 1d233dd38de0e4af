// One tenant: its connectors, OAuth connections, sessions, tenant-wide endpoints and audit log.
import { useMemo, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';

import { mcpPaths } from '../api/api';
import { describeError } from '../api/client';
import type { Connector, Tenant } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { ClientConfigs, EndpointList, serverName } from '../components/ClientConfigs';
import { Badge, Empty, ErrorNotice, Loading, PageHeader, Switch } from '../components/Common';
import { ConfirmDialog } from '../components/Dialog';
import { OAuthPanel } from '../components/OAuthPanel';
import { SessionsTable } from '../components/SessionsTable';
import { Tabs } from '../components/Tabs';
import { useToast } from '../components/Toast';
import { runtimeLabel } from '../lib/connectorForm';
import { formatDateTime } from '../lib/format';
import { useAsync } from '../lib/hooks';
import { TenantDialog } from './Tenants';
import { AuditTable } from './Audit';

export function ConnectorList({ slug, connectors, onChanged, canEdit }: {
  slug: string;
  connectors: Connector[];
  onChanged: () => void;
  canEdit: boolean;
}) {
  const { api } = useAuth();
  const toast = useToast();
  const [deleting, setDeleting] = useState<Connector | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const toggle = async (c: Connector) => {
    setBusy(c.id);
    try {
      const updated = await api.toggleConnector(slug, c.id);
      toast.success(`${updated.name} ${updated.is_enabled ? 'enabled' : 'disabled'}`);
      onChanged();
    } catch (err) {
      toast.error(`Could not change ${c.name}: ${describeError(err)}`);
    } finally {
      setBusy(null);
    }
  };

  const remove = async (c: Connector) => {
    setDeleting(null);
    try {
      await api.deleteConnector(slug, c.id);
      toast.success(`Connector ${c.name} deleted`);
      onChanged();
    } catch (err) {
      toast.error(`Could not delete ${c.name}: ${describeError(err)}`);
    }
  };

  if (connectors.length === 0) {
    return <Empty>No connectors yet.{canEdit && ' Add one to give this tenant MCP tools.'}</Empty>;
  }
  const base = `/tenants/${encodeURIComponent(slug)}/connectors`;
  return (
    <>
      <ul className="connector-list">
        {connectors.map((c) => (
          <li key={c.id} className={`card connector-card${c.is_enabled ? '' : ' is-disabled'}`}>
            <div className="connector-main">
              <Link to={`${base}/${encodeURIComponent(c.id)}`} className="strong connector-name">
                {c.name}
              </Link>
              <div className="badges">
                <Badge tone="info">{c.runtime_type === 'native' ? c.connector_type : runtimeLabel(c.runtime_type)}</Badge>
                {!c.is_enabled && <Badge tone="warn">disabled</Badge>}
                {c.secrets_error && <Badge tone="bad">secrets unreadable</Badge>}
              </div>
              {c.description && <p className="muted small-text">{c.description}</p>}
              <p className="muted small-text">
                <code>{c.id}</code> · updated {formatDateTime(c.updated_at)}
              </p>
            </div>
            <div className="connector-actions">
              {canEdit && (
                <Switch checked={c.is_enabled} disabled={busy === c.id} label="Enabled" onChange={() => void toggle(c)} />
              )}
              <div className="button-row">
                <Link className="button secondary small" to={`/tester?tenant=${encodeURIComponent(slug)}&connector=${encodeURIComponent(c.id)}`}>
                  Test
                </Link>
                {canEdit && (
                  <Link className="button secondary small" to={`${base}/${encodeURIComponent(c.id)}/edit`} aria-label={`Edit ${c.name}`}>
                    Edit
                  </Link>
                )}
                {canEdit && (
                  <button type="button" className="danger small" onClick={() => setDeleting(c)} aria-label={`Delete ${c.name}`}>
                    Delete
                  </button>
                )}
              </div>
            </div>
          </li>
        ))}
      </ul>
      {deleting && (
        <ConfirmDialog
          title={`Delete connector ${deleting.name}?`}
          message={<p>Its tool policy goes with it, and clients of its endpoint get 404.</p>}
          confirmLabel="Delete connector"
          danger
          onCancel={() => setDeleting(null)}
          onConfirm={() => void remove(deleting)}
        />
      )}
    </>
  );
}

export function TenantDetail() {
  const { slug = '' } = useParams();
  const { api, has } = useAuth();
  const toast = useToast();
  const platform = has('platform_admin');
  const canEdit = has('tenant_admin');
  const [params, setParams] = useSearchParams();
  const tenant = useAsync<Tenant | null>(() => (platform ? api.getTenant(slug) : Promise.resolve(null)), [api, slug, platform]);
  const connectors = useAsync(() => api.listConnectors(slug), [api, slug]);
  const [editing, setEditing] = useState(false);

  const tabs = useMemo(
    () => [
      { id: 'connectors', label: 'Connectors' },
      { id: 'oauth', label: 'OAuth' },
      ...(platform ? [{ id: 'sessions', label: 'Sessions' }] : []),
      { id: 'endpoints', label: 'Endpoints' },
      ...(canEdit ? [{ id: 'audit', label: 'Audit' }] : []),
    ],
    [platform, canEdit],
  );
  const tab = tabs.some((t) => t.id === params.get('tab')) ? (params.get('tab') as string) : 'connectors';
  const names = Object.fromEntries((connectors.data ?? []).map((c) => [c.id, c.name]));

  return (
    <div className="page">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        {platform ? <Link to="/tenants">Tenants</Link> : <span>Tenant</span>}
        <span aria-hidden="true"> / </span>
        <span aria-current="page">{slug}</span>
      </nav>
      <PageHeader
        title={tenant.data?.name ?? slug}
        subtitle={
          tenant.data ? (
            <>
              <code>{tenant.data.slug}</code>
              {tenant.data.contact_email && <> · {tenant.data.contact_email}</>}
              {' · '}rate limit {tenant.data.rate_limit_rpm === null ? 'server default' : `${tenant.data.rate_limit_rpm}/min`}
              {tenant.data.description && <> · {tenant.data.description}</>}
            </>
          ) : undefined
        }
      >
        {platform && tenant.data && (
          <button type="button" className="secondary" onClick={() => setEditing(true)}>
            Edit tenant
          </button>
        )}
        {canEdit && (
          <Link className="button primary" to={`/tenants/${encodeURIComponent(slug)}/connectors/new`}>
            Add connector
          </Link>
        )}
      </PageHeader>
      <ErrorNotice error={tenant.error} onRetry={tenant.reload} title="The tenant could not be loaded" />
      <Tabs tabs={tabs} selected={tab} onSelect={(id) => setParams({ tab: id }, { replace: true })} label="Tenant sections">
        {tab === 'connectors' && (
          <>
            <ErrorNotice error={connectors.error} onRetry={connectors.reload} title="Connectors could not be loaded" />
            {connectors.loading && !connectors.data ? (
              <Loading />
            ) : (
              <ConnectorList slug={slug} connectors={connectors.data ?? []} onChanged={connectors.reload} canEdit={canEdit} />
            )}
          </>
        )}
        {tab === 'oauth' && <OAuthPanel api={api} slug={slug} canAdmin={canEdit} />}
        {tab === 'sessions' && platform && <SessionsTable api={api} tenantSlug={slug} connectorNames={names} />}
        {tab === 'endpoints' && (
          <div className="stack">
            <p>
              The tenant endpoint serves the tools of every enabled connector of the tenant at once (a name two connectors
              share becomes <code>&lt;connector name&gt;__&lt;tool&gt;</code>). Each connector also has its own endpoint, on its
              page.
            </p>
            <EndpointList paths={{ http: mcpPaths.tenant(slug), sse: mcpPaths.tenantSse(slug) }} />
            <h3>Client configuration</h3>
            <ClientConfigs path={mcpPaths.tenant(slug)} name={serverName('sagemcp', slug)} />
          </div>
        )}
        {tab === 'audit' && canEdit && <AuditTable load={(limit) => api.tenantAudit(slug, limit)} deps={[api, slug]} />}
      </Tabs>
      {editing && tenant.data && (
        <TenantDialog
          api={api}
          tenant={tenant.data}
          onClose={() => setEditing(false)}
          onSaved={() => {
            toast.success('Tenant saved');
            setEditing(false);
            tenant.reload();
          }}
        />
      )}
    </div>
  );
}
