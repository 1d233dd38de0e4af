// The server's effective settings (read-only; they come from its environment).
import type { ReactNode } from 'react';

import { useAuth } from '../auth/AuthContext';
import { ErrorNotice, Loading, PageHeader } from '../components/Common';
import { useAsync } from '../lib/hooks';

function label(key: string): string {
  return key.replace(/_/g, ' ');
}

function Value({ value }: { value: unknown }): ReactNode {
  if (value === null || value === undefined || value === '') {
    return <span className="muted">not set</span>;
  }
  if (typeof value === 'boolean') {
    return <span className={value ? 'yes' : 'no'}>{value ? 'yes' : 'no'}</span>;
  }
  if (Array.isArray(value)) {
    return value.length === 0 ? <span className="muted">none</span> : <span>{value.map((v) => <code key={String(v)} className="tag">{String(v)}</code>)}</span>;
  }
  if (typeof value === 'object') {
    return <SettingsList data={value as Record<string, unknown>} />;
  }
  return <code>{String(value)}</code>;
}

function SettingsList({ data }: { data: Record<string, unknown> }) {
  return (
    <dl className="facts settings">
      {Object.entries(data).map(([k, v]) => (
        <div key={k} className="fact-row">
          <dt>{label(k)}</dt>
          <dd>
            <Value value={v} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function Settings() {
  const { api } = useAuth();
  const settings = useAsync(() => api.settings(), [api]);
  const data = settings.data ?? {};
  const groups = Object.entries(data).filter(([, v]) => v && typeof v === 'object' && !Array.isArray(v));
  const plain = Object.fromEntries(Object.entries(data).filter(([, v]) => !(v && typeof v === 'object' && !Array.isArray(v))));
  return (
    <div className="page">
      <PageHeader title="Settings" subtitle="Read-only: the server takes these from its environment at start (see README, Configuration)." />
      <ErrorNotice error={settings.error} onRetry={settings.reload} title="Settings could not be loaded" />
      {settings.loading && !settings.data ? (
        <Loading />
      ) : (
        <div className="chart-grid">
          <section className="card" aria-labelledby="settings-general">
            <h2 id="settings-general">General</h2>
            <SettingsList data={plain} />
          </section>
          {groups.map(([k, v]) => (
            <section className="card" key={k} aria-labelledby={`settings-${k}`}>
              <h2 id={`settings-${k}`}>{label(k)}</h2>
              <SettingsList data={v as Record<string, unknown>} />
            </section>
          ))}
        </div>
      )}
    </div>
  );
}
