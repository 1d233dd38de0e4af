// Hand-drawn SVG charts: a time-series line chart and a horizontal bar list. Colours come from
// CSS classes (series-0…5) so both themes style them.
import { useEffect, useRef, useState } from 'react';

import { formatClock } from '../lib/format';

export interface Series {
  name: string;
  /** One value per entry of `times`; null where unknown. */
  values: (number | null)[];
}

/** A round upper bound for an axis: 1, 2 or 5 times a power of ten. */
export function niceMax(value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    return 1;
  }
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (value <= step * power) {
      return step * power;
    }
  }
  return 10 * power;
}

function useWidth<T extends HTMLElement>(fallback: number): [React.RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const node = ref.current;
    if (!node || typeof ResizeObserver === 'undefined') {
      return undefined;
    }
    const observer = new ResizeObserver((entries) => {
      const w = Math.floor(entries[0].contentRect.width);
      if (w > 0) {
        setWidth(w);
      }
    });
    observer.observe(node);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

export interface LineChartProps {
  title: string;
  times: number[];
  series: Series[];
  format?: (v: number) => string;
  height?: number;
  /** Stack the series (areas) instead of drawing lines over each other. */
  stacked?: boolean;
}

export function LineChart({ title, times, series, format = (v) => String(v), height = 180, stacked }: LineChartProps) {
  const [ref, width] = useWidth<HTMLDivElement>(480);
  const pad = { left: 52, right: 10, top: 10, bottom: 22 };
  const w = Math.max(200, width);
  const innerW = w - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const n = times.length;

  // With stacking, each series is drawn on top of the ones before it.
  const drawn = series.map((s, i) =>
    s.values.map((v, j) => {
      if (!stacked) {
        return v;
      }
      if (v === null) {
        return null;
      }
      let sum = 0;
      for (let k = 0; k <= i; k++) {
        sum += series[k].values[j] ?? 0;
      }
      return sum;
    }),
  );
  const max = niceMax(Math.max(0, ...drawn.flat().filter((v): v is number => v !== null)));
  const x = (i: number) => pad.left + (n <= 1 ? innerW : (i / (n - 1)) * innerW);
  const y = (v: number) => pad.top + innerH - (v / max) * innerH;

  const path = (values: (number | null)[]) => {
    let d = '';
    let pen = false;
    values.forEach((v, i) => {
      if (v === null) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    });
    return d;
  };

  const area = (values: (number | null)[], below: (number | null)[] | null) => {
    const points = values.map((v, i) => (v === null ? null : i)).filter((i): i is number => i !== null);
    if (points.length < 2) {
      return '';
    }
    let d = `M${x(points[0]).toFixed(1)},${y(values[points[0]] ?? 0).toFixed(1)}`;
    for (const i of points.slice(1)) {
      d += `L${x(i).toFixed(1)},${y(values[i] ?? 0).toFixed(1)}`;
    }
    for (const i of [...points].reverse()) {
      d += `L${x(i).toFixed(1)},${y(below ? (below[i] ?? 0) : 0).toFixed(1)}`;
    }
    return `${d}Z`;
  };

  const latest = series.map((s) => {
    const v = [...s.values].reverse().find((value) => value !== null);
    return v === undefined || v === null ? '—' : format(v);
  });
  const summary = series.map((s, i) => `${s.name} ${latest[i]}`).join(', ');

  return (
    <figure className="chart">
      <figcaption className="chart-title">{title}</figcaption>
      <div ref={ref} className="chart-canvas">
        <svg width={w} height={height} role="img" aria-label={`${title}, latest: ${summary || 'no data'}`}>
          {[0, 0.5, 1].map((f) => (
            <g key={f} className="chart-grid">
              <line x1={pad.left} x2={w - pad.right} y1={y(max * f)} y2={y(max * f)} />
              <text x={pad.left - 6} y={y(max * f)} dy="0.32em" textAnchor="end">
                {format(max * f)}
              </text>
            </g>
          ))}
          {n > 0 && (
            <g className="chart-axis">
              <text x={pad.left} y={height - 4} textAnchor="start">
                {formatClock(times[0])}
              </text>
              {n > 1 && (
                <text x={w - pad.right} y={height - 4} textAnchor="end">
                  {formatClock(times[n - 1])}
                </text>
              )}
            </g>
          )}
          {drawn.map((values, i) => (
            <g key={series[i].name} className={`series-${i % 6}`}>
              {/* Areas only where they do not hide each other: one series, or stacked ones. */}
              {(stacked || series.length === 1) && (
                <path className="chart-area" d={area(values, stacked && i > 0 ? drawn[i - 1] : null)} />
              )}
              <path className="chart-line" d={path(values)} />
              {values.filter((v) => v !== null).length === 1 &&
                values.map((v, j) =>
                  v === null ? null : <circle key={j} className="chart-dot" cx={x(j)} cy={y(v)} r={3} />,
                )}
            </g>
          ))}
          {n === 0 && (
            <text x={w / 2} y={height / 2} textAnchor="middle" className="chart-empty">
              Collecting data…
            </text>
          )}
        </svg>
      </div>
      <ul className="legend">
        {series.map((s, i) => (
          <li key={s.name}>
            <span className={`swatch series-${i % 6}`} aria-hidden="true" />
            <span className="legend-name">{s.name}</span>
            <span className="legend-value">{latest[i]}</span>
          </li>
        ))}
      </ul>
    </figure>
  );
}

export interface BarItem {
  label: string;
  value: number;
  /** Extra text after the value. */
  note?: string;
}

export function BarList({ title, items, format = (v) => String(v), empty = 'Nothing yet' }: {
  title: string;
  items: BarItem[];
  format?: (v: number) => string;
  empty?: string;
}) {
  const max = Math.max(0, ...items.map((i) => i.value));
  return (
    <figure className="chart">
      <figcaption className="chart-title">{title}</figcaption>
      {items.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <ul className="bars">
          {items.map((item, i) => (
            <li key={item.label}>
              <span className="bar-label" title={item.label}>
                {item.label}
              </span>
              <span className="bar-track" aria-hidden="true">
                <span
                  className={`bar-fill series-${i % 6}`}
                  style={{ width: `${max > 0 && item.value > 0 ? Math.max(1, (item.value / max) * 100) : 0}%` }}
                />
              </span>
              <span className="bar-value">
                {format(item.value)}
                {item.note ? ` ${item.note}` : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}

/** A labelled meter (used / capacity). */
export function Meter({ label, value, max, format = (v) => String(v) }: {
  label: string;
  value: number;
  max: number;
  format?: (v: number) => string;
}) {
  const pct = max > 0 ? Math.min(100, (value / max) * 100) : 0;
  return (
    <div className="meter">
      <div className="meter-head">
        <span>{label}</span>
        <span>
          {format(value)} / {format(max)}
        </span>
      </div>
      <div className="meter-track" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={max} aria-valuenow={value}>
        <span className={`meter-fill${pct > 90 ? ' meter-high' : ''}`} style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}
