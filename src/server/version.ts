/** The authproxy version (kept in step with package.json by test/server/version.test.ts). */
export const VERSION = '0.1.0';
