/**
 * Rendering conf/demo.cfg, the template of the demo configuration: every `{{NAME}}` placeholder is
 * replaced with a value from the running simulator (integration, CA, API port) and the demo's
 * RADIUS port and log directory. An unknown or unfilled placeholder is an error, so a template and
 * its values cannot drift apart silently.
 */
import { join } from 'node:path';
import { AuthproxyError } from '../errors.js';

/** Values of the placeholders of conf/demo.cfg. */
export interface DemoConfigValues {
  readonly ikey: string;
  readonly skey: string;
  readonly apiHost: string;
  readonly apiPort: number;
  /** Absolute path of the simulator's CA certificate. */
  readonly caCertPath: string;
  /** Absolute directory for authproxy.log / authevents.log. */
  readonly logDir: string;
  readonly radiusPort: number;
}

/** conf/demo.cfg under an install directory. */
export function demoTemplatePath(installDir: string): string {
  return join(installDir, 'conf', 'demo.cfg');
}

/**
 * Fills the template. Values must be single-line (a newline would inject config lines); throws
 * `AP_ERR_SIMULATOR_SETUP` naming the placeholder otherwise, or for an unknown placeholder.
 */
export function renderDemoConfig(template: string, v: DemoConfigValues): string {
  const values: Readonly<Record<string, string>> = {
    IKEY: v.ikey,
    SKEY: v.skey,
    API_HOST: v.apiHost,
    API_PORT: String(v.apiPort),
    CA_FILE: v.caCertPath,
    LOG_DIR: v.logDir,
    RADIUS_PORT: String(v.radiusPort),
  };
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new AuthproxyError('AP_ERR_SIMULATOR_SETUP', `demo config template: unknown placeholder {{${name}}}`);
    if (/[\r\n]/.test(value) || value === '') throw new AuthproxyError('AP_ERR_SIMULATOR_SETUP', `demo config template: value for {{${name}}} is empty or spans lines`);
    return value;
  });
}
