//! Serverless Framework services: `functions.*.events[*]` of `stream`, `sqs`, `kafka`, `msk`,
//! `activemq` and `rabbitmq`, compiled into CloudFormation's shape exactly as the framework's
//! compile step does (v3.40 and v4 agree), including which values it writes on its own and
//! which written values it silently drops. Mapping resources under `resources.Resources` count
//! too.

use super::{Draft, cloudformation};
use crate::model::{Format, FunctionInfo, Setting, SourceKind, Tool, Trigger};
use crate::source::Span;
use crate::template::Template;
use crate::tree::{Entry, Map, Node, Value};

mod compile;
mod keys;

use compile::{compile_key, kafka_access, property, push_access, stream_timestamp};
use keys::{ignored_keys, reads_key, rules_for, tool_defaults};

pub const EVENT_KEYS: &[&str] = &["stream", "sqs", "kafka", "msk", "activemq", "rabbitmq"];

/// A service (`service:` with `functions:` or `provider:`), or a fragment that a service
/// includes with `${file(...)}`: a `functions:` section, or a bare map of functions.
pub fn looks_like_serverless(map: &Map) -> bool {
    let service = map.contains_key("service")
        && (map.contains_key("functions") || map.contains_key("provider"));
    let functions_section = !map.contains_key("Resources")
        && map
            .get("functions")
            .is_some_and(|f| functions(f).any(|(_, _, node)| node.get("events").is_some()));
    service || functions_section || is_function_map(map)
}

/// A bare map of functions (`name: {handler: ..., events: [...]}`), as fragments hold them.
fn is_function_map(map: &Map) -> bool {
    !map.is_empty()
        && map.iter().all(|e| e.value.as_map().is_some())
        && map.iter().any(|e| {
            e.value.get("handler").is_some()
                && e.value.get("events").and_then(Node::as_seq).is_some()
        })
}

/// Where the functions are: the `functions` section, or the document itself for a bare map.
fn functions_node(root: &Node) -> Option<&Node> {
    root.get("functions").or_else(|| {
        root.as_map()
            .filter(|m| !m.contains_key("service") && is_function_map(m))
            .map(|_| root)
    })
}

/// Whether the service loads plugins: `plugins: [...]` or `plugins: {modules: [...]}`.
fn uses_plugins(root: &Node) -> bool {
    let plugins = root.get("plugins");
    let modules = plugins.and_then(|p| p.get("modules")).or(plugins);
    modules
        .and_then(Node::as_seq)
        .is_some_and(|items| !items.is_empty())
}

/// `resources.Resources`, where `resources` may also be a list of such blocks.
pub fn resource_maps(root: &Node) -> Vec<&Node> {
    let Some(resources) = root.get("resources") else {
        return Vec::new();
    };
    // `resources` may be one map or a list of them.
    crate::tree::one_or_many(resources)
        .filter_map(|r| r.get("Resources"))
        .collect()
}

/// Functions as (name, name span, definition); `functions` may be a mapping or a list of them.
fn functions(node: &Node) -> impl Iterator<Item = (&str, Span, &Node)> {
    let maps: Vec<&Map> = match &node.value {
        Value::Map(m) => vec![m],
        Value::Seq(items) => items.iter().filter_map(Node::as_map).collect(),
        _ => Vec::new(),
    };
    maps.into_iter()
        .flat_map(Map::iter)
        .map(|e| (e.key.as_str(), e.key_span, &e.value))
}

