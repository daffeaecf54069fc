//! Terraform files into the [`crate::hcl`] tree: `.tf` through hcl-edit (which keeps byte spans
//! and bounds nesting), `.tf.json` through the JSON parser, with strings read as HCL templates.

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{BlockLabel, Structure};
use hcl_edit::template::Element;

use super::ParseError;
use crate::hcl::{Attribute, Block, Body, Expr, ExprKind, Item, ObjectItem, Part, Step};
use crate::source::{FileId, Span};
use crate::tree::{Node, Value};

/// Whether a path is a Terraform file (`.tf` or `.tf.json`).
pub fn is_terraform(path: &std::path::Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    name.ends_with(".tf") || name.ends_with(".tf.json")
}

/// Parses a Terraform file of either syntax (chosen by its name).
pub fn parse_file(path: &std::path::Path, text: &str, file: FileId) -> Result<Body, ParseError> {
    let is_json = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(".json"));
    if is_json {
        parse_json(text, file)
    } else {
        parse(text, file)
    }
}

/// Most repeated keys in one file's object expressions that are renamed before giving up.
const MAX_RENAMED_KEYS: usize = 256;

/// Parses HCL native syntax.
pub fn parse(text: &str, file: FileId) -> Result<Body, ParseError> {
    let mut renamed: Option<String> = None;
    let mut attempt = 0;
    loop {
        let input = renamed.as_deref().unwrap_or(text);
        // Whitespace and comments stay byte ranges: the converter reads no decor, and copying
        // each run into a string of its own was about 6% of the parse.
        match hcl_edit::parser::parse_body_spanned(input) {
            Ok(body) => return Ok(Converter { file }.body(body)),
            Err(e) => {
                let offset = e.location().offset().min(text.len());
                // Terraform takes a key written twice in an object (the last one wins), which
                // hcl-edit refuses: rename the repeat, keeping every offset, and read on.
                let repeat = e.message().contains("redefined object key");
                if repeat
                    && attempt < MAX_RENAMED_KEYS
                    && let Some(next) = rename_key_at(input, offset, attempt)
                {
                    renamed = Some(next);
                    attempt += 1;
                    continue;
                }
                return Err(ParseError {
                    offset,
                    message: e.message().replace('\n', " "),
                });
            }
        }
    }
}

/// The text with the object key at `offset` (quoted or bare) replaced by another of the same
/// length, made unique by `n`.
fn rename_key_at(text: &str, offset: usize, n: usize) -> Option<String> {
    let rest = text.get(offset..)?;
    let (start, len) = if let Some(quoted) = rest.strip_prefix('"') {
        (offset + 1, quoted.find('"')?)
    } else {
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        (offset, len)
    };
    if len == 0 || !text.is_char_boundary(start + len) {
        return None;
    }
    let tag = format!("k{n}");
    if tag.len() > len {
        return None;
    }
    let replacement: String = tag
        .chars()
        .chain(std::iter::repeat('_'))
        .take(len)
        .collect();
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..start]);
    out.push_str(&replacement);
    out.push_str(&text[start + len..]);
    Some(out)
}

/// Turns hcl-edit's tree into ours, taking it by value: its names and strings move into our
/// tree rather than being copied (copying them was a few percent of a Terraform lint).
struct Converter {
    file: FileId,
}

impl Converter {
    fn span(&self, range: Option<std::ops::Range<usize>>) -> Span {
        let range = range.unwrap_or(0..0);
        Span::new(self.file, range.start, range.end)
    }

    fn body(&self, body: hcl_edit::structure::Body) -> Body {
        Body {
            items: body.into_structures().map(|s| self.structure(s)).collect(),
        }
    }

    fn structure(&self, structure: Structure) -> Item {
        match structure {
            Structure::Attribute(a) => Item::Attribute(Attribute {
                name_span: self.span(a.key.span()),
                name: a.key.into_value().into_string(),
                value: self.expr(a.value),
            }),
            Structure::Block(b) => {
                let span = self.span(b.span());
                Item::Block(Block {
                    kind_span: self.span(b.ident.span()),
                    kind: b.ident.into_value().into_string(),
                    labels: b.labels.into_iter().map(|l| self.label(l)).collect(),
                    body: self.body(b.body),
                    span,
                })
            }
        }
    }

