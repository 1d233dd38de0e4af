// The admin UI's files served at `/` (content types, caching, single-page fallback, no escape
// from the directory, security headers), the live log stream, and the API key a browser offers
// as a WebSocket subprotocol.
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import WebSocket from 'ws';

import { sseEvents } from '../support/mcp.mjs';
import { api, createConnector, createKey, createTenant, mcpUrlOf, startServer } from '../support/server.mjs';

const INDEX = '<!doctype html><title>SageMCP</title><script type="module" src="/assets/app-3f9a.js"></script>';

describe('admin UI serving, live logs and WebSocket keys', () => {
  let server;
  let web;

  before(async () => {
    web = await mkdtemp(path.join(tmpdir(), 'sagemcp-web-'));
    await mkdir(path.join(web, 'assets'));
    await writeFile(path.join(web, 'index.html'), INDEX);
    await writeFile(path.join(web, 'assets', 'app-3f9a.js'), 'export const x = 1;');
    await writeFile(path.join(web, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    server = await startServer({ auth: true, env: { SAGEMCP_WEB_DIR: web } });
  });

  after(async () => {
    await server?.stop();
  });

  const get = (p, headers = {}) => fetch(`${server.baseUrl}${p}`, { headers });

  it('serves the app, its hashed assets and other files with the right headers', async () => {
    const page = await get('/', { accept: 'text/html' });
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type'), /^text\/html/);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    assert.match(page.headers.get('content-security-policy'), /script-src 'self'/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.equal(await page.text(), INDEX);

    const asset = await get('/assets/app-3f9a.js');
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('content-type'), /^text\/javascript/);
    assert.match(asset.headers.get('cache-control'), /immutable/);
    const icon = await get('/favicon.svg');
    assert.equal(icon.headers.get('content-type'), 'image/svg+xml');
    assert.equal(icon.headers.get('cache-control'), 'no-cache');
  });

  it('answers app routes with the page and missing files with 404', async () => {
    for (const route of ['/tenants', '/tenants/acme/connectors', '/keys']) {
      const res = await get(route, { accept: 'text/html' });
      assert.equal(res.status, 200, route);
      assert.equal(await res.text(), INDEX);
    }
    assert.equal((await get('/assets/missing-1234.js')).status, 404);
    assert.equal((await get('/api/v1/no-such-thing')).status, 404);
    // Programs asking for JSON still get the service description at the root.
    const root = await get('/', { accept: 'application/json' });
    assert.equal((await root.json()).name, 'sagemcp');
  });

  it('never serves a file outside its directory', async () => {
    const { request } = await import('node:http');
    const raw = (p) => new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: new URL(server.baseUrl).port, path: p }, (res) => {
        let body = '';
        res.on('data', (c) => { body += c; });
        res.on('end', () => resolve({ status: res.statusCode, body }));
      });
      req.on('error', reject);
      req.end();
    });
    for (const p of ['/../../etc/passwd', '/assets/../../../etc/hostname', '/%2e%2e/%2e%2e/etc/passwd',
      '/assets/..%2f..%2fetc%2fpasswd', '/.hidden', '/assets/%00.js']) {
      const res = await raw(p);
      assert.ok(!res.body.includes('root:'), `${p} leaked a file`);
      assert.ok(res.status === 404 || res.status === 400 || res.body === INDEX, `${p}: ${res.status}`);
    }
  });

  it('streams log lines to platform administrators, filtered', async () => {
    const tenant = await createTenant(server);
    const tenantAdmin = (await createKey(server, 'tenant_admin', tenant.id)).key;
    const refused = await fetch(`${server.baseUrl}/api/v1/admin/logs/stream`, {
      headers: { authorization: `Bearer ${tenantAdmin}` },
    });
    assert.equal(refused.status, 403);
    const bad = await fetch(`${server.baseUrl}/api/v1/admin/logs/stream?level=loud`, {
      headers: { authorization: `Bearer ${server.adminKey}` },
    });
    assert.equal(bad.status, 400);

    const controller = new AbortController();
    const res = await fetch(`${server.baseUrl}/api/v1/admin/logs/stream?level=info&backlog=0&tenant=${tenant.slug}`, {
      headers: { authorization: `Bearer ${server.adminKey}` },
      signal: controller.signal,
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/event-stream/);
    const lines = [];
    const reading = (async () => {
      for await (const event of sseEvents(res)) {
        lines.push(JSON.parse(event.data));
        if (lines.some((l) => l.route?.includes('/connectors'))) {
          break;
        }
      }
    })().catch(() => {});
    await api(server, 'GET', '/api/v1/admin/tenants');
    await api(server, 'GET', `/api/v1/admin/tenants/${tenant.slug}/connectors`);
    await Promise.race([reading, new Promise((resolve) => { setTimeout(resolve, 5000); })]);
    controller.abort();
    assert.ok(lines.length > 0, 'no line arrived');
    for (const line of lines) {
      assert.equal(line.tenant, tenant.slug, JSON.stringify(line));
      assert.ok(['info', 'warning', 'error'].includes(line.level));
    }
  });

  it('takes the API key a browser offers as a WebSocket subprotocol', async () => {
    const tenant = await createTenant(server);
    const connector = await createConnector(server, tenant.slug, { connector_type: 'everything', name: 'e' });
    const key = (await createKey(server, 'tenant_user', tenant.id)).key;
    const url = mcpUrlOf(server, tenant.slug, connector.id).replace(/^http/, 'ws');
    const open = (protocols) => new Promise((resolve) => {
      const ws = new WebSocket(url, protocols, { origin: server.baseUrl });
      ws.on('open', () => {
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {
          protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'ui', version: '0' } } }));
      });
      ws.on('message', (m) => {
        const protocol = ws.protocol;
        ws.close();
        resolve({ protocol, message: JSON.parse(String(m)) });
      });
      ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode }));
      ws.on('error', () => {});
    });
    const ok = await open(['mcp', `sagemcp.bearer.${key}`]);
    assert.equal(ok.protocol, 'mcp');
    assert.equal(ok.message.result.protocolVersion, '2025-11-25');
    assert.equal((await open(['mcp', 'sagemcp.bearer.smcp_tu_wrong'])).status, 401);
    assert.equal((await open(['mcp'])).status, 401);
  });
});
