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

/**
 * One remembered request. With 30 s of entries at thousands of logins per second, what an entry
 * holds is most of the proxy's memory (bench/README.md), so it holds bytes as latin1 strings:
 * no view into the request datagram, and no slice of Node's shared Buffer pool (a long-lived
 * 60-byte slice pins the whole 8 KB slab its short-lived neighbours were cut from; measured
 * 677 bytes of external memory per entry that way, 0 with strings).
 */
export interface DuplicateEntry {
  /** Request Authenticator, User-Name and User-Password bytes, packed by {@link packFingerprint}. */
  readonly fingerprint: string;
  readonly key: string;
  /** The reply bytes (latin1); `null` when answered with silence (a deliberate drop). */
  reply: string | null | undefined;
  expiresAt: number;
}

/** What to do with an arriving request. */
export type DuplicateVerdict =
  | { readonly kind: 'new'; readonly entry: DuplicateEntry }
  | { readonly kind: 'in-progress' }
  | { readonly kind: 'answered'; readonly reply: Buffer | null };

const ABSENT = 0xffff;
/** RFC 2865 §5: values are at most 253 octets, so a fingerprint fits in 16 + 2 × (2 + 253). */
const scratch = Buffer.alloc(16 + 2 * (2 + 253));

/**
 * `authenticator ‖ len(User-Name) ‖ User-Name ‖ len(User-Password) ‖ User-Password` as a latin1
 * string (length 0xffff = absent), so equal requests give equal strings.
 */
export function packFingerprint(fp: DuplicateFingerprint): string {
  const user = fp.userName;
  const password = fp.userPassword;
  let off = fp.authenticator.copy(scratch, 0, 0, 16);
  off = scratch.writeUInt16BE(user ? user.length : ABSENT, off);
  if (user) off += user.copy(scratch, off, 0, 253);
  off = scratch.writeUInt16BE(password ? password.length : ABSENT, off);
  if (password) off += password.copy(scratch, off, 0, 253);
  return scratch.toString('latin1', 0, off);
}

/** The duplicate cache of one socket. Time is read through `now` (tests inject a clock). */
export class DuplicateCache {
  private readonly entries = new Map<string, DuplicateEntry>();
  /** Answered entries in completion order; with a constant TTL this is also expiry order. */
  private readonly expiry: DuplicateEntry[] = [];
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
    const fingerprint = packFingerprint(fp);
    const e = this.entries.get(key);
    if (e?.fingerprint === fingerprint) {
      if (e.reply === undefined) return { kind: 'in-progress' };
      return { kind: 'answered', reply: e.reply === null ? null : Buffer.from(e.reply, 'latin1') };
    }
    const entry: DuplicateEntry = { fingerprint, key, reply: undefined, expiresAt: Infinity };
    this.entries.set(key, entry);
    return { kind: 'new', entry };
  }

  /**
   * Stores the reply of a finished request (`null`: deliberately unanswered, so retransmissions
   * stay silent too) and starts its time to live.
   */
  answered(key: string, entry: DuplicateEntry, reply: Buffer | null): void {
    entry.reply = reply === null ? null : reply.toString('latin1');
    entry.expiresAt = this.now() + this.ttlMs;
    if (this.entries.get(key) === entry) this.expiry.push(entry);
  }

  /** Forgets a request that produced no reply (dropped or crashed), so a retransmission is retried. */
  forget(key: string, entry: DuplicateEntry): void {
    if (this.entries.get(key) === entry) this.entries.delete(key);
  }

  /** Removes expired answered entries. */
  sweep(): void {
    const t = this.now();
    while (this.expiryHead < this.expiry.length) {
      const entry = this.expiry[this.expiryHead]!;
      if (entry.expiresAt > t) break;
      if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
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
