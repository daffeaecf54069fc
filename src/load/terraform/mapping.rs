//! `aws_lambda_event_source_mapping` arguments and the entries of the terraform-aws-modules
//! Lambda module's `event_source_mapping` map, as CloudFormation mapping properties.

use super::schema::{Field, Kind, block, blocks, value, with};

const DESTINATION: &[Field] = &[block(
    "on_failure",
    "OnFailure",
    &[value("destination_arn", "Destination")],
)];
const FILTER: &[Field] = &[blocks("filter", "Filters", PATTERN)];
const PATTERN: &[Field] = &[value("pattern", "Pattern")];
const SCALING: &[Field] = &[value("maximum_concurrency", "MaximumConcurrency")];
const POLLERS: &[Field] = &[
    value("minimum_pollers", "MinimumPollers"),
    value("maximum_pollers", "MaximumPollers"),
    value("poller_group_name", "PollerGroupName"),
];
const METRICS: &[Field] = &[value("metrics", "Metrics")];
const ACCESS: &[Field] = &[value("type", "Type"), value("uri", "URI")];
const SCHEMA_REGISTRY: &[Field] = &[
    value("event_record_format", "EventRecordFormat"),
    value("schema_registry_uri", "SchemaRegistryURI"),
    blocks("access_config", "AccessConfigs", ACCESS),
    blocks(
        "schema_validation_config",
        "SchemaValidationConfigs",
        &[value("attribute", "Attribute")],
    ),
];
const KAFKA_CONFIG: &[Field] = &[
    value("consumer_group_id", "ConsumerGroupId"),
    block(
        "schema_registry_config",
        "SchemaRegistryConfig",
        SCHEMA_REGISTRY,
    ),
];
const DOCUMENT_DB: &[Field] = &[
    value("database_name", "DatabaseName"),
    value("collection_name", "CollectionName"),
    value("full_document", "FullDocument"),
];
const SELF_MANAGED: &[Field] = &[with("endpoints", "Endpoints", Kind::Endpoints)];

/// The arguments every mapping has under the same name in the provider and in the module.
macro_rules! scalar_fields {
    () => {
        [
            value("event_source_arn", "EventSourceArn"),
            value("batch_size", "BatchSize"),
            value(
                "maximum_batching_window_in_seconds",
                "MaximumBatchingWindowInSeconds",
            ),
            value("starting_position", "StartingPosition"),
            with(
                "starting_position_timestamp",
                "StartingPositionTimestamp",
                Kind::Timestamp,
            ),
            value("parallelization_factor", "ParallelizationFactor"),
            value("maximum_retry_attempts", "MaximumRetryAttempts"),
            value("maximum_record_age_in_seconds", "MaximumRecordAgeInSeconds"),
            value(
                "bisect_batch_on_function_error",
                "BisectBatchOnFunctionError",
            ),
            value("tumbling_window_in_seconds", "TumblingWindowInSeconds"),
            value("enabled", "Enabled"),
            value("function_response_types", "FunctionResponseTypes"),
            value("topics", "Topics"),
            value("queues", "Queues"),
        ]
    };
}

/// `resource "aws_lambda_event_source_mapping"` (AWS provider 6.x).
pub static RESOURCE_FIELDS: &[Field] = &{
    let scalars = scalar_fields!();
    let [a, b, c, d, e, f, g, h, i, j, k, l, m, n] = scalars;
    [
        a,
        value("function_name", "FunctionName"),
        b,
        c,
        d,
        e,
        f,
        g,
        h,
        i,
        j,
        k,
        l,
        m,
        n,
        value("kms_key_arn", "KmsKeyArn"),
        block("destination_config", "DestinationConfig", DESTINATION),
        block("filter_criteria", "FilterCriteria", FILTER),
        block("scaling_config", "ScalingConfig", SCALING),
        block(
            "provisioned_poller_config",
            "ProvisionedPollerConfig",
            POLLERS,
        ),
        block("metrics_config", "MetricsConfig", METRICS),
        block(
            "self_managed_event_source",
            "SelfManagedEventSource",
            SELF_MANAGED,
        ),
        blocks(
            "source_access_configuration",
            "SourceAccessConfigurations",
            ACCESS,
        ),
        block(
            "amazon_managed_kafka_event_source_config",
            "AmazonManagedKafkaEventSourceConfig",
            KAFKA_CONFIG,
        ),
        block(
            "self_managed_kafka_event_source_config",
            "SelfManagedKafkaEventSourceConfig",
            KAFKA_CONFIG,
        ),
        block(
            "document_db_event_source_config",
            "DocumentDBEventSourceConfig",
            DOCUMENT_DB,
        ),
    ]
};

