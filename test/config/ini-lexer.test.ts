import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lexIni, type IniDocument } from '../../src/config/ini-lexer.js';
import { formatIssue, IssueCollector } from '../../src/config/issues.js';

function lex(text: string): { doc: IniDocument; issues: string[] } {
  const sink = new IssueCollector('t.cfg');
  const doc = lexIni(text, 't.cfg', sink);
  return { doc, issues: sink.issues.map(formatIssue) };
}

/** The options of the first section as key → value. */
function opts(text: string): Record<string, string> {
  const { doc, issues } = lex(text);
  expect(issues).toEqual([]);
  return Object.fromEntries((doc.sections[0]?.entries ?? []).map((e) => [e.key, e.value]));
}

describe("INI dialect (Python configparser as Duo uses it, spec §1.2)", () => {
  it('splits at the first "=" or ":", whichever comes first; the rest belongs to the value', () => {
    expect(opts('[s]\nsecret=a=b:c\nkey: v=1\na:b=c\nx = : y')).toEqual({ secret: 'a=b:c', key: 'v=1', a: 'b=c', x: ': y' });
  });

  it('has no inline comments: ";" and "#" inside a value are kept', () => {
    expect(opts('[s]\nport=1812 ; main\nsecret=a;b#c')).toEqual({ port: '1812 ; main', secret: 'a;b#c' });
  });

  it('treats lines starting with ";" or "#" as comments, even when indented', () => {
    expect(opts('; top\n[s]\n# one\n   ; two\nk=v\n  # indented comment is not a continuation\n\t; nor this')).toEqual({ k: 'v' });
  });

  it('appends indented lines to the previous value with "\\n", keeping blank lines inside values', () => {
    const { doc } = lex('[s]\nhost=10.0.0.1\n  port=1812\n\n   more\nnext=1\n');
    const [host, next] = doc.sections[0]?.entries ?? [];
    expect(host).toMatchObject({ key: 'host', value: '10.0.0.1\nport=1812\n\nmore', line: 2, continuationLines: [3, 5] });
    expect(next).toMatchObject({ key: 'next', value: '1', line: 6 });
  });

  it('drops trailing blank lines of a value (configparser rstrips the joined value)', () => {
    expect(opts('[s]\nk=v\n\n\n')).toEqual({ k: 'v' });
  });

  it('keeps quotes, keeps empty values, strips blanks around keys and values', () => {
    expect(opts('[s]\nradius_secret_1="abc"\nikey=\nspaced   =   v v   ')).toEqual({ radius_secret_1: '"abc"', ikey: '', spaced: 'v v' });
    expect(opts('  [s]\n  k = v\n  j = w')).toEqual({ k: 'v', j: 'w' });
  });

  it('lower-cases keys but keeps the section header as written', () => {
    const { doc } = lex('[RADIUS_Server_Auto]\nIKEY=x');
    expect(doc.sections[0]).toMatchObject({ header: 'RADIUS_Server_Auto', line: 1 });
    expect(doc.sections[0]?.entries[0]).toMatchObject({ key: 'ikey', value: 'x', file: 't.cfg', line: 2 });
  });

  it('ignores text after the closing bracket of a header', () => {
    expect(lex('[main] ; the main section\nk=v').doc.sections[0]?.header).toBe('main');
  });

  it('strips Python whitespace (U+00A0, U+3000) but not a BOM inside a value', () => {
    expect(opts('[s]\nk=\u00a0v\u3000\nb=x\ufeff')).toEqual({ k: 'v', b: 'x\ufeff' });
  });

  it('reads LF, CRLF, CR and mixed line endings alike', () => {
    const want = { a: '1', b: '2', c: '3' };
    expect(opts('[s]\na=1\nb=2\nc=3')).toEqual(want);
    expect(opts('[s]\r\na=1\r\nb=2\r\nc=3\r\n')).toEqual(want);
    expect(opts('[s]\r\na=1\nb=2\r\nc=3\r')).toEqual(want);
    expect(lex('[s]\r\na=1\nb=2\r\nc=3').doc.sections[0]?.entries.map((e) => e.line)).toEqual([2, 3, 4]);
  });

  it('accepts and strips a UTF-8 BOM (Duo would fail with "has no sections")', () => {
    const { doc, issues } = lex('\ufeff[main]\ndebug=true');
    expect(issues).toEqual([]);
    expect(doc.sections[0]?.header).toBe('main');
  });

  it('keeps [DEFAULT] apart; lower-case [default] is an ordinary section', () => {
    const upper = lex('[DEFAULT]\nport=1\n[s]\nx=1').doc;
    expect(upper.defaults?.entries.map((e) => e.key)).toEqual(['port']);
    expect(upper.sections.map((s) => s.header)).toEqual(['s']);
    const lower = lex('[default]\nx=1').doc;
    expect([lower.defaults, lower.sections.map((s) => s.header)]).toEqual([undefined, ['default']]);
    // Duo's duplicate check is case-insensitive, so both spellings in one file collide.
    expect(lex('[DEFAULT]\n[default]').issues).toHaveLength(1);
  });

  it('keeps byte-exact secrets with every special character', () => {
    expect(opts('[s]\nradius_secret_1 = s;e#c=r:e%t$(x)\\n "q"')).toEqual({ radius_secret_1: 's;e#c=r:e%t$(x)\\n "q"' });
  });
});

