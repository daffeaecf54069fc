//! TL001: a value the deploy would reject: outside its type, range or enum.
//!
//! The mapping's properties, translated into CloudFormation's shape by the loaders, are checked
//! against the CloudFormation resource schema of `AWS::Lambda::EventSourceMapping` (shipped in
//! `schema/`), plus the limits the schema does not express. Each schema error's instance path
//! leads back to the span of the value as the author wrote it, in any format.

use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde_json::{Map as JsonMap, Value as Json};

use super::{Finding, Rule, Scope, Severity};
use crate::fxhash::FxHashSet;
use crate::model::{Format, Prop, Trigger, Violation};
use crate::source::Span;
use crate::template::Template;
use crate::tree::{Node, Value};

pub static RULE: Rule = Rule {
    code: "TL001",
    slug: "invalid-property-value",
    summary: "a value outside its type, range or allowed values fails the deploy",
    severity: Severity::Error,
    docs: include_str!("../../rules/invalid-property-value.md"),
    options: &[],
    check,
};

const SCHEMA_TEXT: &str = include_str!("../../schema/aws-lambda-eventsourcemapping.schema.json");

struct Schema {
    raw: Json,
    /// What building an instance reads of `raw`, with its references followed.
    shape: Shape,
    validator: jsonschema::Validator,
}

/// A schema node as building an instance reads it: the type it expects, and the nodes of its
/// items and properties, each with its `$ref` followed. Built once with the schema: looking each
/// value's type and children up in the schema's JSON (a hashed map per step, and a reference
/// followed) was a fifth of checking a valid trigger.
#[derive(Default)]
struct Shape {
    expected: Option<String>,
    items: Option<Box<Shape>>,
    properties: crate::fxhash::FxHashMap<String, Shape>,
}

/// Deeper than the shipped schema nests; a bound all the same, should a reference ever lead
/// back to where it started.
const MAX_SHAPE_DEPTH: usize = 16;

impl Shape {
    fn of(root: &Json, node: &Json, depth: usize) -> Shape {
        if depth > MAX_SHAPE_DEPTH {
            return Shape::default();
        }
        let node = deref_in(root, node);
        Shape {
            expected: node.get("type").and_then(Json::as_str).map(str::to_string),
            items: node
                .get("items")
                .map(|items| Box::new(Shape::of(root, items, depth + 1))),
            properties: node
                .get("properties")
                .and_then(Json::as_object)
                .into_iter()
                .flatten()
                .map(|(name, child)| (name.clone(), Shape::of(root, child, depth + 1)))
                .collect(),
        }
    }
}

/// Follows `$ref: #/definitions/X` to the definition.
fn deref_in<'s>(root: &'s Json, schema: &'s Json) -> &'s Json {
    schema
        .get("$ref")
        .and_then(Json::as_str)
        .and_then(|r| r.strip_prefix("#/definitions/"))
        .and_then(|name| root.get("definitions")?.get(name))
        .unwrap_or(schema)
}

/// Compiled once per process when the first trigger is checked (a few milliseconds), not at
/// start-up.
fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let raw: Json = serde_json::from_str(SCHEMA_TEXT).expect("the shipped schema is JSON");
        let validator = jsonschema::validator_for(&raw).expect("the shipped schema compiles");
        let shape = Shape::of(&raw, &raw, 0);
        Schema {
            raw,
            shape,
            validator,
        }
    })
}

fn check(t: &Trigger, scope: &Scope<'_>) -> Vec<Finding> {
    let schema = schema();
    let mut instance = Instance::new(t, scope.template, schema);
    let json = instance.build();
    // Most triggers are valid: the quick yes/no check spares collecting errors for them.
    let mut findings: Vec<Finding> = Vec::new();
    if !schema.validator.is_valid(&json) {
        let mut problems: Vec<Problem> = Vec::new();
        for error in schema.validator.iter_errors(&json) {
            let pointer = error.instance_path().as_str();
            match error.kind() {
                ValidationErrorKind::AdditionalProperties { unexpected } => findings.extend(
                    unexpected
                        .iter()
                        .filter_map(|name| instance.unknown_property(pointer, name)),
                ),
                other => problems.extend(instance.problem(pointer, other)),
            }
        }
        findings.extend(merged(problems));
    }
    findings.extend(record_age_gap(t));
    findings.extend(starting_position_enum(t));
    findings.extend(poller_bounds(t, scope.template));
    findings
}

