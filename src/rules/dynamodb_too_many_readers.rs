//! TL112: more than two triggers read one DynamoDB stream and get throttled.

use super::{Finding, Rule, Scope, Severity};
use crate::links;
use crate::model::{SourceKind, Trigger};

pub static RULE: Rule = Rule {
    code: "TL112",
    slug: "dynamodb-too-many-readers",
    summary: "more than two triggers read the same DynamoDB stream",
    severity: Severity::Warning,
    docs: include_str!("../../rules/dynamodb-too-many-readers.md"),
    options: &[],
    check,
};

/// At most two processes should read a DynamoDB stream shard at once.
const MAX_READERS: usize = 2;

fn check(t: &Trigger, scope: &Scope<'_>) -> Vec<Finding> {
    if t.source != SourceKind::DynamoDb {
        return Vec::new();
    }
    let Some(stream) = links::stream_identity(t, scope.template) else {
        return Vec::new();
    };
    let Some(readers) = scope.index().stream_readers.get(&stream) else {
        return Vec::new();
    };
    // Reported on the third reader and later ones: removing any of them is the fix.
    let Some(position) = index_in(scope.triggers, t).and_then(|i| readers.binary_search(&i).ok())
    else {
        return Vec::new();
    };
    if position < MAX_READERS {
        return Vec::new();
    }
    let mut finding = RULE
        .at(
            t.anchor,
            format!(
                "this is reader {} of {} of {}: more than {MAX_READERS} readers of a stream \
                 shard are throttled, and every reader falls behind",
                position + 1,
                readers.len(),
                describe_stream(&stream)
            ),
        )
        .label("one reader too many")
        .help(
            "let one function read the stream and fan out (EventBridge Pipes, SNS, or Kinesis \
             Data Streams for DynamoDB)",
        );
    for &other in readers.iter().take(MAX_READERS) {
        finding = finding.related(scope.triggers[other].anchor, "also reads this stream");
    }
    vec![finding]
}

/// Where a trigger stands in the template's list, found from its address (the rule runs on
/// the triggers of that very list), so many readers of one stream cost no quadratic search.
fn index_in(triggers: &[Trigger], t: &Trigger) -> Option<usize> {
    let offset = (t as *const Trigger as usize).checked_sub(triggers.as_ptr() as usize)?;
    let i = offset / std::mem::size_of::<Trigger>().max(1);
    (i < triggers.len() && std::ptr::eq(&triggers[i], t)).then_some(i)
}

/// How messages name the stream: "the stream of table X" or "the DynamoDB stream `arn:...`".
fn describe_stream(identity: &str) -> String {
    match identity.strip_prefix("resource:") {
        Some(table) => format!("the stream of table {table}"),
        None => format!("the DynamoDB stream `{identity}`"),
    }
}
