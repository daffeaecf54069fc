//! Terraform expressions lowered into template-view nodes: literals as they are; `var.x` as a
//! reference to a parameter holding the variable's default (or `--var-file` value); `local.x`
//! as the local's own value; resource references as `Fn::GetAtt` / `Ref` of the resource's
//! address, keeping the author's text for messages; `jsonencode(...)` as `Fn::ToJsonString`;
//! conditionals as `Fn::If`. Anything else becomes an unknown value with the reason, never a
//! guess.

use std::cell::RefCell;

use crate::fxhash::FxHashMap;
use crate::hcl::{Expr, ExprKind, ObjectItem, Part, Step};
use crate::source::{FileId, Span};
use crate::tree::{Entry, Intrinsic, Map, Node, Value};

/// What names in expressions refer to, across every file of the module.
#[derive(Default)]
pub struct Names<'a> {
    pub texts: FxHashMap<FileId, &'a str>,
    /// Input variables that have a value: the `--var-file` value, else the `default`.
    pub variables: FxHashMap<&'a str, &'a Expr>,
    /// Every declared input variable (for the reason a value is unknown).
    pub declared: FxHashMap<&'a str, Span>,
    pub locals: FxHashMap<&'a str, &'a Expr>,
    /// The input variables whose value comes from a `--var-file`.
    pub from_var_file: crate::fxhash::FxHashSet<&'a str>,
    /// `data "<type>" "<name>"` blocks, by `<type>.<name>`: their arguments.
    pub data: FxHashMap<String, &'a crate::hcl::Body>,
    /// Module calls, with the kind of Lambda module each is (`None`: another module).
    pub modules: FxHashMap<&'a str, Option<super::LambdaModule>>,
}

/// Lowers expressions of one module; locals are lowered where they are used, once per use,
/// with a guard against cycles.
pub struct Lowerer<'n, 'a> {
    pub names: &'n Names<'a>,
    in_progress: RefCell<Vec<&'a str>>,
}

/// Deepest chain of locals referring to locals followed.
const MAX_LOCAL_DEPTH: usize = 64;

impl<'n, 'a> Lowerer<'n, 'a> {
    pub fn new(names: &'n Names<'a>) -> Self {
        Lowerer {
            names,
            in_progress: RefCell::new(Vec::new()),
        }
    }

