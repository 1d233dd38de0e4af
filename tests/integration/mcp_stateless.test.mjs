// Black-box tests of the 2026-07-28 (stateless) path of the MCP endpoint with raw fetch.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  ACCEPT_BOTH,
  STATELESS_VERSION,
  mcpDelete,
  mcpPost,
  parseSse,
  rpc,
  sseEvents,
  statelessPost,
} from '../support/mcp.mjs';
import { api, useServerWithTenant } from '../support/server.mjs';

function assertError(res, status, code, what) {
  assert.equal(res.status, status, `${what}: ${res.text}`);
  assert.equal(res.json?.error?.code, code, `${what}: ${res.text}`);
}

describe('mcp 2026-07-28 stateless path', () => {
  const env = useServerWithTenant({ other: true });
  const post = (method, params, opts = {}) =>
    statelessPost(env.ctx.mcpUrl, method, params, { key: env.ctx.tenantKey, ...opts });

  it('server/discover names the versions, capabilities and server', async () => {
    const res = await post('server/discover');
    assert.equal(res.status, 200, res.text);
    const result = res.json.result;
    assert.deepEqual(result.supportedVersions, [STATELESS_VERSION]);
    assert.ok(result.capabilities.tools);
    assert.ok(result.capabilities.prompts);
    assert.equal(result.capabilities.tools.listChanged, true, 'list changes come on subscriptions/listen');
    assert.equal(result.resultType, 'complete');
    assert.equal(result._meta['io.modelcontextprotocol/serverInfo'].name, 'sagemcp');
    assert.equal(res.headers.get('mcp-session-id'), null);
  });

  it('lists and calls tools with resultType and caching hints', async () => {
    const list = await post('tools/list');
    assert.equal(list.status, 200, list.text);
    assert.equal(list.json.result.resultType, 'complete');
    assert.equal(typeof list.json.result.ttlMs, 'number');
    assert.equal(list.json.result.cacheScope, 'private');
    const again = await post('tools/list');
    assert.deepEqual(
      again.json.result.tools.map((t) => t.name),
      list.json.result.tools.map((t) => t.name),
      'tools/list order is deterministic',
    );
    const call = await post('tools/call', { name: 'add', arguments: { a: 2, b: 3 } });
    assert.equal(call.status, 200, call.text);
    assert.deepEqual(call.json.result.structuredContent, { sum: 5 });
    assert.equal(call.json.result.resultType, 'complete');
  });

  it('checks the Mcp-Param headers of arguments a tool mirrors (x-mcp-header)', async () => {
    const list = await post('tools/list');
    const tool = list.json.result.tools.find((t) => t.name === 'test_header_params');
    assert.equal(tool.inputSchema.properties.region['x-mcp-header'], 'Region');
    const call = (args, headers) => post('tools/call', { name: 'test_header_params', arguments: args },
      { headers });
    const plain = await call({ region: 'us-west1', priority: 3, dry_run: true, note: 'free text' },
      { 'mcp-param-region': 'us-west1', 'MCP-PARAM-PRIORITY': '3.0', 'mcp-param-dry-run': 'true' });
    assert.equal(plain.status, 200, plain.text);
    assert.equal(plain.json.result.content[0].text, 'region=us-west1, priority=3, dry_run=true');
    const encoded = await call({ region: 'Zürich ' },
      { 'mcp-param-region': `=?base64?${Buffer.from('Zürich ').toString('base64')}?=` });
    assert.equal(encoded.status, 200, encoded.text);
    const missing = await call({ region: 'us-west1' }, {});
    assertError(missing, 400, -32020, 'header omitted while the body has the value');
    assert.equal(missing.json.error.data.mismatch.header, 'Mcp-Param-Region');
    const different = await call({ region: 'us-west1' }, { 'mcp-param-region': 'eu-west1' });
    assertError(different, 400, -32020, 'header disagrees with the body');
    const badBase64 = await call({ region: 'Hello' }, { 'mcp-param-region': '=?base64?SGVsbG8?=' });
    assertError(badBase64, 400, -32020, 'bad Base64 padding');
    const extra = await call({ region: 'a' }, { 'mcp-param-region': 'a', 'mcp-param-priority': '1' });
    assertError(extra, 400, -32020, 'a header for an argument the body does not have');
    const unknown = await call({ region: 'a' }, { 'mcp-param-region': 'a', 'mcp-param-other': 'x' });
    assert.equal(unknown.status, 200, 'headers the tool does not declare are ignored');
  });

  it('cancels a request whose client closes the response stream', async () => {
    const cancelledCalls = async () => {
      const metrics = await api(env.server, 'GET', '/metrics', undefined, null);
      const line = metrics.text.match(
        /^sagemcp_tool_calls_total\{connector_type="everything",outcome="cancelled"\} ([0-9.]+)$/m);
      return line ? Number(line[1]) : 0;
    };
    const before = await cancelledCalls();
    const aborter = new AbortController();
    const meta = {
      'io.modelcontextprotocol/protocolVersion': STATELESS_VERSION,
      'io.modelcontextprotocol/clientCapabilities': {},
      progressToken: 'p',
    };
    const res = await fetch(env.ctx.mcpUrl, {
      method: 'POST',
      signal: aborter.signal,
      headers: {
        accept: ACCEPT_BOTH,
        'content-type': 'application/json',
        authorization: `Bearer ${env.ctx.tenantKey}`,
        'mcp-protocol-version': STATELESS_VERSION,
        'mcp-method': 'tools/call',
        'mcp-name': 'long_running_operation',
      },
      body: JSON.stringify(rpc('tools/call', {
        name: 'long_running_operation',
        arguments: { duration: 20, steps: 40 },
        _meta: meta,
      })),
    });
    assert.equal(res.status, 200);
    for await (const event of sseEvents(res)) {
      assert.equal(JSON.parse(event.data).method, 'notifications/progress');
      break;
    }
    aborter.abort();
    // The server learns of the closed stream when it next writes to it.
    let cancelled = before;
    for (let i = 0; i < 100 && cancelled === before; ++i) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      cancelled = await cancelledCalls();
    }
    assert.equal(cancelled, before + 1, 'the call was cancelled');
  });

  it('rejects a missing envelope, mismatching headers and unknown versions with 400', async () => {
    const bare = await mcpPost(env.ctx.mcpUrl, rpc('tools/list', {}), {
      key: env.ctx.tenantKey,
      headers: { 'mcp-protocol-version': STATELESS_VERSION, 'mcp-method': 'tools/list' },
    });
    assertError(bare, 400, -32602, 'no _meta');
    const wrongName = await post('tools/call', { name: 'echo', arguments: { message: 'x' } }, {
      headers: { 'mcp-name': 'add' },
    });
    assertError(wrongName, 400, -32020, 'Mcp-Name mismatch');
    const noMethod = await post('tools/list', {}, { headers: { 'mcp-method': 'prompts/list' } });
    assertError(noMethod, 400, -32020, 'Mcp-Method mismatch');
    const future = await post('tools/list', {}, {
      meta: { 'io.modelcontextprotocol/protocolVersion': '2099-01-01' },
      headers: { 'mcp-protocol-version': '2099-01-01' },
    });
    assertError(future, 400, -32022, 'unsupported version');
    assert.deepEqual(future.json.error.data, { supported: [STATELESS_VERSION], requested: '2099-01-01' });
  });

  it('answers removed and unknown methods with 404 and -32601, keeping the id', async () => {
    for (const method of ['initialize', 'ping', 'logging/setLevel', 'resources/subscribe', 'no/such']) {
      const res = await post(method, {}, { id: 77 });
      assertError(res, 404, -32601, method);
      assert.equal(res.json.id, 77);
    }
  });

  it('has no GET stream and no sessions to delete', async () => {
    const del = await fetch(env.ctx.mcpUrl, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${env.ctx.tenantKey}`, 'mcp-protocol-version': STATELESS_VERSION },
    });
    assert.equal(del.status, 405);
    const legacy = await mcpDelete(env.ctx.mcpUrl, env.ctx.tenantKey, 'no-such-session');
    assert.equal(legacy.status, 404);
  });

  it('sends log messages only at the level the request asked for', async () => {
    const quiet = await post('tools/call', { name: 'test_tool_with_logging', arguments: {} });
    assert.equal(quiet.status, 200, quiet.text);
    assert.ok(!quiet.text.includes('notifications/message'), quiet.text);
    const loud = await post('tools/call', { name: 'test_tool_with_logging', arguments: {} }, {
      logLevel: 'debug',
    });
    assert.match(loud.headers.get('content-type'), /text\/event-stream/);
    const messages = parseSse(loud.text);
    assert.equal(messages.filter((m) => m.method === 'notifications/message').length, 3);
    assert.equal(messages.at(-1).result.resultType, 'complete');
  });

  it('runs a multi-round tool with a sealed requestState', async () => {
    const caps = { elicitation: {} };
    const first = await post('tools/call', { name: 'test_input_required_result_multi_round', arguments: {} }, {
      capabilities: caps,
    });
    assert.equal(first.status, 200, first.text);
    const r1 = first.json.result;
    assert.equal(r1.resultType, 'input_required');
    assert.ok(r1.inputRequests.step1);
    assert.equal(typeof r1.requestState, 'string');
    const accept = (content) => ({ action: 'accept', content });
    const second = await post('tools/call', {
      name: 'test_input_required_result_multi_round',
      arguments: {},
      inputResponses: { step1: accept({ name: 'Ada' }) },
      requestState: r1.requestState,
    }, { capabilities: caps });
    const r2 = second.json.result;
    assert.equal(r2.resultType, 'input_required', second.text);
    assert.ok(r2.inputRequests.step2);
    const third = await post('tools/call', {
      name: 'test_input_required_result_multi_round',
      arguments: {},
      inputResponses: { step2: accept({ color: 'green' }) },
      requestState: r2.requestState,
    }, { capabilities: caps });
    assert.equal(third.json.result.content[0].text, 'Multi-round complete for Ada who likes green');

    const tampered = await post('tools/call', {
      name: 'test_input_required_result_multi_round',
      arguments: {},
      inputResponses: { step2: accept({ color: 'green' }) },
      requestState: r2.requestState.replace('Ada', 'Eve'),
    }, { capabilities: caps });
    assertError(tampered, 200, -32602, 'tampered state');

    // A state is bound to its caller: another tenant's key cannot replay it.
    const replay = await statelessPost(env.other.mcpUrl, 'tools/call', {
      name: 'test_input_required_result_multi_round',
      arguments: {},
      inputResponses: { step2: accept({ color: 'green' }) },
      requestState: r2.requestState,
    }, { key: env.other.tenantKey, capabilities: caps });
    assertError(replay, 200, -32602, 'replayed state');
  });

  it('refuses input requests the client cannot answer with -32021', async () => {
    const res = await post('tools/call', { name: 'test_missing_capability', arguments: {} });
    assertError(res, 400, -32021, 'missing sampling');
    assert.deepEqual(res.json.error.data, { requiredCapabilities: { sampling: {} } });
    const bad = await post('tools/call', {
      name: 'test_input_required_result_elicitation',
      arguments: {},
      inputResponses: null,
    }, { capabilities: { elicitation: {} } });
    assertError(bad, 200, -32602, 'null inputResponses');
  });

  it('answers a missing resource with -32602 and its uri', async () => {
    const res = await post('resources/read', { uri: 'test://nope' });
    assertError(res, 200, -32602, 'missing resource');
    assert.deepEqual(res.json.error.data, { uri: 'test://nope' });
  });

  it('delivers list changes on subscriptions/listen, tagged and filtered', async () => {
    const controller = new AbortController();
    const meta = {
      'io.modelcontextprotocol/protocolVersion': STATELESS_VERSION,
      'io.modelcontextprotocol/clientCapabilities': {},
    };
    const res = await fetch(env.ctx.mcpUrl, {
      method: 'POST',
      signal: controller.signal,
      headers: {
        authorization: `Bearer ${env.ctx.tenantKey}`,
        accept: 'application/json, text/event-stream',
        'content-type': 'application/json',
        'mcp-protocol-version': STATELESS_VERSION,
        'mcp-method': 'subscriptions/listen',
      },
      body: JSON.stringify(rpc('subscriptions/listen', {
        notifications: { toolsListChanged: true, resourcesListChanged: false },
        _meta: meta,
      }, 'sub-1')),
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /text\/event-stream/);
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const next = async () => {
      for (;;) {
        const messages = parseSse(buffer);
        if (messages.length > 0) {
          const end = buffer.indexOf('\n\n') + 2;
          buffer = buffer.slice(end);
          return messages[0];
        }
        const { value, done } = await reader.read();
        if (done) {
          return null;
        }
        buffer += decoder.decode(value, { stream: true });
      }
    };
    try {
      const ack = await next();
      assert.equal(ack.method, 'notifications/subscriptions/acknowledged');
      assert.deepEqual(ack.params.notifications, { toolsListChanged: true });
      assert.equal(ack.params._meta['io.modelcontextprotocol/subscriptionId'], 'sub-1');
      // A prompt change was not asked for; the tool change that follows is delivered.
      await post('tools/call', { name: 'test_trigger_prompt_change', arguments: {} });
      await post('tools/call', { name: 'test_trigger_tool_change', arguments: {} });
      const change = await next();
      assert.equal(change.method, 'notifications/tools/list_changed');
      assert.equal(change.params._meta['io.modelcontextprotocol/subscriptionId'], 'sub-1');
    } finally {
      controller.abort();
    }
    const bad = await post('subscriptions/listen', {});
    assertError(bad, 200, -32602, 'listen without a filter');
  });

  it('still needs a valid key', async () => {
    const res = await statelessPost(env.ctx.mcpUrl, 'tools/list', {});
    assert.equal(res.status, 401);
  });
});
