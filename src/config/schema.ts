/**
 * The shape of the option tables in `sections/*.ts`. One table per section type holds, for every
 * option: its Duo key, the camelCase field of the typed config, its value type, whether it is
 * required, its default, its range or allowed values, a one-line doc and whether it is a secret.
 * The tables are the ONLY place defaults live; the example config is generated from them.
 */

/** How an option's text is turned into a value (spec §1.4). */
export type OptionType =
  | { readonly kind: 'string' }
  /** Python `int()` syntax; inclusive bounds. */
  | { readonly kind: 'int'; readonly min: number; readonly max?: number }
  /** `true`/`false` in any case, or any integer (0 = false). */
  | { readonly kind: 'bool' }
  /** One of `values`; compared after lower-casing unless `caseSensitive`. */
  | { readonly kind: 'enum'; readonly values: readonly string[]; readonly caseSensitive?: boolean }
  /** An integer (Python `int()` syntax) that must be one of `values`. */
  | { readonly kind: 'int-enum'; readonly values: readonly number[] }
  /** A single IPv4/IPv6 address; `allowEmpty` accepts `""` (meaning "all IPv4 addresses"/"auto"). */
  | { readonly kind: 'ip'; readonly allowEmpty: boolean }
  /** Comma-separated names; blanks around items and empty items are dropped. */
  | { readonly kind: 'list' }
  /** `radius_server_auto` `factors` (spec §5.2), order kept as in 5.0.0. */
  | { readonly kind: 'factors' }
  /** A password codec (`pw_codec`), normalised to `utf-8`, `latin-1` or `ascii`. */
  | { readonly kind: 'codec' }
  /** A section name (`client`, `server`), lower-cased. */
  | { readonly kind: 'section-name' }
  /** `client_ip_attr`: `default`, `paloalto` or a RADIUS attribute name (resolved later). */
  | { readonly kind: 'client-ip-attr' }
  /** An IPv4/IPv6 network in any `radius_ip_N` form (see network.ts). */
  | { readonly kind: 'network' };

/** A parsed option value. */
export type OptionValue = string | number | boolean | readonly string[];

/** Values already read in a section, for defaults that depend on other options. */
export type ValueLookup = (key: string) => OptionValue | undefined;

/** One row of an option table. */
export interface OptionSpec {
  /** The Duo key, lower-case; numbered keys are written with `N` (`radius_ip_N`). */
  readonly key: string;
  /** The camelCase field in the typed config (`radius_ip_N` rows name the list they feed). */
  readonly field: string;
  readonly type: OptionType;
  /** Missing → start-up error `Missing required configuration item: '<key>'`. */
  readonly required?: boolean;
  /** Missing → warning only (Duo's validator requires it, Duo's runtime has a fallback). */
  readonly validatorRequired?: boolean;
  /** The default; a function when it depends on another option (e.g. `port` on `transport`). */
  readonly default?: OptionValue | ((get: ValueLookup) => OptionValue);
  /** How the default is shown in docs when it is computed or absent (e.g. `389 (636 with ldaps)`). */
  readonly defaultDoc?: string;
  /** Placeholder used in the example file for options without a default (e.g. an ikey). */
  readonly example?: string;
  /** Secret: its value is never echoed in messages and is masked in dumps. */
  readonly secret?: boolean;
  /** Windows-only DPAPI-protected variant (`skey_protected`, `radius_secret_protected_N`). */
  readonly protectedKey?: string;
  /** Handled by the numbered-key rules (spec §1.5), not by the generic reader. */
  readonly numbered?: boolean;
  /** Our extension (not a Duo option); documented as such in the example file. */
  readonly extension?: boolean;
  /** Accepted for compatibility but without effect at runtime (spec §1.7). */
  readonly ignored?: boolean;
  /** One-line documentation (the example file prints it above the option). */
  readonly doc: string;
}

/** The option table of one section type. */
export interface SectionSpec {
  /** Section type (lower-cased name minus trailing digits). */
  readonly type: string;
  /** Duo's start-up log header for this module (spec §7.1). */
  readonly logHeader: string;
  /** One-line description for the example file. */
  readonly doc: string;
  readonly options: readonly OptionSpec[];
  /** Old spellings renamed when the section is read (`concat_mode` → `allow_concat`). */
  readonly aliases?: Readonly<Record<string, string>>;
}

/** Common option types. */
export const T = {
  string: { kind: 'string' },
  bool: { kind: 'bool' },
  port: { kind: 'int', min: 1, max: 65535 },
  nonNegative: { kind: 'int', min: 0 },
  list: { kind: 'list' },
  codec: { kind: 'codec' },
} as const satisfies Record<string, OptionType>;

/** The spec of `key` in `spec`, or undefined. */
export function findOption(spec: SectionSpec, key: string): OptionSpec | undefined {
  return spec.options.find((o) => o.key === key);
}
