/**
 * Configuration problems: one structured record per finding, formatted as
 * `<file>:<line>: [<section>] option '<key>': <text>` (or shorter forms without option/section/line).
 * Loading collects every issue and reports all of them at once.
 */
import { AuthproxyError } from '../errors.js';

/** `error` stops the proxy from starting; `warning` is reported and start-up continues. */
export type IssueSeverity = 'error' | 'warning';

/** One finding of the loader or validator. */
export interface ConfigIssue {
  readonly severity: IssueSeverity;
  /** The config file as given on the command line. */
  readonly file: string;
  /** 1-based line; undefined for whole-file findings such as an empty file. */
  readonly line: number | undefined;
  /** Section header as written (without brackets); undefined for file-level findings. */
  readonly section: string | undefined;
  /** The Duo option key (lower-cased) the finding is about, if any. */
  readonly option: string | undefined;
  /** The text body, e.g. `Missing required configuration item: 'search_dn'`. */
  readonly message: string;
}

/** Renders an issue as one line (see the module comment for the shapes). */
export function formatIssue(issue: ConfigIssue): string {
  let prefix = issue.line === undefined ? `${issue.file}:` : `${issue.file}:${issue.line}:`;
  if (issue.section !== undefined) prefix += ` [${issue.section}]`;
  if (issue.option !== undefined) prefix += ` option '${issue.option}':`;
  return `${prefix} ${issue.message}`;
}

/** Orders issues by line (file-level findings without a line first), keeping insertion order. */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return issues
    .map((issue, i) => ({ issue, i }))
    .sort((a, b) => (a.issue.line ?? 0) - (b.issue.line ?? 0) || a.i - b.i)
    .map((x) => x.issue);
}

/**
 * Thrown by the loader when the file has at least one error: code `AP_ERR_CONFIG_INVALID`, the
 * message lists every error (one per line), and `issues` holds every error and warning, sorted.
 */
export class ConfigInvalidError extends AuthproxyError {
  /** Every finding (errors and warnings), in line order. */
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const sorted = sortIssues(issues);
    const errors = sorted.filter((i) => i.severity === 'error').map(formatIssue);
    super('AP_ERR_CONFIG_INVALID', errors.join('\n'));
    this.issues = Object.freeze(sorted.map((i) => Object.freeze({ ...i })));
  }
}

/** Collects issues for one file; `at()` gives a writer bound to one section. */
export class IssueCollector {
  readonly issues: ConfigIssue[] = [];

  constructor(readonly file: string) {}

  /** Records a finding. */
  add(severity: IssueSeverity, line: number | undefined, section: string | undefined,
    option: string | undefined, message: string): void {
    this.issues.push({ severity, file: this.file, line, section, option, message });
  }

  /** A writer for findings inside `section` (header as written). */
  at(section: string): SectionIssues {
    return new SectionIssues(this, section);
  }

  /** True when at least one error was recorded. */
  hasErrors(): boolean {
    return this.issues.some((i) => i.severity === 'error');
  }
}

/** Writes findings for one section. */
export class SectionIssues {
  constructor(
    private readonly sink: IssueCollector,
    readonly section: string,
  ) {}

  /** An error about `option` (or about the section when `option` is undefined). */
  error(line: number | undefined, option: string | undefined, message: string): void {
    this.sink.add('error', line, this.section, option, message);
  }

  /** A warning about `option` (or about the section when `option` is undefined). */
  warn(line: number | undefined, option: string | undefined, message: string): void {
    this.sink.add('warning', line, this.section, option, message);
  }
}
