// Tenant isolation: every route of the server's own route table (`sagemcp routes`, so a new route
// cannot escape) × every kind of caller, over HTTP and, for MCP GET routes, as a WebSocket
// upgrade. Expected statuses follow from each route's declared scope and tenant binding; no
// response to any caller carries another tenant's data or a connector secret.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import { initializeRequest } from '../support/mcp.mjs';
import {
  api, binaryPath, createConnector, createKey, createTenant, expectStatus, startServer,
} from '../support/server.mjs';

const ROUTES = JSON.parse(execFileSync(binaryPath(), ['routes'], { encoding: 'utf8' }));
const RANK = { tenant_user: 1, tenant_admin: 2, platform_admin: 3 };
const SECRET = 'sk-isolation-secret-7f3a9c';
const ENV_SECRET = 'env-isolation-secret-2b8e';

// Callers: how each authenticates, and what it is.
const CALLERS = ['none', 'malformed', 'revoked', 'expired', 'tu_a', 'ta_b', 'ta_a', 'pa'];

/** Sends one request with http.request so streams and upgrades can be cut after the head. */
function probe(baseUrl, method, path, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${baseUrl}${path}`, { method, headers, timeout: 5000 });
    req.on('response', (res) => {
      const chunks = [];
      const streaming = (res.headers['content-type'] ?? '').includes('text/event-stream');
      if (streaming) {
        // An opened stream proves access; its events are not needed.
        resolve({ status: res.statusCode, text: '', headers: res.headers });
        res.destroy();
        return;
      }
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({
        status: res.statusCode, text: Buffer.concat(chunks).toString('utf8'), headers: res.headers,
      }));
      res.on('error', reject);
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode, text: '', headers: res.headers });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    if (body !== undefined) {
      req.write(body);
    }
    req.end();
  });
}

/** The status class a caller must see on a route. */
function expected(route, caller) {
  if (route.scope === null) {
    return 'open';
  }
  if (['none', 'malformed', 'revoked', 'expired'].includes(caller)) {
    return 401;
  }
  const role = { tu_a: 'tenant_user', ta_a: 'tenant_admin', ta_b: 'tenant_admin', pa: 'platform_admin' }[caller];
  if (RANK[role] < RANK[route.scope]) {
    return 403;
  }
  if (caller === 'pa') {
    return 'open';
  }
  // A tenant key reaches tenant-bound routes of its own tenant only; routes without a tenant in
  // the path are open to its scope.
  if (route.tenant_bound && caller === 'ta_b') {
    return 403;
  }
  return 'open';
}

describe('tenant isolation over every route', () => {
  let server;
  let b;
  const fixed = {};

  before(async () => {
    server = await startServer({ auth: true });
    b = await createTenant(server);
    fixed.ta_b = (await createKey(server, 'tenant_admin', b.id)).key;
    const somewhere = await createTenant(server);
    const revoked = await createKey(server, 'tenant_user', somewhere.id);
    expectStatus(await api(server, 'DELETE', `/api/v1/auth/keys/${revoked.id}`), 204, 'revoke');
    fixed.revoked = revoked.key;
    const expired = await api(server, 'POST', '/api/v1/auth/keys', {
      name: 'expired', scope: 'platform_admin', expires_at: '2020-01-01T00:00:00Z',
    });
    fixed.expired = expectStatus(expired, 201, 'expired key').key;
    fixed.malformed = `smcp_pa_${'!'.repeat(43)}`;
    fixed.pa = server.adminKey;
  });

  after(async () => {
    await server?.stop();
  });

  test('the route table is walked whole', () => {
    assert.ok(ROUTES.length >= 40, `only ${ROUTES.length} routes`);
    for (const route of ROUTES) {
      assert.ok(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(route.method), route.method);
      assert.ok(route.scope === null || RANK[route.scope], `${route.pattern}: scope ${route.scope}`);
      if (route.pattern.includes('{tenant}') && route.scope !== null) {
        assert.equal(route.tenant_bound, true, `${route.method} ${route.pattern} names a tenant but is not bound to it`);
      }
    }
  });

  for (const route of ROUTES) {
    const variants = [{ transport: 'http' }];
    if (route.method === 'GET' && route.pattern.endsWith('/mcp')) {
      variants.push({ transport: 'websocket' });
    }
    for (const { transport } of variants) {
      test(`${route.method} ${route.pattern} (${transport})`, async () => {
        // A fresh tenant A per route: destructive routes may delete what they are given.
        const a = await createTenant(server);
        const connector = await createConnector(server, a.slug, {
          configuration: { api_key: SECRET, org: 'acme' },
          runtime_env: { API_TOKEN: ENV_SECRET },
        });
        const tuA = await createKey(server, 'tenant_user', a.id);
        const taA = await createKey(server, 'tenant_admin', a.id);
        const target = await createKey(server, 'tenant_user', a.id, 'revocation target');
        const keys = { ...fixed, tu_a: tuA.key, ta_a: taA.key };
        const params = {
          tenant: a.slug,
          connector: connector.id,
          tool: 'echo',
          session: 'no-such-session',
          key: target.id,
          provider: 'github',
          flow: 'no-such-flow',
        };
        const path = route.pattern.replace(/\{(\w+)\}/g, (_, name) => {
          assert.ok(name in params, `no value for {${name}} in ${route.pattern}`);
          return encodeURIComponent(params[name]);
        });
        for (const caller of CALLERS) {
          const headers = {};
          if (caller !== 'none') {
            headers.authorization = `Bearer ${keys[caller]}`;
          }
          let body;
          if (transport === 'websocket') {
            Object.assign(headers, {
              connection: 'Upgrade',
              upgrade: 'websocket',
              'sec-websocket-version': '13',
              'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
              'sec-websocket-protocol': 'mcp',
            });
          } else if (route.method === 'POST' && route.pattern.endsWith('/mcp')) {
            headers['content-type'] = 'application/json';
            headers.accept = 'application/json, text/event-stream';
            body = JSON.stringify(initializeRequest());
          } else if (['POST', 'PUT', 'PATCH'].includes(route.method)) {
            headers['content-type'] = 'application/json';
            body = '{}';
          } else if (route.method === 'GET' && route.pattern.includes('/mcp')) {
            headers.accept = 'text/event-stream';
          }
          const res = await probe(server.baseUrl, route.method, path, { headers, body });
          const want = expected(route, caller);
          const what = `${caller} → ${route.method} ${path} (${transport}): ${res.status} ${res.text.slice(0, 200)}`;
          if (want === 'open') {
            assert.ok(res.status !== 401 && res.status !== 403, `expected access: ${what}`);
            assert.ok(res.status < 500 || route.pattern === '/health/ready', `server error: ${what}`);
          } else {
            assert.equal(res.status, want, what);
            if (want === 401) {
              assert.match(res.headers['www-authenticate'] ?? '', /^Bearer/, what);
            }
          }
          // Nothing of A reaches a caller denied access, and no caller ever sees a secret.
          if (want !== 'open') {
            for (const leak of [a.id, connector.id, tuA.id, taA.id]) {
              assert.ok(!res.text.includes(leak), `leaked ${leak}: ${what}`);
            }
          }
          for (const secret of [SECRET, ENV_SECRET]) {
            assert.ok(!res.text.includes(secret), `secret in response: ${what}`);
          }
          // A WebSocket handshake answer (101) is the one response without them.
          for (const header of ['x-content-type-options', 'content-security-policy']) {
            assert.ok(res.status === 101 || res.headers[header], `no ${header}: ${what}`);
          }
        }
      });
    }
  }
});
