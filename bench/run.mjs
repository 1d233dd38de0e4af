// The benchmark run: SageMCP beside a bare Beast server (the ceiling) and the official TypeScript
// SDK server (the peer), on loopback, in one run on one machine. Servers run on CPU 0 and wrk on
// CPU 1; every round runs each scenario once, in the same order, and the table shows the median
// of the rounds. Then time to ready, memory, and the last recorded cold build.
//
// Settings (environment): BENCH_DURATION seconds per scenario and round (10), BENCH_ROUNDS (3),
// BENCH_CONNECTIONS (32), BENCH_WARMUP seconds (2), BENCH_READY_RUNS (5),
// BENCH_MEMORY_SESSIONS (100000; 0 skips memory), BENCH_POOL_INSTANCES (5000),
// BENCH_TOOL_SETS (4: copies of the github, gitlab and bitbucket connectors in the tools/list
// tenant), BENCH_SCENARIOS (scenario ids to run; a partial run only prints its figures, and
// writes them as JSON to BENCH_OUTPUT when that is set).
// SAGEMCP_BINARY and BENCH_CEILING name the binaries.
// Writes bench/results/latest.md and bench/results/latest.svg.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync,
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, release, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { openSession, parseSse, statelessPost } from '../tests/support/mcp.mjs';
import {
  api, binaryPath, createConnector, createKey, createTenant, expectStatus, mcpUrlOf,
} from '../tests/support/server.mjs';
import { ID, rawRequest, runWrk } from './load.mjs';
import { measureMemory } from './memory.mjs';
import {
  loadCpu, pinned, serverCpu, startCeiling, startPeer, startSagemcp,
} from './processes.mjs';
import { writeReport } from './report.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const resultsDir = path.join(here, 'results');

function setting(name, fallback) {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`${name} must be a non-negative number`);
  }
  return value;
}

