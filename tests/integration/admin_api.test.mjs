// Black-box tests of the REST surface: health, metrics, auth, tenants, connectors, API keys.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import {
  api,
  createConnector,
  createKey,
  createTenant,
  randomSlug,
  randomUrlsafe,
  startServer,
} from '../support/server.mjs';

const KEY_PATTERN = {
  platform_admin: /^smcp_pa_[a-z2-7]{12}_[A-Za-z0-9_-]{43}$/,
  tenant_admin: /^smcp_ta_[a-z2-7]{12}_[A-Za-z0-9_-]{43}$/,
  tenant_user: /^smcp_tu_[a-z2-7]{12}_[A-Za-z0-9_-]{43}$/,
};

/** Asserts an error response: the status and a `{detail, error}` JSON body. */
function assertError(res, status, what) {
  assert.equal(res.status, status, `${what}: expected ${status}, got ${res.status} ${res.text}`);
  assert.ok(res.json && typeof res.json === 'object', `${what}: error body is not JSON: ${res.text}`);
  assert.equal(typeof res.json.detail, 'string', `${what}: detail missing: ${res.text}`);
  assert.equal(typeof res.json.error, 'string', `${what}: error missing: ${res.text}`);
}

function assertUnauthorized(res, what) {
  assertError(res, 401, what);
  const challenge = res.headers.get('www-authenticate');
  assert.ok(challenge, `${what}: 401 without WWW-Authenticate`);
  assert.match(challenge, /^Bearer\b/, `${what}: WWW-Authenticate is ${challenge}`);
}