    fn label(&self, label: BlockLabel) -> (String, Span) {
        let span = self.span(label.span());
        let text = match label {
            BlockLabel::Ident(i) => i.into_value().into_string(),
            BlockLabel::String(s) => s.into_value(),
        };
        (text, span)
    }

    fn expr(&self, expr: Expression) -> Expr {
        let span = self.span(expr.span());
        let kind = match expr {
            Expression::Null(_) => ExprKind::Null,
            Expression::Bool(b) => ExprKind::Bool(*b.value()),
            Expression::Number(n) => match n.value().as_i64() {
                Some(i) => ExprKind::Int(i),
                None => ExprKind::Float(n.value().as_f64().unwrap_or(f64::NAN)),
            },
            Expression::String(s) => ExprKind::Str(s.into_value()),
            Expression::Array(items) => {
                ExprKind::Array(items.into_values().map(|e| self.expr(e)).collect())
            }
            Expression::Object(object) => ExprKind::Object(
                object
                    .into_items()
                    .map(|(key, value)| ObjectItem {
                        key_span: self.span(key.span()),
                        key: object_key(key),
                        value: self.expr(value.into_expr()),
                    })
                    .collect(),
            ),
            Expression::StringTemplate(t) => self.template(t.into_elements()),
            Expression::HeredocTemplate(h) => self.template(h.template.into_elements()),
            Expression::Parenthesis(p) => return self.expr(p.into_inner()),
            Expression::Variable(v) => {
                ExprKind::Traversal(v.into_value().into_string(), Vec::new())
            }
            Expression::Conditional(c) => {
                let c = *c;
                ExprKind::Conditional(Box::new([
                    self.expr(c.cond_expr),
                    self.expr(c.true_expr),
                    self.expr(c.false_expr),
                ]))
            }
            Expression::FuncCall(f) => {
                let f = *f;
                ExprKind::Call(
                    f.name.name.into_value().into_string(),
                    f.args.into_args().map(|a| self.expr(a)).collect(),
                )
            }
            Expression::Traversal(t) => {
                let t = *t;
                self.traversal(t.expr, t.operators)
            }
            Expression::UnaryOp(op) => {
                let op = *op;
                let inner = Box::new(self.expr(op.expr));
                match op.operator.value() {
                    hcl_edit::expr::UnaryOperator::Neg => ExprKind::Negate(inner),
                    hcl_edit::expr::UnaryOperator::Not => ExprKind::Not(inner),
                }
            }
            Expression::BinaryOp(op) => {
                let op = *op;
                ExprKind::Binary(
                    op.operator.value().as_str(),
                    Box::new([self.expr(op.lhs_expr), self.expr(op.rhs_expr)]),
                )
            }
            Expression::ForExpr(_) => ExprKind::Other,
        };
        Expr::new(span, kind)
    }

    fn traversal(
        &self,
        root: Expression,
        operators: Vec<hcl_edit::Decorated<TraversalOperator>>,
    ) -> ExprKind {
        let Expression::Variable(name) = root else {
            return ExprKind::Other;
        };
        let steps = operators
            .into_iter()
            .map(|op| {
                let span = op.span();
                match op.into_value() {
                    TraversalOperator::GetAttr(name) => Step::Attr(name.into_value().into_string()),
                    TraversalOperator::Index(e) => Step::Index(self.expr(e)),
                    TraversalOperator::LegacyIndex(i) => {
                        Step::Index(Expr::new(self.span(span), ExprKind::Int(*i.value() as i64)))
                    }
                    TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                        Step::Splat
                    }
                }
            })
            .collect();
        ExprKind::Traversal(name.into_value().into_string(), steps)
    }

    /// A template: a plain string when it is all literal text, else its parts (a directive
    /// makes the whole template unknown).
    fn template(&self, template: impl IntoIterator<Item = Element>) -> ExprKind {
        let mut parts = Vec::new();
        for element in template {
            match element {
                Element::Literal(text) => parts.push(Part::Literal(text.into_value())),
                Element::Interpolation(i) => parts.push(Part::Interpolation(self.expr(i.expr))),
                Element::Directive(_) => return ExprKind::Other,
            }
        }
        literal_or_template(parts)
    }
}

