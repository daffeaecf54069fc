//! A source's kind from the IAM grants the template itself writes: the last thing asked when
//! neither the source's ARN nor a resource of the template names it.

use crate::model::{KindBasis, SourceKind};
use crate::template::Template;
use crate::tree::{Node, one_or_many};

/// The kind the template's own IAM grants give a source nothing else names: a policy
/// statement that allows actions of one source service on that very expression. IAM actions
/// only apply to their own service's resources, so `sqs:ReceiveMessage` on
/// `module.jobs.queue_arn` says the output is a queue's ARN. Statements that disagree decide
/// nothing; a statement with actions of several source services decides nothing either (its
/// resources may be of either).
pub fn kind_from_grants(source: &Node, template: &Template<'_>) -> Option<(SourceKind, KindBasis)> {
    let mut found: Option<(SourceKind, KindBasis)> = None;
    for statement in template.statements_granting_on(source) {
        if is_deny(statement) {
            continue;
        }
        let Some((kind, action)) = granted_service(statement) else {
            continue;
        };
        match &found {
            Some((known, _)) if *known != kind => return None,
            Some(_) => {}
            None => {
                let basis = KindBasis::Grant {
                    action,
                    statement: statement.span,
                };
                found = Some((kind, basis));
            }
        }
    }
    found
}

fn is_deny(statement: &Node) -> bool {
    statement
        .get("Effect")
        .and_then(Node::as_str)
        .is_some_and(|e| e.eq_ignore_ascii_case("deny"))
}

/// The one source service whose actions a statement allows, with the action to quote (the
/// reading one when written: `sqs:ReceiveMessage`, `kinesis:GetRecords`).
fn granted_service(statement: &Node) -> Option<(SourceKind, String)> {
    let actions: Vec<&str> = statement
        .get("Action")
        .map(|a| one_or_many(a).filter_map(Node::as_str).collect())
        .unwrap_or_default();
    let mut granted: Option<(SourceKind, &str)> = None;
    for action in &actions {
        let Some((service, name)) = action.split_once(':') else {
            continue;
        };
        let kind = match service.to_ascii_lowercase().as_str() {
            "sqs" => SourceKind::SqsStandardOrFifo,
            "kinesis" => SourceKind::Kinesis,
            "dynamodb" => SourceKind::DynamoDb,
            _ => continue,
        };
        match granted {
            Some((known, _)) if known != kind => return None,
            Some((_, quoted)) if reads_records(name) && !reads_records(quoted) => {
                granted = Some((kind, action));
            }
            Some(_) => {}
            None => granted = Some((kind, action)),
        }
    }
    granted.map(|(kind, action)| (kind, action.to_string()))
}

/// Whether an action (`GetRecords` or `kinesis:GetRecords`) is how a consumer reads the source.
fn reads_records(action: &str) -> bool {
    let name = action.rsplit(':').next().unwrap_or(action);
    matches!(name, "ReceiveMessage" | "GetRecords" | "SubscribeToShard")
}
