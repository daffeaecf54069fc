//! References lowered: variables, locals, data sources, resources and module outputs, and the
//! `Ref` / `Fn::GetAtt` nodes they become.

use crate::hcl::{Expr, Step};
use crate::source::Span;
use crate::tree::{Entry, Intrinsic, Map, Node, Value};

use super::{DOES_NOT_EXIST, Lowerer, MAX_LOCAL_DEPTH, PathStep, address_key, scalar_text};

impl<'n, 'a> Lowerer<'n, 'a> {
    pub(super) fn traversal(&self, expr: &Expr, root: &str, steps: &[Step]) -> Node {
        if let Some(node) = self.resource_splat(expr, root, steps) {
            return node;
        }
        let path = match self.path(steps) {
            Ok(path) => path,
            Err(why) => return self.unknown(expr, why),
        };
        let key = |i: usize| match path.get(i) {
            Some(PathStep::Attr(k)) => Some(k.as_str()),
            _ => None,
        };
        match (root, key(0)) {
            ("var", Some(name)) => self.variable(expr, name, &path[1..]),
            ("local", Some(name)) => self.local(expr, name, &path[1..]),
            ("each", _) => self.each(expr, &path),
            ("count", Some("index")) => match self.instance.index {
                Some(index) => Node::new(expr.span, Value::Int(index)),
                None => self.unknown(
                    expr,
                    "differs for each instance the block's `count` creates",
                ),
            },
            ("data", Some(kind)) => match (key(1), self.instance_step(&path, 2)) {
                (Some(name), (_, attr_at)) => match key(attr_at) {
                    Some(attr) => self.data(expr, kind, name, attr),
                    None => self.unknown(
                        expr,
                        format!("is read from data.{kind}.{name} at plan time"),
                    ),
                },
                _ => self.unknown(expr, "is read at plan time"),
            },
            ("module", Some(name)) => {
                let (instance, at) = self.instance_step(&path, 1);
                let call = match &instance {
                    Some(step) => format!("{name}{}", step_suffix(step)),
                    None => name.to_string(),
                };
                match key(at) {
                    Some(output) => self.module_output(expr, &call, name, output, &path[at + 1..]),
                    None => self.unknown(expr, format!("is an output of module {name}")),
                }
            }
            ("path" | "terraform" | "self", _) => {
                self.unknown(expr, "depends on where and how Terraform runs")
            }
            (kind, Some(name)) if kind.contains('_') => {
                let (instance, at) = self.instance_step(&path, 1);
                let id = self.resource_id(kind, name, instance.as_ref());
                match key(at) {
                    Some(attr) => {
                        resource_reference(expr.span, &id, kind, attr, self.text(expr.span))
                    }
                    None if path.len() == at => {
                        resource_object(expr.span, &id, kind, self.text(expr.span))
                    }
                    None => self.unknown(expr, "is computed at plan time"),
                }
            }
            _ => self.unknown(expr, "is computed at plan time"),
        }
    }

    /// An index right after a block's name (`aws_sqs_queue.q["a"]`): the instance, and where
    /// the attribute is in the path.
    fn instance_step(&self, path: &[PathStep], at: usize) -> (Option<PathStep>, usize) {
        match path.get(at) {
            Some(step @ (PathStep::Key(_) | PathStep::Position(_) | PathStep::Unknown(_))) => {
                (Some(step.clone()), at + 1)
            }
            _ => (None, at),
        }
    }

    /// The address of a resource in the view: the instance's when the block was expanded, else
    /// the block's (whatever the index: every instance is that block).
    fn resource_id(&self, kind: &str, name: &str, instance: Option<&PathStep>) -> String {
        let block = [self.names.prefix.as_str(), kind, ".", name].concat();
        let Some(instance) = instance.filter(|i| !matches!(i, PathStep::Unknown(_))) else {
            return block;
        };
        let suffix = step_suffix(instance);
        if self.names.expanded.borrow().contains_key(&block) {
            block + &suffix
        } else {
            block
        }
    }

    /// `aws_sqs_queue.q[*].arn`: the instances' attributes as a list, or the block's own when
    /// it was not expanded (its instances are then one resource in the view).
    fn resource_splat(&self, expr: &Expr, root: &str, steps: &[Step]) -> Option<Node> {
        let [Step::Attr(name), Step::Splat, Step::Attr(attr), rest @ ..] = steps else {
            return None;
        };
        if !root.contains('_') || matches!(root, "var" | "local" | "each" | "data" | "module") {
            return None;
        }
        let block = [self.names.prefix.as_str(), root, ".", name].concat();
        let written = self.text(expr.span);
        let instances = self.names.expanded.borrow().get(&block).cloned();
        let items = match instances {
            Some(keys) => keys
                .iter()
                .map(|key| {
                    let id = format!("{block}[{}]", address_key(key));
                    resource_reference(expr.span, &id, root, attr, written)
                })
                .collect(),
            None => vec![resource_reference(expr.span, &block, root, attr, written)],
        };
        let list = Node::new(expr.span, Value::Seq(items));
        // `aws_lambda_function.f.*.arn[0]`: the old splat, then an index.
        let rest = match self.path(rest) {
            Ok(rest) => rest,
            Err(why) => return Some(self.unknown(expr, why)),
        };
        Some(self.follow_at(expr, list, &rest, "the instances"))
    }

