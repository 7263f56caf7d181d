/**
 * Python `str` semantics that Duo's config reader relies on, re-created for exact behaviour:
 * `str.strip()` uses Python's notion of whitespace, which differs from JavaScript's `trim()`
 * (JS strips U+FEFF and not U+001C–U+001F/U+0085; Python does the opposite).
 */

/** Every character for which Python's `str.isspace()` is true. */
const PY_SPACE = new Set<string>([
  '\t', '\n', '\v', '\f', '\r', '\x1c', '\x1d', '\x1e', '\x1f', ' ', '\x85', '\xa0', '\u1680',
  '\u2000', '\u2001', '\u2002', '\u2003', '\u2004', '\u2005', '\u2006', '\u2007', '\u2008',
  '\u2009', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000',
]);

/** True when `ch` (one UTF-16 unit) is whitespace for Python. */
export function isPySpace(ch: string): boolean {
  return PY_SPACE.has(ch);
}

/** Python `s.strip()`. */
export function pyStrip(s: string): string {
  return pyRstrip(pyLstrip(s));
}

/** Python `s.lstrip()`. */
export function pyLstrip(s: string): string {
  let i = 0;
  while (i < s.length && PY_SPACE.has(s.charAt(i))) i++;
  return s.slice(i);
}

/** Python `s.rstrip()`. */
export function pyRstrip(s: string): string {
  let j = s.length;
  while (j > 0 && PY_SPACE.has(s.charAt(j - 1))) j--;
  return s.slice(0, j);
}

/** Index of the first non-whitespace character (Python `re.search(r'\S')`), or -1. */
export function firstNonSpace(s: string): number {
  for (let i = 0; i < s.length; i++) if (!PY_SPACE.has(s.charAt(i))) return i;
  return -1;
}

/**
 * A Python-style `repr()` of a string (single quotes unless the text holds a single quote and no
 * double quote), used where Duo prints Python reprs: `['radius_server_auto']`, config dumps.
 */
export function pyRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '\\' || ch === q) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + q;
}
