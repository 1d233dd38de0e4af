// Integration: tool calls are counted per day, tenant, connector and tool, flushed in batches to
// the database, and read through /api/v1/admin/usage and /api/v1/admin/stats.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { statelessPost } from '../support/mcp.mjs';
import { api, expectStatus, setupTenant, startServer } from '../support/server.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

describe('usage accounting', () => {
  let server;
  let ctx;
  let other;
  before(async () => {
    server = await startServer({ env: { SAGEMCP_USAGE_FLUSH_SECONDS: '1' } });
    ctx = await setupTenant(server);
    other = await setupTenant(server);
  });
  after(async () => {
    await server?.stop();
  });

  const call = (where, args) => statelessPost(where.mcpUrl, 'tools/call',
    { name: 'echo', arguments: args }, { key: where.tenantKey });

  it('counts calls and failed calls per tool and reports them', async () => {
    assert.equal((await call(ctx, { message: 'a' })).status, 200);
    assert.equal((await call(ctx, { message: 'b' })).status, 200);
    const failed = await call(ctx, { message: 42 });
    assert.equal(failed.json.result.isError, true);
    assert.equal((await call(other, { message: 'c' })).status, 200);
    let rows = [];
    for (let i = 0; i < 40; i += 1) {
      rows = expectStatus(await api(server, 'GET', `/api/v1/admin/usage?tenant_slug=${ctx.slug}`),
        200, 'usage');
      if (rows.length > 0 && rows[0].calls === 3) {
        break;
      }
      await sleep(100);
    }
    assert.equal(rows.length, 1);
    assert.deepEqual({ ...rows[0], day: undefined }, {
      day: undefined,
      tenant_slug: ctx.slug,
      connector_id: ctx.connectorId,
      tool_name: 'echo',
      calls: 3,
      errors: 1,
    });
    assert.match(rows[0].day, /^\d{4}-\d\d-\d\d$/);
    const all = expectStatus(await api(server, 'GET', '/api/v1/admin/usage?days=1'), 200, 'all');
    assert.deepEqual(all.map((r) => r.tenant_slug).sort(), [ctx.slug, other.slug].sort());
    const stats = expectStatus(await api(server, 'GET', '/api/v1/admin/stats'), 200, 'stats');
    assert.equal(stats.usage_today.calls, 4);
    assert.equal(stats.usage_today.errors, 1);
    assert.equal(stats.usage_today.calls_by_tenant[ctx.slug], 3);
    assert.equal(stats.usage_today.day, rows[0].day);
  });

  it('refuses bad filters and callers below platform admin', async () => {
    for (const bad of ['?days=0', '?days=400', '?days=x', '?tenant_slug=No%20Slug']) {
      assert.equal((await api(server, 'GET', `/api/v1/admin/usage${bad}`)).status, 400, bad);
    }
    assert.equal((await api(server, 'GET', '/api/v1/admin/usage', undefined, ctx.tenantKey))
      .status, 403);
  });
});
