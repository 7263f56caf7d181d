// Prints vitest's JSON report as the plain closing line CI reads: "tests: N passed, N failed".
import { readFileSync } from 'node:fs';
const file = process.argv[2];
let r;
try {
  r = JSON.parse(readFileSync(file, 'utf8'));
} catch (e) {
  console.log(`tests: 0 passed, 1 failed`);
  console.error(`no vitest report at ${file}: ${e.message}`);
  process.exit(0);
}
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
const failed = r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
console.log(`tests: ${r.numPassedTests} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));
