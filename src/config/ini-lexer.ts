/**
 * Lexer for authproxy.cfg in Duo's INI dialect: Python 3.8 `configparser.ConfigParser` with
 * `interpolation=None` and the default options (strict, `=`/`:` delimiters, `;`/`#` full-line
 * comments only, empty lines kept inside values), plus Duo's own pre-checks. Spec §1.1–§1.2.
 *
 * Why this is our own code and not npm `ini` (a dependency of the project): `ini.parse` disagrees
 * with Duo on exactly the things an authproxy.cfg relies on —
 *  - it cuts values at the first unescaped `;` or `#` (`radius_secret_1=a;b` → `a`), while Duo
 *    has no inline comments, so a shared secret containing `;#=:` would be silently truncated;
 *  - it knows no `:` separator (`port: 1812` becomes a key named `port: 1812`);
 *  - it has no continuation lines (an indented line becomes a key of its own) and drops blank
 *    lines, while Duo appends indented lines to the previous value with `\n`;
 *  - it removes quotes and JSON-decodes quoted values, turns `true`/`false`/`null` into non-strings,
 *    treats `key[]` as arrays and `[a.b]` as nested sections; Duo keeps all of these verbatim;
 *  - it silently skips lines it cannot parse, lets duplicate keys and sections overwrite each
 *    other, keeps key case, and reports no line numbers — Duo rejects the first three, lower-cases
 *    keys, and every message here must name its line.
 * `ini` agrees with Duo only on full-line comments and on plain `key=value` lines whose value has
 * no `;`, `#`, quotes or backslashes. So the behaviour wins: this lexer decides, and
 * test/config/ini-lexer.test.ts uses `ini` as a reference oracle on that common subset (a
 * differential property test), complementing rather than replacing the package.
 *
 * Other decisions:
 *  - A UTF-8 BOM is accepted and stripped. Duo reads the BOM as part of the first line, so its
 *    first header is not recognised and it fails with "has no sections"; for an admin tool that
 *    is only a trap (Windows editors add BOMs), so we deliberately accept such files.
 *  - Lines end at `\r\n`, `\n` or `\r` (Python universal newlines), so mixed line endings give the
 *    same lines as Duo's normalisation.
 *  - The lexer never throws: every problem becomes an issue with its line, and lexing goes on so
 *    that all problems are reported at once.
 */
import type { IssueCollector } from './issues.js';
import { firstNonSpace, pyRepr, pyRstrip, pyStrip } from '../util/py-text.js';

/** One `key = value` option (value with continuation lines joined by `\n`). */
export interface IniEntry {
  readonly file: string;
  /** Line of the key. */
  readonly line: number;
  /** The key, lower-cased (Python `optionxform`). */
  readonly key: string;
  /** The value: stripped, continuation lines appended with `\n`, trailing blank lines removed. */
  readonly value: string;
  /** Lines that were appended to this value as continuations (empty for one-line values). */
  readonly continuationLines: readonly number[];
}

/** One `[header]` and its options in file order. */
export interface IniSection {
  readonly file: string;
  readonly line: number;
  /** Header text as written (inside the brackets, not stripped or lower-cased). */
  readonly header: string;
  readonly entries: readonly IniEntry[];
}

/** The lexed file. `[DEFAULT]` (exact case) is kept apart: its keys are inherited by every section. */
export interface IniDocument {
  readonly file: string;
  /** Every section except `[DEFAULT]` and except repeated (duplicate) headers, in file order. */
  readonly sections: readonly IniSection[];
  readonly defaults: IniSection | undefined;
}

/** Python configparser's section header pattern (3.8), matched at the start of the stripped line. */
const SECTION_HEADER = /^\[([^\]]+)\]/;

interface MutableEntry {
  line: number;
  key: string;
  parts: string[];
  continuationLines: number[];
}

interface MutableSection {
  line: number;
  header: string;
  entries: MutableEntry[];
  keys: Map<string, number>;
}

/** Lexer state, mirroring the variables of Python's `RawConfigParser._read`. */
class LexState {
  readonly sections: MutableSection[] = [];
  defaults: MutableSection | undefined;
  readonly headers = new Map<string, number>();
  cursect: MutableSection | undefined;
  curEntry: MutableEntry | undefined;
  indentLevel = 0;
  reportedNoSection = false;

  constructor(
    readonly file: string,
    readonly issues: IssueCollector,
  ) {}
}