fn object_key(key: ObjectKey) -> Option<String> {
    match key {
        ObjectKey::Ident(ident) => Some(ident.into_value().into_string()),
        ObjectKey::Expression(Expression::String(s)) => Some(s.into_value()),
        ObjectKey::Expression(Expression::Variable(v)) => Some(v.into_value().into_string()),
        ObjectKey::Expression(_) => None,
    }
}

/// Joins literal parts; a template without interpolations is a plain string.
fn literal_or_template(parts: Vec<Part>) -> ExprKind {
    if parts.iter().all(|p| matches!(p, Part::Literal(_))) {
        let text = parts
            .into_iter()
            .map(|p| match p {
                Part::Literal(t) => t,
                Part::Interpolation(_) => String::new(),
            })
            .collect();
        return ExprKind::Str(text);
    }
    ExprKind::Template(parts)
}

/// The values a `-var-file` sets: `name = value` lines (`.tfvars`) or one JSON object
/// (`.tfvars.json`).
pub fn parse_var_file(
    path: &std::path::Path,
    text: &str,
    file: FileId,
) -> Result<Vec<(String, Expr)>, ParseError> {
    let is_json = path.extension().is_some_and(|e| e == "json");
    if !is_json {
        let body = parse(text, file)?;
        return Ok(body
            .attributes()
            .map(|a| (a.name.clone(), a.value.clone()))
            .collect());
    }
    let Some(root) = super::parse(text, super::Syntax::Json, file)? else {
        return Ok(Vec::new());
    };
    let map = root.as_map().ok_or_else(|| ParseError {
        offset: root.span.start as usize,
        message: "a var file in JSON must hold an object".to_string(),
    })?;
    Ok(map
        .iter()
        .map(|e| (e.key.to_string(), json_expr(&e.value)))
        .collect())
}

// ---------------------------------------------------------------------------------------
// JSON syntax
// ---------------------------------------------------------------------------------------

/// Block types whose labels a `.tf.json` file spells as nested object keys, and how many.
fn label_count(kind: &str) -> Option<usize> {
    Some(match kind {
        "resource" | "data" => 2,
        "variable" | "module" | "output" | "provider" => 1,
        "locals" | "terraform" => 0,
        _ => return None,
    })
}

/// Parses the JSON syntax: top-level keys are block types, their labels nested objects, and
/// bodies objects whose strings are templates.
pub fn parse_json(text: &str, file: FileId) -> Result<Body, ParseError> {
    let Some(root) = super::parse(text, super::Syntax::Json, file)? else {
        return Ok(Body::default());
    };
    let Some(map) = root.as_map() else {
        return Err(ParseError {
            offset: root.span.start as usize,
            message: "a Terraform JSON file must hold an object".to_string(),
        });
    };
    let mut items = Vec::new();
    for entry in map.iter() {
        let Some(labels) = label_count(&entry.key) else {
            continue;
        };
        // A block type may also be written as a list of objects.
        let objects: Vec<&Node> = match &entry.value.value {
            Value::Seq(list) => list.iter().collect(),
            _ => vec![&entry.value],
        };
        for object in objects {
            json_blocks(
                &entry.key,
                entry.key_span,
                object,
                labels,
                Vec::new(),
                &mut items,
            );
        }
    }
    Ok(Body { items })
}

fn json_blocks(
    kind: &str,
    kind_span: Span,
    node: &Node,
    labels_left: usize,
    labels: Vec<(String, Span)>,
    out: &mut Vec<Item>,
) {
    if labels_left == 0 {
        out.push(Item::Block(Block {
            kind: kind.to_string(),
            kind_span,
            labels,
            body: json_body(node),
            span: node.span,
        }));
        return;
    }
    for entry in node.as_map().into_iter().flat_map(|m| m.iter()) {
        let mut labels = labels.clone();
        labels.push((entry.key.to_string(), entry.key_span));
        let bodies: Vec<&Node> = match &entry.value.value {
            Value::Seq(list) => list.iter().collect(),
            _ => vec![&entry.value],
        };
        for body in bodies {
            json_blocks(kind, kind_span, body, labels_left - 1, labels.clone(), out);
        }
    }
}