    /// The text an expression was written as.
    pub fn text(&self, span: Span) -> &'a str {
        self.names
            .texts
            .get(&span.file)
            .and_then(|t| t.get(span.range()))
            .unwrap_or("")
    }

    pub fn node(&self, expr: &Expr) -> Node {
        let span = expr.span;
        match &expr.kind {
            ExprKind::Null => Node::new(span, Value::Null),
            ExprKind::Bool(b) => Node::new(span, Value::Bool(*b)),
            ExprKind::Int(i) => Node::new(span, Value::Int(*i)),
            ExprKind::Float(f) => Node::new(span, Value::Float(*f)),
            ExprKind::Str(s) => Node::new(span, Value::Str(s.clone().into())),
            ExprKind::Template(parts) => self.template(span, parts),
            ExprKind::Array(items) => Node::new(
                span,
                Value::Seq(items.iter().map(|i| self.node(i)).collect()),
            ),
            ExprKind::Object(items) => self.object(span, items),
            ExprKind::Traversal(root, steps) => self.traversal(expr, root, steps),
            ExprKind::Call(name, args) => self.call(expr, name, args),
            ExprKind::Conditional(parts) => self.conditional(expr, parts),
            ExprKind::Negate(inner) => match self.node(inner).value {
                Value::Int(i) => Node::new(span, Value::Int(-i)),
                Value::Float(f) => Node::new(span, Value::Float(-f)),
                _ => self.unknown(expr, "is computed at plan time"),
            },
            ExprKind::Not(inner) => match self.node(inner).value {
                Value::Bool(b) => Node::new(span, Value::Bool(!b)),
                _ => self.unknown(expr, "is computed at plan time"),
            },
            ExprKind::Binary(op, operands) => self.binary(expr, op, operands),
            ExprKind::Other => self.unknown(expr, "is computed at plan time"),
        }
    }

    /// An unknown value written as `expr`.
    pub fn unknown(&self, expr: &Expr, why: impl Into<String>) -> Node {
        Node::unknown(expr.span, self.text(expr.span), why)
    }

    fn object(&self, span: Span, items: &[ObjectItem]) -> Node {
        let entries = items
            .iter()
            .filter_map(|item| {
                Some(Entry {
                    key: item.key.clone()?.into(),
                    key_span: item.key_span,
                    value: self.node(&item.value),
                })
            })
            .collect();
        Node::new(span, Value::Map(Map { entries }))
    }

    /// A string template: its text when every part is known; a lone interpolation is that
    /// expression's value (`"${aws_sqs_queue.q.arn}"`); otherwise unknown, with the known parts
    /// filled in so an ARN's service and name can still be read.
    fn template(&self, span: Span, parts: &[Part]) -> Node {
        if let [Part::Interpolation(only)] = parts {
            let mut node = self.node(only);
            node.span = span;
            return node;
        }
        let mut text = String::new();
        let mut why: Option<String> = None;
        for part in parts {
            match part {
                Part::Literal(literal) => text.push_str(literal),
                Part::Interpolation(expr) => {
                    let node = self.node(expr);
                    match scalar_text(&node) {
                        Some(piece) => text.push_str(&piece),
                        None => {
                            text.push_str(&format!("${{{}}}", self.text(expr.span)));
                            why.get_or_insert_with(|| reason_of(&node, self.text(expr.span)));
                        }
                    }
                }
            }
        }
        match why {
            None => Node::new(span, Value::Str(text.into())),
            Some(why) => Node::unknown(span, text, why),
        }
    }

    fn traversal(&self, expr: &Expr, root: &str, steps: &[Step]) -> Node {
        let attrs: Vec<&str> = steps
            .iter()
            .filter_map(|s| match s {
                Step::Attr(name) => Some(name.as_str()),
                _ => None,
            })
            .collect();
        if steps.iter().any(|s| matches!(s, Step::Splat)) {
            return self.unknown(expr, "is a splat over several values");
        }
        match (root, attrs.as_slice()) {
            ("var", [name, rest @ ..]) => self.variable(expr, name, rest),
            ("local", [name, rest @ ..]) => self.local(expr, name, rest),
            ("each", _) => self.unknown(
                expr,
                "differs for each instance the block's `for_each` creates",
            ),
            ("count", _) => self.unknown(
                expr,
                "differs for each instance the block's `count` creates",
            ),
            ("data", [kind, name, attr, ..]) => self.data(expr, kind, name, attr),
            ("module", [name, output, ..]) => self.module_output(expr, name, output),
            ("path" | "terraform" | "self", _) => {
                self.unknown(expr, "depends on where and how Terraform runs")
            }
            (kind, [name, attr, ..]) if kind.contains('_') => {
                resource_reference(expr.span, kind, name, attr, self.text(expr.span))
            }
            _ => self.unknown(expr, "is computed at plan time"),
        }
    }

    fn variable(&self, expr: &Expr, name: &str, rest: &[&str]) -> Node {
        let written = self.text(expr.span);
        if !self.names.variables.contains_key(name) {
            let why = if self.names.declared.contains_key(name) {
                format!(
                    "comes from the input variable {name}, which has no default (give its value with --var-file)"
                )
            } else {
                format!("refers to the input variable {name}, which the module does not declare")
            };
            return Node::unknown(expr.span, written, why);
        }
        if rest.is_empty() {
            return intrinsic(
                expr.span,
                "Ref",
                Node::new(expr.span, Value::Str(format!("var.{name}").into())),
                written,
            );
        }
        // A field of an object variable: its value in the default, when written there.
        let value = self.node(self.names.variables[name]);
        field(value, rest)
            .map(|mut n| {
                n.span = expr.span;
                n
            })
            .unwrap_or_else(|| self.unknown(expr, "is a field the variable's value does not set"))
    }

    fn local(&self, expr: &Expr, name: &str, rest: &[&str]) -> Node {
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
        self.in_progress.borrow_mut().push(name);
        let lowered = self.node(value);
        self.in_progress.borrow_mut().pop();
        let Some(mut found) = field(lowered, rest) else {
            return self.unknown(expr, "is a field the local's value does not set");
        };
        // Findings point where the value is used; scalars take that place.
        if !matches!(found.value, Value::Map(_) | Value::Seq(_)) {
            found.span = expr.span;
        }
        found
    }

    /// A data source is read at plan time; its arguments may still tell what it names
    /// (`data.aws_sqs_queue.jobs.arn` with `name = "jobs"` is an SQS queue named jobs).
    fn data(&self, expr: &Expr, kind: &str, name: &str, attr: &str) -> Node {
        let why = format!("is read from data.{kind}.{name} at plan time");
        let body = self.names.data.get(&format!("{kind}.{name}"));
        let argument = |arg: &str| {
            body.and_then(|b| b.attribute(arg))
                .and_then(|a| a.value.as_str())
        };
        let shape = match (kind, attr) {
            ("aws_sqs_queue", "arn") => {
                argument("name").map(|n| format!("arn:aws:sqs:${{region}}:${{account}}:{n}"))
            }
            ("aws_kinesis_stream", "arn") => argument("name")
                .map(|n| format!("arn:aws:kinesis:${{region}}:${{account}}:stream/{n}")),
            ("aws_dynamodb_table", "stream_arn") => argument("name").map(|n| {
                format!("arn:aws:dynamodb:${{region}}:${{account}}:table/{n}/stream/${{label}}")
            }),
            ("aws_msk_cluster", "arn") => {
                Some("arn:aws:kafka:${region}:${account}:cluster/${name}".to_string())
            }
            ("aws_mq_broker", "arn") => {
                Some("arn:aws:mq:${region}:${account}:broker:${name}".to_string())
            }
            ("aws_lambda_function", "function_name") => {
                argument("function_name").map(str::to_string)
            }
            _ => None,
        };
        match shape {
            Some(text) => Node::unknown(expr.span, text, why),
            None => self.unknown(expr, why),
        }
    }

    /// An output of a module call: the function a Lambda module creates is in the view, under
    /// the module's address; other outputs are unknown.
    fn module_output(&self, expr: &Expr, name: &str, output: &str) -> Node {
        let id = format!("module.{name}");
        let written = self.text(expr.span);
        if self.names.modules.get(name) == Some(&Some(super::LambdaModule::Function)) {
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

    fn call(&self, expr: &Expr, name: &str, args: &[Expr]) -> Node {
        match (name, args) {
            ("jsonencode", [value]) => intrinsic(
                expr.span,
                "Fn::ToJsonString",
                self.node(value),
                self.text(expr.span),
            ),
            (
                "tostring" | "tonumber" | "tobool" | "tolist" | "toset" | "sensitive"
                | "nonsensitive",
                [value],
            ) => {
                let mut node = self.node(value);
                node.span = expr.span;
                node
            }
            // The first argument that is known; unknown as soon as one is not.
            ("try" | "coalesce", alternatives) => {
                for alternative in alternatives {
                    let node = self.node(alternative);
                    match node.value {
                        Value::Unknown(_) | Value::Intrinsic(_) => {
                            return self
                                .unknown(expr, reason_of(&node, self.text(alternative.span)));
                        }
                        Value::Null if name == "coalesce" => continue,
                        _ => return node,
                    }
                }
                self.unknown(expr, format!("is computed by {name}()"))
            }
            ("lookup", [map, key, rest @ ..]) => {
                let (map, key) = (self.node(map), self.node(key));
                match (&map.value, key.as_str()) {
                    (Value::Map(m), Some(key)) => match (m.get(key), rest) {
                        (Some(found), _) => found.clone(),
                        (None, [default]) => self.node(default),
                        (None, _) => self.unknown(
                            expr,
                            format!("looks up `{key}`, which the map does not have"),
                        ),
                    },
                    _ => self.unknown(expr, "looks up a key known only at plan time"),
                }
            }
            _ => self.unknown(expr, format!("is computed by {name}() at plan time")),
        }
    }

    fn conditional(&self, expr: &Expr, parts: &[Expr; 3]) -> Node {
        let [condition, then, otherwise] = parts;
        let (a, b) = (self.node(then), self.node(otherwise));
        if a.to_json() == b.to_json() && !matches!(a.value, Value::Unknown(_)) {
            return a;
        }
        let condition = Node::new(condition.span, Value::Str(self.text(condition.span).into()));
        intrinsic(
            expr.span,
            "Fn::If",
            Node::new(expr.span, Value::Seq(vec![condition, a, b])),
            self.text(expr.span),
        )
    }

    fn binary(&self, expr: &Expr, op: &str, operands: &[Expr; 2]) -> Node {
        let [a, b] = operands;
        let number = |n: &Node| match n.value {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => None,
        };
        let (Some(x), Some(y)) = (number(&self.node(a)), number(&self.node(b))) else {
            return self.unknown(expr, "is computed at plan time");
        };
        let result = match op {
            "+" => x + y,
            "-" => x - y,
            "*" => x * y,
            "/" if y != 0.0 => x / y,
            _ => return self.unknown(expr, "is computed at plan time"),
        };
        let value = if result.fract() == 0.0 && result.abs() < 1e15 {
            Value::Int(result as i64)
        } else {
            Value::Float(result)
        };
        Node::new(expr.span, value)
    }
}

/// A reference to an attribute of a managed resource, as the view knows the resource (under
/// its address): the ARN attributes as `Fn::GetAtt`, names and ids as `Ref` where
/// CloudFormation's `Ref` gives the same thing (a queue's URL, a stream's or table's name, a
/// topic's ARN).
fn resource_reference(span: Span, kind: &str, name: &str, attr: &str, written: &str) -> Node {
    let id = format!("{kind}.{name}");
    let reference = || {
        intrinsic(
            span,
            "Ref",
            Node::new(span, Value::Str(id.clone().into())),
            written,
        )
    };
    match (kind, attr) {
        ("aws_sqs_queue", "id" | "url") => reference(),
        ("aws_sqs_queue", "name") => get_att(span, &id, "QueueName", written),
        ("aws_kinesis_stream" | "aws_dynamodb_table", "name" | "id") => reference(),
        ("aws_dynamodb_table", "stream_arn") => get_att(span, &id, "StreamArn", written),
        ("aws_lambda_function", "function_name" | "id") => reference(),
        ("aws_lambda_alias" | "aws_kinesis_stream_consumer" | "aws_sns_topic", "arn" | "id") => {
            reference()
        }
        ("aws_msk_cluster" | "aws_msk_serverless_cluster", "arn" | "id") => reference(),
        (_, "arn" | "qualified_arn") => get_att(span, &id, "Arn", written),
        _ => get_att(span, &id, &camel(attr), written),
    }
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

/// Follows attribute names into a literal object.
fn field(mut node: Node, path: &[&str]) -> Option<Node> {
    for key in path {
        node = node.get(key)?.clone();
    }
    Some(node)
}

/// The text of a scalar, for a template.
fn scalar_text(node: &Node) -> Option<String> {
    match &node.value {
        Value::Str(s) => Some(s.to_string()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Why a lowered value is not known, for a value built from it.
fn reason_of(node: &Node, written: &str) -> String {
    match &node.value {
        Value::Unknown(u) => format!("`{}` {}", u.text, u.why),
        _ => format!("`{written}` is known only after apply"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::hcl;

    fn lowered(source: &str, expr_text: &str) -> Node {
        let text = format!("{source}\nx = {expr_text}\n");
        let text: &'static str = Box::leak(text.into_boxed_str());
        let body: &'static crate::hcl::Body =
            Box::leak(Box::new(hcl::parse(text, FileId(0)).unwrap()));
        let mut names = Names::default();
        names.texts.insert(FileId(0), text);
        for block in body.blocks() {
            match block.kind.as_str() {
                "variable" => {
                    let name = block.label(0).unwrap();
                    names.declared.insert(name, block.span);
                    if let Some(default) = block.body.attribute("default") {
                        names.variables.insert(name, &default.value);
                    }
                }
                "locals" => {
                    for a in block.body.attributes() {
                        names.locals.insert(&a.name, &a.value);
                    }
                }
                _ => {}
            }
        }
        let x = &body.attribute("x").unwrap().value;
        Lowerer::new(&names).node(x)
    }

    #[test]
    fn literals_variables_and_locals() {
        assert_eq!(lowered("", "-1").value, Value::Int(-1));
        assert_eq!(lowered("", "60 * 6").value, Value::Int(360));
        let with_default = lowered("variable \"size\" { default = 5 }", "var.size");
        assert_eq!(with_default.as_intrinsic().unwrap().name, "Ref");
        let without = lowered("variable \"size\" {}", "var.size");
        assert!(without.as_unknown().unwrap().why.contains("no default"));
        let local = lowered("locals {\n a = local.b\n b = 7\n}", "local.a");
        assert_eq!(local.value, Value::Int(7));
        let cycle = lowered("locals {\n a = local.b\n b = local.a\n}", "local.a");
        assert!(cycle.as_unknown().unwrap().why.contains("cycle"));
        let object = lowered(
            "variable \"cfg\" { default = { batch = 20 } }",
            "var.cfg.batch",
        );
        assert_eq!(object.value, Value::Int(20));
    }

    #[test]
    fn references_keep_the_authors_text() {
        let arn = lowered("", "aws_sqs_queue.jobs.arn");
        let intrinsic = arn.as_intrinsic().unwrap();
        assert_eq!(intrinsic.name, "Fn::GetAtt");
        assert_eq!(crate::template::describe(&arn), "aws_sqs_queue.jobs.arn");
        assert_eq!(
            crate::template::referenced_resource(&arn),
            Some(("aws_sqs_queue.jobs", Some("Arn")))
        );
        let url = lowered("", "aws_sqs_queue.jobs.id");
        assert_eq!(url.as_intrinsic().unwrap().name, "Ref");
        let stream = lowered("", "\"${aws_dynamodb_table.t.stream_arn}\"");
        assert_eq!(
            crate::template::referenced_resource(&stream),
            Some(("aws_dynamodb_table.t", Some("StreamArn")))
        );
    }

    #[test]
    fn what_cannot_be_known_stays_unknown_with_partial_text() {
        let partial = lowered(
            "variable \"env\" {}",
            "\"arn:aws:sqs:us-east-1:123456789012:jobs-${var.env}\"",
        );
        let unknown = partial.as_unknown().unwrap();
        assert_eq!(
            unknown.text,
            "arn:aws:sqs:us-east-1:123456789012:jobs-${var.env}"
        );
        assert!(unknown.why.contains("no default"));
        assert!(lowered("", "each.value.arn").as_unknown().is_some());
        assert!(lowered("", "format(\"%s\", 1)").as_unknown().is_some());
        assert_eq!(
            lowered("", "jsonencode({ a = 1 })")
                .as_intrinsic()
                .unwrap()
                .name,
            "Fn::ToJsonString"
        );
        assert_eq!(lowered("", "true ? 3 : 3").value, Value::Int(3));
        assert_eq!(
            lowered("variable \"prod\" {}", "var.prod ? 3 : 4")
                .as_intrinsic()
                .unwrap()
                .name,
            "Fn::If"
        );
    }
}
