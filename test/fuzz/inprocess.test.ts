/**
 * Bounded, coverage-guided fuzzing inside the test suite (a few seconds per target, fixed
 * seeds so a failure replays): the RADIUS packet path and the config loader. Longer runs:
 * `npm run fuzz` (which also floods the running proxy over UDP).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoverageTracker } from '../../bench/fuzz-coverage.js';
import { runFuzz } from '../../bench/fuzz-engine.js';
import { configTarget } from '../../bench/fuzz-config-target.js';
import { packetTarget, runPacket } from '../../bench/fuzz-packet-target.js';
import { packetSeeds } from '../../bench/fuzz-seeds.js';

const coverage = new CoverageTracker();
beforeAll(() => coverage.start());
afterAll(() => coverage.stop());

describe('coverage-guided fuzzing (bounded)', () => {
  it('every seed datagram passes the packet-path invariants', () => {
    const seeds = packetSeeds();
    expect(seeds.length).toBeGreaterThan(25);
    for (const s of seeds) runPacket(s);
  });

  it('RADIUS packet path: no undocumented error, no broken invariant; mutants reaching new blocks join the corpus', async () => {
    const { report } = await runFuzz(packetTarget(), { timeMs: 4000, seed: 0x5eed1, coverage });
    expect(report.failures).toEqual([]);
    expect(report.execs).toBeGreaterThan(500);
    expect(report.covered).toBeGreaterThan(report.coveredBySeeds);
    expect(report.corpus).toBeGreaterThan(report.seeds);
  });

  it('config loader: parseConfig returns a Config or throws ConfigInvalidError, nothing else', async () => {
    const { report } = await runFuzz(configTarget(), { timeMs: 3000, seed: 0x5eed2, coverage });
    expect(report.failures).toEqual([]);
    expect(report.execs).toBeGreaterThan(200);
    expect(report.corpus).toBeGreaterThan(report.seeds);
  });
});
