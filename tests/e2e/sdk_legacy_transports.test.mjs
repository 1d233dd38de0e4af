// End-to-end: the official TypeScript SDK v1 client over the legacy HTTP+SSE transport and over
// WebSocket, against the everything connector.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  McpError,
  ResourceUpdatedNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import WebSocket from 'ws';

import {
  EVERYTHING_TOOLS,
  setupTenant,
  startServer,
  useServerWithTenant,
} from '../support/server.mjs';

/** A browser-style WebSocket class that sends an Authorization header (the SDK passes none). */
function webSocketWithKey(key) {
  return class extends WebSocket {
    constructor(url, protocols) {
      super(url, protocols, { headers: { Authorization: `Bearer ${key}` } });
    }
  };
}

/** Waits for `count` calls of a notification handler. */
function expectNotifications(client, schema, count = 1) {
  const seen = [];
  let done;
  const all = new Promise((resolve) => {
    done = resolve;
  });
  client.setNotificationHandler(schema, (note) => {
    seen.push(note);
    if (seen.length === count) {
      done(seen);
    }
  });
  return all;
}

/** Everything a client does on one transport; `connect()` returns a connected transport. */
function exercise(name, connect) {
  it(`${name}: initializes, lists, calls, streams progress and answers the server`, async () => {
    const client = new Client(
      { name: `sagemcp-e2e-${name}`, version: '0.0.0' },
      { capabilities: { sampling: {}, elicitation: {} } },
    );
    client.setRequestHandler(CreateMessageRequestSchema, async (req) => ({
      role: 'assistant',
      model: 'test-model',
      content: { type: 'text', text: `model says: ${req.params.messages[0].content.text}` },
    }));
    client.setRequestHandler(ElicitRequestSchema, async () => ({
      action: 'accept',
      content: { response: 'yes' },
    }));
    const errors = [];
    client.onerror = (err) => errors.push(err);
    try {
      await client.connect(connect());
      assert.equal(client.getServerVersion()?.name, 'sagemcp');
      assert.equal(client.getServerCapabilities()?.tools?.listChanged, true);

      const { tools } = await client.listTools();
      const names = tools.map((t) => t.name);
      for (const tool of EVERYTHING_TOOLS) {
        assert.ok(names.includes(tool), `${tool} missing`);
      }
      const sum = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
      assert.deepEqual(sum.structuredContent, { sum: 5 });

      const progress = [];
      const slow = await client.callTool(
        { name: 'test_tool_with_progress', arguments: {} },
        undefined,
        { onprogress: (p) => progress.push(p.progress) },
      );
      assert.match(slow.content[0].text, /progress executed successfully/);
      // The last notification and the result arrive together; the SDK handles notifications a
      // microtask later than responses and may drop progress that follows its result.
      assert.deepEqual(progress.slice(0, 2), [0, 50], String(progress));
      assert.ok(progress.length <= 3 && (progress.length < 3 || progress[2] === 100));

      const sampled = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'hi' } });
      assert.equal(sampled.content[0].text, 'LLM response: model says: hi');
      const elicited = await client.callTool({
        name: 'test_elicitation',
        arguments: { message: 'Proceed?' },
      });
      assert.match(elicited.content[0].text, /action=accept/);

      const read = await client.readResource({ uri: 'test://static-text' });
      assert.equal(read.contents[0].uri, 'test://static-text');
      const prompt = await client.getPrompt({ name: 'test_simple_prompt' });
      assert.equal(prompt.messages[0].role, 'user');

      // Server-initiated messages come on the same connection.
      const changed = expectNotifications(client, ToolListChangedNotificationSchema);
      await client.callTool({ name: 'test_trigger_tool_change', arguments: {} });
      await changed;
      const updated = expectNotifications(client, ResourceUpdatedNotificationSchema);
      await client.subscribeResource({ uri: 'test://watched-resource' });
      await client.callTool({ name: 'test_trigger_resource_update', arguments: {} });
      assert.equal((await updated)[0].params.uri, 'test://watched-resource');

      await assert.rejects(client.callTool({ name: 'no_such_tool', arguments: {} }), (err) => {
        assert.ok(err instanceof McpError, String(err));
        assert.equal(err.code, -32602);
        return true;
      });
      // See above: a progress notification handled after its result is reported as unknown.
      const unexpected = errors.map(String).filter((e) => !/progress notification for an unknown token/.test(e));
      assert.deepEqual(unexpected, []);
    } finally {
      await client.close();
    }
  });
}

