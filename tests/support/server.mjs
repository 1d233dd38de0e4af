// Starts the sagemcp binary on a loopback ephemeral port for black-box tests, and small helpers
// for its REST API.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const startupTimeoutMs = 15_000;
const stopGraceMs = 5_000;

/** Path of the server binary under test. */
export function binaryPath() {
  return process.env.SAGEMCP_BINARY ?? path.join(repoRoot, 'build', 'sagemcp');
}

/** A random string of `n` url-safe base64 characters. */
export function randomUrlsafe(n) {
  return randomBytes(Math.ceil((n * 3) / 4) + 1)
    .toString('base64url')
    .slice(0, n);
}

/** A random tenant slug that satisfies the server's slug rules. */
export function randomSlug(prefix = 't') {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Spawns `sagemcp serve` with a fresh data dir and waits until it is ready.
 * Returns {baseUrl, adminKey, dataDir, stop(), logs()}.
 */
/** The PostgreSQL server of the test run (SAGEMCP_TEST_DATABASE_URL), or undefined. */
export function testPostgresUrl() {
  return process.env.SAGEMCP_TEST_DATABASE_URL || undefined;
}

function psql(url, sql) {
  return execFileSync('psql', [url, '-qAtX', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
    encoding: 'utf8',
  }).trim();
}

/** Creates an empty database on the test PostgreSQL server; returns its URL. */
export function createTestDatabase() {
  const base = testPostgresUrl();
  if (!base) {
    throw new Error('SAGEMCP_TEST_DATABASE_URL is not set');
  }
  const name = `sagemcp_${randomBytes(6).toString('hex')}`;
  psql(base, `CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a database createTestDatabase made, closing its connections. */
export function dropTestDatabase(url) {
  const name = new URL(url).pathname.slice(1);
  psql(testPostgresUrl(), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/** Runs SQL on a test database; returns the output of psql -At. */
export function queryTestDatabase(url, sql) {
  return psql(url, sql);
}

/**
 * Starts a server. Its database is a fresh SQLite file, or a fresh PostgreSQL database when
 * SAGEMCP_TEST_BACKEND=postgres, or `databaseUrl` when given (shared, not dropped).
 */
export async function startServer({ auth = true, env = {}, databaseUrl, dataDir: givenDir } = {}) {
  const bin = binaryPath();
  if (!existsSync(bin)) {
    throw new Error(`sagemcp binary not found at ${bin} (set SAGEMCP_BINARY)`);
  }
  // A given data dir outlives the server (restarts on the same data); a fresh one does not.
  const dataDir = givenDir ?? await mkdtemp(path.join(tmpdir(), 'sagemcp-test-'));
  const ownDatabase = !databaseUrl && process.env.SAGEMCP_TEST_BACKEND === 'postgres'
    ? createTestDatabase()
    : undefined;
  const database = databaseUrl ?? ownDatabase;
  const adminKey = env.SAGEMCP_BOOTSTRAP_ADMIN_KEY ?? `smcp_pa_${randomUrlsafe(43)}`;
  const child = spawn(
    bin,
    ['serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir],
    {
      cwd: dataDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        SECRET_KEY: randomBytes(16).toString('hex'),
        SAGEMCP_BOOTSTRAP_ADMIN_KEY: adminKey,
        SAGEMCP_ENABLE_AUTH: auth ? 'true' : 'false',
        // Suites send more than the default 100 requests a minute to one tenant; the rate-limit
        // tests set their own limit.
        RATE_LIMIT_RPM: '0',
        ...(database ? { DATABASE_URL: database } : {}),
        ...env,
      },
    },
  );

  let stdout = '';
  let stderr = '';
  let pendingLine = '';
  let port;
  let exitInfo;
  let onPort;
  const portKnown = new Promise((resolve) => {
    onPort = resolve;
  });
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
    child.on('error', (err) => {
      stderr += `\n[spawn error] ${err.message}\n`;
      if (child.pid === undefined) {
        exitInfo = { error: err.message };
        resolve(exitInfo);
      }
    });
  });
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    pendingLine += chunk;
    let newline;
    while ((newline = pendingLine.indexOf('\n')) >= 0) {
      const line = pendingLine.slice(0, newline).trim();
      pendingLine = pendingLine.slice(newline + 1);
      if (port !== undefined || !line.startsWith('{')) {
        continue;
      }
      try {
        const record = JSON.parse(line);
        if (record.msg === 'listening' && Number.isInteger(record.port) && record.port > 0) {
          port = record.port;
          onPort(port);
        }
      } catch {
        // Not a JSON log line; keep scanning.
      }
    }
  });

  const logs = () => `--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;

  const stop = async () => {
    if (exitInfo === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (exitInfo === undefined) {
          child.kill('SIGKILL');
        }
      }, stopGraceMs);
      await exited;
      clearTimeout(timer);
    }
    if (!process.env.SAGEMCP_KEEP_DATA && !givenDir) {
      await rm(dataDir, { recursive: true, force: true });
      if (ownDatabase) {
        dropTestDatabase(ownDatabase);
      }
    }
    return exitInfo;
  };

  const fail = async (why) => {
    const text = logs();
    await stop();
    throw new Error(`sagemcp did not become ready: ${why}\n${text}`);
  };

  const deadline = Date.now() + startupTimeoutMs;
  let startupTimer;
  const outcome = await Promise.race([
    portKnown.then(() => 'port'),
    exited.then(() => 'exit'),
    new Promise((resolve) => {
      startupTimer = setTimeout(() => resolve('timeout'), startupTimeoutMs);
    }),
  ]);
  clearTimeout(startupTimer);
  if (outcome !== 'port') {
    await fail(outcome === 'exit' ? `exited early ${JSON.stringify(exitInfo)}` : 'no "listening" log line');
  }

  const baseUrl = `http://127.0.0.1:${port}`;
  let last = 'no response';
  for (;;) {
    if (exitInfo !== undefined) {
      await fail(`exited while waiting for /health/ready ${JSON.stringify(exitInfo)}`);
    }
    try {
      const res = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) {
        break;
      }
      last = `status ${res.status}`;
    } catch (err) {
      last = err.message;
    }
    if (Date.now() > deadline) {
      await fail(`GET /health/ready never returned 200 (last: ${last})`);
    }
    await sleep(100);
  }

  return { baseUrl, adminKey, dataDir, database, stop, logs, process: child };
}

