// Add or edit a connector: a native type (form generated from its declared configuration), an
// external MCP server run as a process (platform admins only), or a remote MCP server.
import { useEffect, useId, useMemo, useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';

import { describeError } from '../api/client';
import type { Connector, ConnectorInput, ConnectorType, RuntimeType } from '../api/types';
import { PROCESS_RUNTIMES } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { ConfigFields } from '../components/ConfigFields';
import { ErrorNotice, Loading, Notice, PageHeader } from '../components/Common';
import { KeyValueRows } from '../components/KeyValueRows';
import { useToast } from '../components/Toast';
import {
  buildConfiguration,
  buildExternal,
  buildRemote,
  initialConfigState,
  initialRemoteState,
  runtimeLabel,
} from '../lib/connectorForm';
import type { ConfigState, ExternalState, RemoteState } from '../lib/connectorForm';
import { useAsync } from '../lib/hooks';

type Kind = { native: string } | 'external' | 'remote';

function kindOf(c: Connector): Kind {
  if (c.runtime_type === 'native') {
    return { native: c.connector_type };
  }
  return c.runtime_type === 'external_remote' ? 'remote' : 'external';
}

function kindKey(k: Kind | null): string {
  if (!k) {
    return '';
  }
  return typeof k === 'string' ? k : `native:${k.native}`;
}

export function ConnectorForm() {
  const { slug = '', id } = useParams();
  const editing = Boolean(id);
  const { api, has } = useAuth();
  const platform = has('platform_admin');
  const toast = useToast();
  const navigate = useNavigate();
  const formId = useId();

  const types = useAsync(() => api.connectorTypes(), [api]);
  const providers = useAsync(() => api.oauthProviders(), [api]);
  const existing = useAsync<Connector | null>(() => (id ? api.getConnector(slug, id) : Promise.resolve(null)), [api, slug, id]);

  const [kind, setKind] = useState<Kind | null>(null);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [config, setConfig] = useState<ConfigState>({ values: {}, clear: {} });
  const [external, setExternal] = useState<ExternalState>({
    runtimeType: 'external_nodejs',
    name: '',
    description: '',
    command: '',
    packagePath: '',
    env: { rows: [], remove: {} },
  });
  const [remote, setRemote] = useState<RemoteState>(initialRemoteState());
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const connector = existing.data ?? undefined;
  const type: ConnectorType | undefined = useMemo(
    () => (kind && typeof kind !== 'string' ? types.data?.find((t) => t.type === kind.native) : undefined),
    [kind, types.data],
  );

  // Fill the form from the connector being edited, once it and the types are loaded.
  useEffect(() => {
    if (!connector || !types.data) {
      return;
    }
    const k = kindOf(connector);
    setKind(k);
    setName(connector.name);
    setDescription(connector.description ?? '');
    if (typeof k !== 'string') {
      const t = types.data.find((x) => x.type === k.native);
      setConfig(initialConfigState(t?.configuration ?? [], connector));
    } else if (k === 'external') {
      setExternal({
        runtimeType: connector.runtime_type as RuntimeType,
        name: connector.name,
        description: connector.description ?? '',
        command: (connector.runtime_command ?? []).join('\n'),
        packagePath: connector.package_path ?? '',
        env: { rows: [], remove: {} },
      });
    } else {
      setRemote(initialRemoteState(connector));
    }
  }, [connector, types.data]);

  const choose = (k: Kind) => {
    setKind(k);
    setErrors({});
    setFailure(null);
    if (typeof k !== 'string') {
      const t = types.data?.find((x) => x.type === k.native);
      setConfig(initialConfigState(t?.configuration ?? []));
      // A name still at a type's default follows the chosen type.
      if (!name || types.data?.some((x) => x.display_name === name)) {
        setName(t?.display_name ?? k.native);
      }
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!kind) {
      setFailure('Choose what kind of connector to add');
      return;
    }
    let input: ConnectorInput;
    let problems: Record<string, string> = {};
    if (typeof kind !== 'string') {
      const built = buildConfiguration(type?.configuration ?? [], config, connector);
      problems = { ...built.errors };
      if (!name.trim()) {
        problems.name = 'Name is required';
      }
      input = { name: name.trim(), description: description.trim() || null, configuration: built.value };
      if (!editing) {
        input.connector_type = kind.native;
      }
    } else if (kind === 'external') {
      const built = buildExternal(external, !editing);
      problems = built.errors;
      input = built.value;
      if (editing && !platform) {
        // What the server runs is the platform's to change; a tenant admin edits the rest.
        delete problems.command;
        input = { name: input.name, description: input.description };
      }
    } else {
      const built = buildRemote(remote, !editing);
      problems = built.errors;
      input = built.value;
    }
    setErrors(problems);
    if (Object.keys(problems).length > 0) {
      setFailure('Some fields need attention');
      return;
    }
    setBusy(true);
    setFailure(null);
    try {
      const saved = editing && id ? await api.updateConnector(slug, id, input) : await api.createConnector(slug, input);
      toast.success(editing ? `Connector ${saved.name} saved` : `Connector ${saved.name} added`);
      navigate(`/tenants/${encodeURIComponent(slug)}/connectors/${encodeURIComponent(saved.id)}`);
    } catch (err) {
      setFailure(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  if (types.loading || (editing && existing.loading && !existing.data)) {
    return <Loading />;
  }
  const back = editing && id ? `/tenants/${encodeURIComponent(slug)}/connectors/${encodeURIComponent(id)}` : `/tenants/${encodeURIComponent(slug)}`;
  const processEditLocked = editing && kind === 'external' && !platform;

  return (
    <div className="page">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        {platform && (
          <>
            <Link to="/tenants">Tenants</Link>
            <span aria-hidden="true"> / </span>
          </>
        )}
        <Link to={`/tenants/${encodeURIComponent(slug)}`}>{slug}</Link>
        <span aria-hidden="true"> / </span>
        <span aria-current="page">{editing ? `Edit ${connector?.name ?? ''}` : 'Add connector'}</span>
      </nav>
      <PageHeader title={editing ? `Edit ${connector?.name ?? 'connector'}` : 'Add a connector'} />
      <ErrorNotice error={types.error ?? existing.error} title="The form could not be prepared" />

      {!editing && (
        <fieldset className="type-picker">
          <legend>What to add</legend>
          <div className="type-grid">
            {(types.data ?? []).map((t) => (
              <label key={t.type} className={`type-option${kindKey(kind) === `native:${t.type}` ? ' selected' : ''}`}>
                <input
                  type="radio"
                  name="connector-kind"
                  value={`native:${t.type}`}
                  checked={kindKey(kind) === `native:${t.type}`}
                  onChange={() => choose({ native: t.type })}
                />
                <span className="type-title">{t.display_name}</span>
                <span className="type-desc">{t.description}</span>
                <span className="type-meta">
                  {t.tools.length} tools · {t.configuration.length ? `${t.configuration.length} settings` : 'no settings'}
                </span>
              </label>
            ))}
            <label className={`type-option${kindKey(kind) === 'remote' ? ' selected' : ''}`}>
              <input type="radio" name="connector-kind" value="remote" checked={kindKey(kind) === 'remote'} onChange={() => choose('remote')} />
              <span className="type-title">Remote MCP server</span>
              <span className="type-desc">An MCP server on the network, reached over Streamable HTTP or HTTP+SSE.</span>
              <span className="type-meta">URL, headers, optional OAuth</span>
            </label>
            {platform && (
              <label className={`type-option${kindKey(kind) === 'external' ? ' selected' : ''}`}>
                <input type="radio" name="connector-kind" value="external" checked={kindKey(kind) === 'external'} onChange={() => choose('external')} />
                <span className="type-title">External MCP server</span>
                <span className="type-desc">A stdio MCP server the gateway runs as a child process (npx, uvx, a binary…).</span>
                <span className="type-meta">Platform admins only</span>
              </label>
            )}
          </div>
        </fieldset>
      )}

      {kind && (
        <form id={formId} className="card form-card" onSubmit={submit} noValidate>
          {failure && (
            <div className="notice notice-error" role="alert">
              {failure}
            </div>
          )}
          {typeof kind !== 'string' && (
            <>
              <h2>{type?.display_name ?? kind.native}</h2>
              {type?.description && <p className="muted">{type.description}</p>}
              <div className="field">
                <label htmlFor={`${formId}-name`}>Name</label>
                <input id={`${formId}-name`} value={name} maxLength={100} onChange={(e) => setName(e.target.value)} aria-invalid={errors.name ? true : undefined} />
                {errors.name && <p className="field-error">{errors.name}</p>}
              </div>
              <div className="field">
                <label htmlFor={`${formId}-description`}>Description</label>
                <textarea id={`${formId}-description`} rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
              </div>
              <fieldset>
                <legend>Configuration</legend>
                <ConfigFields
                  fields={type?.configuration ?? []}
                  state={config}
                  onChange={setConfig}
                  storedSecrets={connector?.secret_fields}
                  errors={errors}
                />
              </fieldset>
            </>
          )}

          {kind === 'external' && (
            <>
              <h2>External MCP server</h2>
              {processEditLocked && (
                <Notice kind="warn">Only a platform admin may change what an external server runs; you can change its name and description.</Notice>
              )}
              <div className="field">
                <label htmlFor={`${formId}-runtime`}>Runtime</label>
                <select
                  id={`${formId}-runtime`}
                  value={external.runtimeType}
                  disabled={editing}
                  onChange={(e) => setExternal({ ...external, runtimeType: e.target.value as RuntimeType })}
                >
                  {PROCESS_RUNTIMES.map((r) => (
                    <option key={r} value={r}>
                      {runtimeLabel(r)}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor={`${formId}-ename`}>Name</label>
                <input id={`${formId}-ename`} value={external.name} maxLength={100} onChange={(e) => setExternal({ ...external, name: e.target.value })} aria-invalid={errors.name ? true : undefined} />
                {errors.name && <p className="field-error">{errors.name}</p>}
              </div>
              <div className="field">
                <label htmlFor={`${formId}-edesc`}>Description</label>
                <textarea id={`${formId}-edesc`} rows={2} value={external.description} onChange={(e) => setExternal({ ...external, description: e.target.value })} />
              </div>
              <div className="field">
                <label htmlFor={`${formId}-command`}>Command, one argument per line</label>
                <textarea
                  id={`${formId}-command`}
                  className="mono"
                  rows={4}
                  spellCheck={false}
                  disabled={processEditLocked}
                  placeholder={'npx\n-y\n@modelcontextprotocol/server-everything'}
                  value={external.command}
                  onChange={(e) => setExternal({ ...external, command: e.target.value })}
                  aria-invalid={errors.command ? true : undefined}
                  aria-describedby={`${formId}-command-help`}
                />
                <p className="help" id={`${formId}-command-help`}>
                  The program first, then each argument on its own line; no shell is involved, so quotes are literal.
                </p>
                {errors.command && <p className="field-error">{errors.command}</p>}
              </div>
              <div className="field">
                <label htmlFor={`${formId}-path`}>Package path (optional)</label>
                <input
                  id={`${formId}-path`}
                  className="mono"
                  disabled={processEditLocked}
                  placeholder="/opt/mcp/my-server"
                  value={external.packagePath}
                  onChange={(e) => setExternal({ ...external, packagePath: e.target.value })}
                  aria-invalid={errors.packagePath ? true : undefined}
                  aria-describedby={`${formId}-path-help`}
                />
                <p className="help" id={`${formId}-path-help`}>
                  An absolute directory the process starts in.
                </p>
                {errors.packagePath && <p className="field-error">{errors.packagePath}</p>}
              </div>
              {!processEditLocked && (
                <KeyValueRows
                  legend="Environment"
                  nameLabel="Variable"
                  valueLabel="Value"
                  help="Stored encrypted. The process gets only PATH, HOME, the locale and these."
                  state={external.env}
                  storedNames={connector?.runtime_env_keys ?? []}
                  onChange={(env) => setExternal({ ...external, env })}
                  error={Object.entries(errors).find(([k]) => k.startsWith('row'))?.[1]}
                />
              )}
            </>
          )}

          {kind === 'remote' && (
            <>
              <h2>Remote MCP server</h2>
              <div className="field">
                <label htmlFor={`${formId}-rname`}>Name</label>
                <input id={`${formId}-rname`} value={remote.name} maxLength={100} onChange={(e) => setRemote({ ...remote, name: e.target.value })} aria-invalid={errors.name ? true : undefined} />
                {errors.name && <p className="field-error">{errors.name}</p>}
              </div>
              <div className="field">
                <label htmlFor={`${formId}-rdesc`}>Description</label>
                <textarea id={`${formId}-rdesc`} rows={2} value={remote.description} onChange={(e) => setRemote({ ...remote, description: e.target.value })} />
              </div>
              <div className="field">
                <label htmlFor={`${formId}-url`}>Server URL</label>
                <input
                  id={`${formId}-url`}
                  type="url"
                  className="mono"
                  placeholder="https://mcp.example.com/mcp"
                  value={remote.url}
                  onChange={(e) => setRemote({ ...remote, url: e.target.value })}
                  aria-invalid={errors.url ? true : undefined}
                />
                {errors.url && <p className="field-error">{errors.url}</p>}
              </div>
              <div className="field">
                <label htmlFor={`${formId}-transport`}>Transport</label>
                <select id={`${formId}-transport`} value={remote.transport} onChange={(e) => setRemote({ ...remote, transport: e.target.value as RemoteState['transport'] })}>
                  <option value="auto">Automatic (Streamable HTTP, else HTTP+SSE)</option>
                  <option value="streamable_http">Streamable HTTP</option>
                  <option value="sse">HTTP+SSE (legacy)</option>
                </select>
              </div>
              <div className="field">
                <label htmlFor={`${formId}-oauth`}>OAuth provider (optional)</label>
                <select id={`${formId}-oauth`} value={remote.oauthProvider} onChange={(e) => setRemote({ ...remote, oauthProvider: e.target.value })} aria-describedby={`${formId}-oauth-help`}>
                  <option value="">None</option>
                  {(providers.data ?? []).map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
                </select>
                <p className="help" id={`${formId}-oauth-help`}>
                  Sends the tenant’s (or each caller’s) token of this provider; connect it on the tenant’s OAuth tab.
                </p>
              </div>
              <div className="field">
                <label htmlFor={`${formId}-mode`}>Credentials</label>
                <select
                  id={`${formId}-mode`}
                  value={remote.credentialMode}
                  onChange={(e) => setRemote({ ...remote, credentialMode: e.target.value as RemoteState['credentialMode'] })}
                  aria-invalid={errors.credentialMode ? true : undefined}
                >
                  <option value="">Default (tenant)</option>
                  <option value="tenant">tenant: the tenant’s connection</option>
                  <option value="user">user: each caller’s own connection</option>
                </select>
                {errors.credentialMode && <p className="field-error">{errors.credentialMode}</p>}
              </div>
              <KeyValueRows
                legend="HTTP headers"
                nameLabel="Header"
                valueLabel="Value"
                help="Sent with every request to the server, such as X-Api-Key. Stored encrypted."
                state={remote.headers}
                storedNames={connector?.runtime_env_keys ?? []}
                onChange={(headers) => setRemote({ ...remote, headers })}
                error={errors.headers ?? Object.entries(errors).find(([k]) => k.startsWith('row'))?.[1]}
              />
            </>
          )}

          <div className="button-row form-actions">
            <Link className="button secondary" to={back}>
              Cancel
            </Link>
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Saving…' : editing ? 'Save changes' : 'Add connector'}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
