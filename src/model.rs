//! The one trigger model every format is normalised into.
//!
//! A [`Trigger`] is an event source mapping as AWS will receive it: each setting carries its
//! effective value and who chose it ([`Setting`]). Nothing downstream of the loaders knows which
//! format a trigger came from, except to word a message with the user's own key names.

use std::fmt;
use std::sync::Arc;

use crate::source::{FileId, Span};
use crate::tree::Node;

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
fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|first| first.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// `StreamArn` -> `stream_arn`.
fn snake_case(name: &str) -> String {
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

/// What the trigger reads from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceKind {
    Kinesis,
    DynamoDb,
    Sqs { fifo: bool },
    Msk,
    SelfManagedKafka,
    Mq,
    DocumentDb,
    Unknown,
}

impl SourceKind {
    /// The stable identifier used in JSON output.
    pub fn id(self) -> &'static str {
        match self {
            SourceKind::Kinesis => "kinesis",
            SourceKind::DynamoDb => "dynamodb",
            SourceKind::Sqs { fifo: false } => "sqs",
            SourceKind::Sqs { fifo: true } => "sqs-fifo",
            SourceKind::Msk => "msk",
            SourceKind::SelfManagedKafka => "self-managed-kafka",
            SourceKind::Mq => "mq",
            SourceKind::DocumentDb => "documentdb",
            SourceKind::Unknown => "unknown",
        }
    }

    /// How messages name it.
    pub fn label(self) -> &'static str {
        match self {
            SourceKind::Kinesis => "Kinesis",
            SourceKind::DynamoDb => "DynamoDB stream",
            SourceKind::Sqs { fifo: false } => "SQS",
            SourceKind::Sqs { fifo: true } => "SQS FIFO",
            SourceKind::Msk => "MSK",
            SourceKind::SelfManagedKafka => "self-managed Kafka",
            SourceKind::Mq => "Amazon MQ",
            SourceKind::DocumentDb => "DocumentDB",
            SourceKind::Unknown => "unknown source",
        }
    }

    /// How messages name every kind like it: FIFO and standard queues are both "SQS", for
    /// what holds of every queue.
    pub fn family_label(self) -> &'static str {
        match self {
            SourceKind::Sqs { .. } => "SQS",
            other => other.label(),
        }
    }

    /// Kinesis Data Streams and DynamoDB Streams: shard-ordered, retried until expiry.
    pub fn is_stream(self) -> bool {
        matches!(self, SourceKind::Kinesis | SourceKind::DynamoDb)
    }

    pub fn is_kafka(self) -> bool {
        matches!(self, SourceKind::Msk | SourceKind::SelfManagedKafka)
    }

    pub fn is_sqs(self) -> bool {
        matches!(self, SourceKind::Sqs { .. })
    }

    /// Sources with the stream retry controls (retries, record age, bisect, destinations).
    pub fn has_retry_controls(self) -> bool {
        self.is_stream() || self.is_kafka()
    }
}

/// Why the source kind is what it is; shown by `inspect`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KindBasis {
    /// SAM event `Type` or the Serverless event key (`stream` with `type:` included).
    Declared(String),
    /// The service segment of an ARN written in the template.
    Arn(String),
    /// The type of a resource in the same template that the source refers to.
    Resource { logical_id: String, type_: String },
    /// A property only one source kind has (`SelfManagedEventSource`).
    Shape(&'static str),
    /// The mapping's own settings, when the source does not say: what was assumed, and from
    /// which of the author's keys.
    Arguments(String),
    /// Not statically knowable, with the reason when there is a specific one.
    Unknown(Option<String>),
}

impl fmt::Display for KindBasis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KindBasis::Declared(how) => write!(f, "declared by {how}"),
            KindBasis::Arn(arn) => write!(f, "from the ARN {arn}"),
            KindBasis::Resource { logical_id, type_ } => {
                write!(f, "from resource {logical_id} ({type_})")
            }
            KindBasis::Shape(prop) => write!(f, "from the {prop} property"),
            KindBasis::Arguments(how) => write!(f, "{how}"),
            KindBasis::Unknown(None) => write!(f, "could not be determined statically"),
            KindBasis::Unknown(Some(why)) => write!(f, "could not be determined statically: {why}"),
        }
    }
}

/// The deploy tools that write values the author did not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    Serverless,
    /// SAM writes values only for the queue it subscribes to an SNS topic (`SqsSubscription`).
    Sam,
    /// The AWS provider for Terraform sends some arguments with its own default.
    TerraformProvider,
    /// The terraform-aws-modules Lambda module fills in some keys of its `event_source_mapping`
    /// entries and some function arguments.
    TerraformModule,
}