pub fn load(template: &Template<'_>) -> Vec<Trigger> {
    let root = template.root;
    let provider_timeout = root.get_path(&["provider", "timeout"]);
    // A role given by name or ARN replaces the one the framework generates; `iam.role` as a
    // map (`statements`...) only adds to it.
    let provider_role = root.get_path(&["provider", "role"]).or(root
        .get_path(&["provider", "iam", "role"])
        .filter(|role| role.as_map().is_none()));
    let provider = (provider_timeout, provider_role);
    let plugins = uses_plugins(root);
    let mut triggers = Vec::new();
    for (name, name_span, function) in functions_node(root).into_iter().flat_map(functions) {
        let info = function_info(template, (name, name_span), function, provider);
        let events = function.get("events").and_then(Node::as_seq).unwrap_or(&[]);
        for (index, event) in events.iter().enumerate() {
            let Some(entry) = event
                .as_map()
                .and_then(|m| m.iter().find(|e| EVENT_KEYS.contains(&e.key.as_str())))
            else {
                continue;
            };
            let path = format!("functions/{name}/events/{index}/{}", entry.key);
            let mut draft = event_draft(template, entry, path);
            draft.function = Some(info.clone());
            if plugins {
                // A plugin may read a key the framework does not (serverless-offline-sqs reads
                // `queueName`): only keys with a known meaning are surely ignored.
                draft
                    .ignored_keys
                    .retain(|k| k.meant != crate::model::MeantSetting::Unknown);
            }
            triggers.push(draft.finish(template));
        }
    }
    let functions_by_id: Vec<(String, FunctionInfo)> = functions_node(root)
        .into_iter()
        .flat_map(functions)
        .map(|(name, name_span, function)| {
            let id = format!("{}LambdaFunction", normalized_name(name));
            (
                id,
                function_info(template, (name, name_span), function, provider),
            )
        })
        .collect();
    for mut trigger in cloudformation::load(template, "resources/Resources") {
        link_framework_function(&mut trigger, &functions_by_id);
        triggers.push(trigger);
    }
    triggers
}

/// A mapping written under `resources` usually names a function the framework creates
/// (`!GetAtt HelloLambdaFunction.Arn`); link it to that function's settings.
fn link_framework_function(trigger: &mut Trigger, functions: &[(String, FunctionInfo)]) {
    let Some(current) = &trigger.function else {
        return;
    };
    if current.in_template {
        return;
    }
    let named = trigger
        .property("FunctionName")
        .and_then(|p| crate::template::referenced_resource(&p.value))
        .map(|(id, _)| id.to_string());
    if let Some((_, info)) = functions.iter().find(|(id, _)| Some(id) == named.as_ref()) {
        trigger.function = Some(info.clone());
    }
}

