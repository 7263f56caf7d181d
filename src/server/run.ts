/**
 * Running the proxy in this process (what `authproxyctl start` daemonises and `--foreground`
 * runs directly): load the config, set up logs, log the effective configuration with secrets
 * masked, start every listener, and log `Init Complete`. Start-up errors are thrown (the CLI
 * prints them on stderr and exits with a documented code); nothing here calls process.exit.
 */
import { loadConfig } from '../config/load.js';
import { configSecrets, dumpConfig } from '../config/dump.js';
import { createLogger, type LogCore, type Logger } from '../log/logger.js';
import { createLogSinks, type LogSinks } from '../log/sinks.js';
import type { Config } from '../config/types.js';
import { formatIssue } from '../config/issues.js';
import { CountingAuthEvents, MetricsServer } from './metrics.js';
import { Proxy, type ListenerInfo } from './proxy.js';
import { VERSION } from './version.js';

/** How to run. */
export interface RunOptions {
  readonly configPath: string;
  readonly installDir: string;
  readonly primaryOnly?: boolean;
  readonly duplicateTtlMs?: number;
}

/** A started proxy. */
export interface RunningProxy {
  readonly config: Config;
  readonly proxy: Proxy;
  readonly listeners: readonly ListenerInfo[];
  readonly log: Logger;
  /** Graceful stop: listeners close, in-flight logins get `graceMs` to be answered. */
  stop(graceMs?: number): Promise<void>;
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
  const events = counting ?? sinks.events;
  let proxy: Proxy;
  try {
    proxy = new Proxy({ config, installDir: opts.installDir, log, events, version: VERSION, ...(opts.primaryOnly ? { primaryOnly: true } : {}), ...(opts.duplicateTtlMs === undefined ? {} : { duplicateTtlMs: opts.duplicateTtlMs }) });
  } catch (err) {
    await sinks.close();
    throw err;
  }
  let listeners: ListenerInfo[];
  try {
    listeners = await proxy.start();
  } catch (err) {
    log.error('Failed to start listeners', err);
    await sinks.close();
    throw err;
  }
  for (const l of listeners) log.info(`Listening on ${l.address}:${l.port} for ${l.sections.join(', ')}`);
  let metrics: MetricsServer | undefined;
  if (counting) {
    metrics = new MetricsServer(proxy, counting);
    try {
      const port = await metrics.start(config.main.metricsInterface, config.main.metricsPort);
      log.info(`Metrics on http://${config.main.metricsInterface}:${port}/metrics`);
    } catch (err) {
      log.error('Failed to start the metrics endpoint', err);
      await proxy.stop(0);
      await sinks.close();
      throw err;
    }
  }
  log.info(`Duo Security Authentication Proxy ${VERSION} - Init Complete`);
  return {
    config,
    proxy,
    listeners,
    log,
    async stop(graceMs = 5000) {
      log.info('Stopping proxy');
      await metrics?.close();
      await proxy.stop(graceMs);
      log.info('Proxy stopped');
      await sinks.close();
    },
  };
}
