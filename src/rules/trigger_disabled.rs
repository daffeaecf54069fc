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
    if let Some((state, _)) = t.deployed.as_ref().and_then(|d| d.state.as_ref()) {
        return vec![
            RULE.at(
                span,
                format!("the mapping's `State` is {state}: it reads nothing from its source"),
            )
            .label("not polling")
            .help(
                "enable it (`aws lambda update-event-source-mapping --uuid <UUID> --enabled`) \
                 when it should run; if it is off on purpose, say why in a suppression reason",
            ),
        ];
    }
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
