/**
 * `authevents.log` records (spec §7.2): one JSON object per line, keys in Duo's order, formatted
 * like Python's `json.dumps` defaults (`", "` and `": "` separators, non-ASCII as `\uXXXX`,
 * absent values `null`), timestamp in UTC with microseconds and `Z` (no fraction when it is 0).
 */
import { hostname } from 'node:os';

/** Duo's auth stages. */
export type AuthStage = 'Primary authentication' | 'Secondary authentication' | 'Unknown';
/** Duo's auth-event statuses. */
export type AuthStatus = 'Allow' | 'Reject' | 'Error';

/** One auth event, before formatting. */
export interface AuthEvent {
  readonly msg: string;
  readonly username: string | null;
  readonly auth_stage: AuthStage;
  readonly status: AuthStatus;
  readonly client_ip: string | null;
  readonly server_section: string;
  readonly server_section_ikey: string;
  readonly factor: string | null;
}

/** Where auth events go (the file writer, a memory list in tests, or nowhere). */
export interface AuthEventSink {
  write(event: AuthEvent): void;
}

/** Discards events (`log_auth_events=false`). */
export const nullAuthEvents: AuthEventSink = { write: () => undefined };

/** Keeps events in memory (tests). */
export class MemoryAuthEvents implements AuthEventSink {
  readonly events: AuthEvent[] = [];
  write(event: AuthEvent): void {
    this.events.push(event);
  }
}

/** Python `json.dumps` of a string with `ensure_ascii=True`. */
export function pyJsonString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => (c === '\u007f' ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** `2020-06-01T14:22:57.123000Z`, or without fraction when it is exactly zero. */
export function eventTimestamp(d: Date): string {
  const iso = d.toISOString(); // 2020-06-01T14:22:57.123Z
  const ms = d.getUTCMilliseconds();
  return ms === 0 ? `${iso.slice(0, 19)}Z` : `${iso.slice(0, 19)}.${String(ms).padStart(3, '0')}000Z`;
}

const KEYS = ['msg', 'username', 'auth_stage', 'status', 'client_ip', 'server_section', 'server_section_ikey', 'factor'] as const;

/** Formats one event as Duo's JSON line (without newline). */
export function formatAuthEvent(event: AuthEvent, at: Date, host: string = hostname()): string {
  const parts = [`"timestamp": ${pyJsonString(eventTimestamp(at))}`];
  for (const k of KEYS) {
    const v = event[k];
    parts.push(`${pyJsonString(k)}: ${v === null ? 'null' : pyJsonString(v)}`);
  }
  parts.push(`"hostname": ${pyJsonString(host)}`);
  return `{${parts.join(', ')}}`;
}
