//! TL301: Kafka error-handling controls are documented for provisioned mode only.

use super::{Finding, Rule, Scope, Severity};
use crate::model::Trigger;

pub static RULE: Rule = Rule {
    code: "TL301",
    slug: "kafka-error-handling-without-provisioned-mode",
    summary: "Kafka error handling, system logs and schema registries need provisioned mode",
    severity: Severity::Warning,
    docs: include_str!("../../rules/kafka-error-handling-without-provisioned-mode.md"),
    options: &[],
    check,
};

/// The Kafka settings AWS documents for provisioned mode only: the error-handling controls and
/// the poller's system logs.
const PROVISIONED_ONLY: &[&str] = &[
    "MaximumRetryAttempts",
    "MaximumRecordAgeInSeconds",
    "BisectBatchOnFunctionError",
    "FunctionResponseTypes",
    "LoggingConfig",
];

/// The Kafka configurations whose `SchemaRegistryConfig` is documented for provisioned mode
/// only.
const KAFKA_CONFIGS: &[&str] = &[
    "AmazonManagedKafkaEventSourceConfig",
    "SelfManagedKafkaEventSourceConfig",
];

fn check(t: &Trigger, _: &Scope<'_>) -> Vec<Finding> {
    if !t.source.is_kafka() || t.property("ProvisionedPollerConfig").is_some() {
        return Vec::new();
    }
    let pollers = t.setting_name(&["ProvisionedPollerConfig"]);
    let top_level = t
        .properties
        .iter()
        .filter(|p| PROVISIONED_ONLY.contains(&p.name.as_str()) && !p.value.may_be_absent())
        .map(|p| (p.key_span, p.key.clone()));
    let registries = t
        .properties
        .iter()
        .filter(|p| KAFKA_CONFIGS.contains(&p.name.as_str()))
        .filter_map(|p| {
            let registry = p.value.as_map()?.entry("SchemaRegistryConfig")?;
            Some((registry.key_span, p.display_path(["SchemaRegistryConfig"])))
        });
    top_level
        .chain(registries)
        .map(|(span, name)| {
            RULE.at(
                span,
                format!(
                    "`{name}` on this {} trigger, which is not in provisioned mode: AWS documents \
                     it for Kafka triggers in provisioned mode only, so it may be rejected or \
                     have no effect",
                    t.source.label()
                ),
            )
            .label("needs provisioned mode")
            .help(format!(
                "add `{pollers}` with a minimum and maximum number of pollers, or remove `{name}`"
            ))
        })
        .collect()
}
