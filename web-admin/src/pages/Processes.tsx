// Every external MCP server of every tenant, with its process (or remote connection) status,
// stderr tail and a restart button. Refreshed every 5 seconds.
import { useState } from 'react';
import { Link } from 'react-router-dom';

import { describeError } from '../api/client';
import type { Connector, ProcessStatus } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { Badge, Empty, ErrorNotice, Loading, PageHeader } from '../components/Common';
import { ProcessDetails } from '../components/ProcessPanel';
import { useToast } from '../components/Toast';
import { runtimeLabel } from '../lib/connectorForm';
import { useAsync, useInterval } from '../lib/hooks';

interface Row {
  slug: string;
  connector: Connector;
  status?: ProcessStatus;
  error?: unknown;
}

export function Processes() {
  const { api } = useAuth();
  const toast = useToast();
  const [busy, setBusy] = useState<string | null>(null);
  const rows = useAsync<Row[]>(async () => {
    const tenants = await api.listTenants();
    const lists = await Promise.all(
      tenants.map(async (t) => (await api.listConnectors(t.slug)).map((c) => ({ slug: t.slug, connector: c }))),
    );
    const external = lists.flat().filter((r) => r.connector.runtime_type !== 'native');
    return Promise.all(
      external.map(async (r) => {
        try {
          return { ...r, status: await api.process(r.slug, r.connector.id) };
        } catch (error) {
          return { ...r, error };
        }
      }),
    );
  }, [api]);
  useInterval(() => rows.reload(), 5000);

  const restart = async (r: Row) => {
    setBusy(r.connector.id);
    try {
      await api.restartProcess(r.slug, r.connector.id);
      toast.success(`${r.connector.name} restarting`);
      rows.reload();
    } catch (err) {
      toast.error(`Could not restart ${r.connector.name}: ${describeError(err)}`);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="page">
      <PageHeader title="External processes" subtitle="External and remote MCP servers of every tenant. Refreshed every 5 seconds." />
      <ErrorNotice error={rows.error} onRetry={rows.reload} title="External servers could not be loaded" />
      {rows.loading && !rows.data ? (
        <Loading />
      ) : (rows.data ?? []).length === 0 ? (
        <Empty>No external MCP servers. Platform admins add them from a tenant’s “Add connector”.</Empty>
      ) : (
        <ul className="process-list">
          {(rows.data ?? []).map((r) => (
            <li key={r.connector.id} className="card">
              <div className="section-head">
                <div>
                  <h2>
                    <Link to={`/tenants/${encodeURIComponent(r.slug)}/connectors/${encodeURIComponent(r.connector.id)}?tab=process`}>
                      {r.connector.name}
                    </Link>
                  </h2>
                  <p className="muted small-text">
                    {r.slug} · {runtimeLabel(r.connector.runtime_type)} {!r.connector.is_enabled && <Badge tone="warn">disabled</Badge>}
                  </p>
                  {r.connector.runtime_command && (
                    <code className="command small-text">{r.connector.runtime_command.join(' ')}</code>
                  )}
                </div>
                <button type="button" className="secondary small" disabled={busy === r.connector.id} onClick={() => void restart(r)} aria-label={`Restart ${r.connector.name}`}>
                  Restart
                </button>
              </div>
              <ErrorNotice error={r.error} />
              {r.status && r.status.processes.length === 0 && (
                <p className="muted">Not running; it starts with the first request.</p>
              )}
              {r.status?.processes.map((p, i) => <ProcessDetails key={i} p={p} />)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
