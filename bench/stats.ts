/**
 * Latency summaries and the one-line JSON results the suite prints.
 */

/** Latency percentiles in milliseconds (nearest-rank), rounded to 0.01 ms. */
export interface LatencySummary {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Nearest-rank percentile `p` (0–100) of ascending `sorted`; 0 for an empty list. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Rounds to `digits` decimals. */
export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Summarizes latencies (ms). */
export function summarize(latencies: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(latencies).sort();
  const sum = latencies.reduce((a, b) => a + b, 0);
  return {
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.length ? sorted[sorted.length - 1]! : 0),
    mean: round(latencies.length ? sum / latencies.length : 0),
  };
}

/** The fields every scenario line starts with (the brief's format), then scenario extras. */
export interface ResultLine {
  readonly scenario: string;
  readonly requests: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly lost: number;
  readonly rps: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly rssMb: number;
  readonly [extra: string]: unknown;
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const COLUMNS = ['scenario', 'requests', 'accepted', 'rejected', 'lost', 'rps', 'p50', 'p90', 'p99', 'max', 'rssMb'] as const;
const NOTES = ['cpuUsPerReq', 'ratioVsFreeradius', 'cpuRatioVsFreeradius', 'proxyAddedP50', 'proxyAddedP99', 'freeradiusAddedP99', 'authCalls', 'maxAuthPerUser', 'firstAnswerMs'];

/** The result lines as a Markdown table (for bench/README.md), with the interesting extras as notes. */
export function markdownTable(lines: readonly ResultLine[]): string {
  const head = `| ${COLUMNS.join(' | ')} | notes |`;
  const rule = `|${COLUMNS.map(() => '---').join('|')}|---|`;
  const rows = lines.map((l) => {
    const notes = NOTES.filter((k) => l[k] !== undefined).map((k) => `${k} ${JSON.stringify(l[k])}`);
    return `| ${COLUMNS.map((c) => String(l[c])).join(' | ')} | ${notes.join(', ')} |`;
  });
  return [head, rule, ...rows].join('\n');
}
