//! Which keys each Serverless event reads, how the framework compiles each into a mapping
//! property, what it writes when the author does not, and what an unread key was meant to set.

use crate::load::settings::DefaultValue;
use crate::model::{IgnoredKey, MeantSetting, Prop};
use crate::tree::Map;

/// When the framework copies a key into the mapping (its compile code, per event).
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Emit {
    /// `if (x != null)`: anything written.
    Written,
    /// `if (x)`: falsy values (0, false, "") are dropped and AWS's default applies.
    Truthy,
    /// `x || default`: falsy values are replaced by the framework's default.
    OrDefault,
}

/// How a key's value becomes a CloudFormation value.
#[derive(Clone, Copy)]
pub(super) enum Shape {
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

pub(super) struct KeyRule {
    pub(super) key: &'static str,
    pub(super) cfn: &'static str,
    pub(super) shape: Shape,
    pub(super) emit: Emit,
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
pub(super) const KAFKA_ACCESS: &[(&str, &str, &str)] = &[
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

pub(super) fn rules_for(key: &str) -> &'static [KeyRule] {
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
pub(super) fn reads_key(event: &str, key: &str) -> bool {
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
pub(super) fn ignored_keys(event: &str, settings: &Map) -> Vec<IgnoredKey> {
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
pub(super) fn tool_defaults(key: &str) -> Vec<(Prop, DefaultValue)> {
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
