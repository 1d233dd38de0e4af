// The results of a benchmark run as a markdown table (latest.md), a bar chart (latest.svg) and
// the raw figures (latest.json).
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const KIB = 1024;
const MIB = 1024 * 1024;

// The targets the figures are judged against.
const targets = {
  ceilingShare: 0.5,
  p99Ms: 2,
  peerFactor: 10,
  sessionKib: 8,
  readyMs: 300,
  // docs: "Cold build under 15 minutes on 2 cores".
  buildMinutes: 15,
};

const thousands = (n) => Math.round(n).toLocaleString('en-US');
const count = (n) => (n === undefined ? '–' : thousands(n));
const ms = (us) => (us === undefined ? '–' : `${(us / 1000).toFixed(2)} ms`);
const percent = (share) => (share === undefined ? '–' : `${Math.round(share * 100)}%`);
const ratio = (a, b) => (a === undefined || b === undefined || b === 0 ? undefined : a / b);
const times = (r) => {
  if (r === undefined) {
    return '–';
  }
  return r >= 10 ? `${r.toFixed(1)}×` : `${r.toFixed(2)}×`;
};
const verdict = (ok) => (ok === undefined ? 'not measured' : ok ? '**met**' : '**missed**');
const duration = (seconds) =>
  `${Math.floor(seconds / 60)} min ${String(Math.round(seconds % 60)).padStart(2, '0')} s`;

function byId(load, id) {
  return load.scenarios.find((s) => s.id === id);
}

// Whether other processes took a noticeable share of either CPU while these rows ran.
const busyShare = 0.1;
const busy = (...rows) =>
  rows.some((r) => r && (r.other_server_cpu > busyShare || r.other_load_cpu > busyShare));
const flagged = (text, rows) => (busy(...rows) ? `${text} (busy machine: indicative)` : text);

function throughputTable(load) {
  const ceiling = byId(load, 'ceiling');
  const peer = byId(load, 'peer_echo');
  const lines = [
    '| scenario | server | answer | requests/s | p50 | p99 | server CPU | per CPU-second | wrk CPU '
      + '| others | errors | SageMCP/ceiling | SageMCP/peer |',
    '|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const s of load.scenarios) {
    const isSagemcp = s.server === 'sagemcp';
    const vsCeiling = isSagemcp ? times(ratio(s.rps, ceiling?.rps)) : '';
    const vsPeer = s.id === 'echo' ? times(ratio(s.rps, peer?.rps)) : '';
    lines.push(`| ${s.title} | ${s.server} | ${s.answer} | ${thousands(s.rps)} | ${ms(s.p50_us)} `
      + `| ${ms(s.p99_us)} | ${percent(s.server_cpu)} | ${count(s.rps_per_cpu)} `
      + `| ${percent(s.load_cpu)} `
      + `| ${percent(s.other_server_cpu)} + ${percent(s.other_load_cpu)} | ${s.errors} `
      + `| ${vsCeiling} | ${vsPeer} |`);
  }
  return lines;
}

