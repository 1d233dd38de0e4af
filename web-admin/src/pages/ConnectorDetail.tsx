// One connector: what it is, its tool policy, its process (external servers), its endpoints and
// client configurations.
import { useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';

import { mcpPaths } from '../api/api';
import { describeError } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { ClientConfigs, EndpointList, serverName } from '../components/ClientConfigs';
import { Badge, ErrorNotice, Loading, Notice, PageHeader } from '../components/Common';
import { ConfirmDialog } from '../components/Dialog';
import { ProcessPanel } from '../components/ProcessPanel';
import { Tabs } from '../components/Tabs';
import { useToast } from '../components/Toast';
import { ToolPolicyPanel } from '../components/ToolPolicyPanel';
import { isProcessRuntime, runtimeLabel } from '../lib/connectorForm';
import { formatDateTime } from '../lib/format';
import { useAsync } from '../lib/hooks';

export function ConnectorDetail() {
  const { slug = '', id = '' } = useParams();
  const { api, has } = useAuth();
  const toast = useToast();
  const navigate = useNavigate();
  const canEdit = has('tenant_admin');
  const connector = useAsync(() => api.getConnector(slug, id), [api, slug, id]);
  const [params, setParams] = useSearchParams();
  const [deleting, setDeleting] = useState(false);
  const [busy, setBusy] = useState(false);

  if (connector.loading && !connector.data) {
    return <Loading />;
  }
  const c = connector.data;
  if (!c) {
    return (
      <div className="page">
        <ErrorNotice error={connector.error} onRetry={connector.reload} title="The connector could not be loaded" />
      </div>
    );
  }
  const native = c.runtime_type === 'native';
  const processes = isProcessRuntime(c.runtime_type);
  const tabs = [
    { id: 'overview', label: 'Overview' },
    ...(canEdit ? [{ id: 'tools', label: 'Tool policy' }] : []),
    ...(c.runtime_type !== 'native' && canEdit ? [{ id: 'process', label: processes ? 'Process' : 'Connection' }] : []),
    { id: 'endpoints', label: 'Endpoints & clients' },
  ];
  const tab = tabs.some((t) => t.id === params.get('tab')) ? (params.get('tab') as string) : 'overview';
  const tenantUrl = `/tenants/${encodeURIComponent(slug)}`;

  const toggle = async () => {
    setBusy(true);
    try {
      const updated = await api.toggleConnector(slug, id);
      connector.setData(updated);
      toast.success(`${updated.name} ${updated.is_enabled ? 'enabled' : 'disabled'}`);
    } catch (err) {
      toast.error(`Could not change the connector: ${describeError(err)}`);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    setDeleting(false);
    try {
      await api.deleteConnector(slug, id);
      toast.success(`Connector ${c.name} deleted`);
      navigate(tenantUrl);
    } catch (err) {
      toast.error(`Could not delete the connector: ${describeError(err)}`);
    }
  };

  const configEntries = Object.entries(c.configuration ?? {});
  return (
    <div className="page">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        {has('platform_admin') && (
          <>
            <Link to="/tenants">Tenants</Link>
            <span aria-hidden="true"> / </span>
          </>
        )}
        <Link to={tenantUrl}>{slug}</Link>
        <span aria-hidden="true"> / </span>
        <span aria-current="page">{c.name}</span>
      </nav>
      <PageHeader
        title={c.name}
        subtitle={
          <>
            <Badge tone="info">{native ? c.connector_type : runtimeLabel(c.runtime_type)}</Badge>{' '}
            {c.is_enabled ? <Badge tone="good">enabled</Badge> : <Badge tone="warn">disabled</Badge>}
            {c.description && <> · {c.description}</>}
          </>
        }
      >
        <Link className="button secondary" to={`/tester?tenant=${encodeURIComponent(slug)}&connector=${encodeURIComponent(id)}`}>
          Open in tester
        </Link>
        {canEdit && (
          <>
            <button type="button" className="secondary" disabled={busy} onClick={() => void toggle()}>
              {c.is_enabled ? 'Disable' : 'Enable'}
            </button>
            <Link className="button secondary" to={`${tenantUrl}/connectors/${encodeURIComponent(id)}/edit`}>
              Edit
            </Link>
            <button type="button" className="danger" onClick={() => setDeleting(true)}>
              Delete
            </button>
          </>
        )}
      </PageHeader>
      {c.secrets_error && <Notice kind="warn">Stored secrets could not be read: {c.secrets_error}. Enter them again.</Notice>}
      <Tabs tabs={tabs} selected={tab} onSelect={(t) => setParams({ tab: t }, { replace: true })} label="Connector sections">
        {tab === 'overview' && (
          <dl className="facts wide-facts">
            <dt>Id</dt>
            <dd>
              <code>{c.id}</code>
            </dd>
            <dt>Runtime</dt>
            <dd>{runtimeLabel(c.runtime_type)}</dd>
            {native && (
              <>
                <dt>Type</dt>
                <dd>{c.connector_type}</dd>
              </>
            )}
            {c.runtime_command && (
              <>
                <dt>Command</dt>
                <dd>
                  <code className="command">{c.runtime_command.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}</code>
                </dd>
              </>
            )}
            {c.package_path && (
              <>
                <dt>Package path</dt>
                <dd>
                  <code>{c.package_path}</code>
                </dd>
              </>
            )}
            <dt>Configuration</dt>
            <dd>
              {configEntries.length === 0 ? (
                <span className="muted">none</span>
              ) : (
                <ul className="plain">
                  {configEntries.map(([k, v]) => (
                    <li key={k}>
                      <code>{k}</code>: {typeof v === 'string' ? v : JSON.stringify(v)}
                    </li>
                  ))}
                </ul>
              )}
            </dd>
            <dt>Secrets set</dt>
            <dd>{c.secret_fields.length ? c.secret_fields.map((s) => <code key={s} className="tag">{s}</code>) : <span className="muted">none</span>}</dd>
            {c.runtime_type !== 'native' && (
              <>
                <dt>{c.runtime_type === 'external_remote' ? 'Headers set' : 'Environment set'}</dt>
                <dd>
                  {(c.runtime_env_keys ?? []).length ? (
                    (c.runtime_env_keys ?? []).map((s) => <code key={s} className="tag">{s}</code>)
                  ) : (
                    <span className="muted">none</span>
                  )}
                </dd>
              </>
            )}
            <dt>Created</dt>
            <dd>{formatDateTime(c.created_at)}</dd>
            <dt>Updated</dt>
            <dd>{formatDateTime(c.updated_at)}</dd>
          </dl>
        )}
        {tab === 'tools' && <ToolPolicyPanel api={api} slug={slug} connectorId={id} canEdit={canEdit} />}
        {tab === 'process' && <ProcessPanel api={api} slug={slug} connectorId={id} canEdit={canEdit} />}
        {tab === 'endpoints' && (
          <div className="stack">
            <EndpointList paths={{ http: mcpPaths.connector(slug, id), sse: mcpPaths.connectorSse(slug, id) }} />
            <h3>Client configuration</h3>
            <ClientConfigs path={mcpPaths.connector(slug, id)} name={serverName('sagemcp', slug, c.name)} />
          </div>
        )}
      </Tabs>
      {deleting && (
        <ConfirmDialog
          title={`Delete connector ${c.name}?`}
          message={<p>Its tool policy goes with it, and clients of its endpoint get 404.</p>}
          confirmLabel="Delete connector"
          danger
          onCancel={() => setDeleting(false)}
          onConfirm={() => void remove()}
        />
      )}
    </div>
  );
}
