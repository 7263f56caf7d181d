// Prints vitest's JSON report as the plain closing line CI reads: "tests: N passed, N failed",
// counting the suite-wide no-secret-in-logs check (test/support/global-setup.ts) as one more test
// when the whole suite ran. Exits 1 when anything failed.
import { existsSync, readFileSync } from 'node:fs';
const [file, secretsFile, wholeSuite] = process.argv.slice(2);
let r;
try {
  r = JSON.parse(readFileSync(file, 'utf8'));
} catch (e) {
  console.log(`tests: 0 passed, 1 failed`);
  console.error(`no vitest report at ${file}: ${e.message}`);
  process.exit(1);
}
let passed = r.numPassedTests;
let failed = r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
if (wholeSuite === '1') {
  const v = existsSync(secretsFile) ? JSON.parse(readFileSync(secretsFile, 'utf8')) : undefined;
  if (v && v.files > 0 && v.secrets > 0 && v.hits.length === 0) passed += 1;
  else {
    failed += 1;
    console.error(`no-secret-in-logs check failed: ${v ? `${v.files} files, ${v.secrets} secrets, ${v.hits.length} hits\n${v.hits.join('\n')}` : 'no verdict written'}`);
  }
}
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
console.log(`tests: ${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));
process.exit(failed > 0 ? 1 : 0);
