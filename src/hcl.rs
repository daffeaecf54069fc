//! The spanned syntax tree of Terraform configuration, from HCL's native syntax or its JSON
//! form (`.tf.json`): bodies of attributes and blocks, and expressions, each with the byte span
//! it was written at.
//!
//! It is deliberately smaller than HCL: what a loader needs to lower resources, variables,
//! locals and module calls into the template view. Expressions it has no use for (`for`
//! expressions, splats, template directives) are [`ExprKind::Other`], which loaders treat as
//! unknown.

use crate::source::{FileId, Span};

/// A file's or a block's contents, in the order written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Body {
    pub items: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Attribute(Attribute),
    Block(Block),
}

/// `name = value`.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub name_span: Span,
    pub value: Expr,
}

/// `kind "label" "label" { body }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub kind: String,
    pub kind_span: Span,
    pub labels: Vec<(String, Span)>,
    pub body: Body,
    /// The whole block.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub span: Span,
    pub kind: ExprKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A string without interpolations.
    Str(String),
    /// A string (or heredoc) with interpolations.
    Template(Vec<Part>),
    Array(Vec<Expr>),
    Object(Vec<ObjectItem>),
    /// `root.attr[index].attr`: `var.x`, `aws_sqs_queue.q.arn`, `each.value`.
    Traversal(String, Vec<Step>),
    /// `name(args...)`.
    Call(String, Vec<Expr>),
    /// `condition ? then : else`.
    Conditional(Box<[Expr; 3]>),
    /// `-x`, `!x`.
    Negate(Box<Expr>),
    Not(Box<Expr>),
    /// An arithmetic or logical operation: `a * b`, `a == b`.
    Binary(&'static str, Box<[Expr; 2]>),
    /// What loaders do not evaluate (`for` expressions, splats, template directives).
    Other,
}

/// A piece of a string template.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    Literal(String),
    Interpolation(Expr),
}

/// One `key = value` of an object; a key that is itself an expression has no name.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectItem {
    pub key: Option<String>,
    pub key_span: Span,
    pub value: Expr,
}

/// One step of a traversal.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Attr(String),
    Index(Expr),
    Splat,
}

impl Body {
    pub fn attributes(&self) -> impl Iterator<Item = &Attribute> {
        self.items.iter().filter_map(|i| match i {
            Item::Attribute(a) => Some(a),
            Item::Block(_) => None,
        })
    }

    pub fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.items.iter().filter_map(|i| match i {
            Item::Block(b) => Some(b),
            Item::Attribute(_) => None,
        })
    }

    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes().find(|a| a.name == name)
    }
}

impl Body {
    /// Gives every span of the body the file `file`: a body parsed once and shared (a
    /// registry module's model) takes the id of the file it stands for in each lint.
    pub fn set_file(&mut self, file: FileId) {
        for item in &mut self.items {
            match item {
                Item::Attribute(a) => {
                    a.name_span.file = file;
                    a.value.set_file(file);
                }
                Item::Block(b) => {
                    b.kind_span.file = file;
                    b.span.file = file;
                    for (_, span) in &mut b.labels {
                        span.file = file;
                    }
                    b.body.set_file(file);
                }
            }
        }
    }
}

impl Block {
    pub fn label(&self, index: usize) -> Option<&str> {
        self.labels.get(index).map(|(l, _)| l.as_str())
    }

    /// The span of the body, braces included: from the first `{` after the block's type and
    /// labels to the block's end (`text` is the file's text).
    pub fn body_span(&self, text: &str) -> Span {
        let header_end = self.labels.last().map_or(self.kind_span, |(_, s)| *s).end as usize;
        let open = text
            .get(header_end..self.span.end as usize)
            .and_then(|rest| rest.find('{'))
            .map_or(self.span.start as usize, |at| header_end + at);
        Span::new(self.span.file, open, self.span.end as usize)
    }
}

impl Expr {
    pub fn new(span: Span, kind: ExprKind) -> Expr {
        Expr { span, kind }
    }

    fn set_file(&mut self, file: FileId) {
        self.span.file = file;
        match &mut self.kind {
            ExprKind::Template(parts) => {
                for part in parts {
                    if let Part::Interpolation(e) = part {
                        e.set_file(file);
                    }
                }
            }
            ExprKind::Array(items) | ExprKind::Call(_, items) => {
                items.iter_mut().for_each(|e| e.set_file(file));
            }
            ExprKind::Object(items) => {
                for item in items {
                    item.key_span.file = file;
                    item.value.set_file(file);
                }
            }
            ExprKind::Traversal(_, steps) => {
                for step in steps {
                    if let Step::Index(e) = step {
                        e.set_file(file);
                    }
                }
            }
            ExprKind::Conditional(parts) => parts.iter_mut().for_each(|e| e.set_file(file)),
            ExprKind::Binary(_, parts) => parts.iter_mut().for_each(|e| e.set_file(file)),
            ExprKind::Negate(e) | ExprKind::Not(e) => e.set_file(file),
            ExprKind::Null
            | ExprKind::Bool(_)
            | ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::Other => {}
        }
    }

    /// The text of a string without interpolations.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[ObjectItem]> {
        match &self.kind {
            ExprKind::Object(items) => Some(items),
            _ => None,
        }
    }

    /// The value of a key of an object expression.
    pub fn get(&self, key: &str) -> Option<&Expr> {
        self.as_object()?
            .iter()
            .find(|i| i.key.as_deref() == Some(key))
            .map(|i| &i.value)
    }

    /// `root.a.b` as its root and attribute names, when it is a plain traversal (indexes are
    /// skipped: `aws_sqs_queue.q[0].arn` names the same resource as `aws_sqs_queue.q.arn`).
    pub fn traversal(&self) -> Option<(&str, Vec<&str>)> {
        let ExprKind::Traversal(root, steps) = &self.kind else {
            return None;
        };
        let names = steps
            .iter()
            .filter_map(|s| match s {
                Step::Attr(name) => Some(name.as_str()),
                _ => None,
            })
            .collect();
        Some((root, names))
    }
}
