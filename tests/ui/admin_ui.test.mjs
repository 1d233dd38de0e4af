// The web admin UI in a real browser (Debian's chromium through playwright-core) against the real
// server: log in, create a tenant, add an `everything` connector, disable a tool and see it leave
// the tester, call echo over HTTP and WebSocket, create and revoke a key, a 401 back to the login
// screen, and every page (desktop, 375 px, dark) without console errors. Screenshots go to
// tests/ui/artifacts/.
//
// The server serves web-admin/dist when started with SAGEMCP_WEB_DIR. A server that does not
// answer `/` with the app (or SAGEMCP_UI_PREVIEW=1) is fronted by `vite preview`, which proxies
// the API, the MCP endpoints and their WebSockets to it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

import { mcpPost, rpc } from '../support/mcp.mjs';
import { api, createConnector, createKey, createTenant, expectStatus, mcpUrlOf, randomSlug, startServer } from '../support/server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const webAdmin = path.join(repoRoot, 'web-admin');
const dist = path.join(webAdmin, 'dist');
const artifacts = path.join(here, 'artifacts');
const requireWeb = createRequire(path.join(webAdmin, 'package.json'));
const { chromium } = requireWeb('playwright-core');

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Whether the server answers `/` with the app's HTML. */
async function servesUi(baseUrl) {
  try {
    const res = await fetch(`${baseUrl}/`, { headers: { accept: 'text/html' } });
    const text = await res.text();
    return res.ok && (res.headers.get('content-type') ?? '').startsWith('text/html') && text.includes('id="root"');
  } catch {
    return false;
  }
}

/** `vite preview` of dist, proxying the API to `target`. Returns {url, stop()}. */
async function startPreview(target) {
  const port = await freePort();
  const vite = path.join(webAdmin, 'node_modules', '.bin', 'vite');
  const child = spawn(vite, ['preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: webAdmin,
    env: { ...process.env, SAGEMCP_URL: target },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`vite preview exited: ${output}`);
    }
    try {
      const res = await fetch(`${url}/`);
      await res.arrayBuffer();
      if (res.ok) {
        break;
      }
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`vite preview did not start: ${output}`);
    }
    await sleep(200);
  }
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * A fake GitHub OAuth app: its authorization endpoint consents at once and sends the browser back
 * with a code; the token, profile and revocation endpoints answer as GitHub does.
 */
