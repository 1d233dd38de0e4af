// Tenants: list, search, create, edit, delete (typing the slug to confirm).
import { useId, useMemo, useState } from 'react';
import type { FormEvent } from 'react';
import { Link } from 'react-router-dom';

import type { Api } from '../api/api';
import { describeError } from '../api/client';
import type { Tenant, TenantInput } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { Badge, Empty, ErrorNotice, Loading, PageHeader, DataTable, SearchField } from '../components/Common';
import { ConfirmDialog, Dialog } from '../components/Dialog';
import { useToast } from '../components/Toast';
import { formatDateTime } from '../lib/format';
import { useAsync } from '../lib/hooks';

const SLUG_RULE = /^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$/;
const RESERVED = ['admin', 'api', 'auth', 'health', 'metrics', 'oauth', 'registry', 'static'];

export function TenantDialog({ api, tenant, onSaved, onClose }: {
  api: Api;
  tenant?: Tenant;
  onSaved: (t: Tenant) => void;
  onClose: () => void;
}) {
  const id = useId();
  const [slug, setSlug] = useState(tenant?.slug ?? '');
  const [name, setName] = useState(tenant?.name ?? '');
  const [description, setDescription] = useState(tenant?.description ?? '');
  const [email, setEmail] = useState(tenant?.contact_email ?? '');
  const [rpm, setRpm] = useState(tenant?.rate_limit_rpm != null ? String(tenant.rate_limit_rpm) : '');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (!tenant) {
      if (!SLUG_RULE.test(slug)) {
        problems.slug = '1–50 characters of a–z, 0–9 and “-”, not starting or ending with “-”';
      } else if (RESERVED.includes(slug)) {
        problems.slug = `“${slug}” is reserved`;
      }
    }
    if (!name.trim()) {
      problems.name = 'A name is required';
    }
    if (email.trim() && !email.includes('@')) {
      problems.email = 'Not an e-mail address';
    }
    if (rpm.trim() && !/^\d+$/.test(rpm.trim())) {
      problems.rpm = 'A whole number of requests per minute, or empty for the server default';
    }
    setErrors(problems);
    if (Object.keys(problems).length > 0) {
      return;
    }
    const input: TenantInput = {
      name: name.trim(),
      description: description.trim() || null,
      contact_email: email.trim() || null,
      rate_limit_rpm: rpm.trim() ? Number(rpm.trim()) : null,
    };
    setBusy(true);
    setFailure(null);
    try {
      const saved = tenant ? await api.updateTenant(tenant.slug, input) : await api.createTenant({ ...input, slug });
      onSaved(saved);
    } catch (err) {
      setFailure(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  const fieldProps = (key: string) => ({
    'aria-invalid': errors[key] ? true : undefined,
    'aria-describedby': errors[key] ? `${id}-${key}-error` : undefined,
  });
  const fieldError = (key: string) =>
    errors[key] ? (
      <p className="field-error" id={`${id}-${key}-error`}>
        {errors[key]}
      </p>
    ) : null;

  return (
    <Dialog
      title={tenant ? `Edit ${tenant.name}` : 'Create a tenant'}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form={`${id}-form`} className="primary" disabled={busy}>
            {busy ? 'Saving…' : tenant ? 'Save' : 'Create tenant'}
          </button>
        </>
      }
    >
      <form id={`${id}-form`} onSubmit={submit} noValidate>
        {failure && (
          <div className="notice notice-error" role="alert">
            {failure}
          </div>
        )}
        {!tenant && (
          <div className="field">
            <label htmlFor={`${id}-slug`}>Slug</label>
            <input
              id={`${id}-slug`}
              value={slug}
              spellCheck={false}
              autoComplete="off"
              maxLength={50}
              onChange={(e) => setSlug(e.target.value.toLowerCase())}
              {...fieldProps('slug')}
              aria-describedby={`${id}-slug-help${errors.slug ? ` ${id}-slug-error` : ''}`}
            />
            <p className="help" id={`${id}-slug-help`}>
              Part of every URL of the tenant, such as /api/v1/<strong>{slug || 'acme'}</strong>/mcp. It cannot change later.
            </p>
            {fieldError('slug')}
          </div>
        )}
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input id={`${id}-name`} value={name} maxLength={100} onChange={(e) => setName(e.target.value)} {...fieldProps('name')} />
          {fieldError('name')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-description`}>Description</label>
          <textarea id={`${id}-description`} rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-email`}>Contact e-mail</label>
          <input id={`${id}-email`} type="email" value={email} onChange={(e) => setEmail(e.target.value)} {...fieldProps('email')} />
          {fieldError('email')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-rpm`}>Rate limit (requests per minute)</label>
          <input
            id={`${id}-rpm`}
            inputMode="numeric"
            value={rpm}
            placeholder="Server default"
            onChange={(e) => setRpm(e.target.value)}
            {...fieldProps('rpm')}
            aria-describedby={`${id}-rpm-help${errors.rpm ? ` ${id}-rpm-error` : ''}`}
          />
          <p className="help" id={`${id}-rpm-help`}>
            On the tenant’s MCP endpoints; empty uses the server’s RATE_LIMIT_RPM, 0 turns limiting off.
          </p>
          {fieldError('rpm')}
        </div>
      </form>
    </Dialog>
  );
}

export function Tenants() {
  const { api } = useAuth();
  const toast = useToast();
  const tenants = useAsync(() => api.listTenants(), [api]);
  const [query, setQuery] = useState('');
  const [editing, setEditing] = useState<Tenant | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Tenant | null>(null);
  const [busy, setBusy] = useState(false);

  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return (tenants.data ?? [])
      .filter(
        (t) =>
          !q ||
          t.slug.includes(q) ||
          t.name.toLowerCase().includes(q) ||
          (t.description ?? '').toLowerCase().includes(q) ||
          (t.contact_email ?? '').toLowerCase().includes(q),
      )
      .sort((a, b) => a.slug.localeCompare(b.slug));
  }, [tenants.data, query]);

  const remove = async (t: Tenant) => {
    setBusy(true);
    try {
      await api.deleteTenant(t.slug);
      toast.success(`Tenant ${t.slug} deleted`);
      setDeleting(null);
      tenants.reload();
    } catch (err) {
      toast.error(`Could not delete ${t.slug}: ${describeError(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page">
      <PageHeader title="Tenants" subtitle="Each tenant has its own connectors, keys, tool policy and rate limit.">
        <button type="button" className="primary" onClick={() => setEditing('new')}>
          Create tenant
        </button>
      </PageHeader>
      <div className="toolbar">
        <SearchField id="tenant-search" label="Search tenants" placeholder="Slug, name, description or e-mail" value={query} onChange={setQuery} />
      </div>
      <ErrorNotice error={tenants.error} onRetry={tenants.reload} title="Tenants could not be loaded" />
      {tenants.loading && !tenants.data ? (
        <Loading />
      ) : shown.length === 0 ? (
        <Empty>{query ? 'No tenant matches your search.' : 'No tenants yet. Create the first one.'}</Empty>
      ) : (
        <DataTable caption="Tenants" columns={['Tenant', 'Contact', 'Rate limit', 'Created']} actions>
          {shown.map((t) => (
            <tr key={t.id}>
              <td>
                <Link to={`/tenants/${encodeURIComponent(t.slug)}`} className="strong">
                  {t.name}
                </Link>
                <div className="muted small-text">
                  <code>{t.slug}</code>
                  {!t.is_active && (
                    <>
                      {' '}
                      <Badge tone="warn">inactive</Badge>
                    </>
                  )}
                </div>
                {t.description && <div className="muted small-text">{t.description}</div>}
              </td>
              <td>{t.contact_email ?? '—'}</td>
              <td>{t.rate_limit_rpm === null ? 'default' : `${t.rate_limit_rpm}/min`}</td>
              <td>{formatDateTime(t.created_at)}</td>
              <td className="actions">
                <button type="button" className="secondary small" onClick={() => setEditing(t)} aria-label={`Edit ${t.slug}`}>
                  Edit
                </button>
                <button type="button" className="danger small" onClick={() => setDeleting(t)} aria-label={`Delete ${t.slug}`}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {editing && (
        <TenantDialog
          api={api}
          tenant={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(null)}
          onSaved={(t) => {
            toast.success(editing === 'new' ? `Tenant ${t.slug} created` : `Tenant ${t.slug} saved`);
            setEditing(null);
            tenants.reload();
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={`Delete tenant ${deleting.slug}?`}
          message={
            <p>
              This deletes the tenant with its connectors, tool policy, OAuth connections and API keys. It cannot be
              undone.
            </p>
          }
          confirmLabel="Delete tenant"
          danger
          typeToConfirm={deleting.slug}
          busy={busy}
          onCancel={() => setDeleting(null)}
          onConfirm={() => void remove(deleting)}
        />
      )}
    </div>
  );
}
