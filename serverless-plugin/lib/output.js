'use strict';

// The findings through the framework's logger: one line per finding (notes only in verbose
// mode), the summary, and the rule's page for errors.

// The rule pages, as triggerlint links them (`rules/<slug>.md` of the repository).
const RULE_PAGES = 'https://github.com/triggerlint/triggerlint/blob/main/rules/';

// As `triggerlint check --format concise` prints it, so the same grep works on both.
function line({ finding, addedBy }) {
  const where = `${finding.file}:${finding.line}:${finding.column}`;
  let text = `${where}: ${finding.code} [${finding.severity}] ${finding.message}`;
  if (addedBy) {
    text += ` (mapping ${addedBy.id}, added to the compiled template by the plugin ${addedBy.plugin})`;
  }
  if (finding.severity === 'error') text += `; rule page: ${RULE_PAGES}${finding.rule}.md`;
  return text;
}

function count(kept, severity) {
  return kept.filter(({ finding }) => finding.severity === severity).length;
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

// Writes the findings and returns the counts per severity.
function writeFindings(log, kept, report, { service, pluginMappings, verbose }) {
  for (const item of kept) {
    const text = line(item);
    if (item.finding.severity === 'error') log.error(text);
    else if (item.finding.severity === 'warning') log.warning(text);
    else log.info(text);
  }
  for (const error of report.errors || []) {
    const where = error.line == null ? error.file : `${error.file}:${error.line}:${error.column}`;
    log.error(`${where} not linted: ${error.message}`);
  }
  const counts = {
    error: count(kept, 'error'),
    warning: count(kept, 'warning'),
    note: count(kept, 'note'),
  };
  let summary =
    `triggerlint: ${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ` +
    `${plural(counts.note, 'note')} in ${service}`;
  if (pluginMappings) {
    summary += ` and in ${plural(pluginMappings, 'mapping')} that other plugins added to the compiled template`;
  }
  if (counts.note && !verbose) summary += ' (notes are shown with --verbose)';
  if ((report.errors || []).length) {
    summary += `; ${plural(report.errors.length, 'file')} could not be linted`;
  }
  log.notice(summary);
  return { ...counts, notLinted: (report.errors || []).length };
}

module.exports = { writeFindings, line, plural, RULE_PAGES };
