//! TL012: provisioned pollers above the smallest minimum are billed while idle.

use super::{Finding, Rule, Scope, Severity};
use crate::model::Trigger;

pub static RULE: Rule = Rule {
    code: "TL012",
    slug: "provisioned-pollers-billed-when-idle",
    summary: "a provisioned-mode minimum above the smallest is billed whether or not records arrive",
    severity: Severity::Note,
    docs: include_str!("../../rules/provisioned-pollers-billed-when-idle.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, scope: &Scope<'_>) -> Vec<Finding> {
    let smallest = match t.source {
        s if s.is_sqs() => 2,
        s if s.is_kafka() => 1,
        _ => return Vec::new(),
    };
    let Some(property) = t.property("ProvisionedPollerConfig") else {
        return Vec::new();
    };
    let Some(node) = property.nested(&["MinimumPollers"]) else {
        return Vec::new();
    };
    let Some(&minimum) = scope.template.written_int(node).value() else {
        return Vec::new();
    };
    if minimum <= smallest {
        return Vec::new();
    }
    let name = property.display_path(["MinimumPollers"]);
    vec![
        RULE.at(
            node.span,
            format!(
                "`{name}` is {minimum}: {minimum} event pollers are reserved and billed every hour, \
                 whether or not records arrive"
            ),
        )
        .label(format!("{minimum} pollers billed while idle"))
        .help(format!(
            "keep it at {minimum} only if the trigger must absorb bursts without scaling up \
             first; otherwise lower it to {smallest} and let the pollers scale up to the maximum"
        )),
    ]
}
