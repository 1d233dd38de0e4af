import { useAuth } from '../auth/AuthContext';
import { PageHeader } from '../components/Common';
import { SessionsTable } from '../components/SessionsTable';
import { useAsync } from '../lib/hooks';

export function Sessions() {
  const { api } = useAuth();
  // Pooled instances carry connector names; sessions only carry ids.
  const pool = useAsync(() => api.pool().catch(() => []), [api]);
  const names = Object.fromEntries((pool.data ?? []).map((e) => [e.connector_id, e.connector_name]));
  return (
    <div className="page">
      <PageHeader title="Sessions" subtitle="Open MCP sessions of every tenant. Refreshed every 5 seconds." />
      <SessionsTable api={api} connectorNames={names} />
    </div>
  );
}