    fn each(&self, expr: &Expr, path: &[PathStep]) -> Node {
        let found = match path.first() {
            Some(PathStep::Attr(k)) if k == "key" && path.len() == 1 => self.instance.key.clone(),
            Some(PathStep::Attr(k)) if k == "value" => self.instance.value.clone(),
            _ => None,
        };
        let Some(found) = found else {
            return self.unknown(
                expr,
                "differs for each instance the block's `for_each` creates",
            );
        };
        let rest = if path.len() > 1 { &path[1..] } else { &[] };
        self.follow_at(expr, found, rest, "the `for_each` value")
    }

    /// Follows `rest` into a value; a key the known value lacks is an evaluation error.
    fn follow_at(&self, expr: &Expr, node: Node, rest: &[PathStep], what: &str) -> Node {
        let node = if rest.is_empty() {
            node
        } else {
            self.concrete(node)
        };
        match follow(node, rest) {
            Ok(mut found) => {
                if !matches!(found.value, Value::Map(_) | Value::Seq(_)) && !rest.is_empty() {
                    found.span = expr.span;
                }
                found
            }
            Err(None) => self.unknown(
                expr,
                format!("{DOES_NOT_EXIST} {what} does not set this field"),
            ),
            Err(Some(why)) => self.unknown(expr, why),
        }
    }

    fn variable(&self, expr: &Expr, name: &str, rest: &[PathStep]) -> Node {
        if let Some(bound) = self.names.bound.get(name) {
            return self.follow_at(expr, bound.clone(), rest, "the value the caller gives");
        }
        let written = self.text(expr.span);
        let value = self.names.value_of(name);
        if value.is_none()
            && let Some(service) = self.validated_service(name)
        {
            // The variable's validation only lets an ARN of one service through.
            return Node::unknown(
                expr.span,
                format!("arn:aws:{service}:${{region}}:${{account}}:${{var.{name}}}"),
                format!(
                    "comes from the input variable {name}, which has no default; its validation only accepts {service} ARNs"
                ),
            );
        }
        let Some(value) = value else {
            let why = if self.names.declared.contains_key(name) {
                format!(
                    "comes from the input variable {name}, which has no default (give its value with --var-file)"
                )
            } else {
                format!("refers to the input variable {name}, which the module does not declare")
            };
            return Node::unknown(expr.span, written, why);
        };
        if rest.is_empty() {
            return intrinsic(
                expr.span,
                "Ref",
                Node::new(
                    expr.span,
                    Value::Str(format!("{}var.{name}", self.names.prefix).into()),
                ),
                written,
            );
        }
        // A field of an object variable: its value in the default, when written there.
        let value = self.node(value);
        self.follow_at(expr, value, rest, "the variable's value")
    }

    /// The service a variable's `validation` requires of its ARN (`startswith(var.x,
    /// "arn:aws:sqs:")`, `can(regex("^arn:aws[a-z-]*:kinesis:", var.x))`), when one condition
    /// names the variable and a single ARN service.
    fn validated_service(&self, name: &str) -> Option<String> {
        let reference = format!("var.{name}");
        self.names
            .validations
            .get(name)?
            .iter()
            .map(|condition| self.text(condition.span))
            .filter(|text| text.contains(&reference))
            .find_map(arn_service_in)
    }

    fn local(&self, expr: &Expr, name: &str, rest: &[PathStep]) -> Node {
        let Some((&name, &value)) = self.names.locals.get_key_value(name) else {
            return self.unknown(
                expr,
                format!("refers to local.{name}, which is not defined"),
            );
        };
        {
            let in_progress = self.in_progress.borrow();
            if in_progress.contains(&name) || in_progress.len() >= MAX_LOCAL_DEPTH {
                return self.unknown(expr, "is part of a cycle of locals");
            }
        }
        // A local used where nothing else is in progress lowers the same every time, unless
        // it reads `each` or `count` (which Terraform refuses in locals, but is kept as is).
        let reusable = self.in_progress.borrow().is_empty() && self.instance.is_none();
        let cached = reusable
            .then(|| self.names.locals_lowered.borrow().get(name).cloned())
            .flatten();
        let lowered = match cached {
            Some(lowered) => lowered,
            None => {
                self.in_progress.borrow_mut().push(name);
                let lowered = self.node(value);
                self.in_progress.borrow_mut().pop();
                if reusable {
                    let mut lowered_locals = self.names.locals_lowered.borrow_mut();
                    lowered_locals.insert(name, lowered.clone());
                }
                lowered
            }
        };
        // Findings point where the value is used; scalars take that place.
        let mut found = self.follow_at(expr, lowered, rest, "the local's value");
        if !matches!(found.value, Value::Map(_) | Value::Seq(_)) {
            found.span = expr.span;
        }
        found
    }

