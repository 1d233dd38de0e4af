// Black-box tests of the MCP Streamable HTTP endpoint (legacy era) with raw fetch.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import {
  LATEST_VERSION,
  initialize,
  httpPost,
  initializeRequest,
  mcpDelete,
  mcpPost,
  openSession,
  rpc,
} from '../support/mcp.mjs';
import {
  EVERYTHING_TOOLS,
  api,
  createConnector,
  createKey,
  mcpUrlOf,
  setupTenant,
  startServer,
  useServerWithTenant,
} from '../support/server.mjs';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Asserts a JSON-RPC error response with `code`. */
function assertRpcError(res, code, what) {
  assert.ok(res.json && typeof res.json === 'object', `${what}: body is not JSON: ${res.text}`);
  assert.equal(res.json.jsonrpc, '2.0', `${what}: ${res.text}`);
  assert.ok(res.json.error, `${what}: no error member: ${res.text}`);
  if (code !== undefined) {
    assert.equal(res.json.error.code, code, `${what}: ${res.text}`);
  } else {
    assert.equal(typeof res.json.error.code, 'number', `${what}: ${res.text}`);
  }
  assert.equal(typeof res.json.error.message, 'string', `${what}: ${res.text}`);
}

describe('mcp streamable http', () => {
  let server;
  let ctx;
  let other;
  let session;

  const callTool = async (name, args) => {
    const res = await session.request('tools/call', { name, arguments: args });
    assert.equal(res.status, 200, `tools/call ${name}: ${res.status} ${res.text}`);
    assert.ok(res.json?.result, `tools/call ${name}: no result: ${res.text}`);
    return res.json.result;
  };

  before(async () => {
    server = await startServer({ auth: true });
    ctx = await setupTenant(server);
    other = await setupTenant(server);
    session = await openSession(ctx.mcpUrl, ctx.tenantKey);
  });

  after(async () => {
    await server?.stop();
  });

  describe('dns rebinding protection', () => {
    it('a foreign Host is 403 on a loopback server', async () => {
      const res = await httpPost(ctx.mcpUrl, JSON.stringify(initializeRequest()), {
        key: ctx.tenantKey,
        headers: { host: 'evil.example.com' },
      });
      assert.equal(res.status, 403, res.text);
      assert.equal(JSON.parse(res.text).error.code, -32000);
    });

    it('a foreign Origin is 403', async () => {
      const res = await httpPost(ctx.mcpUrl, JSON.stringify(initializeRequest()), {
        key: ctx.tenantKey,
        headers: { origin: 'http://evil.example.com' },
      });
      assert.equal(res.status, 403, res.text);
    });

    it('a loopback Origin and Host are accepted', async () => {
      const res = await httpPost(ctx.mcpUrl, JSON.stringify(initializeRequest()), {
        key: ctx.tenantKey,
        headers: { host: 'localhost', origin: 'http://localhost:6274' },
      });
      assert.equal(res.status, 200, res.text);
    });
  });

  describe('http framing', () => {
    for (const [why, accept] of [
      ['only application/json', 'application/json'],
      ['only text/event-stream', 'text/event-stream'],
      ['missing', null],
    ]) {
      it(`Accept ${why} is 406`, async () => {
        const res = await mcpPost(ctx.mcpUrl, initializeRequest(), { key: ctx.tenantKey, accept });
        assert.equal(res.status, 406, res.text);
      });
    }

    it('Accept listing both types (with parameters) is accepted', async () => {
      const res = await mcpPost(ctx.mcpUrl, initializeRequest(), {
        key: ctx.tenantKey,
        accept: 'text/event-stream;q=0.9, application/json;q=1.0',
      });
      assert.equal(res.status, 200, res.text);
    });

    it('Content-Type other than application/json is 415', async () => {
      const res = await mcpPost(ctx.mcpUrl, initializeRequest(),
        { key: ctx.tenantKey, contentType: 'text/plain' });
      assert.equal(res.status, 415, res.text);
    });

    it('Content-Type application/json; charset=utf-8 is accepted', async () => {
      const res = await mcpPost(ctx.mcpUrl, initializeRequest(),
        { key: ctx.tenantKey, contentType: 'application/json; charset=utf-8' });
      assert.equal(res.status, 200, res.text);
    });

    const paddedInitialize = (bytes) => {
      const message = initializeRequest();
      message.params.pad = '';
      const overhead = Buffer.byteLength(JSON.stringify(message));
      message.params.pad = 'x'.repeat(bytes - overhead);
      const body = JSON.stringify(message);
      assert.equal(Buffer.byteLength(body), bytes);
      return body;
    };

    for (const chunked of [false, true]) {
      const framing = chunked ? 'chunked' : 'with Content-Length';
      it(`a body over 4 MiB is 413 (${framing})`, async () => {
        const body = paddedInitialize(4 * 1024 * 1024 + 1024);
        const res = await httpPost(ctx.mcpUrl, body, { key: ctx.tenantKey, chunked });
        assert.equal(res.error, undefined, `no HTTP response: ${res.error}`);
        assert.equal(res.status, 413, res.text);
      });

      it(`a body just under 4 MiB is accepted (${framing})`, async () => {
        const body = paddedInitialize(4 * 1024 * 1024 - 1024);
        const res = await httpPost(ctx.mcpUrl, body, { key: ctx.tenantKey, chunked });
        assert.equal(res.error, undefined, `no HTTP response: ${res.error}`);
        assert.equal(res.status, 200, res.text.slice(0, 500));
      });
    }

    it('invalid JSON is 400 with -32700 and id null', async () => {
      const res = await session.post(undefined, { rawBody: '{"jsonrpc":"2.0","id":1,"method":' });
      assert.equal(res.status, 400, res.text);
      assertRpcError(res, -32700, 'parse error');
      assert.ok('id' in res.json, `no id member: ${res.text}`);
      assert.equal(res.json.id, null);
    });

    for (const [why, body] of [['an object without jsonrpc', '{"foo":1}'], ['a number', '42']]) {
      it(`a JSON value that is not JSON-RPC (${why}) is 400 with -32600`, async () => {
        const res = await session.post(undefined, { rawBody: body });
        assert.equal(res.status, 400, res.text);
        assertRpcError(res, -32600, why);
      });
    }
  });

  describe('initialize', () => {
    it('returns protocolVersion, tools capability, serverInfo and a session id', async () => {
      const res = await initialize(ctx.mcpUrl, ctx.tenantKey, LATEST_VERSION);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.jsonrpc, '2.0');
      const result = res.json.result;
      assert.ok(result, res.text);
      assert.equal(result.protocolVersion, LATEST_VERSION);
      assert.equal(typeof result.capabilities, 'object');
      assert.equal(typeof result.capabilities.tools, 'object', res.text);
      assert.notEqual(result.capabilities.tools, null);
      assert.equal(typeof result.serverInfo?.name, 'string', res.text);
      assert.equal(typeof result.serverInfo?.version, 'string', res.text);
      assert.ok(res.sessionId, 'no Mcp-Session-Id header');
      assert.match(res.sessionId, /^[\x21-\x7E]+$/);
    });

    it('each initialize mints a distinct session id', async () => {
      const a = await initialize(ctx.mcpUrl, ctx.tenantKey);
      const b = await initialize(ctx.mcpUrl, ctx.tenantKey);
      assert.ok(a.sessionId && b.sessionId);
      assert.notEqual(a.sessionId, b.sessionId);
    });

    for (const version of ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25']) {
      it(`protocol version ${version} is answered as sent`, async () => {
        const res = await initialize(ctx.mcpUrl, ctx.tenantKey, version);
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.result?.protocolVersion, version, res.text);
      });
    }

    for (const version of ['1999-01-01', '2099-01-01']) {
      it(`unsupported protocol version ${version} gets ${LATEST_VERSION}`, async () => {
        const res = await initialize(ctx.mcpUrl, ctx.tenantKey, version);
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.result?.protocolVersion, LATEST_VERSION, res.text);
      });
    }
  });

  describe('sessions', () => {
    it('a request without Mcp-Session-Id is 400 with a JSON-RPC error', async () => {
      const res = await mcpPost(ctx.mcpUrl, rpc('tools/list'),
        { key: ctx.tenantKey, protocolVersion: LATEST_VERSION });
      assert.equal(res.status, 400, res.text);
      assertRpcError(res, undefined, 'missing session');
    });

    it('an unknown session id is 404 with -32001', async () => {
      const res = await mcpPost(ctx.mcpUrl, rpc('tools/list'),
        { key: ctx.tenantKey, sessionId: randomUUID(), protocolVersion: LATEST_VERSION });
      assert.equal(res.status, 404, res.text);
      assertRpcError(res, -32001, 'unknown session');
    });

    for (const version of ['2099-01-01', 'garbage']) {
      it(`MCP-Protocol-Version ${version} is 400`, async () => {
        const res = await session.request('ping');
        assert.equal(res.status, 200, `control request failed: ${res.text}`);
        const bad = await session.post(rpc('ping'), { protocolVersion: version });
        assert.equal(bad.status, 400, bad.text);
      });
    }

    it('notifications/initialized is 202 with an empty body', async () => {
      const res = await session.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
      assert.equal(res.status, 202, res.text);
      assert.equal(res.text, '');
    });

    it('a POSTed JSON-RPC response is 202', async () => {
      const res = await session.post({ jsonrpc: '2.0', id: 'client-reply-1', result: {} });
      assert.equal(res.status, 202, res.text);
      assert.equal(res.text, '');
    });

    it('DELETE ends the session; later POSTs get 404', async () => {
      const s = await openSession(ctx.mcpUrl, ctx.tenantKey);
      assert.equal((await s.request('ping')).status, 200);
      const del = await mcpDelete(ctx.mcpUrl, ctx.tenantKey, s.sessionId);
      assert.equal(del.status, 200, del.text);
      const afterDelete = await s.request('tools/list');
      assert.equal(afterDelete.status, 404, afterDelete.text);
      const again = await mcpDelete(ctx.mcpUrl, ctx.tenantKey, s.sessionId);
      assert.equal(again.status, 404, again.text);
    });

    it('DELETE without Mcp-Session-Id is 400', async () => {
      const res = await mcpDelete(ctx.mcpUrl, ctx.tenantKey, undefined);
      assert.equal(res.status, 400, res.text);
    });

    it('DELETE with an unknown session id is 404', async () => {
      const res = await mcpDelete(ctx.mcpUrl, ctx.tenantKey, randomUUID());
      assert.equal(res.status, 404, res.text);
    });

    it('a session does not work on another connector', async () => {
      const t = await setupTenant(server);
      const c2 = await createConnector(server, t.slug, { name: 'second' });
      const s1 = await openSession(t.mcpUrl, t.tenantKey);
      const own = await initialize(mcpUrlOf(server, t.slug, c2.id), t.tenantKey);
      assert.equal(own.status, 200, `initialize on the second connector: ${own.text}`);
      const res = await mcpPost(mcpUrlOf(server, t.slug, c2.id), rpc('tools/list'), {
        key: t.tenantKey,
        sessionId: s1.sessionId,
        protocolVersion: s1.protocolVersion,
      });
      assert.equal(res.status, 404, res.text);
    });
  });

  describe('json-rpc ids', () => {
    for (const id of ['abc-123', 7, 0, 9007199254740991]) {
      it(`the response echoes id ${JSON.stringify(id)}`, async () => {
        const res = await session.request('ping', undefined, id);
        assert.equal(res.status, 200, res.text);
        assert.ok('id' in res.json, res.text);
        assert.strictEqual(res.json.id, id);
        const raw = res.text.includes(`"id":${JSON.stringify(id)}`)
          || res.text.includes(`"id": ${JSON.stringify(id)}`);
        assert.ok(raw, `id not echoed verbatim in ${res.text}`);
      });
    }

    it('an error response echoes the request id', async () => {
      const res = await session.request('foo/bar', {}, 'err-id');
      assert.strictEqual(res.json?.id, 'err-id', res.text);
    });
  });

  describe('methods and tools', () => {
    it('initialize advertises resources, prompts, completions and logging', async () => {
      const res = await mcpPost(ctx.mcpUrl, initializeRequest(), { key: ctx.tenantKey });
      assert.equal(res.status, 200, res.text);
      const caps = res.json.result.capabilities;
      assert.deepEqual(caps.resources, { subscribe: true, listChanged: true });
      assert.ok(caps.prompts && caps.completions && caps.logging && caps.tools, res.text);
    });

    it('resources/read returns text and -32002 with data.uri for an unknown uri', async () => {
      const ok = await session.request('resources/read', { uri: 'test://static-text' });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.json.result.contents[0].mimeType, 'text/plain');
      const missing = await session.request('resources/read', { uri: 'test://nope' });
      assert.equal(missing.status, 200, missing.text);
      assert.equal(missing.json.error.code, -32002);
      assert.deepEqual(missing.json.error.data, { uri: 'test://nope' });
    });

    it('prompts/get renders arguments and rejects a missing one with -32602', async () => {
      const ok = await session.request('prompts/get', {
        name: 'test_prompt_with_arguments',
        arguments: { arg1: 'x', arg2: 'y' },
      });
      assert.equal(ok.json.result.messages[0].content.text, "Prompt with arguments: arg1='x', arg2='y'");
      const bad = await session.request('prompts/get', {
        name: 'test_prompt_with_arguments',
        arguments: { arg1: 'x' },
      });
      assert.equal(bad.json.error.code, -32602, bad.text);
    });

    it('logging/setLevel accepts RFC 5424 levels only', async () => {
      const ok = await session.request('logging/setLevel', { level: 'warning' });
      assert.deepEqual(ok.json.result, {});
      const bad = await session.request('logging/setLevel', { level: 'loud' });
      assert.equal(bad.json.error.code, -32602, bad.text);
    });

    it('a 2025-03-26 session accepts batches and answers in order', async () => {
      const old = await openSession(ctx.mcpUrl, ctx.tenantKey, '2025-03-26');
      const res = await old.post([
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        rpc('ping', {}, 'a'),
        rpc('tools/call', { name: 'echo', arguments: { message: 'x' } }, 'b'),
        rpc('no/such/method', {}, 'c'),
      ]);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json.map((r) => r.id), ['a', 'b', 'c']);
      assert.equal(res.json[1].result.content[0].text, 'Echo: x');
      assert.equal(res.json[2].error.code, -32601);
      const notes = await old.post([{ jsonrpc: '2.0', method: 'notifications/initialized' }]);
      assert.equal(notes.status, 202, notes.text);
      const empty = await old.post([]);
      assert.equal(empty.status, 400, empty.text);
      assert.equal(empty.json.error.code, -32600);
      const init = await old.post([initializeRequest()]);
      assert.equal(init.status, 400, init.text);
    });

    it('batches are refused under protocol versions that removed them', async () => {
      const res = await session.post([rpc('ping', {}, 'a')]);
      assert.equal(res.status, 400, res.text);
      assert.equal(res.json.error.code, -32600);
    });

    it('ping returns {}', async () => {
      const res = await session.request('ping');
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json.result, {});
    });

    it('tools/list has the everything tools with schemas', async () => {
      const res = await session.request('tools/list', {});
      assert.equal(res.status, 200, res.text);
      const tools = res.json.result?.tools;
      assert.ok(Array.isArray(tools), res.text);
      const names = tools.map((t) => t.name);
      for (const name of EVERYTHING_TOOLS) {
        assert.ok(names.includes(name), `${name} missing from ${names.join(', ')}`);
      }
      for (const tool of tools) {
        assert.equal(typeof tool.name, 'string');
        assert.equal(typeof tool.description, 'string', `${tool.name} has no description`);
        assert.equal(tool.inputSchema?.type, 'object', `${tool.name} inputSchema`);
      }
    });

    it('echo returns "Echo: hi"', async () => {
      const result = await callTool('echo', { message: 'hi' });
      assert.deepEqual(result.content, [{ type: 'text', text: 'Echo: hi' }]);
      assert.notEqual(result.isError, true);
    });

    it('echo keeps unicode and quotes intact', async () => {
      const message = 'héllo "wörld" \\ 🚀\n';
      const result = await callTool('echo', { message });
      assert.equal(result.content[0].text, `Echo: ${message}`);
    });

    it('add 2 + 3 = 5 and 1.5 + 2 = 3.5', async () => {
      const five = await callTool('add', { a: 2, b: 3 });
      assert.deepEqual(five.content, [{ type: 'text', text: '5' }]);
      const frac = await callTool('add', { a: 1.5, b: 2 });
      assert.deepEqual(frac.content, [{ type: 'text', text: '3.5' }]);
    });

    it('test_simple_text', async () => {
      const result = await callTool('test_simple_text', {});
      assert.deepEqual(result.content,
        [{ type: 'text', text: 'This is a simple text response for testing.' }]);
    });

    it('test_image_content returns a base64 png', async () => {
      const result = await callTool('test_image_content', {});
      assert.equal(result.content.length, 1, JSON.stringify(result));
      const [item] = result.content;
      assert.equal(item.type, 'image');
      assert.equal(item.mimeType, 'image/png');
      assert.equal(typeof item.data, 'string');
      assert.ok(item.data.length > 0);
      assert.match(item.data, BASE64);
    });

    it('test_audio_content returns base64 audio/wav', async () => {
      const result = await callTool('test_audio_content', {});
      const [item] = result.content;
      assert.equal(item.type, 'audio', JSON.stringify(result));
      assert.equal(item.mimeType, 'audio/wav');
      assert.ok(item.data.length > 0);
      assert.match(item.data, BASE64);
    });

    it('test_embedded_resource', async () => {
      const result = await callTool('test_embedded_resource', {});
      assert.deepEqual(result.content, [{
        type: 'resource',
        resource: {
          uri: 'test://embedded-resource',
          mimeType: 'text/plain',
          text: 'This is an embedded resource content.',
        },
      }]);
    });

    it('test_multiple_content_types returns text, image and a json resource', async () => {
      const result = await callTool('test_multiple_content_types', {});
      const types = result.content.map((c) => c.type);
      for (const type of ['text', 'image', 'resource']) {
        assert.ok(types.includes(type), `${type} missing in ${JSON.stringify(result)}`);
      }
      const text = result.content.find((c) => c.type === 'text');
      assert.equal(typeof text.text, 'string');
      const image = result.content.find((c) => c.type === 'image');
      assert.equal(image.mimeType, 'image/png');
      assert.match(image.data, BASE64);
      const resource = result.content.find((c) => c.type === 'resource').resource;
      assert.equal(resource.uri, 'test://mixed-content-resource');
      assert.equal(resource.mimeType, 'application/json');
    });

    it('test_error_handling is a tool error', async () => {
      const result = await callTool('test_error_handling', {});
      assert.equal(result.isError, true, JSON.stringify(result));
      assert.ok(result.content.some((c) => c.type === 'text' && c.text.length > 0));
    });

    for (const [why, args, field] of [['a missing message', {}, 'message'],
      ['a number as message', { message: 42 }, 'message'],
      ['an undeclared argument', { message: 'hi', verbose: true }, 'verbose']]) {
      it(`echo with ${why} is a tool error naming "${field}"`, async () => {
        const result = await callTool('echo', args);
        assert.equal(result.isError, true, JSON.stringify(result));
        const text = result.content.filter((c) => c.type === 'text').map((c) => c.text).join(' ');
        assert.match(text, new RegExp(`^Invalid arguments: '${field}'`), JSON.stringify(result));
      });
    }

    it('an unknown tool is JSON-RPC error -32602 on HTTP 200', async () => {
      const res = await session.request('tools/call', { name: 'no_such_tool', arguments: {} });
      assert.equal(res.status, 200, res.text);
      assertRpcError(res, -32602, 'unknown tool');
    });

    it('an unknown method is -32601', async () => {
      const res = await session.request('foo/bar', {});
      assertRpcError(res, -32601, 'unknown method');
    });

    it('/metrics counts tool calls', async () => {
      await callTool('echo', { message: 'metrics' });
      const res = await api(server, 'GET', '/metrics', undefined, null);
      assert.equal(res.status, 200, res.text);
      assert.match(res.text, /^sagemcp_tool_calls_total(\{[^}]*\})? [0-9.e+]+$/m, res.text);
      assert.match(res.text, /^sagemcp_http_requests_total(\{[^}]*\})? [0-9.e+]+$/m);
    });
  });

  describe('authorization and routing', () => {
    it('no key is 401 with a Bearer challenge', async () => {
      const res = await mcpPost(ctx.mcpUrl, initializeRequest(), {});
      assert.equal(res.status, 401, res.text);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer\b/);
    });

    it('an unknown key is 401', async () => {
      const res = await mcpPost(ctx.mcpUrl, initializeRequest(),
        { key: `smcp_tu_${'A'.repeat(43)}` });
      assert.equal(res.status, 401, res.text);
    });

    it("another tenant's key is 403", async () => {
      const res = await mcpPost(ctx.mcpUrl, initializeRequest(), { key: other.tenantKey });
      assert.equal(res.status, 403, res.text);
    });

    it("another tenant's key cannot use an existing session", async () => {
      const res = await mcpPost(ctx.mcpUrl, rpc('tools/list'), {
        key: other.tenantKey,
        sessionId: session.sessionId,
        protocolVersion: session.protocolVersion,
      });
      assert.equal(res.status, 403, res.text);
    });

    it('a tenant_admin key of the tenant works', async () => {
      const admin = await createKey(server, 'tenant_admin', ctx.tenantId);
      const res = await initialize(ctx.mcpUrl, admin.key);
      assert.equal(res.status, 200, res.text);
    });

    it('a platform key works', async () => {
      const s = await openSession(ctx.mcpUrl, server.adminKey);
      const res = await s.request('tools/call', { name: 'echo', arguments: { message: 'pa' } });
      assert.equal(res.json?.result?.content?.[0]?.text, 'Echo: pa', res.text);
    });

    it('an unknown connector id is 404', async () => {
      const res = await mcpPost(mcpUrlOf(server, ctx.slug, randomUUID()), initializeRequest(),
        { key: ctx.tenantKey });
      assert.equal(res.status, 404, res.text);
    });

    it("a connector id of another tenant under this tenant's path is 404", async () => {
      const res = await mcpPost(mcpUrlOf(server, ctx.slug, other.connectorId),
        initializeRequest(), { key: server.adminKey });
      assert.equal(res.status, 404, res.text);
    });

    it('a connector created after the tenant\'s first session is reachable', async () => {
      const t = await setupTenant(server);
      await openSession(t.mcpUrl, t.tenantKey);
      const c = await createConnector(server, t.slug, { name: 'late' });
      const res = await initialize(mcpUrlOf(server, t.slug, c.id), t.tenantKey);
      assert.equal(res.status, 200, res.text);
    });

    it('a disabled connector is 404 until re-enabled', async () => {
      const t = await setupTenant(server);
      const toggle = `/api/v1/admin/tenants/${t.slug}/connectors/${t.connectorId}/toggle`;
      assert.equal((await initialize(t.mcpUrl, t.tenantKey)).status, 200);
      const off = await api(server, 'PATCH', toggle);
      assert.equal(off.json?.is_enabled, false, off.text);
      const res = await initialize(t.mcpUrl, t.tenantKey);
      assert.equal(res.status, 404, res.text);
      const on = await api(server, 'PATCH', toggle);
      assert.equal(on.json?.is_enabled, true, on.text);
      const back = await initialize(t.mcpUrl, t.tenantKey);
      assert.equal(back.status, 200, back.text);
    });

    it('a deleted connector is 404', async () => {
      const t = await setupTenant(server);
      assert.equal((await initialize(t.mcpUrl, t.tenantKey)).status, 200);
      const del = await api(server, 'DELETE',
        `/api/v1/admin/tenants/${t.slug}/connectors/${t.connectorId}`);
      assert.equal(del.status, 204, del.text);
      const res = await initialize(t.mcpUrl, t.tenantKey);
      assert.equal(res.status, 404, res.text);
    });
  });
});

