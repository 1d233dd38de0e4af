import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router-dom';
import { describe, expect, it } from 'vitest';

import { AuthProvider } from '../auth/AuthContext';
import { json, renderWithProviders, scriptedFetch } from '../test/helpers';
import { Login } from './Login';

const VERIFIED = { valid: true, key_id: 'k1', scope: 'tenant_admin', tenant_id: 't1', tenant_slug: 'acme' };

function renderLogin(handler: Parameters<typeof scriptedFetch>[0]) {
  const { fetchImpl, calls } = scriptedFetch(handler);
  renderWithProviders(
    <AuthProvider fetchImpl={fetchImpl}>
      <Routes>
        <Route path="/login" element={<Login />} />
        <Route path="/" element={<p>Home page</p>} />
      </Routes>
    </AuthProvider>,
    '/login',
  );
  return calls;
}

describe('Login', () => {
  it('has a labelled key field and asks for a key before calling the server', async () => {
    const calls = renderLogin(() => json(200, VERIFIED));
    const field = screen.getByLabelText('API key');
    expect(field).toHaveAttribute('type', 'password');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/Enter an API key/);
    expect(calls).toHaveLength(0);
  });

  it('checks the key with POST /api/v1/auth/verify, keeps it in session storage and goes on', async () => {
    const calls = renderLogin(() => json(200, VERIFIED));
    await userEvent.type(screen.getByLabelText('API key'), '  smcp_ta_good  ');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByText('Home page')).toBeInTheDocument();
    expect(calls[0]).toMatchObject({ method: 'POST', url: '/api/v1/auth/verify' });
    expect(calls[0].headers.authorization).toBe('Bearer smcp_ta_good');
    expect(sessionStorage.getItem('sagemcp.apiKey')).toBe('smcp_ta_good');
  });

  it('shows the server’s reason when the key is refused, and stores nothing', async () => {
    renderLogin(() => json(401, { error: 'unauthorized', detail: 'Unauthorized: a valid API key is required' }));
    await userEvent.type(screen.getByLabelText('API key'), 'smcp_pa_wrong');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The server did not accept this key: Unauthorized: a valid API key is required');
    expect(screen.getByLabelText('API key')).toHaveAttribute('aria-invalid', 'true');
    expect(sessionStorage.getItem('sagemcp.apiKey')).toBeNull();
  });

  it('says when the server cannot be reached', async () => {
    renderLogin(() => Promise.reject(new TypeError('Failed to fetch')));
    await userEvent.type(screen.getByLabelText('API key'), 'smcp_pa_x');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent(/could not be reached/));
  });
});