impl Tool {
    pub fn name(self) -> &'static str {
        match self {
            Tool::Serverless => "the Serverless Framework",
            Tool::Sam => "AWS SAM",
            Tool::TerraformProvider => "the Terraform AWS provider",
            Tool::TerraformModule => "the terraform-aws-modules Lambda module",
        }
    }

    /// The provenance identifier of the values it writes.
    pub fn provenance_id(self) -> &'static str {
        match self {
            Tool::Serverless => "serverless-default",
            Tool::Sam => "sam-default",
            Tool::TerraformProvider => "provider-default",
            Tool::TerraformModule => "module-default",
        }
    }
}

/// Where a written value comes from, when that is more than the place it is used.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    /// Written where it applies.
    Direct,
    /// SAM `Globals`, which SAM copies into every function that does not set the property.
    SamGlobals { span: Span },
    /// The `Default` of the CloudFormation parameter the setting refers to.
    ParameterDefault { name: Arc<str>, span: Span },
    /// The `default` of the Terraform input variable the setting refers to.
    VariableDefault { name: Arc<str>, span: Span },
    /// The value a `--var-file` gives the Terraform input variable the setting refers to.
    VarFile { name: Arc<str>, span: Span },
    /// A field of a mapping as the Lambda API describes it: what runs in the account.
    Deployed,
}

impl Origin {
    pub fn id(&self) -> &'static str {
        match self {
            Origin::Direct => "written",
            Origin::SamGlobals { .. } => "sam-globals",
            Origin::ParameterDefault { .. } => "parameter-default",
            Origin::VariableDefault { .. } => "variable-default",
            Origin::VarFile { .. } => "var-file",
            Origin::Deployed => "deployed",
        }
    }

    /// How a message names it, after the value: "the default of parameter BatchSize".
    pub fn text(&self) -> Option<String> {
        match self {
            Origin::Direct => None,
            Origin::SamGlobals { .. } => Some("from SAM `Globals`".to_string()),
            Origin::ParameterDefault { name, .. } => {
                Some(format!("the default of parameter {name}"))
            }
            Origin::VariableDefault { name, .. } => Some(format!("the default of variable {name}")),
            Origin::VarFile { name, .. } => {
                Some(format!("variable {name} as the var file sets it"))
            }
            Origin::Deployed => Some("as deployed".to_string()),
        }
    }

    /// Where the value itself is written, when that is elsewhere.
    pub fn definition(&self) -> Option<Span> {
        match self {
            Origin::SamGlobals { span }
            | Origin::ParameterDefault { span, .. }
            | Origin::VariableDefault { span, .. }
            | Origin::VarFile { span, .. } => Some(*span),
            Origin::Direct | Origin::Deployed => None,
        }
    }
}

/// The effective value of one setting and who chose it.
#[derive(Clone, Debug, PartialEq)]
pub enum Setting<T> {
    /// The author wrote it; `span` is where it is used, `origin` where the value comes from.
    Written {
        value: T,
        span: Span,
        origin: Origin,
    },
    /// The deploy tool writes it when the author does not.
    ToolDefault { value: T, tool: Tool },
    /// Nobody writes it; AWS applies this default.
    ServiceDefault { value: T },
    /// Absent and without a default: no destination, no filter, no starting position.
    Unset,
    /// Written, but not statically knowable (a parameter, a condition, a variable).
    Unknown { span: Option<Span>, why: String },
    /// Written with a value of the wrong type, or one AWS rejects (`value`, when it has the
    /// right type): validity rules report it, the others stay quiet rather than quote it.
    Invalid {
        span: Span,
        why: String,
        value: Option<T>,
    },
}

impl<T> Setting<T> {
    /// A value written where it applies.
    pub fn written(value: T, span: Span) -> Self {
        Setting::Written {
            value,
            span,
            origin: Origin::Direct,
        }
    }

    /// The value AWS will use, when it is known and valid.
    pub fn value(&self) -> Option<&T> {
        match self {
            Setting::Written { value, .. }
            | Setting::ToolDefault { value, .. }
            | Setting::ServiceDefault { value } => Some(value),
            _ => None,
        }
    }

    /// A written value whatever its validity, with its span: what validity rules check.
    pub fn written_value(&self) -> Option<(&T, Span)> {
        match self {
            Setting::Written { value, span, .. }
            | Setting::Invalid {
                value: Some(value),
                span,
                ..
            } => Some((value, *span)),
            _ => None,
        }
    }

