// OAuth connections of a tenant: connect in a popup and follow the flow until it ends, see and
// remove connections, and register the tenant's own OAuth apps.
import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';

import type { Api } from '../api/api';
import { describeError } from '../api/client';
import type { OAuthApp, OAuthFlow, OAuthProvider, OAuthStart } from '../api/types';
import { formatDateTime } from '../lib/format';
import { useAsync } from '../lib/hooks';
import type { AsyncState } from '../lib/hooks';
import { Badge, Empty, ErrorNotice, Loading, DataTable } from './Common';
import { ConfirmDialog } from './Dialog';
import { useToast } from './Toast';

interface FlowState {
  provider: OAuthProvider;
  personal: boolean;
  start?: OAuthStart;
  flow?: OAuthFlow;
  blocked?: boolean;
  error?: string;
}

const DONE = new Set(['connected', 'failed', 'expired']);

export function OAuthPanel({ api, slug, canAdmin }: { api: Api; slug: string; canAdmin: boolean }) {
  const toast = useToast();
  const providers = useAsync(() => api.oauthProviders(), [api]);
  const credentials = useAsync(() => api.oauthCredentials(slug), [api, slug]);
  const apps = useAsync(() => (canAdmin ? api.oauthApps(slug) : Promise.resolve([])), [api, slug, canAdmin]);
  const [flow, setFlow] = useState<FlowState | null>(null);
  const [revoking, setRevoking] = useState<{ provider: string; personal: boolean; name: string } | null>(null);
  const poll = useRef<ReturnType<typeof setInterval>>(undefined);

  useEffect(() => () => clearInterval(poll.current), []);

  const connect = async (provider: OAuthProvider, personal: boolean) => {
    clearInterval(poll.current);
    // Opened now, inside the click, so that popup blockers let it through; pointed at the
    // provider once the server has made the authorization URL.
    const popup = window.open('', 'sagemcp-oauth', 'popup,width=640,height=760');
    setFlow({ provider, personal });
    let start: OAuthStart;
    try {
      start = await api.oauthStart(slug, provider.id, personal);
    } catch (err) {
      popup?.close();
      setFlow({ provider, personal, error: describeError(err) });
      return;
    }
    if (popup && !popup.closed) {
      popup.opener = null;
      popup.location.href = start.authorization_url;
    }
    setFlow({ provider, personal, start, blocked: !popup });
    poll.current = setInterval(async () => {
      try {
        const status = await api.oauthFlow(start.status_url);
        setFlow((old) => (old?.start?.flow_id === start.flow_id ? { ...old, flow: status } : old));
        if (DONE.has(status.status)) {
          clearInterval(poll.current);
          if (status.status === 'connected') {
            toast.success(`${provider.name} connected`);
            credentials.reload();
          }
        }
      } catch (err) {
        clearInterval(poll.current);
        setFlow((old) => (old ? { ...old, error: describeError(err) } : old));
      }
    }, 1500);
  };

  const revoke = async (provider: string, personal: boolean) => {
    setRevoking(null);
    try {
      const result = await api.oauthRevoke(slug, provider, personal);
      toast.success(
        result.revoked_at_provider
          ? 'Connection removed and revoked at the provider'
          : `Connection removed. ${result.detail ?? 'It was not revoked at the provider.'}`,
      );
      credentials.reload();
    } catch (err) {
      toast.error(`Could not remove the connection: ${describeError(err)}`);
    }
  };

  if (providers.loading && !providers.data) {
    return <Loading />;
  }
  const list = providers.data ?? [];
  const creds = credentials.data ?? [];
  const ownApps = new Set((apps.data ?? []).map((a) => a.provider));
  const status = flow?.flow?.status ?? (flow?.start ? 'pending' : undefined);

  return (
    <section aria-label="OAuth connections">
      <ErrorNotice error={providers.error ?? credentials.error} onRetry={() => { providers.reload(); credentials.reload(); }} />
      <div className="oauth-status" aria-live="polite">
        {flow && (
          <div className={`notice ${flow.error || status === 'failed' || status === 'expired' ? 'notice-error' : status === 'connected' ? 'notice-success' : 'notice-info'}`}>
            <strong>{flow.provider.name}: </strong>
            {flow.error
              ? flow.error
              : !flow.start
                ? 'starting the authorization…'
                : status === 'connected'
                  ? 'connected.'
                  : status === 'failed'
                    ? `failed: ${flow.flow?.error ?? 'no reason given'}`
                    : status === 'expired'
                      ? 'the authorization expired; start again.'
                      : status === 'exchanging'
                        ? 'exchanging the code for a token…'
                        : 'waiting for you to authorize in the popup window…'}
            {flow.start && flow.blocked && !DONE.has(status ?? '') && (
              <>
                {' '}
                The popup was blocked:{' '}
                <a href={flow.start.authorization_url} target="_blank" rel="noopener noreferrer">
                  open the authorization page
                </a>
                .
              </>
            )}
          </div>
        )}
      </div>

      <h3>Connections</h3>
      {creds.length === 0 ? (
        <Empty>No OAuth connections yet.</Empty>
      ) : (
        <DataTable caption="OAuth connections" columns={['Provider', 'Account', 'Kind', 'Expires']} actions>
          {creds.map((c) => (
            <tr key={c.id}>
              <td>{c.provider_name}</td>
              <td>{c.provider_username ?? c.provider_user_id ?? '—'}</td>
              <td>
                {c.kind === 'tenant' ? 'tenant' : `personal (key ${c.owner_key_id?.slice(0, 8) ?? ''})`}
                {c.refreshable && <span className="muted"> · refreshable</span>}
              </td>
              <td>{c.expires_at ? formatDateTime(c.expires_at) : 'no expiry'}</td>
              <td className="actions">
                {(canAdmin || c.kind === 'personal') && (
                  <button
                    type="button"
                    className="danger small"
                    onClick={() => setRevoking({ provider: c.provider, personal: c.kind === 'personal', name: c.provider_name })}
                  >
                    Disconnect
                  </button>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}

      <h3>Providers</h3>
      <ul className="provider-list">
        {list.map((p) => {
          const connected = creds.some((c) => c.provider === p.id && c.kind === 'tenant');
          const available = p.configured || ownApps.has(p.id);
          return (
            <li key={p.id} className="provider">
              <div>
                <strong>{p.name}</strong>{' '}
                {connected && <Badge tone="good">connected</Badge>}{' '}
                {!available && <Badge tone="neutral">no OAuth app</Badge>}
                <div className="muted small-text">
                  For {p.connector_types.join(', ') || '—'}
                  {p.pkce ? ' · PKCE' : ''}
                </div>
              </div>
              <div className="button-row">
                {canAdmin && (
                  <button type="button" className="secondary small" onClick={() => void connect(p, false)} aria-label={`Connect ${p.name} for the tenant`}>
                    {connected ? 'Reconnect' : 'Connect'}
                  </button>
                )}
                <button type="button" className="ghost small" onClick={() => void connect(p, true)} aria-label={`Connect my own ${p.name} account`}>
                  Connect my account
                </button>
              </div>
            </li>
          );
        })}
      </ul>

      {canAdmin && <OAuthApps api={api} slug={slug} providers={list} apps={apps} />}

      {revoking && (
        <ConfirmDialog
          title={`Disconnect ${revoking.name}?`}
          message={<p>The stored token is deleted and, where the provider allows, revoked there. Connectors that use it stop working until you connect again.</p>}
          confirmLabel="Disconnect"
          danger
          onCancel={() => setRevoking(null)}
          onConfirm={() => void revoke(revoking.provider, revoking.personal)}
        />
      )}
    </section>
  );
}

function OAuthApps({ api, slug, providers, apps }: {
  api: Api;
  slug: string;
  providers: OAuthProvider[];
  apps: AsyncState<OAuthApp[]>;
}) {
  const id = useId();
  const toast = useToast();
  const [provider, setProvider] = useState('');
  const [clientId, setClientId] = useState('');
  const [secret, setSecret] = useState('');
  const [error, setError] = useState<string | null>(null);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!provider || !clientId.trim() || !secret) {
      setError('Choose a provider and enter its client id and client secret');
      return;
    }
    setError(null);
    try {
      await api.setOAuthApp(slug, provider, clientId.trim(), secret);
      toast.success('OAuth app saved');
      setClientId('');
      setSecret('');
      apps.reload();
    } catch (err) {
      setError(describeError(err));
    }
  };

  return (
    <details className="oauth-apps">
      <summary>The tenant’s own OAuth apps</summary>
      <p className="muted">
        Without one, connections use the operator’s app (&lt;PROVIDER&gt;_CLIENT_ID on the server). Register the redirect URI{' '}
        <code>{`${window.location.origin}/api/v1/oauth/${slug}/callback/<provider>`}</code> with the provider.
      </p>
      <ErrorNotice error={apps.error} />
      {(apps.data ?? []).length > 0 && (
        <ul className="stored-names">
          {(apps.data ?? []).map((a) => (
            <li key={a.id}>
              <strong>{a.provider}</strong> <code>{a.client_id}</code>
              <button
                type="button"
                className="danger small"
                onClick={async () => {
                  try {
                    await api.deleteOAuthApp(slug, a.provider);
                    toast.success('OAuth app removed');
                    apps.reload();
                  } catch (err) {
                    toast.error(describeError(err));
                  }
                }}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={save} className="inline-form" noValidate>
        {error && <div className="notice notice-error" role="alert">{error}</div>}
        <div className="field">
          <label htmlFor={`${id}-provider`}>Provider</label>
          <select id={`${id}-provider`} value={provider} onChange={(e) => setProvider(e.target.value)}>
            <option value="">(choose)</option>
            {providers.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-client`}>Client id</label>
          <input id={`${id}-client`} value={clientId} autoComplete="off" onChange={(e) => setClientId(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-secret`}>Client secret</label>
          <input id={`${id}-secret`} type="password" autoComplete="new-password" value={secret} onChange={(e) => setSecret(e.target.value)} />
        </div>
        <button type="submit" className="secondary">
          Save app
        </button>
      </form>
    </details>
  );
}