describe('admin api (auth on)', () => {
  let server;

  before(async () => {
    server = await startServer({ auth: true });
  });

  after(async () => {
    await server?.stop();
  });

  describe('health and metrics', () => {
    for (const probe of ['live', 'ready', 'startup']) {
      it(`GET /health/${probe} is 200 without a key`, async () => {
        const res = await api(server, 'GET', `/health/${probe}`, undefined, null);
        assert.equal(res.status, 200, res.text);
      });
    }

    it('GET /metrics is Prometheus text with sagemcp_http_requests_total', async () => {
      await api(server, 'GET', '/api/v1/admin/tenants');
      const res = await api(server, 'GET', '/metrics', undefined, null);
      assert.equal(res.status, 200, res.text);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      assert.match(res.text, /^sagemcp_http_requests_total(\{[^}]*\})? [0-9.e+]+$/m);
    });
  });

  describe('authentication', () => {
    it('a missing key is 401 with a Bearer challenge', async () => {
      const res = await api(server, 'GET', '/api/v1/admin/tenants', undefined, null);
      assertUnauthorized(res, 'no key');
    });

    it('a well-formed but unknown key is 401', async () => {
      const res = await api(server, 'GET', '/api/v1/admin/tenants', undefined,
        `smcp_pa_${randomUrlsafe(43)}`);
      assertUnauthorized(res, 'unknown key');
    });

    it('a malformed key is 401', async () => {
      const res = await api(server, 'GET', '/api/v1/admin/tenants', undefined, 'not-a-key');
      assertUnauthorized(res, 'malformed key');
    });

    it('a non-Bearer Authorization header is 401', async () => {
      const res = await fetch(`${server.baseUrl}/api/v1/admin/tenants`, {
        headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
      });
      assert.equal(res.status, 401, await res.text());
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer\b/);
    });

    it('the bootstrap admin key works', async () => {
      const res = await api(server, 'GET', '/api/v1/admin/tenants');
      assert.equal(res.status, 200, res.text);
    });

    it('every /api/v1 route asks for a key', async () => {
      const routes = [
        ['GET', '/api/v1/admin/tenants/whatever'],
        ['POST', '/api/v1/admin/tenants'],
        ['GET', '/api/v1/admin/tenants/whatever/connectors'],
        ['GET', '/api/v1/auth/keys'],
        ['POST', '/api/v1/auth/keys'],
      ];
      for (const [method, route] of routes) {
        const res = await api(server, method, route, method === 'POST' ? {} : undefined, null);
        assertUnauthorized(res, `${method} ${route}`);
      }
    });
  });

  describe('tenants', () => {
    it('POST creates a tenant with all fields', async () => {
      const slug = randomSlug();
      const res = await api(server, 'POST', '/api/v1/admin/tenants', {
        slug,
        name: 'Acme Corp',
        description: 'test tenant',
        contact_email: 'ops@acme.example',
      });
      assert.equal(res.status, 201, res.text);
      const t = res.json;
      for (const field of ['id', 'slug', 'name', 'description', 'contact_email', 'is_active',
        'created_at', 'updated_at']) {
        assert.ok(field in t, `missing ${field} in ${res.text}`);
      }
      assert.equal(t.slug, slug);
      assert.equal(t.name, 'Acme Corp');
      assert.equal(t.description, 'test tenant');
      assert.equal(t.contact_email, 'ops@acme.example');
      assert.equal(t.is_active, true);
      assert.ok(t.id !== null && t.id !== '', 'empty id');
      assert.equal(typeof t.created_at, 'string');
      assert.equal(typeof t.updated_at, 'string');
    });

    it('POST with only slug and name succeeds', async () => {
      const res = await api(server, 'POST', '/api/v1/admin/tenants',
        { slug: randomSlug(), name: 'Minimal' });
      assert.equal(res.status, 201, res.text);
    });

    it('the same slug twice is 409', async () => {
      const t = await createTenant(server);
      const res = await api(server, 'POST', '/api/v1/admin/tenants', { slug: t.slug, name: 'dup' });
      assertError(res, 409, 'duplicate slug');
    });

    it('a 50-character slug is accepted', async () => {
      const slug = `s${randomBytes(30).toString('hex')}`.slice(0, 50);
      assert.equal(slug.length, 50);
      const res = await api(server, 'POST', '/api/v1/admin/tenants', { slug, name: 'long' });
      assert.equal(res.status, 201, res.text);
    });

    const badSlugs = {
      uppercase: 'Acme-Corp',
      space: 'acme corp',
      'leading dash': '-acme',
      'trailing dash': 'acme-',
      '51 chars': 'a'.repeat(51),
      empty: '',
      'reserved admin': 'admin',
    };
    for (const [why, slug] of Object.entries(badSlugs)) {
      it(`an invalid slug (${why}) is 400`, async () => {
        const res = await api(server, 'POST', '/api/v1/admin/tenants', { slug, name: 'bad' });
        assertError(res, 400, `slug ${JSON.stringify(slug)}`);
      });
    }

    it('a missing name is 400', async () => {
      const res = await api(server, 'POST', '/api/v1/admin/tenants', { slug: randomSlug() });
      assertError(res, 400, 'missing name');
    });

    it('a body that is not JSON is 400', async () => {
      const res = await api(server, 'POST', '/api/v1/admin/tenants', '{"slug": "x", name');
      assertError(res, 400, 'bad json');
    });

    it('GET lists tenants as an array', async () => {
      const t = await createTenant(server);
      const res = await api(server, 'GET', '/api/v1/admin/tenants');
      assert.equal(res.status, 200, res.text);
      assert.ok(Array.isArray(res.json), res.text);
      assert.ok(res.json.some((x) => x.slug === t.slug && x.id === t.id), `${t.slug} not listed`);
    });

    it('GET by slug returns the tenant, unknown slug is 404', async () => {
      const t = await createTenant(server);
      const res = await api(server, 'GET', `/api/v1/admin/tenants/${t.slug}`);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.id, t.id);
      assert.equal(res.json.slug, t.slug);
      assert.equal(res.json.name, t.name);
      const missing = await api(server, 'GET', `/api/v1/admin/tenants/${randomSlug('nope')}`);
      assertError(missing, 404, 'unknown tenant');
    });

    it('PUT updates the tenant', async () => {
      const t = await createTenant(server);
      const res = await api(server, 'PUT', `/api/v1/admin/tenants/${t.slug}`, {
        slug: t.slug,
        name: 'Renamed',
        description: 'new description',
        contact_email: 'new@example.com',
      });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.name, 'Renamed');
      assert.equal(res.json.description, 'new description');
      assert.equal(res.json.contact_email, 'new@example.com');
      const again = await api(server, 'GET', `/api/v1/admin/tenants/${t.slug}`);
      assert.equal(again.json.name, 'Renamed');
      assert.equal(again.json.description, 'new description');
    });

    it('PUT on an unknown tenant is 404', async () => {
      const slug = randomSlug('nope');
      const res = await api(server, 'PUT', `/api/v1/admin/tenants/${slug}`, { slug, name: 'x' });
      assertError(res, 404, 'put unknown tenant');
    });

    it('DELETE is 204 and the tenant is gone', async () => {
      const t = await createTenant(server);
      const res = await api(server, 'DELETE', `/api/v1/admin/tenants/${t.slug}`);
      assert.equal(res.status, 204, res.text);
      assert.equal(res.text, '');
      const gone = await api(server, 'GET', `/api/v1/admin/tenants/${t.slug}`);
      assertError(gone, 404, 'deleted tenant');
    });

    it('tenant routes need a platform_admin key', async () => {
      const t = await createTenant(server);
      const admin = await createKey(server, 'tenant_admin', t.id);
      const user = await createKey(server, 'tenant_user', t.id);
      for (const key of [admin.key, user.key]) {
        assertError(await api(server, 'GET', '/api/v1/admin/tenants', undefined, key), 403,
          'list tenants with tenant key');
        assertError(await api(server, 'POST', '/api/v1/admin/tenants',
          { slug: randomSlug(), name: 'x' }, key), 403, 'create tenant with tenant key');
        assertError(await api(server, 'DELETE', `/api/v1/admin/tenants/${t.slug}`, undefined, key),
          403, 'delete own tenant with tenant key');
      }
      const still = await api(server, 'GET', `/api/v1/admin/tenants/${t.slug}`);
      assert.equal(still.status, 200, still.text);
    });
  });

  describe('connectors', () => {
    let tenant;
    let base;

    before(async () => {
      tenant = await createTenant(server);
      base = `/api/v1/admin/tenants/${tenant.slug}/connectors`;
    });

    it('POST creates an everything connector', async () => {
      const res = await api(server, 'POST', base, {
        connector_type: 'everything',
        name: 'Everything',
        description: 'reference tools',
        configuration: {},
      });
      assert.equal(res.status, 201, res.text);
      const c = res.json;
      for (const field of ['id', 'tenant_id', 'connector_type', 'name', 'description',
        'is_enabled']) {
        assert.ok(field in c, `missing ${field} in ${res.text}`);
      }
      assert.equal(c.tenant_id, tenant.id);
      assert.equal(c.connector_type, 'everything');
      assert.equal(c.name, 'Everything');
      assert.equal(c.description, 'reference tools');
      assert.equal(c.is_enabled, true);
    });

    it('an unknown connector_type is 400', async () => {
      const res = await api(server, 'POST', base, { connector_type: 'no-such-thing', name: 'x' });
      assertError(res, 400, 'unknown connector_type');
    });

    it('a connector in an unknown tenant is 404', async () => {
      const res = await api(server, 'POST',
        `/api/v1/admin/tenants/${randomSlug('nope')}/connectors`,
        { connector_type: 'everything', name: 'x' });
      assertError(res, 404, 'unknown tenant');
    });

    it('GET lists and fetches connectors, unknown id is 404', async () => {
      const c = await createConnector(server, tenant.slug, { name: 'listed' });
      const list = await api(server, 'GET', base);
      assert.equal(list.status, 200, list.text);
      assert.ok(Array.isArray(list.json), list.text);
      assert.ok(list.json.some((x) => x.id === c.id), 'connector not listed');
      const one = await api(server, 'GET', `${base}/${c.id}`);
      assert.equal(one.status, 200, one.text);
      assert.equal(one.json.id, c.id);
      assert.equal(one.json.name, 'listed');
      const missing = await api(server, 'GET', `${base}/${randomUUID()}`);
      assertError(missing, 404, 'unknown connector');
    });

    it('PUT updates a connector', async () => {
      const c = await createConnector(server, tenant.slug, { name: 'before' });
      const res = await api(server, 'PUT', `${base}/${c.id}`,
        { name: 'after', description: 'updated', configuration: {} });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.name, 'after');
      assert.equal(res.json.description, 'updated');
      const again = await api(server, 'GET', `${base}/${c.id}`);
      assert.equal(again.json.name, 'after');
    });

    it('PATCH toggle flips is_enabled', async () => {
      const c = await createConnector(server, tenant.slug);
      const off = await api(server, 'PATCH', `${base}/${c.id}/toggle`);
      assert.equal(off.status, 200, off.text);
      assert.equal(off.json.is_enabled, false);
      const on = await api(server, 'PATCH', `${base}/${c.id}/toggle`);
      assert.equal(on.status, 200, on.text);
      assert.equal(on.json.is_enabled, true);
    });

    it('DELETE is 204 and the connector is gone', async () => {
      const c = await createConnector(server, tenant.slug);
      const res = await api(server, 'DELETE', `${base}/${c.id}`);
      assert.equal(res.status, 204, res.text);
      const gone = await api(server, 'GET', `${base}/${c.id}`);
      assertError(gone, 404, 'deleted connector');
    });

    it('tenant_user reads, tenant_admin writes, only in its own tenant', async () => {
      const user = await createKey(server, 'tenant_user', tenant.id);
      const admin = await createKey(server, 'tenant_admin', tenant.id);
      const c = await createConnector(server, tenant.slug);

      assert.equal((await api(server, 'GET', base, undefined, user.key)).status, 200);
      assert.equal((await api(server, 'GET', `${base}/${c.id}`, undefined, user.key)).status, 200);
      assertError(await api(server, 'POST', base, { connector_type: 'everything', name: 'u' },
        user.key), 403, 'tenant_user create');
      assertError(await api(server, 'PUT', `${base}/${c.id}`, { name: 'u' }, user.key), 403,
        'tenant_user update');
      assertError(await api(server, 'PATCH', `${base}/${c.id}/toggle`, undefined, user.key), 403,
        'tenant_user toggle');
      assertError(await api(server, 'DELETE', `${base}/${c.id}`, undefined, user.key), 403,
        'tenant_user delete');

      const made = await api(server, 'POST', base, { connector_type: 'everything', name: 'a' },
        admin.key);
      assert.equal(made.status, 201, made.text);
      const put = await api(server, 'PUT', `${base}/${made.json.id}`, { name: 'a2' }, admin.key);
      assert.equal(put.status, 200, put.text);
      const toggled = await api(server, 'PATCH', `${base}/${made.json.id}/toggle`, undefined,
        admin.key);
      assert.equal(toggled.status, 200, toggled.text);
      const del = await api(server, 'DELETE', `${base}/${made.json.id}`, undefined, admin.key);
      assert.equal(del.status, 204, del.text);

      const other = await createTenant(server);
      const otherBase = `/api/v1/admin/tenants/${other.slug}/connectors`;
      const foreign = await createConnector(server, other.slug);
      for (const key of [user.key, admin.key]) {
        assertError(await api(server, 'GET', otherBase, undefined, key), 403, 'foreign list');
        assertError(await api(server, 'GET', `${otherBase}/${foreign.id}`, undefined, key), 403,
          'foreign get');
        assertError(await api(server, 'POST', otherBase,
          { connector_type: 'everything', name: 'x' }, key), 403, 'foreign create');
        assertError(await api(server, 'DELETE', `${otherBase}/${foreign.id}`, undefined, key),
          403, 'foreign delete');
      }
      const survived = await api(server, 'GET', `${otherBase}/${foreign.id}`);
      assert.equal(survived.status, 200, survived.text);
    });
  });

  describe('api keys', () => {
    let tenant;

    before(async () => {
      tenant = await createTenant(server);
    });

    for (const scope of ['tenant_user', 'tenant_admin']) {
      it(`POST creates a ${scope} key`, async () => {
        const res = await api(server, 'POST', '/api/v1/auth/keys',
          { name: `k-${scope}`, scope, tenant_id: tenant.id });
        assert.equal(res.status, 201, res.text);
        const k = res.json;
        for (const field of ['id', 'name', 'key', 'key_prefix', 'scope', 'tenant_id',
          'created_at']) {
          assert.ok(field in k, `missing ${field} in ${res.text}`);
        }
        assert.equal(k.name, `k-${scope}`);
        assert.equal(k.scope, scope);
        assert.equal(k.tenant_id, tenant.id);
        assert.match(k.key, KEY_PATTERN[scope]);
        assert.equal(typeof k.key_prefix, 'string');
        assert.equal(k.key_prefix, k.key.slice(0, 20), 'the prefix shows the key id');
        assert.ok(k.key_prefix.length > 0 && k.key.startsWith(k.key_prefix),
          `key_prefix ${k.key_prefix} is not a prefix of the key`);
      });
    }

    it('tenant_id may be the slug', async () => {
      const res = await api(server, 'POST', '/api/v1/auth/keys',
        { name: 'by-slug', scope: 'tenant_user', tenant_id: tenant.slug });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.json.tenant_id, tenant.id);
      const list = await api(server, 'GET', `/api/v1/admin/tenants/${tenant.slug}/connectors`,
        undefined, res.json.key);
      assert.equal(list.status, 200, list.text);
    });

    it('a platform_admin key needs no tenant and works on admin routes', async () => {
      const res = await api(server, 'POST', '/api/v1/auth/keys',
        { name: 'second-admin', scope: 'platform_admin' });
      assert.equal(res.status, 201, res.text);
      assert.match(res.json.key, KEY_PATTERN.platform_admin);
      const list = await api(server, 'GET', '/api/v1/admin/tenants', undefined, res.json.key);
      assert.equal(list.status, 200, list.text);
    });

    it('a tenant scope without tenant_id is 400', async () => {
      const res = await api(server, 'POST', '/api/v1/auth/keys',
        { name: 'x', scope: 'tenant_user' });
      assertError(res, 400, 'missing tenant_id');
    });

    it('an unknown tenant_id is 400', async () => {
      for (const tenant_id of [randomSlug('nope'), randomUUID()]) {
        const res = await api(server, 'POST', '/api/v1/auth/keys',
          { name: 'x', scope: 'tenant_admin', tenant_id });
        assertError(res, 400, `unknown tenant_id ${tenant_id}`);
      }
    });

    it('a bad scope is 400', async () => {
      const res = await api(server, 'POST', '/api/v1/auth/keys',
        { name: 'x', scope: 'superuser', tenant_id: tenant.id });
      assertError(res, 400, 'bad scope');
    });

    it('GET lists keys without the secret', async () => {
      const k = await createKey(server, 'tenant_user', tenant.id, 'listed-key');
      const res = await api(server, 'GET', '/api/v1/auth/keys');
      assert.equal(res.status, 200, res.text);
      assert.ok(Array.isArray(res.json), res.text);
      const mine = res.json.find((x) => x.id === k.id);
      assert.ok(mine, 'created key not listed');
      assert.equal(mine.name, 'listed-key');
      for (const item of res.json) {
        assert.ok(!('key' in item), `listed key carries its secret: ${JSON.stringify(item)}`);
      }
      assert.ok(!res.text.includes(k.key), 'the secret appears in the list body');
    });

    it('DELETE revokes a key: 204, then that key gets 401', async () => {
      const k = await createKey(server, 'tenant_user', tenant.id);
      const route = `/api/v1/admin/tenants/${tenant.slug}/connectors`;
      assert.equal((await api(server, 'GET', route, undefined, k.key)).status, 200);
      const res = await api(server, 'DELETE', `/api/v1/auth/keys/${k.id}`);
      assert.equal(res.status, 204, res.text);
      assertUnauthorized(await api(server, 'GET', route, undefined, k.key), 'revoked key');
    });

    it('key routes need a platform_admin key', async () => {
      const admin = await createKey(server, 'tenant_admin', tenant.id);
      const user = await createKey(server, 'tenant_user', tenant.id);
      for (const key of [admin.key, user.key]) {
        assertError(await api(server, 'GET', '/api/v1/auth/keys', undefined, key), 403,
          'list keys');
        assertError(await api(server, 'POST', '/api/v1/auth/keys',
          { name: 'x', scope: 'tenant_user', tenant_id: tenant.id }, key), 403, 'create key');
        assertError(await api(server, 'POST', '/api/v1/auth/keys',
          { name: 'x', scope: 'platform_admin' }, key), 403, 'escalate to platform_admin');
        assertError(await api(server, 'DELETE', `/api/v1/auth/keys/${user.id}`, undefined, key),
          403, 'delete key');
      }
    });
  });
});