    pub fn is_written(&self) -> bool {
        matches!(self, Setting::Written { .. })
    }

    pub fn is_unset(&self) -> bool {
        matches!(self, Setting::Unset)
    }

    /// Whether rules must stay quiet about it.
    pub fn is_unknowable(&self) -> bool {
        matches!(self, Setting::Unknown { .. } | Setting::Invalid { .. })
    }

    /// Where the author wrote it, if they did.
    pub fn span(&self) -> Option<Span> {
        match self {
            Setting::Written { span, .. } | Setting::Invalid { span, .. } => Some(*span),
            Setting::Unknown { span, .. } => *span,
            _ => None,
        }
    }

    /// Where the value comes from, for a written value.
    pub fn origin(&self) -> Option<&Origin> {
        match self {
            Setting::Written { origin, .. } => Some(origin),
            _ => None,
        }
    }

    /// Where a written value is defined, with a label saying so, when that is not where it is
    /// used: a parameter's or variable's default, a var file. SAM `Globals` are used where they
    /// are written, so the use says enough there.
    pub fn definition(&self) -> Option<(Span, String)> {
        let Setting::Written { origin, span, .. } = self else {
            return None;
        };
        let (definition, text) = (origin.definition()?, origin.text()?);
        (definition != *span).then(|| (definition, format!("the value comes from here ({text})")))
    }

    /// The provenance as a stable identifier for JSON output.
    pub fn provenance_id(&self) -> &'static str {
        match self {
            Setting::Written { origin, .. } => origin.id(),
            Setting::ToolDefault { tool, .. } => tool.provenance_id(),
            Setting::ServiceDefault { .. } => "aws-default",
            Setting::Unset => "unset",
            Setting::Unknown { .. } => "unknown",
            Setting::Invalid { .. } => "invalid",
        }
    }

    /// The provenance in words, for humans.
    pub fn provenance_text(&self) -> String {
        match self {
            Setting::Written { origin, .. } => origin.text().unwrap_or_else(|| "written".into()),
            Setting::ToolDefault { tool, .. } => format!("default of {}", tool.name()),
            Setting::ServiceDefault { .. } => "AWS default".to_string(),
            Setting::Unset => "not set".to_string(),
            Setting::Unknown { why, .. } => format!("unknown: {why}"),
            Setting::Invalid { why, .. } => format!("invalid: {why}"),
        }
    }
}

/// The trigger settings the model tracks, named as in CloudFormation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Prop {
    Enabled,
    BatchSize,
    MaximumBatchingWindowInSeconds,
    StartingPosition,
    StartingPositionTimestamp,
    MaximumRetryAttempts,
    MaximumRecordAgeInSeconds,
    BisectBatchOnFunctionError,
    ParallelizationFactor,
    TumblingWindowInSeconds,
    FunctionResponseTypes,
    OnFailureDestination,
    FilterCriteria,
    MaximumConcurrency,
}

impl Prop {
    pub const ALL: [Prop; 14] = [
        Prop::Enabled,
        Prop::BatchSize,
        Prop::MaximumBatchingWindowInSeconds,
        Prop::StartingPosition,
        Prop::StartingPositionTimestamp,
        Prop::MaximumRetryAttempts,
        Prop::MaximumRecordAgeInSeconds,
        Prop::BisectBatchOnFunctionError,
        Prop::ParallelizationFactor,
        Prop::TumblingWindowInSeconds,
        Prop::FunctionResponseTypes,
        Prop::OnFailureDestination,
        Prop::FilterCriteria,
        Prop::MaximumConcurrency,
    ];

