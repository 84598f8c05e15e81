import { DeploySafetyFinding } from '../deploy-safety-finding';
import { DeploySafetyReport } from '../deploy-safety-report';

/** Plain-text rendering of findings and reports, for the command line and thrown errors. */

/** One finding, as a block of labelled lines. */
export function formatFinding(f: DeploySafetyFinding, label = 'UNSAFE'): string {
  return [
    `${label} ${f.change}: ${f.resource} (${f.resourceType})`,
    `  change:      ${f.summary}`,
    `  consequence: ${f.consequence}`,
    `  fix:         ${f.fix}`,
    `  allow with:  --allow ${f.resource}:${f.change}`,
  ].join('\n');
}

/** A whole report: findings, allowed findings, what was compared, and a one-line verdict. */
export function formatReport(report: DeploySafetyReport): string {
  const blocks = [
    ...report.findings.map((f) => formatFinding(f)),
    ...report.allowed.map((f) => formatFinding(f, 'ALLOWED')),
  ];
  const notes = [
    `compared: ${report.compared.join(', ')}`,
    ...(report.notCompared.length > 0 ? [`not compared (present on one side only): ${report.notCompared.join(', ')}`] : []),
    ...report.unusedAllows.map((a) => `warning: --allow ${a} matched no finding`),
  ];
  const n = report.findings.length;
  const verdict = n === 0
    ? `SAFE: no unsafe change${report.allowed.length > 0 ? ` (${report.allowed.length} allowed)` : ''}.`
    : `UNSAFE: ${n} unsafe change${n === 1 ? '' : 's'}${report.allowed.length > 0 ? ` (and ${report.allowed.length} allowed)` : ''}.`;
  return [...blocks, ...notes, verdict].join('\n\n');
}
