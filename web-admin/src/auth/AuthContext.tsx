// The API key session: kept in sessionStorage (gone when the tab closes), checked with
// POST /api/v1/auth/verify, and dropped on any 401 with a message for the login screen.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';

import { Api } from '../api/api';
import { ApiClient, ApiError, describeError } from '../api/client';
import type { Scope, VerifyResult } from '../api/types';

const KEY_STORAGE = 'sagemcp.apiKey';

export interface AuthState {
  api: Api;
  /** The key in use; '' when the server runs without authentication. */
  apiKey: string | null;
  identity: VerifyResult | null;
  /** Restoring a stored key at start. */
  restoring: boolean;
  /** Why the user was sent back to the login screen. */
  notice: string | null;
  login: (key: string) => Promise<void>;
  logout: (notice?: string) => void;
  has: (scope: Scope) => boolean;
}

const AuthContext = createContext<AuthState | null>(null);

const RANK: Record<Scope, number> = { tenant_user: 0, tenant_admin: 1, platform_admin: 2 };

function readStoredKey(): string | null {
  try {
    return sessionStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

export function loginErrorText(err: unknown): string {
  if (err instanceof ApiError && err.status === 401) {
    return `The server did not accept this key: ${err.detail}`;
  }
  if (err instanceof ApiError && err.status === 403) {
    return `This key may not use the admin API: ${err.detail}`;
  }
  return describeError(err);
}

export function AuthProvider({ children, fetchImpl }: { children: ReactNode; fetchImpl?: typeof fetch }) {
  const stored = useRef(readStoredKey());
  const [apiKey, setApiKey] = useState<string | null>(stored.current);
  const [identity, setIdentity] = useState<VerifyResult | null>(null);
  const [restoring, setRestoring] = useState(stored.current !== null);
  const [notice, setNotice] = useState<string | null>(null);
  const keyRef = useRef<string | null>(apiKey);
  keyRef.current = apiKey;

  const logout = useCallback((message?: string) => {
    try {
      sessionStorage.removeItem(KEY_STORAGE);
    } catch {
      // Nothing stored.
    }
    keyRef.current = null;
    setApiKey(null);
    setIdentity(null);
    setNotice(message ?? null);
  }, []);

  const api = useMemo(
    () =>
      new Api(
        new ApiClient({
          getKey: () => keyRef.current,
          fetchImpl,
          onUnauthorized: (err) => {
            if (keyRef.current !== null) {
              logout(`Your session ended: the server answered 401 (${err.detail}). Log in again.`);
            }
          },
        }),
      ),
    [fetchImpl, logout],
  );

  const check = useCallback(
    async (key: string) => {
      const probe = new Api(new ApiClient({ getKey: () => key, fetchImpl }));
      return probe.verify({ quiet401: true });
    },
    [fetchImpl],
  );

  const login = useCallback(
    async (key: string) => {
      const trimmed = key.trim();
      const result = await check(trimmed);
      try {
        sessionStorage.setItem(KEY_STORAGE, trimmed);
      } catch {
        // Without storage the key lasts until the page reloads.
      }
      keyRef.current = trimmed;
      setApiKey(trimmed);
      setIdentity(result);
      setNotice(null);
    },
    [check],
  );

  useEffect(() => {
    const key = stored.current;
    if (key === null) {
      return;
    }
    check(key).then(
      (result) => {
        setIdentity(result);
        setRestoring(false);
      },
      (err: unknown) => {
        logout(
          err instanceof ApiError && err.status === 401
            ? `Your stored key is no longer accepted (${err.detail}). Log in again.`
            : `Could not check your key: ${describeError(err)}`,
        );
        setRestoring(false);
      },
    );
  }, [check, logout]);

  const has = useCallback(
    (scope: Scope) => identity !== null && RANK[identity.scope] >= RANK[scope],
    [identity],
  );

  const value = useMemo<AuthState>(
    () => ({ api, apiKey, identity, restoring, notice, login, logout, has }),
    [api, apiKey, identity, restoring, notice, login, logout, has],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) {
    throw new Error('useAuth outside AuthProvider');
  }
  return ctx;
}

/** An AuthContext value for component tests. */
export const TestAuthContext = AuthContext;
