// Live logs: GET /api/v1/admin/logs/stream as server-sent events read through fetch(), so the
// Authorization header goes along (EventSource cannot send it). Each event is one JSON log line.
import { useEffect, useMemo, useRef, useState } from 'react';

import { ApiError, errorFromResponse } from '../api/client';
import { readSse } from '../api/sse';
import { useAuth } from '../auth/AuthContext';
import { Badge, Notice, PageHeader, SearchField } from '../components/Common';
import { useAsync } from '../lib/hooks';

export const MAX_LINES = 3000;
const STREAM_PATH = '/api/v1/admin/logs/stream';

export interface LogLine {
  seq: number;
  ts: string;
  level: string;
  msg: string;
  fields: [string, string][];
  raw: string;
}

type Status = 'connecting' | 'live' | 'reconnecting' | 'unavailable' | 'forbidden' | 'error';

let nextSeq = 1;

/** One event's data as a log line; fields other than ts, level and msg in order. */
export function parseLogLine(data: string): LogLine {
  try {
    const obj = JSON.parse(data) as Record<string, unknown>;
    const fields: [string, string][] = [];
    for (const [k, v] of Object.entries(obj)) {
      if (k !== 'ts' && k !== 'level' && k !== 'msg' && v !== '' && v !== null && v !== undefined) {
        fields.push([k, typeof v === 'string' ? v : JSON.stringify(v)]);
      }
    }
    return {
      seq: nextSeq++,
      ts: String(obj.ts ?? ''),
      level: String(obj.level ?? 'info'),
      msg: String(obj.msg ?? ''),
      fields,
      raw: data,
    };
  } catch {
    return { seq: nextSeq++, ts: '', level: 'info', msg: data, fields: [], raw: data };
  }
}

function levelTone(level: string): 'neutral' | 'info' | 'warn' | 'bad' {
  switch (level) {
    case 'warn':
    case 'warning':
      return 'warn';
    case 'error':
    case 'critical':
      return 'bad';
    case 'info':
      return 'info';
    default:
      return 'neutral';
  }
}

