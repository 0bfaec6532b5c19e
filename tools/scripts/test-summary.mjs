// Sums the Jest JSON reports every project wrote to tmp/jest/ and prints one closing line
// ("N passed, N failed"), so a reader of the CI log sees the whole run's count at the end.
import { readdirSync, readFileSync, existsSync } from 'node:fs';

const dir = 'tmp/jest';
let passed = 0;
let failed = 0;
let skipped = 0;
let projects = 0;
if (existsSync(dir)) {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const report = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + (report.numTodoTests ?? 0);
    projects += 1;
  }
}
console.log(`\nJest across ${projects} projects:`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
if (projects === 0 || passed === 0) {
  console.error('no test results found');
  process.exit(1);
}
process.exit(failed > 0 ? 1 : 0);
