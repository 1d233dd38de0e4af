// Load generation: raw HTTP requests sent by wrk on its own CPU, and how much CPU the server, wrk
// and everything else on their CPUs used meanwhile (wrk at one CPU means the figure is wrk's
// limit, not the server's; other processes on either CPU make the figure theirs too).
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { loadCpu, onCpu, pinned, serverCpu } from './processes.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const script = path.join(here, 'requests.lua');

/** Where requests.lua puts a fresh number on every send (a JSON-RPC id as a string). */
export const ID = '#'.repeat(16);

/** One HTTP/1.1 request to `url` as bytes on the wire. */
export function rawRequest(url, { method = 'POST', headers = {}, body = '' }) {
  const { host, pathname, search } = new URL(url);
  const lines = [`${method} ${pathname}${search} HTTP/1.1`, `Host: ${host}`];
  for (const [name, value] of Object.entries(headers)) {
    lines.push(`${name}: ${value}`);
  }
  if (method !== 'GET' || body.length > 0) {
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

// CPU seconds a process has used so far, all its threads together; undefined once it is gone.
// /proc counts in USER_HZ, which is 100 on Linux.
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

// CPU seconds that tasks have used on `cpu` so far (user, system and time the hypervisor took);
// interrupts are left out, as they are in a process's own figures.
function cpuTaskSeconds(cpu) {
  const stat = readFileSync('/proc/stat', 'utf8');
  const line = stat.split('\n').find((l) => l.startsWith(`cpu${cpu} `));
  if (!line) {
    return undefined;
  }
  const [user, nice, system, , , , , steal] = line.split(/\s+/).slice(1).map(Number);
  return (user + nice + system + steal) / 100;
}

// Samples CPU seconds from `readers` (name → function) until stop() is called; share(name) is
// then the CPU time per second of wall time between its first and last sample.
function cpuSampler(readers, everyMs = 200) {
  const first = new Map();
  const last = new Map();
  const sample = () => {
    const now = performance.now();
    for (const [name, read] of Object.entries(readers)) {
      const used = read();
      if (used !== undefined) {
        if (!first.has(name)) {
          first.set(name, { now, used });
        }
        last.set(name, { now, used });
      }
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    sample,
    stop: () => clearInterval(timer),
    share: (name) => {
      const a = first.get(name);
      const b = last.get(name);
      return a && b && b.now > a.now ? (b.used - a.used) / ((b.now - a.now) / 1000) : undefined;
    },
  };
}

/**
 * Sends `requests` (raw, see rawRequest; in turn) to `url` for `duration` seconds over
 * `connections` connections. Returns wrk's figures plus rps, the CPU share of the server
 * (`serverPid`) and of wrk (1 is one CPU busy all the time), and what other processes took from
 * their CPUs (`loadPids`, helpers of the benchmark on wrk's CPU, do not count as others).
 */
export async function runWrk({
  url, requests, duration, connections, file, serverPid, loadPids = [],
}) {
  writeFileSync(file, requests.map((r) => `${Buffer.byteLength(r)}\n${r}`).join(''));
  const argv = onCpu(loadCpu, 'wrk', [
    '-t1', `-c${connections}`, `-d${duration}s`, '--timeout', '5s', '-s', script, url,
  ]);
  let wrkPid;
  const sampler = cpuSampler({
    server: () => cpuSeconds(serverPid),
    wrk: () => (wrkPid === undefined ? undefined : cpuSeconds(wrkPid)),
    helpers: () => loadPids.reduce((sum, pid) => sum + (cpuSeconds(pid) ?? 0), 0),
    serverCpu: () => (pinned ? cpuTaskSeconds(serverCpu) : undefined),
    loadCpu: () => (pinned ? cpuTaskSeconds(loadCpu) : undefined),
  });
  const { code, stdout, stderr } = await new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv[1], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BENCH_REQUESTS: file },
    });
    wrkPid = child.pid;
    sampler.sample();
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      err += chunk;
    });
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve({ code: exitCode, stdout: out, stderr: err }));
  });
  sampler.sample();
  sampler.stop();
  const line = stdout.split('\n').find((l) => l.startsWith('result:'));
  if (code !== 0 || !line) {
    throw new Error(`wrk failed (exit ${code}):\n${stdout}\n${stderr}`);
  }
  const result = JSON.parse(line.slice('result:'.length));
  result.rps = result.requests / (result.duration_us / 1e6);
  result.error_count = Object.values(result.errors).reduce((sum, n) => sum + n, 0);
  result.server_cpu = sampler.share('server');
  result.load_cpu = sampler.share('wrk');
  // What other processes took from either CPU: the server cannot answer while it waits for its
  // CPU, nor can wrk ask; when it is high, the run measured the machine's other work as well.
  const others = (cpu, ours) => {
    const taken = sampler.share(cpu);
    return taken === undefined || ours === undefined ? undefined : Math.max(0, taken - ours);
  };
  result.other_server_cpu = others('serverCpu', result.server_cpu);
  result.other_load_cpu = others('loadCpu', result.load_cpu + (sampler.share('helpers') ?? 0));
  return result;
}
