// Secrets at rest: connector secrets are write-only through the API, encrypted in the database
// (AES-256-GCM, a key id in every value, bound to column and tenant), readable under
// SECRET_KEY_PREVIOUS while keys rotate, re-encrypted by `sagemcp keys rotate`, and SageMCP's
// Fernet values open for migration. A value that does not open is an error, never plaintext.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  createCipheriv, createDecipheriv, createHmac, hkdfSync, pbkdf2Sync, randomBytes,
} from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';

import {
  api, binaryPath, createConnector, createKey, createTenant, createTestDatabase, dropTestDatabase,
  expectStatus, queryTestDatabase, startServer,
} from '../support/server.mjs';

const onPostgres = process.env.SAGEMCP_TEST_BACKEND === 'postgres';
const SECRET = 'sk-live-at-rest-5d1c0e';
const ENV_SECRET = 'env-at-rest-9a7b44';

/** A data dir and database that outlive server restarts. */
async function persistentStore() {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sagemcp-secrets-'));
  const databaseUrl = onPostgres ? createTestDatabase() : undefined;
  return {
    dataDir,
    databaseUrl,
    start: (env) => startServer({ auth: true, dataDir, databaseUrl, env }),
    /** Every text of the connectors and api_keys tables, or the raw SQLite files. */
    raw() {
      if (databaseUrl) {
        return queryTestDatabase(databaseUrl,
          "SELECT string_agg(configuration || ' ' || runtime_env, ' ') FROM connectors")
          + queryTestDatabase(databaseUrl,
            "SELECT string_agg(key_prefix || ' ' || key_hash, ' ') FROM api_keys");
      }
      const file = path.join(dataDir, 'sagemcp.db');
      return [file, `${file}-wal`].filter(existsSync)
        .map((f) => readFileSync(f).toString('latin1')).join('\n');
    },
    sql(statement) {
      if (databaseUrl) {
        return queryTestDatabase(databaseUrl, statement);
      }
      return execFileSync('sqlite3', [path.join(dataDir, 'sagemcp.db'), statement],
        { encoding: 'utf8' }).trim();
    },
    rotate(env) {
      return spawnSync(binaryPath(), ['keys', 'rotate', '--data-dir', dataDir], {
        encoding: 'utf8',
        env: { ...process.env, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), ...env },
      });
    },
    async remove() {
      await rm(dataDir, { recursive: true, force: true });
      if (databaseUrl) {
        dropTestDatabase(databaseUrl);
      }
    },
  };
}

function hkdf(secret, info) {
  return Buffer.from(hkdfSync('sha256', secret, 'sagemcp-hkdf-v1', info, 32));
}

function keyIdOf(secret) {
  return hkdf(secret, 'secret-key-id').subarray(0, 4).toString('hex');
}

/** Opens a sealed value independently of the server: the format is the contract. */
function openSealed(secret, stored, context) {
  const [, version, kid, payload] = stored.match(/^enc:(v1):([0-9a-f]{8}):([A-Za-z0-9_-]+)$/) ?? [];
  assert.equal(version, 'v1', `not a sealed value: ${stored.slice(0, 20)}`);
  const blob = Buffer.from(payload, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', hkdf(secret, 'secrets-at-rest-aes-256-gcm'),
    blob.subarray(0, 12));
  decipher.setAAD(Buffer.from(`enc:v1:${kid}:${context}`));
  decipher.setAuthTag(blob.subarray(blob.length - 16));
  return Buffer.concat([decipher.update(blob.subarray(12, blob.length - 16)), decipher.final()])
    .toString('utf8');
}

/** A Fernet token as SageMCP writes it (PBKDF2-SHA256, 480,000 iterations, its fixed salt). */
function sagemcpFernet(secret, plaintext) {
  const key = pbkdf2Sync(secret, 'sagemcp-field-encryption-v1', 480_000, 32, 'sha256');
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-128-cbc', key.subarray(16), iv);
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const ts = Buffer.alloc(8);
  ts.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000)));
  const signed = Buffer.concat([Buffer.from([0x80]), ts, iv, ct]);
  const mac = createHmac('sha256', key.subarray(0, 16)).update(signed).digest();
  return Buffer.concat([signed, mac]).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

function connectorRoute(tenant, connector) {
  return `/api/v1/admin/tenants/${tenant.slug}/connectors/${connector.id}`;
}