/// One thing wrong with one value, before problems with the same value are merged.
struct Problem {
    /// Which reason comes first when a value has several: what it is before how long it is.
    rank: u8,
    /// What happens: "the deploy fails", or earlier, at `terraform plan`.
    consequence: &'static str,
    span: Span,
    subject: String,
    problem: String,
    label: String,
    help: String,
}

/// One finding per value: the problems the schema found with it (a pattern and a length, say)
/// are one fault, reported once with every reason.
fn merged(problems: Vec<Problem>) -> Vec<Finding> {
    let mut groups: Vec<Vec<Problem>> = Vec::new();
    for problem in problems {
        match groups
            .iter_mut()
            .find(|g| g[0].span == problem.span && g[0].subject == problem.subject)
        {
            Some(group) => group.push(problem),
            None => groups.push(vec![problem]),
        }
    }
    groups
        .into_iter()
        .map(|mut group| {
            group.sort_by_key(|p| p.rank);
            let first = &group[0];
            let join = |part: fn(&Problem) -> &str, separator: &str| {
                group.iter().map(part).collect::<Vec<_>>().join(separator)
            };
            RULE.at(
                first.span,
                format!(
                    "`{}` {}: {}",
                    first.subject,
                    join(|p| &p.problem, ", and "),
                    first.consequence
                ),
            )
            .label(join(|p| &p.label, "; "))
            .help(join(|p| &p.help, "; "))
        })
        .collect()
}

/// The trigger's properties as a JSON instance of the schema. Spans are looked up only for the
/// values the schema rejects, so a valid trigger costs no more than its JSON.
struct Instance<'t, 'a> {
    trigger: &'t Trigger,
    template: &'t Template<'a>,
    schema: &'static Json,
    shape: &'static Shape,
    /// Pointers left out because their values are only known at deploy time.
    unknown: Vec<String>,
    /// Pointers whose values are parameter defaults (or other resolved expressions).
    resolved: FxHashSet<String>,
}

impl<'t, 'a> Instance<'t, 'a> {
    fn new(trigger: &'t Trigger, template: &'t Template<'a>, schema: &'static Schema) -> Self {
        Instance {
            trigger,
            template,
            schema: &schema.raw,
            shape: &schema.shape,
            unknown: Vec::new(),
            resolved: FxHashSet::default(),
        }
    }

    fn build(&mut self) -> Json {
        let mut object = JsonMap::new();
        let mut pointer = String::with_capacity(64);
        for p in &self.trigger.properties {
            // CloudFormation and SAM treat an empty property as absent.
            if matches!(p.value.value, Value::Null) {
                continue;
            }
            pointer.clear();
            pointer.push('/');
            push_escaped(&mut pointer, &p.name);
            let shape = self.shape.properties.get(&p.name);
            if let Some(value) = self.value(&p.value, shape, &mut pointer) {
                object.insert(p.name.clone(), value);
            }
        }
        Json::Object(object)
    }

    /// Follows `$ref: #/definitions/X` to the definition.
    fn deref(&self, schema: &'static Json) -> &'static Json {
        deref_in(self.schema, schema)
    }

    /// A node as JSON, converted the way CloudFormation converts scalars for the type the schema
    /// expects (`"10"` is a fine integer); `None` when it is unknown until deploy time.
    /// `pointer` is the node's JSON pointer, extended and restored for its children.
    fn value(
        &mut self,
        node: &Node,
        shape: Option<&'static Shape>,
        pointer: &mut String,
    ) -> Option<Json> {
        if self.trigger.format == Format::Sam && pointer == "/DestinationConfig/OnFailure/Type" {
            // SAM's own key: it picks the IAM policy and is removed from the mapping.
            return None;
        }
        let Ok(resolved) = self.template.resolve(node) else {
            self.unknown.push(pointer.clone());
            return None;
        };
        if self.trigger.format == Format::Serverless && is_plugin_placeholder(&resolved) {
            self.unknown.push(pointer.clone());
            return None;
        }
        if node.as_intrinsic().is_some() {
            self.resolved.insert(pointer.clone());
        }
        let expected = shape.and_then(|s| s.expected.as_deref());
        let parent = pointer.len();
        Some(match &resolved.value {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Yaml11Bool(b, text) => match (expected, self.trigger.format) {
                (Some("boolean"), f) if f != Format::Serverless => Json::Bool(*b),
                _ => Json::String(text.to_string()),
            },
            Value::Int(i) if expected == Some("string") => Json::String(i.to_string()),
            Value::Int(i) => Json::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
            Value::Str(text) => coerce(text, expected),
            Value::Seq(items) => {
                let item_shape = shape.and_then(|s| s.items.as_deref());
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    pointer.push('/');
                    pointer.push_str(&i.to_string());
                    let value = self.value(item, item_shape, pointer);
                    pointer.truncate(parent);
                    // One unknown item makes the list's length and order unknown too.
                    out.push(value?);
                }
                Json::Array(out)
            }
            Value::Map(map) => {
                let mut out = JsonMap::new();
                for entry in map.iter() {
                    pointer.push('/');
                    push_escaped(pointer, &entry.key);
                    let child = shape.and_then(|s| s.properties.get(&*entry.key));
                    let value = self.value(&entry.value, child, pointer);
                    pointer.truncate(parent);
                    if let Some(value) = value {
                        out.insert(entry.key.to_string(), value);
                    }
                }
                Json::Object(out)
            }
            Value::Intrinsic(_) | Value::Unknown(_) => {
                self.unknown.push(pointer.clone());
                return None;
            }
        })
    }