describe('INI errors (reported with their line, lexing goes on)', () => {
  it('reports an option before any header once, with Duo\'s text', () => {
    expect(lex('k=v\nx=y\n[s]\na=b').issues).toEqual([
      't.cfg:1: Config loaded from t.cfg has no sections. (an option appears before the first [section] header)',
    ]);
  });

  it('reports lines without a separator or without a key, never echoing them', () => {
    const { issues } = lex('[s]\nmy-secret-without-equals\n=value\nok=1');
    expect(issues).toEqual([
      't.cfg:2: Config is unparseable or contains bad comment: a line that is not a [section] header, a "key = value" or "key: value" option, a comment or an indented continuation',
      "t.cfg:3: Config is unparseable or contains bad comment: an option without a name before '='",
    ]);
    expect(issues.join('\n')).not.toContain('my-secret');
  });

  it('reports duplicate keys case-insensitively and keeps the first value', () => {
    const { doc, issues } = lex('[s]\nport=1\nPORT=2\n');
    expect(issues).toEqual([
      "t.cfg:3: [s] option 'port': Configuration has duplicated keys in the given section: option 'port' in section 's' already exists (first set on line 2)",
    ]);
    expect(doc.sections[0]?.entries.map((e) => e.value)).toEqual(['1']);
  });

  it('reports duplicate sections case-insensitively and drops the repeated one', () => {
    const { doc, issues } = lex('[radius_server_auto]\na=1\n[RADIUS_SERVER_AUTO]\na=2\n');
    expect(issues).toEqual([
      "t.cfg:3: Configuration loaded from t.cfg has duplicate sections: ['radius_server_auto'] (first defined on line 1)",
    ]);
    expect(doc.sections).toHaveLength(1);
  });
});

describe('lexer properties', () => {
  it('never throws, whatever the text', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.array(fc.constantFrom('[s]', '[DEFAULT]', 'k=v', 'k:v', ' x', '\t=', ';c', '#', '', '\r', '[', ']', 'a=b;c', '\ufeff'), { maxLength: 30 })
        .map((parts) => parts.join('\n')),
    );
    fc.assert(fc.property(text, (t) => {
      const { doc } = lex(t);
      for (const s of doc.sections) for (const e of s.entries) expect(e.line).toBeGreaterThan(0);
    }), { numRuns: 400 });
  });

  // npm `ini` agrees with Duo on plain `key=value` lines (no ; # quotes backslashes or
  // true/false/null values, no ':' in keys): there both must give the same result.
  it('agrees with npm ini on the subset of the dialect where ini is right', () => {
    const ini = createRequire(import.meta.url)('ini') as { parse(text: string): Record<string, Record<string, unknown>> };
    const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/);
    const value = fc.stringMatching(/^[A-Za-z0-9_.,/@=:+-]([A-Za-z0-9_.,/@=:+ -]{0,20}[A-Za-z0-9_.,/@=:+-])?$/)
      .filter((v) => !['true', 'false', 'null'].includes(v));
    const section = fc.tuple(name, fc.uniqueArray(fc.tuple(name, value), { selector: (kv) => kv[0], minLength: 1, maxLength: 6 }));
    fc.assert(fc.property(fc.uniqueArray(section, { selector: (s) => s[0], minLength: 1, maxLength: 4 }), (sections) => {
      const text = sections.map(([s, kvs]) => `[${s}]\n${kvs.map(([k, v]) => `${k}=${v}`).join('\n')}`).join('\n\n');
      const ours = lex(text).doc.sections.map((s) => [s.header, Object.fromEntries(s.entries.map((e) => [e.key, e.value]))]);
      expect(Object.fromEntries(ours)).toEqual(JSON.parse(JSON.stringify(ini.parse(text))));
    }), { numRuns: 200 });
  });
});
