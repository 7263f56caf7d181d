/**
 * The IPC side of the benchmark's Node children: answer `{ id, kind, ... }` requests with
 * `{ id, ... }` (or `{ id, error }`), and announce readiness with `{ kind: 'ready', ... }`.
 */

/** A request from the orchestrator. */
export interface ChildRequest {
  readonly id: number;
  readonly kind: string;
  readonly [field: string]: unknown;
}

/** Serves requests with `handle` until the channel closes. */
export function serveRequests(handle: (m: ChildRequest) => Promise<Record<string, unknown>>): void {
  process.on('message', (m: ChildRequest) => {
    handle(m).then(
      (answer) => process.send?.({ ...answer, id: m.id }),
      (err: unknown) => process.send?.({ id: m.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}

/** Tells the orchestrator this child is ready. */
export function announceReady(info: Record<string, unknown>): void {
  process.send?.({ ...info, kind: 'ready' });
}
