// API keys: create (shown once), list, revoke.
import { useMemo, useState } from 'react';

import { describeError } from '../api/client';
import type { ApiKey, Tenant } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { Badge, Empty, ErrorNotice, Loading, PageHeader, DataTable, SearchField } from '../components/Common';
import { CreateKeyDialog } from '../components/CreateKeyDialog';
import { ConfirmDialog } from '../components/Dialog';
import { useToast } from '../components/Toast';
import { formatDateTime } from '../lib/format';
import { useAsync } from '../lib/hooks';

export function Keys() {
  const { api, identity } = useAuth();
  const toast = useToast();
  const keys = useAsync(() => api.listKeys(), [api]);
  const tenants = useAsync<Tenant[]>(() => api.listTenants(), [api]);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [query, setQuery] = useState('');
  const [showRevoked, setShowRevoked] = useState(false);

  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return (keys.data ?? [])
      .filter((k) => showRevoked || k.is_active)
      .filter(
        (k) => !q || k.name.toLowerCase().includes(q) || k.key_prefix.includes(q) || (k.tenant_slug ?? '').includes(q) || k.scope.includes(q),
      )
      .sort((a, b) => b.created_at.localeCompare(a.created_at));
  }, [keys.data, query, showRevoked]);

  const revoke = async (k: ApiKey) => {
    setRevoking(null);
    try {
      await api.revokeKey(k.id);
      toast.success(`Key ${k.name} revoked`);
      keys.reload();
    } catch (err) {
      toast.error(`Could not revoke ${k.name}: ${describeError(err)}`);
    }
  };

  return (
    <div className="page">
      <PageHeader title="API keys" subtitle="Keys are shown once, at creation; the server keeps only a hash.">
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          Create key
        </button>
      </PageHeader>
      <div className="toolbar">
        <SearchField id="key-search" label="Search keys" placeholder="Name, prefix, tenant or scope" value={query} onChange={setQuery} />
        <label className="checkbox">
          <input type="checkbox" checked={showRevoked} onChange={(e) => setShowRevoked(e.target.checked)} />
          Show revoked keys
        </label>
      </div>
      <ErrorNotice error={keys.error} onRetry={keys.reload} title="Keys could not be loaded" />
      {keys.loading && !keys.data ? (
        <Loading />
      ) : shown.length === 0 ? (
        <Empty>No keys match.</Empty>
      ) : (
        <DataTable caption="API keys" columns={['Name', 'Prefix', 'Scope', 'Tenant', 'Last used', 'Expires', 'Created']} actions>
          {shown.map((k) => (
            <tr key={k.id} className={k.is_active ? undefined : 'row-muted'}>
              <td>
                {k.name}
                {k.id === identity?.key_id && (
                  <>
                    {' '}
                    <Badge tone="info">this session</Badge>
                  </>
                )}
                {!k.is_active && (
                  <>
                    {' '}
                    <Badge tone="bad">revoked</Badge>
                  </>
                )}
              </td>
              <td>
                <code>{k.key_prefix}…</code>
              </td>
              <td>
                <span className={`badge badge-scope scope-${k.scope}`}>{k.scope.replace('_', ' ')}</span>
              </td>
              <td>{k.tenant_slug ?? '—'}</td>
              <td>{formatDateTime(k.last_used_at)}</td>
              <td>{k.expires_at ? formatDateTime(k.expires_at) : 'never'}</td>
              <td>{formatDateTime(k.created_at)}</td>
              <td className="actions">
                {k.is_active && (
                  <button type="button" className="danger small" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {creating && (
        <CreateKeyDialog
          api={api}
          tenants={tenants.data ?? []}
          onCreated={() => keys.reload()}
          onClose={() => setCreating(false)}
        />
      )}
      {revoking && (
        <ConfirmDialog
          title={`Revoke ${revoking.name}?`}
          message={
            <p>
              Key <code>{revoking.key_prefix}…</code> stops working on every node within a second.
              {revoking.id === identity?.key_id && ' It is the key of this session: you will be logged out.'}
            </p>
          }
          confirmLabel="Revoke key"
          danger
          onCancel={() => setRevoking(null)}
          onConfirm={() => void revoke(revoking)}
        />
      )}
    </div>
  );
}
