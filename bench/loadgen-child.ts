/**
 * The load generator as a separate process (pinned to its own CPU by the orchestrator):
 * `run` executes a {@link LoadSpec}, `probe` waits for the first answer of a starting server.
 */
import { announceReady, serveRequests } from './children.js';
import { runLoad, type LoadSpec } from './loadgen.js';
import { firstAnswer, type ProbeSpec } from './probe.js';

serveRequests(async (m) => {
  switch (m.kind) {
    case 'run':
      return { result: await runLoad(m['spec'] as LoadSpec) };
    case 'probe':
      return { answeredAt: await firstAnswer(m['spec'] as ProbeSpec) };
    default:
      throw new Error(`unknown request ${m.kind}`);
  }
});
announceReady({});
