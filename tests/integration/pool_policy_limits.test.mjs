// Integration: tool policy, the bounded server pool, session limits and per-tenant rate limits,
// through the admin API and every MCP transport of a real server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import WebSocket from 'ws';

import { mcpPost, openSession, rpc, statelessPost } from '../support/mcp.mjs';
import {
  api,
  createConnector,
  createKey,
  createTenant,
  expectStatus,
  mcpUrlOf,
  setupTenant,
  startServer,
  useServerWithTenant,
} from '../support/server.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function toolsRoute(ctx, suffix = '') {
  return `/api/v1/admin/tenants/${ctx.slug}/connectors/${ctx.connectorId}/tools${suffix}`;
}

async function sdkClient(url, key) {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${key}` } },
  });
  const client = new Client({ name: 'sagemcp-pool-tests', version: '0.0.0' }, { capabilities: {} });
  await client.connect(transport);
  return { client, transport };
}

describe('tool policy', () => {
  const env = useServerWithTenant({ other: true });

  it('lists every tool with its state and a summary', async () => {
    const body = expectStatus(await api(env.server, 'GET', toolsRoute(env.ctx)), 200, 'list');
    assert.equal(body.connector_id, env.ctx.connectorId);
    const echo = body.tools.find((t) => t.tool_name === 'echo');
    assert.deepEqual(Object.keys(echo).sort(), ['description', 'is_enabled', 'tool_name']);
    assert.equal(echo.is_enabled, true);
    assert.equal(body.summary.total, body.tools.length);
    assert.equal(body.summary.enabled + body.summary.disabled, body.summary.total);
  });

  it('refuses bad input with clear errors', async () => {
    const route = toolsRoute(env.ctx);
    let res = await api(env.server, 'PATCH', `${route}/no_such_tool`, { is_enabled: false });
    assert.equal(res.status, 404);
    assert.match(res.json.detail, /no_such_tool/);
    res = await api(env.server, 'PATCH', `${route}/echo`, { is_enabled: 'no' });
    assert.equal(res.status, 400);
    res = await api(env.server, 'PATCH', `${route}/echo`, {});
    assert.equal(res.status, 400);
    res = await api(env.server, 'PATCH', `${route}/echo`, 'not json');
    assert.equal(res.status, 400);
    res = await api(env.server, 'POST', `${route}/bulk-update`, { updates: [] });
    assert.equal(res.status, 400);
    res = await api(env.server, 'POST', `${route}/bulk-update`, {
      updates: [{ tool_name: 'echo', is_enabled: false }, { tool_name: 'ghost', is_enabled: false }],
    });
    assert.equal(res.status, 404);
    // Nothing of a failed bulk update was written.
    const body = expectStatus(await api(env.server, 'GET', route), 200, 'list');
    assert.equal(body.tools.find((t) => t.tool_name === 'echo').is_enabled, true);
    res = await api(env.server, 'GET', `/api/v1/admin/tenants/${env.ctx.slug}/connectors/nope/tools`);
    assert.equal(res.status, 404);
  });

  it('belongs to tenant admins of the tenant', async () => {
    const route = toolsRoute(env.ctx);
    let res = await api(env.server, 'GET', route, undefined, env.ctx.tenantKey);
    assert.equal(res.status, 403, 'a tenant_user key may not manage tools');
    const otherAdmin = await createKey(env.server, 'tenant_admin', env.other.tenantId);
    res = await api(env.server, 'PATCH', `${route}/echo`, { is_enabled: false }, otherAdmin.key);
    assert.equal(res.status, 403, 'another tenant\'s admin may not manage tools');
    res = await api(env.server, 'GET', route, undefined, null);
    assert.equal(res.status, 401);
    const admin = await createKey(env.server, 'tenant_admin', env.ctx.tenantId);
    res = await api(env.server, 'GET', route, undefined, admin.key);
    assert.equal(res.status, 200);
  });

  it('hides a disabled tool from both eras and the tenant endpoint, and tells sessions', async () => {
    const { client } = await sdkClient(env.ctx.mcpUrl, env.ctx.tenantKey);
    let changed;
    const notified = new Promise((resolve) => {
      changed = resolve;
    });
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => changed());
    const session = await openSession(env.ctx.mcpUrl, env.ctx.tenantKey);
    try {
      assert.ok((await client.listTools()).tools.some((t) => t.name === 'echo'));
      // The SDK opens its GET stream after connecting; give it a moment to be attached.
      await sleep(200);
      const patched = await api(env.server, 'PATCH', `${toolsRoute(env.ctx)}/echo`,
        { is_enabled: false });
      assert.deepEqual(expectStatus(patched, 200, 'disable echo'),
        { tool_name: 'echo', description: patched.json.description, is_enabled: false });
      await Promise.race([notified, sleep(3000).then(() => {
        throw new Error('no notifications/tools/list_changed');
      })]);

      const { tools } = await client.listTools();
      assert.ok(!tools.some((t) => t.name === 'echo'), 'echo still listed');
      assert.ok(tools.some((t) => t.name === 'add'));
      await assert.rejects(client.callTool({ name: 'echo', arguments: { message: 'x' } }),
        /Unknown tool/);

      // A session opened before the change follows it too.
      const listed = await session.request('tools/list', {});
      assert.ok(!listed.json.result.tools.some((t) => t.name === 'echo'));
      const called = await session.request('tools/call', { name: 'echo', arguments: { message: 'x' } });
      assert.equal(called.json.error.code, -32602);

      const stateless = await statelessPost(env.ctx.mcpUrl, 'tools/call',
        { name: 'echo', arguments: { message: 'x' } }, { key: env.ctx.tenantKey });
      assert.equal(stateless.json.error.code, -32602);
      const statelessList = await statelessPost(env.ctx.mcpUrl, 'tools/list', {},
        { key: env.ctx.tenantKey });
      assert.ok(!statelessList.json.result.tools.some((t) => t.name === 'echo'));

      const tenantUrl = `${env.server.baseUrl}/api/v1/${env.ctx.slug}/mcp`;
      const wide = await openSession(tenantUrl, env.ctx.tenantKey);
      const wideList = await wide.request('tools/list', {});
      assert.ok(!wideList.json.result.tools.some((t) => t.name === 'echo'));
      const wideCall = await wide.request('tools/call', { name: 'echo', arguments: { message: 'x' } });
      assert.equal(wideCall.json.error.code, -32602);
    } finally {
      await client.close();
    }

    const enabled = await api(env.server, 'POST', toolsRoute(env.ctx, '/enable-all'));
    assert.equal(expectStatus(enabled, 200, 'enable all').summary.disabled, 0);
    const echo = await statelessPost(env.ctx.mcpUrl, 'tools/call',
      { name: 'echo', arguments: { message: 'back' } }, { key: env.ctx.tenantKey });
    assert.equal(echo.json.result.content[0].text, 'Echo: back');
  });

  it('bulk-updates, disables all, and syncs', async () => {
    const route = toolsRoute(env.other);
    const bulk = expectStatus(await api(env.server, 'POST', `${route}/bulk-update`, {
      updates: [{ tool_name: 'echo', is_enabled: false }, { tool_name: 'add', is_enabled: false }],
    }), 200, 'bulk');
    assert.equal(bulk.summary.disabled, 2);
    const none = expectStatus(await api(env.server, 'POST', `${route}/disable-all`), 200, 'off');
    assert.equal(none.summary.enabled, 0);
    const list = await statelessPost(env.other.mcpUrl, 'tools/list', {}, { key: env.other.tenantKey });
    assert.deepEqual(list.json.result.tools, []);
    const sync = expectStatus(await api(env.server, 'POST', `${route}/sync`), 200, 'sync');
    assert.deepEqual(sync, { added: [], removed: [], unchanged: none.summary.total });
    expectStatus(await api(env.server, 'POST', `${route}/enable-all`), 200, 'on');
  });
});

describe('server pool and sessions', () => {
  let server;
  let ctx;
  before(async () => {
    server = await startServer({
      auth: true,
      env: {
        SAGEMCP_POOL_MAX: '2',
        SAGEMCP_MAX_SESSIONS_PER_TENANT: '3',
        SAGEMCP_SESSION_TTL: '2',
        SAGEMCP_SESSION_MAX_BYTES: '65536',
        SAGEMCP_SSE_BUFFER_BYTES: '4096',
      },
    });
    ctx = await setupTenant(server);
  });
  after(async () => {
    await server?.stop();
  });

  async function pool() {
    return expectStatus(await api(server, 'GET', '/api/v1/admin/pool'), 200, 'pool');
  }

  it('evicts the least recently used instance when a new one would exceed the maximum', async () => {
    const tenant = await createTenant(server);
    const key = await createKey(server, 'tenant_user', tenant.id);
    const ids = [];
    for (let i = 0; i < 3; i += 1) {
      ids.push((await createConnector(server, tenant.slug, { name: `c${i}` })).id);
    }
    const call = (id, message) => statelessPost(mcpUrlOf(server, tenant.slug, id), 'tools/call',
      { name: 'echo', arguments: { message } }, { key: key.key });
    assert.equal((await call(ids[0], 'a')).status, 200);
    assert.equal((await call(ids[1], 'b')).status, 200);
    // The first instance becomes the most recently used one.
    assert.equal((await call(ids[0], 'a2')).status, 200);
    assert.equal((await call(ids[2], 'c')).status, 200);
    const keys = (await pool()).map((entry) => entry.connector_id).sort();
    assert.deepEqual(keys, [ids[0], ids[2]].sort());
    const summary = expectStatus(await api(server, 'GET', '/api/v1/admin/pool/summary'), 200, 's');
    assert.equal(summary.instances, 2);
    assert.equal(summary.max_instances, 2);
    // The evicted connector's context still works: it gets a new instance.
    const again = await call(ids[1], 'again');
    assert.equal(again.json.result.content[0].text, 'Echo: again');
    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    assert.match(metrics, /sagemcp_pool_evictions_total\{kind="connector",reason="capacity"\} [1-9]/);
  });

  it('evicts one instance and idle instances through the admin API', async () => {
    const call = await statelessPost(ctx.mcpUrl, 'tools/list', {}, { key: ctx.tenantKey });
    assert.equal(call.status, 200);
    let res = await api(server, 'DELETE', `/api/v1/admin/pool/${ctx.slug}/${ctx.connectorId}`);
    assert.equal(res.status, 204);
    res = await api(server, 'DELETE', `/api/v1/admin/pool/${ctx.slug}/${ctx.connectorId}`);
    assert.equal(res.status, 404);
    res = await api(server, 'POST', '/api/v1/admin/pool/evict-idle?idle_seconds=0');
    assert.equal(res.status, 200);
    assert.equal(typeof res.json.evicted, 'number');
    assert.deepEqual(await pool(), []);
    res = await api(server, 'POST', '/api/v1/admin/pool/evict-idle?idle_seconds=soon');
    assert.equal(res.status, 400);
    res = await api(server, 'GET', '/api/v1/admin/pool', undefined, ctx.tenantKey);
    assert.equal(res.status, 403);
  });

  it('lists and terminates sessions; a terminated session is 404', async () => {
    const session = await openSession(ctx.mcpUrl, ctx.tenantKey);
    const listed = expectStatus(
      await api(server, 'GET', `/api/v1/admin/sessions?tenant_slug=${ctx.slug}`), 200, 'sessions');
    const mine = listed.find((s) => s.session_id === session.sessionId);
    assert.ok(mine, 'session not listed');
    assert.equal(mine.connector_id, ctx.connectorId);
    assert.equal(mine.protocol_version, session.protocolVersion);
    const res = await api(server, 'DELETE', `/api/v1/admin/sessions/${session.sessionId}`);
    assert.equal(res.status, 204);
    const ping = await session.request('ping', {});
    assert.equal(ping.status, 404);
    assert.equal((await api(server, 'DELETE', `/api/v1/admin/sessions/${session.sessionId}`)).status,
      404);
  });

  it('ends the least recently used session of a tenant at its cap', async () => {
    const sessions = [];
    for (let i = 0; i < 3; i += 1) {
      sessions.push(await openSession(ctx.mcpUrl, ctx.tenantKey));
    }
    assert.equal((await sessions[0].request('ping', {})).status, 200);
    const fourth = await openSession(ctx.mcpUrl, ctx.tenantKey);
    assert.equal((await sessions[1].request('ping', {})).status, 404, 'LRU session survived');
    for (const session of [sessions[0], sessions[2], fourth]) {
      assert.equal((await session.request('ping', {})).status, 200);
    }
  });

  it('answers an expired session with 404, and the SDK client starts over', async () => {
    // A session without an open stream (which would keep it alive) idles out after 2 s.
    const session = await openSession(ctx.mcpUrl, ctx.tenantKey);
    assert.equal((await session.request('ping', {})).status, 200);
    await sleep(3500);
    // The SDK resumes the session by id, gets 404, and its application starts over.
    const resumed = new StreamableHTTPClientTransport(new URL(ctx.mcpUrl), {
      sessionId: session.sessionId,
      requestInit: { headers: { Authorization: `Bearer ${ctx.tenantKey}` } },
    });
    const stale = new Client({ name: 'sagemcp-pool-tests', version: '0.0.0' }, { capabilities: {} });
    await stale.connect(resumed);
    await assert.rejects(stale.callTool({ name: 'echo', arguments: { message: 'two' } }),
      (err) => err.code === 404);
    await stale.close();
    const fresh = await sdkClient(ctx.mcpUrl, ctx.tenantKey);
    const echo = await fresh.client.callTool({ name: 'echo', arguments: { message: 'three' } });
    assert.equal(echo.content[0].text, 'Echo: three');
    assert.notEqual(fresh.transport.sessionId, session.sessionId);
    await fresh.client.close();
  });

  it('holds each session to its byte budget and frees what the client gives up', async () => {
    const session = await openSession(ctx.mcpUrl, ctx.tenantKey);
    const uri = (i) => `test://static/resource/${i}?${'x'.repeat(1000)}`;
    let admitted = 0;
    let refused;
    while (!refused && admitted < 200) {
      const res = await session.request('resources/subscribe', { uri: uri(admitted) });
      assert.equal(res.status, 200);
      if (res.json.error) {
        refused = res.json.error;
      } else {
        admitted += 1;
      }
    }
    assert.ok(refused, 'no subscription was refused');
    assert.equal(refused.code, -32011);
    assert.match(refused.message, /byte budget/);
    assert.ok(admitted >= 40 && admitted <= 64, `admitted ${admitted}`);
    const call = await session.request('tools/call', { name: 'echo', arguments: { message: 'x' } });
    assert.equal(call.json.error?.code, -32011);
    const mine = expectStatus(
      await api(server, 'GET', `/api/v1/admin/sessions/${session.sessionId}`), 200, 'session');
    assert.equal(mine.tenant_slug, ctx.slug);
    assert.equal(mine.subscriptions, admitted);
    assert.ok(mine.held_bytes <= 65536 && mine.held_bytes > 40000, `held ${mine.held_bytes}`);
    assert.equal(mine.max_bytes, 65536);
    assert.equal((await api(server, 'GET', '/api/v1/admin/sessions/nope')).status, 404);
    for (let i = 0; i < admitted; i += 1) {
      const res = await session.request('resources/unsubscribe', { uri: uri(i) });
      assert.equal(res.json.error, undefined);
    }
    const echo = await session.request('tools/call', { name: 'echo', arguments: { message: 'y' } });
    assert.equal(echo.json.result.content[0].text, 'Echo: y');
  });

  it('reports stats and settings to platform admins', async () => {
    const stats = expectStatus(await api(server, 'GET', '/api/v1/admin/stats'), 200, 'stats');
    for (const field of ['tenants', 'active_instances', 'active_sessions', 'pool_hits',
      'pool_misses', 'tool_calls_since_start']) {
      assert.equal(typeof stats[field], 'number', field);
    }
    const settings = expectStatus(await api(server, 'GET', '/api/v1/admin/settings'), 200, 'set');
    assert.equal(settings.pool.max_instances, 2);
    assert.equal(settings.sessions.max_per_tenant, 3);
    assert.equal(settings.sessions.max_bytes, 65536);
    assert.ok(!JSON.stringify(settings).includes(server.adminKey));
    assert.equal((await api(server, 'GET', '/api/v1/admin/stats', undefined, ctx.tenantKey)).status,
      403);
  });
});