    /// Where the value at a JSON pointer is written, and the key that holds it: found by
    /// walking the written properties (through resolved parameters) along the pointer.
    fn locate(&self, pointer: &str) -> Option<(Span, Span)> {
        let mut segments = pointer.trim_start_matches('/').split('/').map(unescape);
        let top = segments.next()?;
        let property = self.trigger.properties.iter().find(|p| p.name == top)?;
        let rest: Vec<String> = segments.collect();
        self.locate_in(&property.value, &rest, property.key_span)
    }

    /// One step of [`Self::locate`]; borrows all the way down, so finding many errors in one
    /// large list costs no copies of it.
    fn locate_in(&self, node: &Node, segments: &[String], key_span: Span) -> Option<(Span, Span)> {
        let Some((first, rest)) = segments.split_first() else {
            return Some((node.span, key_span));
        };
        let resolved = self.template.resolve(node).ok()?;
        match (&resolved.value, first.parse::<usize>()) {
            (Value::Seq(items), Ok(i)) => self.locate_in(items.get(i)?, rest, key_span),
            (Value::Map(map), _) => {
                let entry = map.entry(first)?;
                self.locate_in(&entry.value, rest, entry.key_span)
            }
            _ => None,
        }
    }

    fn value_span(&self, pointer: &str) -> Option<Span> {
        self.locate(pointer).map(|(value, _)| value)
    }

    fn key_span(&self, pointer: &str) -> Option<Span> {
        self.locate(pointer).map(|(_, key)| key)
    }

    /// The name of the value at a pointer as the author wrote it: their key for the top-level
    /// property (`batchWindow`, `Stream`), then the CloudFormation path below it.
    fn display(&self, pointer: &str) -> String {
        let mut segments = pointer.trim_start_matches('/').split('/').map(unescape);
        let top = segments.next().unwrap_or_default();
        let property = self.trigger.properties.iter().find(|p| p.name == top);
        match property {
            // A key the loader translated (`maximumConcurrency` -> `ScalingConfig`): the
            // author's key names the value, with the positions in its lists, and the author's
            // names of the keys below it when the format names them one by one.
            Some(p) if p.key != p.name => {
                let nested: Vec<String> = segments.collect();
                p.display_path(nested.iter().map(String::as_str))
            }
            _ => segments.fold(top, |path, s| match s.parse::<usize>() {
                Ok(i) => format!("{path}[{i}]"),
                Err(_) => format!("{path}.{s}"),
            }),
        }
    }

