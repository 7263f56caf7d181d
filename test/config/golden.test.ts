/**
 * Golden files: each test/fixtures/conf/bad-*.cfg must fail to load and each warn-*.cfg must load
 * with warnings; the sibling `.errors` file holds every expected message line (errors and
 * warnings, in line order, exactly as `authproxyctl check` prints them). To update after a
 * deliberate change: UPDATE_GOLDEN=1 npx vitest run test/config/golden.test.ts, then review the diff.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasCode } from '../../src/errors.js';
import { ConfigInvalidError, formatIssue, type ConfigIssue } from '../../src/config/issues.js';
import { loadConfig } from '../../src/config/load.js';

const DIR = 'test/fixtures/conf';
const fixtures = readdirSync(DIR).filter((f) => /^(bad|warn)-.*\.cfg$/.test(f)).sort();

async function issuesOf(path: string): Promise<readonly ConfigIssue[]> {
  try {
    return (await loadConfig(path)).warnings;
  } catch (err) {
    if (err instanceof ConfigInvalidError) return err.issues;
    throw err;
  }
}

describe('golden config fixtures', () => {
  it('has the fixtures the task demands', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(25);
  });

  it.each(fixtures)('%s', async (name) => {
    const path = `${DIR}/${name}`;
    const goldenPath = path.replace(/\.cfg$/, '.errors');
    const issues = await issuesOf(path);
    const lines = issues.map(formatIssue);
    if (process.env['UPDATE_GOLDEN']) writeFileSync(goldenPath, `${lines.join('\n')}\n`);
    expect(lines).toEqual(readFileSync(goldenPath, 'utf8').replace(/\n$/, '').split('\n'));
    const errors = issues.filter((i) => i.severity === 'error');
    if (name.startsWith('bad-')) {
      expect(errors.length).toBeGreaterThan(0);
      await expect(loadConfig(path)).rejects.toSatisfy((e) => hasCode(e, 'AP_ERR_CONFIG_INVALID'));
    } else {
      expect(errors).toEqual([]);
      expect(issues.length).toBeGreaterThan(0);
    }
    for (const i of issues) expect(i.file).toBe(path);
  });
});