function targetTable(data) {
  const { load, ready, memory, settings } = data;
  const echo = byId(load, 'echo');
  const ceiling = byId(load, 'ceiling');
  const peer = byId(load, 'peer_echo');
  const share = ratio(echo?.rps, ceiling?.rps);
  const factor = ratio(echo?.rps, peer?.rps);
  const p99 = echo ? echo.p99_us / 1000 : undefined;
  const clean = echo?.errors === 0;
  const worst = (kib) => `${kib.toFixed(1)} KiB (worst of the counts below)`;
  const perSession = memory
    ? Math.max(...Object.entries(memory)
      .filter(([name]) => name.startsWith('sessions_'))
      .map(([, value]) => value.bytes_per_idle_session)) / KIB
    : undefined;
  const worstReady = Math.max(ready.fresh_ms, ready.restart_ms);
  const at = settings.connections === 32
    ? '32 connections'
    : `${settings.connections} connections (the target is stated at 32)`;
  return [
    '| target | measured | verdict |',
    '|---|---|---|',
    `| tools/call echo (session) ≥ ${targets.ceilingShare * 100}% of the ceiling's requests/s `
      + `| ${percent(share)} (${thousands(echo.rps)} vs ${thousands(ceiling.rps)}) `
      + `| ${flagged(verdict(share === undefined ? undefined
        : clean && share >= targets.ceilingShare), [echo, ceiling])} |`,
    `| tools/call echo (session) p99 < ${targets.p99Ms} ms at ${at} | ${ms(echo.p99_us)} `
      + `| ${flagged(verdict(clean && p99 < targets.p99Ms), [echo])} |`,
    `| tools/call echo (session) ≥ ${targets.peerFactor}× the peer's requests/s `
      + `| ${times(factor)} (${thousands(echo.rps)} vs ${thousands(peer.rps)}) `
      + `| ${flagged(verdict(factor === undefined ? undefined
        : clean && factor >= targets.peerFactor), [echo, peer])} |`,
    `| ≤ ${targets.sessionKib} KiB per idle session `
      + `| ${perSession === undefined ? '–' : worst(perSession)} `
      + `| ${verdict(perSession === undefined ? undefined : perSession <= targets.sessionKib)} |`,
    `| ready in < ${targets.readyMs} ms | ${ready.fresh_ms.toFixed(0)} ms fresh, `
      + `${ready.restart_ms.toFixed(0)} ms restart (medians) `
      + `| ${verdict(worstReady < targets.readyMs)} |`,
    `| cold build < ${targets.buildMinutes} min on 2 cores `
      + `| ${data.build ? duration(data.build.seconds) : '–'} (\`make bench-build-time\`) `
      + `| ${verdict(data.build ? data.build.seconds < targets.buildMinutes * 60 : undefined)} |`,
  ];
}

// The ratios again per CPU-second of each server, which a busy machine skews less.
function efficiencyLine(load) {
  const echo = byId(load, 'echo');
  const ceiling = byId(load, 'ceiling');
  const peer = byId(load, 'peer_echo');
  if (!echo?.rps_per_cpu || !ceiling?.rps_per_cpu || !peer?.rps_per_cpu) {
    return [];
  }
  return [
    `Per second of server CPU time: tools/call echo (session) ${thousands(echo.rps_per_cpu)}, `
      + `ceiling ${thousands(ceiling.rps_per_cpu)}, peer ${thousands(peer.rps_per_cpu)}; `
      + `SageMCP/ceiling ${percent(ratio(echo.rps_per_cpu, ceiling.rps_per_cpu))}, `
      + `SageMCP/peer ${times(ratio(echo.rps_per_cpu, peer.rps_per_cpu))}.`,
    '',
  ];
}

function memoryTable(memory) {
  if (!memory) {
    return ['Not measured in this run (BENCH_MEMORY_SESSIONS=0); see memory.md for the last run.'];
  }
  const lines = ['| measure | RSS | per item |', '|---|--:|--:|'];
  for (const [name, value] of Object.entries(memory)) {
    if (name.startsWith('sessions_')) {
      lines.push(`| ${thousands(Number(name.slice('sessions_'.length)))} idle sessions `
        + `| ${(value.rss_bytes / MIB).toFixed(1)} MiB `
        + `| ${(value.bytes_per_idle_session / KIB).toFixed(1)} KiB per session |`);
    }
  }
  if (memory.pool) {
    const { instances, rss_bytes: rss, bytes_per_instance_with_its_context: each } = memory.pool;
    lines.push(`| full pool: ${thousands(instances)} instances, on top of the sessions above `
      + `| ${(rss / MIB).toFixed(1)} MiB | ${(each / KIB).toFixed(1)} KiB per instance |`);
  }
  return lines;
}

