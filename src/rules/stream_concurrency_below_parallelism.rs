//! TL111: reserved concurrency too low for the stream's shards times the parallelization factor.

use super::{Finding, Rule, Scope, Severity};
use crate::links;
use crate::model::Trigger;

pub static RULE: Rule = Rule {
    code: "TL111",
    slug: "stream-concurrency-below-parallelism",
    summary: "reserved concurrency below shards x parallelization factor lets the stream fall behind",
    severity: Severity::Warning,
    docs: include_str!("../../rules/stream-concurrency-below-parallelism.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, scope: &Scope<'_>) -> Vec<Finding> {
    let Some((function, reserved, reserved_span)) = t.reserved_concurrency() else {
        return Vec::new();
    };
    let Some(&factor) = t.settings.parallelization_factor.value() else {
        return Vec::new();
    };
    let Some(stream) = links::kinesis_stream(t, scope) else {
        return Vec::new();
    };
    let shards_setting = links::int_property(scope.template, &stream.resource, "ShardCount", None);
    let (Some(&shards), Some(shard_span)) = (shards_setting.value(), shards_setting.span()) else {
        return Vec::new();
    };
    let needed = shards * factor;
    if reserved >= needed {
        return Vec::new();
    }
    vec![
        RULE.at(
            t.anchor,
            format!(
                "function {} may run {} at once, but stream {} needs {needed} ({} x \
                 parallelization factor {factor}): iterator age will grow",
                function.name,
                count(reserved, "instance"),
                stream.resource.logical_id,
                count(shards, "shard")
            ),
        )
        .label("not enough concurrency")
        .related_value(
            reserved_span,
            format!("reserved concurrency {reserved}"),
            &function.reserved_concurrency,
        )
        .related_value(shard_span, count(shards, "shard"), &shards_setting)
        .help(format!(
            "raise the reserved concurrency to at least {needed}, or lower the parallelization \
             factor"
        )),
    ]
}

fn count(n: i64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
