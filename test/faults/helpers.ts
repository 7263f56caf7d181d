/**
 * Leak and liveness probes for the fault-injection tests: open sockets of this process (the
 * proxy runs in it), a forced GC for heap comparisons, and waiting until nothing is in flight.
 */
import { readdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { E2e } from '../e2e/env.js';

/** Open TCP/TLS/UDP handles of this process (process.getActiveResourcesInfo). */
export function socketHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => /TCP|TLS|UDP|Pipe/i.test(r)).length;
}

/** Open file descriptors of this process (/proc/self/fd). */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

let gcFn: (() => void) | undefined;
/** Heap in use after a full GC (`--expose-gc` switched on at run time). */
export function heapAfterGc(): number {
  if (!gcFn) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
  gcFn();
  return process.memoryUsage().heapUsed;
}

/** Polls `check` every 20 ms until true or `timeoutMs`; returns its last value. */
export async function eventually(check: () => boolean, timeoutMs = 3000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** Resolves true once the proxy has no login in flight (within `timeoutMs`). */
export function idle(env: E2e, timeoutMs = 3000): Promise<boolean> {
  return eventually(() => env.proxy.proxy.inflight === 0, timeoutMs);
}

/** True once the socket count is back to at most `baseline + slack`. */
export function socketsSettle(baseline: number, slack = 2, timeoutMs = 3000): Promise<boolean> {
  return eventually(() => socketHandles() <= baseline + slack, timeoutMs);
}
