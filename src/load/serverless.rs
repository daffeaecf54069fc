//! Serverless Framework services: `functions.*.events[*]` of `stream`, `sqs`, `kafka`, `msk`,
//! `activemq` and `rabbitmq`, compiled into CloudFormation's shape exactly as the framework's
//! compile step does (v3.40 and v4 agree), including which values it writes on its own and
//! which written values it silently drops. Mapping resources under `resources.Resources` count
//! too.

use super::settings::DefaultValue;
use super::{Draft, cloudformation};
use crate::model::{
    Format, FunctionInfo, IgnoredKey, LoaderNote, MeantSetting, Prop, Property, Setting,
    SourceKind, Tool, Trigger,
};
use crate::source::Span;
use crate::template::Template;
use crate::tree::{Entry, Map, Node, Value};

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
    match resources.as_seq() {
        Some(items) => items.iter().filter_map(|i| i.get("Resources")).collect(),
        None => resources.get("Resources").into_iter().collect(),
    }
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
    let plugins = uses_plugins(root);
    let mut triggers = Vec::new();
    for (name, name_span, function) in functions_node(root).into_iter().flat_map(functions) {
        let info = function_info(template, (name, name_span), function, provider_timeout);
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
                function_info(template, (name, name_span), function, provider_timeout),
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
    provider_timeout: Option<&Node>,
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
    }
}

/// When the framework copies a key into the mapping (its compile code, per event).
#[derive(Clone, Copy, PartialEq)]
enum Emit {
    /// `if (x != null)`: anything written.
    Written,
    /// `if (x)`: falsy values (0, false, "") are dropped and AWS's default applies.
    Truthy,
    /// `x || default`: falsy values are replaced by the framework's default.
    OrDefault,
}

/// How a key's value becomes a CloudFormation value.
#[derive(Clone, Copy)]
enum Shape {
    Plain,
    /// A scalar wrapped in a one-item list (`topic` -> `Topics: [topic]`).
    List,
    /// Nested under further keys (`maximumConcurrency` -> `ScalingConfig.MaximumConcurrency`).
    Nested(&'static [&'static str]),
    /// `filterPatterns` -> `FilterCriteria.Filters[].Pattern` (each pattern as a JSON string).
    Filters,
    /// `destinations.onFailure` (a string or `{arn, type}`) -> `DestinationConfig.OnFailure.Destination`.
    OnFailure,
    /// A secret or host that becomes one `SourceAccessConfigurations` item of this type.
    Access(&'static str),
}

struct KeyRule {
    key: &'static str,
    cfn: &'static str,
    shape: Shape,
    emit: Emit,
}

const fn rule(key: &'static str, cfn: &'static str, shape: Shape, emit: Emit) -> KeyRule {
    KeyRule {
        key,
        cfn,
        shape,
        emit,
    }
}

const STREAM: &[KeyRule] = &[
    rule("batchSize", "BatchSize", Shape::Plain, Emit::OrDefault),
    rule(
        "parallelizationFactor",
        "ParallelizationFactor",
        Shape::Plain,
        Emit::Truthy,
    ),
    rule(
        "startingPosition",
        "StartingPosition",
        Shape::Plain,
        Emit::OrDefault,
    ),
    rule("enabled", "Enabled", Shape::Plain, Emit::Written),
    rule(
        "batchWindow",
        "MaximumBatchingWindowInSeconds",
        Shape::Plain,
        Emit::Written,
    ),
    rule(
        "maximumRetryAttempts",
        "MaximumRetryAttempts",
        Shape::Plain,
        Emit::Written,
    ),
    rule(
        "bisectBatchOnFunctionError",
        "BisectBatchOnFunctionError",
        Shape::Plain,
        Emit::Written,
    ),
    rule(
        "functionResponseType",
        "FunctionResponseTypes",
        Shape::List,
        Emit::Written,
    ),
    rule(
        "maximumRecordAgeInSeconds",
        "MaximumRecordAgeInSeconds",
        Shape::Plain,
        Emit::Truthy,
    ),
    rule(
        "tumblingWindowInSeconds",
        "TumblingWindowInSeconds",
        Shape::Plain,
        Emit::Written,
    ),
    rule(
        "destinations",
        "DestinationConfig",
        Shape::OnFailure,
        Emit::Truthy,
    ),
    rule(
        "filterPatterns",
        "FilterCriteria",
        Shape::Filters,
        Emit::Truthy,
    ),
];

