import type { ReactNode } from 'react';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router-dom';

import type { Scope } from './api/types';
import { useAuth } from './auth/AuthContext';
import { Loading, PageHeader } from './components/Common';
import { Layout } from './components/Layout';
import { Audit } from './pages/Audit';
import { ConnectorDetail } from './pages/ConnectorDetail';
import { ConnectorForm } from './pages/ConnectorForm';
import { Dashboard } from './pages/Dashboard';
import { Keys } from './pages/Keys';
import { Login } from './pages/Login';
import { Logs } from './pages/Logs';
import { Pool } from './pages/Pool';
import { Processes } from './pages/Processes';
import { Sessions } from './pages/Sessions';
import { Settings } from './pages/Settings';
import { TenantDetail } from './pages/TenantDetail';
import { Tenants } from './pages/Tenants';
import { Tester } from './pages/Tester';

function NotFound() {
  return (
    <div className="page">
      <PageHeader title="Page not found" />
      <p>
        <Link to="/">Go to the start page</Link>
      </p>
    </div>
  );
}

function Forbidden({ scope }: { scope: Scope }) {
  return (
    <div className="page">
      <PageHeader title="Not available for this key" />
      <p>This page needs a {scope.replace('_', ' ')} key.</p>
    </div>
  );
}

/** Pages that need a login, and optionally a scope. */
function Guard({ children, scope }: { children: ReactNode; scope?: Scope }) {
  const { identity, apiKey, restoring, has } = useAuth();
  const location = useLocation();
  if (restoring) {
    return <Loading label="Checking your key…" />;
  }
  if (apiKey === null || !identity) {
    return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  }
  return <Layout>{scope && !has(scope) ? <Forbidden scope={scope} /> : children}</Layout>;
}

function Home() {
  const { has, identity } = useAuth();
  if (has('platform_admin')) {
    return <Dashboard />;
  }
  return <Navigate to={`/tenants/${encodeURIComponent(identity?.tenant_slug ?? '')}`} replace />;
}

export function App() {
  const { identity } = useAuth();
  return (
    <Routes>
      <Route path="/login" element={identity ? <Navigate to="/" replace /> : <Login />} />
      <Route path="/" element={<Guard><Home /></Guard>} />
      <Route path="/tenants" element={<Guard scope="platform_admin"><Tenants /></Guard>} />
      <Route path="/tenants/:slug" element={<Guard><TenantDetail /></Guard>} />
      <Route path="/tenants/:slug/connectors/new" element={<Guard scope="tenant_admin"><ConnectorForm /></Guard>} />
      <Route path="/tenants/:slug/connectors/:id" element={<Guard><ConnectorDetail /></Guard>} />
      <Route path="/tenants/:slug/connectors/:id/edit" element={<Guard scope="tenant_admin"><ConnectorForm /></Guard>} />
      <Route path="/tester" element={<Guard><Tester /></Guard>} />
      <Route path="/keys" element={<Guard scope="platform_admin"><Keys /></Guard>} />
      <Route path="/pool" element={<Guard scope="platform_admin"><Pool /></Guard>} />
      <Route path="/sessions" element={<Guard scope="platform_admin"><Sessions /></Guard>} />
      <Route path="/logs" element={<Guard scope="platform_admin"><Logs /></Guard>} />
      <Route path="/processes" element={<Guard scope="platform_admin"><Processes /></Guard>} />
      <Route path="/settings" element={<Guard scope="platform_admin"><Settings /></Guard>} />
      <Route path="/audit" element={<Guard scope="platform_admin"><Audit /></Guard>} />
      <Route path="*" element={<Guard><NotFound /></Guard>} />
    </Routes>
  );
}
