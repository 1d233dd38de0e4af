// MCP sessions (all, or one tenant's): refreshed every 5 s; details and terminate.
import { useMemo, useState } from 'react';

import type { Api } from '../api/api';
import { describeError } from '../api/client';
import type { SessionInfo } from '../api/types';
import { formatDuration, shortId } from '../lib/format';
import { useAsync, useInterval } from '../lib/hooks';
import { Empty, ErrorNotice, JsonView, Loading, DataTable } from './Common';
import { ConfirmDialog, Dialog } from './Dialog';
import { useToast } from './Toast';

export function SessionsTable({ api, tenantSlug, connectorNames = {} }: {
  api: Api;
  tenantSlug?: string;
  connectorNames?: Record<string, string>;
}) {
  const toast = useToast();
  const sessions = useAsync(() => api.sessions(tenantSlug), [api, tenantSlug]);
  useInterval(() => sessions.reload(), 5000);
  const [query, setQuery] = useState('');
  const [ending, setEnding] = useState<SessionInfo | null>(null);
  const [details, setDetails] = useState<{ id: string; data?: unknown; error?: unknown } | null>(null);

  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return (sessions.data ?? []).filter(
      (s) =>
        !q ||
        s.session_id.toLowerCase().includes(q) ||
        s.tenant_slug.includes(q) ||
        s.connector_id.includes(q) ||
        s.kind.includes(q) ||
        (connectorNames[s.connector_id] ?? '').toLowerCase().includes(q),
    );
  }, [sessions.data, query, connectorNames]);

  const terminate = async (s: SessionInfo) => {
    setEnding(null);
    try {
      await api.terminateSession(s.session_id);
      toast.success('Session terminated');
      sessions.reload();
    } catch (err) {
      toast.error(`Could not terminate the session: ${describeError(err)}`);
    }
  };

  const open = async (id: string) => {
    setDetails({ id });
    try {
      setDetails({ id, data: await api.session(id) });
    } catch (err) {
      setDetails({ id, error: err });
    }
  };

  return (
    <section aria-label="Sessions">
      <div className="toolbar">
        <div className="field grow">
          <label htmlFor={`session-search-${tenantSlug ?? 'all'}`}>Filter sessions</label>
          <input
            id={`session-search-${tenantSlug ?? 'all'}`}
            type="search"
            placeholder="Session id, tenant, connector or kind"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
        </div>
      </div>
      <ErrorNotice error={sessions.error} onRetry={sessions.reload} title="Sessions could not be loaded" />
      {sessions.loading && !sessions.data ? (
        <Loading />
      ) : shown.length === 0 ? (
        <Empty>{query ? 'No session matches.' : 'No open MCP sessions.'}</Empty>
      ) : (
        <DataTable caption="MCP sessions" columns={['Session', !tenantSlug && 'Tenant', 'Connector', 'Kind', 'Protocol', 'Age', 'Idle']} actions>
          {shown.map((s) => (
            <tr key={s.session_id}>
              <td>
                <code title={s.session_id}>{shortId(s.session_id)}</code>
              </td>
              {!tenantSlug && <td>{s.tenant_slug}</td>}
              <td>{s.connector_id ? (connectorNames[s.connector_id] ?? <code>{shortId(s.connector_id)}</code>) : 'tenant endpoint'}</td>
              <td>{s.kind}</td>
              <td>{s.protocol_version || '—'}</td>
              <td>{formatDuration(s.age_seconds)}</td>
              <td>{formatDuration(s.idle_seconds)}</td>
              <td className="actions">
                <button type="button" className="secondary small" onClick={() => void open(s.session_id)} aria-label={`Details of session ${shortId(s.session_id)}`}>
                  Details
                </button>
                <button type="button" className="danger small" onClick={() => setEnding(s)} aria-label={`Terminate session ${shortId(s.session_id)}`}>
                  Terminate
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {ending && (
        <ConfirmDialog
          title="Terminate this session?"
          message={
            <p>
              Session <code>{shortId(ending.session_id)}</code> of {ending.tenant_slug} ends now; its client gets 404 and has
              to initialize again.
            </p>
          }
          confirmLabel="Terminate"
          danger
          onCancel={() => setEnding(null)}
          onConfirm={() => void terminate(ending)}
        />
      )}
      {details && (
        <Dialog title={`Session ${shortId(details.id)}`} onClose={() => setDetails(null)} wide>
          {details.error ? (
            <ErrorNotice error={details.error} />
          ) : details.data ? (
            <JsonView value={details.data} label="Session details" />
          ) : (
            <Loading />
          )}
        </Dialog>
      )}
    </section>
  );
}