/// A JSON body: every key an attribute (nested blocks are objects, which loaders take for
/// blocks where they expect one).
fn json_body(node: &Node) -> Body {
    let items = node
        .as_map()
        .into_iter()
        .flat_map(|m| m.iter())
        .map(|e| {
            Item::Attribute(Attribute {
                name: e.key.to_string(),
                name_span: e.key_span,
                value: json_expr(&e.value),
            })
        })
        .collect();
    Body { items }
}

fn json_expr(node: &Node) -> Expr {
    let kind = match &node.value {
        Value::Null => ExprKind::Null,
        Value::Bool(b) | Value::Yaml11Bool(b, _) => ExprKind::Bool(*b),
        Value::Int(i) => ExprKind::Int(*i),
        Value::Float(f) => ExprKind::Float(*f),
        Value::Str(s) => return json_string(s, node.span),
        Value::Seq(items) => ExprKind::Array(items.iter().map(json_expr).collect()),
        Value::Map(m) => ExprKind::Object(
            m.iter()
                .map(|e| ObjectItem {
                    key: Some(e.key.to_string()),
                    key_span: e.key_span,
                    value: json_expr(&e.value),
                })
                .collect(),
        ),
        // `{"Ref": ...}` is not special in Terraform: a one-key object.
        Value::Intrinsic(i) => ExprKind::Object(vec![ObjectItem {
            key: Some(i.name.clone()),
            key_span: node.span,
            value: json_expr(&i.arg),
        }]),
        Value::Unknown(_) => ExprKind::Other,
    };
    Expr::new(node.span, kind)
}

/// A JSON string is an HCL template; its parts get the string's span (escapes make exact
/// positions inside it differ from the file's).
fn json_string(text: &str, span: Span) -> Expr {
    if !text.contains("${") {
        return Expr::new(span, ExprKind::Str(text.to_string()));
    }
    let Ok(template) = hcl_edit::parser::parse_template(text) else {
        return Expr::new(span, ExprKind::Str(text.to_string()));
    };
    let converter = Converter { file: span.file };
    let kind = converter.template(template.into_elements());
    respan(Expr::new(span, kind), span)
}

