//! Function calls, conditionals and operators lowered: what Terraform would compute from
//! values known before apply.

use crate::hcl::Expr;
use crate::source::Span;
use crate::tree::{Entry, Map, Node, Value};

use super::references::intrinsic;
use super::{DOES_NOT_EXIST, Lowerer, reason_of, scalar_text};

impl<'n, 'a> Lowerer<'n, 'a> {
    pub(super) fn call(&self, expr: &Expr, name: &str, args: &[Expr]) -> Node {
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

    pub(super) fn conditional(&self, expr: &Expr, parts: &[Expr; 3]) -> Node {
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

    pub(super) fn binary(&self, expr: &Expr, op: &str, operands: &[Expr; 2]) -> Node {
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
