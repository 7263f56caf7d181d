/**
 * Loads authproxy.cfg: read → lex (ini-lexer.ts) → read every section against its option table →
 * numbered keys, client resolution and `[main]` push-downs → cross-checks. Every problem of the
 * file is collected; with at least one error a single `ConfigInvalidError`
 * (`AP_ERR_CONFIG_INVALID`) lists them all, otherwise a deep-frozen {@link Config} is returned
 * with the warnings in `config.warnings`. Validation is pure: no sockets, no clocks, no globals.
 */
import { readFile } from 'node:fs/promises';
import { AuthproxyError } from '../errors.js';
import { buildClient, buildMain, buildServer, type MainOverrides } from './build-sections.js';
import { checkAdClient, checkMain, checkOverlaps, checkServer } from './checks.js';
import { deepFreeze } from './freeze.js';
import { lexIni, type IniDocument, type IniSection } from './ini-lexer.js';
import { ConfigInvalidError, IssueCollector, sortIssues } from './issues.js';
import { resolveClient, type NamedValue, type ResolutionContext } from './resolve-client.js';
import { SectionReader } from './section-reader.js';
import {
  isClientType, isServerType, moduleType, SECTION_SPECS, UNSUPPORTED_TYPES, type ClientType, type SectionType,
  type ServerType,
} from './sections/registry.js';
import type { ClientSection, Config, ServerSection } from './types.js';

/**
 * Reads and validates the config file at `path` (relative to the working directory; messages
 * name it exactly as given). Throws `AuthproxyError` `AP_ERR_CONFIG_UNREADABLE`
 * (`Config file missing or unreadable: <path>`) or {@link ConfigInvalidError}.
 */
export async function loadConfig(path: string): Promise<Config> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new AuthproxyError('AP_ERR_CONFIG_UNREADABLE', `Config file missing or unreadable: ${path}`, { cause: err });
  }
  return parseConfig(decodeUtf8(bytes, path), path);
}

/** Validates config text; `file` is the name used in messages. Throws {@link ConfigInvalidError}. */
export function parseConfig(text: string, file: string): Config {
  const issues = new IssueCollector(file);
  const doc = lexIni(text, file, issues);
  const sorted = classifySections(doc, issues);
  const mainSection = sorted.main;
  const mainReader = new SectionReader(
    mainSection ?? { file, line: 0, header: 'main', entries: [] },
    mainSection ? doc.defaults : undefined,
    SECTION_SPECS.main,
    issues.at(mainSection?.header ?? 'main'),
  );
  const main = buildMain(mainReader, mainSection !== undefined);
  const overrides: MainOverrides = { debug: main.debug, interface: main.interface };
  const readers: SectionReader[] = [mainReader];
  const reader = (s: IniSection, type: SectionType): SectionReader => {
    const r = new SectionReader(s, doc.defaults, SECTION_SPECS[type], issues.at(s.header));
    readers.push(r);
    return r;
  };
  const clients: ClientSection[] = sorted.clients.map(([s, type]) => {
    const r = reader(s, type);
    const c = buildClient(type, r, overrides);
    if (c.type === 'ad_client') checkAdClient(r, c);
    return c;
  });
  const ctx = resolutionContext(mainReader, clients);
  checkMain(mainReader, main, doc.sections.map((s) => s.header.toLowerCase()));
  const built = sorted.servers.map(([s, type]): [SectionReader, ServerSection] => {
    const r = reader(s, type);
    const own = named(r.take('client'));
    const client = resolveClient({ name: r.name, type, line: r.line, ownClient: own }, ctx, r.issues);
    const server = buildServer(type, r, overrides, client);
    checkServer(r, server);
    return [r, server];
  });
  checkOverlaps(built);
  const servers = built.map(([, server]) => server);
  for (const r of readers) r.reportUnknownKeys();
  if (issues.hasErrors()) throw new ConfigInvalidError(issues.issues);
  return deepFreeze({ path: file, main, servers, clients, warnings: sortIssues(issues.issues) });
}

interface SortedSections {
  main: IniSection | undefined;
  clients: [IniSection, ClientType][];
  servers: [IniSection, ServerType][];
}

/** Duo's module type of each section (spec §1.3); reports invalid and unsupported modules. */
function classifySections(doc: IniDocument, issues: IssueCollector): SortedSections {
  const out: SortedSections = { main: undefined, clients: [], servers: [] };
  for (const s of doc.sections) {
    const name = s.header.toLowerCase();
    const type = moduleType(name);
    if (name === 'main') out.main = s;
    else if (isClientType(type)) out.clients.push([s, type]);
    else if (isServerType(type)) out.servers.push([s, type]);
    else if (UNSUPPORTED_TYPES.includes(type)) {
      issues.at(s.header).error(s.line, undefined, `Module '${type}' is not supported by this proxy`);
    } else issues.at(s.header).error(s.line, undefined, `Invalid module: '${name}'`);
  }
  const noSectionsYet = issues.issues.some((i) => i.message.includes('has no sections.'));
  if (doc.sections.length === 0 && !noSectionsYet) {
    issues.add('error', undefined, undefined, undefined, `Config loaded from ${doc.file} has no sections.`);
  } else if (doc.sections.length > 0 && doc.sections.every((s) => s.header.toLowerCase() === 'main')) {
    issues.add('error', undefined, undefined, undefined, 'No integrations in config file.');
  }
  return out;
}

function resolutionContext(mainReader: SectionReader, clients: readonly ClientSection[]): ResolutionContext {
  const mainName = (key: string): NamedValue | undefined => {
    const v = mainReader.get(key);
    return typeof v === 'string' ? { value: v, line: mainReader.lineOf(key) } : undefined;
  };
  return {
    mainClient: mainName('client'),
    mainServer: mainName('server'),
    clientSections: new Set(clients.map((c) => c.name)),
  };
}

function named(entry: { value: string; line: number } | undefined): NamedValue | undefined {
  return entry && { value: entry.value.toLowerCase(), line: entry.line };
}

/**
 * Decodes the file as UTF-8 (Duo reads it in the platform encoding, UTF-8 on Linux). Invalid
 * bytes are a config error naming the first line that holds one.
 */
function decodeUtf8(bytes: Buffer, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const lossy = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    const line = lossy.slice(0, Math.max(0, lossy.indexOf('\ufffd'))).split(/\r\n|\r|\n/).length;
    const issues = new IssueCollector(file);
    issues.add('error', line, undefined, undefined, 'Config is unparseable or contains bad comment: the file is not valid UTF-8 text');
    throw new ConfigInvalidError(issues.issues);
  }
}
