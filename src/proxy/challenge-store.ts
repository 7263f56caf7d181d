/**
 * Pending Access-Challenges (spec §5.4 A, G; §10 item 32): the State is 44 base64 characters from
 * 33 random bytes, lives 300 s, is consumed on first use, and only answers from the same source IP
 * (any port) and the same User-Name are accepted. Bounded in size so strangers cannot grow it.
 */
import { randomBytes } from 'node:crypto';

/** Challenge lifetime (spec §5.4 G). */
export const CHALLENGE_TTL_MS = 300_000;

/** What a challenge remembers, beyond its binding. */
export interface PendingChallenge<T> {
  readonly sourceIp: string;
  readonly userName: string;
  readonly identifier: number;
  readonly createdAt: number;
  readonly data: T;
}

/** Why a State was not accepted; `message` is Duo's auth-event text. */
export type ChallengeLookup<T> =
  | { readonly ok: true; readonly challenge: PendingChallenge<T> }
  | { readonly ok: false; readonly message: string };

/** The challenges of one server section. */
export class ChallengeStore<T> {
  private readonly pending = new Map<string, PendingChallenge<T>>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxPending = 100_000,
    private readonly ttlMs = CHALLENGE_TTL_MS,
  ) {}

  /** Pending challenges (not yet expired or consumed). */
  get size(): number {
    return this.pending.size;
  }

  /** Issues a new State bound to the request's source IP and User-Name. */
  issue(sourceIp: string, userName: string, identifier: number, data: T): Buffer {
    this.sweep();
    if (this.pending.size >= this.maxPending) {
      const oldest = this.pending.keys().next().value;
      if (oldest !== undefined) this.pending.delete(oldest);
    }
    const state = randomBytes(33).toString('base64');
    this.pending.set(state, { sourceIp, userName, identifier, createdAt: this.now(), data });
    return Buffer.from(state, 'ascii');
  }

  /** Looks up and consumes the challenge a State answers (spec §5.4 A texts). */
  take(state: Buffer, sourceIp: string, userName: string | undefined): ChallengeLookup<T> {
    this.sweep();
    const key = state.toString('latin1');
    const c = this.pending.get(key);
    if (!c) return { ok: false, message: `Response to unknown AccessChallenge! state ${pyBytesRepr(state)}` };
    if (c.sourceIp !== sourceIp) return { ok: false, message: `Response to AccessChallenge from wrong source ip: '${sourceIp}'` };
    if (c.userName !== userName) return { ok: false, message: `Response to AccessChallenge with incorrect username: '${userName ?? ''}'` };
    this.pending.delete(key);
    return { ok: true, challenge: c };
  }

  /** Drops expired challenges (Map iteration order = issue order = expiry order). */
  sweep(): void {
    const limit = this.now() - this.ttlMs;
    for (const [k, c] of this.pending) {
      if (c.createdAt > limit) break;
      this.pending.delete(k);
    }
  }
}

/** Python's `repr()` of a bytes value, as Duo logs an unknown State. */
export function pyBytesRepr(b: Buffer): string {
  let s = '';
  for (const x of b) {
    if (x === 0x5c) s += '\\\\';
    else if (x === 0x27) s += "\\'";
    else if (x === 0x0a) s += '\\n';
    else if (x === 0x0d) s += '\\r';
    else if (x === 0x09) s += '\\t';
    else if (x >= 0x20 && x < 0x7f) s += String.fromCharCode(x);
    else s += `\\x${x.toString(16).padStart(2, '0')}`;
  }
  return `b'${s}'`;
}
