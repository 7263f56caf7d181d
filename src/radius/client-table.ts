/**
 * Which NAS is this? Maps a source address to the server section and secret of the most specific
 * `radius_ip_N` network that contains it, across every section sharing one socket (spec §5.3
 * steps 1 and 5, §10 item 17): the smallest network wins; for identical networks, the section
 * later in the file wins. Unknown sources get `undefined` and must be dropped silently
 * (RFC 2865 §3: "MUST be silently discarded").
 */
import { networkSize, parseNetwork, parseSourceAddress, rangeContains, type NetworkRange } from '../util/ip.js';

/** One `radius_ip_N` / `radius_secret_N` pair of a section. */
export interface ClientEntryInput {
  readonly network: string;
  readonly secret: string | Buffer;
}

/** A table entry, resolved. */
export interface ClientEntry<S> {
  readonly net: NetworkRange;
  /** Addresses in `net` (smaller = more specific). */
  readonly size: bigint;
  readonly network: string;
  readonly secret: Buffer;
  readonly section: S;
  /** Position in file order across sections (later wins ties). */
  readonly order: number;
}

const CACHE_LIMIT = 4096;

/** The client lookup of one listener. */
export class ClientTable<S> {
  private readonly entries: ClientEntry<S>[] = [];
  private readonly cache = new Map<string, ClientEntry<S> | null>();

  /** Adds a section's networks, in file order. Throws on an unparseable network (config validates first). */
  addSection(section: S, clients: readonly ClientEntryInput[]): void {
    for (const c of clients) {
      const net = parseNetwork(c.network);
      if (!net) throw new Error(`invalid radius_ip value "${c.network}"`);
      const secret = typeof c.secret === 'string' ? Buffer.from(c.secret, 'utf8') : c.secret;
      this.entries.push({ net, size: networkSize(net), network: c.network, secret, section, order: this.entries.length });
    }
    this.cache.clear();
  }

  /** The most specific entry containing `address`, or undefined. */
  lookup(address: string): ClientEntry<S> | undefined {
    const hit = this.cache.get(address);
    if (hit !== undefined) return hit ?? undefined;
    const found = this.find(address);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(address, found ?? null);
    return found;
  }

  private find(address: string): ClientEntry<S> | undefined {
    const addr = parseSourceAddress(address);
    if (!addr) return undefined;
    let best: ClientEntry<S> | undefined;
    for (const e of this.entries) {
      if (!rangeContains(e.net, addr)) continue;
      if (!best || e.size < best.size || (e.size === best.size && e.order > best.order)) best = e;
    }
    return best;
  }
}