/// The framework's normalised function name, the stem of its logical ids: `-` becomes `Dash`,
/// `_` becomes `Underscore`, and the first letter is upper-cased.
pub fn normalized_name(function: &str) -> String {
    let replaced = function.replace('-', "Dash").replace('_', "Underscore");
    let mut chars = replaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn function_info(
    template: &Template<'_>,
    (name, name_span): (&str, Span),
    function: &Node,
    (provider_timeout, provider_role): (Option<&Node>, Option<&Node>),
) -> FunctionInfo {
    let timeout = match function.get("timeout").or(provider_timeout) {
        Some(node) => template.written_int(node),
        None => Setting::ToolDefault {
            value: 6,
            tool: Tool::Serverless,
        },
    };
    let reserved_concurrency = function
        .get("reservedConcurrency")
        .map_or(Setting::Unset, |n| template.written_int(n));
    FunctionInfo {
        name: name.into(),
        in_template: true,
        timeout,
        reserved_concurrency,
        resource_id: Some(format!("{}LambdaFunction", normalized_name(name)).into()),
        declared_at: Some(name_span),
        dead_letter: function.get("onError").map(|n| n.span),
        own_role: function.get("role").or(provider_role).map(|n| n.span),
    }
}

fn event_draft(template: &Template<'_>, event: &Entry, path: String) -> Draft {
    let key = event.key.as_str();
    let mut draft = Draft::new(Format::Serverless, event.key_span, path);
    draft.event_type = Some(key.to_string());
    draft.tool = Some(Tool::Serverless);
    draft.tool_defaults = tool_defaults(key);
    let config = &event.value;
    // `- stream: arn:...` and `- sqs: arn:...` give the ARN alone.
    let (arn, settings): (Option<&Node>, Option<&Map>) = match &config.value {
        Value::Map(m) => (m.get("arn"), Some(m)),
        _ if matches!(key, "stream" | "sqs") => (Some(config), None),
        _ => (None, None),
    };
    draft.event_source = arn.cloned();
    draft.declaration = Some(config.clone());
    // The event's map, or the short form's scalar that a fix turns into a map.
    draft.settings_at = Some(config.span);
    if let Some(arn) = arn {
        // `- sqs: arn:...` names the ARN by the event key itself.
        let written_as = if settings.is_some() { "arn" } else { key };
        draft.properties.push(property(
            "EventSourceArn",
            written_as,
            event.key_span,
            arn.clone(),
        ));
    }
    draft.declared = declared_kind(key, settings);
    let Some(settings) = settings else {
        return draft;
    };
    for rule in rules_for(key) {
        if let Some(entry) = settings.entry(rule.key)
            && reads_key(key, rule.key)
        {
            compile_key(template, &mut draft, rule, entry);
        }
    }
    draft.ignored_keys = ignored_keys(key, settings);
    if key == "kafka"
        && let Some(access) = settings.get("accessConfigurations")
    {
        push_access(
            &mut draft.properties,
            "accessConfigurations",
            kafka_access(access),
        );
    }
    if key == "stream" {
        consumer_source(template, &mut draft, settings);
        stream_timestamp(template, &mut draft, settings);
    }
    draft
}

/// `consumer: <name or ARN>` on a Kinesis stream: the framework makes that text the mapping's
/// `EventSourceArn` and uses `arn` only for the IAM statement and the mapping's logical id.
/// (`consumer: true` creates a stream consumer of `arn`, which reads the same stream.)
fn consumer_source(template: &Template<'_>, draft: &mut Draft, settings: &Map) {
    let Some(entry) = settings.entry("consumer") else {
        return;
    };
    let is_text = match template.resolve(&entry.value) {
        Ok(resolved) => resolved.as_str().is_some(),
        // An intrinsic function gives the consumer's ARN at deploy time.
        Err(_) => entry.value.as_intrinsic().is_some(),
    };
    if !is_text || !reads_kinesis(template, draft) {
        return;
    }
    draft.event_source = Some(entry.value.clone());
    draft.properties.retain(|p| p.name != "EventSourceArn");
    draft.properties.push(property(
        "EventSourceArn",
        "consumer",
        entry.key_span,
        entry.value.clone(),
    ));
    if matches!(
        draft.declared,
        None | Some((SourceKind::KinesisOrDynamoDb, _))
    ) {
        draft.declared = Some((
            SourceKind::Kinesis,
            "the Serverless `stream` event's Kinesis `arn`".to_string(),
        ));
    }
}

/// Whether a `stream` event reads Kinesis, as the framework decides: its `type`, else the
/// service named in its `arn`.
fn reads_kinesis(template: &Template<'_>, draft: &Draft) -> bool {
    match &draft.declared {
        Some((SourceKind::KinesisOrDynamoDb, _)) | None => draft
            .event_source
            .as_ref()
            .and_then(|n| crate::kind::kind_of_source(n, template))
            .is_some_and(|(k, _)| k == SourceKind::Kinesis),
        Some((kind, _)) => *kind == SourceKind::Kinesis,
    }
}

fn declared_kind(key: &str, settings: Option<&Map>) -> Option<(SourceKind, String)> {
    let kind = match key {
        "stream" => {
            let type_ = settings.and_then(|s| s.get("type")).and_then(Node::as_str);
            let declared = |kind| {
                (
                    kind,
                    format!(
                        "the Serverless `stream` event's `type: {}`",
                        type_.unwrap_or_default()
                    ),
                )
            };
            return Some(match type_ {
                Some("kinesis") => declared(SourceKind::Kinesis),
                Some("dynamodb") => declared(SourceKind::DynamoDb),
                // The framework reads the kind from the ARN's service when there is no `type`;
                // an ARN not known here leaves both (`Draft::source_kind` prefers a known ARN).
                _ => (
                    SourceKind::KinesisOrDynamoDb,
                    "the Serverless `stream` event, whose `arn` does not say which".to_string(),
                ),
            });
        }
        "sqs" => SourceKind::Sqs { fifo: false },
        "kafka" => SourceKind::SelfManagedKafka,
        "msk" => SourceKind::Msk,
        _ => SourceKind::Mq,
    };
    Some((kind, format!("the Serverless `{key}` event")))
}
