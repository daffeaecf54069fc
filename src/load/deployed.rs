//! Event source mappings as the Lambda API describes them (`aws lambda
//! list-event-source-mappings` or `get-event-source-mapping`, as JSON): what runs in an account.
//!
//! The API's field names are CloudFormation's for every setting, so a mapping's settings become
//! properties as they are; what only the API has (`UUID`, `State`, `LastProcessingResult`)
//! becomes the trigger's deployed state. Every value is as deployed: nothing absent is filled
//! in with a default.

use super::Draft;
use crate::model::{DeployedState, Format, Property, Trigger};
use crate::template::Template;
use crate::tree::{Entry, Map, Node, Value};

/// A listing (`EventSourceMappings: [...]`, one page or all) or a single mapping object.
pub fn looks_deployed(map: &Map) -> bool {
    map.get("EventSourceMappings")
        .is_some_and(|m| matches!(m.value, Value::Seq(_)))
        || is_mapping(map)
}

fn is_mapping(map: &Map) -> bool {
    map.contains_key("UUID") && map.contains_key("FunctionArn")
}

/// The mapping settings the API shares with `AWS::Lambda::EventSourceMapping`; fields it adds
/// (`LastModified`, `EventSourceMappingArn`, `FilterCriteriaError`...) describe the mapping,
/// not its settings, and new ones are passed over rather than reported.
const SETTINGS: &[&str] = &[
    "AmazonManagedKafkaEventSourceConfig",
    "BatchSize",
    "BisectBatchOnFunctionError",
    "DestinationConfig",
    "DocumentDBEventSourceConfig",
    "EventSourceArn",
    "FilterCriteria",
    "FunctionResponseTypes",
    "KmsKeyArn",
    "LoggingConfig",
    "MaximumBatchingWindowInSeconds",
    "MaximumRecordAgeInSeconds",
    "MaximumRetryAttempts",
    "MetricsConfig",
    "ParallelizationFactor",
    "ProvisionedPollerConfig",
    "Queues",
    "ScalingConfig",
    "SelfManagedEventSource",
    "SelfManagedKafkaEventSourceConfig",
    "SourceAccessConfigurations",
    "StartingPosition",
    "StartingPositionTimestamp",
    "Topics",
    "TumblingWindowInSeconds",
];

/// States in which the mapping polls its source (or is about to).
const POLLING: &[&str] = &["Enabled", "Enabling", "Creating", "Updating"];
/// States in which it does not.
const NOT_POLLING: &[&str] = &["Disabled", "Disabling"];
/// States in which a change is still being applied.
const CHANGING: &[&str] = &["Creating", "Updating", "Deleting", "Enabling", "Disabling"];

pub fn load(template: &Template<'_>) -> Vec<Trigger> {
    let root = template.root;
    let listed = root.get("EventSourceMappings").and_then(Node::as_seq);
    let mappings: Vec<(String, &Node)> = match listed {
        Some(items) => items
            .iter()
            .enumerate()
            .map(|(i, m)| (format!("EventSourceMappings/{i}"), m))
            .collect(),
        None => vec![("EventSourceMapping".to_string(), root)],
    };
    mappings
        .into_iter()
        .filter_map(|(path, node)| Some(mapping(template, node.as_map()?, node, path)))
        .collect()
}

fn mapping(template: &Template<'_>, map: &Map, node: &Node, path: String) -> Trigger {
    let uuid = map.entry("UUID");
    // Unset settings are reported at the mapping's `UUID`, the line that names it.
    let anchor = uuid.map_or(node.span, |e| e.key_span);
    let mut draft = Draft::new(Format::Deployed, anchor, path);
    draft.properties = map
        .iter()
        .filter(|e| SETTINGS.contains(&e.key.as_str()))
        .map(|e| Property::new(&e.key, &e.key, e.key_span, as_template_value(e)))
        .collect();
    draft.event_source = map.get("EventSourceArn").cloned();
    if let Some(state) = map.entry("State") {
        draft.properties.extend(enabled_from_state(state));
    }
    draft.function = map.get("FunctionArn").map(|arn| function(template, arn));
    let deployed = DeployedState {
        uuid: uuid
            .and_then(|e| e.value.as_str())
            .unwrap_or("(no UUID)")
            .into(),
        state: text_and_span(map.entry("State")),
        state_reason: map
            .get("StateTransitionReason")
            .and_then(Node::as_str)
            .map(str::to_string),
        last_processing_result: text_and_span(map.entry("LastProcessingResult")),
    };
    draft.notes = notes(&deployed, anchor);
    draft.deployed = Some(deployed);
    draft.finish(template)
}

