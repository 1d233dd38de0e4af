// The MCP tester: connect to a connector's (or the tenant's) endpoint over Streamable HTTP or
// WebSocket, list its tools, call one with a form generated from its inputSchema, and read the
// raw JSON-RPC exchange.
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';

import { mcpPaths } from '../api/api';
import { describeError } from '../api/client';
import { McpError, McpHttpClient, McpWsClient, listAllTools, websocketUrl } from '../api/mcp';
import type { ExchangeEntry, InitializeResult, McpClient, Tool, Transport } from '../api/mcp';
import type { Tenant } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { Badge, CopyButton, ErrorNotice, JsonView, Notice, PageHeader } from '../components/Common';
import { SchemaForm } from '../components/SchemaForm';
import { useAsync } from '../lib/hooks';
import { buildArguments, initialValues, schemaFields, valuesFromArguments } from '../lib/schemaForm';
import type { FormValues } from '../lib/schemaForm';

const TENANT_ENDPOINT = '__tenant__';
const MAX_EXCHANGE = 500;

interface CallOutcome {
  tool: string;
  result?: { content?: ContentItem[]; structuredContent?: unknown; isError?: boolean };
  error?: string;
}

interface ContentItem {
  type: string;
  text?: string;
  data?: string;
  mimeType?: string;
  uri?: string;
  name?: string;
  resource?: { uri?: string; mimeType?: string; text?: string; blob?: string };
}

function ContentView({ item }: { item: ContentItem }) {
  switch (item.type) {
    case 'text':
      return <pre className="result-text">{item.text}</pre>;
    case 'image':
      return <img className="result-image" src={`data:${item.mimeType};base64,${item.data}`} alt={`Image result (${item.mimeType})`} />;
    case 'audio':
      // Played media would need a media-src the page's security policy does not grant.
      return (
        <p className="muted">
          Audio ({item.mimeType}, {Math.round(((item.data ?? '').length * 3) / 4)} bytes)
        </p>
      );
    case 'resource':
      return (
        <div className="result-resource">
          <code>{item.resource?.uri}</code> <span className="muted">{item.resource?.mimeType}</span>
          {item.resource?.text !== undefined ? (
            <pre className="result-text">{item.resource.text}</pre>
          ) : (
            <p className="muted">binary, {Math.round(((item.resource?.blob ?? '').length * 3) / 4)} bytes</p>
          )}
        </div>
      );
    case 'resource_link':
      return (
        <p>
          Resource link: <code>{item.uri}</code> {item.name && <span className="muted">({item.name})</span>}
        </p>
      );
    default:
      return <JsonView value={item} />;
  }
}

