// Two builds of SageMCP side by side: runs the chosen scenarios once per build and round,
// alternating A and B so that a change in the machine's load hits both, and prints the medians
// and the ratio B/A as a markdown table.
//
// Usage: node bench/ab.mjs <binary A> <binary B> [rounds=3]
// Settings (environment): BENCH_SCENARIOS (default: every SageMCP scenario), BENCH_DURATION
// (10 s), BENCH_CONNECTIONS, BENCH_CEILING; see run.mjs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const [a, b, roundsArg] = process.argv.slice(2);
if (!a || !b) {
  process.stderr.write('usage: node bench/ab.mjs <binary A> <binary B> [rounds]\n');
  process.exit(2);
}
const rounds = Math.max(1, Number(roundsArg ?? 3));
const scenarios = process.env.BENCH_SCENARIOS
  ?? 'echo,echo_stateless,tools_list,github,initialize';
const work = mkdtempSync(path.join(tmpdir(), 'sagemcp-ab-'));
const runs = { A: [], B: [] };

function runOnce(label, binary, round) {
  const output = path.join(work, `${label}-${round}.json`);
  const result = spawnSync(process.execPath, [path.join(here, 'run.mjs')], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      SAGEMCP_BINARY: path.resolve(binary),
      BENCH_SCENARIOS: scenarios,
      BENCH_ROUNDS: '1',
      BENCH_WARMUP: process.env.BENCH_WARMUP ?? '1',
      BENCH_OUTPUT: output,
    },
  });
  if (result.status !== 0) {
    throw new Error(`run of ${label} (${binary}) failed with status ${result.status}`);
  }
  runs[label].push(JSON.parse(readFileSync(output, 'utf8')).load.scenarios);
}

const median = (values) => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

try {
  for (let round = 1; round <= rounds; round += 1) {
    // A first in odd rounds, B first in even ones.
    const order = round % 2 ? ['A', 'B'] : ['B', 'A'];
    for (const label of order) {
      process.stderr.write(`round ${round}: ${label}\n`);
      runOnce(label, label === 'A' ? a : b, round);
    }
  }
  const figure = (label, id, key) => median(runs[label].map(
    (scenarios) => scenarios.find((s) => s.id === id)?.[key],
  ));
  const ids = runs.A[0].map((s) => [s.id, s.title]);
  const n = (v) => (v === undefined ? '–' : Math.round(v).toLocaleString('en-US'));
  const ms = (us) => `${(us / 1000).toFixed(2)} ms`;
  const lines = [
    `A: ${a}; B: ${b}; ${rounds} alternating rounds, medians.`,
    '',
    '| scenario | A req/s | B req/s | B/A | A per CPU-second | B per CPU-second | B/A | '
      + 'A p99 | B p99 |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const [id, title] of ids) {
    const ra = figure('A', id, 'rps');
    const rb = figure('B', id, 'rps');
    const ca = figure('A', id, 'rps_per_cpu');
    const cb = figure('B', id, 'rps_per_cpu');
    lines.push(`| ${title} | ${n(ra)} | ${n(rb)} | ${(rb / ra).toFixed(2)}× | ${n(ca)} `
      + `| ${n(cb)} | ${(cb / ca).toFixed(2)}× | ${ms(figure('A', id, 'p99_us'))} `
      + `| ${ms(figure('B', id, 'p99_us'))} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
