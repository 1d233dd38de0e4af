// Integration: the audit log records every admin change (who, what, when) and no value a change
// wrote, and is readable by platform admins and, for their tenant, by tenant admins.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { api, createKey, expectStatus, useServerWithTenant } from '../support/server.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

describe('audit log', () => {
  const env = useServerWithTenant({ other: true });

  async function audit(query = '', key) {
    return expectStatus(await api(env.server, 'GET', `/api/v1/admin/audit${query}`, undefined, key),
      200, 'audit');
  }

  // Entries are written after the change is answered; wait until `count` match.
  async function entries(predicate, count = 1) {
    let found = [];
    for (let i = 0; i < 50 && found.length < count; i += 1) {
      found = (await audit('?limit=1000')).filter(predicate);
      if (found.length < count) {
        await sleep(20);
      }
    }
    return found;
  }

  it('records who changed what and when, newest first, without the values written', async () => {
    const { ctx } = env;
    const tools = `/api/v1/admin/tenants/${ctx.slug}/connectors/${ctx.connectorId}/tools`;
    expectStatus(await api(env.server, 'PATCH', `${tools}/echo`, { is_enabled: false }), 200, 'p');
    const key = await createKey(env.server, 'tenant_admin', ctx.tenantId, 'secretive');
    const [patch] = await entries((e) => e.action.startsWith('PATCH'));
    assert.equal(patch.action,
      'PATCH /api/v1/admin/tenants/{tenant}/connectors/{connector}/tools/{tool}');
    assert.equal(patch.tenant_slug, ctx.slug);
    assert.deepEqual(patch.target, { tenant: ctx.slug, connector: ctx.connectorId, tool: 'echo' });
    assert.deepEqual(patch.detail.fields, ['is_enabled']);
    assert.equal(patch.detail.status, 200);
    assert.equal(patch.actor_scope, 'platform_admin');
    assert.match(patch.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const [created] = await entries((e) => e.action === 'POST /api/v1/auth/keys'
      && e.target.id === key.id);
    assert.equal(created.tenant_slug, ctx.slug);
    assert.deepEqual(created.detail.fields.sort(), ['name', 'scope', 'tenant_id']);
    const whole = JSON.stringify(await audit('?limit=1000'));
    assert.ok(!whole.includes(key.key), 'the audit log holds a key');
    assert.ok(!whole.includes('secretive'), 'the audit log holds a value the change wrote');
    // The tenant's creation names the tenant it made.
    const [tenant] = await entries((e) => e.action === 'POST /api/v1/admin/tenants'
      && e.target.id === ctx.tenantId);
    assert.equal(tenant.tenant_slug, ctx.slug);
    // Newest first.
    const all = await audit('?limit=1000');
    const times = all.map((e) => e.at);
    assert.deepEqual([...times].sort().reverse(), times);
  });

  it('records neither reads nor failed changes', async () => {
    const before = (await audit('?limit=1000')).length;
    await api(env.server, 'GET', '/api/v1/admin/tenants');
    await api(env.server, 'DELETE', '/api/v1/admin/tenants/no-such-tenant');
    await api(env.server, 'POST', '/api/v1/admin/tenants', { slug: 'Bad Slug' });
    await sleep(100);
    assert.equal((await audit('?limit=1000')).length, before);
  });

  it('filters by tenant, limits, and shows tenant admins their own tenant only', async () => {
    const { ctx, other } = env;
    const own = await audit(`?tenant_slug=${ctx.slug}&limit=1000`);
    assert.ok(own.length >= 3);
    assert.ok(own.every((e) => e.tenant_slug === ctx.slug));
    assert.equal((await audit('?limit=2')).length, 2);
    for (const bad of ['?limit=0', '?limit=abc', '?limit=5000', '?tenant_slug=Not%20A%20Slug']) {
      assert.equal((await api(env.server, 'GET', `/api/v1/admin/audit${bad}`)).status, 400, bad);
    }
    const admin = await createKey(env.server, 'tenant_admin', ctx.tenantId);
    const mine = expectStatus(await api(env.server, 'GET',
      `/api/v1/admin/tenants/${ctx.slug}/audit?limit=1000`, undefined, admin.key), 200, 'mine');
    assert.ok(mine.length >= 3 && mine.every((e) => e.tenant_slug === ctx.slug));
    assert.equal((await api(env.server, 'GET', `/api/v1/admin/tenants/${other.slug}/audit`,
      undefined, admin.key)).status, 403);
    assert.equal((await api(env.server, 'GET', '/api/v1/admin/audit', undefined, admin.key))
      .status, 403);
  });
});
