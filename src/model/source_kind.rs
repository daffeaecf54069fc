//! What a trigger reads from (its source kind) and why the loader decided so.

use std::fmt;

use crate::source::Span;

/// What the trigger reads from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SourceKind {
    Kinesis,
    DynamoDb,
    Sqs {
        fifo: bool,
    },
    Msk,
    SelfManagedKafka,
    Mq,
    DocumentDb,
    /// A Kinesis or a DynamoDB stream, not known which: what the mapping's own stream settings
    /// leave when its source does not say. Rules that hold for both kinds run on it; rules
    /// that differ between them stay quiet.
    KinesisOrDynamoDb,
    /// An SQS queue, not known whether standard or FIFO: what a grant or `ScalingConfig` says
    /// when the queue itself is not in view. Rules that hold for every queue run on it; rules
    /// that differ between the two (batching windows, FIFO batch limits) stay quiet.
    SqsStandardOrFifo,
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
            SourceKind::KinesisOrDynamoDb => "kinesis-or-dynamodb",
            SourceKind::SqsStandardOrFifo => "sqs-standard-or-fifo",
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
            SourceKind::KinesisOrDynamoDb => "Kinesis or DynamoDB stream",
            SourceKind::SqsStandardOrFifo => "SQS (standard or FIFO)",
            SourceKind::Unknown => "unknown source",
        }
    }

    /// How messages name every kind like it: FIFO and standard queues are both "SQS", for
    /// what holds of every queue.
    pub fn family_label(self) -> &'static str {
        match self {
            SourceKind::Sqs { .. } | SourceKind::SqsStandardOrFifo => "SQS",
            other => other.label(),
        }
    }

    /// How an assumption names it: "a Kinesis or DynamoDB stream", "SQS".
    pub fn assumed_label(self) -> &'static str {
        match self {
            SourceKind::KinesisOrDynamoDb => "a Kinesis or DynamoDB stream",
            other => other.family_label(),
        }
    }

    /// Kinesis Data Streams and DynamoDB Streams (or one of the two, not known which):
    /// shard-ordered, retried until expiry.
    pub fn is_stream(self) -> bool {
        matches!(
            self,
            SourceKind::Kinesis | SourceKind::DynamoDb | SourceKind::KinesisOrDynamoDb
        )
    }

    pub fn is_kafka(self) -> bool {
        matches!(self, SourceKind::Msk | SourceKind::SelfManagedKafka)
    }

    pub fn is_sqs(self) -> bool {
        matches!(self, SourceKind::Sqs { .. } | SourceKind::SqsStandardOrFifo)
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
    /// An IAM policy statement of the same template that grants actions of one source service
    /// on the source (`sqs:ReceiveMessage` on an input's ARN): the action, and where the
    /// statement is written.
    Grant { action: String, statement: Span },
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
            KindBasis::Grant { action, .. } => write!(
                f,
                "assumed from the IAM policy statement that allows `{action}` on it{}",
                if action.starts_with("sqs:") {
                    " (standard or FIFO is not known)"
                } else {
                    ""
                }
            ),
            KindBasis::Unknown(None) => write!(f, "could not be determined statically"),
            KindBasis::Unknown(Some(why)) => write!(f, "could not be determined statically: {why}"),
        }
    }
}
