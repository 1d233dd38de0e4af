// The servers the benchmarks run side by side: SageMCP, the Beast ceiling and the peer, each
// started on a CPU of its own when the machine has two, and stopped by the process that started
// them.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';

import { binaryPath, randomUrlsafe } from '../tests/support/server.mjs';

const startupTimeoutMs = 20_000;
const stopGraceMs = 5_000;

/** Whether servers and load generator get a CPU each (the machine has at least two). */
export const pinned = cpus().length >= 2;

/** The CPU the servers under test run on, and the one of the load generator. */
export const serverCpu = 0;
export const loadCpu = 1;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** `command args` as spawn arguments, under taskset on `cpu` when pinning. */
export function onCpu(cpu, command, args) {
  return pinned ? ['taskset', ['-c', String(cpu), command, ...args]] : [command, args];
}

/** A TCP port on loopback that nothing listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

// Starts `command` and resolves once `ready(line)` matches a line of its output.
function spawnUntil(argv, options, ready, streamName = 'stdout') {
  const child = spawn(argv[0], argv[1], options);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${argv[1].join(' ')} did not start:\n${output}`));
    }, startupTimeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${argv[1].join(' ')} exited (${code ?? signal}):\n${output}`));
    });
    child[streamName].setEncoding('utf8');
    child[streamName].on('data', (chunk) => {
      output += chunk;
      for (const line of output.split('\n')) {
        const found = ready(line);
        if (found !== undefined) {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          child[streamName].removeAllListeners('data');
          child[streamName].resume();
          resolve({ child, found });
          return;
        }
      }
    });
  });
}

// Ends a child that this script started, by its pid, and waits until it is gone.
async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), stopGraceMs);
  await gone;
  clearTimeout(timer);
}

/** The Beast ceiling server answering every request with `body` (its default when omitted). */
export async function startCeiling(binary, { cpu = serverCpu, body } = {}) {
  if (!existsSync(binary)) {
    throw new Error(`ceiling server not found at ${binary} (set BENCH_CEILING)`);
  }
  const args = body === undefined ? ['0'] : ['0', body];
  const { child, found } = await spawnUntil(onCpu(cpu, binary, args), {
    stdio: ['ignore', 'pipe', 'inherit'],
  }, (line) => {
    try {
      return JSON.parse(line).port;
    } catch {
      return undefined;
    }
  });
  return { url: `http://127.0.0.1:${found}`, pid: child.pid, stop: () => stopChild(child) };
}

/**
 * The official TypeScript SDK's everything server in Streamable HTTP mode. It logs a line per
 * request to stdout, which goes to /dev/null here.
 */
export async function startPeer(script, { cpu = serverCpu } = {}) {
  if (!existsSync(script)) {
    throw new Error(`peer server not found at ${script} (run npm ci in tests/)`);
  }
  const port = await freePort();
  const { child } = await spawnUntil(onCpu(cpu, process.execPath, [script, 'streamableHttp']), {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PORT: String(port) },
  }, (line) => (line.includes('listening on port') ? true : undefined), 'stderr');
  return { url: `http://127.0.0.1:${port}/mcp`, pid: child.pid, stop: () => stopChild(child) };
}

/**
 * Spawns `sagemcp serve` on a fresh port and resolves once GET /health/ready answers 200.
 * Its log goes to a file in its data dir rather than through a pipe, as a deployment's would.
 * Returns {baseUrl, adminKey, pid, readyMs, stop(), logFile}; readyMs counts from the spawn.
 */
export async function startSagemcp({ env = {}, cpu, dataDir: givenDir, pollMs = 2 } = {}) {
  const bin = binaryPath();
  if (!existsSync(bin)) {
    throw new Error(`sagemcp binary not found at ${bin} (set SAGEMCP_BINARY)`);
  }
  const dataDir = givenDir ?? await mkdtemp(path.join(tmpdir(), 'sagemcp-bench-'));
  const port = await freePort();
  const adminKey = `smcp_pa_${randomUrlsafe(43)}`;
  const logFile = path.join(dataDir, 'sagemcp.log');
  const log = createWriteStream(logFile, { flags: 'a' });
  await new Promise((resolve) => log.once('open', resolve));
  const args = ['serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir];
  const argv = cpu === undefined ? [bin, args] : onCpu(cpu, bin, args);
  const started = performance.now();
  const child = spawn(argv[0], argv[1], {
    cwd: dataDir,
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      SECRET_KEY: randomBytes(16).toString('hex'),
      SAGEMCP_BOOTSTRAP_ADMIN_KEY: adminKey,
      SAGEMCP_ENABLE_AUTH: 'true',
      // No per-tenant request limit: the benchmark sends far more than a tenant's default.
      RATE_LIMIT_RPM: '0',
      ...env,
    },
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child);
    log.close();
    if (!givenDir) {
      await rm(dataDir, { recursive: true, force: true });
    }
  };
  const fail = async (why) => {
    const text = await readFile(logFile, 'utf8').catch(() => '');
    await stop();
    throw new Error(`sagemcp ${why}:\n${text.slice(-4000)}`);
  };
  let readyMs;
  while (readyMs === undefined) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await fail('exited before it was ready');
    }
    if (performance.now() - started > startupTimeoutMs) {
      await fail('did not become ready in time');
    }
    try {
      const res = await fetch(`${baseUrl}/health/ready`);
      await res.arrayBuffer();
      if (res.status === 200) {
        readyMs = performance.now() - started;
        break;
      }
    } catch {
      // Not listening yet.
    }
    await sleep(pollMs);
  }
  return { baseUrl, adminKey, pid: child.pid, readyMs, dataDir, logFile, stop };
}