/// An entry of the lambda module's `event_source_mapping` map (module versions 7 and 8): the
/// provider's names, but a destination ARN of its own, `filter_criteria` as a pattern or a list
/// of them, and nested blocks as objects or one-item lists.
pub static MODULE_FIELDS: &[Field] = &{
    let [a, b, c, d, e, f, g, h, i, j, k, l, m, n] = scalar_fields!();
    [
        a,
        b,
        c,
        d,
        e,
        f,
        g,
        h,
        i,
        j,
        k,
        l,
        m,
        n,
        with(
            "destination_arn_on_failure",
            "DestinationConfig",
            Kind::Nested(&["OnFailure", "Destination"]),
        ),
        with(
            "filter_criteria",
            "FilterCriteria",
            Kind::Wrapped("Filters", PATTERN),
        ),
        block("scaling_config", "ScalingConfig", SCALING),
        block(
            "provisioned_poller_config",
            "ProvisionedPollerConfig",
            POLLERS,
        ),
        block("metrics_config", "MetricsConfig", METRICS),
        block(
            "self_managed_event_source",
            "SelfManagedEventSource",
            SELF_MANAGED,
        ),
        blocks(
            "source_access_configuration",
            "SourceAccessConfigurations",
            ACCESS,
        ),
        block(
            "amazon_managed_kafka_event_source_config",
            "AmazonManagedKafkaEventSourceConfig",
            KAFKA_CONFIG,
        ),
        block(
            "self_managed_kafka_event_source_config",
            "SelfManagedKafkaEventSourceConfig",
            KAFKA_CONFIG,
        ),
        block(
            "document_db_event_source_config",
            "DocumentDBEventSourceConfig",
            DOCUMENT_DB,
        ),
    ]
};

/// Meta-arguments and arguments that do not reach the mapping's properties the rules read
/// (tags are a map in Terraform, a list in CloudFormation, and no rule is about them).
pub const IGNORED: &[&str] = &[
    "tags",
    "count",
    "for_each",
    "depends_on",
    "lifecycle",
    "provider",
    "region",
    "use_resource_timeout_for_propagation",
    "timeouts",
];

/// How Terraform names the keys CloudFormation nests inside mapping properties, for messages
/// about a nested value (`destination_config.on_failure.destination_arn`).
pub const NESTED_NAMES: &[(&str, &str)] = &[
    ("OnFailure", "on_failure"),
    ("Destination", "destination_arn"),
    ("Filters", "filter"),
    ("Pattern", "pattern"),
    ("MaximumConcurrency", "maximum_concurrency"),
    ("MinimumPollers", "minimum_pollers"),
    ("MaximumPollers", "maximum_pollers"),
    ("PollerGroupName", "poller_group_name"),
    ("Metrics", "metrics"),
    ("Endpoints", "endpoints"),
    ("KafkaBootstrapServers", "KAFKA_BOOTSTRAP_SERVERS"),
    ("Type", "type"),
    ("URI", "uri"),
    ("ConsumerGroupId", "consumer_group_id"),
    ("SchemaRegistryConfig", "schema_registry_config"),
    ("EventRecordFormat", "event_record_format"),
    ("SchemaRegistryURI", "schema_registry_uri"),
    ("AccessConfigs", "access_config"),
    ("SchemaValidationConfigs", "schema_validation_config"),
    ("Attribute", "attribute"),
    ("DatabaseName", "database_name"),
    ("CollectionName", "collection_name"),
    ("FullDocument", "full_document"),
    ("Key", "key"),
    ("Value", "value"),
];
