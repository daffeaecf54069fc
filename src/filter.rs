//! Lambda event filter patterns: reading them from a trigger, checking them against the
//! syntax Lambda accepts, and the record fields each kind of source lets them match.
//!
//! A pattern is a JSON object whose leaves are arrays of values or comparison objects. Lambda
//! accepts a subset of EventBridge's comparisons; the ones it does not accept fail the deploy.

use serde_json::{Map, Value as Json};

use crate::model::{SourceKind, Trigger};
use crate::source::Span;
use crate::template::Template;
use crate::tree::Node;

/// The longest pattern Lambda accepts, in characters.
pub const MAX_PATTERN_LENGTH: usize = 4096;
/// The most filters one trigger can have (five by default, ten with a quota increase).
pub const MAX_FILTERS: usize = 10;

/// One `Filters[].Pattern` of a trigger, where it is written, and its text when known.
pub struct Pattern {
    pub span: Span,
    /// `None` when the pattern is known only at deploy time.
    pub text: Option<String>,
}

/// The filter list of a trigger (its node and items), when it is written as a list.
pub fn filters(t: &Trigger) -> Option<(&Node, &[Node])> {
    let criteria = &t.property("FilterCriteria")?.value;
    let filters = criteria.get("Filters")?;
    Some((filters, filters.as_seq()?))
}

/// Every pattern of a trigger, resolved through the template where it can be.
pub fn patterns(t: &Trigger, template: &Template<'_>) -> Vec<Pattern> {
    let Some((_, items)) = filters(t) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| item.get("Pattern"))
        .map(|node| Pattern {
            span: node.span,
            text: template
                .resolve(node)
                .ok()
                .and_then(|n| n.as_str().map(str::to_string)),
        })
        .collect()
}

/// Why Lambda rejects a pattern, or the pattern as a JSON object.
pub fn parse(text: &str) -> Result<Map<String, Json>, String> {
    let length = text.chars().count();
    if length > MAX_PATTERN_LENGTH {
        return Err(format!(
            "the pattern is {length} characters long, more than the {MAX_PATTERN_LENGTH} Lambda \
             accepts"
        ));
    }
    let json: Json =
        serde_json::from_str(text).map_err(|e| format!("the pattern is not valid JSON ({e})"))?;
    let Json::Object(object) = json else {
        return Err(format!(
            "the pattern is a JSON {}, not an object",
            kind_of(&json)
        ));
    };
    check_object(&object, "")?;
    Ok(object)
}

