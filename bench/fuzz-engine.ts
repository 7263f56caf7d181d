/**
 * A small coverage-guided fuzzing loop: pick a corpus entry, mutate it, run the target, and keep
 * the mutants that reach blocks no earlier input reached (see fuzz-coverage.ts). Mutants are run
 * in batches with one coverage take per batch; only a batch that found something is re-run one
 * by one to tell which inputs to keep — coverage takes are the expensive part.
 *
 * A target signals a broken invariant by throwing; `isExpected` says which throws are its
 * documented error types. Anything else is a failure, reported with the replayable input.
 */
import type { CoverageTracker } from './fuzz-coverage.js';
import { Rng } from './fuzz-rng.js';

/** A fuzz target over inputs of type T. */
export interface FuzzTarget<T> {
  readonly name: string;
  readonly seeds: readonly T[];
  /** Runs one input; throws on a broken invariant or an undocumented error. */
  run(input: T): void;
  mutate(input: T, corpus: readonly T[], rng: Rng): T;
  /** True for the documented error types (e.g. ConfigInvalidError). */
  isExpected(err: unknown): boolean;
  /** A printable, replayable form of an input (hex, JSON string). */
  show(input: T): string;
}

/** One failing input. */
export interface FuzzFailure {
  readonly input: string;
  readonly error: string;
}

/** What a run did. */
export interface FuzzReport {
  readonly target: string;
  readonly seed: number;
  readonly execs: number;
  readonly ms: number;
  readonly seeds: number;
  readonly corpus: number;
  /** Blocks covered after the seeds alone, and at the end. */
  readonly coveredBySeeds: number;
  readonly covered: number;
  readonly failures: readonly FuzzFailure[];
}

/** Run options. */
export interface FuzzOptions {
  readonly timeMs: number;
  readonly seed: number;
  readonly coverage: CoverageTracker;
  /** Mutants per coverage take (default 32). */
  readonly batch?: number;
  /** Stop after this many distinct failures (default 20). */
  readonly maxFailures?: number;
  /** Corpus cap (default 5000). */
  readonly maxCorpus?: number;
}

/** Fuzzes `target` for `timeMs`; returns the report and the final corpus. */
export async function runFuzz<T>(target: FuzzTarget<T>, opts: FuzzOptions): Promise<{ report: FuzzReport; corpus: T[] }> {
  const started = Date.now();
  const rng = new Rng(opts.seed);
  const failures = new Map<string, FuzzFailure>();
  const corpus: T[] = [];
  let execs = 0;
  const exec = (input: T): void => {
    execs++;
    const error = runOne(target, input);
    if (error !== undefined && !failures.has(error)) failures.set(error, { input: target.show(input), error });
  };
  await opts.coverage.take(false); // forget what ran before
  for (const s of target.seeds) {
    exec(s);
    corpus.push(s);
  }
  await opts.coverage.take(true);
  const coveredBySeeds = opts.coverage.size;
  const batchSize = opts.batch ?? 32;
  while (Date.now() - started < opts.timeMs && failures.size < (opts.maxFailures ?? 20)) {
    const batch = Array.from({ length: batchSize }, () => target.mutate(rng.pick(corpus), corpus, rng));
    for (const m of batch) exec(m);
    if ((await opts.coverage.take(false)) === 0) continue;
    for (const m of batch) {
      exec(m);
      if ((await opts.coverage.take(true)) > 0 && corpus.length < (opts.maxCorpus ?? 5000)) corpus.push(m);
    }
  }
  const report: FuzzReport = {
    target: target.name, seed: opts.seed, execs, ms: Date.now() - started, seeds: target.seeds.length,
    corpus: corpus.length, coveredBySeeds, covered: opts.coverage.size, failures: [...failures.values()],
  };
  return { report, corpus };
}

/** Runs one input; returns an error description unless it passed or threw an expected error. */
function runOne<T>(target: FuzzTarget<T>, input: T): string | undefined {
  try {
    target.run(input);
    return undefined;
  } catch (err) {
    if (target.isExpected(err)) return undefined;
    if (err instanceof Error) return `${err.name}: ${err.message}${err.stack ? ` @ ${firstFrame(err.stack)}` : ''}`;
    return `non-Error thrown: ${String(err)}`;
  }
}

function firstFrame(stack: string): string {
  return stack.split('\n').find((l) => l.trim().startsWith('at '))?.trim() ?? '';
}
