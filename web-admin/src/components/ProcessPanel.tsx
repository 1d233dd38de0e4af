// The child processes of an external MCP server: status, pid, restarts, stderr tail; restart
// and stop.
import { useState } from 'react';

import type { Api } from '../api/api';
import { describeError } from '../api/client';
import type { ProcessInfo } from '../api/types';
import { formatDateTime } from '../lib/format';
import { useAsync, useInterval } from '../lib/hooks';
import { Badge, ErrorNotice, Loading, statusTone } from './Common';
import { ConfirmDialog } from './Dialog';
import { useToast } from './Toast';

export function ProcessDetails({ p }: { p: ProcessInfo }) {
  return (
    <div className="process">
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <Badge tone={statusTone(p.status)}>{p.status}</Badge>
        </dd>
        <dt>PID</dt>
        <dd>{p.pid ?? '—'}</dd>
        <dt>Transport</dt>
        <dd>
          {p.transport}
          {p.framing ? ` (${p.framing})` : ''}
        </dd>
        <dt>Restarts</dt>
        <dd>{p.restart_count}</dd>
        <dt>Started</dt>
        <dd>{formatDateTime(p.started_at)}</dd>
        <dt>Last health check</dt>
        <dd>{formatDateTime(p.last_health_check)}</dd>
        <dt>Calls / failures</dt>
        <dd>
          {p.calls} / {p.failures}
          {p.pending_requests > 0 ? ` (${p.pending_requests} pending)` : ''}
        </dd>
        {p.protocol_version && (
          <>
            <dt>Protocol</dt>
            <dd>{p.protocol_version}</dd>
          </>
        )}
      </dl>
      {p.error_message && (
        <div className="notice notice-error">
          <strong>Last exit</strong>
          <p>{p.error_message}</p>
        </div>
      )}
      <h4>stderr (latest lines)</h4>
      {p.stderr_tail.length > 0 ? (
        <pre className="stderr" tabIndex={0} aria-label="Standard error, latest lines">
          {p.stderr_tail.join('\n')}
        </pre>
      ) : (
        <p className="muted">Nothing written to stderr.</p>
      )}
    </div>
  );
}

export function ProcessPanel({ api, slug, connectorId, canEdit }: {
  api: Api;
  slug: string;
  connectorId: string;
  canEdit: boolean;
}) {
  const toast = useToast();
  const status = useAsync(() => api.process(slug, connectorId), [api, slug, connectorId]);
  const [confirmStop, setConfirmStop] = useState(false);
  const [busy, setBusy] = useState(false);
  useInterval(() => status.reload(), 3000);

  const act = async (what: string, action: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await action();
      toast.success(what);
      status.reload();
    } catch (err) {
      toast.error(`${what} failed: ${describeError(err)}`);
    } finally {
      setBusy(false);
    }
  };

  if (status.loading && !status.data) {
    return <Loading label="Loading process status…" />;
  }
  return (
    <section aria-label="Process">
      <ErrorNotice error={status.error} onRetry={status.reload} title="The process status could not be loaded" />
      {canEdit && (
        <div className="button-row">
          <button type="button" className="secondary" disabled={busy} onClick={() => act('Restart requested', () => api.restartProcess(slug, connectorId))}>
            Restart
          </button>
          <button type="button" className="danger" disabled={busy || !status.data?.processes.length} onClick={() => setConfirmStop(true)}>
            Stop
          </button>
        </div>
      )}
      {status.data && status.data.processes.length === 0 && (
        <p className="muted">No process is running. One starts with the first request to the connector.</p>
      )}
      {status.data?.processes.map((p, i) => <ProcessDetails key={`${p.pid ?? 'none'}-${i}`} p={p} />)}
      {confirmStop && (
        <ConfirmDialog
          title="Stop the process?"
          message="The process ends now; a new one starts with the next request to the connector."
          confirmLabel="Stop process"
          danger
          busy={busy}
          onCancel={() => setConfirmStop(false)}
          onConfirm={() => {
            setConfirmStop(false);
            void act('Process stopped', () => api.stopProcess(slug, connectorId));
          }}
        />
      )}
    </section>
  );
}
