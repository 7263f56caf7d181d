/** Shared set-up of the Duo client tests: a client pointed at a running fake Duo API. */
import { DuoClient } from '../../src/duo/client.js';
import type { DuoClientOptions } from '../../src/duo/client.js';
import { memoryLogger } from '../../src/log/logger.js';
import type { MemorySink } from '../../src/log/logger.js';
import type { FakeDuoApi } from '../fakes/duo-api/index.js';

/** A client for `fake` with a memory log; `overrides` replace any option. */
export function clientFor(
  fake: FakeDuoApi,
  overrides: Partial<DuoClientOptions> = {},
  debug = false,
): { client: DuoClient; sink: MemorySink } {
  const { log, sink } = memoryLogger(debug);
  const client = new DuoClient({
    ikey: fake.ikey,
    skey: fake.skey,
    apiHost: fake.host,
    apiPort: fake.port,
    caCerts: fake.caCertPem,
    userAgent: 'authproxy/0.1.0 (linux; node 20; radius_server_auto)',
    log,
    ...overrides,
  });
  return { client, sink };
}

/** A signal that never aborts. */
export const never = (): AbortSignal => new AbortController().signal;

/** The rejection of `p` (fails the test when `p` resolves). */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}