const SQS: &[KeyRule] = &[
    rule("batchSize", "BatchSize", Shape::Plain, Emit::OrDefault),
    rule("enabled", "Enabled", Shape::Plain, Emit::Written),
    rule(
        "maximumBatchingWindow",
        "MaximumBatchingWindowInSeconds",
        Shape::Plain,
        Emit::Written,
    ),
    rule(
        "functionResponseType",
        "FunctionResponseTypes",
        Shape::List,
        Emit::Written,
    ),
    rule(
        "filterPatterns",
        "FilterCriteria",
        Shape::Filters,
        Emit::Truthy,
    ),
    rule(
        "maximumConcurrency",
        "ScalingConfig",
        Shape::Nested(&["MaximumConcurrency"]),
        Emit::Truthy,
    ),
];

const KAFKA: &[KeyRule] = &[
    rule(
        "startingPosition",
        "StartingPosition",
        Shape::Plain,
        Emit::OrDefault,
    ),
    rule(
        "startingPositionTimestamp",
        "StartingPositionTimestamp",
        Shape::Plain,
        Emit::Written,
    ),
    rule("batchSize", "BatchSize", Shape::Plain, Emit::Truthy),
    rule(
        "maximumBatchingWindow",
        "MaximumBatchingWindowInSeconds",
        Shape::Plain,
        Emit::Truthy,
    ),
    rule("enabled", "Enabled", Shape::Plain, Emit::Written),
    rule("topic", "Topics", Shape::List, Emit::Written),
    rule(
        "bootstrapServers",
        "SelfManagedEventSource",
        Shape::Nested(&["Endpoints", "KafkaBootstrapServers"]),
        Emit::Written,
    ),
    rule(
        "consumerGroupId",
        "SelfManagedKafkaEventSourceConfig",
        Shape::Nested(&["ConsumerGroupId"]),
        Emit::Truthy,
    ),
    rule(
        "filterPatterns",
        "FilterCriteria",
        Shape::Filters,
        Emit::Truthy,
    ),
];

const MSK: &[KeyRule] = &[
    rule(
        "startingPosition",
        "StartingPosition",
        Shape::Plain,
        Emit::OrDefault,
    ),
    rule(
        "startingPositionTimestamp",
        "StartingPositionTimestamp",
        Shape::Plain,
        Emit::Written,
    ),
    rule("batchSize", "BatchSize", Shape::Plain, Emit::Truthy),
    rule(
        "maximumBatchingWindow",
        "MaximumBatchingWindowInSeconds",
        Shape::Plain,
        Emit::Truthy,
    ),
    rule("enabled", "Enabled", Shape::Plain, Emit::Written),
    rule("topic", "Topics", Shape::List, Emit::Written),
    rule(
        "consumerGroupId",
        "AmazonManagedKafkaEventSourceConfig",
        Shape::Nested(&["ConsumerGroupId"]),
        Emit::Truthy,
    ),
    rule(
        "saslScram512",
        "SourceAccessConfigurations",
        Shape::Access("SASL_SCRAM_512_AUTH"),
        Emit::Written,
    ),
    rule(
        "filterPatterns",
        "FilterCriteria",
        Shape::Filters,
        Emit::Truthy,
    ),
];

const MQ: &[KeyRule] = &[
    rule("batchSize", "BatchSize", Shape::Plain, Emit::Truthy),
    rule(
        "maximumBatchingWindow",
        "MaximumBatchingWindowInSeconds",
        Shape::Plain,
        Emit::Truthy,
    ),
    rule("enabled", "Enabled", Shape::Plain, Emit::Written),
    rule("queue", "Queues", Shape::List, Emit::Written),
    rule(
        "basicAuthArn",
        "SourceAccessConfigurations",
        Shape::Access("BASIC_AUTH"),
        Emit::Written,
    ),
    rule(
        "virtualHost",
        "SourceAccessConfigurations",
        Shape::Access("VIRTUAL_HOST"),
        Emit::Truthy,
    ),
    rule(
        "filterPatterns",
        "FilterCriteria",
        Shape::Filters,
        Emit::Truthy,
    ),
];

/// The kafka `accessConfigurations` keys and the access type each becomes.
const KAFKA_ACCESS: &[(&str, &str, &str)] = &[
    ("vpcSubnet", "VPC_SUBNET", "subnet:"),
    ("vpcSecurityGroup", "VPC_SECURITY_GROUP", "security_group:"),
    ("saslPlainAuth", "BASIC_AUTH", ""),
    ("saslScram256Auth", "SASL_SCRAM_256_AUTH", ""),
    ("saslScram512Auth", "SASL_SCRAM_512_AUTH", ""),
    (
        "clientCertificateTlsAuth",
        "CLIENT_CERTIFICATE_TLS_AUTH",
        "",
    ),
    ("serverRootCaCertificate", "SERVER_ROOT_CA_CERTIFICATE", ""),
];

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
    if draft.declared.is_none() {
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
        Some((kind, _)) => *kind == SourceKind::Kinesis,
        None => draft
            .event_source
            .as_ref()
            .and_then(|n| crate::kind::kind_of_source(n, template))
            .is_some_and(|(k, _)| k == SourceKind::Kinesis),
    }
}

