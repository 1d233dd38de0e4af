import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import type { Tenant } from '../api/types';
import { json, renderWithProviders, testApi } from '../test/helpers';
import { CreateKeyDialog, toUtcTimestamp } from './CreateKeyDialog';

const TENANTS = [{ id: 't1', slug: 'acme', name: 'Acme' }] as Tenant[];
const KEY = 'smcp_tu_abcdefghijkl_0123456789012345678901234567890123456789012';

describe('CreateKeyDialog', () => {
  it('asks for a name and, for tenant scopes, a tenant', async () => {
    const { api, calls } = testApi(() => json(201, {}));
    renderWithProviders(<CreateKeyDialog api={api} tenants={TENANTS} onCreated={() => {}} onClose={() => {}} />);
    await userEvent.click(screen.getByRole('button', { name: 'Create key' }));
    expect(screen.getByText(/A name is required/)).toBeInTheDocument();
    expect(screen.getByText(/Tenant keys belong to one tenant/)).toBeInTheDocument();
    expect(calls).toHaveLength(0);
    await userEvent.selectOptions(screen.getByLabelText('Scope'), 'platform_admin');
    expect(screen.queryByLabelText('Tenant')).not.toBeInTheDocument();
  });

  it('creates the key and shows it once with a copy button', async () => {
    const onCreated = vi.fn();
    const { api, calls } = testApi(() =>
      json(201, { id: 'k9', name: 'laptop', key_prefix: KEY.slice(0, 20), scope: 'tenant_user', tenant_id: 't1', tenant_slug: 'acme', is_active: true, expires_at: null, last_used_at: null, created_at: '', key: KEY }),
    );
    renderWithProviders(<CreateKeyDialog api={api} tenants={TENANTS} onCreated={onCreated} onClose={() => {}} />);
    const dialog = screen.getByRole('dialog', { name: 'Create an API key' });
    expect(dialog).toHaveAttribute('aria-modal', 'true');
    await userEvent.type(screen.getByLabelText('Name'), 'laptop');
    await userEvent.selectOptions(screen.getByLabelText('Tenant'), 'acme');
    await userEvent.click(screen.getByRole('button', { name: 'Create key' }));
    const shown = await screen.findByRole('dialog', { name: 'API key created' });
    expect(calls[0]).toMatchObject({ method: 'POST', url: '/api/v1/auth/keys', body: { name: 'laptop', scope: 'tenant_user', tenant_id: 'acme' } });
    expect(onCreated).toHaveBeenCalledWith(expect.objectContaining({ key: KEY }));
    expect(shown).toHaveTextContent('It is shown only this once');
    expect(screen.getByRole('textbox', { name: /API key/ })).toHaveValue(KEY);
    expect(screen.getByRole('button', { name: 'Copy API key' })).toBeInTheDocument();
  });

  it('copies the key to the clipboard', async () => {
    const user = userEvent.setup();
    const { api } = testApi(() => json(201, { id: 'k9', name: 'x', scope: 'platform_admin', tenant_slug: null, expires_at: null, key: KEY }));
    renderWithProviders(<CreateKeyDialog api={api} tenants={TENANTS} onCreated={() => {}} onClose={() => {}} />);
    await user.type(screen.getByLabelText('Name'), 'x');
    await user.selectOptions(screen.getByLabelText('Scope'), 'platform_admin');
    await user.click(screen.getByRole('button', { name: 'Create key' }));
    await user.click(await screen.findByRole('button', { name: 'Copy API key' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Copy API key' })).toHaveTextContent('Copied'));
    expect(await navigator.clipboard.readText()).toBe(KEY);
  });

  it('shows the server’s error and stays open', async () => {
    const { api } = testApi(() => json(400, { error: 'invalid_argument', detail: "Tenant 'acme' does not exist" }));
    renderWithProviders(<CreateKeyDialog api={api} tenants={TENANTS} onCreated={() => {}} onClose={() => {}} />);
    await userEvent.type(screen.getByLabelText('Name'), 'laptop');
    await userEvent.selectOptions(screen.getByLabelText('Tenant'), 'acme');
    await userEvent.click(screen.getByRole('button', { name: 'Create key' }));
    expect(await screen.findByRole('alert')).toHaveTextContent("Tenant 'acme' does not exist (HTTP 400, invalid_argument)");
    expect(screen.getByRole('dialog', { name: 'Create an API key' })).toBeInTheDocument();
  });

  it('closes on Escape and keeps Tab inside the dialog', async () => {
    const onClose = vi.fn();
    const { api } = testApi(() => json(201, {}));
    renderWithProviders(<CreateKeyDialog api={api} tenants={TENANTS} onCreated={() => {}} onClose={onClose} />);
    expect(screen.getByLabelText('Name')).toHaveFocus();
    const create = screen.getByRole('button', { name: 'Create key' });
    create.focus();
    await userEvent.tab();
    expect(screen.getByRole('button', { name: 'Close dialog' })).toHaveFocus();
    await userEvent.tab({ shift: true });
    expect(create).toHaveFocus();
    await userEvent.keyboard('{Escape}');
    expect(onClose).toHaveBeenCalled();
  });

  it('sends expiry as a UTC timestamp', () => {
    expect(toUtcTimestamp('')).toBeUndefined();
    expect(toUtcTimestamp('2030-01-02T03:04')).toMatch(/^2030-01-0\dT\d\d:04:00Z$/);
  });
});