/// What `inspect` says of a deployed mapping besides its settings: its state, and which rules
/// cannot look past it.
fn notes(deployed: &DeployedState, anchor: crate::source::Span) -> Vec<crate::model::LoaderNote> {
    let mut notes = Vec::new();
    if let Some((state, _)) = &deployed.state {
        let transition = if CHANGING.contains(&state.as_str()) {
            ": a change is being applied, so the settings shown may not be running yet"
        } else {
            ""
        };
        let reason = deployed
            .state_reason
            .as_ref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        notes.push(crate::model::LoaderNote {
            span: anchor,
            message: format!("deployed, state {state}{reason}{transition}"),
        });
    }
    if let Some((result, _)) = &deployed.last_processing_result {
        notes.push(crate::model::LoaderNote {
            span: anchor,
            message: format!("last processing result: {result}"),
        });
    }
    notes.push(crate::model::LoaderNote {
        span: anchor,
        message: "the queue, stream, table and function are not part of a mapping's \
                  description: rules about their settings stay quiet"
            .to_string(),
    });
    notes
}

fn text_and_span(entry: Option<&Entry>) -> Option<(String, crate::source::Span)> {
    let entry = entry?;
    Some((entry.value.as_str()?.to_string(), entry.value.span))
}

/// The API has no `Enabled`; its `State` says whether the mapping polls.
fn enabled_from_state(state: &Entry) -> Option<Property> {
    let text = state.value.as_str()?;
    let enabled = if POLLING.contains(&text) {
        true
    } else if NOT_POLLING.contains(&text) {
        false
    } else {
        return None;
    };
    Some(Property::new(
        "Enabled",
        "State",
        state.key_span,
        Node::new(state.value.span, Value::Bool(enabled)),
    ))
}

/// A field's value in the shape the template view and the schema expect: the API's
/// `KAFKA_BOOTSTRAP_SERVERS` endpoint key is CloudFormation's `KafkaBootstrapServers`, and
/// `DestinationConfig.OnSuccess` (which mappings cannot use) is left out.
fn as_template_value(entry: &Entry) -> Node {
    let mut value = entry.value.clone();
    match (entry.key.as_str(), &mut value.value) {
        ("SelfManagedEventSource", Value::Map(source)) => {
            if let Some(Value::Map(endpoints)) = source
                .entries
                .iter_mut()
                .find(|e| e.key == "Endpoints")
                .map(|e| &mut e.value.value)
            {
                for endpoint in &mut endpoints.entries {
                    if endpoint.key == "KAFKA_BOOTSTRAP_SERVERS" {
                        endpoint.key = "KafkaBootstrapServers".into();
                    }
                }
            }
        }
        ("DestinationConfig", Value::Map(config)) => {
            config.entries.retain(|e| e.key != "OnSuccess");
        }
        // AWS CLI v2 prints timestamps as ISO 8601 text; CloudFormation takes Unix seconds.
        ("StartingPositionTimestamp", Value::Str(text)) => {
            value.value = match unix_seconds(text) {
                Some(seconds) => Value::Int(seconds),
                None => Value::Unknown(Box::new(crate::tree::Unknown {
                    text: text.to_string(),
                    why: "not a timestamp the API writes".to_string(),
                })),
            };
        }
        _ => {}
    }
    value
}

/// `2024-01-31T12:00:00.000000+01:00` (or `...Z`) as Unix seconds.
fn unix_seconds(text: &str) -> Option<i64> {
    let (date, rest) = text.split_once('T')?;
    let mut ymd = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (year, month, day) = (ymd.next()??, ymd.next()??, ymd.next()??);
    let offset_at = rest.rfind(['+', '-', 'Z']).unwrap_or(rest.len());
    let (time, zone) = rest.split_at(offset_at);
    let time = time.split('.').next()?;
    let mut hms = time.splitn(3, ':').map(|p| p.parse::<i64>().ok());
    let (hour, minute, second) = (hms.next()??, hms.next()??, hms.next()??);
    let offset = match zone {
        "" | "Z" => 0,
        _ => {
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let (h, m) = zone[1..].split_once(':')?;
            sign * (h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60)
        }
    };
    let valid = (1..=12).contains(&month) && (1..=31).contains(&day) && hour < 24 && minute < 60;
    valid.then(|| {
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset
    })
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The function a mapping invokes, named from its ARN; its own settings are not in the
/// mapping's description, so the rules that need them stay quiet.
fn function(template: &Template<'_>, arn: &Node) -> crate::model::FunctionInfo {
    let mut info = super::cloudformation::function_info(template, arn);
    let why = "the function's settings are not part of the mapping's description".to_string();
    for setting in [&mut info.timeout, &mut info.reserved_concurrency] {
        *setting = crate::model::Setting::Unknown {
            span: None,
            why: why.clone(),
        };
    }
    info
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_timestamps_become_unix_seconds() {
        assert_eq!(unix_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            unix_seconds("2024-01-01T00:00:00+00:00"),
            Some(1_704_067_200)
        );
        assert_eq!(
            unix_seconds("2024-01-01T01:00:00.123456+01:00"),
            Some(1_704_067_200)
        );
        assert_eq!(
            unix_seconds("2023-12-31T19:00:00-05:00"),
            Some(1_704_067_200)
        );
        assert_eq!(unix_seconds("yesterday"), None);
        assert_eq!(unix_seconds("2024-13-01T00:00:00Z"), None);
    }
}
