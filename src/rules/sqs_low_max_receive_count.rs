//! TL206: a low maxReceiveCount moves throttled (never failed) messages to the DLQ.

use super::{Finding, Rule, Scope, Severity};
use crate::links::{self, Redrive};
use crate::model::Trigger;

pub static RULE: Rule = Rule {
    code: "TL206",
    slug: "sqs-low-max-receive-count",
    summary: "maxReceiveCount below 5 sends throttled messages to the dead-letter queue",
    severity: Severity::Warning,
    docs: include_str!("../../rules/sqs-low-max-receive-count.md"),
    options: &[],
    check,
};

const RECOMMENDED: i64 = 5;

fn check(t: &Trigger, scope: &Scope<'_>) -> Vec<Finding> {
    let Some(queue) = links::source_queue(t, scope) else {
        return Vec::new();
    };
    let Redrive::Present {
        max_receive_count: Some((count, span)),
        ..
    } = links::redrive_policy(scope.template, &queue)
    else {
        return Vec::new();
    };
    if count >= RECOMMENDED {
        return Vec::new();
    }
    vec![
        RULE.at(
            t.anchor,
            format!(
                "queue {} moves a message to its dead-letter queue after {count} receive{}: when \
                 the function is throttled, Lambda receives messages it cannot process, and they \
                 reach the dead-letter queue without ever failing",
                queue.logical_id,
                if count == 1 { "" } else { "s" }
            ),
        )
        .label("low maxReceiveCount")
        .related(span, format!("maxReceiveCount {count}"))
        .help(format!("set `maxReceiveCount` to at least {RECOMMENDED}")),
    ]
}
