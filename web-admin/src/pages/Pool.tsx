// The connector instance pool: capacity, hit rate, every instance; evict one or the idle ones.
import { useMemo, useState } from 'react';

import { describeError } from '../api/client';
import type { PoolEntry } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { BarList, Meter } from '../components/Charts';
import { Badge, Empty, ErrorNotice, Loading, PageHeader, statusTone, DataTable, SearchField } from '../components/Common';
import { ConfirmDialog } from '../components/Dialog';
import { useToast } from '../components/Toast';
import { formatDuration, formatNumber } from '../lib/format';
import { useAsync, useInterval } from '../lib/hooks';

export function Pool() {
  const { api } = useAuth();
  const toast = useToast();
  const summary = useAsync(() => api.poolSummary(), [api]);
  const entries = useAsync(() => api.pool(), [api]);
  useInterval(() => {
    summary.reload();
    entries.reload();
  }, 5000);
  const [query, setQuery] = useState('');
  const [idle, setIdle] = useState('600');
  const [evicting, setEvicting] = useState<PoolEntry | null>(null);
  const [confirmIdle, setConfirmIdle] = useState(false);

  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return (entries.data ?? []).filter(
      (e) => !q || e.tenant_slug.includes(q) || e.connector_name.toLowerCase().includes(q) || e.connector_type.includes(q) || e.status.includes(q),
    );
  }, [entries.data, query]);

  const evict = async (e: PoolEntry) => {
    setEvicting(null);
    try {
      await api.evictPoolEntry(e.tenant_slug, e.connector_id);
      toast.success(`${e.connector_name} evicted`);
      entries.reload();
      summary.reload();
    } catch (err) {
      toast.error(`Could not evict: ${describeError(err)}`);
    }
  };

  const evictIdle = async () => {
    setConfirmIdle(false);
    try {
      const result = await api.evictIdle(Number(idle));
      toast.success(`${result.evicted} idle instance${result.evicted === 1 ? '' : 's'} evicted`);
      entries.reload();
      summary.reload();
    } catch (err) {
      toast.error(`Could not evict idle instances: ${describeError(err)}`);
    }
  };

  const s = summary.data;
  return (
    <div className="page">
      <PageHeader title="Pool" subtitle="Connector instances kept warm, least recently used evicted first. Refreshed every 5 seconds." />
      <ErrorNotice error={summary.error ?? entries.error} onRetry={() => { summary.reload(); entries.reload(); }} />
      {s && (
        <section className="chart-grid" aria-label="Summary">
          <div className="card">
            <Meter label="Connector instances" value={s.instances} max={s.max_instances} format={(v) => formatNumber(v)} />
            <dl className="facts">
              <dt>Sessions</dt>
              <dd>
                {formatNumber(s.sessions)} (at most {formatNumber(s.sessions_per_tenant)} per tenant)
              </dd>
              <dt>Tenants</dt>
              <dd>{formatNumber(s.tenants)}</dd>
              <dt>Hit rate</dt>
              <dd>
                {formatNumber(s.hit_rate_percent, 1)} % ({formatNumber(s.hits)} hits, {formatNumber(s.misses)} misses)
              </dd>
              <dt>Instance TTL</dt>
              <dd>{formatDuration(s.instance_ttl_seconds)}</dd>
              <dt>Session TTL</dt>
              <dd>{formatDuration(s.session_ttl_seconds)}</dd>
            </dl>
          </div>
          <div className="card">
            <BarList title="Instances by status" items={Object.entries(s.by_status).map(([label, value]) => ({ label, value }))} />
          </div>
          <div className="card">
            <BarList
              title="Instances by tenant"
              items={Object.entries(s.by_tenant)
                .sort((a, b) => b[1] - a[1])
                .slice(0, 12)
                .map(([label, value]) => ({ label, value }))}
              empty="No instances."
            />
          </div>
        </section>
      )}
      <div className="toolbar">
        <SearchField id="pool-search" label="Filter instances" placeholder="Tenant, connector, type or status" value={query} onChange={setQuery} />
        <div className="field">
          <label htmlFor="idle-seconds">Idle for at least (seconds)</label>
          <input id="idle-seconds" inputMode="numeric" value={idle} onChange={(e) => setIdle(e.target.value.replace(/\D/g, ''))} />
        </div>
        <button type="button" className="secondary" disabled={idle === ''} onClick={() => setConfirmIdle(true)}>
          Evict idle
        </button>
      </div>
      {entries.loading && !entries.data ? (
        <Loading />
      ) : shown.length === 0 ? (
        <Empty>No connector instances in the pool.</Empty>
      ) : (
        <DataTable caption="Pooled connector instances" columns={['Connector', 'Tenant', 'Status', 'Credentials', 'Age', 'Idle', 'TTL left', 'Hits', 'Restarts']} actions>
          {shown.map((e) => (
            <tr key={e.key}>
              <td>
                {e.connector_name}
                <div className="muted small-text">{e.connector_type}</div>
              </td>
              <td>{e.tenant_slug}</td>
              <td>
                <Badge tone={statusTone(e.status)}>{e.status}</Badge>
              </td>
              <td>{e.credential_owner}</td>
              <td>{formatDuration(e.age_seconds)}</td>
              <td>{formatDuration(e.idle_seconds)}</td>
              <td>{formatDuration(e.ttl_remaining_seconds)}</td>
              <td>{formatNumber(e.hit_count)}</td>
              <td>{formatNumber(e.restarts)}</td>
              <td className="actions">
                <button type="button" className="danger small" onClick={() => setEvicting(e)} aria-label={`Evict ${e.connector_name} of ${e.tenant_slug}`}>
                  Evict
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {evicting && (
        <ConfirmDialog
          title={`Evict ${evicting.connector_name}?`}
          message={<p>Its instances stop; the next request starts a new one. Sessions stay open.</p>}
          confirmLabel="Evict"
          danger
          onCancel={() => setEvicting(null)}
          onConfirm={() => void evict(evicting)}
        />
      )}
      {confirmIdle && (
        <ConfirmDialog
          title="Evict idle instances?"
          message={<p>Every instance idle for {idle} seconds or more stops.</p>}
          confirmLabel="Evict idle"
          danger
          onCancel={() => setConfirmIdle(false)}
          onConfirm={() => void evictIdle()}
        />
      )}
    </div>
  );
}
