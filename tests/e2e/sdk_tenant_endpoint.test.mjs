// End-to-end: the official SDK clients against the tenant endpoint, which serves every enabled
// connector of a tenant as one MCP server.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

import { createConnector, useServerWithTenant } from '../support/server.mjs';

describe('tenant endpoint with the sdk clients', () => {
  const env = useServerWithTenant();
  let url;
  let headers;

  before(async () => {
    // Two connectors of the same type: every tool and prompt name clashes, every URI is shared.
    await createConnector(env.server, env.ctx.slug, { name: 'Second' });
    url = new URL(`${env.server.baseUrl}/api/v1/${env.ctx.slug}/mcp`);
    headers = { Authorization: `Bearer ${env.ctx.tenantKey}` };
  });

  it('serves prompts, resources and completion of every connector over a session', async () => {
    const client = new Client({ name: 'sagemcp-e2e-tenant', version: '0.0.0' }, { capabilities: {} });
    const updates = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (note) => {
      updates.push(note.params.uri);
    });
    await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
    try {
      const caps = client.getServerCapabilities();
      assert.ok(caps.tools && caps.prompts && caps.resources && caps.completions, JSON.stringify(caps));

      const { prompts } = await client.listPrompts();
      const names = prompts.map((p) => p.name);
      assert.ok(names.includes('everything__test_simple_prompt'), names.join(', '));
      assert.ok(names.includes('Second__test_prompt_with_arguments'), names.join(', '));
      const prompt = await client.getPrompt({
        name: 'Second__test_prompt_with_arguments',
        arguments: { arg1: 'alpha', arg2: 'beta' },
      });
      assert.match(JSON.stringify(prompt.messages), /alpha/);
      await assert.rejects(client.getPrompt({ name: 'test_simple_prompt' }), (err) => {
        assert.ok(err instanceof McpError);
        assert.equal(err.code, -32602);
        return true;
      });

      const { resources } = await client.listResources();
      const uris = resources.map((r) => r.uri);
      assert.equal(uris.filter((u) => u === 'test://static-text').length, 1, uris.join(', '));
      const text = await client.readResource({ uri: 'test://static-text' });
      assert.equal(text.contents[0].uri, 'test://static-text');
      const { resourceTemplates } = await client.listResourceTemplates();
      assert.ok(resourceTemplates.some((t) => t.uriTemplate === 'test://template/{id}/data'));
      const templated = await client.readResource({ uri: 'test://template/42/data' });
      assert.match(JSON.stringify(templated.contents), /42/);
      await assert.rejects(client.readResource({ uri: 'test://nowhere' }), (err) => {
        assert.equal(err.code, -32002);
        return true;
      });

      const completed = await client.complete({
        ref: { type: 'ref/prompt', name: 'everything__test_prompt_with_arguments' },
        argument: { name: 'arg1', value: '' },
      });
      assert.ok(Array.isArray(completed.completion.values));
      const byTemplate = await client.complete({
        ref: { type: 'ref/resource', uri: 'test://template/{id}/data' },
        argument: { name: 'id', value: '' },
      });
      assert.ok(Array.isArray(byTemplate.completion.values));

      // A subscription on the tenant endpoint hears of updates any of its connectors reports.
      await client.subscribeResource({ uri: 'test://watched-resource' });
      await client.callTool({
        name: 'Second__test_trigger_resource_update',
        arguments: { uri: 'test://watched-resource' },
      });
      for (let i = 0; i < 50 && updates.length === 0; ++i) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.deepEqual(updates, ['test://watched-resource']);
    } finally {
      await client.close();
    }
  });

  it('serves them to a 2026-07-28 client too', async () => {
    const client = new ClientV2(
      { name: 'sagemcp-e2e-tenant-v2', version: '0.0.0' },
      { capabilities: {}, versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await client.connect(new TransportV2(url, { requestInit: { headers } }));
    try {
      assert.equal(client.getNegotiatedProtocolVersion(), '2026-07-28');
      const { prompts } = await client.listPrompts();
      assert.ok(prompts.some((p) => p.name === 'everything__test_simple_prompt'));
      const prompt = await client.getPrompt({ name: 'Second__test_simple_prompt' });
      assert.equal(prompt.messages.length, 1);
      const read = await client.readResource({ uri: 'test://template/7/data' });
      assert.match(JSON.stringify(read.contents), /7/);
      await assert.rejects(client.readResource({ uri: 'test://nowhere' }), (err) => {
        assert.equal(err.code, -32602);
        return true;
      });
    } finally {
      await client.close();
    }
  });
});