function markdown(data) {
  const { settings, environment: env, load, ready, build } = data;
  const rounds = settings.rounds === 1 ? '1 round' : `${settings.rounds} rounds`;
  const notes = load.scenarios.filter((s) => s.note).map((s) => `- ${s.title}: ${s.note}.`);
  if (load.failed_tool_calls !== undefined) {
    notes.push(`- Tool calls that SageMCP counted as not successful during the run: `
      + `${load.failed_tool_calls}.`);
  }
  return [
    '# Benchmarks',
    '',
    `${env.date}; ${env.cpu}; Linux ${env.kernel}; Node ${env.node}; ${env.wrk}; SageMCP `
      + `${env.build_type} build, ${env.threads} threads (I/O and actors); `
      + `load average ${env.load_average} when the run started.`,
    '',
    `Loopback. ${env.pinned ? 'Each server on CPU 0, wrk (one thread) on CPU 1. ' : ''}`
      + `${settings.connections} connections; ${rounds} of ${settings.duration} s per scenario,`
      + ' one scenario after the other in the order below, the servers not under test paused '
      + '(SIGSTOP) meanwhile so that their timers and garbage collection stay off the server CPU; '
      + 'each figure is the median '
      + 'of its rounds. Requests carry a fresh JSON-RPC id each, and session scenarios spread '
      + `their requests over ${settings.connections} sessions. ceiling: a bare Beast HTTP server `
      + '(bench/ceiling.cpp, one thread). peer: the official TypeScript SDK server, '
      + '@modelcontextprotocol/server-everything in streamableHttp mode, and its echo tool. '
      + 'SageMCP runs with authentication on (a tenant key per request) and logs every request '
      + 'at info to a file; the peer logs a line per request to /dev/null.',
    '',
    ...(busy(...load.scenarios)
      ? ['**Other processes took a noticeable share of the CPUs during this run (column "others" '
        + 'below): its throughput and latency figures are indicative only; the figures per '
        + 'CPU-second are the steadier ones.**', '']
      : []),
    '![requests per second](latest.svg)',
    '',
    'Where the time of a request goes, what changed on the hot path, and the figures before and '
      + 'after: [hot-path.md](hot-path.md).',
    '',
    '## Targets',
    '',
    ...targetTable(data),
    '',
    ...efficiencyLine(load),
    '## Throughput',
    '',
    ...throughputTable(load),
    '',
    'server CPU and wrk CPU: CPU time the process used per second of the run (100% is one CPU '
      + 'all the time). per CPU-second: requests answered per second of the server\'s CPU time, '
      + 'which other load on the machine disturbs less than requests/s. others: CPU time that '
      + 'other processes (and the hypervisor) took from the server\'s CPU + from wrk\'s; well '
      + 'above zero, the machine was busy, and the figures of that row are indicative only. '
      + 'errors: connection errors, timeouts and non-2xx answers over all rounds.',
    '',
    ...notes,
    '',
    '## Start to ready',
    '',
    'Spawn of `sagemcp serve` (not pinned, default settings) until GET /health/ready answers '
      + '200, polled every 2 ms.',
    '',
    '| data dir | median | runs |',
    '|---|--:|---|',
    `| fresh (new SQLite database) | ${ready.fresh_ms.toFixed(0)} ms `
      + `| ${ready.fresh.map((v) => v.toFixed(0)).join(', ')} ms |`,
    `| existing (restart) | ${ready.restart_ms.toFixed(0)} ms `
      + `| ${ready.restart.map((v) => v.toFixed(0)).join(', ')} ms |`,
    '',
    '## Memory',
    '',
    'RSS of a fresh server (SQLite, authentication off) as idle sessions accumulate, then with '
      + 'a full connector pool (bench/memory.mjs; details in memory.md).',
    '',
    ...memoryTable(data.memory),
    '',
    '## Cold build',
    '',
    build
      ? `Configure and build of every target with ccache off: ${duration(build.seconds)} `
        + `(recorded ${build.when ?? 'earlier'} by \`make bench-build-time\`; see build-time.md).`
      : 'Not recorded yet: `make bench-build-time` measures it (it takes a while).',
    '',
  ].join('\n');
}

const escapeXml = (text) =>
  String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// A round step for the value axis: 1, 2 or 5 times a power of ten.
function niceStep(max, ticks) {
  const raw = max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw);
}

const shortLabels = {
  echo: ['tools/call echo', 'session'],
  echo_stateless: ['tools/call echo', 'stateless'],
  tools_list: ['tools/list', 'one page'],
  github: ['tools/call github', 'fake upstream'],
  initialize: ['initialize', 'new session'],
};