    fn unknown_property(&self, pointer: &str, name: &str) -> Option<Finding> {
        let span = self.key_span(&format!("{pointer}/{}", escape(name)))?;
        let format = self.trigger.format;
        let owner = match (pointer.is_empty(), self.trigger.event_type.as_deref()) {
            (true, Some(event)) if format == Format::Sam => {
                format!("a property of a SAM {event} event")
            }
            (true, _) if format.is_terraform() => {
                "an argument of aws_lambda_event_source_mapping".to_string()
            }
            (true, _) => "a property of AWS::Lambda::EventSourceMapping".to_string(),
            (false, _) => format!("a property of `{}`", self.display(pointer)),
        };
        let known: Vec<&str> = match (format, pointer.is_empty()) {
            (Format::Terraform | Format::TerraformPlan, true) => {
                crate::model::TERRAFORM_MAPPING_ARGUMENTS.to_vec()
            }
            _ => self
                .schema_at(pointer)
                .and_then(|s| s.get("properties"))
                .and_then(Json::as_object)
                .map(|k| k.keys().map(String::as_str).collect())
                .unwrap_or_default(),
        };
        let help = match crate::text::closest(name, known.into_iter()) {
            Some(intended) => format!("did you mean `{intended}`?"),
            None => "check the spelling and the indentation, or remove it".to_string(),
        };
        let consequence = match format {
            Format::Terraform | Format::TerraformPlan => "`terraform plan` fails",
            _ => "the deploy fails",
        };
        Some(
            RULE.at(span, format!("`{name}` is not {owner}: {consequence}"))
                .label("unknown property")
                .help(help),
        )
    }

    /// The part of the schema that describes the value at a JSON pointer.
    fn schema_at(&self, pointer: &str) -> Option<&'static Json> {
        let mut schema = self.deref(self.schema);
        for segment in pointer.split('/').skip(1).map(unescape) {
            let next = match schema.get("items") {
                Some(items) if segment.parse::<usize>().is_ok() => items,
                _ => schema.get("properties")?.get(&segment)?,
            };
            schema = self.deref(next);
        }
        Some(schema)
    }

    fn problem(&self, pointer: &str, kind: &ValidationErrorKind) -> Option<Problem> {
        let (span, problem, label, help) = match kind {
            ValidationErrorKind::Required { property } => {
                let name = property.as_str()?;
                if self
                    .unknown
                    .contains(&format!("{pointer}/{}", escape(name)))
                {
                    return None;
                }
                (
                    self.value_span(pointer)?,
                    format!("needs `{name}`"),
                    format!("`{name}` missing"),
                    format!("add `{name}`"),
                )
            }
            // The schema's StartingPosition pattern is loose; `starting_position_enum` checks it.
            _ if pointer == "/StartingPosition"
                && self
                    .trigger
                    .settings
                    .starting_position
                    .written_value()
                    .is_some() =>
            {
                return None;
            }
            // A parameter's default ARN is usually a placeholder that deploys override.
            ValidationErrorKind::Pattern { .. } if self.resolved.contains(pointer) => {
                return None;
            }
            // Items with parts unknown until deploy time may look alike without being alike.
            ValidationErrorKind::UniqueItems
                if self.unknown.iter().any(|p| p.starts_with(pointer)) =>
            {
                return None;
            }
            ValidationErrorKind::Pattern { .. } if is_arn_field(pointer) => (
                self.value_span(pointer)?,
                "is not a well-formed ARN (arn:<partition>:<service>:<region>:<12-digit account \
                 id>:<resource>)"
                    .to_string(),
                "malformed ARN".to_string(),
                match self.trigger.format {
                    Format::Terraform | Format::TerraformPlan => {
                        "write the full ARN, with a 12-digit account id, or \
                                          refer to the resource's `arn` attribute"
                            .to_string()
                    }
                    _ => "write the full ARN, with a 12-digit account id, or build it with \
                          `!Sub arn:${AWS::Partition}:...:${AWS::AccountId}:...`"
                        .to_string(),
                },
            ),
            other => {
                let span = self.value_span(pointer)?;
                let (problem, label, help) = describe(other)?;
                (span, problem, label, help)
            }
        };
        let rank = match kind {
            ValidationErrorKind::Type { .. } => 0,
            ValidationErrorKind::Enum { .. } | ValidationErrorKind::Pattern { .. } => 1,
            _ => 2,
        };
        Some(Problem {
            rank,
            consequence: consequence(self.trigger, pointer, violation(kind)),
            span,
            subject: self.display(pointer),
            problem,
            label,
            help,
        })
    }
}

/// What a rejected value causes: for Terraform, the provider's own validation refuses some
/// values at `terraform plan`, before anything reaches AWS; Lambda refuses the others when
/// `terraform apply` creates the mapping.
fn consequence(t: &Trigger, pointer: &str, violation: Violation) -> &'static str {
    match t.format {
        Format::Terraform if crate::model::terraform_provider_validates(pointer, violation) => {
            "the Terraform AWS provider rejects it at plan time"
        }
        Format::Terraform => "Lambda rejects it when `terraform apply` creates the mapping",
        _ => "the deploy fails",
    }
}