describe('connector secrets', () => {
  const stores = [];
  after(async () => {
    for (const store of stores) {
      await store.remove();
    }
  });

  test('are write-only through the API and encrypted in the database', async () => {
    const store = await persistentStore();
    stores.push(store);
    const secretKey = randomBytes(24).toString('hex');
    const server = await store.start({ SECRET_KEY: secretKey });
    try {
      const tenant = await createTenant(server);
      const connector = await createConnector(server, tenant.slug, {
        configuration: { api_key: SECRET, org: 'acme', base_url: 'https://example.test' },
        runtime_env: { API_TOKEN: ENV_SECRET },
      });
      assert.deepEqual(connector.configuration, { org: 'acme', base_url: 'https://example.test' });
      assert.deepEqual(connector.secret_fields, ['api_key']);
      assert.deepEqual(connector.runtime_env_keys, ['API_TOKEN']);
      assert.equal(connector.runtime_env, undefined);
      const user = await createKey(server, 'tenant_user', tenant.id);
      const admin = await createKey(server, 'tenant_admin', tenant.id);
      for (const key of [user.key, admin.key, server.adminKey]) {
        for (const route of [connectorRoute(tenant, connector),
          `/api/v1/admin/tenants/${tenant.slug}/connectors`]) {
          const res = await api(server, 'GET', route, undefined, key);
          assert.equal(res.status, 200);
          assert.ok(!res.text.includes(SECRET) && !res.text.includes(ENV_SECRET), res.text);
        }
      }
      // An update that leaves a secret out keeps it; null removes a field.
      let res = await api(server, 'PUT', connectorRoute(tenant, connector),
        { configuration: { org: 'globex' }, runtime_env: { EXTRA: 'x' } }, admin.key);
      let body = expectStatus(res, 200, 'update');
      assert.deepEqual(body.configuration, { org: 'globex' });
      assert.deepEqual(body.secret_fields, ['api_key']);
      assert.deepEqual(body.runtime_env_keys, ['API_TOKEN', 'EXTRA']);
      const stored = store.sql(`SELECT configuration FROM connectors WHERE id = '${connector.id}'`);
      assert.ok(stored.startsWith(`enc:v1:${keyIdOf(secretKey)}:`), stored);
      assert.deepEqual(
        JSON.parse(openSealed(secretKey, stored, `connectors.configuration:${tenant.id}`)),
        { api_key: SECRET, org: 'globex' });
      res = await api(server, 'PUT', connectorRoute(tenant, connector),
        { runtime_env: { EXTRA: null, BAD: 1 } }, admin.key);
      assert.equal(res.status, 400);
      assert.match(res.json.detail, /runtime_env\.BAD/);
      res = await api(server, 'PUT', connectorRoute(tenant, connector),
        { configuration: { api_key: null } }, admin.key);
      body = expectStatus(res, 200, 'remove secret');
      assert.deepEqual(body.secret_fields, []);
      // The configuration given replaces the visible fields; only unmentioned secrets stay.
      assert.deepEqual(body.configuration, {});
      // A new secret, then the raw database: ciphertext only.
      expectStatus(await api(server, 'PUT', connectorRoute(tenant, connector),
        { configuration: { api_key: SECRET, org: 'globex' } }, admin.key), 200, 'set again');
    } finally {
      await server.stop();
    }
    const raw = store.raw();
    assert.ok(raw.length > 0);
    for (const secret of [SECRET, ENV_SECRET, 'globex']) {
      assert.ok(!raw.includes(secret), `plaintext ${secret} in the database`);
    }
  });

  test('rotate under SECRET_KEY_PREVIOUS; without the key they are an error, not plaintext',
    async () => {
      const store = await persistentStore();
      stores.push(store);
      const oldKey = randomBytes(24).toString('hex');
      const newKey = randomBytes(24).toString('hex');
      const adminKey = `smcp_pa_${randomBytes(32).toString('base64url')}`;
      let server = await store.start({ SECRET_KEY: oldKey, SAGEMCP_BOOTSTRAP_ADMIN_KEY: adminKey });
      let tenant;
      let connector;
      let tenantAdmin;
      try {
        tenant = await createTenant(server);
        connector = await createConnector(server, tenant.slug,
          { configuration: { api_key: SECRET, org: 'acme' }, runtime_env: { T: ENV_SECRET } });
        tenantAdmin = (await createKey(server, 'tenant_admin', tenant.id)).key;
        expectStatus(await api(server, 'POST', `/api/v1/oauth/${tenant.slug}/config`,
          { provider: 'gitlab', client_id: 'gl-app', client_secret: SECRET }), 200, 'OAuth app');
      } finally {
        await server.stop();
      }

      // The new secret alone opens nothing old: the API says so and shows no value.
      server = await store.start({ SECRET_KEY: newKey, SAGEMCP_BOOTSTRAP_ADMIN_KEY: adminKey });
      try {
        const res = await api(server, 'GET', connectorRoute(tenant, connector));
        const body = expectStatus(res, 200, 'get without the old key');
        assert.equal(body.configuration, null);
        assert.match(body.secrets_error, /neither SECRET_KEY nor SECRET_KEY_PREVIOUS/);
        assert.ok(!res.text.includes(SECRET) && !res.text.includes('enc:v1'));
        assert.equal((await api(server, 'GET', `/api/v1/admin/tenants/${tenant.slug}/connectors`,
          undefined, tenantAdmin)).status, 401, 'API keys hashed under the old secret');
      } finally {
        await server.stop();
      }

      // Both secrets: everything works, and a used API key moves to the new secret.
      const both = { SECRET_KEY: newKey, SECRET_KEY_PREVIOUS: oldKey };
      server = await store.start({
        ...both, SAGEMCP_BOOTSTRAP_ADMIN_KEY: adminKey, SAGEMCP_USAGE_FLUSH_SECONDS: '1',
      });
      try {
        const res = await api(server, 'GET', connectorRoute(tenant, connector), undefined,
          tenantAdmin);
        const body = expectStatus(res, 200, 'get with both secrets');
        assert.deepEqual(body.configuration, { org: 'acme' });
        assert.deepEqual(body.secret_fields, ['api_key']);
      } finally {
        await server.stop();
      }
      const rotated = store.rotate(both);
      assert.equal(rotated.status, 0, rotated.stderr + rotated.stdout);
      assert.match(rotated.stdout, /re-encrypted:\s+3/);
      assert.ok(store.sql(`SELECT configuration FROM connectors WHERE id = '${connector.id}'`)
        .startsWith(`enc:v1:${keyIdOf(newKey)}:`));
      assert.equal(openSealed(newKey, store.sql('SELECT client_secret FROM oauth_configs'),
        `oauth_configs.client_secret:${tenant.id}`), SECRET);
      const again = store.rotate(both);
      assert.match(again.stdout, /re-encrypted:\s+0/, 'rotation is idempotent');

      // The new secret alone now opens everything, and the used key still works.
      server = await store.start({ SECRET_KEY: newKey, SAGEMCP_BOOTSTRAP_ADMIN_KEY: adminKey });
      try {
        const res = await api(server, 'GET', connectorRoute(tenant, connector), undefined,
          tenantAdmin);
        assert.deepEqual(expectStatus(res, 200, 'after rotation').configuration, { org: 'acme' });
      } finally {
        await server.stop();
      }
    });

  test('SageMCP Fernet values open for migration and rotate to AES-256-GCM', async () => {
    const store = await persistentStore();
    stores.push(store);
    const secretKey = randomBytes(24).toString('hex');
    const adminKey = `smcp_pa_${randomBytes(32).toString('base64url')}`;
    const env = { SECRET_KEY: secretKey, SAGEMCP_BOOTSTRAP_ADMIN_KEY: adminKey };
    let server = await store.start(env);
    let tenant;
    let connector;
    try {
      tenant = await createTenant(server);
      connector = await createConnector(server, tenant.slug);
    } finally {
      await server.stop();
    }
    const token = sagemcpFernet(secretKey, JSON.stringify({ api_key: SECRET, team: 'eng' }));
    assert.ok(token.startsWith('gAAAAA'));
    store.sql(`UPDATE connectors SET configuration = '${token}' WHERE id = '${connector.id}'`);
    server = await store.start(env);
    try {
      const body = expectStatus(await api(server, 'GET', connectorRoute(tenant, connector)), 200,
        'read a Fernet value');
      assert.deepEqual(body.configuration, { team: 'eng' });
      assert.deepEqual(body.secret_fields, ['api_key']);
    } finally {
      await server.stop();
    }
    const rotated = store.rotate(env);
    assert.equal(rotated.status, 0, rotated.stderr);
    assert.match(rotated.stdout, /re-encrypted:\s+1/);
    const stored = store.sql(`SELECT configuration FROM connectors WHERE id = '${connector.id}'`);
    assert.deepEqual(
      JSON.parse(openSealed(secretKey, stored, `connectors.configuration:${tenant.id}`)),
      { api_key: SECRET, team: 'eng' });
    // A Fernet value under another secret is reported, never used.
    store.sql(`UPDATE connectors SET configuration = '${sagemcpFernet('some-other-secret-000', '{}')}'`
      + ` WHERE id = '${connector.id}'`);
    const refused = store.rotate(env);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /Fernet/);
    assert.match(refused.stdout, /unreadable:\s+1/);
  });
});