    /// The CloudFormation name (a dotted path for nested settings).
    pub fn cfn_name(self) -> &'static str {
        match self {
            Prop::Enabled => "Enabled",
            Prop::BatchSize => "BatchSize",
            Prop::MaximumBatchingWindowInSeconds => "MaximumBatchingWindowInSeconds",
            Prop::StartingPosition => "StartingPosition",
            Prop::StartingPositionTimestamp => "StartingPositionTimestamp",
            Prop::MaximumRetryAttempts => "MaximumRetryAttempts",
            Prop::MaximumRecordAgeInSeconds => "MaximumRecordAgeInSeconds",
            Prop::BisectBatchOnFunctionError => "BisectBatchOnFunctionError",
            Prop::ParallelizationFactor => "ParallelizationFactor",
            Prop::TumblingWindowInSeconds => "TumblingWindowInSeconds",
            Prop::FunctionResponseTypes => "FunctionResponseTypes",
            Prop::OnFailureDestination => "DestinationConfig.OnFailure.Destination",
            Prop::FilterCriteria => "FilterCriteria.Filters",
            Prop::MaximumConcurrency => "ScalingConfig.MaximumConcurrency",
        }
    }

    /// Whether AWS accepts the setting for a source kind (every setting, when the kind is
    /// unknown).
    pub fn applies_to(self, kind: SourceKind) -> bool {
        let retry_controls = kind.has_retry_controls();
        match self {
            Prop::Enabled
            | Prop::BatchSize
            | Prop::MaximumBatchingWindowInSeconds
            | Prop::FilterCriteria => true,
            _ if kind == SourceKind::Unknown => true,
            Prop::StartingPosition | Prop::StartingPositionTimestamp => {
                retry_controls || kind == SourceKind::DocumentDb
            }
            Prop::MaximumRetryAttempts
            | Prop::MaximumRecordAgeInSeconds
            | Prop::BisectBatchOnFunctionError
            | Prop::OnFailureDestination => retry_controls,
            Prop::ParallelizationFactor | Prop::TumblingWindowInSeconds => kind.is_stream(),
            Prop::FunctionResponseTypes => retry_controls || kind.is_sqs(),
            Prop::MaximumConcurrency => kind.is_sqs(),
        }
    }

    /// The argument of `aws_lambda_event_source_mapping` (a dotted path into nested blocks).
    pub fn terraform_key(self) -> &'static str {
        match self {
            Prop::Enabled => "enabled",
            Prop::BatchSize => "batch_size",
            Prop::MaximumBatchingWindowInSeconds => "maximum_batching_window_in_seconds",
            Prop::StartingPosition => "starting_position",
            Prop::StartingPositionTimestamp => "starting_position_timestamp",
            Prop::MaximumRetryAttempts => "maximum_retry_attempts",
            Prop::MaximumRecordAgeInSeconds => "maximum_record_age_in_seconds",
            Prop::BisectBatchOnFunctionError => "bisect_batch_on_function_error",
            Prop::ParallelizationFactor => "parallelization_factor",
            Prop::TumblingWindowInSeconds => "tumbling_window_in_seconds",
            Prop::FunctionResponseTypes => "function_response_types",
            Prop::OnFailureDestination => "destination_config.on_failure.destination_arn",
            Prop::FilterCriteria => "filter_criteria.filter",
            Prop::MaximumConcurrency => "scaling_config.maximum_concurrency",
        }
    }

    /// The key of an entry of the terraform-aws-modules Lambda module's `event_source_mapping`
    /// map (module versions 7 and 8 pass these to the provider).
    pub fn terraform_module_key(self) -> Option<&'static str> {
        Some(match self {
            Prop::OnFailureDestination => "destination_arn_on_failure",
            Prop::FilterCriteria => "filter_criteria",
            Prop::MaximumConcurrency => "scaling_config.maximum_concurrency",
            other => other.terraform_key(),
        })
    }

    /// The Serverless Framework key for this setting on the given event (`stream`, `sqs`,
    /// `kafka`, `msk`, `activemq`, `rabbitmq`), or `None` where the framework cannot express it.
    pub fn serverless_key(self, event: &str) -> Option<&'static str> {
        let stream = event == "stream";
        let sqs = event == "sqs";
        let kafka = matches!(event, "kafka" | "msk");
        Some(match self {
            Prop::Enabled => "enabled",
            Prop::BatchSize => "batchSize",
            Prop::MaximumBatchingWindowInSeconds if stream => "batchWindow",
            Prop::MaximumBatchingWindowInSeconds => "maximumBatchingWindow",
            Prop::StartingPosition if stream || kafka => "startingPosition",
            Prop::StartingPositionTimestamp if stream || kafka => "startingPositionTimestamp",
            Prop::MaximumRetryAttempts if stream => "maximumRetryAttempts",
            Prop::MaximumRecordAgeInSeconds if stream => "maximumRecordAgeInSeconds",
            Prop::BisectBatchOnFunctionError if stream => "bisectBatchOnFunctionError",
            Prop::ParallelizationFactor if stream => "parallelizationFactor",
            Prop::TumblingWindowInSeconds if stream => "tumblingWindowInSeconds",
            Prop::FunctionResponseTypes if stream || sqs => "functionResponseType",
            Prop::OnFailureDestination if stream => "destinations.onFailure",
            Prop::FilterCriteria => "filterPatterns",
            Prop::MaximumConcurrency if sqs => "maximumConcurrency",
            _ => return None,
        })
    }
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

