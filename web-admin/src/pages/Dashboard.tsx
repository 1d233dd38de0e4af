// Live charts: GET /api/v1/admin/stats, /metrics and today's usage every 2 s; the pool every 10 s.
import { useMemo, useRef, useState } from 'react';

import { ApiError, describeError } from '../api/client';
import { parsePrometheus } from '../api/prometheus';
import type { PoolEntry, PoolSummary, Stats, UsageRow } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { BarList, LineChart, Meter } from '../components/Charts';
import { ErrorNotice, Notice, PageHeader } from '../components/Common';
import { gauge, pointBetween, toolCallTotals } from '../lib/dashboard';
import type { Point, Scrape } from '../lib/dashboard';
import { formatLatency, formatNumber, shortId } from '../lib/format';
import { useInterval } from '../lib/hooks';

const WINDOW = 90; // samples: three minutes at one every two seconds

interface Tick {
  at: number;
  stats?: Stats;
  point?: Point;
  processes?: number;
}

export function Dashboard() {
  const { api } = useAuth();
  const [ticks, setTicks] = useState<Tick[]>([]);
  const [statsError, setStatsError] = useState<unknown>(null);
  const [metricsOff, setMetricsOff] = useState<string | null>(null);
  const [latestSamples, setLatestSamples] = useState<Scrape | null>(null);
  const [summary, setSummary] = useState<PoolSummary | null>(null);
  const [usage, setUsage] = useState<UsageRow[]>([]);
  const [pool, setPool] = useState<PoolEntry[]>([]);
  const previous = useRef<Scrape | null>(null);
  const [paused, setPaused] = useState(false);

  useInterval(
    async () => {
      const at = Date.now();
      const [stats, metrics, today] = await Promise.allSettled([api.stats(), api.metrics(), api.usage(1)]);
      if (today.status === 'fulfilled') {
        setUsage(today.value);
      }
      const tick: Tick = { at };
      if (stats.status === 'fulfilled') {
        tick.stats = stats.value;
        setStatsError(null);
      } else {
        setStatsError(stats.reason);
      }
      if (metrics.status === 'fulfilled') {
        const scrape = { at, samples: parsePrometheus(metrics.value) };
        if (previous.current) {
          tick.point = pointBetween(previous.current, scrape);
        }
        tick.processes = gauge(scrape.samples, 'sagemcp_external_processes');
        previous.current = scrape;
        setLatestSamples(scrape);
        setMetricsOff(null);
      } else {
        const err = metrics.reason;
        setMetricsOff(
          err instanceof ApiError && err.status === 404
            ? 'The server does not serve /metrics (SAGEMCP_ENABLE_METRICS=false): rates and latencies are not available.'
            : `Metrics could not be read: ${describeError(err)}`,
        );
      }
      setTicks((old) => [...old.slice(-(WINDOW - 1)), tick]);
    },
    2000,
    !paused,
  );

  useInterval(
    async () => {
      const [s, p] = await Promise.allSettled([api.poolSummary(), api.pool()]);
      if (s.status === 'fulfilled') {
        setSummary(s.value);
      }
      if (p.status === 'fulfilled') {
        setPool(p.value);
      }
    },
    10000,
    !paused,
  );

  const times = ticks.map((t) => t.at);
  const pick = (f: (t: Tick) => number | undefined | null) => ticks.map((t) => f(t) ?? null);
  const latest = [...ticks].reverse().find((t) => t.stats)?.stats;

  const connectorTypes = useMemo(() => {
    const types = new Set<string>();
    for (const t of ticks) {
      for (const type of t.point?.toolCallsByType.keys() ?? []) {
        types.add(type);
      }
    }
    return [...types].sort();
  }, [ticks]);

  const usageByConnector = useMemo(() => {
    const names = new Map(pool.map((e) => [e.connector_id, e.connector_name]));
    const sums = new Map<string, { calls: number; errors: number }>();
    for (const row of usage) {
      const label = `${row.tenant_slug} / ${names.get(row.connector_id) ?? shortId(row.connector_id)}`;
      const entry = sums.get(label) ?? { calls: 0, errors: 0 };
      entry.calls += row.calls;
      entry.errors += row.errors;
      sums.set(label, entry);
    }
    return [...sums.entries()]
      .sort((a, b) => b[1].calls - a[1].calls)
      .slice(0, 12)
      .map(([label, v]) => ({ label, value: v.calls, note: v.errors ? `(${v.errors} errors)` : undefined }));
  }, [usage, pool]);

  const rate = (v: number) => `${formatNumber(v, v < 10 ? 2 : 0)}/s`;
  const count = (v: number) => formatNumber(v, 1);

  return (
    <div className="page">
      <PageHeader title="Dashboard" subtitle="Live, refreshed every 2 seconds; the charts span the last three minutes.">
        <button type="button" className="secondary" onClick={() => setPaused(!paused)} aria-pressed={paused}>
          {paused ? 'Resume' : 'Pause'}
        </button>
      </PageHeader>
      <ErrorNotice error={statsError} title="Platform stats could not be loaded" />
      {metricsOff && <Notice kind="warn">{metricsOff}</Notice>}

      <section className="tiles" aria-label="Current numbers">
        <div className="tile">
          <span className="tile-label">Tenants</span>
          <span className="tile-value">{formatNumber(latest?.tenants)}</span>
        </div>
        <div className="tile">
          <span className="tile-label">Active sessions</span>
          <span className="tile-value">{formatNumber(latest?.active_sessions)}</span>
        </div>
        <div className="tile">
          <span className="tile-label">Pooled connector instances</span>
          <span className="tile-value">{formatNumber(latest?.active_instances)}</span>
        </div>
        <div className="tile">
          <span className="tile-label">Tool calls since start</span>
          <span className="tile-value">{formatNumber(latest?.tool_calls_since_start)}</span>
        </div>
        <div className="tile">
          <span className="tile-label">Tool calls today</span>
          <span className="tile-value">{formatNumber(latest?.usage_today.calls)}</span>
          <span className="tile-note">{formatNumber(latest?.usage_today.errors)} errors</span>
        </div>
      </section>

      <section className="chart-grid" aria-label="Charts">
        <div className="card">
          <LineChart
            title="Requests per second"
            times={times}
            format={rate}
            series={[
              { name: 'MCP', values: pick((t) => t.point?.mcpPerSecond) },
              { name: 'Admin API (this page included)', values: pick((t) => t.point?.adminPerSecond) },
            ]}
          />
        </div>
        <div className="card">
          <LineChart
            title="Errors per second"
            times={times}
            format={rate}
            series={[
              { name: 'HTTP 5xx', values: pick((t) => t.point?.errors5xxPerSecond) },
              { name: 'HTTP 4xx', values: pick((t) => t.point?.errors4xxPerSecond) },
              { name: 'Failed tool calls', values: pick((t) => t.point?.toolErrorsPerSecond) },
            ]}
          />
        </div>
        <div className="card">
          <LineChart
            title="Latency"
            times={times}
            format={formatLatency}
            series={[
              { name: 'MCP request p50', values: pick((t) => t.point?.mcpP50) },
              { name: 'MCP request p95', values: pick((t) => t.point?.mcpP95) },
              { name: 'Tool call average', values: pick((t) => t.point?.toolAvg) },
            ]}
          />
        </div>
        <div className="card">
          <LineChart
            title="Tool calls per second by connector type"
            times={times}
            format={rate}
            stacked
            series={
              connectorTypes.length > 0
                ? connectorTypes.map((type) => ({
                    name: type,
                    values: pick((t) => (t.point ? (t.point.toolCallsByType.get(type) ?? 0) : null)),
                  }))
                : [{ name: 'No tool calls yet', values: pick((t) => (t.point ? 0 : null)) }]
            }
          />
        </div>
        <div className="card">
          <LineChart
            title="Pool and sessions"
            times={times}
            format={count}
            series={[
              { name: 'Sessions', values: pick((t) => t.stats?.active_sessions) },
              { name: 'Connector instances', values: pick((t) => t.stats?.active_instances) },
              { name: 'External processes', values: pick((t) => t.processes) },
            ]}
          />
        </div>
        <div className="card">
          <BarList
            title="Tool calls since start by connector type"
            items={(latestSamples ? toolCallTotals(latestSamples.samples) : []).map((r) => ({
              label: r.type,
              value: r.calls,
              note: r.failed ? `(${r.failed} failed)` : undefined,
            }))}
            format={(v) => formatNumber(v)}
            empty="No tool calls since the server started."
          />
        </div>
        <div className="card">
          <BarList
            title="Tool calls today by connector"
            items={usageByConnector}
            format={(v) => formatNumber(v)}
            empty="No tool calls recorded today (counts reach the database every few seconds)."
          />
        </div>
        <div className="card">
          <BarList
            title="Tool calls today by tenant"
            items={Object.entries(latest?.usage_today.calls_by_tenant ?? {})
              .sort((a, b) => b[1] - a[1])
              .slice(0, 12)
              .map(([label, value]) => ({ label, value }))}
            format={(v) => formatNumber(v)}
            empty="No tool calls recorded today."
          />
        </div>
        {summary && (
          <div className="card">
            <figure className="chart">
              <figcaption className="chart-title">Pool capacity</figcaption>
              <Meter label="Connector instances" value={summary.instances} max={summary.max_instances} format={(v) => formatNumber(v)} />
              <p className="muted small-text">
                Hit rate {formatNumber(summary.hit_rate_percent, 1)} % ({formatNumber(summary.hits)} hits,{' '}
                {formatNumber(summary.misses)} misses) · instance TTL {summary.instance_ttl_seconds} s · session TTL{' '}
                {summary.session_ttl_seconds} s
              </p>
              <BarList
                title="Instances by status"
                items={Object.entries(summary.by_status).map(([label, value]) => ({ label, value }))}
              />
            </figure>
          </div>
        )}
      </section>
    </div>
  );
}
