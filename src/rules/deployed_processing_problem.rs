//! TL013: a deployed mapping whose last processing attempt ran into a problem.

use super::{Finding, Rule, Scope, Severity};
use crate::model::Trigger;

pub static RULE: Rule = Rule {
    code: "TL013",
    slug: "deployed-processing-problem",
    summary: "the deployed mapping's last processing result is a problem",
    severity: Severity::Warning,
    docs: include_str!("../../rules/deployed-processing-problem.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, _: &Scope<'_>) -> Vec<Finding> {
    let Some((result, span)) = t
        .deployed
        .as_ref()
        .and_then(|d| d.last_processing_result.as_ref())
    else {
        return Vec::new();
    };
    let Some(problem) = result.strip_prefix("PROBLEM:") else {
        return Vec::new();
    };
    vec![
        RULE.at(
            *span,
            format!(
                "the mapping's last processing result is a problem: \"{}\"",
                problem.trim()
            ),
        )
        .label("last attempt failed")
        .help(
            "look at the function's errors and throttles, and at the source's permissions and \
             network access in the mapping's and the function's logs; the result clears with \
             the next successful batch",
        ),
    ]
}
