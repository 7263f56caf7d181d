/**
 * Coverage feedback for the fuzzers without any new dependency: V8's own block coverage through
 * the in-process inspector (`node:inspector/promises`, Profiler.startPreciseCoverage with
 * `detailed: true`), which works on Node 20 as is — also under vitest, whose own v8 coverage
 * provider uses the same protocol. (`NODE_V8_COVERAGE` only writes files at exit, and
 * `--cov`-style flags do not exist in Node, so neither can steer a running fuzzer.)
 *
 * V8 reports, per function, the function range and every block whose count differs from its
 * parent's — blocks that did *not* run show up as count-0 ranges. `takePreciseCoverage` resets
 * the counters, so each take describes only the inputs run since the previous one. A block is
 * counted as covered in a take when its function ran and no count-0 range of that take contains
 * it; the blocks known so far are every range ever reported. "New coverage" = a known block
 * covered for the first time: inputs that bring some are kept in the corpus.
 */
import { Session } from 'node:inspector/promises';

/** Only our sources and the two libraries on the parsed paths give feedback. */
const DEFAULT_FILTER = /\/(src|dist\/src)\/|\/node_modules\/(radius|ini)\//;

interface Range {
  readonly startOffset: number;
  readonly endOffset: number;
  readonly count: number;
}
interface FunctionCoverage {
  readonly ranges: readonly Range[];
}
interface ScriptCoverage {
  readonly url: string;
  readonly functions: readonly FunctionCoverage[];
}

/** Block coverage of this process, as sets of covered blocks. */
export class CoverageTracker {
  private readonly session = new Session();
  /** Known blocks per function key (`url@start-end`): `start-end` strings. */
  private readonly known = new Map<string, Set<string>>();
  private readonly covered = new Set<string>();
  private started = false;

  constructor(private readonly filter: RegExp = DEFAULT_FILTER) {}

  /** Blocks covered so far. */
  get size(): number {
    return this.covered.size;
  }

  /** Starts V8 block coverage (code run before this point is not seen). */
  async start(): Promise<void> {
    if (this.started) return;
    this.session.connect();
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
    this.started = true;
  }

  /**
   * Collects the blocks run since the last call. With `commit` they join the covered set; the
   * return value is the number of blocks not covered before.
   */
  async take(commit = true): Promise<number> {
    const { result } = (await this.session.post('Profiler.takePreciseCoverage')) as { result: ScriptCoverage[] };
    const fresh = new Set<string>();
    for (const script of result) {
      if (!this.filter.test(script.url)) continue;
      for (const fn of script.functions) this.blocksOf(script.url, fn, fresh);
    }
    if (commit) for (const b of fresh) this.covered.add(b);
    return fresh.size;
  }

  /** Stops coverage and disconnects. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.session.post('Profiler.stopPreciseCoverage').catch(() => undefined);
    await this.session.post('Profiler.disable').catch(() => undefined);
    this.session.disconnect();
  }

  private blocksOf(url: string, fn: FunctionCoverage, fresh: Set<string>): void {
    const top = fn.ranges[0];
    if (!top || top.count === 0) return;
    const fnKey = `${url}@${top.startOffset}-${top.endOffset}`;
    let blocks = this.known.get(fnKey);
    if (!blocks) this.known.set(fnKey, (blocks = new Set()));
    const zero = fn.ranges.filter((r) => r.count === 0);
    for (const r of fn.ranges) blocks.add(`${r.startOffset}-${r.endOffset}`);
    for (const b of blocks) {
      const [s, e] = b.split('-').map(Number) as [number, number];
      if (zero.some((z) => z.startOffset <= s && e <= z.endOffset)) continue;
      const key = `${fnKey}#${b}`;
      if (!this.covered.has(key)) fresh.add(key);
    }
  }
}