/**
 * Splits `text` into sections and options exactly as Duo's reader would (see module comment).
 * Problems (no section header, unparseable lines, duplicate sections or keys) are added to
 * `issues` with their line numbers; the lexer itself never throws.
 */
export function lexIni(text: string, file: string, issues: IssueCollector): IniDocument {
  const st = new LexState(file, issues);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split(/\r\n|\r|\n/);
  lines.forEach((line, i) => lexLine(st, line, i + 1));
  return {
    file,
    sections: st.sections.map((s) => freezeSection(file, s)),
    defaults: st.defaults && freezeSection(file, st.defaults),
  };
}

function lexLine(st: LexState, line: string, lineno: number): void {
  const stripped = pyStrip(line);
  const isComment = stripped.startsWith(';') || stripped.startsWith('#');
  if (isComment || stripped === '') {
    // A blank line (not a comment) inside a value is kept: empty_lines_in_values=True.
    if (!isComment && st.cursect && st.curEntry) st.curEntry.parts.push('');
    return;
  }
  const indent = firstNonSpace(line);
  if (st.cursect && st.curEntry && indent > st.indentLevel) {
    st.curEntry.parts.push(stripped);
    st.curEntry.continuationLines.push(lineno);
    return;
  }
  st.indentLevel = indent;
  const header = SECTION_HEADER.exec(stripped);
  if (header) startSection(st, header[1] ?? '', lineno);
  else if (!st.cursect) noSection(st, lineno);
  else addOption(st, st.cursect, stripped, lineno);
}

function startSection(st: LexState, header: string, lineno: number): void {
  const folded = header.toLowerCase();
  const first = st.headers.get(folded);
  const section: MutableSection = { line: lineno, header, entries: [], keys: new Map() };
  st.curEntry = undefined;
  st.cursect = section;
  if (first !== undefined) {
    // Duo checks for duplicate headers case-insensitively before parsing. The repeated section's
    // options are still lexed (for syntax errors) but then discarded.
    st.issues.add('error', lineno, undefined, undefined,
      `Configuration loaded from ${st.file} has duplicate sections: [${pyRepr(folded)}] (first defined on line ${first})`);
    return;
  }
  st.headers.set(folded, lineno);
  if (header === 'DEFAULT') st.defaults = section;
  else st.sections.push(section);
}

function noSection(st: LexState, lineno: number): void {
  if (st.reportedNoSection) return;
  st.reportedNoSection = true;
  st.issues.add('error', lineno, undefined, undefined,
    `Config loaded from ${st.file} has no sections. (an option appears before the first [section] header)`);
}

/**
 * Python's option pattern `(?P<option>.*?)\s*(?P<vi>=|:)\s*(?P<value>.*)$`: the first `=` or `:`
 * splits. The line's text is not echoed in the error: it may well be a secret missing its `=`.
 */
function addOption(st: LexState, sect: MutableSection, text: string, lineno: number): void {
  const eq = text.indexOf('=');
  const colon = text.indexOf(':');
  const at = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
  const key = at < 0 ? '' : pyRstrip(text.slice(0, at)).toLowerCase();
  if (at < 0 || key === '') {
    st.curEntry = undefined;
    const why = at < 0 ? 'a line that is not a [section] header, a "key = value" or "key: value" option, a comment or an indented continuation'
      : `an option without a name before '${text.charAt(at)}'`;
    st.issues.add('error', lineno, undefined, undefined, `Config is unparseable or contains bad comment: ${why}`);
    return;
  }
  const entry: MutableEntry = { line: lineno, key, parts: [pyStrip(text.slice(at + 1))], continuationLines: [] };
  st.curEntry = entry;
  const first = sect.keys.get(key);
  if (first !== undefined) {
    st.issues.add('error', lineno, sect.header, key,
      `Configuration has duplicated keys in the given section: option ${pyRepr(key)} in section ${pyRepr(sect.header)} already exists (first set on line ${first})`);
    return;
  }
  sect.keys.set(key, lineno);
  sect.entries.push(entry);
}

function freezeSection(file: string, s: MutableSection): IniSection {
  const entries = s.entries.map(
    (e): IniEntry => ({
      file,
      line: e.line,
      key: e.key,
      // configparser joins with '\n' and rstrips, dropping trailing blank lines.
      value: pyRstrip(e.parts.join('\n')),
      continuationLines: e.continuationLines,
    }),
  );
  return { file, line: s.line, header: s.header, entries };
}
