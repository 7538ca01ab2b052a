// Fails on a high or critical advisory in production dependencies. When the registry cannot
// answer advisory queries at all (a mirror that allows only GET), it says so loudly instead.
import { spawnSync } from 'node:child_process';

const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8' });
let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  console.error('npm audit gave no JSON:', run.stderr.slice(0, 500));
  process.exit(1);
}
const counts = report.metadata?.vulnerabilities;
if (counts) {
  const serious = (counts.high ?? 0) + (counts.critical ?? 0);
  console.log(`npm audit (production): ${counts.critical ?? 0} critical, ${counts.high ?? 0} high, ${counts.moderate ?? 0} moderate, ${counts.low ?? 0} low`);
  process.exit(serious > 0 ? 1 : 0);
}
if (report.statusCode >= 400 && report.statusCode < 500 && report.statusCode !== 429) {
  console.warn(`WARNING: npm audit could not run: the registry answered ${report.statusCode} (${report.message}). No advisory data was checked.`);
  process.exit(0);
}
console.error('npm audit failed:', report.message ?? run.stderr.slice(0, 500));
process.exit(1);