/**
 * One REST call. `key` undefined uses the server's admin key, null sends no Authorization.
 * A string `body` is sent verbatim, anything else as JSON. Returns {status, headers, json, text}.
 */
export async function api(server, method, route, body, key) {
  const token = key === undefined ? server.adminKey : key;
  const headers = {};
  if (token !== null) {
    headers.authorization = `Bearer ${token}`;
  }
  let payload;
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const res = await fetch(`${server.baseUrl}${route}`, { method, headers, body: payload });
  const text = await res.text();
  let json = null;
  if (text.length > 0) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** Returns `res.json`, or throws with the whole response when the status is not `expected`. */
export function expectStatus(res, expected, what) {
  if (res.status !== expected) {
    throw new Error(`${what}: expected HTTP ${expected}, got ${res.status}: ${res.text}`);
  }
  return res.json;
}

/** Creates a tenant (random slug) as platform admin. Returns the tenant JSON. */
export async function createTenant(server, fields = {}) {
  const slug = fields.slug ?? randomSlug();
  const res = await api(server, 'POST', '/api/v1/admin/tenants', {
    slug,
    name: `Tenant ${slug}`,
    ...fields,
  });
  return expectStatus(res, 201, `create tenant ${slug}`);
}

/** Creates an `everything` connector in tenant `slug`. Returns the connector JSON. */
export async function createConnector(server, slug, fields = {}) {
  const res = await api(server, 'POST', `/api/v1/admin/tenants/${slug}/connectors`, {
    connector_type: 'everything',
    name: 'everything',
    ...fields,
  });
  return expectStatus(res, 201, `create connector in ${slug}`);
}

/** Creates an API key as platform admin. Returns the key JSON (with `key`). */
export async function createKey(server, scope, tenant_id, name = `${scope}-key`) {
  const body = { name, scope };
  if (tenant_id !== undefined) {
    body.tenant_id = tenant_id;
  }
  const res = await api(server, 'POST', '/api/v1/auth/keys', body);
  return expectStatus(res, 201, `create ${scope} key`);
}

/** MCP endpoint URL of a connector. */
export function mcpUrlOf(server, slug, connectorId) {
  return `${server.baseUrl}/api/v1/${slug}/connectors/${connectorId}/mcp`;
}

/**
 * Creates a tenant with a random slug, an `everything` connector and a tenant_user key.
 * Returns {slug, tenantId, connectorId, mcpUrl, tenantKey}.
 */
export async function setupTenant(server) {
  const tenant = await createTenant(server);
  const connector = await createConnector(server, tenant.slug);
  const key = await createKey(server, 'tenant_user', tenant.id);
  return {
    slug: tenant.slug,
    tenantId: tenant.id,
    connectorId: connector.id,
    mcpUrl: mcpUrlOf(server, tenant.slug, connector.id),
    tenantKey: key.key,
  };
}

/** The tools of the built-in `everything` connector, in the order tools/list returns them. */
export const EVERYTHING_TOOLS = [
  'echo',
  'add',
  'test_simple_text',
  'test_image_content',
  'test_audio_content',
  'test_embedded_resource',
  'test_multiple_content_types',
  'test_error_handling',
];

/**
 * Starts a server (auth on) with a tenant for the enclosing describe block: the returned object's
 * `server` and `ctx` (see setupTenant), and with `{other: true}` a second tenant `other`, are set
 * before its tests run.
 */
export function useServerWithTenant({ other = false } = {}) {
  const env = {};
  before(async () => {
    env.server = await startServer({ auth: true });
    env.ctx = await setupTenant(env.server);
    if (other) {
      env.other = await setupTenant(env.server);
    }
  });
  after(async () => {
    await env.server?.stop();
  });
  return env;
}