fn rules_for(key: &str) -> &'static [KeyRule] {
    match key {
        "stream" => STREAM,
        "sqs" => SQS,
        "kafka" => KAFKA,
        "msk" => MSK,
        _ => MQ,
    }
}

/// Keys an event reads besides those that compile to one mapping property.
fn extra_keys(event: &str) -> &'static [&'static str] {
    match event {
        "stream" => &["arn", "type", "consumer", "startingPositionTimestamp"],
        "kafka" => &["accessConfigurations"],
        _ => &["arn"],
    }
}

/// Whether the framework's schema for an event has this key. The two broker events share a
/// table, but only `rabbitmq` has `virtualHost`.
fn reads_key(event: &str, key: &str) -> bool {
    !(event == "activemq" && key == "virtualHost")
}

/// Every key an event reads, as the framework's event schemas list them (the same in v3 and
/// v4; all of them are `additionalProperties: false`).
fn known_keys(event: &str) -> impl Iterator<Item = &'static str> + '_ {
    rules_for(event)
        .iter()
        .map(|r| r.key)
        .chain(extra_keys(event).iter().copied())
        .filter(move |k| reads_key(event, k))
}

/// Mapping properties no Serverless event has a key for, by the key an author would try.
const NOT_ON_ANY_EVENT: &[(&str, &str)] = &[
    ("kmsKeyArn", "KmsKeyArn"),
    ("metricsConfig", "MetricsConfig"),
    ("loggingConfig", "LoggingConfig"),
    ("provisionedPollers", "ProvisionedPollerConfig"),
    ("provisionedPollerConfig", "ProvisionedPollerConfig"),
    ("schemaRegistryConfig", "SchemaRegistryConfig"),
    ("tags", "Tags"),
];

/// The keys of an event that the framework does not read, each with what it was probably
/// meant to set. The framework warns about them (or, with `configValidationMode: off`, says
/// nothing) and deploys the trigger without them.
fn ignored_keys(event: &str, settings: &Map) -> Vec<IgnoredKey> {
    settings
        .iter()
        .filter(|e| !known_keys(event).any(|k| k == e.key))
        .map(|e| IgnoredKey {
            key: e.key.to_string(),
            span: e.key_span,
            meant: meant_setting(event, &e.key),
        })
        .collect()
}

fn meant_setting(event: &str, key: &str) -> MeantSetting {
    if let Some(known) = known_keys(event).find(|k| k.eq_ignore_ascii_case(key)) {
        return MeantSetting::OtherKey(known);
    }
    if event == "stream" && key.eq_ignore_ascii_case("onFailure") {
        return MeantSetting::OtherKey("destinations.onFailure");
    }
    if event == "activemq" && key == "virtualHost" {
        return MeantSetting::NotForSource(
            "ActiveMQ brokers have no virtual hosts (RabbitMQ's do)",
        );
    }
    if let Some(cfn) = property_meant_by(key) {
        let same = rules_for(event)
            .iter()
            .find(|r| r.cfn == cfn && reads_key(event, r.key));
        return match same {
            Some(rule) => MeantSetting::OtherKey(rule.key),
            None => MeantSetting::NotOnEvent(cfn),
        };
    }
    match crate::text::closest(key, known_keys(event)) {
        Some(known) => MeantSetting::OtherKey(known),
        None => MeantSetting::Unknown,
    }
}

/// The mapping property a key names: a key of another event, a property no event has a key
/// for, or the CloudFormation name itself in any case.
fn property_meant_by(key: &str) -> Option<&'static str> {
    [STREAM, SQS, KAFKA, MSK, MQ]
        .iter()
        .flat_map(|table| table.iter())
        .find(|r| r.key == key || r.cfn.eq_ignore_ascii_case(key))
        .map(|r| r.cfn)
        .or_else(|| {
            NOT_ON_ANY_EVENT
                .iter()
                .find(|(k, cfn)| k.eq_ignore_ascii_case(key) || cfn.eq_ignore_ascii_case(key))
                .map(|(_, cfn)| *cfn)
        })
        .or_else(|| {
            crate::model::Prop::ALL
                .iter()
                .map(|p| p.cfn_name())
                .find(|name| !name.contains('.') && name.eq_ignore_ascii_case(key))
        })
}

