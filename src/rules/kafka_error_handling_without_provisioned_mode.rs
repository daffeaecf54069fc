//! TL301: Kafka error-handling controls are documented for provisioned mode only.

use super::{Finding, Rule, Scope, Severity};
use crate::model::Trigger;

pub static RULE: Rule = Rule {
    code: "TL301",
    slug: "kafka-error-handling-without-provisioned-mode",
    summary: "Kafka retries, record age, bisect and partial batch response need provisioned mode",
    severity: Severity::Warning,
    docs: include_str!("../../rules/kafka-error-handling-without-provisioned-mode.md"),
    options: &[],
    check,
};

/// The Kafka controls AWS documents under provisioned mode.
const PROVISIONED_ONLY: &[&str] = &[
    "MaximumRetryAttempts",
    "MaximumRecordAgeInSeconds",
    "BisectBatchOnFunctionError",
    "FunctionResponseTypes",
];

fn check(t: &Trigger, _: &Scope<'_>) -> Vec<Finding> {
    if !t.source.is_kafka() || t.property("ProvisionedPollerConfig").is_some() {
        return Vec::new();
    }
    let pollers = t.setting_name(&["ProvisionedPollerConfig"]);
    t.properties
        .iter()
        .filter(|p| PROVISIONED_ONLY.contains(&p.name.as_str()) && !p.value.may_be_absent())
        .map(|p| {
            RULE.at(
                p.key_span,
                format!(
                    "`{}` on this {} trigger, which is not in provisioned mode: AWS documents Kafka error \
                     handling for provisioned mode only, so it may be rejected or have no effect",
                    p.key,
                    t.source.label()
                ),
            )
            .label("needs provisioned mode")
            .help(format!(
                "add `{pollers}` with a minimum and maximum number of pollers, or remove `{}`",
                p.key
            ))
        })
        .collect()
}
