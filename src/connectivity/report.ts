/**
 * The connectivity tool's output (spec §8.2): per section a header, the section's effective
 * configuration with secrets masked, one `[<level>] <text>` line per check (the level padded to
 * 7 characters plus a space: `[info]  …`, `[warn]  …`, `[error] …`), a separator; then `SUMMARY`.
 */

/** How a check came out: `error` is a problem, `warn` a doubt, `info` a pass. */
export type CheckLevel = 'info' | 'warn' | 'error';

/** One check's verdict, already in words (with the fix when it failed). */
export interface CheckLine {
  readonly level: CheckLevel;
  readonly text: string;
}

/** Everything found for one section. */
export interface SectionReport {
  /** The section header as written (`radius_server_auto`, `main`). */
  readonly name: string;
  /** The masked configuration dict (as logged at start-up). */
  readonly dump: string;
  readonly lines: readonly CheckLine[];
}

/** The line between sections. */
export const SEPARATOR = '-----------------------------';

/** `[info]  text`, `[warn]  text`, `[error] text`. */
export function formatCheckLine(line: CheckLine): string {
  return `${`[${line.level}]`.padEnd(7)} ${line.text}`;
}

/** Shorthands for building check lines. */
export const info = (text: string): CheckLine => ({ level: 'info', text });
/** A doubt (counts as an issue, listed under warnings in the summary). */
export const warn = (text: string): CheckLine => ({ level: 'warn', text });
/** A problem. */
export const error = (text: string): CheckLine => ({ level: 'error', text });

/** True when a report holds no warning and no error. */
export function isClean(reports: readonly SectionReport[]): boolean {
  return reports.every((r) => r.lines.every((l) => l.level === 'info'));
}

/** Renders the section blocks and the summary as output lines. */
export function renderReport(reports: readonly SectionReport[]): string[] {
  const out: string[] = [];
  for (const r of reports) {
    out.push(`Testing section '${r.name}' with configuration:`, r.dump);
    for (const l of r.lines) out.push(formatCheckLine(l));
    out.push(SEPARATOR);
  }
  out.push('SUMMARY');
  if (isClean(reports)) {
    out.push('No issues detected');
    return out;
  }
  for (const r of reports) {
    const bad = r.lines.filter((l) => l.level !== 'info');
    if (bad.length === 0) continue;
    const errors = bad.filter((l) => l.level === 'error').length;
    out.push(`Section '${r.name}': ${errors} ${errors === 1 ? 'problem' : 'problems'}, ${bad.length - errors} ${bad.length - errors === 1 ? 'warning' : 'warnings'}`);
    for (const l of bad) out.push(formatCheckLine(l));
  }
  return out;
}
