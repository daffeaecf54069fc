//! TL210: an SQS trigger deletes the messages its filters do not match.

use super::{Finding, Rule, Scope, Severity};
use crate::model::{Setting, Trigger};

pub static RULE: Rule = Rule {
    code: "TL210",
    slug: "sqs-filter-deletes-messages",
    summary: "messages that match no filter are deleted from the queue",
    severity: Severity::Note,
    docs: include_str!("../../rules/sqs-filter-deletes-messages.md"),
    options: &[],
    check,
};

fn check(t: &Trigger, _: &Scope<'_>) -> Vec<Finding> {
    let Setting::Written { value: count, .. } = t.settings.filter_count else {
        return Vec::new();
    };
    let Some(property) = t.property("FilterCriteria") else {
        return Vec::new();
    };
    if !t.source.is_sqs() || count == 0 {
        return Vec::new();
    }
    let key = &property.key;
    vec![
        RULE.at(
            property.key_span,
            format!(
                "`{key}` on an SQS trigger: a message that matches none of the filters is deleted \
                 from the queue, not left for another consumer"
            ),
        )
        .label("non-matching messages are deleted")
        .help(
            "make sure no other consumer needs the filtered-out messages; to share a queue's \
             messages between consumers, fan out with SNS or EventBridge instead",
        ),
    ]
}
