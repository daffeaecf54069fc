//! A Markdown summary of a run for a CI job's summary page (`--job-summary`, written to
//! `$GITHUB_STEP_SUMMARY` by the GitHub Action): the totals, then a table of findings per rule,
//! most frequent first. It is what a reviewer reads before the annotations.

use super::{Summary, plural};
use crate::rules;

pub fn render(summary: &Summary) -> String {
    let f = &summary.findings;
    let verdict = if summary.errors > 0 {
        "some files could not be linted"
    } else if summary.failing {
        "findings at or above the failing severity"
    } else {
        "passed"
    };
    let mut units = vec![plural(summary.templates, "template")];
    if summary.modules > 0 {
        units.push(plural(summary.modules, "Terraform module"));
    }
    if summary.deployed > 0 {
        units.push(plural(summary.deployed, "deployed mapping listing"));
    }
    let mut out = format!(
        "## triggerlint: {verdict}\n\n{} in {} ({}): {}, {}, {}",
        plural(summary.triggers, "trigger"),
        plural(summary.files, "file"),
        units.join(", "),
        plural(f.errors, "error"),
        plural(f.warnings, "warning"),
        plural(f.notes, "note"),
    );
    if summary.not_linted.files > 0 {
        out.push_str(&format!(
            "; {} not linted",
            plural(summary.not_linted.files, "file")
        ));
    }
    if summary.ignored + summary.baselined > 0 {
        out.push_str(&format!(
            "; {} suppressed, {} in the baseline",
            summary.ignored, summary.baselined
        ));
    }
    out.push_str(".\n\n");
    if summary.per_rule.is_empty() {
        return out;
    }
    out.push_str("| Rule | Default severity | Findings |\n| --- | --- | ---: |\n");
    for (code, count) in summary.rules_by_frequency() {
        let (slug, severity) = rules::find(code).map_or(("", ""), |r| (r.slug, r.severity.id()));
        out.push_str(&format!("| {code} `{slug}` | {severity} | {count} |\n"));
    }
    out.push('\n');
    out
}