describe('admin api (auth off)', () => {
  let server;

  before(async () => {
    server = await startServer({ auth: false });
  });

  after(async () => {
    await server?.stop();
  });

  it('routes work without a key', async () => {
    const list = await api(server, 'GET', '/api/v1/admin/tenants', undefined, null);
    assert.equal(list.status, 200, list.text);
    const slug = randomSlug();
    const made = await api(server, 'POST', '/api/v1/admin/tenants', { slug, name: 'open' }, null);
    assert.equal(made.status, 201, made.text);
    const conn = await api(server, 'POST', `/api/v1/admin/tenants/${slug}/connectors`,
      { connector_type: 'everything', name: 'e' }, null);
    assert.equal(conn.status, 201, conn.text);
    const keys = await api(server, 'GET', '/api/v1/auth/keys', undefined, null);
    assert.equal(keys.status, 200, keys.text);
  });
});

describe('cors for browser clients', () => {
  let server;
  const allowed = 'https://ui.example.com';

  before(async () => {
    server = await startServer({ auth: true, env: { CORS_ALLOWED_ORIGINS: allowed } });
  });

  after(async () => {
    await server?.stop();
  });

  it('answers a preflight from an allowed origin with the route methods', async () => {
    const res = await fetch(`${server.baseUrl}/api/v1/admin/tenants`, {
      method: 'OPTIONS',
      headers: { origin: allowed, 'access-control-request-method': 'POST' },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), allowed);
    assert.equal(res.headers.get('access-control-allow-methods'), 'GET, POST');
    assert.match(res.headers.get('access-control-allow-headers'), /Authorization/);
  });

  it('refuses a preflight from another origin', async () => {
    const res = await fetch(`${server.baseUrl}/api/v1/admin/tenants`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'GET' },
    });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  });

  it('tags responses to an allowed origin only', async () => {
    const ok = await fetch(`${server.baseUrl}/api/v1/admin/tenants`, {
      headers: { origin: allowed, authorization: `Bearer ${server.adminKey}` },
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('access-control-allow-origin'), allowed);
    assert.match(ok.headers.get('access-control-expose-headers'), /Mcp-Session-Id/);
    const other = await fetch(`${server.baseUrl}/api/v1/admin/tenants`, {
      headers: { origin: 'https://evil.example.com', authorization: `Bearer ${server.adminKey}` },
    });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });
});
