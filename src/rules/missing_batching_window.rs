//! TL002: without a batching window, low traffic means one invocation per record.

use super::{Finding, Rule, Scope, Severity, describe_setting, span_of};
use crate::model::{Prop, SourceKind, Trigger};

pub static RULE: Rule = Rule {
    code: "TL002",
    slug: "missing-batching-window",
    summary: "at low traffic every record is its own invocation",
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
                "{}: every record starts an invocation as soon as it arrives, and at low \
                 traffic a batch of up to {batch} usually holds a single record",
                describe_setting(t, Prop::MaximumBatchingWindowInSeconds, window)
            ),
        )
        .label("no batching window")
        .help(super::help_for(
            t,
            Prop::MaximumBatchingWindowInSeconds,
            format!(
                "set `{key}` to the seconds a record may wait for its batch to fill (1 to 300)"
            ),
        )),
    ]
}
