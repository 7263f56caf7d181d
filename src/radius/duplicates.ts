/**
 * Duplicate detection (RFC 5080 §2.2.2, spec §5.3.1). Key: (source IP, source port, Identifier)
 * within one listening socket. A packet is a duplicate of the stored one when its Request
 * Authenticator, User-Name and User-Password bytes are identical. While the original is in
 * progress a duplicate is silently dropped ("MUST be silently discarded"); once answered, the
 * cached reply bytes are re-sent for `ttlMs` (Duo: 30 s). Same key but different content: the entry
 * is replaced and the older login still answers when it finishes.
 */

/** The parts of a request that make it "the same" request. */
export interface DuplicateFingerprint {
  readonly authenticator: Buffer;
  readonly userName: Buffer | undefined;
  readonly userPassword: Buffer | undefined;
}

/** One remembered request. */
export interface DuplicateEntry {
  readonly fingerprint: DuplicateFingerprint;
  /** The reply bytes; `null` when the request was answered with silence (a deliberate drop). */
  reply: Buffer | null | undefined;
  expiresAt: number;
}

/** What to do with an arriving request. */
export type DuplicateVerdict =
  | { readonly kind: 'new'; readonly entry: DuplicateEntry }
  | { readonly kind: 'in-progress' }
  | { readonly kind: 'answered'; readonly reply: Buffer | null };

function sameBytes(a: Buffer | undefined, b: Buffer | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.equals(b);
}

function sameRequest(a: DuplicateFingerprint, b: DuplicateFingerprint): boolean {
  return a.authenticator.equals(b.authenticator) && sameBytes(a.userName, b.userName) && sameBytes(a.userPassword, b.userPassword);
}

/** The duplicate cache of one socket. Time is read through `now` (tests inject a clock). */
export class DuplicateCache {
  private readonly entries = new Map<string, DuplicateEntry>();
  /** Answered entries in completion order; with a constant TTL this is also expiry order. */
  private readonly expiry: Array<{ key: string; entry: DuplicateEntry }> = [];
  private expiryHead = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Number of remembered requests (in progress + answered, not yet expired). */
  get size(): number {
    return this.entries.size;
  }

  /** Classifies a request and, when new, remembers it as in progress. */
  check(key: string, fp: DuplicateFingerprint): DuplicateVerdict {
    this.sweep();
    const e = this.entries.get(key);
    if (e && sameRequest(e.fingerprint, fp)) {
      return e.reply === undefined ? { kind: 'in-progress' } : { kind: 'answered', reply: e.reply };
    }
    const entry: DuplicateEntry = { fingerprint: fp, reply: undefined, expiresAt: Infinity };
    this.entries.set(key, entry);
    return { kind: 'new', entry };
  }

  /**
   * Stores the reply of a finished request (`null`: deliberately unanswered, so retransmissions
   * stay silent too) and starts its time to live.
   */
  answered(key: string, entry: DuplicateEntry, reply: Buffer | null): void {
    entry.reply = reply;
    entry.expiresAt = this.now() + this.ttlMs;
    if (this.entries.get(key) === entry) this.expiry.push({ key, entry });
  }

  /** Forgets a request that produced no reply (dropped or crashed), so a retransmission is retried. */
  forget(key: string, entry: DuplicateEntry): void {
    if (this.entries.get(key) === entry) this.entries.delete(key);
  }

  /** Removes expired answered entries. */
  sweep(): void {
    const t = this.now();
    while (this.expiryHead < this.expiry.length) {
      const item = this.expiry[this.expiryHead]!;
      if (item.entry.expiresAt > t) break;
      if (this.entries.get(item.key) === item.entry) this.entries.delete(item.key);
      this.expiryHead++;
    }
    if (this.expiryHead > 1024 && this.expiryHead * 2 > this.expiry.length) {
      this.expiry.splice(0, this.expiryHead);
      this.expiryHead = 0;
    }
  }

  /** Forgets everything. */
  clear(): void {
    this.entries.clear();
    this.expiry.length = 0;
    this.expiryHead = 0;
  }
}
