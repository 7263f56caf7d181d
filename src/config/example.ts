/**
 * Renders conf/authproxy.cfg.example from the option tables: every supported option of every
 * supported section, commented out at its default, with its one-line doc. test/config keeps the
 * committed file equal to this output. To regenerate after changing a table:
 *   npm run build && node -e "import('./dist/src/config/example.js').then((m) => process.stdout.write(m.renderExampleConfig()))" > conf/authproxy.cfg.example
 */
import type { OptionSpec, SectionSpec } from './schema.js';
import { SECTION_SPECS } from './sections/registry.js';

const RULE = `; ${'-'.repeat(94)}`;

const PREAMBLE = [
  '; authproxy.cfg reference: every option of every section this proxy supports, commented out',
  '; at its default. Generated from src/config/sections/*.ts; do not edit by hand.',
  ';',
  "; Syntax (Duo's): `key = value` or `key: value`; the first '=' or ':' splits, the rest belongs",
  "; to the value. Comments are whole lines starting with ';' or '#'; there are NO inline comments",
  "; (`port=1812 ; x` is an invalid port). Quotes are kept as part of the value. An indented line",
  '; continues the previous value, so never indent options. Keys are case-insensitive; duplicate',
  '; keys or sections are errors. Numbered keys: radius_ip_N/radius_secret_N take any numbers;',
  '; [ad_client] host_N are tried in numeric order; [radius_client] host_1, host_2, … and',
  '; exempt_username_1, _2, … must be contiguous. Section names may end in digits to repeat a',
  '; section type ([radius_server_auto2]). *_protected keys (Windows DPAPI) are ignored here.',
  "; Options marked 'authproxy extension' are ours, not Duo's; their defaults keep Duo's behaviour.",
  ';',
  '; Ready-to-edit examples: conf/examples/*.cfg. Check a file with: authproxyctl check --config FILE',
];

/** The text of conf/authproxy.cfg.example. */
export function renderExampleConfig(): string {
  const out = [...PREAMBLE];
  for (const spec of Object.values(SECTION_SPECS)) out.push('', ...renderSection(spec));
  return `${out.join('\n')}\n`;
}

function renderSection(spec: SectionSpec): string[] {
  const out = [RULE, `; [${spec.type}]: ${spec.doc}`, RULE, `;[${spec.type}]`];
  for (const opt of spec.options) out.push(`; ${describe(opt)}`, `;${exampleKey(opt)}=${exampleValue(opt)}`);
  return out;
}

/** `radius_ip_N` → `radius_ip_1` (the example of a numbered key). */
export function exampleKey(opt: OptionSpec): string {
  return opt.numbered ? opt.key.replace(/_N$/, '_1') : opt.key;
}

function exampleValue(opt: OptionSpec): string {
  const d = typeof opt.default === 'function' ? opt.default(() => undefined) : opt.default;
  const v = d ?? opt.example ?? '';
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}

function describe(opt: OptionSpec): string {
  let text = opt.doc;
  if (opt.required) text += ' Required.';
  if (opt.default === undefined && opt.defaultDoc) text += ` Default: ${opt.defaultDoc}.`;
  if (opt.extension) text += ' (authproxy extension)';
  return text;
}
