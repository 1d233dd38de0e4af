// End-to-end external MCP servers: @modelcontextprotocol/server-everything (from npm) hosted as
// a stdio child process and driven through the gateway with the official SDK client. Every
// content type, resources, prompts and progress arrive intact; the child's environment holds
// none of the server's secrets; a child killed in the middle of a call fails that call, is
// restarted, serves the next one, and leaves no process behind.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  LoggingMessageNotificationSchema, ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';

import {
  checkProgress, checkResourcesAndPrompts, checkTools, EVERYTHING,
} from '../support/everything.mjs';
import {
  api, createKey, createTenant, expectStatus, mcpUrlOf, startServer,
} from '../support/server.mjs';

const require = createRequire(import.meta.url);

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/** Whether a process exists and is no zombie. */
function alive(pid) {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) {
    return false;
  }
  try {
    // The state follows the command name in parentheses.
    const text = readFileSync(stat, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The processes whose process group is `pgid`. */
function groupMembers(pgid) {
  const { readdirSync } = require('node:fs');
  const members = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) {
        members.push({ pid: Number(entry), state: fields[0] });
      }
    } catch {
      // gone meanwhile
    }
  }
  return members;
}

async function waitFor(what, predicate, ms = 15000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await predicate();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(100);
  }
}

describe('external MCP server e2e', () => {
  let server;
  let tenant;
  let tenantAdmin;
  let userKey;
  let connector;
  let client;

  const processPath = () => `/api/v1/admin/tenants/${tenant.slug}/connectors/${connector.id}/process`;

  before(async () => {
    server = await startServer({ auth: true });
    tenant = await createTenant(server);
    tenantAdmin = (await createKey(server, 'tenant_admin', tenant.id)).key;
    userKey = (await createKey(server, 'tenant_user', tenant.id)).key;
    connector = expectStatus(await api(server, 'POST', `/api/v1/admin/tenants/${tenant.slug}/connectors`, {
      runtime_type: 'external_nodejs',
      name: 'everything',
      runtime_command: [process.execPath, EVERYTHING, 'stdio'],
      runtime_env: { EVERYTHING_MARK: 'visible-5150' },
    }), 201, 'create external connector');
    const transport = new StreamableHTTPClientTransport(
      new URL(mcpUrlOf(server, tenant.slug, connector.id)),
      { requestInit: { headers: { Authorization: `Bearer ${userKey}` } } },
    );
    client = new Client({ name: 'sagemcp-e2e', version: '0.0.0' }, { capabilities: {} });
    await client.connect(transport);
  });

  after(async () => {
    await client?.close().catch(() => {});
    await server?.stop();
  });

  it('lets only platform administrators choose what runs', async () => {
    const refused = await api(server, 'POST', `/api/v1/admin/tenants/${tenant.slug}/connectors`, {
      runtime_type: 'external_custom', name: 'shell', runtime_command: ['/bin/sh', '-c', 'id'],
    }, tenantAdmin);
    assert.equal(refused.status, 403);
    const update = await api(server, 'PUT',
      `/api/v1/admin/tenants/${tenant.slug}/connectors/${connector.id}`,
      { runtime_env: { NODE_OPTIONS: '--require /tmp/evil.js' } }, tenantAdmin);
    assert.equal(update.status, 403);
    const bad = await api(server, 'POST', `/api/v1/admin/tenants/${tenant.slug}/connectors`, {
      runtime_type: 'external_custom', name: 'bad', runtime_command: 'npx everything',
    });
    assert.equal(bad.status, 400);
    assert.match(bad.json.detail, /runtime_command/);
    const unknown = await api(server, 'POST', `/api/v1/admin/tenants/${tenant.slug}/connectors`, {
      runtime_type: 'external_cobol', name: 'bad', runtime_command: ['x'],
    });
    assert.equal(unknown.status, 400);
    assert.deepEqual(connector.runtime_command, [process.execPath, EVERYTHING, 'stdio']);
  });

  it('relays tools with every content type', () => checkTools(client));

  it('relays resources, templates and prompts', () => checkResourcesAndPrompts(client));

  it('relays progress notifications of a call', () => checkProgress(client));

  it('relays the child\'s own log messages and resource updates outside any call', async () => {
    const logs = [];
    const updates = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => { logs.push(n.params); });
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => { updates.push(n.params.uri); });
    await client.setLoggingLevel('debug');
    const uri = 'demo://resource/static/document/architecture.md';
    await client.subscribeResource({ uri });
    await client.callTool({ name: 'toggle-simulated-logging', arguments: {} });
    await client.callTool({ name: 'toggle-subscriber-updates', arguments: {} });
    const quiet = logs.length;
    const quietUpdates = updates.length;
    try {
      // The child sends both every 5 s, when no call runs: through the session's own stream.
      await waitFor('log messages and updates outside calls',
        () => logs.length > quiet && updates.length > quietUpdates, 12000);
      assert.ok(logs.slice(quiet).every((l) => typeof l.level === 'string'));
      assert.ok(updates.includes(uri), JSON.stringify(updates));
    } finally {
      await client.callTool({ name: 'toggle-simulated-logging', arguments: {} });
      await client.callTool({ name: 'toggle-subscriber-updates', arguments: {} });
      await client.unsubscribeResource({ uri });
    }
  });

  it('gives the child none of the server\'s secrets', async () => {
    const res = await client.callTool({ name: 'get-env', arguments: {} });
    const env = JSON.parse(res.content[0].text);
    assert.equal(env.EVERYTHING_MARK, 'visible-5150');
    for (const name of Object.keys(env)) {
      assert.ok(!/^(SECRET_KEY|SAGEMCP_|DATABASE_URL|PG)/.test(name), `${name} leaked`);
    }
    const text = res.content[0].text;
    assert.ok(!text.includes(server.adminKey), 'the admin key leaked');
    assert.ok(env.HOME.startsWith(server.dataDir), env.HOME);
    assert.ok(env.PATH);
  });

  it('fails a call whose child dies, restarts it, and leaves no process behind', async () => {
    const before = expectStatus(await api(server, 'GET', processPath(), undefined, tenantAdmin),
      200, 'process status');
    assert.equal(before.processes.length, 1);
    const { pid } = before.processes[0];
    assert.equal(before.processes[0].status, 'running');
    assert.ok(alive(pid));

    const call = client.callTool({ name: 'trigger-long-running-operation',
      arguments: { duration: 20, steps: 20 } });
    await sleep(500);
    process.kill(pid, 'SIGKILL');
    const outcome = await call.then((r) => r, (e) => e);
    const failed = outcome instanceof Error || outcome.isError === true;
    assert.ok(failed, `the call did not fail: ${JSON.stringify(outcome)}`);
    assert.match(String(outcome.message ?? JSON.stringify(outcome.content)), /killed by signal 9/);

    const after = await waitFor('a restarted process', async () => {
      const status = expectStatus(await api(server, 'GET', processPath(), undefined, tenantAdmin),
        200, 'process status');
      const p = status.processes[0];
      return p && p.status === 'running' && p.pid !== pid ? p : null;
    });
    assert.equal(after.restart_count, 1);
    assert.match(after.error_message, /killed by signal 9/);
    await waitFor('the old process to be reaped', () => !alive(pid) && !existsSync(`/proc/${pid}`));
    assert.deepEqual(groupMembers(pid), [], 'a process of the killed group remains');

    const echo = await client.callTool({ name: 'echo', arguments: { message: 'again' } });
    assert.deepEqual(echo.content, [{ type: 'text', text: 'Echo: again' }]);
  });

  it('restarts and stops a process on request, tenant-checked', async () => {
    const other = await createTenant(server);
    const outsider = (await createKey(server, 'tenant_admin', other.id)).key;
    assert.equal((await api(server, 'GET', processPath(), undefined, outsider)).status, 403);
    assert.equal((await api(server, 'GET', processPath(), undefined, userKey)).status, 403);
    const { pid } = expectStatus(await api(server, 'GET', processPath()), 200, 'status').processes[0];
    assert.equal((await api(server, 'POST', `${processPath()}/restart`, undefined, tenantAdmin)).status,
      202);
    const restarted = await waitFor('a restarted process', async () => {
      const p = expectStatus(await api(server, 'GET', processPath()), 200, 'status').processes[0];
      return p && p.status === 'running' && p.pid !== pid ? p : null;
    });
    await waitFor('the old process to be reaped', () => !existsSync(`/proc/${pid}`));
    assert.equal((await api(server, 'DELETE', processPath(), undefined, tenantAdmin)).status, 204);
    await waitFor('the stopped process to be gone', () => !existsSync(`/proc/${restarted.pid}`));
    assert.deepEqual(groupMembers(restarted.pid), []);
    const none = expectStatus(await api(server, 'GET', processPath()), 200, 'status');
    assert.deepEqual(none.processes, []);
  });
});