function ExchangeLog({ entries, onClear }: { entries: ExchangeEntry[]; onClear: () => void }) {
  const list = useRef<HTMLOListElement>(null);
  // The newest message stays in view unless the reader scrolled up.
  const stick = useRef(true);
  useEffect(() => {
    if (list.current && stick.current) {
      list.current.scrollTop = list.current.scrollHeight;
    }
  }, [entries]);
  const text = entries
    .map((e) => `${e.direction === 'out' ? '→' : e.direction === 'in' ? '←' : '·'} ${e.note ?? JSON.stringify(e.message)}`)
    .join('\n');
  return (
    <section className="card exchange" aria-labelledby="exchange-title">
      <div className="section-head">
        <h2 id="exchange-title">JSON-RPC exchange</h2>
        <div className="button-row">
          <CopyButton text={text} label="Copy" what="exchange" />
          <button type="button" className="secondary small" onClick={onClear}>
            Clear
          </button>
        </div>
      </div>
      {entries.length === 0 ? (
        <p className="muted">Messages appear here as they are sent and received.</p>
      ) : (
        <ol
          ref={list}
          className="exchange-list"
          aria-label="Messages, oldest first"
          tabIndex={0}
          onScroll={(e) => {
            const node = e.currentTarget;
            stick.current = node.scrollHeight - node.scrollTop - node.clientHeight < 40;
          }}
        >
          {entries.map((e) => (
            <li key={e.seq} className={`exchange-${e.direction}`}>
              <span className="exchange-meta">
                <span className="exchange-dir" aria-label={e.direction === 'out' ? 'sent' : e.direction === 'in' ? 'received' : 'note'}>
                  {e.direction === 'out' ? '→' : e.direction === 'in' ? '←' : '·'}
                </span>
                <span>{e.transport.toUpperCase()}</span>
                <time>{new Date(e.at).toLocaleTimeString()}</time>
              </span>
              {e.note ? <span className="exchange-note">{e.note}</span> : <pre>{JSON.stringify(e.message, null, 2)}</pre>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export function Tester() {
  const { api, apiKey, identity, has, logout } = useAuth();
  const platform = has('platform_admin');
  const ids = useId();
  const [params, setParams] = useSearchParams();
  const tenants = useAsync<Tenant[]>(() => (platform ? api.listTenants() : Promise.resolve([])), [api, platform]);
  const slug = platform ? (params.get('tenant') ?? '') : (identity?.tenant_slug ?? '');
  const connectorId = params.get('connector') ?? '';
  const connectors = useAsync(() => (slug ? api.listConnectors(slug) : Promise.resolve([])), [api, slug]);
  const [transport, setTransport] = useState<Transport>('http');

  const clientRef = useRef<McpClient | null>(null);
  const [session, setSession] = useState<{ info: InitializeResult; sessionId?: string | null } | null>(null);
  const [connecting, setConnecting] = useState(false);
  const [connectError, setConnectError] = useState<unknown>(null);
  const [tools, setTools] = useState<Tool[] | null>(null);
  const [toolsError, setToolsError] = useState<unknown>(null);
  const [toolQuery, setToolQuery] = useState('');
  const [selected, setSelected] = useState<Tool | null>(null);
  const [values, setValues] = useState<FormValues>({});
  const [rawMode, setRawMode] = useState(false);
  const [raw, setRaw] = useState('{}');
  const [argErrors, setArgErrors] = useState<Record<string, string>>({});
  const [calling, setCalling] = useState(false);
  const [outcome, setOutcome] = useState<CallOutcome | null>(null);
  const [exchange, setExchange] = useState<ExchangeEntry[]>([]);
  const seq = useRef(1);

  const record = (entry: Omit<ExchangeEntry, 'seq' | 'at'>) => {
    const full = { ...entry, seq: seq.current++, at: Date.now() } as ExchangeEntry;
    setExchange((old) => [...old.slice(-(MAX_EXCHANGE - 1)), full]);
  };

  const path = slug && connectorId ? (connectorId === TENANT_ENDPOINT ? mcpPaths.tenant(slug) : mcpPaths.connector(slug, connectorId)) : '';

  const reset = () => {
    void clientRef.current?.close();
    clientRef.current = null;
    setSession(null);
    setTools(null);
    setSelected(null);
    setOutcome(null);
    setConnectError(null);
    setToolsError(null);
  };

  // A different endpoint or transport is a different session.
  useEffect(() => {
    reset();
  }, [path, transport]);
  useEffect(() => () => void clientRef.current?.close(), []);

  const fields = useMemo(() => schemaFields(selected?.inputSchema), [selected]);

  const makeClient = (): McpClient => {
    if (transport === 'ws') {
      return new McpWsClient({
        url: websocketUrl(path, window.location.href),
        apiKey,
        onExchange: record,
        onClose: () => setSession(null),
      });
    }
    return new McpHttpClient({
      url: path,
      apiKey,
      onExchange: record,
      onUnauthorized: (err) => logout(`Your session ended: the server answered 401 (${err.detail}). Log in again.`),
    });
  };

  const refreshTools = async (client: McpClient) => {
    setToolsError(null);
    try {
      const list = await listAllTools(client);
      setTools(list);
      setSelected((old) => (old ? (list.find((t) => t.name === old.name) ?? null) : null));
    } catch (err) {
      setToolsError(err);
    }
  };

  const connect = async () => {
    reset();
    setConnecting(true);
    const client = makeClient();
    clientRef.current = client;
    try {
      const info = await client.initialize();
      setSession({ info, sessionId: client instanceof McpHttpClient ? client.sessionId : undefined });
      await refreshTools(client);
    } catch (err) {
      setConnectError(err);
      clientRef.current = null;
      void client.close();
    } finally {
      setConnecting(false);
    }
  };

  const pick = (tool: Tool) => {
    setSelected(tool);
    const f = schemaFields(tool.inputSchema);
    const start = initialValues(f);
    setValues(start);
    setRaw(JSON.stringify(buildArguments(f, start).args, null, 2));
    setArgErrors({});
    setOutcome(null);
  };

  const call = async (event: FormEvent) => {
    event.preventDefault();
    const client = clientRef.current;
    if (!client || !selected) {
      return;
    }
    let args: Record<string, unknown>;
    if (rawMode) {
      try {
        const parsed = JSON.parse(raw || '{}') as unknown;
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
          throw new Error('the arguments must be a JSON object');
        }
        args = parsed as Record<string, unknown>;
        setArgErrors({});
      } catch (err) {
        setArgErrors({ __raw: err instanceof Error ? err.message : String(err) });
        return;
      }
    } else {
      const built = buildArguments(fields, values);
      setArgErrors(built.errors);
      if (Object.keys(built.errors).length > 0) {
        return;
      }
      args = built.args;
    }
    setCalling(true);
    setOutcome(null);
    try {
      const result = await client.request<CallOutcome['result']>('tools/call', { name: selected.name, arguments: args });
      setOutcome({ tool: selected.name, result });
    } catch (err) {
      setOutcome({
        tool: selected.name,
        error: err instanceof McpError ? `JSON-RPC error ${err.code}: ${err.message}` : describeError(err),
      });
    } finally {
      setCalling(false);
    }
  };

  const toggleRaw = () => {
    if (rawMode) {
      try {
        setValues(valuesFromArguments(fields, JSON.parse(raw || '{}') as Record<string, unknown>));
        setArgErrors({});
      } catch (err) {
        setArgErrors({ __raw: `Fix the JSON first: ${err instanceof Error ? err.message : String(err)}` });
        return;
      }
    } else {
      setRaw(JSON.stringify(buildArguments(fields, values).args, null, 2));
    }
    setRawMode(!rawMode);
  };

  const shownTools = (tools ?? []).filter(
    (t) => !toolQuery.trim() || t.name.toLowerCase().includes(toolQuery.trim().toLowerCase()) || (t.description ?? '').toLowerCase().includes(toolQuery.trim().toLowerCase()),
  );

  const setParam = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) {
      next.set(name, value);
    } else {
      next.delete(name);
    }
    if (name === 'tenant') {
      next.delete('connector');
    }
    setParams(next, { replace: true });
  };

  return (
    <div className="page">
      <PageHeader title="MCP tester" subtitle="Talk to an endpoint the way an MCP client does, with your API key." />
      <section className="card" aria-label="Endpoint">
        <div className="form-grid">
          <div className="field">
            <label htmlFor={`${ids}-tenant`}>Tenant</label>
            {platform ? (
              <select id={`${ids}-tenant`} value={slug} onChange={(e) => setParam('tenant', e.target.value)}>
                <option value="">(choose a tenant)</option>
                {(tenants.data ?? []).map((t) => (
                  <option key={t.id} value={t.slug}>
                    {t.name} ({t.slug})
                  </option>
                ))}
              </select>
            ) : (
              <input id={`${ids}-tenant`} value={slug} readOnly />
            )}
          </div>
          <div className="field">
            <label htmlFor={`${ids}-connector`}>Connector</label>
            <select id={`${ids}-connector`} value={connectorId} disabled={!slug} onChange={(e) => setParam('connector', e.target.value)}>
              <option value="">(choose a connector)</option>
              {(connectors.data ?? []).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name} ({c.connector_type}){c.is_enabled ? '' : ' — disabled'}
                </option>
              ))}
              {slug && <option value={TENANT_ENDPOINT}>Tenant endpoint (every enabled connector)</option>}
            </select>
          </div>
          <fieldset className="field radio-group">
            <legend>Transport</legend>
            <label>
              <input type="radio" name={`${ids}-transport`} value="http" checked={transport === 'http'} onChange={() => setTransport('http')} />
              Streamable HTTP
            </label>
            <label>
              <input type="radio" name={`${ids}-transport`} value="ws" checked={transport === 'ws'} onChange={() => setTransport('ws')} />
              WebSocket
            </label>
          </fieldset>
        </div>
        <ErrorNotice error={tenants.error ?? connectors.error} />
        {path && (
          <p className="muted small-text">
            Endpoint: <code>{transport === 'ws' ? websocketUrl(path, window.location.href) : window.location.origin + path}</code>
          </p>
        )}
        <div className="button-row">
          <button type="button" className="primary" disabled={!path || connecting} onClick={() => void connect()}>
            {connecting ? 'Connecting…' : session ? 'Initialize again' : 'Initialize'}
          </button>
          <button type="button" className="secondary" disabled={!session} onClick={() => clientRef.current && void refreshTools(clientRef.current)}>
            List tools
          </button>
          <button
            type="button"
            className="secondary"
            disabled={!session}
            onClick={() => clientRef.current?.request('ping').catch((err: unknown) => setConnectError(err))}
          >
            Ping
          </button>
          <button type="button" className="secondary" disabled={!session} onClick={reset}>
            Disconnect
          </button>
        </div>
        <div aria-live="polite" className="connection-status">
          {session ? (
            <p>
              <Badge tone="good">connected</Badge> {session.info.serverInfo?.title ?? session.info.serverInfo?.name}{' '}
              {session.info.serverInfo?.version} · protocol {session.info.protocolVersion} · {transport === 'ws' ? 'WebSocket' : 'Streamable HTTP'}
              {session.sessionId && (
                <>
                  {' '}
                  · session <code>{session.sessionId.slice(0, 10)}…</code>
                </>
              )}
            </p>
          ) : (
            <p className="muted">Not connected.</p>
          )}
        </div>
        <ErrorNotice error={connectError} title="Could not connect" />
      </section>

      {session && (
        <div className="tester-grid">
          <section className="card" aria-labelledby={`${ids}-tools-title`}>
            <div className="section-head">
              <h2 id={`${ids}-tools-title`}>Tools {tools && <span className="muted">({tools.length})</span>}</h2>
            </div>
            <ErrorNotice error={toolsError} title="tools/list failed" />
            <div className="field">
              <label htmlFor={`${ids}-tool-search`}>Filter tools</label>
              <input id={`${ids}-tool-search`} type="search" value={toolQuery} onChange={(e) => setToolQuery(e.target.value)} />
            </div>
            <ul className="tool-list" aria-label="Tools">
              {shownTools.map((t) => (
                <li key={t.name}>
                  <button type="button" className={`tool-button${selected?.name === t.name ? ' selected' : ''}`} aria-pressed={selected?.name === t.name} onClick={() => pick(t)}>
                    <code>{t.name}</code>
                    {t.description && <span className="muted small-text">{t.description}</span>}
                  </button>
                </li>
              ))}
              {tools && shownTools.length === 0 && <li className="muted">No tools.</li>}
            </ul>
          </section>

          <section className="card" aria-labelledby={`${ids}-call-title`}>
            {!selected ? (
              <p className="muted">Choose a tool to call it.</p>
            ) : (
              <form onSubmit={call} noValidate>
                <div className="section-head">
                  <h2 id={`${ids}-call-title`}>
                    <code>{selected.name}</code>
                  </h2>
                  <button type="button" className="ghost small" onClick={toggleRaw} aria-pressed={rawMode}>
                    {rawMode ? 'Use the form' : 'Edit as JSON'}
                  </button>
                </div>
                {selected.description && <p className="muted">{selected.description}</p>}
                {selected.annotations && (
                  <p className="badges">
                    {Object.entries(selected.annotations)
                      .filter(([, v]) => v === true)
                      .map(([k]) => (
                        <Badge key={k}>{k.replace(/Hint$/, '')}</Badge>
                      ))}
                  </p>
                )}
                {rawMode ? (
                  <div className="field">
                    <label htmlFor={`${ids}-raw`}>Arguments (JSON object)</label>
                    <textarea
                      id={`${ids}-raw`}
                      className="mono"
                      rows={8}
                      spellCheck={false}
                      value={raw}
                      onChange={(e) => setRaw(e.target.value)}
                      aria-invalid={argErrors.__raw ? true : undefined}
                    />
                    {argErrors.__raw && <p className="field-error">{argErrors.__raw}</p>}
                  </div>
                ) : (
                  <SchemaForm fields={fields} values={values} errors={argErrors} onChange={setValues} idPrefix={`arg-${selected.name}`} />
                )}
                <details>
                  <summary>inputSchema</summary>
                  <JsonView value={selected.inputSchema ?? {}} />
                </details>
                <div className="button-row">
                  <button type="submit" className="primary" disabled={calling}>
                    {calling ? 'Calling…' : 'Call tool'}
                  </button>
                </div>
              </form>
            )}
            <div aria-live="polite" className="call-result">
              {outcome && (
                <div className={`result${outcome.error || outcome.result?.isError ? ' result-error' : ''}`}>
                  <h3>
                    Result of <code>{outcome.tool}</code> {(outcome.error || outcome.result?.isError) && <Badge tone="bad">error</Badge>}
                  </h3>
                  {outcome.error && <p>{outcome.error}</p>}
                  {outcome.result?.content?.map((item, i) => <ContentView key={i} item={item} />)}
                  {outcome.result?.structuredContent !== undefined && (
                    <>
                      <h4>Structured content</h4>
                      <JsonView value={outcome.result.structuredContent} />
                    </>
                  )}
                </div>
              )}
            </div>
          </section>
        </div>
      )}
      {!path && <Notice>Choose a tenant and a connector, then initialize a session.</Notice>}
      <ExchangeLog entries={exchange} onClear={() => setExchange([])} />
    </div>
  );
}