/// Who refuses a value depends on what is wrong with it.
fn violation(kind: &ValidationErrorKind) -> Violation {
    match kind {
        ValidationErrorKind::Type { .. } => Violation::Type,
        ValidationErrorKind::Minimum { .. } | ValidationErrorKind::ExclusiveMinimum { .. } => {
            Violation::Below
        }
        ValidationErrorKind::Maximum { .. } | ValidationErrorKind::ExclusiveMaximum { .. } => {
            Violation::Above
        }
        ValidationErrorKind::Enum { .. } | ValidationErrorKind::Constant { .. } => Violation::Enum,
        ValidationErrorKind::Pattern { .. } | ValidationErrorKind::Format { .. } => {
            Violation::Pattern
        }
        ValidationErrorKind::MaxLength { .. } | ValidationErrorKind::MinLength { .. } => {
            Violation::Length
        }
        ValidationErrorKind::MaxItems { .. } | ValidationErrorKind::MinItems { .. } => {
            Violation::Count
        }
        ValidationErrorKind::Required { .. } => Violation::Required,
        _ => Violation::Other,
    }
}

/// `#{AWS::Region}`: the serverless-pseudo-parameters plugin turns it into `Fn::Sub` when the
/// service is packaged, so the text is not the value CloudFormation receives.
fn is_plugin_placeholder(node: &Node) -> bool {
    node.as_str().is_some_and(|s| s.contains("#{"))
}

fn is_arn_field(pointer: &str) -> bool {
    matches!(
        pointer,
        "/EventSourceArn" | "/DestinationConfig/OnFailure/Destination" | "/KmsKeyArn"
    )
}

/// What a failed keyword says about the value, a short label, and the fix.
fn describe(kind: &ValidationErrorKind) -> Option<(String, String, String)> {
    Some(match kind {
        ValidationErrorKind::Maximum { limit } => (
            format!("is above the maximum of {limit}"),
            format!("at most {limit}"),
            format!("use a value of at most {limit}"),
        ),
        ValidationErrorKind::Minimum { limit } => (
            format!("is below the minimum of {limit}"),
            format!("at least {limit}"),
            format!("use a value of at least {limit}"),
        ),
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => article(&t.to_string()),
                TypeKind::Multiple(ts) => {
                    let names: Vec<String> = ts.iter().map(|t| article(&t.to_string())).collect();
                    names.join(" or ")
                }
            };
            (
                format!("must be {expected}"),
                format!("not {expected}"),
                format!("write {expected} here"),
            )
        }
        ValidationErrorKind::Enum { options } => {
            let allowed = list(options);
            let problem = if options.as_array().is_some_and(|o| o.len() == 1) {
                format!("must be {allowed}")
            } else {
                format!("must be one of {allowed}")
            };
            (
                problem,
                "not an allowed value".to_string(),
                format!("use {allowed}"),
            )
        }
        ValidationErrorKind::MaxItems { limit } => (
            format!("has more than {limit} item{}", plural(*limit)),
            format!("at most {limit}"),
            if *limit == 1 {
                "keep one item; a mapping reads a single topic or queue, so add one mapping per item"
                    .to_string()
            } else {
                format!("keep at most {limit} items")
            },
        ),
        ValidationErrorKind::MinItems { limit } => (
            format!("needs at least {limit} item{}", plural(*limit)),
            format!("at least {limit}"),
            "add the items, or remove the property".to_string(),
        ),
        ValidationErrorKind::MaxLength { limit } => (
            format!("is longer than {limit} characters"),
            format!("at most {limit} characters"),
            format!("shorten it to {limit} characters"),
        ),
        ValidationErrorKind::MinLength { limit } => (
            format!("is shorter than {limit} characters"),
            format!("at least {limit} characters"),
            format!("it needs at least {limit} characters"),
        ),
        ValidationErrorKind::Pattern { pattern } => (
            "does not have the required form".to_string(),
            "malformed".to_string(),
            format!("the value must match `{pattern}`"),
        ),
        ValidationErrorKind::UniqueItems => (
            "lists the same item twice".to_string(),
            "duplicate item".to_string(),
            "remove the duplicate".to_string(),
        ),
        _ => return None,
    })
}

