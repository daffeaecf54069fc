//! TL002: without a batching window, low traffic means one invocation per record.

use super::{Finding, Rule, Scope, Severity, describe_setting, span_of};
use crate::model::{Applicability, FixValue, Prop, SourceKind, Trigger};

pub static RULE: Rule = Rule {
    code: "TL002",
    slug: "missing-batching-window",
    summary: "at low traffic each invocation carries what one poll returns, often a single record",
    severity: Severity::Note,
    docs: include_str!("../../rules/missing-batching-window.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, _: &Scope<'_>) -> Vec<Finding> {
    // FIFO queues cannot have a batching window at all.
    let applies = t.source.is_stream() || t.source == SourceKind::Sqs { fifo: false };
    let s = &t.settings;
    let window = &s.batching_window;
    let (true, Some(&seconds), Some(&batch)) = (applies, window.value(), s.batch_size.value())
    else {
        return Vec::new();
    };
    if seconds != 0.0 || batch <= 1 {
        return Vec::new();
    }
    let key = t.key_name(Prop::MaximumBatchingWindowInSeconds);
    vec![
        RULE.at(
            span_of(t, window),
            format!(
                "{}: {}",
                describe_setting(t, Prop::MaximumBatchingWindowInSeconds, window),
                without_window(t, batch)
            ),
        )
        .label("no batching window")
        .help(super::help_for(
            t,
            Prop::MaximumBatchingWindowInSeconds,
            format!(
                "set `{key}` to the seconds a record may wait for its batch to fill (1 to 300)"
            ),
        ))
        .fix_opt(super::set_setting_fix(
            t,
            Applicability::Unsafe,
            Prop::MaximumBatchingWindowInSeconds,
            FixValue::Int(1),
        )),
    ]
}

/// What happens without a window at low traffic. Stream triggers poll each shard about once a
/// second and send what arrived since; SQS triggers long-poll and send what a poll returns.
fn without_window(t: &Trigger, batch: i64) -> String {
    if t.source.is_stream() {
        format!(
            "Lambda polls each shard about once a second and invokes the function with whatever \
             arrived since, so at low traffic a batch of up to {batch} holds only the few \
             records of that second"
        )
    } else {
        format!(
            "Lambda invokes the function as soon as a poll returns messages, so at low traffic a \
             batch of up to {batch} usually holds a single message"
        )
    }
}
