// Logs, metrics and error messages never carry secrets: an end-to-end scenario with known
// secrets (server secret, API keys, connector secrets, tool argument values, a forged key) over
// every transport, at debug level, then a scan of everything the server wrote and exposed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';

import { mcpPost, openSession, rpc, STATELESS_VERSION, statelessPost } from '../support/mcp.mjs';
import {
  api, createConnector, createKey, createTenant, expectStatus, mcpUrlOf, startServer,
} from '../support/server.mjs';

const marker = (name) => `${name}-${randomBytes(6).toString('hex')}`;

describe('no secret in logs, metrics or errors', () => {
  const secrets = {
    SECRET_KEY: marker('server-secret'),
    adminKey: `smcp_pa_${randomBytes(32).toString('base64url')}`,
    configSecret: marker('config-api-key'),
    envSecret: marker('env-token'),
    argument: marker('argument-value'),
    promptArgument: marker('prompt-argument'),
    forgedKey: `smcp_tu_abcdefghijkl_${randomBytes(32).toString('base64url')}`,
  };
  let server;
  const seen = [];

  before(async () => {
    server = await startServer({
      auth: true,
      env: {
        SECRET_KEY: secrets.SECRET_KEY,
        SAGEMCP_BOOTSTRAP_ADMIN_KEY: secrets.adminKey,
        SAGEMCP_LOG_LEVEL: 'debug',
      },
    });
  });

  after(async () => {
    await server?.stop();
  });

  test('a whole scenario leaves no secret behind', async () => {
    const tenant = await createTenant(server);
    const connector = await createConnector(server, tenant.slug, {
      configuration: { api_key: secrets.configSecret, org: 'acme' },
      runtime_env: { TOKEN: secrets.envSecret },
    });
    const userKey = await createKey(server, 'tenant_user', tenant.id);
    secrets.userKey = userKey.key;
    const url = mcpUrlOf(server, tenant.slug, connector.id);
    const keep = (res) => {
      seen.push(res.text ?? '');
      return res;
    };

    // Streamable HTTP, session era: a call with an argument value, a bad call, a prompt.
    const session = await openSession(url, userKey.key);
    keep(await session.request('tools/call', { name: 'echo', arguments: { message: secrets.argument } }));
    keep(await session.request('tools/call', { name: 'add', arguments: { a: secrets.argument, b: 1 } }));
    keep(await session.request('tools/call', { name: 'echo', arguments: { message: 7, extra: secrets.argument } }));
    keep(await session.request('prompts/get', { name: 'test_prompt_with_arguments',
      arguments: { arg1: secrets.promptArgument, arg2: 'x' } }));
    keep(await session.request('no/such/method', { value: secrets.argument }));
    // Stateless era.
    keep(await statelessPost(url, 'tools/call', { name: 'echo', arguments: { message: secrets.argument } },
      { key: userKey.key }));
    // Malformed JSON carrying a secret, and a forged key.
    keep(await mcpPost(url, null, { key: userKey.key, rawBody: `{"jsonrpc":"2.0","id":1,${secrets.argument}` }));
    keep(await mcpPost(url, rpc('ping'), { key: secrets.forgedKey }));
    keep(await api(server, 'GET', '/api/v1/admin/tenants', undefined, secrets.forgedKey));
    keep(await api(server, 'GET', `/api/v1/admin/tenants?api_key=${secrets.forgedKey}`, undefined, null));
    // Admin API errors that echo input must not echo secrets.
    keep(await api(server, 'PUT', `/api/v1/admin/tenants/${tenant.slug}/connectors/${connector.id}`,
      { runtime_env: { TOKEN: 5, OTHER: secrets.envSecret } }));
    keep(await api(server, 'GET', `/api/v1/admin/tenants/${tenant.slug}/connectors/${connector.id}`,
      undefined, userKey.key));

    // WebSocket, with a call and with a forged key.
    const ws = new WebSocket(url.replace(/^http/, 'ws'), ['mcp'],
      { headers: { Authorization: `Bearer ${userKey.key}` } });
    const replies = [];
    ws.on('message', (data) => replies.push(data.toString()));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.send(JSON.stringify(rpc('initialize', { protocolVersion: '2025-11-25', capabilities: {},
      clientInfo: { name: 'scan', version: '0' } }, 1)));
    ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    ws.send(JSON.stringify(rpc('tools/call', { name: 'echo', arguments: { message: secrets.argument } }, 2)));
    const echoed = () => replies.find((text) => JSON.parse(text).id === 2);
    for (let i = 0; i < 500 && !echoed(); ++i) {
      await new Promise((r) => setTimeout(r, 20));
    }
    ws.close();
    assert.ok(echoed()?.includes(secrets.argument), `the echo result itself carries the argument: ${echoed()}`);
    const forged = new WebSocket(url.replace(/^http/, 'ws'), ['mcp'],
      { headers: { Authorization: `Bearer ${secrets.forgedKey}` } });
    const denied = await new Promise((resolve) => {
      forged.once('unexpected-response', (_req, res) => resolve(res.statusCode));
      forged.once('open', () => resolve(101));
      forged.once('error', () => resolve('error'));
    });
    assert.equal(denied, 401);

    // The legacy HTTP+SSE transport's message endpoint with a forged key.
    keep(await mcpPost(`${url}/messages?session_id=nope`, rpc('ping'), { key: secrets.forgedKey }));

    // Every audit entry, the session view and the stats are part of what operators read.
    for (const route of ['/api/v1/admin/audit', '/api/v1/admin/sessions', '/api/v1/admin/stats',
      '/api/v1/admin/settings', '/api/v1/auth/keys', '/api/v1/admin/usage']) {
      keep(expectStatus(await api(server, 'GET', route), 200, route) && await api(server, 'GET', route));
    }
    const metrics = await fetch(`${server.baseUrl}/metrics`).then((r) => r.text());
    assert.match(metrics, /sagemcp_http_requests_total/);

    await server.stop();
    const logs = server.logs();
    assert.match(logs, /"msg":"request"/, 'the scenario was logged');
    // Results of successful calls carry what the tool returned (an echo returns its argument);
    // only error responses are held to the rule.
    const errorsOnly = seen.filter((text) => /"error"|"isError":true|"detail"/.test(text)
      && !/"isError":false/.test(text));
    assert.ok(errorsOnly.length >= 8, `only ${errorsOnly.length} error responses were checked`);
    for (const [name, value] of Object.entries(secrets)) {
      assert.ok(!logs.includes(value), `${name} appears in the logs`);
      assert.ok(!metrics.includes(value), `${name} appears in the metrics`);
      for (const text of errorsOnly) {
        assert.ok(!text.includes(value), `${name} appears in an error: ${text.slice(0, 300)}`);
      }
    }
    // Nor does any key's secret part, or a stored ciphertext.
    assert.ok(!logs.includes(secrets.userKey.slice(21)));
    assert.ok(!logs.includes('enc:v1:'));
  });
});
