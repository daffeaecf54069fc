//! TL209: reserved concurrency throttles an SQS trigger whose maximum concurrency exceeds it.

use super::{Finding, Rule, Scope, Severity, span_of};
use crate::model::{Prop, Setting, SourceKind, Trigger};

pub static RULE: Rule = Rule {
    code: "TL209",
    slug: "sqs-reserved-concurrency-throttling",
    summary: "reserved concurrency below the SQS trigger's concurrency throttles messages into the DLQ",
    severity: Severity::Warning,
    docs: include_str!("../../rules/sqs-reserved-concurrency-throttling.md"),
    options: &[],
    check,
};

/// The most batches a standard-queue trigger processes at once without maximum concurrency.
const SQS_SCALING_LIMIT: i64 = 1000;

fn check(t: &Trigger, _: &Scope<'_>) -> Vec<Finding> {
    let Some((function, reserved, reserved_span)) = t.reserved_concurrency() else {
        return Vec::new();
    };
    if !t.source.is_sqs() {
        return Vec::new();
    }
    let maximum = &t.settings.maximum_concurrency;
    let key = t.key_name(Prop::MaximumConcurrency);
    let problem = match maximum {
        Setting::Written { value, .. } if *value > reserved => format!(
            "`{key}` is {value}, above the {reserved} reserved for function {}",
            function.name
        ),
        Setting::Unset
            if reserved < SQS_SCALING_LIMIT || t.source == (SourceKind::Sqs { fifo: true }) =>
        {
            format!(
                "`{key}` is not set, so the trigger scales up to {SQS_SCALING_LIMIT} concurrent \
                 batches while function {} is limited to {reserved}",
                function.name
            )
        }
        _ => return Vec::new(),
    };
    vec![
        RULE.at(
            span_of(t, maximum),
            format!(
                "{problem}: the trigger keeps receiving messages the function cannot take, and \
                 throttled messages count as receives until they land in the dead-letter queue"
            ),
        )
        .label("more concurrency than reserved")
        .related_value(
            reserved_span,
            format!("reserved concurrency {reserved}"),
            &function.reserved_concurrency,
        )
        .help(super::help_for(
            t,
            Prop::MaximumConcurrency,
            format!("set `{key}` to {} or less (at least 2)", reserved.max(2)),
        )),
    ]
}
