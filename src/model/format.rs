//! The formats a trigger is written in, and how each names what the rules talk about: settings,
//! lists, references, resource properties, and which bad values Terraform's provider refuses.

use std::fmt;

/// The format a trigger was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    CloudFormation,
    Sam,
    Serverless,
    Terraform,
    /// The Lambda API's description of deployed mappings (`aws lambda
    /// list-event-source-mappings`).
    Deployed,
    /// A Terraform (or OpenTofu) plan as `terraform show -json` prints it: every value as
    /// Terraform resolved it. Messages use Terraform's names, as for [`Format::Terraform`].
    TerraformPlan,
}

impl Format {
    pub fn id(self) -> &'static str {
        match self {
            Format::CloudFormation => "cloudformation",
            Format::Sam => "sam",
            Format::Serverless => "serverless",
            Format::Terraform => "terraform",
            Format::TerraformPlan => "terraform-plan",
            Format::Deployed => "deployed",
        }
    }

    /// What one unit of input is called in messages: what rules searched for a linked
    /// resource ("no alarm in this module").
    pub fn unit(self) -> &'static str {
        match self {
            Format::Terraform => "module",
            Format::TerraformPlan => "plan",
            Format::Deployed => "account",
            _ => "template",
        }
    }
}

/// How a format writes what rules advise: a setting, a list, a reference, a resource type.
impl Format {
    /// Whether the author wrote Terraform: `.tf` files, or the plan made from them.
    pub fn is_terraform(self) -> bool {
        matches!(self, Format::Terraform | Format::TerraformPlan)
    }

    /// `key` set to a string, as the author writes it: `key: LATEST`, `key = "LATEST"`.
    pub fn set_text(self, key: &str, text: &str) -> String {
        match self {
            Format::Terraform | Format::TerraformPlan => format!("{key} = \"{text}\""),
            _ => format!("{key}: {text}"),
        }
    }

    /// `key` set to a number or a boolean: `key: true`, `key = true`.
    pub fn set_value(self, key: &str, value: impl fmt::Display) -> String {
        match self {
            Format::Terraform | Format::TerraformPlan => format!("{key} = {value}"),
            _ => format!("{key}: {value}"),
        }
    }

    /// `key` set to a list of strings: `key: [A]`, `key = ["A"]`.
    pub fn set_list(self, key: &str, items: &[&str]) -> String {
        match self {
            Format::Terraform | Format::TerraformPlan => {
                let quoted: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
                format!("{key} = [{}]", quoted.join(", "))
            }
            _ => format!("{key}: [{}]", items.join(", ")),
        }
    }

    /// A reference to an attribute of a resource of the template: `!GetAtt Table.StreamArn`,
    /// `aws_dynamodb_table.orders.stream_arn`.
    pub fn reference(self, id: &str, attribute: &str) -> String {
        match self {
            Format::Terraform | Format::TerraformPlan => format!("{id}.{}", snake_case(attribute)),
            _ => format!("!GetAtt {id}.{attribute}"),
        }
    }

    /// How the author declares a resource of a CloudFormation type.
    pub fn resource_type(self, cfn_type: &'static str) -> &'static str {
        if !self.is_terraform() {
            return cfn_type;
        }
        match cfn_type {
            "AWS::CloudWatch::Alarm" => "aws_cloudwatch_metric_alarm",
            "AWS::SQS::Queue" => "aws_sqs_queue",
            "AWS::Lambda::EventSourceMapping" => "aws_lambda_event_source_mapping",
            "AWS::DynamoDB::Table" => "aws_dynamodb_table",
            "AWS::Kinesis::Stream" => "aws_kinesis_stream",
            other => other,
        }
    }

    /// Who refuses an invalid mapping, for messages about deploys that fail.
    pub fn rejecter(self) -> &'static str {
        match self {
            Format::Sam => "the SAM translator rejects the template",
            Format::Terraform | Format::TerraformPlan => {
                "the Lambda API rejects the mapping when Terraform applies"
            }
            Format::Deployed => "the Lambda API rejects the mapping",
            _ => "CloudFormation rejects the mapping",
        }
    }
}

/// `ConsumerGroupId` -> `consumerGroupId`, as the Serverless Framework names its keys.
pub(super) fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|first| first.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// `StreamArn` -> `stream_arn`.
pub(super) fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The `event_type` of triggers declared as entries of the terraform-aws-modules Lambda module's
/// `event_source_mapping` input.
pub const TERRAFORM_MODULE_EVENT: &str = "module";