fn kind_of(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

/// Fields hold objects (nested fields) or arrays (the values to match); `$or` holds an array
/// of objects.
fn check_object(object: &Map<String, Json>, path: &str) -> Result<(), String> {
    for (key, value) in object {
        let field = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        match (key.as_str(), value) {
            ("$or", Json::Array(branches)) => {
                for branch in branches {
                    let Json::Object(branch) = branch else {
                        return Err(at(&field, "has an item that is not an object"));
                    };
                    check_object(branch, path)?;
                }
            }
            ("$or", _) => return Err(at(&field, "must be an array of objects")),
            (_, Json::Object(nested)) => check_object(nested, &field)?,
            (_, Json::Array(values)) => check_values(values, &field)?,
            (_, other) => {
                return Err(at(
                    &field,
                    &format!(
                        "is a {}; the values to match must be in an array (`[{other}]`)",
                        kind_of(other)
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn at(field: &str, problem: &str) -> String {
    if field.is_empty() {
        format!("the pattern {problem}")
    } else {
        format!("`{field}` {problem}")
    }
}

/// The comparisons the pattern engine knows inside a field's array. Lambda's documentation
/// lists all but `wildcard` and `cidr`; those two are accepted here because AWS's own samples
/// deploy `cidr` filters, so rejecting them would be a guess.
const COMPARISONS: &[&str] = &[
    "anything-but",
    "numeric",
    "exists",
    "prefix",
    "suffix",
    "equals-ignore-case",
    "wildcard",
    "cidr",
];

fn check_values(values: &[Json], field: &str) -> Result<(), String> {
    for value in values {
        match value {
            Json::Object(comparison) => check_comparison(comparison, field)?,
            Json::Array(_) => return Err(at(field, "has an array inside its array")),
            _ => {}
        }
    }
    Ok(())
}

fn check_comparison(comparison: &Map<String, Json>, field: &str) -> Result<(), String> {
    let mut entries = comparison.iter();
    let (Some((name, operand)), None) = (entries.next(), entries.next()) else {
        return Err(at(
            field,
            "has a comparison object that is not exactly one operator",
        ));
    };
    if !COMPARISONS.contains(&name.as_str()) {
        return Err(at(
            field,
            &format!(
                "uses `{name}`, which is not a comparison Lambda knows (those are {})",
                COMPARISONS.join(", ")
            ),
        ));
    }
    let fits = match (name.as_str(), operand) {
        ("exists", operand) => operand.is_boolean(),
        ("prefix" | "suffix", operand) => operand.is_string() || is_ignore_case(operand),
        ("equals-ignore-case" | "wildcard" | "cidr", operand) => operand.is_string(),
        ("numeric", Json::Array(parts)) => numeric_range_fits(parts),
        ("numeric", _) => false,
        ("anything-but", operand) => !operand.is_null(),
        _ => true,
    };
    if fits {
        Ok(())
    } else {
        Err(at(
            field,
            &format!("has a `{name}` comparison with an operand Lambda rejects: {operand}"),
        ))
    }
}

fn is_ignore_case(operand: &Json) -> bool {
    operand
        .as_object()
        .and_then(|o| o.get("equals-ignore-case"))
        .is_some_and(Json::is_string)
}

/// `["=", 5]` or one or two bounds such as `[">", 0, "<=", 5]`.
fn numeric_range_fits(parts: &[Json]) -> bool {
    let pairs: Vec<&[Json]> = parts.chunks(2).collect();
    !pairs.is_empty()
        && pairs.len() <= 2
        && pairs.iter().all(|pair| {
            matches!(pair, [Json::String(op), Json::Number(_)]
                if matches!(op.as_str(), "=" | "<" | "<=" | ">" | ">="))
        })
}

/// The top-level fields of a record of this kind of source that a pattern can match, and the
/// field that holds the record's own data.
pub fn record_fields(kind: SourceKind) -> Option<(&'static [&'static str], &'static str)> {
    Some(match kind {
        SourceKind::Sqs { .. } | SourceKind::SqsStandardOrFifo => (
            &[
                "messageId",
                "receiptHandle",
                "body",
                "attributes",
                "messageAttributes",
                "md5OfBody",
                "md5OfMessageAttributes",
                "eventSource",
                "eventSourceARN",
                "awsRegion",
            ],
            "body",
        ),
        SourceKind::Kinesis => (
            &[
                "kinesisSchemaVersion",
                "partitionKey",
                "sequenceNumber",
                "data",
                "approximateArrivalTimestamp",
                "encryptionType",
            ],
            "data",
        ),
        SourceKind::DynamoDb => (
            &[
                "eventID",
                "eventName",
                "eventVersion",
                "eventSource",
                "awsRegion",
                "dynamodb",
                "userIdentity",
                "eventSourceARN",
            ],
            "dynamodb",
        ),
        SourceKind::Msk | SourceKind::SelfManagedKafka => (
            &[
                "topic",
                "partition",
                "offset",
                "timestamp",
                "timestampType",
                "key",
                "value",
                "headers",
            ],
            "value",
        ),
        SourceKind::Mq => (
            &[
                "messageID",
                "messageType",
                "timestamp",
                "deliveryMode",
                "correlationID",
                "replyTo",
                "destination",
                "redelivered",
                "type",
                "expiration",
                "priority",
                "data",
                "brokerInTime",
                "brokerOutTime",
                "properties",
                "basicProperties",
            ],
            "data",
        ),
        // Kinesis and DynamoDB records have different fields: which a pattern must name is not
        // known until the kind is.
        SourceKind::DocumentDb | SourceKind::KinesisOrDynamoDb | SourceKind::Unknown => {
            return None;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(text: &str) -> String {
        parse(text).expect_err(text)
    }

    #[test]
    fn accepts_the_comparisons_lambda_documents() {
        for text in [
            r#"{"body": {"status": ["done", "failed"]}}"#,
            r#"{"body": {"n": [{"numeric": [">", 0, "<=", 5]}]}}"#,
            r#"{"body": {"n": [{"numeric": ["=", 3]}]}}"#,
            r#"{"eventName": [{"anything-but": ["REMOVE"]}]}"#,
            r#"{"data": {"x": [{"exists": false}], "y": [null], "z": [""]}}"#,
            r#"{"data": {"x": [{"prefix": "a"}, {"suffix": ".png"}]}}"#,
            r#"{"data": {"x": [{"equals-ignore-case": "A"}]}}"#,
            r#"{"data": {"x": [{"prefix": {"equals-ignore-case": "a"}}]}}"#,
            r#"{"$or": [{"data": {"a": [1]}}, {"data": {"b": [2]}}]}"#,
        ] {
            assert!(parse(text).is_ok(), "{text}: {:?}", parse(text));
        }
    }

    #[test]
    fn names_what_lambda_rejects() {
        assert_eq!(problem("[1]"), "the pattern is a JSON array, not an object");
        assert!(problem("{body: 1}").starts_with("the pattern is not valid JSON"));
        assert_eq!(
            problem(r#"{"body": {"status": "done"}}"#),
            "`body.status` is a string; the values to match must be in an array (`[\"done\"]`)"
        );
        assert_eq!(
            problem(r#"{"body": {"path": [{"contains": "png"}]}}"#),
            "`body.path` uses `contains`, which is not a comparison Lambda knows (those are \
             anything-but, numeric, exists, prefix, suffix, equals-ignore-case, wildcard, cidr)"
        );
        assert_eq!(
            problem(r#"{"body": {"n": [{"numeric": [">>", 1]}]}}"#),
            "`body.n` has a `numeric` comparison with an operand Lambda rejects: [\">>\",1]"
        );
        assert_eq!(
            problem(r#"{"$or": {"body": {"a": [1]}}}"#),
            "`$or` must be an array of objects"
        );
        let long = format!(r#"{{"body": ["{}"]}}"#, "x".repeat(4100));
        assert_eq!(
            problem(&long),
            "the pattern is 4114 characters long, more than the 4096 Lambda accepts"
        );
    }
}
