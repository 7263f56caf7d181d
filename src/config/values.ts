/**
 * Value parsing exactly as Duo's `ConfigDict.get_*` (spec §1.4): Python `int()` syntax, booleans
 * that are `true`/`false` or any integer, enums with their case rule. Error texts start with Duo's
 * own sentence (`Invalid value for configuration item: '<key>' must be an integer`) and add the
 * precise detail and the offending value — never the value of a secret.
 */
import type { OptionType, OptionValue } from './schema.js';
import { parseAddress, parseNetwork } from '../util/ip.js';
import { pyStrip } from '../util/py-text.js';

/** A parse result: the value, or the complete message body for the error. */
export type ParsedValue = { readonly ok: true; readonly value: OptionValue } | { readonly ok: false; readonly message: string };

/** The values `factors` may list (spec §5.2). */
export const FACTORS = ['auto', 'push', 'phone', 'passcode'] as const;

/** Python codec names (and the aliases Python accepts for them) that the proxy can use. */
const CODECS: Readonly<Record<string, string>> = {
  utf_8: 'utf-8', utf8: 'utf-8', u8: 'utf-8', utf: 'utf-8', cp65001: 'utf-8',
  latin_1: 'latin-1', latin1: 'latin-1', latin: 'latin-1', l1: 'latin-1', iso8859_1: 'latin-1',
  iso_8859_1: 'latin-1', iso8859: 'latin-1', '8859': 'latin-1', cp819: 'latin-1', ibm819: 'latin-1',
  ascii: 'ascii', us_ascii: 'ascii', us: 'ascii', '646': 'ascii', cp367: 'ascii', ibm367: 'ascii',
};

/** `got "<value>"`, or for secrets only the length: secrets never reach a message. */
export function describeGot(raw: string, secret: boolean): string {
  if (secret) return `got a value of ${[...raw].length} characters`;
  return `got ${JSON.stringify(raw)}`;
}

/** Python `int(text)` for ASCII digits: sign, surrounding blanks, single `_` between digits. */
export function pyInt(text: string): number | undefined {
  const t = pyStrip(text);
  if (!/^[+-]?\d+(?:_\d+)*$/.test(t)) return undefined;
  return Number(t.replace(/_/g, ''));
}

/** Python-side truth of Duo's `get_bool`: `true`/`false` in any case, or any integer. */
export function pyBool(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  const n = pyInt(text);
  return n === undefined ? undefined : n !== 0;
}

/** Parses `raw` for option `key` of type `type`. */
export function parseValue(key: string, type: OptionType, raw: string, secret = false): ParsedValue {
  const bad = (expected: string, hint = ''): ParsedValue => ({
    ok: false,
    message: `Invalid value for configuration item: '${key}' must be ${expected}${hint}, ${describeGot(raw, secret)}${inlineCommentHint(raw, secret)}`,
  });
  switch (type.kind) {
    case 'string':
      return { ok: true, value: raw };
    case 'section-name':
      return { ok: true, value: raw.toLowerCase() };
    case 'client-ip-attr': {
      const lower = raw.toLowerCase();
      return { ok: true, value: lower === 'default' || lower === 'paloalto' ? lower : raw };
    }
    case 'int': {
      const n = pyInt(raw);
      const range = type.max === undefined ? ` >= ${type.min}` : ` ${type.min}-${type.max}`;
      if (n === undefined || n < type.min || (type.max !== undefined && n > type.max)) return bad(`an integer${range}`);
      return { ok: true, value: n };
    }
    case 'int-enum': {
      const n = pyInt(raw);
      if (n === undefined || !type.values.includes(n)) return bad(`one of ${type.values.map((v) => `'${v}'`).join(', ')}`);
      return { ok: true, value: n };
    }
    case 'bool': {
      const b = pyBool(raw);
      if (b !== undefined) return { ok: true, value: b };
      const yesNo = ['yes', 'no', 'on', 'off'].includes(raw.toLowerCase());
      return bad('a boolean value', yesNo ? " (true or false; 'yes', 'no', 'on' and 'off' are not accepted)" : ' (true or false)');
    }
    case 'enum': {
      const v = type.caseSensitive ? raw : raw.toLowerCase();
      if (type.values.includes(v)) return { ok: true, value: v };
      return bad(`one of ${type.values.map((x) => `'${x}'`).join(', ')}`, type.caseSensitive ? ' (case-sensitive)' : '');
    }
    case 'ip':
      if (raw === '' && type.allowEmpty) return { ok: true, value: '' };
      return parseAddress(raw) ? { ok: true, value: raw } : bad('an IP address');
    case 'network':
      return parseNetwork(raw) ? { ok: true, value: raw }
        : bad('an IP address, a CIDR network (10.0.0.0/8), an IPv4 address/netmask (10.0.0.0/255.0.0.0) or a range (10.0.0.1-10.0.0.9)');
    case 'list':
      return { ok: true, value: splitList(raw) };
    case 'codec': {
      const codec = CODECS[raw.toLowerCase().replace(/[-\s]/g, '_')];
      return codec ? { ok: true, value: codec } : bad("one of 'utf-8', 'latin-1', 'ascii' (or a Python alias of them)");
    }
    case 'factors':
      return parseFactors(raw);
  }
}

/** Comma list: items stripped, empty items dropped (`pass_through_attr_names`). */
export function splitList(raw: string): string[] {
  return raw.split(',').map(pyStrip).filter((s) => s !== '');
}

/**
 * `factors` (spec §5.2, 5.0.0 semantics: order kept). Items are compared lower-cased. The texts
 * are Duo's: `Factors list cannot be empty`, `Factor "x" is not one of ...`.
 */
export function parseFactors(raw: string): ParsedValue {
  const items = splitList(raw).map((s) => s.toLowerCase());
  if (items.length === 0) return { ok: false, message: 'Factors list cannot be empty' };
  const unknown = items.filter((f) => !(FACTORS as readonly string[]).includes(f));
  if (unknown.length > 0) {
    const messages = unknown.map((f) => `Factor "${f}" is not one of "auto", "phone", "push", or "passcode"`);
    return { ok: false, message: messages.join('; ') };
  }
  return { ok: true, value: items };
}

function inlineCommentHint(raw: string, secret: boolean): string {
  if (secret || !/\s[;#]/.test(raw)) return '';
  return " (inline comments are not supported: ';' and '#' start a comment only at the beginning of a line)";
}
