// End-to-end: a native connector (github) through the whole server, against a fake GitHub API
// on loopback: the official SDK client lists and calls its tools, the upstream sees the
// configured credential and GitHub's headers, upstream failures come back as tool errors a model
// can act on, the credential never comes back, and private upstreams are refused unless allowed.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { statelessPost } from '../support/mcp.mjs';
import {
  api, createKey, createTenant, expectStatus, mcpUrlOf, startServer,
} from '../support/server.mjs';

const TOKEN = 'ghp_e2e_secret_4f1d9c';

/** A fake GitHub API that records requests. */
async function fakeGitHub() {
  const requests = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, headers: req.headers });
    const send = (status, body, headers = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      send(401, { message: 'Bad credentials' });
    } else if (req.url === '/repos/octo/alpha') {
      // Answers late now and then, so that concurrent calls overlap.
      setTimeout(() => send(200, {
        full_name: 'octo/alpha', stargazers_count: 10, private: false, node_id: 'R_1',
        owner: { login: 'octo', id: 9 }, html_url: 'https://github.com/octo/alpha',
      }), 20);
    } else if (req.url.startsWith('/repos/octo/alpha/issues?')) {
      send(200, [{ number: 1, title: 'One', state: 'open', user: { login: 'ann' }, body: 'x' }]);
    } else {
      send(404, { message: 'Not Found' });
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

async function githubConnector(server, slug, configuration) {
  return expectStatus(await api(server, 'POST', `/api/v1/admin/tenants/${slug}/connectors`, {
    connector_type: 'github', name: 'GitHub', configuration,
  }), 201, 'create github connector');
}

async function connect(url, key) {
  const transport = new StreamableHTTPClientTransport(new URL(url),
    { requestInit: { headers: { Authorization: `Bearer ${key}` } } });
  const client = new Client({ name: 'sagemcp-e2e', version: '0.0.0' }, { capabilities: {} });
  await client.connect(transport);
  return client;
}

const textOf = (result) => result.content.map((c) => c.text).join('');

describe('native connector e2e', () => {
  let upstream;
  let server;
  let slug;
  let key;
  let mcpUrl;

  before(async () => {
    upstream = await fakeGitHub();
    server = await startServer({ auth: true, env: { SAGEMCP_ALLOW_PRIVATE_UPSTREAMS: 'true' } });
    const tenant = await createTenant(server);
    slug = tenant.slug;
    key = (await createKey(server, 'tenant_user', tenant.id)).key;
    const connector = await githubConnector(server, slug, { token: TOKEN, base_url: upstream.url });
    assert.equal(connector.configuration.token, undefined, 'the token came back');
    assert.deepEqual(connector.secret_fields, ['token']);
    mcpUrl = mcpUrlOf(server, slug, connector.id);
  });

  after(async () => {
    await server?.stop();
    await upstream?.close();
  });

  it('lists the tools and calls one against the upstream with the credential', async () => {
    const client = await connect(mcpUrl, key);
    try {
      const { tools } = await client.listTools();
      assert.equal(tools.length, 27);
      assert.ok(tools.every((t) => t.name.startsWith('github_')));
      const get = tools.find((t) => t.name === 'github_get_repository');
      assert.deepEqual(get.inputSchema.required, ['owner', 'repo']);
      assert.equal(get.annotations.readOnlyHint, true);

      const result = await client.callTool({
        name: 'github_get_repository', arguments: { owner: 'octo', repo: 'alpha' },
      });
      assert.ok(!result.isError, textOf(result));
      assert.deepEqual(JSON.parse(textOf(result)), {
        full_name: 'octo/alpha', stargazers_count: 10, private: false,
        owner: { login: 'octo' }, html_url: 'https://github.com/octo/alpha',
      });
      const seen = upstream.requests.at(-1);
      assert.equal(seen.url, '/repos/octo/alpha');
      assert.equal(seen.headers.authorization, `Bearer ${TOKEN}`);
      assert.equal(seen.headers.accept, 'application/vnd.github+json');
      assert.equal(seen.headers['x-github-api-version'], '2022-11-28');
      assert.match(seen.headers['user-agent'], /^SageMCP\//);

      const list = await client.callTool({
        name: 'github_list_issues', arguments: { owner: 'octo', repo: 'alpha', limit: 5 },
      });
      assert.deepEqual(JSON.parse(textOf(list)), {
        items: [{ number: 1, title: 'One', state: 'open', user: { login: 'ann' } }],
        count: 1,
        has_more: false,
      });
      assert.equal(upstream.requests.at(-1).url, '/repos/octo/alpha/issues?per_page=5');
    } finally {
      await client.close();
    }
  });

  it('answers 20 concurrent calls, each with its own result', async () => {
    const client = await connect(mcpUrl, key);
    try {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => client.callTool({
        name: i % 2 ? 'github_get_repository' : 'github_get_issue',
        arguments: i % 2 ? { owner: 'octo', repo: 'alpha' }
          : { owner: 'octo', repo: 'alpha', issue_number: i + 1 },
      })));
      results.forEach((result, i) => {
        if (i % 2) {
          assert.ok(!result.isError, textOf(result));
          assert.equal(JSON.parse(textOf(result)).full_name, 'octo/alpha');
        } else {
          assert.equal(result.isError, true);
          assert.match(textOf(result), /GitHub found nothing there \(404 Not Found: Not Found\)/);
        }
      });
    } finally {
      await client.close();
    }
  });

  it('reports bad arguments before any upstream call, naming the field', async () => {
    const before = upstream.requests.length;
    const client = await connect(mcpUrl, key);
    try {
      const result = await client.callTool({
        name: 'github_get_issue', arguments: { owner: 'octo', repo: 'alpha', issue_number: 'x' },
      });
      assert.equal(result.isError, true);
      assert.match(textOf(result), /'issue_number'/);
      assert.equal(upstream.requests.length, before);
    } finally {
      await client.close();
    }
  });

  it('serves 2026-07-28 stateless calls too', async () => {
    const res = await statelessPost(mcpUrl, 'tools/call',
      { name: 'github_get_repository', arguments: { owner: 'octo', repo: 'alpha' } }, { key });
    assert.equal(res.status, 200);
    const body = res.json ?? res.messages?.at(-1);
    assert.ok(!body.result.isError, JSON.stringify(body));
    assert.equal(JSON.parse(body.result.content[0].text).full_name, 'octo/alpha');
  });

  it('turns a rejected credential into a tool error and never echoes the token', async () => {
    const tenant = await createTenant(server);
    const tenantKey = (await createKey(server, 'tenant_user', tenant.id)).key;
    const wrong = await githubConnector(server, tenant.slug, { token: 'revoked-token', base_url: upstream.url });
    const none = await githubConnector(server, tenant.slug, { base_url: upstream.url });
    const client = await connect(mcpUrlOf(server, tenant.slug, wrong.id), tenantKey);
    try {
      const result = await client.callTool({ name: 'github_get_user_info', arguments: {} });
      assert.equal(result.isError, true);
      assert.match(textOf(result), /GitHub rejected the connector's configured token \(401 Unauthorized: Bad credentials\)/);
      assert.doesNotMatch(textOf(result), /revoked-token/);
    } finally {
      await client.close();
    }
    const unconfigured = await connect(mcpUrlOf(server, tenant.slug, none.id), tenantKey);
    try {
      const result = await unconfigured.callTool({ name: 'github_get_user_info', arguments: {} });
      assert.equal(result.isError, true);
      assert.match(textOf(result), /GitHub is not connected/);
    } finally {
      await unconfigured.close();
    }
  });

  it('refuses a base URL that is no http(s) URL', async () => {
    const tenant = await createTenant(server);
    for (const base_url of ['ftp://example.com', 'https://user:pw@example.com', 'not a url']) {
      const res = await api(server, 'POST', `/api/v1/admin/tenants/${tenant.slug}/connectors`, {
        connector_type: 'github', name: 'GitHub', configuration: { base_url },
      });
      assert.equal(res.status, 400, base_url);
      assert.match(res.json.detail ?? res.text, /base_url/);
    }
  });
});

describe('private upstreams', () => {
  it('are refused unless the operator allows them', async () => {
    const upstream = await fakeGitHub();
    const server = await startServer({ auth: true });
    try {
      const tenant = await createTenant(server);
      const tenantKey = (await createKey(server, 'tenant_user', tenant.id)).key;
      const connector = await githubConnector(server, tenant.slug, { token: TOKEN, base_url: upstream.url });
      const client = await connect(mcpUrlOf(server, tenant.slug, connector.id), tenantKey);
      try {
        const result = await client.callTool({ name: 'github_get_user_info', arguments: {} });
        assert.equal(result.isError, true);
        assert.match(textOf(result), /private.*SAGEMCP_ALLOW_PRIVATE_UPSTREAMS=true/);
        assert.equal(upstream.requests.length, 0);
      } finally {
        await client.close();
      }
    } finally {
      await server.stop();
      await upstream.close();
    }
  });
});