/// A value shown by `inspect` and compared by the differential tests.
pub trait SettingValue {
    fn to_json(&self) -> serde_json::Value;
    fn display(&self) -> String;
}

impl SettingValue for bool {
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Bool(*self)
    }
    fn display(&self) -> String {
        self.to_string()
    }
}

impl SettingValue for i64 {
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::from(*self)
    }
    fn display(&self) -> String {
        self.to_string()
    }
}

impl SettingValue for f64 {
    fn to_json(&self) -> serde_json::Value {
        if self.fract() == 0.0 && self.abs() < 1e15 {
            serde_json::Value::from(*self as i64)
        } else {
            serde_json::Number::from_f64(*self).map_or(serde_json::Value::Null, Into::into)
        }
    }
    fn display(&self) -> String {
        self.to_string()
    }
}

impl SettingValue for String {
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::String(self.clone())
    }
    fn display(&self) -> String {
        self.clone()
    }
}

impl SettingValue for usize {
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::from(*self)
    }
    fn display(&self) -> String {
        self.to_string()
    }
}

impl SettingValue for Vec<String> {
    fn to_json(&self) -> serde_json::Value {
        self.iter()
            .cloned()
            .map(serde_json::Value::String)
            .collect()
    }
    fn display(&self) -> String {
        if self.is_empty() {
            "[] (none)".to_string()
        } else {
            format!("[{}]", self.join(", "))
        }
    }
}

/// A setting seen without its type: what `inspect` prints.
pub struct SettingView {
    pub prop: Prop,
    pub value: Option<serde_json::Value>,
    pub display: String,
    pub provenance: &'static str,
    pub provenance_text: String,
    pub span: Option<Span>,
}

fn view<T: SettingValue>(prop: Prop, s: &Setting<T>) -> SettingView {
    // A rejected value is still shown, beside why it is rejected.
    let shown = s.value().or_else(|| s.written_value().map(|(v, _)| v));
    SettingView {
        prop,
        value: shown.map(SettingValue::to_json),
        display: shown.map_or_else(|| "-".to_string(), SettingValue::display),
        provenance: s.provenance_id(),
        provenance_text: s.provenance_text(),
        span: s.span(),
    }
}

/// Every tracked setting of a trigger.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    pub enabled: Setting<bool>,
    pub batch_size: Setting<i64>,
    /// Seconds; Kafka, MQ and DocumentDB default to half a second.
    pub batching_window: Setting<f64>,
    pub starting_position: Setting<String>,
    pub starting_position_timestamp: Setting<f64>,
    pub maximum_retry_attempts: Setting<i64>,
    pub maximum_record_age: Setting<i64>,
    pub bisect_on_error: Setting<bool>,
    pub parallelization_factor: Setting<i64>,
    pub tumbling_window: Setting<i64>,
    pub function_response_types: Setting<Vec<String>>,
    /// The on-failure destination, as written (an ARN or an intrinsic shown in short form).
    pub on_failure: Setting<String>,
    /// The number of event filters.
    pub filter_count: Setting<usize>,
    pub maximum_concurrency: Setting<i64>,
}

impl Settings {
    pub fn view(&self, prop: Prop) -> SettingView {
        match prop {
            Prop::Enabled => view(prop, &self.enabled),
            Prop::BatchSize => view(prop, &self.batch_size),
            Prop::MaximumBatchingWindowInSeconds => view(prop, &self.batching_window),
            Prop::StartingPosition => view(prop, &self.starting_position),
            Prop::StartingPositionTimestamp => view(prop, &self.starting_position_timestamp),
            Prop::MaximumRetryAttempts => view(prop, &self.maximum_retry_attempts),
            Prop::MaximumRecordAgeInSeconds => view(prop, &self.maximum_record_age),
            Prop::BisectBatchOnFunctionError => view(prop, &self.bisect_on_error),
            Prop::ParallelizationFactor => view(prop, &self.parallelization_factor),
            Prop::TumblingWindowInSeconds => view(prop, &self.tumbling_window),
            Prop::FunctionResponseTypes => view(prop, &self.function_response_types),
            Prop::OnFailureDestination => view(prop, &self.on_failure),
            Prop::FilterCriteria => view(prop, &self.filter_count),
            Prop::MaximumConcurrency => view(prop, &self.maximum_concurrency),
        }
    }

