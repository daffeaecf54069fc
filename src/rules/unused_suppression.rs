//! TL900: a suppression that matches no finding. Reported by the suppression step (see
//! `suppress.rs`), not by looking at triggers, so its `check` finds nothing on its own.

use super::{Finding, Rule, Scope, Severity};
use crate::model::Trigger;
use crate::source::Span;

pub static RULE: Rule = Rule {
    code: "TL900",
    slug: "unused-suppression",
    summary: "an ignore comment or Metadata entry that matches no finding",
    severity: Severity::Note,
    docs: include_str!("../../rules/unused-suppression.md"),
    options: &[],
    check,
};

fn check(_: &Trigger, _: &Scope<'_>) -> Vec<Finding> {
    Vec::new()
}

/// A TL900 finding at a selector (or a malformed directive), for the trigger it was meant for.
pub fn finding(span: Span, message: String, trigger_path: Option<&std::sync::Arc<str>>) -> Finding {
    let mut finding = RULE
        .at(span, message)
        .label("unused suppression")
        .help("remove it, or fix the rule name if it was meant to match something");
    finding.path = trigger_path
        .cloned()
        .unwrap_or_else(|| std::sync::Arc::from(""));
    finding
}
