//! TL005: a trigger written as disabled polls nothing.

use super::{Finding, Rule, Scope, Severity};
use crate::model::{Prop, Setting, Trigger};

pub static RULE: Rule = Rule {
    code: "TL005",
    slug: "trigger-disabled",
    summary: "the trigger is created disabled and invokes nothing",
    severity: Severity::Note,
    docs: include_str!("../../rules/trigger-disabled.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, _: &Scope<'_>) -> Vec<Finding> {
    let Setting::Written {
        value: false, span, ..
    } = t.settings.enabled
    else {
        return Vec::new();
    };
    let key = t.key_name(Prop::Enabled);
    vec![
        RULE.at(
            span,
            format!(
                "`{key}` is false: the trigger is created but reads nothing until it is enabled"
            ),
        )
        .label("disabled")
        .help(format!(
            "remove `{}` when the trigger should run; if it is off on purpose, say why in a \
             suppression reason",
            t.format.set_value(key, false)
        )),
    ]
}
