// The frame of every page: navigation (a drawer on narrow screens), the key's identity, the theme
// switch, and a skip link.
import { useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { NavLink, useLocation } from 'react-router-dom';

import { useAuth } from '../auth/AuthContext';
import { useStoredState } from '../lib/hooks';

type Theme = 'system' | 'light' | 'dark';

export function useTheme(): [Theme, (t: Theme) => void] {
  const [theme, setTheme] = useStoredState<Theme>('sagemcp.theme', 'system');
  useEffect(() => {
    const root = document.documentElement;
    if (theme === 'system') {
      delete root.dataset.theme;
    } else {
      root.dataset.theme = theme;
    }
  }, [theme]);
  return [theme, setTheme];
}

export function ThemeToggle() {
  const [theme, setTheme] = useTheme();
  const next: Record<Theme, Theme> = { system: 'light', light: 'dark', dark: 'system' };
  const label: Record<Theme, string> = { system: 'System theme', light: 'Light theme', dark: 'Dark theme' };
  return (
    <button
      type="button"
      className="ghost theme-toggle"
      onClick={() => setTheme(next[theme])}
      aria-label={`${label[theme]}; switch to ${label[next[theme]].toLowerCase()}`}
      title={`${label[theme]} (click for ${label[next[theme]].toLowerCase()})`}
    >
      <span aria-hidden="true">{theme === 'dark' ? '☾' : theme === 'light' ? '☀' : '◐'}</span>
      <span className="theme-name">{label[theme]}</span>
    </button>
  );
}

interface NavItem {
  to: string;
  label: string;
  end?: boolean;
}

export function Layout({ children }: { children: ReactNode }) {
  const { identity, logout, has } = useAuth();
  const [open, setOpen] = useState(false);
  const location = useLocation();
  const menuButton = useRef<HTMLButtonElement>(null);
  const firstPath = useRef(location.pathname);
  useEffect(() => {
    setOpen(false);
    // After a navigation, keyboard and screen reader users start at the new page's content.
    if (location.pathname !== firstPath.current) {
      firstPath.current = '';
      document.getElementById('main')?.focus({ preventScroll: true });
    }
  }, [location.pathname]);

  // The drawer of narrow screens takes focus when it opens and gives it back on Escape.
  useEffect(() => {
    if (!open) {
      return undefined;
    }
    document.querySelector<HTMLElement>('#sidebar a')?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        setOpen(false);
        menuButton.current?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open]);

  const platform = has('platform_admin');
  const tenantSlug = identity?.tenant_slug ?? '';
  const items: NavItem[] = platform
    ? [
        { to: '/', label: 'Dashboard', end: true },
        { to: '/tenants', label: 'Tenants' },
        { to: '/tester', label: 'MCP tester' },
        { to: '/keys', label: 'API keys' },
        { to: '/pool', label: 'Pool' },
        { to: '/sessions', label: 'Sessions' },
        { to: '/logs', label: 'Live logs' },
        { to: '/processes', label: 'External processes' },
        { to: '/audit', label: 'Audit log' },
        { to: '/settings', label: 'Settings' },
      ]
    : [
        { to: `/tenants/${encodeURIComponent(tenantSlug)}`, label: 'My tenant' },
        { to: '/tester', label: 'MCP tester' },
      ];

  return (
    <div className={`app${open ? ' nav-open' : ''}`}>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <button
          ref={menuButton}
          type="button"
          className="ghost menu-button"
          aria-expanded={open}
          aria-controls="sidebar"
          onClick={() => setOpen(!open)}
        >
          <span aria-hidden="true">☰</span>
          <span className="visually-hidden">Menu</span>
        </button>
        <span className="brand">
          <img src="/favicon.svg" alt="SageMCP" width={24} height={24} />
          <span className="brand-name" aria-hidden="true">
            SageMCP
          </span>
        </span>
        <span className="spacer" />
        {identity && (
          <span className="identity" aria-label="Signed in as">
            <span className={`badge badge-scope scope-${identity.scope}`}>{identity.scope.replace('_', ' ')}</span>
            {identity.tenant_slug && <span className="identity-tenant">{identity.tenant_slug}</span>}
          </span>
        )}
        <ThemeToggle />
        <button type="button" className="secondary small" onClick={() => logout()}>
          Log out
        </button>
      </header>
      <nav id="sidebar" className="sidebar" aria-label="Main">
        <ul>
          {items.map((item) => (
            <li key={item.to}>
              <NavLink to={item.to} end={item.end}>
                {item.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      {open && <div className="nav-scrim" aria-hidden="true" onClick={() => setOpen(false)} />}
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
