// End-to-end OAuth 2.0: a fake GitHub (authorization server and API) on loopback. An
// administrator starts an authorization, the "browser" follows it to the provider and back to the
// callback; the token is exchanged with PKCE, stored encrypted, and used by tool calls; once it is
// about to expire, exactly one refresh serves twenty concurrent calls. Forged, replayed, expired
// and cross-tenant states are refused; deleting the credential revokes it at the provider.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  api, createKey, createTenant, expectStatus, mcpUrlOf, queryTestDatabase, startServer,
} from '../support/server.mjs';
import { statelessPost } from '../support/mcp.mjs';

const CLIENT_ID = 'Iv1.e2e-client';
const CLIENT_SECRET = 'oauth-client-secret-7c2a91';
// The first token expires 65 s after it is granted: usable for 5 s before the server's 60 s
// refresh margin.
const FIRST_LIFETIME = 65;

const base64url = (buf) => buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_')
  .replace(/=+$/, '');

/** A fake GitHub: authorization endpoint, token endpoint, revocation, profile and one API. */
async function fakeGitHub() {
  const codes = new Map();
  const state = {
    valid: new Set(), refreshTokens: new Set(), refreshes: 0, exchanges: 0, revoked: [],
    apiTokens: [], issued: [],
  };
  const mint = (prefix) => `${prefix}_${randomBytes(12).toString('hex')}`;
  // The account each token belongs to.
  const accounts = new Map();
  const issue = (lifetime, login) => {
    const access = mint('gho');
    const refresh = mint('ghr');
    state.valid.add(access);
    state.refreshTokens.add(refresh);
    state.issued.push(access, refresh);
    accounts.set(access, login);
    accounts.set(refresh, login);
    return { access_token: access, refresh_token: refresh, token_type: 'bearer', expires_in: lifetime, scope: 'repo,read:org' };
  };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      const send = (status, payload) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      const url = new URL(req.url, 'http://fake');
      if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
        const form = new URLSearchParams(body);
        if (form.get('client_id') !== CLIENT_ID || form.get('client_secret') !== CLIENT_SECRET) {
          send(401, { error: 'invalid_client' });
          return;
        }
        if (form.get('grant_type') === 'authorization_code') {
          const grant = codes.get(form.get('code'));
          codes.delete(form.get('code'));
          const verifier = form.get('code_verifier') ?? '';
          const challenge = base64url(createHash('sha256').update(verifier).digest());
          if (!grant || grant.redirectUri !== form.get('redirect_uri')
              || grant.challenge !== challenge) {
            send(400, { error: 'bad_verification_code', error_description: 'The code is wrong' });
            return;
          }
          state.exchanges += 1;
          send(200, issue(FIRST_LIFETIME, grant.login));
          return;
        }
        if (form.get('grant_type') === 'refresh_token') {
          state.refreshes += 1;
          const old = form.get('refresh_token');
          if (!state.refreshTokens.delete(old)) {
            send(400, { error: 'bad_refresh_token' });
            return;
          }
          // Slow enough for concurrent calls to pile up behind the refresh.
          setTimeout(() => send(200, issue(3600, accounts.get(old))), 300);
          return;
        }
        send(400, { error: 'unsupported_grant_type' });
        return;
      }
      const bearer = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (req.method === 'GET' && url.pathname === '/user') {
        const login = accounts.get(bearer) ?? 'octocat';
        send(state.valid.has(bearer) ? 200 : 401,
          { id: login === 'octocat' ? 583231 : 1000 + login.length, login });
        return;
      }
      if (req.method === 'DELETE' && url.pathname === `/applications/${CLIENT_ID}/grant`) {
        const basic = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
        if (req.headers.authorization !== `Basic ${basic}`) {
          send(401, { message: 'Bad credentials' });
          return;
        }
        state.revoked.push(JSON.parse(body).access_token);
        res.writeHead(204);
        res.end();
        return;
      }
      if (req.method === 'GET' && url.pathname === '/repos/octo/alpha') {
        state.apiTokens.push(bearer);
        if (!state.valid.has(bearer)) {
          send(401, { message: 'Bad credentials' });
          return;
        }
        send(200, { full_name: 'octo/alpha', stargazers_count: 3 });
        return;
      }
      send(404, { message: 'Not Found' });
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    state,
    /** The account a token belongs to. */
    accountOf: (token) => accounts.get(token),
    /** The provider's side of the browser's visit: `login` consents, a code is issued. */
    authorize(authorizationUrl, login = 'octocat') {
      const u = new URL(authorizationUrl);
      assert.equal(u.origin + u.pathname, `${url}/login/oauth/authorize`);
      assert.equal(u.searchParams.get('client_id'), CLIENT_ID);
      assert.equal(u.searchParams.get('response_type'), 'code');
      assert.equal(u.searchParams.get('code_challenge_method'), 'S256');
      assert.ok(u.searchParams.get('scope').includes('repo'));
      const code = randomBytes(10).toString('hex');
      codes.set(code, {
        login,
        redirectUri: u.searchParams.get('redirect_uri'),
        challenge: u.searchParams.get('code_challenge'),
      });
      const back = new URL(u.searchParams.get('redirect_uri'));
      back.searchParams.set('code', code);
      back.searchParams.set('state', u.searchParams.get('state'));
      return back.toString();
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const textOf = (result) => result.content.map((c) => c.text).join('');

/** Starts an authorization as `key` and returns the provider authorization URL (a 302). */
async function startFlow(server, slug, key) {
  const res = await fetch(`${server.baseUrl}/api/v1/oauth/${slug}/auth/github`, {
    redirect: 'manual', headers: { authorization: `Bearer ${key ?? server.adminKey}` },
  });
  assert.equal(res.status, 302, await res.text());
  return res.headers.get('location');
}

async function visit(url) {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

describe('OAuth e2e', () => {
  let provider;
  let server;
  let dataDir;
  let databaseUrl;
  let slug;
  let tenantId;
  let other;
  let userKey;
  let userKeyId;
  let mcpUrl;

  const sql = (statement) => (databaseUrl
    ? queryTestDatabase(databaseUrl, statement)
    : execFileSync('sqlite3', [path.join(dataDir, 'sagemcp.db'), statement],
      { encoding: 'utf8' }).trim());

  before(async () => {
    provider = await fakeGitHub();
    server = await startServer({
      auth: true,
      env: {
        SAGEMCP_ALLOW_PRIVATE_UPSTREAMS: 'true',
        GITHUB_CLIENT_ID: CLIENT_ID,
        GITHUB_CLIENT_SECRET: CLIENT_SECRET,
        GITHUB_AUTHORIZE_URL: `${provider.url}/login/oauth/authorize`,
        GITHUB_TOKEN_URL: `${provider.url}/login/oauth/access_token`,
        GITHUB_REVOKE_URL: `${provider.url}/applications/{client_id}/grant`,
        GITHUB_PROFILE_URL: `${provider.url}/user`,
      },
    });
    dataDir = server.dataDir;
    databaseUrl = server.database;
    const tenant = await createTenant(server);
    slug = tenant.slug;
    tenantId = tenant.id;
    other = await createTenant(server);
    const created = await createKey(server, 'tenant_user', tenant.id);
    userKey = created.key;
    userKeyId = created.id;
    const connector = expectStatus(await api(server, 'POST',
      `/api/v1/admin/tenants/${slug}/connectors`,
      { connector_type: 'github', name: 'GitHub', configuration: { base_url: provider.url } }),
    201, 'create github connector');
    mcpUrl = mcpUrlOf(server, slug, connector.id);
  });

  after(async () => {
    await server?.stop();
    await provider?.close();
  });

  const call = (id) => statelessPost(mcpUrl, 'tools/call',
    { name: 'github_get_repository', arguments: { owner: 'octo', repo: 'alpha' } },
    { key: userKey, id });

  it('lists the providers with what the operator configured', async () => {
    const providers = expectStatus(await api(server, 'GET', '/api/v1/oauth/providers'), 200, 'providers');
    assert.deepEqual(providers.map((p) => p.id), ['atlassian', 'bitbucket', 'discord', 'github',
      'gitlab', 'google', 'linear', 'microsoft', 'notion', 'slack', 'zoom']);
    const github = providers.find((p) => p.id === 'github');
    assert.equal(github.configured, true);
    assert.equal(github.pkce, true);
    assert.deepEqual(github.connector_types, ['github', 'copilot']);
    assert.equal(providers.find((p) => p.id === 'slack').configured, false);
  });

  it('refuses a call before the tenant connected an account', async () => {
    const res = await call(1);
    assert.equal(res.json.result.isError, true);
    assert.match(textOf(res.json.result), /GitHub is not connected: .*\/api\/v1\/oauth\/<tenant>\/auth\/github/);
  });

  it('refuses states that are missing, forged or minted for another tenant', async () => {
    const location = await startFlow(server, slug);
    const back = new URL(provider.authorize(location));
    const good = back.searchParams.get('state');
    const [flowId] = good.split('.');

    const missing = new URL(back);
    missing.searchParams.delete('state');
    assert.equal((await visit(missing)).status, 400);

    const forged = new URL(back);
    forged.searchParams.set('state', `${flowId}.${base64url(randomBytes(32))}`);
    const forgedPage = await visit(forged);
    assert.equal(forgedPage.status, 400);
    assert.match(forgedPage.type, /^text\/html/);
    assert.match(forgedPage.text, /state is missing or invalid/);

    const crossTenant = new URL(back.toString().replace(`/oauth/${slug}/`, `/oauth/${other.slug}/`));
    assert.equal((await visit(crossTenant)).status, 400);
    const wrongProvider = new URL(back.toString().replace('/callback/github', '/callback/gitlab'));
    assert.equal((await visit(wrongProvider)).status, 400);
    assert.equal(provider.state.exchanges, 0, 'no refused state reached the token endpoint');
    assert.equal(sql('SELECT COUNT(*) FROM oauth_credentials'), '0');
  });

  it('refuses an expired flow', async () => {
    const back = provider.authorize(await startFlow(server, slug));
    sql("UPDATE oauth_flows SET expires_at = '2000-01-01T00:00:00.000000Z' WHERE completed_at IS NULL");
    const page = await visit(back);
    assert.equal(page.status, 400);
    assert.match(page.text, /unknown, was already used, or expired/);
    assert.equal(provider.state.exchanges, 0);
  });

  it('connects, stores the token encrypted and uses it; a replayed callback is refused', async () => {
    // A client that prefers JSON gets the URL and a flow to follow instead of a redirect.
    const started = expectStatus(await fetch(`${server.baseUrl}/api/v1/oauth/${slug}/auth/github`, {
      headers: { authorization: `Bearer ${server.adminKey}`, accept: 'application/json' },
    }).then(async (r) => ({ status: r.status, json: await r.json(), text: '' })), 200, 'start');
    assert.match(started.status_url, new RegExp(`^/api/v1/oauth/${slug}/flows/`));
    const pending = expectStatus(await api(server, 'GET', started.status_url), 200, 'flow');
    assert.equal(pending.status, 'pending');
    // Another key of the tenant cannot follow someone else's flow.
    assert.equal((await api(server, 'GET', started.status_url, undefined, userKey)).status, 404);

    const back = provider.authorize(started.authorization_url);
    const page = await visit(back);
    assert.equal(page.status, 200, page.text);
    assert.match(page.text, /account octocat is connected for the tenant/);
    assert.equal(provider.state.exchanges, 1);
    const done = expectStatus(await api(server, 'GET', started.status_url), 200, 'flow');
    assert.equal(done.status, 'connected');

    const replay = await visit(back);
    assert.equal(replay.status, 400);
    assert.equal(provider.state.exchanges, 1, 'a replayed code never reached the provider');

    const [access, refresh] = provider.state.issued;
    const stored = sql('SELECT access_token || \' \' || refresh_token FROM oauth_credentials');
    assert.match(stored, /^enc:v1:\S+ enc:v1:\S+$/);
    if (!databaseUrl) {
      const file = path.join(dataDir, 'sagemcp.db');
      const raw = [file, `${file}-wal`].filter(existsSync)
        .map((f) => readFileSync(f).toString('latin1')).join('\n');
      assert.ok(!raw.includes(access) && !raw.includes(refresh), 'a token is stored in the clear');
    }
    const listed = expectStatus(await api(server, 'GET', `/api/v1/oauth/${slug}/auth`, undefined,
      userKey), 200, 'list');
    assert.equal(listed.length, 1);
    assert.equal(listed[0].provider_username, 'octocat');
    assert.equal(listed[0].provider_user_id, '583231');
    assert.equal(listed[0].kind, 'tenant');
    assert.equal(listed[0].refreshable, true);
    assert.ok(!JSON.stringify(listed).includes(access));

    const res = await call(2);
    assert.ok(!res.json.result.isError, textOf(res.json.result));
    assert.deepEqual(JSON.parse(textOf(res.json.result)), { full_name: 'octo/alpha', stargazers_count: 3 });
    assert.equal(provider.state.apiTokens.at(-1), access);
  });

  it('refreshes an expiring token exactly once for twenty concurrent calls', async () => {
    const [first] = provider.state.issued;
    await new Promise((resolve) => { setTimeout(resolve, 5500); });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => call(100 + i)));
    for (const res of results) {
      assert.ok(!res.json.result.isError, textOf(res.json.result));
    }
    assert.equal(provider.state.refreshes, 1);
    const renewed = provider.state.issued[2];
    assert.notEqual(renewed, first);
    assert.deepEqual(new Set(provider.state.apiTokens.slice(-20)), new Set([renewed]));
    const [row] = expectStatus(await api(server, 'GET', `/api/v1/oauth/${slug}/auth`), 200, 'list');
    assert.ok(Date.parse(row.expires_at) > Date.now() + 3000 * 1000, row.expires_at);
  });

  it('keeps tenant OAuth apps write-only and scoped to administrators', async () => {
    assert.equal((await api(server, 'GET', `/api/v1/oauth/${slug}/auth/github`, undefined,
      userKey)).status, 403);
    assert.equal((await api(server, 'POST', `/api/v1/oauth/${slug}/config`,
      { provider: 'gitlab', client_id: 'x', client_secret: 'y' }, userKey)).status, 403);
    const bad = await api(server, 'POST', `/api/v1/oauth/${slug}/config`,
      { provider: 'myspace', client_id: 'x', client_secret: 'y' });
    assert.equal(bad.status, 400);
    const set = expectStatus(await api(server, 'POST', `/api/v1/oauth/${slug}/config`,
      { provider: 'jira', client_id: 'atl-client', client_secret: 'atl-secret-31f' }), 200, 'set');
    assert.equal(set.provider, 'atlassian');
    const apps = expectStatus(await api(server, 'GET', `/api/v1/oauth/${slug}/config`), 200, 'apps');
    assert.deepEqual(apps.map((a) => [a.provider, a.client_id, a.client_secret_set]),
      [['atlassian', 'atl-client', true]]);
    assert.ok(!JSON.stringify(apps).includes('atl-secret-31f'));
    assert.match(sql('SELECT client_secret FROM oauth_configs'), /^enc:v1:/);
    // The tenant's app is the one the authorization uses.
    const location = await fetch(`${server.baseUrl}/api/v1/oauth/${slug}/auth/atlassian`, {
      redirect: 'manual', headers: { authorization: `Bearer ${server.adminKey}` },
    }).then((r) => r.headers.get('location'));
    const u = new URL(location);
    assert.equal(u.searchParams.get('client_id'), 'atl-client');
    assert.equal(u.searchParams.get('audience'), 'api.atlassian.com');
    assert.equal((await api(server, 'DELETE', `/api/v1/oauth/${slug}/config/atlassian`)).status, 204);
    assert.equal((await api(server, 'DELETE', `/api/v1/oauth/${slug}/config/atlassian`)).status, 404);
    const none = await api(server, 'GET', `/api/v1/oauth/${slug}/auth/slack`);
    assert.equal(none.status, 400);
    assert.match(none.json.detail, /SLACK_CLIENT_ID/);
  });

  it('revokes the grant at the provider when the credential is deleted', async () => {
    const current = provider.state.issued.at(-2);
    const res = expectStatus(await api(server, 'DELETE', `/api/v1/oauth/${slug}/auth/github`), 200,
      'delete');
    assert.equal(res.revoked_at_provider, true);
    assert.deepEqual(provider.state.revoked, [current]);
    assert.equal(sql('SELECT COUNT(*) FROM oauth_credentials'), '0');
    assert.equal((await api(server, 'DELETE', `/api/v1/oauth/${slug}/auth/github`)).status, 404);
    const after = await call(300);
    assert.equal(after.json.result.isError, true);
    assert.match(textOf(after.json.result), /GitHub is not connected/);
  });

  describe('personal connections (credential_mode "user")', () => {
    let personalUrl;
    let alice;
    let bob;
    const callAs = (key, id) => statelessPost(personalUrl, 'tools/call',
      { name: 'github_get_repository', arguments: { owner: 'octo', repo: 'alpha' } },
      { key, id });
    /** Connects `login`'s account as `key` through the JSON start and the flow's status. */
    const connectAs = async (key, login) => {
      const started = await fetch(`${server.baseUrl}/api/v1/oauth/${slug}/me/auth/github`, {
        headers: { authorization: `Bearer ${key}`, accept: 'application/json' },
      });
      assert.equal(started.status, 200);
      const flow = await started.json();
      const page = await visit(provider.authorize(flow.authorization_url, login));
      assert.equal(page.status, 200, page.text);
      assert.match(page.text, new RegExp(`account ${login} is connected for your API key`));
      const done = expectStatus(await api(server, 'GET', flow.status_url, undefined, key), 200,
        'flow');
      assert.deepEqual([done.status, done.kind], ['connected', 'personal']);
    };

    before(async () => {
      alice = { key: userKey, id: userKeyId };
      const second = await createKey(server, 'tenant_user', tenantId, 'bob');
      bob = { key: second.key, id: second.id };
      const connector = expectStatus(await api(server, 'POST',
        `/api/v1/admin/tenants/${slug}/connectors`,
        { connector_type: 'github', name: 'GitHub per user',
          configuration: { base_url: provider.url, credential_mode: 'user' } }),
      201, 'create per-user connector');
      personalUrl = mcpUrlOf(server, slug, connector.id);
    });

    it('validates the mode', async () => {
      const create = (configuration) => api(server, 'POST',
        `/api/v1/admin/tenants/${slug}/connectors`,
        { connector_type: 'github', name: 'x', configuration });
      const bogus = await create({ credential_mode: 'everyone' });
      assert.equal(bogus.status, 400);
      assert.match(bogus.json.detail, /'credential_mode' must be "tenant" or "user"/);
      const shared = await create({ credential_mode: 'user', token: 'ghp_shared' });
      assert.equal(shared.status, 400);
      assert.match(shared.json.detail, /'token' every caller would share must be removed/);
      const types = expectStatus(await api(server, 'GET', '/api/v1/admin/connector-types'), 200,
        'types');
      const field = types.find((t) => t.type === 'github').configuration
        .find((f) => f.name === 'credential_mode');
      assert.equal(field.secret, false);
    });

    it('asks each caller to connect their own account', async () => {
      const res = await callAs(alice.key, 400);
      assert.equal(res.json.result.isError, true);
      assert.match(textOf(res.json.result),
        /not connected for your API key: .*\/api\/v1\/oauth\/<tenant>\/me\/auth\/github/);
    });

    it('calls with the caller\'s own token, never another caller\'s', async () => {
      await connectAs(alice.key, 'alice');
      const first = await callAs(alice.key, 401);
      assert.ok(!first.json.result.isError, textOf(first.json.result));
      assert.equal(provider.accountOf(provider.state.apiTokens.at(-1)), 'alice');
      const bobs = await callAs(bob.key, 402);
      assert.equal(bobs.json.result.isError, true, 'bob must not ride on alice\'s account');
      assert.match(textOf(bobs.json.result), /not connected for your API key/);

      await connectAs(bob.key, 'bob');
      const again = await callAs(bob.key, 403);
      assert.ok(!again.json.result.isError, textOf(again.json.result));
      assert.equal(provider.accountOf(provider.state.apiTokens.at(-1)), 'bob');
      await callAs(alice.key, 404);
      assert.equal(provider.accountOf(provider.state.apiTokens.at(-1)), 'alice');

      // Tenant-mode connectors do not use personal connections.
      const tenantWide = await call(405);
      assert.equal(tenantWide.json.result.isError, true);
      assert.match(textOf(tenantWide.json.result), /GitHub is not connected: set/);

      const pool = expectStatus(await api(server, 'GET', '/api/v1/admin/pool'), 200, 'pool');
      const owners = pool.filter((i) => i.connector_name === 'GitHub per user')
        .map((i) => i.credential_owner).sort();
      assert.deepEqual(owners, [alice.id, bob.id].sort());
    });

    it('shows users their own connections and administrators all of them', async () => {
      const mine = expectStatus(await api(server, 'GET', `/api/v1/oauth/${slug}/auth`, undefined,
        alice.key), 200, 'list');
      assert.deepEqual(mine.map((c) => [c.kind, c.owner_key_id, c.provider_username]),
        [['personal', alice.id, 'alice']]);
      const all = expectStatus(await api(server, 'GET', `/api/v1/oauth/${slug}/auth`), 200, 'list');
      assert.deepEqual(all.map((c) => c.provider_username).sort(), ['alice', 'bob']);
      const stored = sql('SELECT access_token FROM oauth_credentials').split('\n');
      assert.equal(stored.length, 2);
      for (const value of stored) {
        assert.match(value, /^enc:v1:/);
      }
    });

    it('lets users remove their own connection and administrators anyone\'s', async () => {
      // A user cannot remove the tenant's connection or someone else's.
      assert.equal((await api(server, 'DELETE', `/api/v1/oauth/${slug}/auth/github?owner=${bob.id}`,
        undefined, alice.key)).status, 403);
      const aliceToken = provider.state.apiTokens.findLast((t) => provider.accountOf(t) === 'alice');
      const removed = expectStatus(await api(server, 'DELETE',
        `/api/v1/oauth/${slug}/me/auth/github`, undefined, alice.key), 200, 'delete mine');
      assert.equal(removed.revoked_at_provider, true);
      assert.equal(provider.state.revoked.at(-1), aliceToken);
      assert.match(textOf((await callAs(alice.key, 500)).json.result), /not connected for your API key/);
      assert.ok(!(await callAs(bob.key, 501)).json.result.isError, 'bob keeps his connection');

      expectStatus(await api(server, 'DELETE', `/api/v1/oauth/${slug}/auth/github?owner=${bob.id}`),
        200, 'delete bob\'s');
      assert.match(textOf((await callAs(bob.key, 502)).json.result), /not connected for your API key/);
      assert.equal(sql('SELECT COUNT(*) FROM oauth_credentials'), '0');
      assert.equal((await api(server, 'DELETE', `/api/v1/oauth/${slug}/me/auth/github`, undefined,
        bob.key)).status, 404);
      // Revoking a key deletes its personal connections.
      await connectAs(bob.key, 'bob');
      assert.equal(sql('SELECT COUNT(*) FROM oauth_credentials'), '1');
      assert.equal((await api(server, 'DELETE', `/api/v1/auth/keys/${bob.id}`)).status, 204);
      assert.equal(sql('SELECT COUNT(*) FROM oauth_credentials'), '0');
    });
  });

  it('keeps another tenant out', async () => {
    const outsider = (await createKey(server, 'tenant_admin', other.id)).key;
    for (const [method, route] of [['GET', `/api/v1/oauth/${slug}/auth`],
      ['GET', `/api/v1/oauth/${slug}/auth/github`], ['GET', `/api/v1/oauth/${slug}/config`],
      ['DELETE', `/api/v1/oauth/${slug}/auth/github`], ['GET', `/api/v1/oauth/${slug}/me/auth/github`],
      ['DELETE', `/api/v1/oauth/${slug}/me/auth/github`]]) {
      assert.equal((await api(server, method, route, undefined, outsider)).status, 403, route);
    }
    assert.equal(tenantId.length > 0, true);
  });
});
