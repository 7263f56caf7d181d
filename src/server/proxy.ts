/**
 * The running proxy: primaries, Duo clients and one RADIUS listener per (interface, port), started
 * in order and closed in reverse (caddy's lifecycle: construct without I/O → start → serve → close;
 * close is safe after a partial start).
 */
import type { ServerSection } from '../config/types.js';
import type { PrimaryAuthenticator } from '../primary/types.js';
import { RadiusServer, type ServerSectionOptions } from '../radius/server.js';
import { AuthproxyError } from '../errors.js';
import { buildAll, type BuildContext, type BuiltSection } from './build.js';

/** What the proxy needs to run. */
export interface ProxyOptions extends BuildContext {
  /** Duplicate-cache lifetime (tests shorten it); default 30 s. */
  readonly duplicateTtlMs?: number;
}

/** One bound listener. */
export interface ListenerInfo {
  readonly address: string;
  readonly port: number;
  readonly sections: readonly string[];
}

/** The listener a server section belongs to. */
function listenerKey(s: ServerSection): string {
  return `${s.interface}|${s.port}`;
}

/** Groups server sections by (interface, port): one socket each (spec §5.3). */
export function groupListeners(servers: readonly ServerSection[]): Map<string, ServerSection[]> {
  const groups = new Map<string, ServerSection[]>();
  for (const s of servers) {
    const key = listenerKey(s);
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return groups;
}

/** The proxy process's moving parts. */
export class Proxy {
  private readonly primaries: Map<string, PrimaryAuthenticator>;
  private readonly sections: BuiltSection[];
  private readonly servers: RadiusServer[] = [];
  /** `interface|port` of each entry of `servers`. */
  private readonly serverKeys: string[] = [];
  private readonly started: PrimaryAuthenticator[] = [];

  /** Builds everything (no I/O); throws ConfigInvalidError for build-time config errors. */
  constructor(private readonly options: ProxyOptions) {
    const built = buildAll(options);
    this.primaries = built.primaries;
    this.sections = built.sections;
  }

  /** Starts backends, then binds every listener. On failure, closes what was started and rethrows. */
  async start(): Promise<ListenerInfo[]> {
    try {
      for (const p of this.primaries.values()) {
        await p.start();
        this.started.push(p);
      }
      const out: ListenerInfo[] = [];
      for (const group of groupListeners(this.options.config.servers).values()) {
        out.push(await this.listen(group));
      }
      return out;
    } catch (err) {
      await this.stop(0);
      throw err;
    }
  }

  private sectionOptions(group: readonly ServerSection[]): ServerSectionOptions[] {
    return group.map((s) => {
      const built = this.sections.find((b) => b.section === s)!;
      return {
        name: s.name,
        clients: s.clients.map((c) => ({ network: c.network, secret: c.secret })),
        handler: built.handler,
        requireMessageAuthenticator: s.requireMessageAuthenticator,
        limitProxyState: s.limitProxyState,
        pwCodec: s.pwCodec,
        ...(built.guard?.nas ? { admission: built.guard.nas } : {}),
      };
    });
  }

  private async listen(group: ServerSection[]): Promise<ListenerInfo> {
    const first = group[0]!;
    const server = new RadiusServer({
      address: first.interface,
      port: first.port,
      sections: this.sectionOptions(group),
      log: this.options.log,
      ...(this.options.duplicateTtlMs === undefined ? {} : { duplicateTtlMs: this.options.duplicateTtlMs }),
    });
    this.servers.push(server);
    this.serverKeys.push(listenerKey(first));
    const bound = await server.start();
    return { ...bound, sections: group.map((s) => s.name) };
  }

  /**
   * Reload: starts this (new) config's backends and takes over `previous`'s sockets, which must
   * listen on the same (interface, port) groups — new logins use the new sections at once, logins
   * in flight finish on the old handlers (their retransmissions are still absorbed), and the old
   * backends close when those are done. Throws AP_ERR_CONFIG_INVALID, and changes nothing, when
   * the listeners differ (a port or interface change needs a restart).
   */
  async takeOver(previous: Proxy): Promise<ListenerInfo[]> {
    const groups = groupListeners(this.options.config.servers);
    const wanted = [...groups.keys()].sort().join(' ');
    const have = [...previous.serverKeys].sort().join(' ');
    if (wanted !== have) {
      throw new AuthproxyError('AP_ERR_CONFIG_INVALID', `the listening interfaces/ports changed (${have || 'none'} → ${wanted || 'none'}): restart to apply`);
    }
    for (const p of this.primaries.values()) {
      await p.start();
      this.started.push(p);
    }
    const drained: Promise<void>[] = [];
    const out: ListenerInfo[] = [];
    for (const [key, group] of groups) {
      const i = previous.serverKeys.indexOf(key);
      const server = previous.servers[i]!;
      drained.push(server.reconfigure(this.sectionOptions(group)));
      this.servers.push(server);
      this.serverKeys.push(key);
      out.push({ ...server.address!, sections: group.map((s) => s.name) });
    }
    previous.servers.length = 0;
    previous.serverKeys.length = 0;
    void Promise.allSettled(drained).then(() => previous.stop(0));
    return out;
  }

  /** The built server sections (for metrics). */
  get builtSections(): readonly BuiltSection[] {
    return this.sections;
  }

  /** The RADIUS listeners (for stats and tests). */
  get listeners(): readonly RadiusServer[] {
    return this.servers;
  }

  /** Logins being processed right now, over all listeners. */
  get inflight(): number {
    return this.servers.reduce((n, s) => n + s.inflightCount, 0);
  }

  /**
   * Stops: listeners first (in-flight logins get up to `graceMs` to finish and are answered;
   * the rest are aborted and get no reply), then Duo clients and primaries, in reverse order.
   */
  async stop(graceMs: number): Promise<void> {
    await Promise.allSettled(this.servers.map((s) => s.close(graceMs)));
    await Promise.allSettled(this.sections.map((s) => s.duo.close()));
    for (const p of this.started.reverse()) await p.close().catch(() => undefined);
    this.started.length = 0;
  }
}