/// What the framework writes when the author does not.
fn tool_defaults(key: &str) -> Vec<(Prop, DefaultValue)> {
    match key {
        "stream" => vec![
            (Prop::BatchSize, DefaultValue::Int(10)),
            (Prop::StartingPosition, DefaultValue::Str("TRIM_HORIZON")),
            (Prop::Enabled, DefaultValue::Bool(true)),
        ],
        "sqs" => vec![
            (Prop::BatchSize, DefaultValue::Int(10)),
            (Prop::Enabled, DefaultValue::Bool(true)),
        ],
        "kafka" | "msk" => vec![(Prop::StartingPosition, DefaultValue::Str("TRIM_HORIZON"))],
        _ => Vec::new(),
    }
}

fn declared_kind(key: &str, settings: Option<&Map>) -> Option<(SourceKind, String)> {
    let kind = match key {
        "stream" => {
            let type_ = settings
                .and_then(|s| s.get("type"))
                .and_then(Node::as_str)?;
            return match type_ {
                "kinesis" => Some(SourceKind::Kinesis),
                "dynamodb" => Some(SourceKind::DynamoDb),
                _ => None,
            }
            .map(|kind| {
                (
                    kind,
                    format!("the Serverless `stream` event's `type: {type_}`"),
                )
            });
        }
        "sqs" => SourceKind::Sqs { fifo: false },
        "kafka" => SourceKind::SelfManagedKafka,
        "msk" => SourceKind::Msk,
        _ => SourceKind::Mq,
    };
    Some((kind, format!("the Serverless `{key}` event")))
}

/// Whether JavaScript would treat a value as false. Unresolved values count as present.
fn is_falsy(template: &Template<'_>, node: &Node) -> bool {
    let Ok(resolved) = template.resolve(node) else {
        return false;
    };
    match &resolved.value {
        Value::Null | Value::Bool(false) => true,
        Value::Int(0) => true,
        Value::Float(f) => *f == 0.0 || f.is_nan(),
        Value::Str(s) => s.is_empty(),
        _ => false,
    }
}

fn compile_key(template: &Template<'_>, draft: &mut Draft, rule: &KeyRule, entry: &Entry) {
    let absent = matches!(entry.value.value, Value::Null);
    let dropped = match rule.emit {
        Emit::Written => absent,
        Emit::Truthy | Emit::OrDefault => is_falsy(template, &entry.value),
    };
    if dropped {
        if !absent {
            let replaced_by = match rule.emit {
                Emit::OrDefault => "writes its own default instead",
                _ => "leaves it out, so the AWS default applies",
            };
            draft.notes.push(LoaderNote {
                span: entry.value.span,
                message: format!(
                    "the Serverless Framework ignores this falsy `{}` and {replaced_by}",
                    rule.key
                ),
            });
        }
        return;
    }
    let value = match rule.shape {
        Shape::Plain => entry.value.clone(),
        Shape::List => list_of(entry),
        Shape::Nested(path) => nested(path, entry),
        Shape::Filters => filters(entry),
        Shape::OnFailure => on_failure(entry),
        Shape::Access(type_) => {
            let item = access_item(type_, "", &entry.value, entry.key_span);
            push_access(&mut draft.properties, rule.key, vec![item]);
            return;
        }
    };
    // Messages name a nested key by its whole path.
    let has_on_failure = entry.value.get("onFailure").is_some();
    let key = match rule.shape {
        Shape::OnFailure if has_on_failure => "destinations.onFailure",
        _ => rule.key,
    };
    draft
        .properties
        .push(property(rule.cfn, key, entry.key_span, value));
}

/// The framework copies `startingPositionTimestamp` only for Kinesis streams read through a
/// `consumer`; anywhere else the written timestamp never reaches CloudFormation.
fn stream_timestamp(template: &Template<'_>, draft: &mut Draft, settings: &Map) {
    let Some(entry) = settings.entry("startingPositionTimestamp") else {
        return;
    };
    let consumer = settings
        .get("consumer")
        .is_some_and(|c| !is_falsy(template, c));
    let kinesis = matches!(draft.declared, Some((SourceKind::Kinesis, _)))
        || draft
            .event_source
            .as_ref()
            .and_then(|n| crate::kind::kind_of_source(n, template))
            .is_some_and(|(k, _)| k == SourceKind::Kinesis);
    if consumer && kinesis && !is_falsy(template, &entry.value) {
        draft.properties.push(property(
            "StartingPositionTimestamp",
            "startingPositionTimestamp",
            entry.key_span,
            entry.value.clone(),
        ));
    } else {
        draft.notes.push(LoaderNote {
            span: entry.value.span,
            message: "the Serverless Framework passes `startingPositionTimestamp` on only for \
                      Kinesis streams read through a `consumer`; here it is dropped"
                .to_string(),
        });
    }
}

