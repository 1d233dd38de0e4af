import { describe, expect, it } from 'vitest';

import { pointBetween, toolCallTotals } from '../lib/dashboard';
import { histogram, parsePrometheus, quantileBetween, sumBy, total } from './prometheus';

const TEXT = `# HELP sagemcp_http_requests_total HTTP requests served.
# TYPE sagemcp_http_requests_total counter
sagemcp_http_requests_total{method="POST",route="/api/v1/{tenant}/connectors/{connector}/mcp",status="200"} 10
sagemcp_http_requests_total{method="GET",route="/api/v1/admin/stats",status="200"} 4
sagemcp_http_requests_total{method="GET",route="/metrics",status="200"} 4
sagemcp_http_requests_total{method="GET",route="weird \\"quoted\\", label",status="500"} 1
sagemcp_tool_calls_total{connector_type="everything",outcome="success"} 5
sagemcp_tool_calls_total{connector_type="everything",outcome="tool_error"} 1
sagemcp_pool_restarts_total 0
sagemcp_external_processes 2
sagemcp_http_request_duration_seconds_bucket{route="/api/v1/{tenant}/mcp",le="0.001"} 2
sagemcp_http_request_duration_seconds_bucket{route="/api/v1/{tenant}/mcp",le="0.01"} 8
sagemcp_http_request_duration_seconds_bucket{route="/api/v1/{tenant}/mcp",le="+Inf"} 10
sagemcp_pool_hit_rate 0E0
`;

describe('Prometheus text', () => {
  it('parses names, labels (escapes included) and values', () => {
    const samples = parsePrometheus(TEXT);
    expect(samples).toHaveLength(12);
    expect(samples[3].labels.route).toBe('weird "quoted", label');
    expect(total(samples, 'sagemcp_external_processes')).toBe(2);
    expect(total(samples, 'sagemcp_pool_hit_rate')).toBe(0);
    expect(sumBy(samples, 'sagemcp_tool_calls_total', 'connector_type').get('everything')).toBe(6);
    expect(histogram(samples, 'sagemcp_http_request_duration_seconds').get(Infinity)).toBe(10);
  });

  it('interpolates quantiles inside buckets, over the difference of two scrapes', () => {
    const before = new Map([[0.001, 0], [0.01, 0], [Infinity, 0]]);
    const after = new Map([[0.001, 2], [0.01, 8], [Infinity, 10]]);
    expect(quantileBetween(before, after, 0.2)).toBeCloseTo(0.001);
    expect(quantileBetween(before, after, 0.5)).toBeCloseTo(0.001 + 0.009 * 0.5);
    expect(quantileBetween(before, after, 0.95)).toBe(0.01);
    expect(quantileBetween(after, after, 0.5)).toBeUndefined();
  });

  it('makes rates from two scrapes and survives a counter reset', () => {
    const first = { at: 0, samples: parsePrometheus(TEXT) };
    const later = TEXT.replace('status="200"} 10', 'status="200"} 30').replace('outcome="success"} 5', 'outcome="success"} 9');
    const second = { at: 2000, samples: parsePrometheus(later) };
    const p = pointBetween(first, second);
    expect(p.mcpPerSecond).toBe(10);
    expect(p.adminPerSecond).toBe(0);
    expect(p.toolCallsByType.get('everything')).toBe(2);
    const restarted = { at: 4000, samples: parsePrometheus(TEXT.replace('status="200"} 10', 'status="200"} 3')) };
    expect(pointBetween(second, restarted).mcpPerSecond).toBe(1.5);
    expect(toolCallTotals(first.samples)).toEqual([{ type: 'everything', calls: 6, failed: 1 }]);
  });
});