describe('mcp streamable http (auth off)', () => {
  let server;

  before(async () => {
    server = await startServer({ auth: false });
  });

  after(async () => {
    await server?.stop();
  });

  it('initialize and tools/call work without a key', async () => {
    const ctx = await setupTenant(server);
    const s = await openSession(ctx.mcpUrl, undefined);
    const res = await s.request('tools/call', { name: 'add', arguments: { a: 2, b: 3 } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.result.content[0].text, '5');
  });
});

describe('tenant-wide mcp endpoint', () => {
  const env = useServerWithTenant({ other: true });

  it('serves the tools of every enabled connector, prefixing names that clash', async () => {
    const url = `${env.server.baseUrl}/api/v1/${env.ctx.slug}/mcp`;
    const single = await openSession(url, env.ctx.tenantKey);
    const list = await single.request('tools/list', {});
    assert.ok(list.json.result.tools.some((t) => t.name === 'echo'), list.text);
    const echo = await single.request('tools/call', { name: 'echo', arguments: { message: 't' } });
    assert.equal(echo.json.result.content[0].text, 'Echo: t');
    const resources = await single.request('resources/list', {});
    assert.ok(resources.json.result.resources.some((r) => r.uri === 'test://static-text'),
      resources.text);
    const badCursor = await single.request('prompts/list', { cursor: 'nope' });
    assert.equal(badCursor.json.error.code, -32602, badCursor.text);

    await createConnector(env.server, env.ctx.slug, { name: 'Second' });
    // A new connector changes the tenant's tool set: old tenant-wide sessions end.
    const stale = await single.request('ping');
    assert.equal(stale.status, 404, stale.text);

    const both = await openSession(url, env.ctx.tenantKey);
    const names = (await both.request('tools/list', {})).json.result.tools.map((t) => t.name);
    assert.ok(names.includes('Second__echo'), names.join(', '));
    assert.equal(names.filter((n) => n.endsWith('__echo')).length, 2, names.join(', '));
    for (const name of names) {
      assert.match(name, /^[A-Za-z0-9_.-]{1,64}$/);
    }
    const routed = await both.request('tools/call', {
      name: 'Second__echo',
      arguments: { message: 'routed' },
    });
    assert.equal(routed.json.result.content[0].text, 'Echo: routed');
  });

  it('refuses another tenant key', async () => {
    const res = await mcpPost(`${env.server.baseUrl}/api/v1/${env.ctx.slug}/mcp`, initializeRequest(), {
      key: env.other.tenantKey,
    });
    assert.equal(res.status, 403, res.text);
  });
});
