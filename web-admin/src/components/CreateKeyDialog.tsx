// Creates an API key. The whole key is shown once, right after creation, with a copy button.
import { useId, useState } from 'react';
import type { FormEvent } from 'react';

import type { Api } from '../api/api';
import { describeError } from '../api/client';
import type { CreatedKey, KeyInput, Scope, Tenant } from '../api/types';
import { CopyButton, Notice } from './Common';
import { Dialog } from './Dialog';

export const SCOPE_TEXT: Record<Scope, string> = {
  platform_admin: 'Platform admin — everything, every tenant',
  tenant_admin: 'Tenant admin — manage one tenant’s connectors and tools',
  tenant_user: 'Tenant user — use one tenant’s MCP endpoints',
};

/** A datetime-local value as the UTC timestamp the server takes. */
export function toUtcTimestamp(local: string): string | undefined {
  if (!local) {
    return undefined;
  }
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function CreateKeyDialog({ api, tenants, defaultTenant, onCreated, onClose }: {
  api: Api;
  tenants: Tenant[];
  defaultTenant?: string;
  onCreated: (key: CreatedKey) => void;
  onClose: () => void;
}) {
  const ids = useId();
  const [name, setName] = useState('');
  const [scope, setScope] = useState<Scope>('tenant_user');
  const [tenant, setTenant] = useState(defaultTenant ?? '');
  const [expires, setExpires] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedKey | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (!name.trim()) {
      problems.name = 'A name is required, such as the person or machine that uses the key';
    }
    if (scope !== 'platform_admin' && !tenant) {
      problems.tenant = 'Tenant keys belong to one tenant: choose it';
    }
    if (expires && !toUtcTimestamp(expires)) {
      problems.expires = 'Not a valid date and time';
    }
    setErrors(problems);
    if (Object.keys(problems).length > 0) {
      return;
    }
    const input: KeyInput = { name: name.trim(), scope };
    if (scope !== 'platform_admin') {
      input.tenant_id = tenant;
    }
    const expiresAt = toUtcTimestamp(expires);
    if (expiresAt) {
      input.expires_at = expiresAt;
    }
    setBusy(true);
    setFailure(null);
    try {
      const key = await api.createKey(input);
      setCreated(key);
      onCreated(key);
    } catch (err) {
      setFailure(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    return (
      <Dialog
        title="API key created"
        onClose={onClose}
        footer={
          <button type="button" className="primary" onClick={onClose}>
            Done
          </button>
        }
      >
        <Notice kind="warn">
          Copy the key now. It is shown only this once: the server keeps only a hash of it.
        </Notice>
        <div className="field">
          <label htmlFor={`${ids}-key`}>API key “{created.name}”</label>
          <div className="input-with-button">
            <input id={`${ids}-key`} className="mono" readOnly value={created.key} onFocus={(e) => e.target.select()} data-autofocus />
            <CopyButton text={created.key} what="API key" />
          </div>
        </div>
        <dl className="facts">
          <dt>Scope</dt>
          <dd>{created.scope}</dd>
          <dt>Tenant</dt>
          <dd>{created.tenant_slug ?? '—'}</dd>
          <dt>Expires</dt>
          <dd>{created.expires_at ?? 'never'}</dd>
        </dl>
      </Dialog>
    );
  }

  return (
    <Dialog
      title="Create an API key"
      onClose={onClose}
      footer={
        <>
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form={`${ids}-form`} className="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create key'}
          </button>
        </>
      }
    >
      <form id={`${ids}-form`} onSubmit={submit} noValidate>
        {failure && (
          <div className="notice notice-error" role="alert">
            {failure}
          </div>
        )}
        <div className="field">
          <label htmlFor={`${ids}-name`}>Name</label>
          <input
            id={`${ids}-name`}
            value={name}
            maxLength={255}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={errors.name ? `${ids}-name-error` : undefined}
          />
          {errors.name && (
            <p className="field-error" id={`${ids}-name-error`}>
              {errors.name}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor={`${ids}-scope`}>Scope</label>
          <select id={`${ids}-scope`} value={scope} onChange={(e) => setScope(e.target.value as Scope)}>
            {(Object.keys(SCOPE_TEXT) as Scope[]).map((s) => (
              <option key={s} value={s}>
                {SCOPE_TEXT[s]}
              </option>
            ))}
          </select>
        </div>
        {scope !== 'platform_admin' && (
          <div className="field">
            <label htmlFor={`${ids}-tenant`}>Tenant</label>
            <select
              id={`${ids}-tenant`}
              value={tenant}
              onChange={(e) => setTenant(e.target.value)}
              aria-invalid={errors.tenant ? true : undefined}
              aria-describedby={errors.tenant ? `${ids}-tenant-error` : undefined}
            >
              <option value="">(choose a tenant)</option>
              {tenants.map((t) => (
                <option key={t.id} value={t.slug}>
                  {t.name} ({t.slug})
                </option>
              ))}
            </select>
            {errors.tenant && (
              <p className="field-error" id={`${ids}-tenant-error`}>
                {errors.tenant}
              </p>
            )}
          </div>
        )}
        <div className="field">
          <label htmlFor={`${ids}-expires`}>Expires (optional, your local time)</label>
          <input
            id={`${ids}-expires`}
            type="datetime-local"
            value={expires}
            onChange={(e) => setExpires(e.target.value)}
            aria-invalid={errors.expires ? true : undefined}
          />
          {errors.expires && <p className="field-error">{errors.expires}</p>}
        </div>
      </form>
    </Dialog>
  );
}