    /// A data source is read at plan time, but its type says what it names: its ARN keeps the
    /// service (`data.aws_sqs_queue.jobs.arn` is an SQS queue, named `jobs` when the block says
    /// so).
    fn data(&self, expr: &Expr, kind: &str, name: &str, attr: &str) -> Node {
        let why = format!("is read from data.{kind}.{name} at plan time");
        let body = self.names.data.get(&format!("{kind}.{name}"));
        let argument = |arg: &str| {
            body.and_then(|b| b.attribute(arg))
                .and_then(|a| scalar_text(&self.value(&a.value)))
        };
        let named = |arg: &str| argument(arg).unwrap_or_else(|| "${name}".to_string());
        let shape = match (kind, attr) {
            ("aws_sqs_queue", "arn") => Some(format!(
                "arn:aws:sqs:${{region}}:${{account}}:{}",
                named("name")
            )),
            ("aws_kinesis_stream", "arn") => Some(format!(
                "arn:aws:kinesis:${{region}}:${{account}}:stream/{}",
                named("name")
            )),
            ("aws_dynamodb_table", "stream_arn") => Some(format!(
                "arn:aws:dynamodb:${{region}}:${{account}}:table/{}/stream/${{label}}",
                named("name")
            )),
            ("aws_msk_cluster", "arn") => {
                Some("arn:aws:kafka:${region}:${account}:cluster/${name}".to_string())
            }
            ("aws_mq_broker", "arn") => {
                Some("arn:aws:mq:${region}:${account}:broker:${name}".to_string())
            }
            ("aws_lambda_function", "function_name") => argument("function_name"),
            ("aws_lambda_function", "arn" | "qualified_arn" | "invoke_arn") => Some(format!(
                "arn:aws:lambda:${{region}}:${{account}}:function:{}",
                named("function_name")
            )),
            _ => None,
        };
        match shape {
            Some(text) => Node::unknown(expr.span, text, why),
            None => self.unknown(expr, why),
        }
    }

    /// An output of a module call: what the called module's `output` block gives when the
    /// module was read; the function a Lambda module creates, in the view under the module's
    /// address; what a modelled registry module gives; else unknown.
    fn module_output(
        &self,
        expr: &Expr,
        call: &str,
        name: &str,
        output: &str,
        rest: &[PathStep],
    ) -> Node {
        let written = self.text(expr.span);
        let read = self
            .names
            .module_outputs
            .borrow()
            .get(call)
            .map(|outputs| outputs.get(output).cloned());
        match read {
            Some(Some(value)) => {
                let value = retitled(value, written);
                return self.follow_at(expr, value, rest, "the module's output");
            }
            Some(None) => {
                return self.unknown(
                    expr,
                    format!("{DOES_NOT_EXIST} module {name} has no output {output}"),
                );
            }
            None => {}
        }
        let id = format!("{}module.{name}", self.names.prefix);
        if self.names.modules.get(name)
            == Some(&Some(crate::load::terraform::LambdaModule::Function))
        {
            match output {
                "lambda_function_arn" | "lambda_function_qualified_arn" => {
                    return get_att(expr.span, &id, "Arn", written);
                }
                "lambda_function_name" => {
                    return intrinsic(
                        expr.span,
                        "Ref",
                        Node::new(expr.span, Value::Str(id.into())),
                        written,
                    );
                }
                _ => {}
            }
        }
        self.unknown(expr, format!("is an output of module {name}"))
    }
}