    /// The span and origin of every written setting.
    pub fn origins(&self) -> impl Iterator<Item = (Span, &Origin)> {
        fn of<T>(s: &Setting<T>) -> Option<(Span, &Origin)> {
            match s {
                Setting::Written { span, origin, .. } => Some((*span, origin)),
                _ => None,
            }
        }
        [
            of(&self.enabled),
            of(&self.batch_size),
            of(&self.batching_window),
            of(&self.starting_position),
            of(&self.starting_position_timestamp),
            of(&self.maximum_retry_attempts),
            of(&self.maximum_record_age),
            of(&self.bisect_on_error),
            of(&self.parallelization_factor),
            of(&self.tumbling_window),
            of(&self.function_response_types),
            of(&self.on_failure),
            of(&self.filter_count),
            of(&self.maximum_concurrency),
        ]
        .into_iter()
        .flatten()
    }

    pub fn views(&self) -> impl Iterator<Item = SettingView> + '_ {
        Prop::ALL.into_iter().map(|p| self.view(p))
    }

    /// The settings worth showing for a kind: those AWS accepts for it, and any the author
    /// wrote anyway.
    pub fn relevant_views(&self, kind: SourceKind) -> impl Iterator<Item = SettingView> + '_ {
        self.views()
            .filter(move |v| v.prop.applies_to(kind) || v.provenance != "unset" && v.span.is_some())
    }
}

/// A property as the author wrote it, under its CloudFormation name. Serverless and SAM
/// properties are translated into CloudFormation's shape with their original spans, so
/// validity rules check every format the same way.
#[derive(Clone, Debug, PartialEq)]
pub struct Property {
    /// Top-level CloudFormation property name (`BatchSize`, `DestinationConfig`...).
    pub name: String,
    /// The key as the author wrote it (`batchWindow`, `Stream`, `BatchSize`).
    pub key: String,
    pub key_span: Span,
    pub value: Node,
    /// How the author's format names the keys nested inside the value, where it names them
    /// differently from CloudFormation (Terraform's `on_failure` for `OnFailure`); empty when
    /// the author did not write them one by one.
    pub nested_names: &'static [(&'static str, &'static str)],
    /// The keys nested in the value are the author's own keys, written beside each other and
    /// gathered into one property by the loader (SAM's `ConsumerGroupId` and
    /// `SchemaRegistryConfig` become `AmazonManagedKafkaEventSourceConfig`).
    pub flattened: bool,
}

impl Property {
    /// The author's name for a value nested in this property, given the CloudFormation keys
    /// below it (`["MinimumPollers"]`): their own key for the property, then their format's
    /// names for the nested keys where it names them one by one (Terraform's
    /// `provisioned_poller_config.minimum_pollers`). A key the loader translated as a whole
    /// (SAM's `ConsumerGroupId`, Serverless `consumerGroupId`) names the value alone.
    pub fn display_path<'k>(&self, nested: impl IntoIterator<Item = &'k str>) -> String {
        if self.flattened {
            let keys: Vec<&str> = nested.into_iter().collect();
            return if keys.is_empty() {
                self.key.clone()
            } else {
                keys.join(".")
            };
        }
        let translated = self.key != self.name;
        nested.into_iter().fold(self.key.clone(), |path, key| {
            let named = self.nested_names.iter().find(|(cfn, _)| *cfn == key);
            match (key.parse::<usize>(), named) {
                (Ok(i), _) => format!("{path}[{i}]"),
                (Err(_), Some((_, name))) => format!("{path}.{name}"),
                (Err(_), None) if translated => path,
                (Err(_), None) => format!("{path}.{key}"),
            }
        })
    }

    /// The value at a path of CloudFormation keys below this property.
    pub fn nested(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(&self.value, |node, key| node.get(key))
    }

    pub fn new(name: &str, key: &str, key_span: Span, value: Node) -> Property {
        Property {
            name: name.to_string(),
            key: key.to_string(),
            key_span,
            value,
            nested_names: &[],
            flattened: false,
        }
    }
}

/// The function a trigger invokes, with the settings of it that matter to triggers.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionInfo {
    /// Logical id (CloudFormation, SAM), function key (Serverless), or the literal name.
    pub name: Arc<str>,
    /// Whether `name` is a resource in the same template.
    pub in_template: bool,
    pub timeout: Setting<i64>,
    pub reserved_concurrency: Setting<i64>,
    /// The function's logical id in the deployed template (`HelloLambdaFunction` for a
    /// Serverless function named `hello`); what alarms and mappings refer to.
    pub resource_id: Option<Arc<str>>,
    /// The key that declares the function, for related labels.
    pub declared_at: Option<Span>,
    /// Where a dead-letter queue for asynchronous invokes is written (`DeadLetterConfig`, SAM
    /// `DeadLetterQueue`, Serverless `onError`).
    pub dead_letter: Option<Span>,
}

