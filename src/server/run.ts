/**
 * Running the proxy in this process (what `authproxyctl start` daemonises and `run` runs
 * directly): load the config, set up logs, log the effective configuration with secrets masked,
 * start every listener, and log `Init Complete`; reload on request. Start-up errors are thrown
 * (the CLI prints them on stderr and exits with a documented code); nothing here calls process.exit.
 */
import { loadConfig } from '../config/load.js';
import { configSecrets, dumpConfig } from '../config/dump.js';
import { formatIssue, ConfigInvalidError } from '../config/issues.js';
import type { Config, MainConfig } from '../config/types.js';
import { createLogger, type LogCore, type Logger } from '../log/logger.js';
import { createLogSinks, type LogSinks } from '../log/sinks.js';
import { CountingAuthEvents, MetricsServer } from './metrics.js';
import { Proxy, type ListenerInfo, type ProxyOptions } from './proxy.js';
import { VERSION } from './version.js';

/** How to run. */
export interface RunOptions {
  readonly configPath: string;
  readonly installDir: string;
  readonly primaryOnly?: boolean;
  readonly duplicateTtlMs?: number;
}

/** What a reload did. */
export type ReloadResult = { readonly ok: true } | { readonly ok: false; readonly errors: readonly string[] };

/** A started proxy. */
export interface RunningProxy {
  /** The configuration in force (changes on a successful reload). */
  readonly config: Config;
  readonly proxy: Proxy;
  readonly listeners: readonly ListenerInfo[];
  readonly log: Logger;
  /**
   * Re-reads the config file and swaps it in without dropping a login in flight (SIGHUP,
   * `authproxyctl reload`). On any error the running configuration stays in force.
   */
  reload(): Promise<ReloadResult>;
  /** Graceful stop: listeners close, in-flight logins get `graceMs` to be answered. */
  stop(graceMs?: number): Promise<void>;
}

/** `[main]` settings a reload cannot change (sinks and the metrics socket are opened once). */
const RESTART_ONLY: ReadonlyArray<keyof MainConfig> = [
  'logDir', 'logMaxSize', 'logMaxFiles', 'logFile', 'logStdout', 'logSyslog', 'syslogFacility', 'logAuthEvents', 'metricsPort', 'metricsInterface',
];

class Runtime implements RunningProxy {
  listeners: readonly ListenerInfo[] = [];
  private metrics: MetricsServer | undefined;
  private reloading: Promise<ReloadResult> | undefined;

  constructor(
    public config: Config,
    public proxy: Proxy,
    readonly log: Logger,
    private readonly core: LogCore,
    private readonly sinks: LogSinks,
    private readonly events: CountingAuthEvents | undefined,
    private readonly opts: RunOptions,
  ) {}

  async start(): Promise<void> {
    try {
      this.listeners = await this.proxy.start();
    } catch (err) {
      this.log.error('Failed to start listeners', err);
      await this.sinks.close();
      throw err;
    }
    for (const l of this.listeners) this.log.info(`Listening on ${l.address}:${l.port} for ${l.sections.join(', ')}`);
    if (this.events) await this.startMetrics(this.events);
    this.log.info(`Duo Security Authentication Proxy ${VERSION} - Init Complete`);
  }

  private async startMetrics(events: CountingAuthEvents): Promise<void> {
    const m = this.config.main;
    this.metrics = new MetricsServer(() => this.proxy, events);
    try {
      const port = await this.metrics.start(m.metricsInterface, m.metricsPort);
      this.log.info(`Metrics on http://${m.metricsInterface}:${port}/metrics`);
    } catch (err) {
      this.log.error('Failed to start the metrics endpoint', err);
      await this.proxy.stop(0);
      await this.sinks.close();
      throw err;
    }
  }

  reload(): Promise<ReloadResult> {
    // One reload at a time; a second request during one waits for it and reloads again.
    const run = (this.reloading ?? Promise.resolve()).then(() => this.reloadNow());
    this.reloading = run.finally(() => {
      if (this.reloading === run) this.reloading = undefined;
    }) as Promise<ReloadResult>;
    return run;
  }

  private async reloadNow(): Promise<ReloadResult> {
    this.log.info(`Reloading configuration from ${this.opts.configPath}`);
    let config: Config;
    try {
      config = await loadConfig(this.opts.configPath);
    } catch (err) {
      return this.reloadFailed(err instanceof ConfigInvalidError ? err.issues.filter((i) => i.severity === 'error').map(formatIssue) : [String((err as Error).message)]);
    }
    for (const key of RESTART_ONLY) {
      if (config.main[key] !== this.config.main[key]) this.log.warn(`Reload: [main] ${String(key)} changed; it takes effect at the next restart`);
    }
    for (const s of configSecrets(config)) this.core.secrets.add(s);
    let next: Proxy;
    try {
      const carryOver = new Map(this.proxy.builtSections.map((b) => [b.section.name, b] as const));
      next = new Proxy({ ...proxyOptions(config, this.opts, this.log, this.events ?? this.sinks.events), carryOver });
      this.listeners = await next.takeOver(this.proxy);
    } catch (err) {
      return this.reloadFailed([err instanceof ConfigInvalidError ? err.message : String((err as Error).message)]);
    }
    this.proxy = next;
    this.config = config;
    this.core.debug = config.main.debug;
    for (const w of config.warnings) this.log.warn(formatIssue(w));
    for (const line of dumpConfig(config)) this.log.info(line);
    this.log.info('Reload complete: new logins use the new configuration; logins in flight finish on the old one');
    return { ok: true };
  }

  private reloadFailed(errors: string[]): ReloadResult {
    for (const e of errors) this.log.error(`Reload failed, keeping the running configuration: ${e}`);
    return { ok: false, errors };
  }

  async stop(graceMs = 5000): Promise<void> {
    this.log.info('Stopping proxy');
    await this.reloading?.catch(() => undefined);
    await this.metrics?.close();
    await this.proxy.stop(graceMs);
    this.log.info('Proxy stopped');
    await this.sinks.close();
  }
}

function proxyOptions(config: Config, opts: RunOptions, log: Logger, events: ProxyOptions['events']): ProxyOptions {
  return {
    config, installDir: opts.installDir, log, events, version: VERSION,
    ...(opts.primaryOnly ? { primaryOnly: true } : {}),
    ...(opts.duplicateTtlMs === undefined ? {} : { duplicateTtlMs: opts.duplicateTtlMs }),
  };
}

/** Loads, builds and starts the proxy. */
export async function runProxy(opts: RunOptions): Promise<RunningProxy> {
  const config = await loadConfig(opts.configPath);
  const sinks: LogSinks = createLogSinks(config.main, opts.installDir);
  const core: LogCore = { sinks: sinks.main, debug: config.main.debug, secrets: new Set(configSecrets(config)) };
  const log = createLogger(core);
  for (const w of config.warnings) log.warn(formatIssue(w));
  for (const line of dumpConfig(config)) log.info(line);
  // Metrics (our extension) count auth events on their way to authevents.log.
  const counting = config.main.metricsPort > 0 ? new CountingAuthEvents(sinks.events) : undefined;
  let proxy: Proxy;
  try {
    proxy = new Proxy(proxyOptions(config, opts, log, counting ?? sinks.events));
  } catch (err) {
    await sinks.close();
    throw err;
  }
  const runtime = new Runtime(config, proxy, log, core, sinks, counting, opts);
  await runtime.start();
  return runtime;
}
