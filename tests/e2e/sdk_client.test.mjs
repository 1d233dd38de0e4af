// End-to-end: the official TypeScript SDK v1 client against a sagemcp connector endpoint.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LATEST_PROTOCOL_VERSION,
  LoggingMessageNotificationSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';

import { mcpPost, rpc } from '../support/mcp.mjs';
import { EVERYTHING_TOOLS, useServerWithTenant } from '../support/server.mjs';


describe('sdk client e2e', () => {
  const env = useServerWithTenant();

  it('connects, lists and calls tools, terminates, and the dead session stays dead', async () => {
    assert.equal(LATEST_PROTOCOL_VERSION, '2025-11-25', 'unexpected SDK version');
    const auth = { Authorization: `Bearer ${env.ctx.tenantKey}` };
    const transportErrors = [];
    const transport = new StreamableHTTPClientTransport(new URL(env.ctx.mcpUrl),
      { requestInit: { headers: auth } });
    const client = new Client({ name: 'sagemcp-e2e', version: '0.0.0' }, { capabilities: {} });
    client.onerror = (err) => transportErrors.push(err);

    try {
      await client.connect(transport);
      assert.equal(transport.protocolVersion, '2025-11-25');
      const serverInfo = client.getServerVersion();
      assert.equal(typeof serverInfo?.name, 'string');
      assert.equal(typeof serverInfo?.version, 'string');
      assert.ok(client.getServerCapabilities()?.tools, 'no tools capability');
      const sessionId = transport.sessionId;
      assert.ok(sessionId, 'no session id after connect');
      assert.match(sessionId, /^[\x21-\x7E]+$/);

      const { tools } = await client.listTools();
      const names = tools.map((t) => t.name);
      for (const name of EVERYTHING_TOOLS) {
        assert.ok(names.includes(name), `${name} missing from ${names.join(', ')}`);
      }

      const echo = await client.callTool({ name: 'echo', arguments: { message: 'hi' } });
      assert.deepEqual(echo.content, [{ type: 'text', text: 'Echo: hi' }]);
      assert.notEqual(echo.isError, true);

      const sum = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
      assert.deepEqual(sum.content, [{ type: 'text', text: '5' }]);
      // The SDK validates structuredContent against the tool's outputSchema.
      assert.deepEqual(sum.structuredContent, { sum: 5 });
      assert.equal(tools.find((t) => t.name === 'add').icons[0].mimeType, 'image/svg+xml');
      assert.deepEqual(transportErrors.map(String), [], 'transport reported errors');

      await assert.rejects(
        client.callTool({ name: 'no_such_tool', arguments: {} }),
        (err) => {
          assert.ok(err instanceof McpError, `not an McpError: ${err}`);
          assert.equal(err.code, -32602);
          return true;
        },
      );

      await transport.terminateSession();
      assert.equal(transport.sessionId, undefined, 'session id kept after terminateSession');

      const raw = await mcpPost(env.ctx.mcpUrl, rpc('tools/list'), {
        key: env.ctx.tenantKey,
        sessionId,
        protocolVersion: '2025-11-25',
      });
      assert.equal(raw.status, 404, `POST on terminated session: ${raw.status} ${raw.text}`);

      const statuses = [];
      const recordingFetch = async (input, init) => {
        const res = await fetch(input, init);
        statuses.push(`${init?.method ?? 'GET'} ${res.status}`);
        return res;
      };
      const stale = new StreamableHTTPClientTransport(new URL(env.ctx.mcpUrl), {
        requestInit: { headers: auth },
        sessionId,
        fetch: recordingFetch,
      });
      const staleClient = new Client({ name: 'sagemcp-e2e-stale', version: '0.0.0' },
        { capabilities: {} });
      staleClient.onerror = () => {};
      try {
        await staleClient.connect(stale);
        stale.setProtocolVersion('2025-11-25');
        await assert.rejects(staleClient.listTools(), (err) => {
          assert.match(String(err?.message ?? err), /404|not found/i, String(err));
          return true;
        });
        assert.ok(statuses.includes('POST 404'),
          `expected the listTools POST to get 404, saw ${statuses.join(', ')}`);
      } finally {
        await staleClient.close();
      }
    } finally {
      await client.close();
    }
  });

  it('streams progress and log messages of a running tool call over SSE', async () => {
    const transport = new StreamableHTTPClientTransport(new URL(env.ctx.mcpUrl), {
      requestInit: { headers: { Authorization: `Bearer ${env.ctx.tenantKey}` } },
    });
    const client = new Client({ name: 'sagemcp-e2e-stream', version: '0.0.0' }, { capabilities: {} });
    const logs = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => logs.push(n.params));
    try {
      await client.connect(transport);
      const progress = [];
      const result = await client.callTool(
        { name: 'test_tool_with_progress', arguments: {} },
        undefined,
        { onprogress: (p) => progress.push(p) },
      );
      assert.equal(result.content[0].text, 'Tool with progress executed successfully');
      assert.deepEqual(progress.map((p) => p.progress), [0, 50, 100]);
      assert.ok(progress.every((p) => p.total === 100));

      await client.setLoggingLevel('info');
      await client.callTool({ name: 'test_tool_with_logging', arguments: {} });
      assert.deepEqual(logs.map((l) => l.data), [
        'Tool execution started',
        'Tool processing data',
        'Tool execution completed',
      ]);

      // Messages below the session's level are not sent.
      logs.length = 0;
      await client.setLoggingLevel('error');
      await client.callTool({ name: 'test_tool_with_logging', arguments: {} });
      assert.deepEqual(logs, []);
      await transport.terminateSession();
    } finally {
      await client.close();
    }
  });

  it('answers sampling and elicitation requests the server sends during a tool call', async () => {
    const headers = { Authorization: `Bearer ${env.ctx.tenantKey}` };
    const client = new Client(
      { name: 'sagemcp-e2e-client-features', version: '0.0.0' },
      { capabilities: { sampling: {}, elicitation: {} } },
    );
    client.setRequestHandler(CreateMessageRequestSchema, async (req) => ({
      role: 'assistant',
      model: 'test-model',
      content: { type: 'text', text: `model says: ${req.params.messages[0].content.text}` },
    }));
    client.setRequestHandler(ElicitRequestSchema, async (req) => {
      assert.equal(req.params.requestedSchema.required[0], 'response');
      return { action: 'accept', content: { response: 'yes' } };
    });
    const plain = new Client({ name: 'sagemcp-e2e-plain', version: '0.0.0' }, { capabilities: {} });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(env.ctx.mcpUrl), {
        requestInit: { headers },
      }));
      const sampled = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'hi' } });
      assert.equal(sampled.content[0].text, 'LLM response: model says: hi');
      const elicited = await client.callTool({
        name: 'test_elicitation',
        arguments: { message: 'Proceed?' },
      });
      assert.equal(elicited.content[0].text, 'User response: action=accept, content={"response":"yes"}');

      // A client that did not declare sampling is never asked.
      await plain.connect(new StreamableHTTPClientTransport(new URL(env.ctx.mcpUrl), {
        requestInit: { headers },
      }));
      const refused = await plain.callTool({ name: 'test_sampling', arguments: { prompt: 'hi' } });
      assert.equal(refused.isError, true);
      assert.match(refused.content[0].text, /Missing required client capability: sampling/);
    } finally {
      await client.close();
      await plain.close();
    }
  });

  it('asks a client that declared URL mode to open a page (URL-mode elicitation)', async () => {
    const headers = { Authorization: `Bearer ${env.ctx.tenantKey}` };
    const connect = async (elicitation) => {
      const c = new Client({ name: 'sagemcp-e2e-url', version: '0.0.0' }, { capabilities: { elicitation } });
      await c.connect(new StreamableHTTPClientTransport(new URL(env.ctx.mcpUrl), { requestInit: { headers } }));
      return c;
    };
    const client = await connect({ form: {}, url: {} });
    const seen = [];
    client.setRequestHandler(ElicitRequestSchema, async (req) => {
      seen.push(req.params);
      return { action: 'accept' };
    });
    const formOnly = await connect({});
    try {
      const opened = await client.callTool({ name: 'test_url_elicitation', arguments: {} });
      assert.equal(opened.content[0].text, 'URL elicitation accept', JSON.stringify(opened));
      assert.equal(seen.length, 1);
      assert.equal(seen[0].mode, 'url');
      assert.match(seen[0].url, /^https:\/\//);
      assert.match(seen[0].elicitationId, /^everything-[0-9a-f]+$/);
      // An empty elicitation capability means form mode only: the tool is refused.
      const refused = await formOnly.callTool({ name: 'test_url_elicitation', arguments: {} });
      assert.equal(refused.isError, true);
      assert.match(refused.content[0].text, /elicitation/);
    } finally {
      await client.close();
      await formOnly.close();
    }
  });
});
