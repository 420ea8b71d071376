// Prints the run's closing line in the plain form CI reads: "tests: N passed, N failed, N skipped".
import fs from 'node:fs';

const file = process.argv[2];
if (!fs.existsSync(file)) {
  console.log('tests: 0 passed, 1 failed, 0 skipped (no test report was written)');
  process.exit(1);
}
const r = JSON.parse(fs.readFileSync(file, 'utf8'));
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
const failed = r.numFailedTests || (r.numFailedTestSuites ?? 0);
console.log(`tests: ${r.numPassedTests} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || r.numPassedTests === 0 ? 1 : 0);
