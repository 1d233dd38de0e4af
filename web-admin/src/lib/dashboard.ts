// Rates and latencies for the dashboard, from two successive scrapes of /metrics.
import { histogram, quantileBetween, sumBy, total } from '../api/prometheus';
import type { Sample } from '../api/prometheus';

export interface Scrape {
  at: number;
  samples: Sample[];
}

const isMcp = (route: string) => route.includes('/mcp');
// The dashboard's own polling and probes are not traffic worth charting.
const isNoise = (route: string) =>
  route === '/metrics' || route.startsWith('/health') || route === 'unmatched';

export interface Point {
  mcpPerSecond: number;
  adminPerSecond: number;
  errors5xxPerSecond: number;
  errors4xxPerSecond: number;
  toolErrorsPerSecond: number;
  mcpP50?: number;
  mcpP95?: number;
  toolAvg?: number;
  toolCallsByType: Map<string, number>;
}

function delta(after: number, before: number): number {
  // A counter that went down means the server restarted: count from zero.
  return after >= before ? after - before : after;
}

export function pointBetween(before: Scrape, after: Scrape): Point {
  const seconds = Math.max(0.001, (after.at - before.at) / 1000);
  const requests = (s: Sample[], where: (l: Record<string, string>) => boolean) =>
    total(s, 'sagemcp_http_requests_total', where);
  const rate = (where: (l: Record<string, string>) => boolean) =>
    delta(requests(after.samples, where), requests(before.samples, where)) / seconds;

  const mcpWhere = (l: Record<string, string>) => isMcp(l.route ?? '');
  const before95 = histogram(before.samples, 'sagemcp_http_request_duration_seconds', mcpWhere);
  const after95 = histogram(after.samples, 'sagemcp_http_request_duration_seconds', mcpWhere);

  const toolCount = delta(
    total(after.samples, 'sagemcp_tool_call_duration_seconds_count'),
    total(before.samples, 'sagemcp_tool_call_duration_seconds_count'),
  );
  const toolSum = delta(
    total(after.samples, 'sagemcp_tool_call_duration_seconds_sum'),
    total(before.samples, 'sagemcp_tool_call_duration_seconds_sum'),
  );

  const byTypeAfter = sumBy(after.samples, 'sagemcp_tool_calls_total', 'connector_type');
  const byTypeBefore = sumBy(before.samples, 'sagemcp_tool_calls_total', 'connector_type');
  const toolCallsByType = new Map<string, number>();
  for (const [type, value] of byTypeAfter) {
    toolCallsByType.set(type, delta(value, byTypeBefore.get(type) ?? 0) / seconds);
  }
  const failed = (l: Record<string, string>) => l.outcome !== undefined && l.outcome !== 'success';

  return {
    mcpPerSecond: rate((l) => isMcp(l.route ?? '')),
    adminPerSecond: rate((l) => !isMcp(l.route ?? '') && !isNoise(l.route ?? '')),
    errors5xxPerSecond: rate((l) => (l.status ?? '').startsWith('5')),
    errors4xxPerSecond: rate((l) => (l.status ?? '').startsWith('4') && !isNoise(l.route ?? '')),
    toolErrorsPerSecond:
      delta(
        total(after.samples, 'sagemcp_tool_calls_total', failed),
        total(before.samples, 'sagemcp_tool_calls_total', failed),
      ) / seconds,
    mcpP50: quantileBetween(before95, after95, 0.5),
    mcpP95: quantileBetween(before95, after95, 0.95),
    toolAvg: toolCount > 0 ? toolSum / toolCount : undefined,
    toolCallsByType,
  };
}

/** Tool calls since start by connector type, and how many of them failed. */
export function toolCallTotals(samples: Sample[]): { type: string; calls: number; failed: number }[] {
  const calls = sumBy(samples, 'sagemcp_tool_calls_total', 'connector_type');
  const failed = sumBy(
    samples,
    'sagemcp_tool_calls_total',
    'connector_type',
    (l) => l.outcome !== 'success',
  );
  return [...calls.entries()]
    .map(([type, n]) => ({ type, calls: n, failed: failed.get(type) ?? 0 }))
    .sort((a, b) => b.calls - a.calls);
}

export function gauge(samples: Sample[], name: string): number | undefined {
  return samples.some((s) => s.name === name) ? total(samples, name) : undefined;
}