describe('rate limits', () => {
  let server;
  before(async () => {
    server = await startServer({ auth: true, env: { RATE_LIMIT_RPM: '3' } });
  });
  after(async () => {
    await server?.stop();
  });

  const ping = (ctx, key = ctx.tenantKey) =>
    mcpPost(ctx.mcpUrl, rpc('ping', {}), { key, protocolVersion: '2025-11-25',
      sessionId: 'none' });

  it('answers 429 with Retry-After once the bucket is empty; anonymous calls drain nothing',
    async () => {
      const ctx = await setupTenant(server);
      for (let i = 0; i < 5; i += 1) {
        assert.equal((await ping(ctx, null)).status, 401);
        assert.equal((await ping(ctx, 'smcp_tu_bogus')).status, 401);
      }
      for (let i = 0; i < 3; i += 1) {
        assert.equal((await ping(ctx)).status, 404, 'within the limit: the unknown session');
      }
      const limited = await ping(ctx);
      assert.equal(limited.status, 429);
      const retry = Number(limited.headers.get('retry-after'));
      assert.ok(retry >= 1 && retry <= 20, `Retry-After ${retry}`);
      assert.equal(limited.json.error.code, -32010);
      assert.equal(limited.json.error.data.retryAfterSeconds, retry);
      const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
      assert.match(metrics, /sagemcp_rate_limited_requests_total\{transport="http"\} [1-9]/);

      // Another tenant has a bucket of its own.
      const other = await setupTenant(server);
      assert.equal((await ping(other)).status, 404);

      // An override through the admin API: 0 is unlimited, null the default again.
      const tenant = expectStatus(await api(server, 'PUT', `/api/v1/admin/tenants/${ctx.slug}`,
        { name: 'Limited', rate_limit_rpm: 0 }), 200, 'override');
      assert.equal(tenant.rate_limit_rpm, 0);
      for (let i = 0; i < 5; i += 1) {
        assert.equal((await ping(ctx)).status, 404);
      }
      const kept = expectStatus(await api(server, 'PUT', `/api/v1/admin/tenants/${ctx.slug}`,
        { name: 'Renamed' }), 200, 'rename');
      assert.equal(kept.rate_limit_rpm, 0, 'a PUT without the field keeps the limit');
      const reset = expectStatus(await api(server, 'PUT', `/api/v1/admin/tenants/${ctx.slug}`,
        { name: 'Renamed', rate_limit_rpm: null }), 200, 'reset');
      assert.equal(reset.rate_limit_rpm, null);
      const bad = await api(server, 'PUT', `/api/v1/admin/tenants/${ctx.slug}`,
        { name: 'x', rate_limit_rpm: -5 });
      assert.equal(bad.status, 400);
    });

  it('holds on WebSocket messages too', async () => {
    const ctx = await setupTenant(server);
    const ws = new WebSocket(ctx.mcpUrl.replace(/^http/, 'ws'), ['mcp'],
      { headers: { Authorization: `Bearer ${ctx.tenantKey}` } });
    const replies = [];
    let wake = () => {};
    ws.on('message', (data) => {
      replies.push(JSON.parse(data.toString()));
      wake();
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const next = async () => {
      while (replies.length === 0) {
        await new Promise((resolve) => {
          wake = resolve;
        });
      }
      return replies.shift();
    };
    try {
      // The upgrade took one token; initialize and one ping take the rest.
      ws.send(JSON.stringify(rpc('initialize', {
        protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '0' } }, 1)));
      assert.ok((await next()).result);
      ws.send(JSON.stringify(rpc('ping', {}, 2)));
      const third = await next();
      assert.equal(third.id, 2);
      ws.send(JSON.stringify(rpc('ping', {}, 3)));
      const limited = await next();
      assert.equal(limited.id, 3);
      assert.equal(limited.error.code, -32010);
      assert.ok(limited.error.data.retryAfterSeconds >= 1);
    } finally {
      ws.close();
    }
  });
});
