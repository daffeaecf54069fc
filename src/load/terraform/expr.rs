//! Terraform expressions lowered into template-view nodes: literals as they are; `var.x` as a
//! reference to a parameter holding the variable's default (or `--var-file` value); `local.x`
//! as the local's own value; resource references as `Fn::GetAtt` / `Ref` of the resource's
//! address, keeping the author's text for messages; `jsonencode(...)` as `Fn::ToJsonString`;
//! conditionals as `Fn::If`. Anything else becomes an unknown value with the reason, never a
//! guess.

use std::cell::RefCell;

use crate::fxhash::{FxHashMap, FxHashSet};
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
    pub from_var_file: FxHashSet<&'a str>,
    /// `data "<type>" "<name>"` blocks, by `<type>.<name>`: their arguments.
    pub data: FxHashMap<String, &'a crate::hcl::Body>,
    /// Module calls, with the kind of Lambda module each is (`None`: another module).
    pub modules: FxHashMap<&'a str, Option<super::LambdaModule>>,
    /// The address of the module instance these names belong to: empty for the module linted,
    /// `module.orders.` inside a call. Every resource and variable address starts with it.
    pub prefix: String,
    /// Input variables the caller gives a value, lowered where the call is written.
    pub bound: FxHashMap<&'a str, Node>,
    /// Whether these are the names of a called module, whose call is read: an input the call
    /// leaves out is then its default, even a null one. In the module linted, a null default is
    /// a value given from outside.
    pub called: bool,
    /// The `condition` of each input variable's `validation` blocks.
    pub validations: FxHashMap<&'a str, Vec<&'a Expr>>,
    /// `output` blocks: what a caller reads as `module.<call>.<output>`.
    pub outputs: Vec<(&'a str, &'a Expr)>,
    /// What the module calls already lowered give: call name, then output name.
    pub module_outputs: RefCell<FxHashMap<String, FxHashMap<String, Node>>>,
    /// Resource blocks (`kind.name`) whose `count` or `for_each` gave known instances: their
    /// instances are in the view as `kind.name["key"]` / `kind.name[0]`.
    pub expanded: RefCell<FxHashMap<String, Vec<Node>>>,
}

impl<'a> Names<'a> {
    /// An input variable's value: the `--var-file` value, else its default (a null default
    /// only in a called module, see [`Names::called`]).
    pub fn value_of(&self, name: &str) -> Option<&'a Expr> {
        let value = *self.variables.get(name)?;
        let given_outside = matches!(value.kind, ExprKind::Null) && !self.called;
        (!given_outside).then_some(value)
    }
}

/// The instance of a block with `for_each` or `count` being lowered: what `each.key`,
/// `each.value` and `count.index` are.
#[derive(Clone, Debug, Default)]
pub struct Instance {
    pub key: Option<Node>,
    pub value: Option<Node>,
    pub index: Option<i64>,
}

impl Instance {
    /// `["slow"]` or `[0]`: how Terraform writes the instance in an address.
    pub fn suffix(&self) -> String {
        match (&self.key, self.index) {
            (Some(key), _) => format!("[{}]", address_key(key)),
            (None, Some(index)) => format!("[{index}]"),
            _ => String::new(),
        }
    }
}

/// A key in an address: strings quoted, numbers bare.
fn address_key(key: &Node) -> String {
    match &key.value {
        Value::Str(s) => format!("{:?}", s.as_str()),
        Value::Int(i) => i.to_string(),
        _ => "?".to_string(),
    }
}

/// Lowers expressions of one module; locals are lowered where they are used, once per use,
/// with a guard against cycles.
pub struct Lowerer<'n, 'a> {
    pub names: &'n Names<'a>,
    in_progress: RefCell<Vec<&'a str>>,
    pub instance: Instance,
}

/// Deepest chain of locals referring to locals followed.
const MAX_LOCAL_DEPTH: usize = 64;

/// How an unknown value starts its reason when Terraform itself would fail to evaluate the
/// expression (a key a known map does not have): `try` moves on to its next alternative.
const DOES_NOT_EXIST: &str = "does not exist:";

/// One step into a value: an attribute, a string key in brackets, or a position.
#[derive(Clone, Debug)]
enum PathStep {
    Attr(String),
    Key(String),
    Position(i64),
    /// An index known only at plan time, and why.
    Unknown(String),
}

impl<'n, 'a> Lowerer<'n, 'a> {
    pub fn new(names: &'n Names<'a>) -> Self {
        Lowerer {
            names,
            in_progress: RefCell::new(Vec::new()),
            instance: Instance::default(),
        }
    }