/// Gives every node of an expression one span.
fn respan(mut expr: Expr, span: Span) -> Expr {
    expr.span = span;
    expr.kind = match expr.kind {
        ExprKind::Template(parts) => ExprKind::Template(
            parts
                .into_iter()
                .map(|p| match p {
                    Part::Interpolation(e) => Part::Interpolation(respan(e, span)),
                    literal => literal,
                })
                .collect(),
        ),
        ExprKind::Array(items) => {
            ExprKind::Array(items.into_iter().map(|e| respan(e, span)).collect())
        }
        ExprKind::Object(items) => ExprKind::Object(
            items
                .into_iter()
                .map(|i| ObjectItem {
                    key_span: span,
                    value: respan(i.value, span),
                    ..i
                })
                .collect(),
        ),
        ExprKind::Traversal(root, steps) => ExprKind::Traversal(
            root,
            steps
                .into_iter()
                .map(|s| match s {
                    Step::Index(e) => Step::Index(respan(e, span)),
                    other => other,
                })
                .collect(),
        ),
        ExprKind::Call(name, args) => {
            ExprKind::Call(name, args.into_iter().map(|e| respan(e, span)).collect())
        }
        ExprKind::Conditional(parts) => {
            let [a, b, c] = *parts;
            ExprKind::Conditional(Box::new([
                respan(a, span),
                respan(b, span),
                respan(c, span),
            ]))
        }
        ExprKind::Negate(e) => ExprKind::Negate(Box::new(respan(*e, span))),
        ExprKind::Not(e) => ExprKind::Not(Box::new(respan(*e, span))),
        ExprKind::Binary(op, parts) => {
            let [a, b] = *parts;
            ExprKind::Binary(op, Box::new([respan(a, span), respan(b, span)]))
        }
        other => other,
    };
    expr
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(text: &str) -> Body {
        parse(text, FileId(0)).expect("valid HCL")
    }

    #[test]
    fn blocks_attributes_and_spans() {
        let text = "resource \"aws_sqs_queue\" \"jobs\" {\n  visibility_timeout_seconds = 60\n  name = \"jobs-${var.env}\"\n}\n";
        let b = body(text);
        let block = b.blocks().next().unwrap();
        assert_eq!(block.kind, "resource");
        assert_eq!(block.label(0), Some("aws_sqs_queue"));
        assert_eq!(block.label(1), Some("jobs"));
        let visibility = block.body.attribute("visibility_timeout_seconds").unwrap();
        assert_eq!(visibility.value.kind, ExprKind::Int(60));
        assert_eq!(&text[visibility.value.span.range()], "60");
        assert_eq!(
            &text[visibility.name_span.range()],
            "visibility_timeout_seconds"
        );
        let name = block.body.attribute("name").unwrap();
        let ExprKind::Template(parts) = &name.value.kind else {
            panic!("a template: {:?}", name.value.kind);
        };
        assert_eq!(parts[0], Part::Literal("jobs-".to_string()));
        let Part::Interpolation(var) = &parts[1] else {
            panic!();
        };
        assert_eq!(var.traversal(), Some(("var", vec!["env"])));
        assert_eq!(&text[var.span.range()], "var.env");
    }

    #[test]
    fn expressions_of_every_kind() {
        let b = body(
            "a = -var.x\nz = -1\nb = [1, \"x\"]\nc = { k = true, \"q\" = null }\nd = jsonencode({ x = 1 })\ne = var.x ? 1 : 2\nf = aws_sqs_queue.q[0].arn\ng = [for x in var.l : x]\nh = 60 * 6\n",
        );
        let value = |name: &str| b.attribute(name).unwrap().value.kind.clone();
        assert!(matches!(value("a"), ExprKind::Negate(_)));
        assert_eq!(value("z"), ExprKind::Int(-1));
        assert!(matches!(value("b"), ExprKind::Array(items) if items.len() == 2));
        let c = &b.attribute("c").unwrap().value;
        assert_eq!(c.get("k").unwrap().kind, ExprKind::Bool(true));
        assert_eq!(c.get("q").unwrap().kind, ExprKind::Null);
        assert!(matches!(value("d"), ExprKind::Call(name, _) if name == "jsonencode"));
        assert!(matches!(value("e"), ExprKind::Conditional(_)));
        assert_eq!(
            b.attribute("f").unwrap().value.traversal(),
            Some(("aws_sqs_queue", vec!["q", "arn"]))
        );
        assert_eq!(value("g"), ExprKind::Other);
        assert!(matches!(value("h"), ExprKind::Binary("*", _)));
    }

    /// The tree converted from a spanned parse is the one a published `parse_body` (decor
    /// copied into strings) converts to: on every Terraform file shipped in the repository,
    /// and on comments, heredocs and templates of every kind.
    #[test]
    fn a_spanned_parse_converts_to_the_tree_of_the_published_parse() {
        let mut texts =
            vec![concat!(
            "# a comment\n/* a block\n comment */\nresource \"a\" \"b\" { // trailing\n",
            "  x = <<-EOT\n    ${var.a} and %{ if true }b%{ endif }\n  EOT\n",
            "  y = [for k, v in var.m : \"${k}=${v}\" if v != null] # after\n",
            "  z = { \"q\" = -1.5, w = !var.b, u = var.l[*].id, t = try(var.x, \"d\") }\n",
            "  dynamic \"d\" {\n    for_each = var.d\n    content { n = d.value }\n  }\n}\n",
        )
        .to_string()];
        for folder in ["examples", "fixtures"] {
            let walk = ignore::WalkBuilder::new(folder).hidden(false).build();
            for entry in walk.flatten() {
                if entry.path().extension().is_some_and(|e| e == "tf") {
                    texts.push(std::fs::read_to_string(entry.path()).expect("readable"));
                }
            }
        }
        assert!(
            texts.len() > 50,
            "the repository's .tf files: {}",
            texts.len()
        );
        for text in &texts {
            let Ok(published) = hcl_edit::parser::parse_body(text) else {
                assert!(parse(text, FileId(0)).is_err());
                continue;
            };
            let expected = Converter { file: FileId(0) }.body(published);
            assert_eq!(parse(text, FileId(0)).expect("parses"), expected, "{text}");
        }
    }

    #[test]
    fn a_key_written_twice_in_an_object_is_read_as_terraform_reads_it() {
        let b = body("x = {\n  \"view\" : 1,\n  \"view\" : 2\n}\ny = 3\n");
        assert_eq!(b.attribute("y").unwrap().value.kind, ExprKind::Int(3));
    }

    /// Terraform ignores newlines inside `for` expressions; hcl-edit 0.10.0 did not (patched in
    /// `vendor/hcl-edit`, see `vendor/README.md`).
    #[test]
    fn for_expressions_may_break_a_conditional_over_lines() {
        let text = concat!(
            "locals {\n",
            "  runtimes = { for name, fn in var.functions : name => var.kind == \"sam\" ?\n",
            "    \"a\" :\n",
            "    \"b\"\n",
            "  }\n",
            "  keys = { for k in concat(\n",
            "    var.a,\n",
            "    var.b) : k => k == \"x\" ?\n",
            "    1 :\n",
            "  2 if k != \"\" }\n",
            "  names = [for k in var.c != null ?\n",
            "    var.c :\n",
            "    [] : k]\n",
            "}\n",
            "after = 1\n",
        );
        let b = body(text);
        let locals = b.blocks().next().unwrap();
        for name in ["runtimes", "keys", "names"] {
            let value = &locals.body.attribute(name).unwrap().value;
            assert_eq!(value.kind, ExprKind::Other, "{name}");
            assert!(text[value.span.range()].ends_with(['}', ']']), "{name}");
        }
        let runtimes = &locals.body.attribute("runtimes").unwrap().value;
        assert_eq!(
            &text[runtimes.span.range()],
            "{ for name, fn in var.functions : name => var.kind == \"sam\" ?\n    \"a\" :\n    \"b\"\n  }"
        );
        let after = b.attribute("after").unwrap();
        assert_eq!(after.value.kind, ExprKind::Int(1));
        assert_eq!(&text[after.value.span.range()], "1");
    }

    /// Outside `for` expressions and parentheses a newline still ends an attribute, as in
    /// Terraform: the patch did not make the parser newline-blind.
    #[test]
    fn a_conditional_broken_over_lines_outside_for_is_still_an_error() {
        let error = parse("x = var.a ?\n  1 :\n  2\n", FileId(0)).unwrap_err();
        assert_eq!(error.offset, 11, "{error:?}");
    }

    #[test]
    fn syntax_errors_have_an_offset() {
        let error = parse("resource \"a\" \"b\" {\n  x = \n}\n", FileId(0)).unwrap_err();
        assert!(error.offset > 0, "{error:?}");
        assert!(!error.message.is_empty());
    }

    #[test]
    fn json_syntax_reads_labels_from_nested_objects() {
        let b = parse_json(
            r#"{"resource": {"aws_lambda_event_source_mapping": {"m": {"batch_size": 5, "event_source_arn": "${aws_sqs_queue.q.arn}"}}}, "variable": {"x": {"default": 3}}}"#,
            FileId(0),
        )
        .unwrap();
        let blocks: Vec<&Block> = b.blocks().collect();
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].label(0), Some("aws_lambda_event_source_mapping"));
        assert_eq!(blocks[0].label(1), Some("m"));
        let arn = &blocks[0].body.attribute("event_source_arn").unwrap().value;
        let ExprKind::Template(parts) = &arn.kind else {
            panic!("{:?}", arn.kind);
        };
        let Part::Interpolation(reference) = &parts[0] else {
            panic!();
        };
        assert_eq!(
            reference.traversal(),
            Some(("aws_sqs_queue", vec!["q", "arn"]))
        );
        assert_eq!(blocks[1].kind, "variable");
        assert_eq!(blocks[1].label(0), Some("x"));
    }
}
