// Memory of idle sessions and of a full connector pool, measured on a fresh server.
// Usage: node bench/memory.mjs [sessions=100000] [instances=5000]
// Writes bench/results/memory.md and prints the same figures as JSON; bench/run.mjs calls
// measureMemory for its table.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { api, createConnector, createTenant, startServer } from '../tests/support/server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const concurrency = 16;

const rss = (pid) =>
  Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) * 1024;
const settle = () => new Promise((resolve) => setTimeout(resolve, 1000));

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '0' } },
});
const headers = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

async function parallel(total, task) {
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next;
      next += 1;
      await task(i);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function post(url, body, extra = {}) {
  const res = await fetch(url, { method: 'POST', headers: { ...headers, ...extra }, body });
  await res.text();
  if (res.status !== 200) {
    throw new Error(`${url}: HTTP ${res.status}`);
  }
}

/**
 * Opens `sessionsWanted` idle sessions and a pool of `instancesWanted` instances on a fresh
 * server, writes bench/results/memory.md and returns the figures.
 */
export async function measureMemory(sessionsWanted = 100_000, instancesWanted = 5000) {
  const server = await startServer({
    auth: false,
    env: {
      SAGEMCP_MAX_SESSIONS_PER_TENANT: String(sessionsWanted + 1000),
      SAGEMCP_POOL_MAX: String(instancesWanted),
    },
  });
  const pid = server.process.pid;
  const results = {};
  try {
    const tenant = await createTenant(server);
    const connector = await createConnector(server, tenant.slug);
    const url = `${server.baseUrl}/api/v1/${tenant.slug}/connectors/${connector.id}/mcp`;
    // Warm up allocators and caches before the baseline.
    await parallel(200, () => post(url, initialize));
    await settle();
    const base = rss(pid);
    let opened = 200;
    for (const target of [...new Set([Math.min(10_000, sessionsWanted), sessionsWanted])]) {
      if (target > sessionsWanted) {
        continue;
      }
      await parallel(target - opened, () => post(url, initialize));
      opened = target;
      await settle();
      const now = rss(pid);
      results[`sessions_${target}`] = {
        rss_bytes: now,
        bytes_per_idle_session: Math.round((now - base) / (target - 200)),
      };
    }

    // A full pool: one instance per connector, each opened by a stateless call.
    const poolTenant = await createTenant(server);
    const ids = [];
    await parallel(instancesWanted, async (i) => {
      ids[i] = (await createConnector(server, poolTenant.slug, { name: `c${i}` })).id;
    });
    await settle();
    const beforePool = rss(pid);
    await parallel(instancesWanted, (i) =>
      post(`${server.baseUrl}/api/v1/${poolTenant.slug}/connectors/${ids[i]}/mcp`,
        JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/list',
          params: {
            _meta: {
              'io.modelcontextprotocol/protocolVersion': '2026-07-28',
              'io.modelcontextprotocol/clientCapabilities': {},
            },
          },
        }),
        { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' }));
    await settle();
    const afterPool = rss(pid);
    const summary = (await api(server, 'GET', '/api/v1/admin/pool/summary')).json;
    results.pool = {
      instances: summary.instances,
      rss_bytes: afterPool,
      bytes_per_instance_with_its_context: Math.round((afterPool - beforePool) / instancesWanted),
    };
  } finally {
    await server.stop();
  }

  const kib = (x) => (x / 1024).toFixed(1);
  const mib = (x) => (x / 1024 / 1024).toFixed(1);
  const lines = [
    '# Memory',
    '',
    `Fresh server, SQLite, loopback; ${new Date().toISOString()}.`,
    '',
    '| measure | value |',
    '|---|---|',
  ];
  for (const [name, value] of Object.entries(results)) {
    if (name.startsWith('sessions_')) {
      const count = name.slice('sessions_'.length);
      lines.push(`| idle sessions: ${count} | RSS ${mib(value.rss_bytes)} MiB, ` +
        `${kib(value.bytes_per_idle_session)} KiB per session |`);
    }
  }
  if (results.pool) {
    lines.push(`| pool: ${results.pool.instances} instances (one stateless context each), added ` +
      `to the sessions above | RSS ${mib(results.pool.rss_bytes)} MiB, ` +
      `${kib(results.pool.bytes_per_instance_with_its_context)} KiB per instance |`);
  }
  lines.push('', 'Target: at most 8 KiB per idle session.', '');
  mkdirSync(path.join(here, 'results'), { recursive: true });
  writeFileSync(path.join(here, 'results', 'memory.md'), lines.join('\n'));
  return results;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const results = await measureMemory(Number(process.argv[2] ?? 100_000),
    Number(process.argv[3] ?? 5000));
  console.log(JSON.stringify(results));
}