    /// The same names, for one instance of a block with `for_each` or `count`.
    pub fn for_instance(&self, instance: Instance) -> Lowerer<'n, 'a> {
        Lowerer {
            names: self.names,
            in_progress: RefCell::new(Vec::new()),
            instance,
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
            ExprKind::Negate(inner) => match self.value(inner).value {
                Value::Int(i) => Node::new(span, Value::Int(-i)),
                Value::Float(f) => Node::new(span, Value::Float(-f)),
                _ => self.unknown(expr, "is computed at plan time"),
            },
            ExprKind::Not(inner) => match self.value(inner).value {
                Value::Bool(b) => Node::new(span, Value::Bool(!b)),
                _ => self.unknown(expr, "is computed at plan time"),
            },
            ExprKind::Binary(op, operands) => self.binary(expr, op, operands),
            ExprKind::Other => self.unknown(expr, "is computed at plan time"),
        }
    }

    /// An expression's value where a computation needs it (a condition, a key, a collection
    /// to expand): a variable's value rather than a reference to it.
    pub fn value(&self, expr: &Expr) -> Node {
        self.concrete(self.node(expr))
    }

    /// A reference to an input variable replaced by the variable's value.
    pub fn concrete(&self, node: Node) -> Node {
        let Some(intrinsic) = node.as_intrinsic() else {
            return node;
        };
        let variable = (intrinsic.name == "Ref")
            .then(|| intrinsic.arg.as_str())
            .flatten()
            .and_then(|id| id.strip_prefix(self.names.prefix.as_str()))
            .and_then(|id| id.strip_prefix("var."))
            .and_then(|name| self.names.value_of(name));
        match variable {
            Some(expr) => self.node(expr),
            None => node,
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
                Part::Interpolation(expr) => self.push_piece(&mut text, &mut why, expr),
            }
        }
        match why {
            None => Node::new(span, Value::Str(text.into())),
            Some(why) => Node::unknown(span, text, why),
        }
    }

    /// Appends an interpolated value to a text being built: its text when known, else
    /// `${...}` as written, with the first reason a piece is unknown.
    fn push_piece(&self, text: &mut String, why: &mut Option<String>, expr: &Expr) {
        let node = self.value(expr);
        match scalar_text(&node) {
            Some(piece) => text.push_str(&piece),
            None => {
                text.push_str(&format!("${{{}}}", self.text(expr.span)));
                why.get_or_insert_with(|| reason_of(&node, self.text(expr.span)));
            }
        }
    }

    /// The steps of a traversal after its root, with indexes evaluated; `Err` for a splat.
    fn path(&self, steps: &[Step]) -> Result<Vec<PathStep>, String> {
        steps
            .iter()
            .map(|step| match step {
                Step::Attr(name) => Ok(PathStep::Attr(name.clone())),
                Step::Index(index) => {
                    let key = self.value(index);
                    Ok(match &key.value {
                        Value::Str(s) => PathStep::Key(s.to_string()),
                        Value::Int(i) => PathStep::Position(*i),
                        _ => PathStep::Unknown(format!(
                            "is indexed by `{}`, {}",
                            self.text(index.span),
                            reason_of(&key, self.text(index.span))
                        )),
                    })
                }
                Step::Splat => Err("is a splat over several values".to_string()),
            })
            .collect()
    }

    fn traversal(&self, expr: &Expr, root: &str, steps: &[Step]) -> Node {
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
        let block = format!("{}{kind}.{name}", self.names.prefix);
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
        let block = format!("{}{root}.{name}", self.names.prefix);
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
        self.in_progress.borrow_mut().push(name);
        let lowered = self.node(value);
        self.in_progress.borrow_mut().pop();
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
            ("jsondecode", [value]) => self.json_decode(expr, value),
            ("tostring", [value]) => self.convert(expr, value, to_string),
            ("tonumber", [value]) => self.convert(expr, value, to_number),
            ("tobool" | "tolist" | "toset" | "tomap" | "sensitive" | "nonsensitive", [value]) => {
                let mut node = self.node(value);
                node.span = expr.span;
                node
            }
            ("try", alternatives) => self.first_that_evaluates(expr, alternatives),
            ("coalesce", alternatives) => self.coalesce(expr, alternatives),
            ("lookup", [map, key, rest @ ..]) => self.lookup(expr, map, key, rest),
            ("one", [list]) => match self.value(list).value {
                Value::Seq(items) if items.len() <= 1 => items
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| Node::new(expr.span, Value::Null)),
                Value::Seq(_) => self.unknown(expr, "is one() of several values, an error"),
                _ => self.unknown(expr, "is one() of a list known only at plan time"),
            },
            ("merge", maps) => self.merge(expr, maps),
            ("concat", lists) => self.concat(expr, lists),
            ("length", [value]) => match self.value(value).value {
                Value::Seq(items) => Node::new(expr.span, Value::Int(items.len() as i64)),
                Value::Map(map) => Node::new(expr.span, Value::Int(map.len() as i64)),
                Value::Str(s) => Node::new(expr.span, Value::Int(s.chars().count() as i64)),
                _ => self.unknown(expr, "is the length of a value known only at plan time"),
            },
            ("format", [format, values @ ..]) => self.format(expr, format, values),
            ("trimsuffix", [text, suffix]) => {
                let (text, suffix) = (self.value(text), self.value(suffix));
                match (text.as_str(), suffix.as_str()) {
                    (Some(t), Some(s)) => {
                        Node::new(expr.span, Value::Str(t.strip_suffix(s).unwrap_or(t).into()))
                    }
                    _ => self.unknown(expr, reason_of(&text, self.text(expr.span))),
                }
            }
            _ => self.unknown(expr, format!("is computed by {name}() at plan time")),
        }
    }

    fn convert(&self, expr: &Expr, value: &Expr, how: fn(&Value) -> Option<Value>) -> Node {
        let node = self.value(value);
        match how(&node.value) {
            Some(converted) => Node::new(expr.span, converted),
            None => {
                let mut node = node;
                node.span = expr.span;
                node
            }
        }
    }

    /// `try`: the first alternative Terraform can evaluate. One known only at plan time makes
    /// the result unknown too: it may or may not fail then.
    fn first_that_evaluates(&self, expr: &Expr, alternatives: &[Expr]) -> Node {
        for alternative in alternatives {
            let node = self.node(alternative);
            match &node.value {
                Value::Unknown(u) if u.why.starts_with(DOES_NOT_EXIST) => continue,
                Value::Unknown(_) => {
                    return self.unknown(expr, reason_of(&node, self.text(alternative.span)));
                }
                _ => return node,
            }
        }
        self.unknown(expr, "is try() where every alternative fails")
    }

    /// `coalesce`: the first argument that is neither null nor an empty string.
    fn coalesce(&self, expr: &Expr, alternatives: &[Expr]) -> Node {
        for alternative in alternatives {
            let node = self.value(alternative);
            match &node.value {
                Value::Null => continue,
                Value::Str(s) if s.is_empty() => continue,
                Value::Unknown(_) | Value::Intrinsic(_) => {
                    return self.unknown(expr, reason_of(&node, self.text(alternative.span)));
                }
                _ => return node,
            }
        }
        self.unknown(expr, "is coalesce() of no usable value, an error")
    }

    fn lookup(&self, expr: &Expr, map: &Expr, key: &Expr, default: &[Expr]) -> Node {
        let (map, key) = (self.value(map), self.value(key));
        match (&map.value, scalar_text(&key)) {
            (Value::Map(m), Some(key)) => match (m.get(&key), default) {
                (Some(found), _) => found.clone(),
                (None, [default]) => self.node(default),
                (None, _) => self.unknown(
                    expr,
                    format!("{DOES_NOT_EXIST} looks up `{key}`, which the map does not have"),
                ),
            },
            _ => self.unknown(expr, "looks up a key known only at plan time"),
        }
    }

    fn merge(&self, expr: &Expr, maps: &[Expr]) -> Node {
        let mut entries: Vec<Entry> = Vec::new();
        for map in maps {
            match self.value(map).value {
                Value::Map(m) => {
                    for e in m.entries {
                        entries.retain(|old| old.key != e.key);
                        entries.push(e);
                    }
                }
                Value::Null => {}
                _ => return self.unknown(expr, "merges a map known only at plan time"),
            }
        }
        Node::new(expr.span, Value::Map(Map { entries }))
    }

    fn concat(&self, expr: &Expr, lists: &[Expr]) -> Node {
        let mut items = Vec::new();
        for list in lists {
            match self.value(list).value {
                Value::Seq(more) => items.extend(more),
                _ => return self.unknown(expr, "concatenates a list known only at plan time"),
            }
        }
        Node::new(expr.span, Value::Seq(items))
    }

    /// `format` with `%s`, `%d`, `%v` and `%%`; unknown arguments leave `${...}` in the text, as
    /// in a string template, so an ARN's service can still be read.
    fn format(&self, expr: &Expr, format: &Expr, values: &[Expr]) -> Node {
        let Some(spec) = self.value(format).as_str().map(str::to_string) else {
            return self.unknown(expr, "is format() of a format known only at plan time");
        };
        let mut text = String::new();
        let mut why: Option<String> = None;
        let mut next = values.iter();
        let mut chars = spec.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                text.push(c);
                continue;
            }
            match chars.next() {
                Some('%') => text.push('%'),
                Some('s' | 'd' | 'v') => {
                    let Some(value) = next.next() else {
                        return self.unknown(expr, "is format() with too few values, an error");
                    };
                    self.push_piece(&mut text, &mut why, value);
                }
                _ => {
                    return self.unknown(expr, "is format() with a verb triggerlint does not read");
                }
            }
        }
        match why {
            None => Node::new(expr.span, Value::Str(text.into())),
            Some(why) => Node::unknown(expr.span, text, why),
        }
    }

    fn json_decode(&self, expr: &Expr, value: &Expr) -> Node {
        let node = self.value(value);
        if let Some(i) = node.as_intrinsic()
            && i.name == "Fn::ToJsonString"
        {
            return i.arg.clone();
        }
        match node.as_str().map(serde_json::from_str::<serde_json::Value>) {
            Some(Ok(json)) => from_json(expr.span, &json),
            Some(Err(_)) => {
                self.unknown(expr, "is jsondecode() of text that is not JSON, an error")
            }
            None => self.unknown(expr, "decodes JSON known only at plan time"),
        }
    }

    fn conditional(&self, expr: &Expr, parts: &[Expr; 3]) -> Node {
        let [condition, then, otherwise] = parts;
        match self.value(condition).value {
            Value::Bool(true) => return self.node(then),
            Value::Bool(false) => return self.node(otherwise),
            _ => {}
        }
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
        let (a, b) = (self.value(a), self.value(b));
        let known = |n: &Node| !matches!(n.value, Value::Unknown(_) | Value::Intrinsic(_));
        if !(known(&a) && known(&b)) {
            return self.unknown(expr, "is computed at plan time");
        }
        let value = match op {
            "==" => Some(Value::Bool(a.to_json() == b.to_json())),
            "!=" => Some(Value::Bool(a.to_json() != b.to_json())),
            "&&" | "||" => match (&a.value, &b.value) {
                (Value::Bool(x), Value::Bool(y)) => {
                    Some(Value::Bool(if op == "&&" { *x && *y } else { *x || *y }))
                }
                _ => None,
            },
            _ => arithmetic(op, &a, &b),
        };
        match value {
            Some(value) => Node::new(expr.span, value),
            None => self.unknown(expr, "is computed at plan time"),
        }
    }
}

