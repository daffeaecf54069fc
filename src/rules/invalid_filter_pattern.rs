//! TL010: a filter pattern Lambda rejects, or more filters than a trigger can have.

use super::{Finding, Rule, Scope, Severity};
use crate::filter::{self, MAX_FILTERS};
use crate::model::Trigger;

pub static RULE: Rule = Rule {
    code: "TL010",
    slug: "invalid-filter-pattern",
    summary: "a filter pattern Lambda rejects fails the deploy",
    severity: Severity::Error,
    docs: include_str!("../../rules/invalid-filter-pattern.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, scope: &Scope<'_>) -> Vec<Finding> {
    let mut findings: Vec<Finding> = filter::patterns(t, scope.template)
        .into_iter()
        .filter_map(|pattern| {
            let problem = filter::parse(pattern.text.as_deref()?).err()?;
            Some(
                RULE.at(
                    pattern.span,
                    format!("invalid filter pattern: {problem}; the deploy fails"),
                )
                .label("rejected by Lambda")
                .help(
                    "write the pattern as a JSON object whose fields hold arrays of values or of \
                     comparisons Lambda supports: `{\"body\": {\"status\": [\"done\"]}}`",
                ),
            )
        })
        .collect();
    if let Some((node, items)) = filter::filters(t)
        && items.len() > MAX_FILTERS
    {
        findings.push(
            RULE.at(
                node.span,
                format!(
                    "{} filters: a trigger can have at most {MAX_FILTERS} (5 unless the quota was \
                     raised); the deploy fails",
                    items.len()
                ),
            )
            .label("too many filters")
            .help("merge filters with `$or` or with several values per field"),
        );
    }
    findings
}