describe('sdk client e2e: legacy transports', () => {
  const env = useServerWithTenant();

  describe('HTTP+SSE', () => {
    exercise('sse', () => new SSEClientTransport(new URL(`${env.ctx.mcpUrl}/sse`), {
      requestInit: { headers: { Authorization: `Bearer ${env.ctx.tenantKey}` } },
    }));

    it('announces where to POST and refuses messages of unknown connections', async () => {
      const controller = new AbortController();
      const res = await fetch(`${env.ctx.mcpUrl}/sse`, {
        headers: { accept: 'text/event-stream', authorization: `Bearer ${env.ctx.tenantKey}` },
        signal: controller.signal,
      });
      assert.equal(res.status, 200);
      const reader = res.body.getReader();
      const { value } = await reader.read();
      const text = new TextDecoder().decode(value);
      const match = /^event: endpoint\ndata: (\S+)\n\n/.exec(text);
      assert.ok(match, text);
      const endpoint = new URL(match[1], env.ctx.mcpUrl);
      assert.equal(endpoint.pathname, `${new URL(env.ctx.mcpUrl).pathname}/messages`);
      controller.abort();

      const post = (url, key = env.ctx.tenantKey) => fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
      });
      let answer = await post(`${env.ctx.mcpUrl}/messages`);
      assert.equal(answer.status, 400, await answer.text());
      answer = await post(`${env.ctx.mcpUrl}/messages?sessionId=unknown`);
      assert.equal(answer.status, 404, await answer.text());
      answer = await post(endpoint.href, 'smcp_tu_not-a-real-key-0000000000000000000000000');
      assert.equal(answer.status, 401, await answer.text());

      // A wrong URL is 404 before any stream opens.
      const missing = env.ctx.mcpUrl.replace(env.ctx.connectorId, '00000000-0000-4000-8000-000000000000');
      const gone = await fetch(`${missing}/sse`, {
        headers: { accept: 'text/event-stream', authorization: `Bearer ${env.ctx.tenantKey}` },
      });
      assert.equal(gone.status, 404, await gone.text());
    });
  });

  describe('WebSocket', () => {
    exercise('websocket', () => {
      globalThis.WebSocket = webSocketWithKey(env.ctx.tenantKey);
      return new WebSocketClientTransport(new URL(env.ctx.mcpUrl.replace(/^http/, 'ws')));
    });

    it('negotiates the mcp subprotocol and needs a key', async () => {
      const url = env.ctx.mcpUrl.replace(/^http/, 'ws');
      const open = (protocols, key) => new Promise((resolve) => {
        const options = key ? { headers: { Authorization: `Bearer ${key}` } } : {};
        const ws = new WebSocket(url, protocols, options);
        ws.on('open', () => {
          resolve({ protocol: ws.protocol, ws });
        });
        ws.on('unexpected-response', (_, res) => resolve({ status: res.statusCode }));
        ws.on('error', (err) => resolve({ error: err.message }));
      });
      const ok = await open(['mcp'], env.ctx.tenantKey);
      assert.equal(ok.protocol, 'mcp');
      const reply = new Promise((resolve) => ok.ws.once('message', (data) => resolve(String(data))));
      ok.ws.send('{"jsonrpc":"2.0","id":1,"method":');
      assert.equal(JSON.parse(await reply).error.code, -32700);
      ok.ws.close();
      assert.equal((await open(['other'], env.ctx.tenantKey)).status, 400);
      assert.equal((await open(['mcp'], undefined)).status, 401);
      const missing = url.replace(env.ctx.connectorId, '00000000-0000-4000-8000-000000000000');
      const gone = await new Promise((resolve) => {
        const ws = new WebSocket(missing, ['mcp'], { headers: { Authorization: `Bearer ${env.ctx.tenantKey}` } });
        ws.on('open', () => resolve({ opened: true }));
        ws.on('unexpected-response', (_, res) => resolve({ status: res.statusCode }));
        ws.on('error', (err) => resolve({ error: err.message }));
      });
      assert.deepEqual(gone, { status: 404 });
    });
  });

  it('a server with open connections that never initialized shuts down promptly', async () => {
    const server = await startServer({ auth: true });
    try {
      const ctx = await setupTenant(server);
      const sse = await fetch(`${ctx.mcpUrl}/sse`, {
        headers: { authorization: `Bearer ${ctx.tenantKey}` },
      });
      assert.equal(sse.status, 200);
      const ws = new WebSocket(ctx.mcpUrl.replace(/^http/, 'ws'), ['mcp'], {
        headers: { Authorization: `Bearer ${ctx.tenantKey}` },
      });
      await new Promise((resolve, reject) => {
        ws.on('open', resolve);
        ws.on('error', reject);
      });
      const closed = new Promise((resolve) => {
        ws.on('close', (code, reason) => resolve({ code, reason: String(reason) }));
      });
      const started = Date.now();
      const exit = await server.stop();
      assert.deepEqual(exit, { code: 0, signal: null }, server.logs());
      assert.ok(Date.now() - started < 4000, `shutdown took ${Date.now() - started} ms`);
      // The WebSocket hears why it ends (1001, going away) rather than losing its connection.
      assert.deepEqual(await closed, { code: 1001, reason: 'server shutting down' });
    } finally {
      await server.stop();
    }
  });
});