/// An arithmetic operation or comparison of two numbers.
fn arithmetic(op: &str, a: &Node, b: &Node) -> Option<Value> {
    let number = |n: &Node| match n.value {
        Value::Int(i) => Some(i as f64),
        Value::Float(f) => Some(f),
        _ => None,
    };
    let (x, y) = (number(a)?, number(b)?);
    let result = match op {
        "+" => x + y,
        "-" => x - y,
        "*" => x * y,
        "/" if y != 0.0 => x / y,
        "<" => return Some(Value::Bool(x < y)),
        ">" => return Some(Value::Bool(x > y)),
        "<=" => return Some(Value::Bool(x <= y)),
        ">=" => return Some(Value::Bool(x >= y)),
        _ => return None,
    };
    Some(if result.fract() == 0.0 && result.abs() < 1e15 {
        Value::Int(result as i64)
    } else {
        Value::Float(result)
    })
}

fn to_string(value: &Value) -> Option<Value> {
    Some(Value::Str(match value {
        Value::Int(i) => i.to_string().into(),
        Value::Float(f) => f.to_string().into(),
        Value::Bool(b) => b.to_string().into(),
        _ => return None,
    }))
}

fn to_number(value: &Value) -> Option<Value> {
    let text = match value {
        Value::Str(s) => s.trim(),
        _ => return None,
    };
    text.parse::<i64>()
        .map(Value::Int)
        .ok()
        .or_else(|| text.parse::<f64>().ok().map(Value::Float))
}

