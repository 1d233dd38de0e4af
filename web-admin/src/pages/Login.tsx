// The first screen: an API key, checked against the server before anything else loads.
import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';

import { loginErrorText, useAuth } from '../auth/AuthContext';
import { ThemeToggle } from '../components/Layout';

export function Login() {
  const { login, notice } = useAuth();
  useEffect(() => {
    document.title = 'Log in · SageMCP';
  }, []);
  const navigate = useNavigate();
  const location = useLocation();
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const from = (location.state as { from?: string } | null)?.from;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!key.trim()) {
      setError('Enter an API key: it starts with smcp_pa_, smcp_ta_ or smcp_tu_.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await login(key);
      navigate(from && from !== '/login' ? from : '/', { replace: true });
    } catch (err) {
      setError(loginErrorText(err));
    } finally {
      setBusy(false);
    }
  };

  const message = error ?? notice;
  return (
    <div className="login-page">
      <div className="login-theme">
        <ThemeToggle />
      </div>
      <main className="login-card">
        <div className="brand login-brand">
          <img src="/favicon.svg" alt="" width={36} height={36} />
          <span>SageMCP admin</span>
        </div>
        <h1>Log in</h1>
        <p className="muted">
          Use an API key of this server. A platform admin key sees everything; a tenant key sees its tenant.
        </p>
        <form onSubmit={submit} noValidate>
          {message && (
            <div className={`notice ${error ? 'notice-error' : 'notice-warn'}`} role="alert" id="login-message">
              {message}
            </div>
          )}
          <div className="field">
            <label htmlFor="api-key">API key</label>
            <input
              id="api-key"
              name="api-key"
              type="password"
              autoComplete="current-password"
              spellCheck={false}
              placeholder="smcp_pa_…"
              value={key}
              autoFocus
              onChange={(e) => setKey(e.target.value)}
              aria-invalid={error ? true : undefined}
              aria-describedby={[message ? 'login-message' : '', 'api-key-help'].filter(Boolean).join(' ')}
            />
            <p className="help" id="api-key-help">
              Kept in this browser tab only (session storage) and sent as a Bearer token. <code>make run</code> saves the
              first admin key in <code>data/admin-key</code>.
            </p>
          </div>
          <button type="submit" className="primary wide" disabled={busy}>
            {busy ? 'Checking…' : 'Log in'}
          </button>
        </form>
      </main>
    </div>
  );
}
