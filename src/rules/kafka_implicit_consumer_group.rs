//! TL302: a Kafka trigger without a consumer group id starts over when it is replaced.

use super::{Finding, Rule, Scope, Severity};
use crate::model::{SourceKind, Trigger};

pub static RULE: Rule = Rule {
    code: "TL302",
    slug: "kafka-implicit-consumer-group",
    summary: "without a consumer group id, a replaced Kafka trigger starts a new group",
    severity: Severity::Note,
    docs: include_str!("../../rules/kafka-implicit-consumer-group.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, _: &Scope<'_>) -> Vec<Finding> {
    let config = match t.source {
        SourceKind::Msk => "AmazonManagedKafkaEventSourceConfig",
        SourceKind::SelfManagedKafka => "SelfManagedKafkaEventSourceConfig",
        _ => return Vec::new(),
    };
    // A deployed mapping shows the group Lambda generated: the mapping's own UUID.
    let generated = |group: &crate::tree::Node| {
        t.deployed
            .as_ref()
            .is_some_and(|d| group.as_str() == Some(&*d.uuid))
    };
    let named_or_unknown = t.properties.iter().filter(|p| p.name == config).any(|p| {
        p.value.may_be_absent()
            || p.value.as_map().is_none()
            || p.nested(&["ConsumerGroupId"])
                .is_some_and(|g| !generated(g))
    });
    if named_or_unknown {
        return Vec::new();
    }
    let start = match t.settings.starting_position.value().map(String::as_str) {
        Some("TRIM_HORIZON") => "the oldest record of the topic, processing it all again",
        Some("LATEST") => "the newest record, skipping what arrived in between",
        _ => "its starting position",
    };
    let name = t.setting_name(&[config, "ConsumerGroupId"]);
    vec![
        RULE.at(
            t.anchor,
            format!(
                "{}: Lambda names the consumer group after the mapping's id, so a replaced \
                 mapping is a new group that starts from {start}",
                if t.deployed.is_some() {
                    format!("`{name}` is the mapping's UUID")
                } else {
                    format!("no `{name}`")
                }
            ),
        )
        .label("generated consumer group")
        .help(format!(
            "set `{name}` to a stable name (it cannot be changed after the mapping is created)"
        )),
    ]
}