impl FunctionInfo {
    /// Reserved concurrency, when the author wrote a known value, and where.
    pub fn written_reserved_concurrency(&self) -> Option<(i64, Span)> {
        match self.reserved_concurrency {
            Setting::Written { value, span, .. } => Some((value, span)),
            _ => None,
        }
    }
}

/// One event source mapping, normalised.
#[derive(Clone, Debug, PartialEq)]
pub struct Trigger {
    pub format: Format,
    /// Serverless event key (`stream`, `sqs`...) or SAM event `Type`; `None` for a plain
    /// CloudFormation resource.
    pub event_type: Option<String>,
    pub file: FileId,
    /// The key that declares the trigger: "unset" findings point here.
    pub anchor: Span,
    /// Logical path, e.g. `functions/consumer/events/0/stream` (shared by its findings).
    pub path: Arc<str>,
    pub source: SourceKind,
    pub kind_basis: KindBasis,
    /// The event source as written (`EventSourceArn`, SAM `Stream`/`Queue`..., Serverless `arn`).
    pub event_source: Option<Node>,
    pub function: Option<FunctionInfo>,
    pub properties: Vec<Property>,
    pub settings: Settings,
    /// What the loader noticed about how the deploy tool treats what was written (a value the
    /// Serverless Framework silently drops, say); shown by `inspect`.
    pub notes: Vec<LoaderNote>,
    /// `Metadata: {triggerlint: {ignore: [...]}}` entries of the mapping resource or of the
    /// function resource, which apply to this trigger.
    pub metadata_ignores: Vec<MetadataIgnore>,
    /// The CDK construct that synthesized the mapping (`Metadata["aws:cdk:path"]`), which is
    /// where the author changes it.
    pub construct_path: Option<Arc<str>>,
    /// The event as the author wrote it, for rules about how a deploy tool mishandles it (the
    /// Serverless event's settings); `None` for mapping resources and SAM events.
    pub declaration: Option<Node>,
    /// Keys of the event that the deploy tool does not read: it warns (or not) and deploys
    /// without them, so the settings they were meant to make are unset.
    pub ignored_keys: Vec<IgnoredKey>,
    /// What the Lambda API says of a deployed mapping besides its settings.
    pub deployed: Option<DeployedState>,
    /// The Terraform module call the trigger was evaluated for, when it is declared in a
    /// called module: one trigger per call.
    pub module_call: Option<Arc<ModuleCall>>,
}

/// A Terraform module call, as the findings of a called module name it.
#[derive(Clone, Debug, PartialEq)]
pub struct ModuleCall {
    /// The module instance's address (`module.orders`, `module.app.module.queue["a"]`).
    pub address: String,
    /// The `module` blocks of the chain of calls, outermost first.
    pub sites: Vec<Span>,
}

/// A deployed mapping's identity and state, as the Lambda API describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct DeployedState {
    pub uuid: Arc<str>,
    /// `State` (`Enabled`, `Disabled`, `Creating`, `Updating`...) and where it is written.
    pub state: Option<(String, Span)>,
    pub state_reason: Option<String>,
    /// `LastProcessingResult` (`OK`, `No records processed`, `PROBLEM: ...`).
    pub last_processing_result: Option<(String, Span)>,
}

/// A key the deploy tool does not read for this kind of event.
#[derive(Clone, Debug, PartialEq)]
pub struct IgnoredKey {
    pub key: String,
    pub span: Span,
    pub meant: MeantSetting,
}