function chart(load) {
  const ceiling = byId(load, 'ceiling');
  const peer = byId(load, 'peer_echo');
  const groups = load.scenarios
    .filter((s) => s.server === 'sagemcp')
    .map((s) => ({
      labels: shortLabels[s.id] ?? [s.id],
      bars: [
        { series: 'sagemcp', value: s.rps },
        { series: 'ceiling', value: ceiling?.rps },
        ...(s.id === 'echo'
          ? [{ series: 'peer', value: peer?.rps }]
          : []),
      ].filter((b) => b.value !== undefined),
    }));
  const colors = { sagemcp: '#2b6cb0', ceiling: '#a0aec0', peer: '#dd6b20' };
  const width = 960;
  const height = 440;
  const left = 80;
  const right = 20;
  const top = 60;
  const bottom = 70;
  const plotHeight = height - top - bottom;
  const plotWidth = width - left - right;
  const max = Math.max(...groups.flatMap((g) => g.bars.map((b) => b.value)), 1);
  const step = niceStep(max, 5);
  const axisMax = Math.ceil(max / step) * step;
  const y = (v) => top + plotHeight - (v / axisMax) * plotHeight;
  const groupWidth = plotWidth / groups.length;
  const barWidth = Math.min(56, (groupWidth * 0.8) / 3);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" `
      + `viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${left}" y="24" font-size="16" font-weight="bold">Requests per second `
      + '(median of the rounds; higher is better)</text>',
  ];
  if (busy(...load.scenarios)) {
    out.push(`<text x="${width - right}" y="46" text-anchor="end" fill="#c53030">Other processes `
      + 'shared the CPUs during this run: indicative only</text>');
  }
  Object.entries(colors).forEach(([series, color], i) => {
    const x = left + i * 110;
    out.push(`<rect x="${x}" y="36" width="12" height="12" fill="${color}"/>`,
      `<text x="${x + 18}" y="46">${series}</text>`);
  });
  for (let v = 0; v <= axisMax; v += step) {
    out.push(`<line x1="${left}" x2="${width - right}" y1="${y(v)}" y2="${y(v)}" `
      + `stroke="#e2e8f0"/>`,
    `<text x="${left - 8}" y="${y(v) + 4}" text-anchor="end">${thousands(v)}</text>`);
  }
  groups.forEach((group, gi) => {
    const center = left + groupWidth * (gi + 0.5);
    const start = center - (group.bars.length * barWidth) / 2;
    group.bars.forEach((bar, bi) => {
      const x = start + bi * barWidth;
      const barTop = y(bar.value);
      const w = barWidth - 4;
      const h = top + plotHeight - barTop;
      out.push(`<rect x="${x.toFixed(1)}" y="${barTop.toFixed(1)}" width="${w.toFixed(1)}" `
        + `height="${h.toFixed(1)}" fill="${colors[bar.series]}">`
        + `<title>${bar.series}: ${thousands(bar.value)} requests/s</title></rect>`,
      `<text x="${(x + w / 2).toFixed(1)}" y="${(barTop - 4).toFixed(1)}" `
        + `text-anchor="middle" font-size="11">${thousands(bar.value)}</text>`);
    });
    group.labels.forEach((label, li) => {
      out.push(`<text x="${center.toFixed(1)}" y="${top + plotHeight + 20 + li * 15}" `
        + `text-anchor="middle">${escapeXml(label)}</text>`);
    });
  });
  out.push(`<line x1="${left}" x2="${width - right}" y1="${top + plotHeight}" `
    + `y2="${top + plotHeight}" stroke="#4a5568"/>`, '</svg>', '');
  return out.join('\n');
}

/** Writes latest.md, latest.svg and every figure as latest.json into `dir`; returns the paths. */
export function writeReport(dir, data) {
  const md = path.join(dir, 'latest.md');
  const svg = path.join(dir, 'latest.svg');
  const json = path.join(dir, 'latest.json');
  writeFileSync(md, markdown(data));
  writeFileSync(svg, chart(data.load));
  writeFileSync(json, `${JSON.stringify(data, null, 2)}\n`);
  return [md, svg, json];
}
