//! TL208: a dead-letter queue on the function does nothing for its SQS trigger.

use super::{Finding, Rule, Scope, Severity};
use crate::links;
use crate::model::Trigger;

pub static RULE: Rule = Rule {
    code: "TL208",
    slug: "sqs-dlq-on-function",
    summary: "the dead-letter queue is on the function, where SQS triggers never use it",
    severity: Severity::Warning,
    docs: include_str!("../../rules/sqs-dlq-on-function.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, scope: &Scope<'_>) -> Vec<Finding> {
    let Some(queue) = links::source_queue(t, scope) else {
        return Vec::new();
    };
    let Some((function, dead_letter)) = t
        .function
        .as_ref()
        .and_then(|f| f.dead_letter.map(|span| (f, span)))
    else {
        return Vec::new();
    };
    if !links::queue_lacks_dlq(scope, &queue) {
        return Vec::new();
    }
    let id = queue.logical_id;
    let policy = crate::model::resource_property_name(t.format, "RedrivePolicy");
    vec![
        RULE.at(
            t.anchor,
            format!(
                "function {} has a dead-letter queue but its source queue {id} has no \
                 `{policy}`: a function's dead-letter queue serves asynchronous invokes \
                 only, so failing SQS messages are retried until they expire",
                function.name
            ),
        )
        .label("dead-letter queue on the wrong resource")
        .related(dead_letter, "used for asynchronous invokes only")
        .related(queue.id_span, format!("no {policy} here"))
        .help(
            links::created_queue_hint(
                &queue,
                "RedrivePolicy",
                "a `RedrivePolicy` (`deadLetterTargetArn` and a `maxReceiveCount` of 5 or more)",
            )
            .unwrap_or_else(|| {
                format!(
                    "move the dead-letter queue to {id}: a `{policy}` with \
                     `deadLetterTargetArn` and `maxReceiveCount` of 5 or more"
                )
            }),
        ),
    ]
}