fn property(cfn: &str, key: &str, key_span: Span, value: Node) -> Property {
    Property::new(cfn, key, key_span, value)
}

fn map_node(span: Span, entries: Vec<(&str, Span, Node)>) -> Node {
    Node::new(
        span,
        Value::Map(Map {
            entries: entries
                .into_iter()
                .map(|(key, key_span, value)| Entry {
                    key: key.to_string().into(),
                    key_span,
                    value,
                })
                .collect(),
        }),
    )
}

fn list_of(entry: &Entry) -> Node {
    Node::new(entry.value.span, Value::Seq(vec![entry.value.clone()]))
}

fn nested(path: &[&str], entry: &Entry) -> Node {
    path.iter().rev().fold(entry.value.clone(), |inner, key| {
        map_node(entry.value.span, vec![(key, entry.key_span, inner)])
    })
}

/// Each pattern becomes `{Pattern: "<the pattern as JSON>"}`; a value that is not a list
/// (a variable, say) is kept as written and stays unknown.
fn filters(entry: &Entry) -> Node {
    let Some(patterns) = entry.value.as_seq() else {
        return entry.value.clone();
    };
    let items = patterns
        .iter()
        .map(|p| {
            let json = Node::new(p.span, Value::Str(p.to_json().to_string().into()));
            map_node(p.span, vec![("Pattern", p.span, json)])
        })
        .collect();
    let filters = Node::new(entry.value.span, Value::Seq(items));
    map_node(entry.value.span, vec![("Filters", entry.key_span, filters)])
}

fn on_failure(entry: &Entry) -> Node {
    let on_failure = entry.value.as_map().and_then(|m| m.entry("onFailure"));
    let Some(on_failure) = on_failure else {
        return entry.value.clone();
    };
    let destination = match on_failure.value.get("arn") {
        Some(arn) if on_failure.value.as_map().is_some() => arn.clone(),
        _ => on_failure.value.clone(),
    };
    let inner = map_node(
        on_failure.value.span,
        vec![("Destination", on_failure.key_span, destination)],
    );
    map_node(
        entry.value.span,
        vec![("OnFailure", on_failure.key_span, inner)],
    )
}

fn access_item(type_: &str, prefix: &str, uri: &Node, key_span: Span) -> Node {
    let uri = match (&uri.value, prefix) {
        (Value::Str(s), p) if !p.is_empty() => {
            Node::new(uri.span, Value::Str(format!("{p}{s}").into()))
        }
        _ => uri.clone(),
    };
    map_node(
        uri.span,
        vec![
            (
                "Type",
                key_span,
                Node::new(key_span, Value::Str(type_.into())),
            ),
            ("URI", key_span, uri),
        ],
    )
}

/// Kafka `accessConfigurations`: each key holds one value or a list of them.
fn kafka_access(access: &Node) -> Vec<Node> {
    let Some(map) = access.as_map() else {
        return Vec::new();
    };
    let mut items = Vec::new();
    for entry in map.iter() {
        let (type_, prefix) = KAFKA_ACCESS
            .iter()
            .find(|(k, _, _)| *k == entry.key)
            .map_or((entry.key.as_str(), ""), |(_, t, p)| (*t, *p));
        let values = match entry.value.as_seq() {
            Some(values) => values.to_vec(),
            None => vec![entry.value.clone()],
        };
        items.extend(
            values
                .iter()
                .map(|v| access_item(type_, prefix, v, entry.key_span)),
        );
    }
    items
}

/// Access configurations from several keys share one `SourceAccessConfigurations` list.
fn push_access(properties: &mut Vec<Property>, key: &str, items: Vec<Node>) {
    let Some(first) = items.first() else {
        return;
    };
    if let Some(existing) = properties
        .iter_mut()
        .find(|p| p.name == "SourceAccessConfigurations")
        && let Value::Seq(list) = &mut existing.value.value
    {
        list.extend(items);
        return;
    }
    let span = first.span;
    properties.push(property(
        "SourceAccessConfigurations",
        key,
        span,
        Node::new(span, Value::Seq(items)),
    ));
}
