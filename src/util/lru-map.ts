/**
 * A size-bounded map that forgets the least recently used entry first. The guard keys its
 * tables by user name and NAS address — values an attacker chooses — so every table must be
 * bounded: cycling user names evicts old entries instead of growing memory.
 */

/** Map with at most `maxSize` entries; `get` and `set` make an entry the most recent. */
export class LruMap<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly maxSize: number) {
    if (!Number.isInteger(maxSize) || maxSize < 1) throw new RangeError(`LruMap size must be a positive integer, got ${maxSize}`);
  }

  /** Entries held now. */
  get size(): number {
    return this.map.size;
  }

  /** The value, made most recent; undefined when absent. */
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }

  /** The value without touching its recency. */
  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  /** Stores `value` as the most recent entry, evicting the least recent one when full. */
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.maxSize) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
  }

  /** Removes an entry. */
  delete(key: K): void {
    this.map.delete(key);
  }

  /** Drops everything. */
  clear(): void {
    this.map.clear();
  }
}
