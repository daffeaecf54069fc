'use strict';

// One run of `triggerlint check --format json` over the service file (and the compiled
// template when other plugins added mappings to it), with the run's stage, region, params and
// resolved values.

const path = require('path');
const { spawnSync } = require('child_process');

// Big services give big reports; a hung run must not hang the deploy.
const MAX_OUTPUT = 256 * 1024 * 1024;
const TIMEOUT_MS = 5 * 60 * 1000;

function commandLine({ files, stage, region, params, resolvedService, config, args }) {
  // --exit-zero: the plugin decides failure itself (failOn), from the findings it reports.
  const argv = ['check', '--format', 'json', '--exit-zero', '--color', 'never'];
  if (stage) argv.push('--stage', stage);
  if (region) argv.push('--region', region);
  for (const param of params) argv.push('--param', param);
  if (resolvedService) argv.push('--resolved-service', resolvedService);
  if (config) argv.push('--config', config);
  return [...argv, ...args, '--', ...files];
}

// The JSON report, or throws an Error with what triggerlint said.
function runTriggerlint(binary, run) {
  const argv = commandLine(run);
  const result = spawnSync(binary.file, argv, {
    cwd: run.cwd,
    encoding: 'utf8',
    maxBuffer: MAX_OUTPUT,
    timeout: TIMEOUT_MS,
  });
  if (result.error) {
    throw new Error(`could not run ${binary.file}: ${result.error.message}`);
  }
  const stderr = (result.stderr || '').trim();
  if (/unexpected argument '--resolved-service'/.test(stderr)) {
    throw new Error(
      `${binary.file} is older than this plugin (it has no --resolved-service option): update triggerlint`,
    );
  }
  try {
    const report = JSON.parse(result.stdout);
    if (report && Array.isArray(report.findings)) return report;
  } catch (error) {
    // Not a report: a usage error (a wrong `args` entry), said on standard error.
  }
  throw new Error(
    `triggerlint ${argv.join(' ')} failed (exit status ${result.status}): ${stderr || 'no output'}`,
  );
}

// Whether a finding is about a file (triggerlint prints paths relative to its working folder).
function isIn(finding, file, cwd) {
  return path.resolve(cwd, finding.file) === path.resolve(file);
}

// The logical id of a CloudFormation finding (`Resources/<id>`).
function resourceId(finding) {
  const match = /^Resources\/([^/]+)/.exec(finding.path || '');
  return match ? match[1] : null;
}

// Keeps the service's findings and, of the compiled template's, only those about mappings
// other plugins added (the others repeat the service's), each naming its plugin.
function keepOnce(report, { template, added, cwd }) {
  if (!template) return report.findings.map((finding) => ({ finding }));
  const kept = [];
  for (const finding of report.findings) {
    if (!isIn(finding, template, cwd)) {
      kept.push({ finding });
      continue;
    }
    const id = resourceId(finding);
    if (added.has(id)) kept.push({ finding, addedBy: { id, plugin: added.get(id) } });
  }
  return kept;
}

// The configuration as JSON. Only cycles are left out (and what JSON cannot hold, such as
// functions); an object used twice, as YAML aliases make, is written twice.
function toJson(configuration) {
  const ancestors = new Set();
  const plain = (value) => {
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Date) return value.toISOString();
    if (!value || typeof value !== 'object') return value;
    if (ancestors.has(value)) return undefined;
    ancestors.add(value);
    const copy = Array.isArray(value)
      ? value.map((item) => (item === undefined ? null : plain(item)))
      : Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]));
    ancestors.delete(value);
    return copy;
  };
  return JSON.stringify(plain(configuration || {}));
}

module.exports = { runTriggerlint, keepOnce, commandLine, toJson };