async function fakeGitHub() {
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://fake');
    const send = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    req.resume();
    req.on('end', () => {
      if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') {
        const back = new URL(url.searchParams.get('redirect_uri'));
        back.searchParams.set('code', 'code-123');
        back.searchParams.set('state', url.searchParams.get('state'));
        res.writeHead(302, { location: back.toString() });
        res.end();
      } else if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
        send(200, { access_token: 'gho_uitest', token_type: 'bearer', scope: 'repo' });
      } else if (req.method === 'GET' && url.pathname === '/user') {
        send(200, { id: 583231, login: 'octocat' });
      } else if (req.method === 'DELETE' && url.pathname.startsWith('/applications/')) {
        res.writeHead(204);
        res.end();
      } else {
        send(404, { message: 'Not Found' });
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

describe('web admin UI', () => {
  let server;
  let github;
  let preview;
  let baseUrl;
  let browser;
  let context;
  let page;
  let shotNumber = 0;
  const consoleErrors = [];
  const state = {};

  // A 404 from the live log stream is the page's "not available" state until the server has it.
  const expected = (text, url) => /\/api\/v1\/admin\/logs\/stream/.test(url ?? '') && /404/.test(text);

  const watch = (p, label) => {
    p.on('console', (msg) => {
      if (msg.type() === 'error' && !expected(msg.text(), msg.location()?.url)) {
        consoleErrors.push(`[${label}] ${msg.text()} (${msg.location()?.url ?? ''})`);
      }
    });
    p.on('pageerror', (err) => consoleErrors.push(`[${label}] page error: ${err.message}`));
  };

  const shot = async (name, p = page) => {
    shotNumber += 1;
    const file = path.join(artifacts, `${String(shotNumber).padStart(2, '0')}-${name}.png`);
    await p.screenshot({ path: file, fullPage: true });
    return file;
  };

  /** Waits until no request is in flight for a moment (the dashboard polls, so bounded). */
  const settle = async (p = page) => {
    await p.waitForLoadState('networkidle', { timeout: 3_000 }).catch(() => {});
  };

  const goto = async (route, p = page) => {
    await p.goto(`${baseUrl}${route}`);
    await settle(p);
  };

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (tests/ui/run.sh does)`);
    assert.ok(existsSync(path.join(dist, 'index.html')), 'web-admin/dist is missing: npm run build in web-admin');
    mkdirSync(artifacts, { recursive: true });
    github = await fakeGitHub();
    server = await startServer({
      auth: true,
      env: {
        SAGEMCP_WEB_DIR: dist,
        SAGEMCP_ALLOW_PRIVATE_UPSTREAMS: 'true',
        GITHUB_CLIENT_ID: 'Iv1.ui-test',
        GITHUB_CLIENT_SECRET: 'ui-test-secret',
        GITHUB_AUTHORIZE_URL: `${github.url}/login/oauth/authorize`,
        GITHUB_TOKEN_URL: `${github.url}/login/oauth/access_token`,
        GITHUB_REVOKE_URL: `${github.url}/applications/{client_id}/grant`,
        GITHUB_PROFILE_URL: `${github.url}/user`,
      },
    });
    // SAGEMCP_UI_PREVIEW=1 uses vite preview even when the server serves the UI itself.
    if (!process.env.SAGEMCP_UI_PREVIEW && (await servesUi(server.baseUrl))) {
      baseUrl = server.baseUrl;
    } else {
      preview = await startPreview(server.baseUrl);
      baseUrl = preview.url;
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'light' });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    watch(page, 'admin');
  });

  after(async () => {
    await browser?.close();
    await preview?.stop();
    await server?.stop();
    await github?.close();
  });

  it('asks for a key first and rejects a wrong one', async () => {
    await goto('/');
    await page.waitForURL(/\/login$/);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await shot('login');
    await page.getByLabel('API key').fill('smcp_pa_not-a-real-key');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'did not accept this key' }).waitFor();
    await shot('login-rejected');
    // The refused key's 401 is the browser's console line for that answer, and nothing else.
    assert.ok(consoleErrors.every((e) => /status of 401/.test(e) && /auth\/verify/.test(e)), consoleErrors.join('\n'));
    consoleErrors.length = 0;
  });

  it('logs in with the admin key and shows the scope', async () => {
    await page.getByLabel('API key').fill(server.adminKey);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.getByLabel('Signed in as').getByText('platform admin').waitFor();
  });

  it('creates a tenant', async () => {
    state.slug = randomSlug('ui');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tenants' }).click();
    await page.getByRole('heading', { name: 'Tenants' }).waitFor();
    await page.getByRole('button', { name: 'Create tenant' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a tenant' });
    await dialog.getByLabel('Slug').fill(state.slug);
    await dialog.getByLabel('Name').fill('UI Test Tenant');
    await dialog.getByLabel('Description').fill('Made by the browser test');
    await dialog.getByLabel('Contact e-mail').fill('ops@example.com');
    await shot('tenant-create-dialog');
    await dialog.getByRole('button', { name: 'Create tenant' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'UI Test Tenant' }).waitFor();
    const res = await api(server, 'GET', `/api/v1/admin/tenants/${state.slug}`);
    assert.equal(res.status, 200, res.text);
    state.tenantId = res.json.id;
  });

  it('adds an everything connector from the type picker', async () => {
    await page.getByRole('link', { name: 'UI Test Tenant' }).click();
    await page.getByRole('heading', { name: 'UI Test Tenant' }).waitFor();
    await page.getByRole('link', { name: 'Add connector' }).click();
    await page.getByRole('group', { name: 'What to add' }).waitFor();
    await page.getByRole('radio', { name: /Everything \(test\)/ }).check();
    await page.getByLabel('Name', { exact: true }).fill('Everything UI');
    await page.getByLabel('Description').fill('echo and friends');
    await shot('connector-new');
    await page.getByRole('button', { name: 'Add connector' }).click();
    await page.getByRole('heading', { name: 'Everything UI' }).waitFor();
    state.connectorId = page.url().split('/connectors/')[1].split(/[?#]/)[0];
    assert.ok(state.connectorId, page.url());
    await shot('connector-overview');
  });

  it('edits the connector', async () => {
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    await page.getByRole('heading', { name: 'Edit Everything UI' }).waitFor();
    await page.getByLabel('Description').fill('echo, add and friends');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'Everything UI' }).waitFor();
    await page.getByText('echo, add and friends').first().waitFor();
    const saved = await api(server, 'GET', `/api/v1/admin/tenants/${state.slug}/connectors/${state.connectorId}`);
    assert.equal(saved.json.description, 'echo, add and friends');
  });

  it('disables a tool in the tool policy', async () => {
    await page.getByRole('tab', { name: 'Tool policy' }).click();
    await page.getByLabel('Search tools').fill('add');
    const toggle = page.getByRole('switch', { name: 'add enabled', exact: true });
    await toggle.waitFor();
    assert.equal(await toggle.isChecked(), true);
    await toggle.click();
    await page.getByRole('status').getByText('add disabled').waitFor();
    assert.equal(await toggle.isChecked(), false);
    await page.getByLabel('Search tools').fill('');
    await shot('tool-policy');
    const policy = expectStatus(
      await api(server, 'GET', `/api/v1/admin/tenants/${state.slug}/connectors/${state.connectorId}/tools`),
      200,
      'tool policy',
    );
    assert.equal(policy.tools.find((t) => t.tool_name === 'add').is_enabled, false);
  });

  const callEcho = async (transport, message) => {
    await page.getByRole('radio', { name: transport }).check();
    await page.getByRole('button', { name: /^Initialize/ }).click();
    await page.getByText('connected', { exact: true }).waitFor();
    const tools = page.getByRole('list', { name: 'Tools' });
    await tools.getByRole('button', { name: /^echo\b/ }).waitFor();
    // The disabled tool is gone from tools/list.
    assert.equal(await tools.getByRole('button', { name: /^add\b/ }).count(), 0, 'the disabled tool is still listed');
    await tools.getByRole('button', { name: /^echo\b/ }).click();
    await page.getByLabel(/^message/).fill(message);
    await page.getByRole('button', { name: 'Call tool' }).click();
    await page.locator('.call-result').getByText(`Echo: ${message}`).waitFor();
  };

  it('calls echo in the MCP tester over Streamable HTTP', async () => {
    await page.getByRole('link', { name: 'Open in tester' }).click();
    await page.getByRole('heading', { name: 'MCP tester' }).waitFor();
    // The connector list loads after the page: the choice from the URL shows once it has.
    await page.waitForFunction(
      (id) => document.querySelector('select[id$="-connector"]')?.value === id,
      state.connectorId,
    );
    await callEcho('Streamable HTTP', 'hello over http');
    const exchange = page.getByRole('list', { name: 'Messages, oldest first' });
    await exchange.getByText('"method": "tools/call"').first().waitFor();
    await exchange.getByText(/Mcp-Session-Id/).first().waitFor();
    await shot('tester-http');
  });

  it('calls echo in the MCP tester over WebSocket', async () => {
    await callEcho('WebSocket', 'hello over websocket');
    await page.getByRole('list', { name: 'Messages, oldest first' }).getByText("WebSocket open, subprotocol 'mcp'").waitFor();
    await shot('tester-websocket');
  });

  it('connects an OAuth account in a popup and follows the flow', async () => {
    await goto(`/tenants/${state.slug}?tab=oauth`);
    const github = page.getByRole('listitem').filter({ hasText: /^GitHub/ });
    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      github.getByRole('button', { name: 'Connect GitHub for the tenant' }).click(),
    ]);
    await popup.getByRole('heading', { name: 'GitHub connected' }).waitFor();
    await shot('oauth-popup', popup);
    await popup.close();
    await page.locator('.oauth-status').getByText('connected.').waitFor();
    const row = page.getByRole('row').filter({ hasText: 'octocat' });
    await row.waitFor();
    await shot('oauth-connected');
    await row.getByRole('button', { name: 'Disconnect' }).click();
    await page.getByRole('dialog', { name: 'Disconnect GitHub?' }).getByRole('button', { name: 'Disconnect' }).click();
    await page.getByRole('status').getByText('Connection removed and revoked at the provider').waitFor();
    await row.waitFor({ state: 'detached' });
  });

  it('creates a key (shown once) and revokes it', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create an API key' });
    await dialog.getByLabel('Name').fill('ui-laptop');
    await dialog.getByLabel('Scope').selectOption('tenant_user');
    await dialog.getByLabel('Tenant').selectOption(state.slug);
    await dialog.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByRole('dialog', { name: 'API key created' });
    const key = await shown.getByRole('textbox', { name: /API key/ }).inputValue();
    assert.match(key, /^smcp_tu_[a-z2-7]{12}_[A-Za-z0-9_-]{43}$/);
    await shown.getByRole('button', { name: 'Copy API key' }).waitFor();
    await shot('key-created');
    await shown.getByRole('button', { name: 'Done' }).click();
    const verified = await api(server, 'POST', '/api/v1/auth/verify', undefined, key);
    assert.equal(verified.status, 200, verified.text);
    assert.equal(verified.json.tenant_slug, state.slug);

    const row = page.getByRole('row').filter({ hasText: 'ui-laptop' });
    await row.waitFor();
    await row.getByRole('button', { name: 'Revoke ui-laptop' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke ui-laptop?' });
    await confirm.getByRole('button', { name: 'Revoke key' }).click();
    await page.getByRole('status').getByText('Key ui-laptop revoked').waitFor();
    await row.waitFor({ state: 'detached' });
    const refused = await api(server, 'POST', '/api/v1/auth/verify', undefined, key);
    assert.equal(refused.status, 401, refused.text);
    await page.getByLabel('Show revoked keys').check();
    await page.getByRole('row').filter({ hasText: 'ui-laptop' }).getByText('revoked').waitFor();
    await shot('keys');
  });

  it('opens every page without console errors, on a desktop, a 375 px phone and in dark', async () => {
    // An external server, so that the process views show one.
    const everything = path.join(repoRoot, 'tests', 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
    if (existsSync(everything)) {
      const external = await api(server, 'POST', `/api/v1/admin/tenants/${state.slug}/connectors`, {
        runtime_type: 'external_nodejs',
        name: 'server-everything',
        runtime_command: [process.execPath, everything, 'stdio'],
      });
      assert.equal(external.status, 201, external.text);
      state.externalId = external.json.id;
      // The process starts with the first session.
      const init = await mcpPost(
        mcpUrlOf(server, state.slug, state.externalId),
        rpc('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'ui-test', version: '1' } }),
        { key: server.adminKey },
      );
      assert.equal(init.status, 200, init.text);
    }
    const t = `/tenants/${state.slug}`;
    const c = `${t}/connectors/${state.connectorId}`;
    const pages = [
      ['dashboard', '/', 'Dashboard'],
      ['tenants', '/tenants', 'Tenants'],
      ['tenant-connectors', t, 'UI Test Tenant'],
      ['tenant-oauth', `${t}?tab=oauth`, 'UI Test Tenant'],
      ['tenant-sessions', `${t}?tab=sessions`, 'UI Test Tenant'],
      ['tenant-endpoints', `${t}?tab=endpoints`, 'UI Test Tenant'],
      ['tenant-audit', `${t}?tab=audit`, 'UI Test Tenant'],
      ['connector-overview', c, 'Everything UI'],
      ['connector-tools', `${c}?tab=tools`, 'Everything UI'],
      ['connector-endpoints', `${c}?tab=endpoints`, 'Everything UI'],
      ['connector-edit', `${c}/edit`, 'Edit Everything UI'],
      ['connector-new-github', `${t}/connectors/new`, 'Add a connector'],
      ['connector-new-remote', `${t}/connectors/new`, 'Add a connector'],
      ['connector-new-external', `${t}/connectors/new`, 'Add a connector'],
      ['tester', `/tester?tenant=${state.slug}&connector=${state.connectorId}`, 'MCP tester'],
      ['keys', '/keys', 'API keys'],
      ['pool', '/pool', 'Pool'],
      ['sessions', '/sessions', 'Sessions'],
      ['logs', '/logs', 'Live logs'],
      ['processes', '/processes', 'External processes'],
      ['settings', '/settings', 'Settings'],
      ['audit', '/audit', 'Audit log'],
    ];
    if (state.externalId) {
      pages.push(['connector-process', `${t}/connectors/${state.externalId}?tab=process`, 'server-everything']);
    }
    for (const [name, route, heading] of pages) {
      await goto(route);
      await page.getByRole('heading', { name: heading, exact: true }).first().waitFor();
      if (name === 'dashboard') {
        // Two polls make the first rates.
        await sleep(4500);
      }
      if (name === 'connector-new-github') {
        await page.getByRole('radio', { name: /^GitHub/ }).check();
        // Generated from the type's declared fields: the token is a secret, the API URL a URL.
        assert.equal(await page.getByLabel(/^Access token/).getAttribute('type'), 'password');
        assert.equal(await page.getByLabel(/^API URL/).getAttribute('type'), 'url');
      }
      if (name === 'connector-new-remote') {
        await page.getByRole('radio', { name: /Remote MCP server/ }).check();
        await page.getByLabel('Server URL').waitFor();
        await page.getByRole('button', { name: 'Add header' }).click();
      }
      if (name === 'connector-new-external') {
        await page.getByRole('radio', { name: /External MCP server/ }).check();
        await page.getByLabel('Command, one argument per line').waitFor();
      }
      if (name === 'logs') {
        await page.getByText(/not available|Waiting for log lines|live/).first().waitFor();
      }
      if (name === 'processes' && state.externalId) {
        await page.getByText('running', { exact: true }).first().waitFor({ timeout: 20_000 });
      }
      await shot(`page-${name}`);
    }

    const phone = await browser.newContext({ viewport: { width: 375, height: 780 }, colorScheme: 'dark', isMobile: true, hasTouch: true });
    await phone.addInitScript((key) => sessionStorage.setItem('sagemcp.apiKey', key), server.adminKey);
    const small = await phone.newPage();
    watch(small, 'phone');
    for (const [name, route, heading] of pages) {
      await goto(route, small);
      await small.getByRole('heading', { name: heading, exact: true }).first().waitFor();
      const overflow = await small.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 1, `${name} is ${overflow}px wider than a 375 px screen`);
      if (['dashboard', 'tenants', 'tenant-connectors', 'connector-tools', 'tester', 'keys', 'logs'].includes(name)) {
        await shot(`phone-dark-${name}`, small);
      }
    }
    const menu = small.getByRole('button', { name: 'Menu' });
    await menu.click();
    await small.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Pool' }).waitFor();
    await sleep(400); // the drawer slides in
    await shot('phone-dark-menu', small);
    // The drawer took focus; Escape closes it and gives focus back to the menu button.
    assert.equal(await small.evaluate(() => document.activeElement?.closest('#sidebar') !== null), true);
    await small.keyboard.press('Escape');
    assert.equal(await menu.getAttribute('aria-expanded'), 'false');
    assert.equal(await small.evaluate(() => document.activeElement?.classList.contains('menu-button')), true);
    await phone.close();

    assert.deepEqual(consoleErrors, [], `console errors:\n${consoleErrors.join('\n')}`);
  });

  it('sends the user back to the login screen on a 401', async () => {
    const key = (await createKey(server, 'tenant_admin', state.tenantId, 'ui-admin')).key;
    const other = await browser.newContext({ viewport: { width: 1024, height: 760 } });
    const p = await other.newPage();
    watch(p, 'tenant-admin');
    await p.goto(`${baseUrl}/login`);
    await p.getByLabel('API key').fill(key);
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.getByRole('heading', { name: 'UI Test Tenant' }).or(p.getByRole('heading', { name: state.slug })).first().waitFor();
    await p.getByLabel('Signed in as').getByText('tenant admin').waitFor();
    await p.getByRole('link', { name: 'Everything UI', exact: true }).waitFor();
    await shot('tenant-admin-view', p);
    const keys = expectStatus(await api(server, 'GET', '/api/v1/auth/keys'), 200, 'keys');
    const id = keys.find((k) => k.name === 'ui-admin').id;
    expectStatus(await api(server, 'DELETE', `/api/v1/auth/keys/${id}`), 204, 'revoke');
    await sleep(1200);
    await p.getByRole('tab', { name: 'OAuth' }).click();
    await p.waitForURL(/\/login$/);
    await p.getByRole('alert').getByText(/Your session ended: the server answered 401/).waitFor();
    await shot('login-after-401', p);
    await other.close();
    // The 401 itself is a failed resource load in the console; nothing else may be.
    const unexpected = consoleErrors.filter((e) => !/status of 401/.test(e));
    assert.deepEqual(unexpected, [], unexpected.join('\n'));
  });

  it('deletes a tenant only after its slug is typed', async () => {
    const doomed = await createTenant(server, { name: 'Doomed Tenant' });
    await createConnector(server, doomed.slug);
    await goto('/tenants');
    await page.getByRole('button', { name: `Delete ${doomed.slug}` }).click();
    const dialog = page.getByRole('dialog', { name: `Delete tenant ${doomed.slug}?` });
    await dialog.getByRole('button', { name: 'Delete tenant' }).click();
    await dialog.getByLabel(/Type/).waitFor();
    assert.equal(await dialog.isVisible(), true, 'deleted without the typed confirmation');
    await dialog.getByLabel(/Type/).fill(doomed.slug);
    await shot('tenant-delete-confirm');
    await dialog.getByRole('button', { name: 'Delete tenant' }).click();
    await page.getByRole('status').getByText(`Tenant ${doomed.slug} deleted`).waitFor();
    const gone = await api(server, 'GET', `/api/v1/admin/tenants/${doomed.slug}`);
    assert.equal(gone.status, 404, gone.text);
    await page.keyboard.press('Escape');
  });
});
