/**
 * Reads one section against its option table: `[DEFAULT]` inheritance, key aliases, ignored
 * `*_protected` keys, typed values with defaults, required items, and a warning for every key the
 * table does not know. Every problem is reported (never only the first).
 */
import type { IniEntry, IniSection } from './ini-lexer.js';
import type { SectionIssues } from './issues.js';
import type { OptionSpec, OptionValue, SectionSpec } from './schema.js';
import { describeGot, parseValue } from './values.js';

/** A section being read; numbered-key rules and builders pull their values from it. */
export class SectionReader {
  /** Lower-cased section name. */
  readonly name: string;
  readonly header: string;
  readonly line: number;
  private readonly entries = new Map<string, IniEntry>();
  private readonly consumed = new Set<string>();
  private readonly values = new Map<string, OptionValue>();

  constructor(
    section: IniSection,
    defaults: IniSection | undefined,
    readonly spec: SectionSpec,
    readonly issues: SectionIssues,
  ) {
    this.name = section.header.toLowerCase();
    this.header = section.header;
    this.line = section.line;
    for (const e of defaults?.entries ?? []) this.entries.set(e.key, e);
    for (const e of section.entries) this.entries.set(e.key, e);
    this.applyAliases();
    this.ignoreProtectedKeys();
    this.readTable();
  }

  /** Every key present (own and inherited), in no particular order. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** The entry for `key`, marking it as used. */
  take(key: string): IniEntry | undefined {
    const e = this.entries.get(key);
    if (e) this.consumed.add(key);
    return e;
  }

  /** True when a rule has already used `key`. */
  isConsumed(key: string): boolean {
    return this.consumed.has(key);
  }

  /** True when `key` is present in the file (own or inherited). */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The typed value of table option `key` (default applied); undefined if absent without default. */
  get(key: string): OptionValue | undefined {
    return this.values.get(key);
  }

  /** Line of `key`, or the header line when absent. */
  lineOf(key: string): number {
    return this.entries.get(key)?.line ?? this.line;
  }

  /** Duo key → line for every key present. */
  optionLines(): Record<string, number> {
    return Object.fromEntries([...this.entries.values()].map((e) => [e.key, e.line]));
  }

  /**
   * Parses `entry` with the type of `opt`, reporting a bad value (or an accidental continuation
   * line) as an error; undefined when invalid.
   */
  parseEntry(entry: IniEntry, opt: OptionSpec): OptionValue | undefined {
    const secret = opt.secret === true;
    if (entry.continuationLines.length > 0) {
      this.issues.error(entry.line, entry.key,
        `Invalid value for configuration item: '${entry.key}' must be a single line; line ${entry.continuationLines[0]} is indented, so it was read as a continuation of this value (remove the indentation), ${describeGot(entry.value, secret)}`);
      return undefined;
    }
    const parsed = parseValue(entry.key, opt.type, entry.value, secret);
    if (!parsed.ok) {
      this.issues.error(entry.line, entry.key, parsed.message);
      return undefined;
    }
    if (parsed.value === '' && (opt.required === true || opt.numbered === true)) {
      this.issues.warn(entry.line, entry.key, `The ${entry.key} value provided is invalid. (the value is empty)`);
    }
    return parsed.value;
  }

  /** Reports `Missing required configuration item` at the header line. */
  missing(key: string, detail = ''): void {
    this.issues.error(this.line, key, `Missing required configuration item: '${key}'${detail}`);
  }

  /** Warns about every key that no rule used (Duo's validator; start-up continues). */
  reportUnknownKeys(): void {
    for (const e of this.entries.values()) {
      if (!this.consumed.has(e.key)) this.issues.warn(e.line, e.key, `An unexpected configuration item was found: ${e.key}`);
    }
  }

  private applyAliases(): void {
    for (const [old, current] of Object.entries(this.spec.aliases ?? {})) {
      const e = this.entries.get(old);
      if (!e) continue;
      if (this.entries.has(current)) {
        this.consumed.add(old);
        this.issues.error(e.line, old,
          `The following keys should not be used at the same time: ${current}, ${old}. Please pick just one.`);
        continue;
      }
      this.entries.delete(old);
      this.entries.set(current, e);
    }
  }

  /** On non-Windows systems Duo ignores `*_protected` keys and reads the plain key (spec §8.4). */
  private ignoreProtectedKeys(): void {
    for (const opt of this.spec.options) {
      if (!opt.protectedKey) continue;
      const pattern = new RegExp(`^${opt.protectedKey.replace(/_N$/, '_\\d+')}$`);
      for (const e of this.entries.values()) {
        if (!pattern.test(e.key)) continue;
        this.consumed.add(e.key);
        const plain = opt.numbered ? e.key.replace('_protected', '') : opt.key;
        this.issues.warn(e.line, e.key,
          `Usage of protected value(s): ${e.key} is not possible on this system (protected values need Windows DPAPI); the key is ignored and '${plain}' is used instead`);
      }
    }
  }

  private readTable(): void {
    const plain = this.spec.options.filter((o) => !o.numbered);
    for (const opt of plain) {
      const e = this.take(opt.key);
      if (e) {
        const v = this.parseEntry(e, opt);
        if (v !== undefined) this.values.set(opt.key, v);
      } else if (opt.required) {
        this.missing(opt.key);
      } else if (opt.validatorRequired) {
        this.issues.warn(this.line, opt.key, `A required configuration item is missing: ${opt.key}`);
      }
    }
    for (const opt of plain) {
      // Also when the written value was invalid: later checks then see a sane value, and the
      // error already recorded keeps the config from being returned.
      if (this.values.has(opt.key) || opt.default === undefined) continue;
      const d = typeof opt.default === 'function' ? opt.default((k) => this.values.get(k)) : opt.default;
      this.values.set(opt.key, d);
    }
  }
}
