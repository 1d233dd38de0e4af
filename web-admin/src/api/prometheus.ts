// Prometheus text exposition format (what /metrics serves), parsed into samples.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseValue(text: string): number {
  switch (text) {
    case '+Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
    case 'NaN':
      return NaN;
    default:
      return Number(text);
  }
}

// Reads `{a="x",b="y\"z"}` from `line` at `start` (the '{'); returns the labels and the index
// after '}'.
function parseLabels(line: string, start: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    while (line[i] === ' ' || line[i] === ',') {
      i++;
    }
    if (line[i] === '}') {
      return [labels, i + 1];
    }
    const eq = line.indexOf('=', i);
    if (eq < 0 || line[eq + 1] !== '"') {
      throw new Error('bad label');
    }
    const name = line.slice(i, eq).trim();
    let value = '';
    let j = eq + 2;
    for (; j < line.length && line[j] !== '"'; j++) {
      if (line[j] === '\\') {
        j++;
        const c = line[j];
        value += c === 'n' ? '\n' : c;
      } else {
        value += line[j];
      }
    }
    if (j >= line.length) {
      throw new Error('unterminated label value');
    }
    labels[name] = value;
    i = j + 1;
  }
}

export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) {
      continue;
    }
    try {
      const brace = line.indexOf('{');
      const space = line.indexOf(' ');
      let name: string;
      let labels: Record<string, string> = {};
      let rest: string;
      if (brace >= 0 && (space < 0 || brace < space)) {
        name = line.slice(0, brace);
        const [parsed, end] = parseLabels(line, brace);
        labels = parsed;
        rest = line.slice(end).trim();
      } else {
        name = line.slice(0, space);
        rest = line.slice(space + 1).trim();
      }
      const token = rest.split(/\s+/)[0];
      if (name && token) {
        samples.push({ name, labels, value: parseValue(token) });
      }
    } catch {
      // A line this parser does not understand is skipped, not fatal.
    }
  }
  return samples;
}

/** Sums the samples of `name` whose labels pass `where`, grouped by the value of label `by`. */
export function sumBy(
  samples: Sample[],
  name: string,
  by?: string,
  where: (labels: Record<string, string>) => boolean = () => true,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) {
    if (s.name !== name || !where(s.labels)) {
      continue;
    }
    const key = by ? (s.labels[by] ?? '') : '';
    out.set(key, (out.get(key) ?? 0) + s.value);
  }
  return out;
}

export function total(
  samples: Sample[],
  name: string,
  where?: (labels: Record<string, string>) => boolean,
): number {
  return sumBy(samples, name, undefined, where).get('') ?? 0;
}

/** Cumulative histogram buckets of `name`, summed over series that pass `where`: le → count. */
export function histogram(
  samples: Sample[],
  name: string,
  where: (labels: Record<string, string>) => boolean = () => true,
): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of samples) {
    if (s.name !== `${name}_bucket` || !where(s.labels) || s.labels.le === undefined) {
      continue;
    }
    const le = parseValue(s.labels.le);
    out.set(le, (out.get(le) ?? 0) + s.value);
  }
  return out;
}

/**
 * The q-quantile (0..1) of the observations between two cumulative histograms, by linear
 * interpolation inside the bucket, as Prometheus' histogram_quantile does. Undefined when there
 * were none.
 */
export function quantileBetween(
  before: Map<number, number> | undefined,
  after: Map<number, number>,
  q: number,
): number | undefined {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const counts = bounds.map((le) => Math.max(0, (after.get(le) ?? 0) - (before?.get(le) ?? 0)));
  const count = counts.at(-1) ?? 0;
  if (count <= 0) {
    return undefined;
  }
  const rank = q * count;
  for (let i = 0; i < bounds.length; i++) {
    if (counts[i] >= rank) {
      const upper = bounds[i];
      const lower = i === 0 ? 0 : bounds[i - 1];
      if (upper === Infinity) {
        return lower;
      }
      const below = i === 0 ? 0 : counts[i - 1];
      const inBucket = counts[i] - below;
      return inBucket <= 0 ? upper : lower + ((upper - lower) * (rank - below)) / inBucket;
    }
  }
  return bounds.at(-2);
}
