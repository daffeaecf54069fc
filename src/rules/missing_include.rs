//! TL901: a `${file(...)}` include names a file that does not exist. Reported by the engine
//! while it resolves a Serverless service's variables, not by looking at triggers, so its
//! `check` finds nothing on its own.

use super::{Finding, Rule, Scope, Severity};
use crate::model::Trigger;
use crate::source::Span;

pub static RULE: Rule = Rule {
    code: "TL901",
    slug: "missing-include",
    summary: "a `${file(...)}` include names a file that is not there; what it provides is unknown",
    severity: Severity::Note,
    docs: include_str!("../../rules/missing-include.md"),
    options: &[],
    check,
};

fn check(_: &Trigger, _: &Scope<'_>) -> Vec<Finding> {
    Vec::new()
}

/// The finding for an include of `path` used at `span`.
pub fn finding(span: Span, path: &str) -> Finding {
    RULE.at(
        span,
        format!(
            "`{path}` does not exist, so the values read from it are unknown and the rules that \
             need them stay quiet"
        ),
    )
    .label("file not found")
    .help(
        "if the file is generated or kept out of the repository (secrets, per-stage settings), \
         lint where it exists or give the value a fallback; otherwise fix the path",
    )
}