/// A JSON document as a tree, every node at `span`.
fn from_json(span: Span, json: &serde_json::Value) -> Node {
    use serde_json::Value as J;
    let value = match json {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => n
            .as_i64()
            .map(Value::Int)
            .unwrap_or_else(|| Value::Float(n.as_f64().unwrap_or(0.0))),
        J::String(s) => Value::Str(s.as_str().into()),
        J::Array(items) => Value::Seq(items.iter().map(|i| from_json(span, i)).collect()),
        J::Object(map) => Value::Map(Map {
            entries: map
                .iter()
                .map(|(k, v)| Entry {
                    key: k.as_str().into(),
                    key_span: span,
                    value: from_json(span, v),
                })
                .collect(),
        }),
    };
    Node::new(span, value)
}

/// The service of the one ARN prefix a condition's text names (`arn:aws:sqs:`,
/// `arn:aws[a-z-]*:kinesis:`, `arn:(aws|aws-cn):dynamodb:`): one of the event sources'.
fn arn_service_in(text: &str) -> Option<String> {
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
        assert!(lowered("", "format(\"%s\", var.x)").as_unknown().is_some());
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

    #[test]
    fn functions_over_known_values() {
        let int = |source: &str, text: &str| lowered(source, text).value;
        let map = "locals {\n  m = { a = 1, b = { c = 3 } }\n  l = [\"x\", \"y\"]\n}";
        assert_eq!(int(map, "lookup(local.m, \"a\", 9)"), Value::Int(1));
        assert_eq!(int(map, "lookup(local.m, \"z\", 9)"), Value::Int(9));
        assert_eq!(int(map, "try(local.m.z, local.m.b.c)"), Value::Int(3));
        assert_eq!(int(map, "coalesce(null, \"\", 4)"), Value::Int(4));
        assert_eq!(int(map, "one([5])"), Value::Int(5));
        assert_eq!(int(map, "one([])"), Value::Null);
        assert_eq!(int(map, "length(merge(local.m, { d = 4 }))"), Value::Int(3));
        assert_eq!(int(map, "length(concat(local.l, [\"z\"]))"), Value::Int(3));
        assert_eq!(int(map, "tonumber(\"42\")"), Value::Int(42));
        assert_eq!(int(map, "tostring(42)"), Value::Str("42".into()));
        assert_eq!(
            int(
                map,
                "format(\"arn:aws:sqs:%s:%d:%s\", \"eu-west-1\", 1, local.l[1])"
            ),
            Value::Str("arn:aws:sqs:eu-west-1:1:y".into())
        );
        assert_eq!(
            int(map, "lookup(jsondecode(\"{\\\"n\\\": 7}\"), \"n\", 0)"),
            Value::Int(7)
        );
        assert_eq!(
            int(map, "lookup(jsondecode(jsonencode({ n = 8 })), \"n\", 0)"),
            Value::Int(8)
        );
        assert_eq!(
            int(map, "trimsuffix(\"q.fifo\", \".fifo\")"),
            Value::Str("q".into())
        );
        assert_eq!(int(map, "local.m.a == 1 ? 10 : 20"), Value::Int(10));
        assert_eq!(
            int(map, "length(local.l) > 2 && true ? 10 : 20"),
            Value::Int(20)
        );
        let env = "variable \"env\" {\n  default = \"prod\"\n}";
        assert_eq!(int(env, "var.env == \"prod\" ? 300 : 30"), Value::Int(300));
        // A key the known map lacks is an error: try moves on, lookup without default fails.
        assert!(
            lowered(map, "lookup(local.m, \"z\")")
                .as_unknown()
                .unwrap()
                .why
                .contains("does not have")
        );
        // What depends on a value known later stays unknown, with a reason.
        let open = "variable \"x\" {}";
        assert!(lowered(open, "try(var.x, 1)").as_unknown().is_some());
        assert!(lowered(open, "var.x == 1 ? 2 : 3").as_intrinsic().is_some());
        let partial = lowered(open, "format(\"arn:aws:kinesis:%s\", var.x)");
        assert_eq!(
            partial.as_unknown().unwrap().text,
            "arn:aws:kinesis:${var.x}"
        );
    }

    #[test]
    fn validations_name_one_service() {
        assert_eq!(
            arn_service_in("can(regex(\"^arn:aws[a-z-]*:kinesis:\", var.x))"),
            Some("kinesis".to_string())
        );
        assert_eq!(
            arn_service_in("startswith(var.x, \"arn:aws:sqs:\")"),
            Some("sqs".to_string())
        );
        assert_eq!(
            arn_service_in("can(regex(\"^arn:(aws|aws-cn):dynamodb:\", var.x))"),
            Some("dynamodb".to_string())
        );
        assert_eq!(
            arn_service_in(
                "startswith(var.x, \"arn:aws:sqs:\") || startswith(var.x, \"arn:aws:kinesis:\")"
            ),
            None
        );
        assert_eq!(arn_service_in("length(var.x) > 0"), None);
    }
}