fn article(type_name: &str) -> String {
    match type_name {
        "integer" => "an integer".to_string(),
        "array" => "a list".to_string(),
        "object" => "a mapping".to_string(),
        "boolean" => "true or false".to_string(),
        other => format!("a {other}"),
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn list(options: &Json) -> String {
    match options.as_array() {
        Some(items) => items
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(", "),
        None => options.to_string(),
    }
}

/// Strings converted to the scalar type the schema expects, as CloudFormation does.
fn coerce(text: &str, expected: Option<&str>) -> Json {
    let trimmed = text.trim();
    let converted = match expected {
        Some("integer") => trimmed.parse::<i64>().ok().map(Json::from),
        Some("number") => trimmed
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Json::Number),
        Some("boolean") if trimmed.eq_ignore_ascii_case("true") => Some(Json::Bool(true)),
        Some("boolean") if trimmed.eq_ignore_ascii_case("false") => Some(Json::Bool(false)),
        _ => None,
    };
    converted.unwrap_or_else(|| Json::String(text.to_string()))
}

fn escape(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    push_escaped(&mut out, key);
    out
}

/// Appends a key as one JSON-pointer segment (`~` and `/` escaped).
fn push_escaped(pointer: &mut String, key: &str) {
    for c in key.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// Provisioned pollers: the minimum may not exceed the maximum, and SQS triggers run at least
/// two pollers (the schema allows one, which only Kafka accepts).
fn poller_bounds(t: &Trigger, template: &crate::template::Template<'_>) -> Vec<Finding> {
    let Some(p) = t.property("ProvisionedPollerConfig") else {
        return Vec::new();
    };
    let known = |key: &str| {
        let node = p.nested(&[key])?;
        let value = *template.written_int(node).value()?;
        Some((value, node.span, p.display_path([key])))
    };
    let (minimum, maximum) = (known("MinimumPollers"), known("MaximumPollers"));
    let mut findings = Vec::new();
    if let (Some((min, min_span, min_name)), Some((max, max_span, max_name))) = (&minimum, &maximum)
        && min > max
    {
        findings.push(
            RULE.at(
                *min_span,
                format!(
                    "`{min_name}` is {min}, above `{max_name}` ({max}): {}",
                    consequence(t, "/ProvisionedPollerConfig", Violation::Other)
                ),
            )
            .label("minimum above maximum")
            .related(*max_span, "the maximum")
            .help(format!("make `{min_name}` at most `{max_name}`")),
        );
    }
    if t.source.is_sqs() {
        for (value, span, name) in [minimum, maximum].into_iter().flatten() {
            if value < 2 {
                findings.push(
                    RULE.at(
                        span,
                        format!(
                            "`{name}` is {value}, but SQS triggers in provisioned mode run at \
                             least 2 pollers: {}",
                            consequence(t, "/ProvisionedPollerConfig", Violation::Other)
                        ),
                    )
                    .label("at least 2 for SQS")
                    .help(format!("set `{name}` to 2 or more")),
                );
            }
        }
    }
    findings
}

/// Record ages from 0 to 59 seconds are inside the schema's range but rejected by Lambda.
fn record_age_gap(t: &Trigger) -> Option<Finding> {
    let (&value, span) = t.settings.maximum_record_age.written_value()?;
    if !(0..60).contains(&value) {
        return None;
    }
    let key = t.key_name(Prop::MaximumRecordAgeInSeconds);
    Some(
        RULE.at(
            span,
            format!(
                "`{key}` is {value}, but it must be -1 (no limit) or 60 to 604800 seconds: {}",
                consequence(t, "/MaximumRecordAgeInSeconds", Violation::Below)
            ),
        )
        .label("-1 or 60 to 604800")
        .help(format!("set `{key}` to 60 or more, or to -1 for no limit")),
    )
}

/// The schema's pattern for StartingPosition is unanchored; the API takes exactly three values.
fn starting_position_enum(t: &Trigger) -> Option<Finding> {
    const ALLOWED: [&str; 3] = ["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"];
    let (value, span) = t.settings.starting_position.written_value()?;
    if ALLOWED.contains(&value.as_str()) {
        return None;
    }
    let key = t.key_name(Prop::StartingPosition);
    Some(
        RULE.at(
            span,
            format!(
                "`{key}` is \"{value}\", but it must be one of TRIM_HORIZON, LATEST, AT_TIMESTAMP: {}",
                consequence(t, "/StartingPosition", Violation::Enum)
            ),
        )
        .label("not a starting position")
        .help(format!(
            "write `{}` or `{}`",
            t.format.set_text(key, "LATEST"),
            t.format.set_text(key, "TRIM_HORIZON")
        )),
    )
}
