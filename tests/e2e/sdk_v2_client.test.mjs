// End-to-end: the official TypeScript SDK v2 client (2026-07-28 and the legacy era) against a
// sagemcp connector endpoint.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

import { useServerWithTenant } from '../support/server.mjs';

describe('sdk v2 client e2e', () => {
  const env = useServerWithTenant();

  const connect = async (mode, capabilities = {}) => {
    const client = new Client(
      { name: 'sagemcp-e2e-v2', version: '0.0.0' },
      { capabilities, versionNegotiation: { mode } },
    );
    const transport = new StreamableHTTPClientTransport(new URL(env.ctx.mcpUrl), {
      requestInit: { headers: { Authorization: `Bearer ${env.ctx.tenantKey}` } },
    });
    await client.connect(transport);
    return client;
  };

  for (const [label, mode] of [
    ['pinned to 2026-07-28', { pin: '2026-07-28' }],
    ['in auto mode', 'auto'],
  ]) {
    it(`negotiates 2026-07-28 ${label}, lists and calls tools`, async () => {
      const client = await connect(mode);
      try {
        assert.equal(client.getNegotiatedProtocolVersion(), '2026-07-28');
        const { tools } = await client.listTools();
        assert.ok(tools.some((t) => t.name === 'echo'));
        const echoed = await client.callTool({ name: 'echo', arguments: { message: 'hi' } });
        assert.equal(echoed.content[0].text, 'Echo: hi');
        const sum = await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
        assert.deepEqual(sum.structuredContent, { sum: 3 });
        const prompt = await client.getPrompt({ name: 'test_simple_prompt' });
        assert.equal(prompt.messages.length, 1);
        const resource = await client.readResource({ uri: 'test://static-text' });
        assert.equal(resource.contents[0].mimeType, 'text/plain');
        // The client mirrors x-mcp-header arguments into Mcp-Param headers, which the server
        // checks against the body.
        const mirrored = await client.callTool({
          name: 'test_header_params',
          arguments: { region: 'Zürich', priority: 7, dry_run: false },
        });
        assert.equal(mirrored.isError, undefined, JSON.stringify(mirrored));
        assert.equal(mirrored.content[0].text, 'region=Zürich, priority=7, dry_run=false');
      } finally {
        await client.close();
      }
    });
  }

  it('answers multi-round input requests through its request handlers', async () => {
    const client = await connect({ pin: '2026-07-28' }, { elicitation: {}, sampling: {}, roots: {} });
    client.setRequestHandler('elicitation/create', async () => ({
      action: 'accept',
      content: { name: 'Ada', color: 'green' },
    }));
    client.setRequestHandler('sampling/createMessage', async () => ({
      role: 'assistant',
      content: { type: 'text', text: 'Paris' },
      model: 'test-model',
    }));
    client.setRequestHandler('roots/list', async () => ({ roots: [{ uri: 'file:///work', name: 'work' }] }));
    try {
      const rounds = await client.callTool({ name: 'test_input_required_result_multi_round', arguments: {} });
      assert.equal(rounds.content[0].text, 'Multi-round complete for Ada who likes green');
      const many = await client.callTool({ name: 'test_input_required_result_multiple_inputs', arguments: {} });
      assert.equal(many.content[0].text, 'Name: Ada; Greeting: Paris; Roots: 1');
      const prompt = await client.getPrompt({ name: 'test_input_required_result_prompt' });
      assert.match(prompt.messages[0].content.text, /^Prompt with context: /);
    } finally {
      await client.close();
    }
  });

  it('gets URL-mode elicitations as input requests', async () => {
    const client = await connect({ pin: '2026-07-28' }, { elicitation: { url: {} } });
    const seen = [];
    client.setRequestHandler('elicitation/create', async (req) => {
      seen.push(req.params);
      return { action: 'decline' };
    });
    try {
      const result = await client.callTool({
        name: 'test_url_elicitation',
        arguments: { url: 'https://example.com/approve' },
      });
      assert.equal(result.content[0].text, 'URL elicitation decline');
      assert.equal(seen[0].mode, 'url');
      assert.equal(seen[0].url, 'https://example.com/approve');
    } finally {
      await client.close();
    }
  });

  it('speaks the legacy era by default', async () => {
    const client = await connect('legacy');
    try {
      assert.equal(client.getNegotiatedProtocolVersion(), '2025-11-25');
      const echoed = await client.callTool({ name: 'echo', arguments: { message: 'old' } });
      assert.equal(echoed.content[0].text, 'Echo: old');
    } finally {
      await client.close();
    }
  });
});