export function Logs() {
  const { api } = useAuth();
  const tenants = useAsync(() => api.listTenants(), [api]);
  const [level, setLevel] = useState('');
  const [tenant, setTenant] = useState('');
  const [connector, setConnector] = useState('');
  const [search, setSearch] = useState('');
  const [paused, setPaused] = useState(false);
  const [status, setStatus] = useState<Status>('connecting');
  const [problem, setProblem] = useState<string | null>(null);
  const [lines, setLines] = useState<LogLine[]>([]);
  const [waiting, setWaiting] = useState(0);
  const pending = useRef<LogLine[]>([]);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  const listRef = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const connectors = useAsync(() => (tenant ? api.listConnectors(tenant) : Promise.resolve([])), [api, tenant]);

  // The stream: reconnects after it ends or fails, stops for good on 404 (not served by this
  // server), 401 and 403.
  useEffect(() => {
    const controller = new AbortController();
    let retry: ReturnType<typeof setTimeout> | undefined;
    // New filters start over with the server's backlog of matching lines; a reconnect asks for
    // none, so that no line shows twice.
    let reconnect = false;
    pending.current = [];
    setLines([]);
    const open = async () => {
      setStatus((s) => (s === 'live' ? 'reconnecting' : s === 'reconnecting' ? s : 'connecting'));
      let res: Response;
      try {
        const query = { level, tenant, connector, backlog: reconnect ? 0 : undefined };
        res = await fetch(api.client.url(STREAM_PATH, query), {
          headers: { ...api.client.authHeaders(), Accept: 'text/event-stream' },
          signal: controller.signal,
          cache: 'no-store',
        });
      } catch {
        if (!controller.signal.aborted) {
          setStatus('reconnecting');
          setProblem('The server could not be reached; retrying…');
          retry = setTimeout(() => void open(), 3000);
        }
        return;
      }
      if (!res.ok) {
        const err = await errorFromResponse(res);
        if (res.status === 404) {
          setStatus('unavailable');
          return;
        }
        if (res.status === 401) {
          api.client.onUnauthorized?.(err);
          return;
        }
        if (res.status === 403) {
          setStatus('forbidden');
          setProblem(err.detail);
          return;
        }
        setStatus('error');
        setProblem(`${err.detail} (HTTP ${res.status}); retrying…`);
        retry = setTimeout(() => void open(), 5000);
        return;
      }
      setStatus('live');
      setProblem(null);
      reconnect = true;
      try {
        await readSse(
          res.body as ReadableStream<Uint8Array>,
          (event) => {
            if (event.data.trim()) {
              pending.current.push(parseLogLine(event.data));
              if (pending.current.length > MAX_LINES) {
                pending.current.splice(0, pending.current.length - MAX_LINES);
              }
            }
          },
          controller.signal,
        );
      } catch (err) {
        if (controller.signal.aborted || (err instanceof ApiError && err.status === 401)) {
          return;
        }
      }
      if (!controller.signal.aborted) {
        setStatus('reconnecting');
        retry = setTimeout(() => void open(), 2000);
      }
    };
    void open();
    return () => {
      controller.abort();
      clearTimeout(retry);
    };
  }, [api, level, tenant, connector]);

  // New lines reach the screen four times a second, not once per event.
  useEffect(() => {
    const id = setInterval(() => {
      if (pausedRef.current) {
        setWaiting(pending.current.length);
        return;
      }
      if (pending.current.length === 0) {
        return;
      }
      const batch = pending.current;
      pending.current = [];
      setWaiting(0);
      setLines((old) => {
        const next = old.concat(batch);
        return next.length > MAX_LINES ? next.slice(next.length - MAX_LINES) : next;
      });
    }, 250);
    return () => clearInterval(id);
  }, []);

  useEffect(() => {
    const node = listRef.current;
    if (node && stick.current) {
      node.scrollTop = node.scrollHeight;
    }
  }, [lines]);

  const shown = useMemo(() => {
    const q = search.trim().toLowerCase();
    return q ? lines.filter((l) => l.raw.toLowerCase().includes(q)) : lines;
  }, [lines, search]);

  const statusText: Record<Status, string> = {
    connecting: 'connecting',
    live: 'live',
    reconnecting: 'reconnecting',
    unavailable: 'not available',
    forbidden: 'not allowed',
    error: 'error',
  };

  return (
    <div className="page">
      <PageHeader title="Live logs" subtitle={`The server's JSON log lines as they are written; the latest ${MAX_LINES} are kept.`}>
        <Badge tone={status === 'live' ? 'good' : status === 'unavailable' || status === 'forbidden' || status === 'error' ? 'bad' : 'warn'}>
          {statusText[status]}
        </Badge>
      </PageHeader>
      {status === 'unavailable' ? (
        <Notice kind="warn">
          <strong>Live logs are not available on this server.</strong> It does not serve <code>{STREAM_PATH}</code> (404). The
          logs are on the server's standard output.
        </Notice>
      ) : (
        <>
          {problem && <Notice kind="warn">{problem}</Notice>}
          <div className="toolbar">
            <div className="field">
              <label htmlFor="log-level">Level</label>
              <select id="log-level" value={level} onChange={(e) => setLevel(e.target.value)}>
                <option value="">All (server’s level)</option>
                <option value="debug">debug and above</option>
                <option value="info">info and above</option>
                <option value="warn">warn and above</option>
                <option value="error">error</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor="log-tenant">Tenant</label>
              <select
                id="log-tenant"
                value={tenant}
                onChange={(e) => {
                  setTenant(e.target.value);
                  setConnector('');
                }}
              >
                <option value="">All tenants</option>
                {(tenants.data ?? []).map((t) => (
                  <option key={t.id} value={t.slug}>
                    {t.slug}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="log-connector">Connector</label>
              <select id="log-connector" value={connector} disabled={!tenant} onChange={(e) => setConnector(e.target.value)}>
                <option value="">All connectors</option>
                {(connectors.data ?? []).map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            </div>
            <SearchField id="log-search" label="Find in lines" value={search} onChange={setSearch} />
            <div className="button-row">
              <button type="button" className="secondary" aria-pressed={paused} onClick={() => setPaused(!paused)}>
                {paused ? `Resume${waiting ? ` (${waiting} new)` : ''}` : 'Pause'}
              </button>
              <button type="button" className="secondary" onClick={() => setLines([])}>
                Clear
              </button>
            </div>
          </div>
          <div
            ref={listRef}
            className="log-view"
            role="log"
            aria-live="off"
            aria-label="Log lines, oldest first"
            tabIndex={0}
            onScroll={(e) => {
              const node = e.currentTarget;
              stick.current = node.scrollHeight - node.scrollTop - node.clientHeight < 40;
            }}
          >
            {shown.length === 0 ? (
              <p className="muted">{status === 'live' ? 'Waiting for log lines…' : 'No lines.'}</p>
            ) : (
              shown.map((l) => (
                <div key={l.seq} className={`log-line level-${l.level}`}>
                  <time className="log-ts">{l.ts.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time>
                  <span className={`log-level badge badge-${levelTone(l.level)}`}>{l.level}</span>
                  <span className="log-msg">{l.msg}</span>
                  {l.fields.map(([k, v]) => (
                    <span key={k} className="log-field">
                      <span className="log-key">{k}</span>=<span className="log-value">{v}</span>
                    </span>
                  ))}
                </div>
              ))
            )}
          </div>
          <p className="muted small-text">
            {lines.length} lines kept{search && `, ${shown.length} match`}.
          </p>
        </>
      )}
    </div>
  );
}