/// Every argument of `aws_lambda_event_source_mapping` (AWS provider 6.x), for suggestions.
pub const TERRAFORM_MAPPING_ARGUMENTS: &[&str] = &[
    "event_source_arn",
    "function_name",
    "batch_size",
    "maximum_batching_window_in_seconds",
    "starting_position",
    "starting_position_timestamp",
    "parallelization_factor",
    "maximum_retry_attempts",
    "maximum_record_age_in_seconds",
    "bisect_batch_on_function_error",
    "tumbling_window_in_seconds",
    "enabled",
    "function_response_types",
    "topics",
    "queues",
    "kms_key_arn",
    "tags",
    "region",
    "destination_config",
    "filter_criteria",
    "scaling_config",
    "provisioned_poller_config",
    "metrics_config",
    "self_managed_event_source",
    "source_access_configuration",
    "amazon_managed_kafka_event_source_config",
    "self_managed_kafka_event_source_config",
    "document_db_event_source_config",
];

/// What a validity check found wrong with a value, as far as it decides who refuses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Violation {
    /// The wrong type (a string where a number goes).
    Type,
    /// Below the minimum.
    Below,
    /// Above the maximum.
    Above,
    /// Not one of the allowed values.
    Enum,
    /// Not of the required form (an ARN, a name's characters).
    Pattern,
    /// A string too long or too short.
    Length,
    /// Too many or too few items.
    Count,
    /// A required key left out.
    Required,
    /// Anything else (duplicates, bounds between two fields).
    Other,
}

/// Whether the Terraform AWS provider itself refuses a bad value of a mapping property, so
/// `terraform plan` fails before anything is deployed; otherwise Lambda refuses it when
/// `terraform apply` creates the mapping. `pointer` is the value's JSON pointer in
/// CloudFormation names. From the `ValidateFunc`s and `MaxItems` of the provider's
/// aws_lambda_event_source_mapping schema: it checks some ranges, enums and lengths, and leaves
/// every other rule to Lambda (`topics` has no item limit; only `queues` has `MaxItems: 1`).
pub fn terraform_provider_validates(pointer: &str, violation: Violation) -> bool {
    use Violation::{Above, Below, Count, Enum, Length, Pattern, Required, Type};
    // List indexes do not change who checks an item.
    let path: Vec<&str> = pointer
        .split('/')
        .filter(|s| !s.is_empty() && s.parse::<usize>().is_err())
        .collect();
    match (path.as_slice(), violation) {
        // Terraform converts every argument to the provider schema's type while planning, and
        // the schema's required keys are required there too.
        (_, Type | Required) => true,
        (
            [
                "MaximumRecordAgeInSeconds"
                | "MaximumRetryAttempts"
                | "ParallelizationFactor"
                | "TumblingWindowInSeconds",
            ],
            Below | Above,
        ) => true,
        // `maximum_concurrency` has only a lower bound (`IntAtLeast(2)`).
        (["ScalingConfig", "MaximumConcurrency"], Below) => true,
        (["StartingPosition" | "FunctionResponseTypes"], Enum | Pattern) => true,
        (["StartingPositionTimestamp"], _) => true,
        // `verify.ValidARN` checks the form, not the length.
        (["DestinationConfig", "OnFailure", "Destination"] | ["KmsKeyArn"], Pattern) => true,
        // At most 10 filters, each pattern at most 4096 characters.
        (["FilterCriteria", "Filters"], Count) => true,
        (["FilterCriteria", "Filters", "Pattern"], Length) => true,
        (["SourceAccessConfigurations"], Count) => true,
        (["SourceAccessConfigurations", "Type"], Enum) => true,
        (["Queues"], Count | Length) => true,
        (["Topics"], Length) => true,
        (
            [
                "AmazonManagedKafkaEventSourceConfig" | "SelfManagedKafkaEventSourceConfig",
                "ConsumerGroupId",
            ],
            Length,
        ) => true,
        (["DocumentDBEventSourceConfig", "FullDocument"], Enum) => true,
        _ => false,
    }
}

/// The name a format gives a property of a resource the links read (a queue's
/// `VisibilityTimeout` is `visibility_timeout_seconds` in Terraform).
pub fn resource_property_name(format: Format, cfn_name: &'static str) -> &'static str {
    if !format.is_terraform() {
        return cfn_name;
    }
    match cfn_name {
        "VisibilityTimeout" => "visibility_timeout_seconds",
        "RedrivePolicy" => "redrive_policy",
        "maxReceiveCount" => "maxReceiveCount",
        "deadLetterTargetArn" => "deadLetterTargetArn",
        "FifoQueue" => "fifo_queue",
        "Timeout" => "timeout",
        "ReservedConcurrentExecutions" => "reserved_concurrent_executions",
        "DeadLetterConfig" => "dead_letter_config",
        "RetentionPeriodHours" => "retention_period",
        "ShardCount" => "shard_count",
        "StreamSpecification" => "stream_enabled",
        other => other,
    }
}