/// The service of the one ARN prefix a condition's text names (`arn:aws:sqs:`,
/// `arn:aws[a-z-]*:kinesis:`, `arn:(aws|aws-cn):dynamodb:`): one of the event sources'.
pub(super) fn arn_service_in(text: &str) -> Option<String> {
    const SERVICES: &[&str] = &["sqs", "kinesis", "dynamodb", "kafka", "mq", "rds"];
    let mut found: Option<&str> = None;
    for (at, _) in text.match_indices("arn:") {
        let rest = &text[at + 4..];
        // The partition may be a pattern: skip to the next colon outside brackets.
        let mut depth = 0i32;
        let end = rest.char_indices().find_map(|(i, c)| {
            match c {
                '(' | '[' => depth += 1,
                ')' | ']' => depth -= 1,
                ':' if depth <= 0 => return Some(i),
                _ => {}
            }
            None
        })?;
        let service: String = rest[end + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let known = SERVICES.iter().find(|s| **s == service)?;
        if found.is_some_and(|f| f != *known) {
            return None;
        }
        found = Some(known);
    }
    found.map(str::to_string)
}

/// `["a"]` or `[0]`: an instance step as an address writes it.
fn step_suffix(step: &PathStep) -> String {
    match step {
        PathStep::Attr(k) | PathStep::Key(k) => format!("[{k:?}]"),
        PathStep::Position(i) => format!("[{i}]"),
        PathStep::Unknown(_) => "[?]".to_string(),
    }
}

/// A value a module gives its caller, quoted as the caller wrote it.
fn retitled(mut value: Node, written: &str) -> Node {
    if let Value::Intrinsic(intrinsic) = &mut value.value {
        intrinsic.written = Some(written.into());
    }
    value
}

/// A reference to an attribute of a managed resource, as the view knows the resource (under
/// its address): the ARN attributes as `Fn::GetAtt`, names and ids as `Ref` where
/// CloudFormation's `Ref` gives the same thing (a queue's URL, a stream's or table's name, a
/// topic's ARN).
fn resource_reference(span: Span, id: &str, kind: &str, attr: &str, written: &str) -> Node {
    let reference = || intrinsic(span, "Ref", Node::new(span, Value::Str(id.into())), written);
    match (kind, attr) {
        ("aws_sqs_queue", "id" | "url") => reference(),
        ("aws_sqs_queue", "name") => get_att(span, id, "QueueName", written),
        ("aws_kinesis_stream" | "aws_dynamodb_table", "name" | "id") => reference(),
        ("aws_dynamodb_table", "stream_arn") => get_att(span, id, "StreamArn", written),
        ("aws_lambda_function", "function_name" | "id") => reference(),
        ("aws_lambda_alias" | "aws_kinesis_stream_consumer" | "aws_sns_topic", "arn" | "id") => {
            reference()
        }
        ("aws_msk_cluster" | "aws_msk_serverless_cluster", "arn" | "id") => reference(),
        (_, "arn" | "qualified_arn") => get_att(span, id, "Arn", written),
        _ => get_att(span, id, &camel(attr), written),
    }
}

/// A whole resource used as a value (`lambda = aws_lambda_function.f`, read later as
/// `.arn`): an object of references to the attributes links read.
fn resource_object(span: Span, id: &str, kind: &str, written: &str) -> Node {
    const ATTRIBUTES: &[&str] = &[
        "arn",
        "id",
        "name",
        "function_name",
        "qualified_arn",
        "invoke_arn",
        "url",
        "stream_arn",
    ];
    let entries = ATTRIBUTES
        .iter()
        .map(|attr| Entry {
            key: (*attr).into(),
            key_span: span,
            value: resource_reference(span, id, kind, attr, &format!("{written}.{attr}")),
        })
        .collect();
    Node::new(span, Value::Map(Map { entries }))
}

/// `stream_arn` -> `StreamArn`.
fn camel(name: &str) -> String {
    name.split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

pub fn get_att(span: Span, id: &str, attribute: &str, written: &str) -> Node {
    let text = |t: &str| Node::new(span, Value::Str(t.into()));
    intrinsic(
        span,
        "Fn::GetAtt",
        Node::new(span, Value::Seq(vec![text(id), text(attribute)])),
        written,
    )
}

pub fn intrinsic(span: Span, name: &str, arg: Node, written: &str) -> Node {
    let mut intrinsic = Intrinsic::new(name, arg);
    intrinsic.written = Some(written.into());
    Node::new(span, Value::Intrinsic(Box::new(intrinsic)))
}

/// Follows attributes, keys and positions into a known value: `Err(None)` when the value
/// lacks one (an error in Terraform), `Err(Some(why))` when the value is not known.
fn follow(mut node: Node, path: &[PathStep]) -> Result<Node, Option<String>> {
    for step in path {
        if let PathStep::Unknown(why) = step {
            return Err(Some(why.clone()));
        }
        if let Value::Unknown(u) = &node.value {
            return Err(Some(u.why.clone()));
        }
        if matches!(node.value, Value::Intrinsic(_)) {
            return Err(Some(
                "is a field of a value known only after apply".to_string(),
            ));
        }
        let next = match (step, &node.value) {
            (PathStep::Attr(key) | PathStep::Key(key), Value::Map(map)) => map.get(key).cloned(),
            (PathStep::Position(i), Value::Seq(items)) => {
                usize::try_from(*i).ok().and_then(|i| items.get(i)).cloned()
            }
            (PathStep::Position(i), Value::Map(map)) => map.get(&i.to_string()).cloned(),
            _ => None,
        };
        node = next.ok_or(None)?;
    }
    Ok(node)
}
