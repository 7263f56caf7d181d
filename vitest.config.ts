import { defineConfig } from 'vitest/config';

// Integration tests start real peers (slapd, FreeRADIUS, Samba AD) and real UDP/HTTPS servers on
// loopback; they run in forked processes so a peer's lifetime is bound to its test file.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Archives the logs tests produce and, at the end, greps them for every secret the tests used.
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
