// End-to-end remote MCP servers: the gateway reaches @modelcontextprotocol/server-everything
// (from npm) over Streamable HTTP and over HTTP+SSE, and a header-checking SDK server over
// Streamable HTTP with JSON answers. Clients of both protocol eras drive them through the
// gateway; static headers reach the remote server and the client's own token never does; an
// upstream that restarts (and so forgets its session) is reached again.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';

import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

import {
  checkProgress, checkResourcesAndPrompts, checkTools, startEverythingHttp,
} from '../support/everything.mjs';
import {
  api, createKey, createTenant, expectStatus, mcpUrlOf, startServer,
} from '../support/server.mjs';

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

async function freePort() {
  const probe = net.createServer();
  await new Promise((resolve) => { probe.listen(0, '127.0.0.1', resolve); });
  const { port } = probe.address();
  await new Promise((resolve) => { probe.close(resolve); });
  return port;
}

async function waitFor(what, predicate, ms = 20000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await predicate().catch(() => null);
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(200);
  }
}

/**
 * A stateless SDK server answering with JSON that insists on an x-api-key header and records the
 * headers of every request.
 */
async function startGuarded() {
  const seen = [];
  const server = http.createServer(async (req, res) => {
    seen.push({ method: req.method, headers: { ...req.headers } });
    if (req.headers['x-api-key'] !== 'k-123') {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Unauthorized: no valid x-api-key' } }));
      return;
    }
    let body = '';
    for await (const chunk of req) {
      body += chunk;
    }
    const mcp = new McpServer({ name: 'guarded', version: '1.0.0' });
    mcp.registerTool('whoami', { description: 'Names the calling team' }, async (extra) => ({
      content: [{ type: 'text', text: `team=${extra.requestInfo?.headers['x-team']}` }],
    }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      transport.close();
      mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(req, res, body ? JSON.parse(body) : undefined);
  });
  await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
  return {
    url: `http://127.0.0.1:${server.address().port}/mcp`,
    seen,
    stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

describe('remote MCP server e2e', () => {
  let server;
  let tenant;
  let tenantAdmin;
  let userKey;
  let streamable;
  let streamablePort;
  let sse;
  let guarded;
  let connector;
  let client;
  const connectors = `/api/v1/admin/tenants/`;

  const createRemote = (body, key = tenantAdmin) =>
    api(server, 'POST', `${connectors}${tenant.slug}/connectors`, { runtime_type: 'external_remote', ...body }, key);
  const processOf = (id) => `${connectors}${tenant.slug}/connectors/${id}/process`;

  const connect = async (id) => {
    const c = new Client({ name: 'sagemcp-e2e', version: '0.0.0' }, { capabilities: {} });
    await c.connect(new StreamableHTTPClientTransport(new URL(mcpUrlOf(server, tenant.slug, id)), {
      requestInit: { headers: { Authorization: `Bearer ${userKey}` } },
    }));
    return c;
  };

  before(async () => {
    streamablePort = await freePort();
    streamable = await startEverythingHttp('streamableHttp', streamablePort);
    sse = await startEverythingHttp('sse', await freePort());
    guarded = await startGuarded();
    server = await startServer({ auth: true, env: { SAGEMCP_ALLOW_PRIVATE_UPSTREAMS: 'true' } });
    tenant = await createTenant(server);
    tenantAdmin = (await createKey(server, 'tenant_admin', tenant.id)).key;
    userKey = (await createKey(server, 'tenant_user', tenant.id)).key;
    // A tenant administrator may add a remote server: it runs nothing on the gateway.
    connector = expectStatus(await createRemote({
      name: 'everything-http',
      configuration: { url: `http://127.0.0.1:${streamablePort}/mcp` },
    }), 201, 'create remote connector');
    client = await connect(connector.id);
  });

  after(async () => {
    await client?.close().catch(() => {});
    await server?.stop();
    await streamable?.stop();
    await sse?.stop();
    await guarded?.stop();
  });

  it('refuses bad remote configurations', async () => {
    const cases = [
      [{ name: 'x' }, /url/],
      [{ name: 'x', configuration: { url: 'ftp://example.com/mcp' } }, /url/],
      [{ name: 'x', configuration: { url: 'http://127.0.0.1:1/mcp', transport: 'carrier-pigeon' } }, /transport/],
      [{ name: 'x', configuration: { url: 'http://127.0.0.1:1/mcp', oauth_provider: 'nope' } }, /oauth_provider/],
      [{ name: 'x', configuration: { url: 'http://127.0.0.1:1/mcp', credential_mode: 'user' } }, /oauth_provider/],
      [{ name: 'x', configuration: { url: 'http://127.0.0.1:1/mcp' }, runtime_env: { 'Mcp-Session-Id': 'x' } }, /Mcp-Session-Id/],
      [{ name: 'x', configuration: { url: 'http://127.0.0.1:1/mcp' }, runtime_env: { 'Bad Header': 'x' } }, /header/],
      [{ name: 'x', configuration: { url: 'http://127.0.0.1:1/mcp' }, runtime_command: ['sh'] }, /runtime_command|command/],
    ];
    for (const [body, pattern] of cases) {
      const res = await createRemote(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(res.json.detail, pattern, JSON.stringify(body));
    }
    assert.equal(connector.configuration.url, `http://127.0.0.1:${streamablePort}/mcp`);
  });

  it('relays tools with every content type over Streamable HTTP', () => checkTools(client));

  it('relays resources, templates and prompts', () => checkResourcesAndPrompts(client));

  it('relays progress notifications from the answer stream', () => checkProgress(client));

  it('serves a 2026-07-28 client from the session-era upstream', async () => {
    const modern = new ClientV2({ name: 'sagemcp-e2e-v2', version: '0.0.0' },
      { capabilities: {}, versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await modern.connect(new TransportV2(new URL(mcpUrlOf(server, tenant.slug, connector.id)), {
      requestInit: { headers: { Authorization: `Bearer ${userKey}` } },
    }));
    try {
      assert.equal(modern.getNegotiatedProtocolVersion(), '2026-07-28');
      const { tools } = await modern.listTools();
      assert.ok(tools.some((t) => t.name === 'echo'));
      const echoed = await modern.callTool({ name: 'echo', arguments: { message: 'modern' } });
      assert.deepEqual(echoed.content, [{ type: 'text', text: 'Echo: modern' }]);
      const image = await modern.callTool({ name: 'get-tiny-image', arguments: {} });
      assert.ok(image.content.some((c) => c.type === 'image' && c.mimeType === 'image/png'));
      const prompt = await modern.getPrompt({ name: 'args-prompt', arguments: { city: 'Porto' } });
      assert.match(JSON.stringify(prompt.messages), /Porto/);
      const read = await modern.readResource({ uri: 'demo://resource/dynamic/text/2' });
      assert.equal(read.contents[0].uri, 'demo://resource/dynamic/text/2');
    } finally {
      await modern.close();
    }
  });

  it('shows the link in the process status, tenant-checked', async () => {
    const status = expectStatus(await api(server, 'GET', processOf(connector.id), undefined, tenantAdmin),
      200, 'status');
    assert.equal(status.processes.length, 1);
    const [link] = status.processes;
    assert.equal(link.status, 'running');
    assert.equal(link.transport, 'streamable_http');
    assert.equal(link.runtime_type, 'external_remote');
    assert.equal(link.pid, null);
    assert.equal(link.server_info.name, 'mcp-servers/everything');
    assert.equal((await api(server, 'GET', processOf(connector.id), undefined, userKey)).status, 403);
  });

  it('reaches an upstream again after it restarted and forgot the session', async () => {
    await streamable.stop();
    streamable = await startEverythingHttp('streamableHttp', streamablePort);
    // The first call may meet the old session's end; the link then starts a new one.
    const echoed = await waitFor('a call through a new upstream session', async () => {
      const r = await client.callTool({ name: 'echo', arguments: { message: 'back' } });
      return r.isError ? null : r;
    });
    assert.deepEqual(echoed.content, [{ type: 'text', text: 'Echo: back' }]);
    const status = expectStatus(await api(server, 'GET', processOf(connector.id)), 200, 'status');
    assert.ok(status.processes[0].restart_count >= 1, JSON.stringify(status.processes[0]));
  });

  it('applies the tool policy to the remote server\'s own tools', async () => {
    const toolsPath = `${connectors}${tenant.slug}/connectors/${connector.id}/tools`;
    const policy = expectStatus(await api(server, 'GET', toolsPath, undefined, tenantAdmin), 200, 'policy');
    const names = policy.tools.map((t) => t.tool_name);
    assert.ok(names.includes('echo') && names.includes('get-tiny-image'), names.join(', '));
    assert.equal(policy.summary.total, names.length);
    assert.equal(policy.summary.disabled, 0);
    expectStatus(await api(server, 'PATCH', `${toolsPath}/echo`, { is_enabled: false }, tenantAdmin), 200, 'disable');
    assert.equal((await api(server, 'PATCH', `${toolsPath}/no-such-tool`, { is_enabled: false }, tenantAdmin)).status, 404);
    const c = await connect(connector.id);
    try {
      const { tools } = await c.listTools();
      assert.ok(!tools.some((t) => t.name === 'echo'), 'a disabled tool is listed');
      assert.ok(tools.some((t) => t.name === 'get-tiny-image'));
      const refused = await c.callTool({ name: 'echo', arguments: { message: 'x' } })
        .then((r) => JSON.stringify(r), (e) => e.message);
      assert.match(refused, /Unknown tool|echo/);
      const after = expectStatus(await api(server, 'GET', toolsPath, undefined, tenantAdmin), 200, 'policy');
      assert.equal(after.summary.disabled, 1);
      expectStatus(await api(server, 'POST', `${toolsPath}/enable-all`, undefined, tenantAdmin), 200, 'enable all');
    } finally {
      await c.close();
    }
  });

  it('falls back to HTTP+SSE for a server of that era', async () => {
    const legacy = expectStatus(await createRemote({
      name: 'everything-sse',
      configuration: { url: `http://127.0.0.1:${sse.port}/sse` },
    }), 201, 'create sse connector');
    const c = await connect(legacy.id);
    try {
      const echoed = await c.callTool({ name: 'echo', arguments: { message: 'old times' } });
      assert.deepEqual(echoed.content, [{ type: 'text', text: 'Echo: old times' }]);
      await checkProgress(c);
      const status = expectStatus(await api(server, 'GET', processOf(legacy.id)), 200, 'status');
      assert.equal(status.processes[0].transport, 'sse');
    } finally {
      await c.close();
    }
  });

  it('sends the configured headers and never the client\'s token', async () => {
    const remote = expectStatus(await createRemote({
      name: 'guarded',
      configuration: { url: guarded.url },
      runtime_env: { 'X-Api-Key': 'wrong', 'X-Team': 'blue' },
    }), 201, 'create guarded connector');
    // The header values are secrets: only their names are shown.
    assert.deepEqual(remote.runtime_env_keys, ['X-Api-Key', 'X-Team']);
    assert.ok(!JSON.stringify(remote).includes('wrong'));

    const refused = await connect(remote.id).then(async (c) => {
      try {
        return await c.callTool({ name: 'whoami', arguments: {} });
      } finally {
        await c.close();
      }
    }).then((r) => (r.isError ? JSON.stringify(r.content) : 'accepted'), (e) => e.message);
    assert.match(refused, /Unauthorized: no valid x-api-key/);

    expectStatus(await api(server, 'PUT', `${connectors}${tenant.slug}/connectors/${remote.id}`,
      { runtime_env: { 'X-Api-Key': 'k-123' } }, tenantAdmin), 200, 'update headers');
    const c = await connect(remote.id);
    try {
      const who = await c.callTool({ name: 'whoami', arguments: {} });
      assert.deepEqual(who.content, [{ type: 'text', text: 'team=blue' }]);
    } finally {
      await c.close();
    }
    const accepted = guarded.seen.filter((r) => r.headers['x-api-key'] === 'k-123');
    assert.ok(accepted.length > 0);
    for (const request of guarded.seen) {
      assert.ok(!JSON.stringify(request.headers).includes(userKey), 'the client token was forwarded');
      assert.equal(request.headers.authorization, undefined);
    }
  });

  it('says how to connect the OAuth account a remote server needs', async () => {
    const remote = expectStatus(await createRemote({
      name: 'needs-github',
      configuration: { url: guarded.url, oauth_provider: 'github' },
    }), 201, 'create oauth connector');
    assert.equal(remote.configuration.oauth_provider, 'github');
    const c = await connect(remote.id).catch((e) => e);
    const message = c instanceof Error ? c.message
      : await c.listTools().then(() => 'listed', (e) => e.message).finally(() => c.close());
    assert.match(message, new RegExp(`/api/v1/oauth/${tenant.slug}/auth/github`));
  });
});