/// What an ignored key was probably meant to set.
#[derive(Clone, Debug, PartialEq)]
pub enum MeantSetting {
    /// The event reads this setting under another key.
    OtherKey(&'static str),
    /// A mapping property (its CloudFormation name) that the event has no key for.
    NotOnEvent(&'static str),
    /// A setting this kind of source does not have at all, and why.
    NotForSource(&'static str),
    /// Nothing the tool knows by a similar name.
    Unknown,
}

/// One entry of a resource's `Metadata.triggerlint.ignore` list.
#[derive(Clone, Debug, PartialEq)]
pub struct MetadataIgnore {
    /// A rule code, slug or code prefix.
    pub selector: String,
    pub reason: Option<String>,
    pub span: Span,
}

impl MetadataIgnore {
    /// Reads `Metadata.triggerlint.ignore` of a resource: entries are selectors, or mappings
    /// `{rule: <selector>, reason: <text>}`.
    pub fn of_resource(resource: &Node) -> Vec<MetadataIgnore> {
        let Some(entries) = resource
            .get_path(&["Metadata", "triggerlint", "ignore"])
            .and_then(Node::as_seq)
        else {
            return Vec::new();
        };
        entries
            .iter()
            .filter_map(|entry| {
                let (selector, reason) = match entry.as_str() {
                    Some(s) => (s, None),
                    None => (
                        entry.get("rule")?.as_str()?,
                        entry.get("reason").and_then(Node::as_str),
                    ),
                };
                Some(MetadataIgnore {
                    selector: selector.to_string(),
                    reason: reason.map(str::to_string),
                    span: entry.span,
                })
            })
            .collect()
    }
}

/// A remark about a written value, at that value.
#[derive(Clone, Debug, PartialEq)]
pub struct LoaderNote {
    pub span: Span,
    pub message: String,
}

impl Trigger {
    /// The name the author would use for a setting: their own key when they wrote it, else
    /// the name their format uses.
    pub fn key_name(&self, prop: Prop) -> &str {
        let top_level = !prop.cfn_name().contains('.');
        if top_level && let Some(p) = self.property(prop.cfn_name()) {
            return &p.key;
        }
        self.format_key(prop).unwrap_or(prop.cfn_name())
    }

    /// The key the author's format has for a setting on this trigger; `None` when the format
    /// cannot express it (retries on a Serverless `sqs` event, a batching window on a SAM SNS
    /// subscription).
    pub fn format_key(&self, prop: Prop) -> Option<&'static str> {
        match (self.format, self.event_type.as_deref()) {
            (Format::Serverless, Some(event)) => prop.serverless_key(event),
            (Format::Sam, Some("SNS")) => (prop == Prop::BatchSize).then_some("BatchSize"),
            (Format::Terraform, Some(TERRAFORM_MODULE_EVENT)) => prop.terraform_module_key(),
            (Format::Terraform | Format::TerraformPlan, _) => Some(prop.terraform_key()),
            _ => Some(prop.cfn_name()),
        }
    }

    /// The author's name for a setting given as a path of CloudFormation keys
    /// (`["AmazonManagedKafkaEventSourceConfig", "ConsumerGroupId"]`), written or not.
    pub fn setting_name(&self, path: &[&str]) -> String {
        let Some((top, nested)) = path.split_first() else {
            return String::new();
        };
        // A property that holds the path names it (a translated key such as Serverless
        // `maximumConcurrency` names the value alone), else one that spells out its nesting.
        let written = || self.properties.iter().filter(|p| p.name == *top);
        let naming = written()
            .find(|p| p.nested(nested).is_some())
            .or_else(|| written().find(|p| p.key == p.name || !p.nested_names.is_empty()));
        if let Some(p) = naming {
            return p.display_path(nested.iter().copied());
        }
        let event = self.event_type.as_deref().unwrap_or_default();
        match (self.format, *top) {
            (Format::Serverless, "SourceAccessConfigurations") => match event {
                "kafka" => "accessConfigurations",
                "msk" => "saslScram512",
                _ => "basicAuthArn",
            }
            .to_string(),
            (Format::Terraform | Format::TerraformPlan, "SourceAccessConfigurations") => {
                "source_access_configuration".to_string()
            }
            _ => self.nested_setting_name(path),
        }
    }

    /// `setting_name` for the paths every format spells by a rule.
    fn nested_setting_name(&self, path: &[&str]) -> String {
        let nested = &path[1..];
        let kafka_config = path[0].ends_with("KafkaEventSourceConfig");
        match self.format {
            Format::Serverless if kafka_config => nested
                .iter()
                .map(|k| lower_first(k))
                .collect::<Vec<_>>()
                .join("."),
            Format::Sam if kafka_config => nested.join("."),
            Format::Terraform | Format::TerraformPlan => path
                .iter()
                .map(|k| snake_case(k))
                .collect::<Vec<_>>()
                .join("."),
            _ => path.join("."),
        }
    }

    pub fn property(&self, name: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.name == name)
    }

    /// The function and its written reserved concurrency (value and span), when both are known.
    pub fn reserved_concurrency(&self) -> Option<(&FunctionInfo, i64, Span)> {
        let function = self.function.as_ref()?;
        let (value, span) = function.written_reserved_concurrency()?;
        Some((function, value, span))
    }

    pub fn function_name(&self) -> Option<&str> {
        self.function.as_ref().map(|f| &*f.name)
    }
}
