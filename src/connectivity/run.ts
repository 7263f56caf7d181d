/**
 * The connectivity tool (spec §8.2, full mode): every section's checks run concurrently, the
 * report is printed in file order (`Testing section '<name>' with configuration:` + masked
 * configuration + `[info]  …`/`[warn]  …`/`[error] …` lines + separator, then `SUMMARY`), and
 * the same lines, timestamped, are appended to `<log_dir>/connectivity_tool.log` (rotated like
 * the other logs). Config-validation findings of a section are listed first, as warnings.
 * Every line passes through the secret scrubber before it is printed or logged.
 */
import { formatIssue, type ConfigIssue } from '../config/issues.js';
import { configSecrets, dumpConfig } from '../config/dump.js';
import type { ClientSection, Config, ServerSection } from '../config/types.js';
import { formatLogTimestamp, scrubSecrets } from '../log/logger.js';
import { openRotatingLog, resolveLogDir } from '../log/sinks.js';
import { checkAdClient } from './check-ad.js';
import { checkCaBundle, checkHttpProxy } from './check-main.js';
import { checkRadiusClient } from './check-radius.js';
import { checkServerSection } from './check-server.js';
import { info, isClean, renderReport, warn, type CheckLine, type SectionReport } from './report.js';

/** The first line of a full run (Duo's words). */
export const BANNER = 'Running The Duo Authentication Proxy Connectivity Tool. This may take several minutes...';

/** Options of {@link runConnectivity}. */
export interface ConnectivityOptions {
  /** Relative paths (conf/, log/) resolve against it. */
  readonly installDir: string;
  /** Pid of the running proxy (its UDP ports are in use by design). */
  readonly runningPid?: number | undefined;
  /** Receives each output line. */
  readonly out: (line: string) => void;
  /** Append to `<log_dir>/connectivity_tool.log` (default true). */
  readonly logFile?: boolean;
}

/** What a run found. */
export interface ConnectivityResult {
  /** 0 when every check passed, 1 otherwise. */
  readonly exitCode: 0 | 1;
  readonly reports: readonly SectionReport[];
  /** The log file written, if any. */
  readonly logPath: string | undefined;
}

type AnySection = ClientSection | ServerSection;

/** Runs every check and prints the report. Never throws for an unreachable peer. */
export async function runConnectivity(config: Config, opts: ConnectivityOptions): Promise<ConnectivityResult> {
  const secrets = new Set(configSecrets(config));
  const lines: string[] = [];
  const emit = (line: string): void => {
    const safe = scrubSecrets(line, secrets);
    lines.push(safe);
    opts.out(safe);
  };
  emit(BANNER);
  const dumps = dumpsByName(config);
  const sections: AnySection[] = [...config.clients, ...config.servers].sort((a, b) => a.line - b.line);
  const reports = await Promise.all([
    mainReport(config, opts, dumps.get('main') ?? '{}'),
    ...sections.map((s) => sectionReport(s, config, opts, dumps.get(s.name) ?? '{}')),
  ]);
  for (const line of renderReport(reports)) emit(line);
  const logPath = opts.logFile === false ? undefined : writeLog(config, opts.installDir, lines, emit);
  return { exitCode: isClean(reports) ? 0 : 1, reports, logPath };
}

async function mainReport(config: Config, opts: ConnectivityOptions, dump: string): Promise<SectionReport> {
  const lines = [...warningsOf(config, undefined, 'main'), checkCaBundle(config.main, opts.installDir), ...(await checkHttpProxy(config.main))];
  return { name: 'main', dump, lines };
}

async function sectionReport(section: AnySection, config: Config, opts: ConnectivityOptions, dump: string): Promise<SectionReport> {
  const lines = [...warningsOf(config, section.header, section.name), ...(await sectionChecks(section, config, opts))];
  return { name: section.header, dump, lines };
}

function sectionChecks(section: AnySection, config: Config, opts: ConnectivityOptions): Promise<CheckLine[]> {
  switch (section.type) {
    case 'ad_client':
      return checkAdClient(section, opts.installDir);
    case 'radius_client':
      return checkRadiusClient(section);
    case 'duo_only_client':
      return Promise.resolve([info('A [duo_only_client] section does no primary authentication: nothing to connect to.')]);
    default:
      return checkServerSection(section, { config, installDir: opts.installDir, runningPid: opts.runningPid });
  }
}

/** The validator's findings for one section (`undefined` header = file-level and `[main]`). */
function warningsOf(config: Config, header: string | undefined, name: string): CheckLine[] {
  const mine = (i: ConfigIssue): boolean =>
    header === undefined ? i.section === undefined || i.section.toLowerCase() === 'main' : i.section?.toLowerCase() === name;
  return config.warnings.filter(mine).map((i) => warn(`Configuration: ${formatIssue(i)}`));
}

/** Section name → the masked configuration dict of dumpConfig's line for it. */
function dumpsByName(config: Config): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of dumpConfig(config)) {
    const m = /\[([^\]]+)\] (\{.*)$/s.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

function writeLog(config: Config, installDir: string, lines: readonly string[], emit: (line: string) => void): string | undefined {
  const logDir = resolveLogDir(config.main, installDir);
  let file;
  try {
    file = openRotatingLog(config.main, logDir, 'connectivity_tool.log');
  } catch (err) {
    emit(`The results could not be logged in ${logDir}/connectivity_tool.log (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    return undefined;
  }
  emit(`The results have also been logged in ${file.path}`);
  const stamp = formatLogTimestamp(new Date());
  for (const line of lines) file.write(`${stamp} ${line}\n`);
  void file.close();
  return file.path;
}