const settings = {
  duration: setting('BENCH_DURATION', 10),
  rounds: Math.max(1, setting('BENCH_ROUNDS', 3)),
  connections: Math.max(1, setting('BENCH_CONNECTIONS', 32)),
  warmup: setting('BENCH_WARMUP', 2),
  readyRuns: Math.max(1, setting('BENCH_READY_RUNS', 5)),
  memorySessions: setting('BENCH_MEMORY_SESSIONS', 100_000),
  poolInstances: setting('BENCH_POOL_INSTANCES', 5000),
  toolSets: Math.max(1, setting('BENCH_TOOL_SETS', 4)),
  // Scenario ids to run (comma-separated), or all of them.
  only: (process.env.BENCH_SCENARIOS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
};
const ceilingBinary = process.env.BENCH_CEILING
  ?? path.join(root, 'build', 'sagemcp-bench-ceiling');
const peerScript = path.join(root, 'tests', 'node_modules', '@modelcontextprotocol',
  'server-everything', 'dist', 'index.js');

const ACCEPT = 'application/json, text/event-stream';
const SESSION_VERSION = '2025-11-25';
const STATELESS_VERSION = '2026-07-28';
const ECHO = { name: 'echo', arguments: { message: 'hello' } };
// What the fake GitHub answers on every path: the members github_get_repository keeps.
const REPOSITORY = JSON.stringify({
  full_name: 'octo/alpha', description: 'A repository', private: false, language: 'C++',
  stargazers_count: 10, forks_count: 2, open_issues_count: 1, default_branch: 'main',
  owner: { login: 'octo' }, html_url: 'https://github.com/octo/alpha',
});

const log = (text) => process.stderr.write(`${text}\n`);
const median = (values) => {
  const sorted = values.filter((v) => v !== undefined).sort((a, b) => a - b);
  if (sorted.length === 0) {
    return undefined;
  }
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** A JSON-RPC request whose id requests.lua renews on every send. */
function rpcBody(method, params) {
  return JSON.stringify({ jsonrpc: '2.0', id: ID, method, params });
}

const sessionHeaders = (key, session) => ({
  ...(key ? { Authorization: `Bearer ${key}` } : {}),
  'Mcp-Session-Id': session.sessionId,
  'MCP-Protocol-Version': session.protocolVersion,
  Accept: ACCEPT,
  'Content-Type': 'application/json',
});

// `count` sessions on `url`, each initialized.
async function openSessions(url, key, count) {
  const sessions = [];
  for (let i = 0; i < count; i += 1) {
    sessions.push(await openSession(url, key, SESSION_VERSION));
  }
  return sessions;
}

// The text of a tool result, or throws with what came back instead.
function echoedText(res, what) {
  const result = res.json?.result;
  if (res.status !== 200 || !result || result.isError) {
    throw new Error(`${what}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  }
  return result.content.map((c) => c.text).join('');
}

// What kind of answer came back: JSON, SSE, or the media type itself.
function answerOf(res) {
  const type = (res.headers.get('content-type') ?? '').split(';')[0].trim();
  const names = { 'application/json': 'JSON', 'text/event-stream': 'SSE' };
  return names[type] ?? type;
}

async function ceilingScenario(ceiling) {
  const body = rpcBody('tools/call', ECHO);
  return {
    id: 'ceiling',
    server: 'ceiling',
    pid: ceiling.pid,
    title: 'HTTP POST, small JSON answer',
    url: ceiling.url,
    requests: [rawRequest(`${ceiling.url}/mcp`, {
      headers: { Accept: ACCEPT, 'Content-Type': 'application/json' }, body,
    })],
    check: async () => {
      const res = await fetch(`${ceiling.url}/mcp`, { method: 'POST', body });
      await res.text();
      if (res.status !== 200) {
        throw new Error(`ceiling: HTTP ${res.status}`);
      }
      return 'JSON';
    },
  };
}

// tools/call echo over `connections` 2025-11-25 sessions of `url` (SageMCP's, or the peer's).
async function sessionEchoScenario({ id, server, pid, url, key, connections }) {
  const sessions = await openSessions(url, key, connections);
  const body = rpcBody('tools/call', ECHO);
  return {
    id,
    server,
    pid,
    title: 'tools/call echo, session (2025-11-25)',
    url,
    requests: sessions.map((s) => rawRequest(url, { headers: sessionHeaders(key, s), body })),
    check: async () => {
      const res = await sessions[0].request('tools/call', ECHO);
      if (echoedText(res, id) !== 'Echo: hello') {
        throw new Error(`${id} answered ${res.text}`);
      }
      return answerOf(res);
    },
  };
}

function statelessScenario(server, key, url) {
  const meta = {
    'io.modelcontextprotocol/protocolVersion': STATELESS_VERSION,
    'io.modelcontextprotocol/clientCapabilities': {},
    'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '0' },
  };
  const body = rpcBody('tools/call', { ...ECHO, _meta: meta });
  return {
    id: 'echo_stateless',
    server: 'sagemcp',
    pid: server.pid,
    title: 'tools/call echo, stateless (2026-07-28)',
    url,
    requests: [rawRequest(url, {
      headers: {
        Authorization: `Bearer ${key}`,
        'MCP-Protocol-Version': STATELESS_VERSION,
        'Mcp-Method': 'tools/call',
        'Mcp-Name': 'echo',
        Accept: ACCEPT,
        'Content-Type': 'application/json',
      },
      body,
    })],
    check: async () => {
      const res = await statelessPost(url, 'tools/call', ECHO, { key });
      if (echoedText(res, 'stateless echo') !== 'Echo: hello') {
        throw new Error(`stateless echo answered ${res.text}`);
      }
      return answerOf(res);
    },
  };
}

// Every page of tools/list on a session: [{cursor, count}].
async function listPages(session) {
  const pages = [];
  let cursor;
  do {
    const res = await session.request('tools/list', cursor === undefined ? {} : { cursor });
    const result = res.json?.result;
    if (res.status !== 200 || !Array.isArray(result?.tools)) {
      throw new Error(`tools/list: HTTP ${res.status} ${res.text.slice(0, 300)}`);
    }
    pages.push({ cursor, count: result.tools.length });
    cursor = result.nextCursor;
  } while (cursor !== undefined && pages.length < 1000);
  return pages;
}

async function toolsListScenario(server, connections) {
  const tenant = await createTenant(server);
  const key = (await createKey(server, 'tenant_user', tenant.id)).key;
  await createConnector(server, tenant.slug);
  for (let i = 0; i < settings.toolSets; i += 1) {
    for (const type of ['github', 'gitlab', 'bitbucket']) {
      await createConnector(server, tenant.slug, { connector_type: type, name: `${type}${i}` });
    }
  }
  const url = `${server.baseUrl}/api/v1/${tenant.slug}/mcp`;
  const sessions = await openSessions(url, key, connections);
  const pages = await listPages(sessions[0]);
  const tools = pages.reduce((sum, p) => sum + p.count, 0);
  const requests = [];
  for (const page of pages) {
    const body = rpcBody('tools/list', page.cursor === undefined ? {} : { cursor: page.cursor });
    for (const s of sessions) {
      requests.push(rawRequest(url, { headers: sessionHeaders(key, s), body }));
    }
  }
  return {
    id: 'tools_list',
    server: 'sagemcp',
    pid: server.pid,
    title: `tools/list, tenant endpoint, ${tools} tools in ${pages.length} pages`,
    note: `each request is one page of ${pages[0].count}; one whole listing takes ` +
      `${pages.length} requests`,
    url,
    requests,
    check: async () => {
      const again = await listPages(sessions[0]);
      if (again.reduce((sum, p) => sum + p.count, 0) !== tools) {
        throw new Error('tools/list changed during the run');
      }
      return 'JSON';
    },
  };
}

async function githubScenario(server, upstream, connections) {
  const tenant = await createTenant(server);
  const key = (await createKey(server, 'tenant_user', tenant.id)).key;
  const connector = expectStatus(await api(server, 'POST',
    `/api/v1/admin/tenants/${tenant.slug}/connectors`, {
      connector_type: 'github',
      name: 'GitHub',
      configuration: { token: 'ghp_bench_token', base_url: upstream.url },
    }), 201, 'create github connector');
  const url = mcpUrlOf(server, tenant.slug, connector.id);
  const sessions = await openSessions(url, key, connections);
  const call = { name: 'github_get_repository', arguments: { owner: 'octo', repo: 'alpha' } };
  const body = rpcBody('tools/call', call);
  return {
    id: 'github',
    server: 'sagemcp',
    pid: server.pid,
    title: 'tools/call github_get_repository, fake upstream on loopback',
    note: 'the upstream is the ceiling server on the load generator\'s CPU',
    loadPids: [upstream.pid],
    url,
    requests: sessions.map((s) => rawRequest(url, { headers: sessionHeaders(key, s), body })),
    check: async () => {
      const res = await sessions[0].request('tools/call', call);
      const text = echoedText(res, 'github_get_repository');
      if (JSON.parse(text).full_name !== 'octo/alpha') {
        throw new Error(`github_get_repository answered ${text}`);
      }
      return answerOf(res);
    },
  };
}

async function initializeScenario(server) {
  const tenant = await createTenant(server);
  const key = (await createKey(server, 'tenant_user', tenant.id)).key;
  const connector = await createConnector(server, tenant.slug);
  const url = mcpUrlOf(server, tenant.slug, connector.id);
  const body = rpcBody('initialize', {
    protocolVersion: SESSION_VERSION,
    capabilities: {},
    clientInfo: { name: 'bench', version: '0' },
  });
  const headers = {
    Authorization: `Bearer ${key}`, Accept: ACCEPT, 'Content-Type': 'application/json',
  };
  return {
    id: 'initialize',
    server: 'sagemcp',
    pid: server.pid,
    title: 'initialize (a new session per request)',
    note: 'sessions stay open; later rounds run beside those of earlier ones',
    url,
    requests: [rawRequest(url, { headers, body })],
    check: async () => {
      const res = await fetch(url, { method: 'POST', headers, body: body.replace(ID, 'check') });
      await res.text();
      if (res.status !== 200 || !res.headers.get('mcp-session-id')) {
        throw new Error(`initialize: HTTP ${res.status}`);
      }
      return answerOf(res);
    },
  };
}

// Tool calls that did not succeed, from the server's metrics.
async function failedToolCalls(server) {
  const res = await fetch(`${server.baseUrl}/metrics`);
  const text = await res.text();
  let failed = 0;
  for (const line of text.split('\n')) {
    const m = line.match(/^sagemcp_tool_calls_total\{.*outcome="(\w+)".*\}\s+(\S+)$/);
    if (m && m[1] !== 'success') {
      failed += Number(m[2]);
    }
  }
  return res.status === 200 ? failed : undefined;
}

async function throughput(dir) {
  const running = [];
  // Stopped in reverse order, whatever fails on the way.
  const started = (server) => {
    running.unshift(server);
    return server;
  };
  try {
    const ceiling = started(await startCeiling(ceilingBinary));
    // The fake upstream takes the load generator's CPU, so that SageMCP keeps its own.
    const upstream = started(await startCeiling(ceilingBinary, {
      cpu: loadCpu, body: REPOSITORY,
    }));
    const peer = started(await startPeer(peerScript));
    const server = started(await startSagemcp({
      cpu: serverCpu,
      env: {
        SAGEMCP_ALLOW_PRIVATE_UPSTREAMS: 'true',
        SAGEMCP_MAX_SESSIONS_PER_TENANT: '10000000',
      },
    }));
    const c = settings.connections;
    const tenant = await createTenant(server);
    const key = (await createKey(server, 'tenant_user', tenant.id)).key;
    const connector = await createConnector(server, tenant.slug);
    const url = mcpUrlOf(server, tenant.slug, connector.id);
    const all = [
      ['ceiling', () => ceilingScenario(ceiling)],
      ['echo', () => sessionEchoScenario({
        id: 'echo', server: 'sagemcp', pid: server.pid, url, key, connections: c,
      })],
      ['peer_echo', () => sessionEchoScenario({
        id: 'peer_echo', server: 'peer', pid: peer.pid, url: peer.url, connections: c,
      })],
      ['echo_stateless', () => statelessScenario(server, key, url)],
      ['tools_list', () => toolsListScenario(server, c)],
      ['github', () => githubScenario(server, upstream, c)],
      ['initialize', () => initializeScenario(server)],
    ];
    const unknown = settings.only.filter((id) => !all.some(([known]) => known === id));
    if (unknown.length > 0) {
      throw new Error(`BENCH_SCENARIOS: unknown ${unknown.join(', ')}; ` +
        `known: ${all.map(([id]) => id).join(', ')}`);
    }
    const scenarios = [];
    for (const [id, make] of all) {
      if (settings.only.length === 0 || settings.only.includes(id)) {
        scenarios.push(await make());
      }
    }
    for (const s of scenarios) {
      s.answer = await s.check();
      s.runs = [];
      s.file = path.join(dir, `${s.id}.req`);
    }
    // The servers on the server CPU other than the one under test are paused while it runs:
    // the peer's timers and garbage collection, or the sessions an earlier scenario left in
    // SageMCP, would otherwise run beside it.
    const serverPids = [ceiling.pid, peer.pid, server.pid];
    const run = async (s, duration) => {
      const paused = serverPids.filter((pid) => pid !== s.pid);
      for (const pid of paused) {
        process.kill(pid, 'SIGSTOP');
      }
      try {
        return await runWrk({
          url: s.url,
          requests: s.requests,
          duration,
          connections: c,
          file: s.file,
          serverPid: s.pid,
          loadPids: s.loadPids,
        });
      } finally {
        for (const pid of paused) {
          process.kill(pid, 'SIGCONT');
        }
      }
    };
    if (settings.warmup > 0) {
      log(`warm-up: ${settings.warmup} s per scenario`);
      for (const s of scenarios) {
        await run(s, settings.warmup);
      }
    }
    for (let round = 1; round <= settings.rounds; round += 1) {
      for (const s of scenarios) {
        const result = await run(s, settings.duration);
        s.runs.push(result);
        log(`round ${round} ${s.server} ${s.id}: ${Math.round(result.rps)} req/s, ` +
          `p50 ${result.p50_us} us, p99 ${result.p99_us} us, errors ${result.error_count}`);
        await s.check();
      }
    }
    return {
      scenarios: scenarios.map((s) => ({
        id: s.id,
        server: s.server,
        title: s.title,
        note: s.note,
        answer: s.answer,
        rounds: s.runs,
        rps: median(s.runs.map((r) => r.rps)),
        p50_us: median(s.runs.map((r) => r.p50_us)),
        p99_us: median(s.runs.map((r) => r.p99_us)),
        server_cpu: median(s.runs.map((r) => r.server_cpu)),
        rps_per_cpu: median(s.runs.map((r) => (r.server_cpu ? r.rps / r.server_cpu : undefined))),
        load_cpu: median(s.runs.map((r) => r.load_cpu)),
        other_server_cpu: median(s.runs.map((r) => r.other_server_cpu)),
        other_load_cpu: median(s.runs.map((r) => r.other_load_cpu)),
        errors: s.runs.reduce((sum, r) => sum + r.error_count, 0),
      })),
      failed_tool_calls: await failedToolCalls(server),
    };
  } finally {
    for (const server of running) {
      await server.stop();
    }
  }
}

// Spawn to GET /health/ready answering 200: on a fresh data dir, then restarts on one.
async function readiness() {
  const fresh = [];
  for (let i = 0; i < settings.readyRuns; i += 1) {
    const server = await startSagemcp();
    fresh.push(server.readyMs);
    await server.stop();
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sagemcp-bench-'));
  const restart = [];
  try {
    await (await startSagemcp({ dataDir })).stop();
    for (let i = 0; i < settings.readyRuns; i += 1) {
      const server = await startSagemcp({ dataDir });
      restart.push(server.readyMs);
      await server.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
  return { fresh, restart, fresh_ms: median(fresh), restart_ms: median(restart) };
}

// The figure bench/build-time.sh recorded last, if any.
function lastBuildTime() {
  const file = path.join(resultsDir, 'build-time.md');
  if (!existsSync(file)) {
    return undefined;
  }
  const text = readFileSync(file, 'utf8');
  const seconds = text.match(/wall time \| (\d+) s/);
  const when = text.match(/recorded (\S+)/);
  return seconds ? { seconds: Number(seconds[1]), when: when?.[1] } : undefined;
}

function buildType() {
  const cache = path.join(path.dirname(binaryPath()), 'CMakeCache.txt');
  const m = existsSync(cache) && readFileSync(cache, 'utf8').match(/^CMAKE_BUILD_TYPE:\w+=(.*)$/m);
  return m ? m[1] : 'unknown';
}

function environment() {
  const wrk = spawnSync('wrk', ['-v'], { encoding: 'utf8' });

  return {
    date: new Date().toISOString(),
    cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`,
    kernel: release(),
    node: process.version,
    load_average: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    wrk: `${wrk.stdout ?? ''}${wrk.stderr ?? ''}`.split('\n')[0].replace(/ Copyright.*/, ''),
    pinned,
    build_type: buildType(),
    // One per CPU the server may use by default: one, pinned to CPU 0.
    threads: process.env.SAGEMCP_THREADS ?? (pinned ? 'default (1)' : `default (${cpus().length})`),
  };
}

mkdirSync(resultsDir, { recursive: true });
const work = await mkdtemp(path.join(tmpdir(), 'sagemcp-bench-wrk-'));
const env = environment();
try {
  // Every server of the run starts from one copy of the binary, so that a rebuild meanwhile
  // cannot mix two builds in one table or catch a half-written file.
  const snapshot = path.join(work, 'sagemcp');
  copyFileSync(binaryPath(), snapshot);
  process.env.SAGEMCP_BINARY = snapshot;
  log(`throughput: ${settings.rounds} rounds of ${settings.duration} s per scenario, ` +
    `${settings.connections} connections${pinned ? ', servers on CPU 0, wrk on CPU 1' : ''}`);
  const load = await throughput(work);
  if (settings.only.length > 0) {
    // A partial run: the figures below are its result; the report stays as it was.
    for (const s of load.scenarios) {
      log(`${s.server} ${s.id}: ${Math.round(s.rps)} req/s, ${Math.round(s.rps_per_cpu)} per ` +
        `CPU-second, p50 ${s.p50_us} us, p99 ${s.p99_us} us`);
    }
    if (process.env.BENCH_OUTPUT) {
      writeFileSync(process.env.BENCH_OUTPUT, JSON.stringify({ environment: env, load }));
    }
  } else {
    log('time to ready');
    const ready = await readiness();
    log(`ready: fresh ${ready.fresh_ms.toFixed(0)} ms, restart ${ready.restart_ms.toFixed(0)} ms`);
    let memory;
    if (settings.memorySessions > 0) {
      log(`memory: ${settings.memorySessions} sessions, ${settings.poolInstances} pool instances`);
      memory = await measureMemory(settings.memorySessions, settings.poolInstances);
    }
    const written = writeReport(resultsDir, {
      settings,
      environment: env,
      load,
      ready,
      memory,
      build: lastBuildTime(),
    });
    log(`wrote ${written.join(', ')}`);
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
