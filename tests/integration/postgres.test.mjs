// Integration: PostgreSQL as the shared database of several nodes, and the persistence actor
// through a database outage. Needs the test server of `make test` (SAGEMCP_TEST_DATABASE_URL);
// skipped without it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { statelessPost } from '../support/mcp.mjs';
import {
  api,
  createConnector,
  createKey,
  createTenant,
  createTestDatabase,
  dropTestDatabase,
  expectStatus,
  mcpUrlOf,
  queryTestDatabase,
  startServer,
  testPostgresUrl,
} from '../support/server.mjs';

const skip = testPostgresUrl() ? false : 'SAGEMCP_TEST_DATABASE_URL is not set';
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function postgresCtl(...args) {
  execFileSync(path.join(repoRoot, 'scripts', 'test-postgres.sh'), ['ctl', ...args], {
    stdio: 'ignore',
  });
}

async function ready(server) {
  const res = await fetch(`${server.baseUrl}/health/ready`);
  return { status: res.status, json: await res.json() };
}

describe('two nodes on one PostgreSQL database', { skip }, () => {
  let database;
  let a;
  let b;
  before(async () => {
    database = createTestDatabase();
    // Nodes of one deployment share the secret that keys are hashed and secrets sealed with.
    const env = { SECRET_KEY: randomBytes(16).toString('hex') };
    a = await startServer({ databaseUrl: database, env });
    b = await startServer({ databaseUrl: database, env });
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    if (database) {
      dropTestDatabase(database);
    }
  });

  it('refuses on node B a tool disabled through node A within a second', async () => {
    const tenant = await createTenant(a);
    const connector = await createConnector(a, tenant.slug);
    const key = await createKey(a, 'tenant_user', tenant.id);
    const url = mcpUrlOf(b, tenant.slug, connector.id);
    const echo = () => statelessPost(url, 'tools/call', { name: 'echo', arguments: { message: 'b' } },
      { key: key.key });
    // The key made on A reaches B's key cache.
    let res;
    for (let i = 0; i < 20; i += 1) {
      res = await echo();
      if (res.status === 200) {
        break;
      }
      await sleep(50);
    }
    assert.equal(res.json?.result?.content?.[0]?.text, 'Echo: b', `${res.status} ${res.text}`);
    const route = `/api/v1/admin/tenants/${tenant.slug}/connectors/${connector.id}/tools/echo`;
    expectStatus(await api(a, 'PATCH', route, { is_enabled: false }), 200, 'disable');
    const disabledAt = Date.now();
    for (;;) {
      res = await echo();
      if (res.json?.error) {
        break;
      }
      assert.ok(Date.now() - disabledAt < 1000, 'node B still runs the disabled tool after 1 s');
      await sleep(20);
    }
    assert.ok(Date.now() - disabledAt < 1000);
    assert.equal(res.json.error.code, -32602);
    assert.match(res.json.error.message, /Unknown tool/);
  });

  it('revokes on node B a key revoked through node A', async () => {
    const tenant = await createTenant(a);
    const key = await createKey(a, 'tenant_admin', tenant.id);
    const route = `/api/v1/admin/tenants/${tenant.slug}/connectors`;
    let res;
    for (let i = 0; i < 20; i += 1) {
      res = await api(b, 'GET', route, undefined, key.key);
      if (res.status === 200) {
        break;
      }
      await sleep(50);
    }
    assert.equal(res.status, 200);
    expectStatus(await api(a, 'DELETE', `/api/v1/auth/keys/${key.id}`), 204, 'revoke');
    const revokedAt = Date.now();
    while ((await api(b, 'GET', route, undefined, key.key)).status !== 401) {
      assert.ok(Date.now() - revokedAt < 1000, 'node B still accepts the revoked key after 1 s');
      await sleep(20);
    }
  });
});

describe('a PostgreSQL outage during a stream of admin writes', { skip }, () => {
  let server;
  let database;
  before(async () => {
    database = createTestDatabase();
    server = await startServer({ databaseUrl: database, env: { SAGEMCP_DB_WAIT_SECONDS: '3' } });
  });
  after(async () => {
    try {
      postgresCtl('-w', 'start');
    } catch {
      // already running
    }
    await server?.stop();
    if (database) {
      dropTestDatabase(database);
    }
  });

  it('applies every acknowledged write and answers every other one with an error', async () => {
    const outcomes = [];
    const write = async (i) => {
      const slug = `w${i}-${Date.now().toString(36)}`;
      const res = await api(server, 'POST', '/api/v1/admin/tenants', { slug, name: `W ${i}` });
      outcomes.push({ slug, status: res.status, json: res.json });
    };
    let next = 0;
    const stream = async (count, gapMs) => {
      const pending = [];
      for (let i = 0; i < count; i += 1) {
        pending.push(write(next));
        next += 1;
        await sleep(gapMs);
      }
      await Promise.all(pending);
    };
    await stream(5, 20);
    // A short outage: writes wait for the database and land once it is back.
    postgresCtl('-w', '-m', 'fast', 'stop');
    const during = stream(5, 50);
    await sleep(400);
    assert.equal((await ready(server)).status, 503, 'ready while the database is down');
    postgresCtl('-w', 'start');
    await during;
    // A long outage: writes that waited longer than SAGEMCP_DB_WAIT_SECONDS fail, unapplied.
    postgresCtl('-w', '-m', 'fast', 'stop');
    await stream(3, 50);
    postgresCtl('-w', 'start');
    await stream(3, 20);
    for (let i = 0; i < 50 && (await ready(server)).status !== 200; i += 1) {
      await sleep(100);
    }
    assert.equal((await ready(server)).status, 200, 'not ready after the database returned');

    assert.equal(outcomes.length, 16);
    const stored = new Set(queryTestDatabase(server.database, 'SELECT slug FROM tenants')
      .split('\n').filter(Boolean));
    const acknowledged = outcomes.filter((o) => o.status === 201);
    const refused = outcomes.filter((o) => o.status !== 201);
    for (const o of acknowledged) {
      assert.ok(stored.has(o.slug), `acknowledged write ${o.slug} is missing`);
    }
    for (const o of refused) {
      assert.equal(o.status, 503, `unexpected answer ${o.status} ${JSON.stringify(o.json)}`);
      assert.match(o.json.detail, /database/);
      assert.ok(!stored.has(o.slug), `refused write ${o.slug} was applied`);
    }
    // The short outage lost nothing; the long one refused what waited too long.
    assert.ok(outcomes.slice(0, 10).every((o) => o.status === 201),
      JSON.stringify(outcomes.slice(0, 10).map((o) => o.status)));
    assert.ok(refused.length >= 1, 'the long outage refused nothing');
    assert.ok(outcomes.slice(13).every((o) => o.status === 201));
  });
});
