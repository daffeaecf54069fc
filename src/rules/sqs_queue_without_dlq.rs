//! TL205: a source queue without a redrive policy keeps failing messages until they expire.

use super::{Finding, Rule, Scope, Severity};
use crate::links;
use crate::model::Trigger;

pub static RULE: Rule = Rule {
    code: "TL205",
    slug: "sqs-queue-without-dlq",
    summary: "the source queue has no dead-letter queue (RedrivePolicy)",
    severity: Severity::Warning,
    docs: include_str!("../../rules/sqs-queue-without-dlq.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, scope: &Scope<'_>) -> Vec<Finding> {
    let Some(queue) = links::source_queue(t, scope) else {
        return Vec::new();
    };
    let function_has_dlq = t.function.as_ref().is_some_and(|f| f.dead_letter.is_some());
    // A queue that is itself a dead-letter queue needs none; a function-level DLQ is TL208.
    if !links::queue_lacks_dlq(scope, &queue) || function_has_dlq {
        return Vec::new();
    }
    let id = queue.logical_id;
    let policy = crate::model::resource_property_name(t.format, "RedrivePolicy");
    vec![
        RULE.at(
            t.anchor,
            format!(
                "queue {id} has no `{policy}`: a message that keeps failing is received again \
                 and again until the queue's retention period deletes it"
            ),
        )
        .label("no dead-letter queue")
        .related(queue.id_span, format!("no {policy} here"))
        .help(
            links::created_queue_hint(
                &queue,
                "RedrivePolicy",
                "a `RedrivePolicy` (`deadLetterTargetArn` and a `maxReceiveCount` of 5 or more)",
            )
            .unwrap_or_else(|| {
                format!(
                    "give {id} a `{policy}` with `deadLetterTargetArn` (a second queue) and \
                     `maxReceiveCount` of 5 or more"
                )
            }),
        ),
    ]
}
