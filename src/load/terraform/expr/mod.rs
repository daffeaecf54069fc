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
use crate::tree::{Entry, Map, Node, Value};

mod functions;
mod references;

pub use references::{get_att, intrinsic};

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
    /// Locals as lowered where no `for_each` / `count` instance and no other local is being
    /// lowered, reused by later uses; emptied whenever a module call's outputs or a block's
    /// expansion are added, since a local may read them (see [`Names::learned`]).
    pub locals_lowered: RefCell<FxHashMap<&'a str, Node>>,
    /// How many times the texts name a `var.x` or `local.x`, counted when first asked: the
    /// arguments of every mapping of a module often read the same variable.
    pub reference_counts: RefCell<FxHashMap<String, usize>>,
}

impl<'a> Names<'a> {
    /// Something expressions may read was added (a module call's outputs, a block's
    /// instances): locals lowered before may lower differently now.
    pub fn learned(&self) {
        self.locals_lowered.borrow_mut().clear();
    }

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
    /// Not an instance of a block with `for_each` or `count`.
    pub fn is_none(&self) -> bool {
        self.key.is_none() && self.value.is_none() && self.index.is_none()
    }

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
    /// The whole text of one of the module's files.
    pub fn file_text(&self, file: FileId) -> &'a str {
        self.names.texts.get(&file).copied().unwrap_or("")
    }

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
    use super::references::arn_service_in;
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
