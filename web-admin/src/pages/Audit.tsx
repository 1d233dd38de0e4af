// The audit log of admin changes: who did what, to what, with what outcome.
import { useMemo, useState } from 'react';

import type { AuditEntry } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { Badge, Empty, ErrorNotice, Loading, PageHeader, DataTable, SearchField } from '../components/Common';
import { formatDateTime, shortId } from '../lib/format';
import { useAsync } from '../lib/hooks';

function statusOf(entry: AuditEntry): number | undefined {
  const status = entry.detail?.status;
  return typeof status === 'number' ? status : undefined;
}

export function AuditTable({ load, deps, showTenant = false }: {
  load: (limit: number) => Promise<AuditEntry[]>;
  deps: unknown[];
  showTenant?: boolean;
}) {
  const [limit, setLimit] = useState(100);
  const [query, setQuery] = useState('');
  const entries = useAsync(() => load(limit), [...deps, limit]);
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return (entries.data ?? []).filter(
      (e) => !q || e.action.toLowerCase().includes(q) || (e.tenant_slug ?? '').includes(q) || JSON.stringify(e.target).toLowerCase().includes(q),
    );
  }, [entries.data, query]);

  return (
    <section aria-label="Audit log">
      <div className="toolbar">
        <SearchField id="audit-search" label="Filter" placeholder="Action, tenant or target" value={query} onChange={setQuery} />
        <div className="field">
          <label htmlFor="audit-limit">Entries</label>
          <select id="audit-limit" value={limit} onChange={(e) => setLimit(Number(e.target.value))}>
            {[50, 100, 250, 500, 1000].map((n) => (
              <option key={n} value={n}>
                latest {n}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className="secondary" onClick={entries.reload}>
          Refresh
        </button>
      </div>
      <ErrorNotice error={entries.error} onRetry={entries.reload} title="The audit log could not be loaded" />
      {entries.loading && !entries.data ? (
        <Loading />
      ) : shown.length === 0 ? (
        <Empty>No entries.</Empty>
      ) : (
        <DataTable caption="Audit entries, newest first" columns={['When', 'Action', showTenant && 'Tenant', 'Target', 'By', 'Status']}>
          {shown.map((e) => {
            const status = statusOf(e);
            return (
              <tr key={e.id}>
                <td>{formatDateTime(e.at)}</td>
                <td>
                  <code>{e.action}</code>
                </td>
                {showTenant && <td>{e.tenant_slug ?? '—'}</td>}
                <td className="small-text">
                  {Object.entries(e.target ?? {})
                    .map(([k, v]) => `${k}: ${String(v)}`)
                    .join(', ') || '—'}
                </td>
                <td className="small-text">
                  {e.actor_scope} <code>{shortId(e.actor_key_id)}</code>
                </td>
                <td>
                  {status !== undefined ? <Badge tone={status < 300 ? 'good' : status < 500 ? 'warn' : 'bad'}>{status}</Badge> : '—'}
                </td>
              </tr>
            );
          })}
        </DataTable>
      )}
    </section>
  );
}

export function Audit() {
  const { api } = useAuth();
  return (
    <div className="page">
      <PageHeader title="Audit log" subtitle="Every admin change, newest first." />
      <AuditTable load={(limit) => api.audit(undefined, limit)} deps={[api]} showTenant />
    </div>
  );
}
