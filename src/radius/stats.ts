/** Counters of one RADIUS listener (for metrics, logs and tests). */
export class ServerStats {
  received = 0;
  duplicates = 0;
  errors = 0;
  statusServer = 0;
  /** Replies sent, by code. */
  readonly replies = new Map<number, number>();
  /** Dropped datagrams, by reason (addresses folded out of the reason). */
  readonly drops = new Map<string, number>();

  /** Counts a drop under its reason with addresses/numbers folded (bounded label set); returns the label. */
  drop(reason: string): string {
    const label = reason.replace(/(Unknown Client:|from) \S+/, '$1 <ip>').replace(/\(\d+\)/, '(<n>)');
    this.drops.set(label, (this.drops.get(label) ?? 0) + 1);
    return label;
  }

  /** Counts a reply by code. */
  replied(code: number): void {
    this.replies.set(code, (this.replies.get(code) ?? 0) + 1);
  }
}
