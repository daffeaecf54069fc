//! The Terraform (`.tf`) fix writer: a setting of an `aws_lambda_event_source_mapping` block or
//! of an entry of the Lambda module's `event_source_mapping` map, a queue's argument, a key
//! removed or renamed, as text edits of the HCL the author wrote.
//!
//! The file is parsed again with hcl-edit (through [`crate::parse::hcl`]) for the spans of the
//! block or object the change is about; edits are made line by line ([`edit`]) so that the
//! `=` signs and trailing comments `terraform fmt` aligns stay aligned ([`align`]) and every
//! other byte of the file stays as written. A value written as an expression (a variable, a
//! local, a caller's argument) is not replaced: the fix is then display only and says where
//! the value comes from. Terraform's JSON syntax (`.tf.json`) is not written.

mod align;
mod edit;
mod shared;

use crate::hcl::{Block, Body, Expr, ExprKind, Item};
use crate::model::{Change, FixValue, Prop, SourceTexts, TextEdit, Trigger, Writer};
use crate::source::{FileId, Span};
use edit::Lines;
#[cfg(test)]
use edit::apply;
pub use shared::reconcile_shared;

pub struct TerraformWriter;

impl Writer for TerraformWriter {
    fn edits(
        &self,
        texts: &dyn SourceTexts,
        trigger: &Trigger,
        change: &Change,
    ) -> Result<Vec<TextEdit>, String> {
        match change {
            Change::SetSetting { prop, value } => set_setting(texts, trigger, *prop, value),
            Change::RemoveKey { key_span } => File::read(texts, key_span.file)?.remove(*key_span),
            Change::RenameKey { key_span, to } => {
                File::read(texts, key_span.file)?.rename(*key_span, to)
            }
            Change::SetResourceProperty {
                container,
                key,
                value_at,
                value,
            } => set_resource_property(texts, *container, key, *value_at, value),
            Change::AddEventKey { key, .. } => Err(format!(
                "a Terraform mapping has no event declaration to add `{key}` to"
            )),
            Change::AddResource { id, .. } => Err(format!(
                "adding the resource `{id}` to a Terraform module is not supported: add it by hand"
            )),
        }
    }
}

/// Gives the trigger's setting a value: where its block or map entry writes it as a literal,
/// else as a new `key = value` line of that block or entry.
fn set_setting(
    texts: &dyn SourceTexts,
    trigger: &Trigger,
    prop: Prop,
    value: &FixValue,
) -> Result<Vec<TextEdit>, String> {
    let settings_at = trigger
        .settings_at
        .ok_or("the mapping's settings are not written in a file that can be edited")?;
    let key = trigger
        .format_key(prop)
        .ok_or_else(|| format!("Terraform has no argument for {}", prop.cfn_name()))?;
    let file = File::read(texts, settings_at.file)?;
    let container = file.container(settings_at)?;
    let written = trigger.settings.view(prop).span;
    if let Some((block, _)) = key.split_once('.') {
        // A nested setting is replaced where it is written, never added (that would mean
        // writing a nested block).
        let span = written
            .filter(|s| container.open <= s.start as usize && (s.end as usize) <= container.close)
            .ok_or_else(|| format!("`{key}` would need a new `{block}` block; add it by hand"))?;
        return file.replace_literal(span, key, value);
    }
    match container.member(key) {
        Some(member) => {
            let expr = member
                .value
                .ok_or_else(|| format!("`{key}` is a block here, not an argument"))?;
            if is_literal(expr) {
                return Ok(file.replace(expr.span, &render(value)));
            }
            // `var.x` or `local.x` that nothing else reads: change the value where defined.
            let sole = trigger
                .properties
                .iter()
                .find(|p| p.key_span == member.key_span)
                .and_then(|p| p.sole_definition);
            match sole {
                Some(definition) => {
                    File::read(texts, definition.file)?.replace_literal(definition, key, value)
                }
                None => Err(not_literal(&file, key, expr, written, true)),
            }
        }
        None => file.insert(&container, key, value),
    }
}

/// Gives another resource's argument a value (the queue's `visibility_timeout_seconds`):
/// replaces the value where written as a literal, else adds the argument to the resource.
fn set_resource_property(
    texts: &dyn SourceTexts,
    container: Span,
    key: &str,
    value_at: Option<Span>,
    value: &FixValue,
) -> Result<Vec<TextEdit>, String> {
    let target = value_at.unwrap_or(container);
    if texts
        .text(target.file)
        .is_some_and(crate::load::terraform::registry::is_model_text)
    {
        return Err(format!(
            "the resource is created by a registry module that leaves `{key}` at its default: \
             add `{key} = {}` to the module call",
            render(value)
        ));
    }
    if let Some(at) = value_at {
        let file = File::read(texts, at.file)?;
        return file.replace_literal(at, key, value);
    }
    let file = File::read(texts, container.file)?;
    let found = file.container(container)?;
    file.insert(&found, key, value)
}

/// One `.tf` file, parsed.
struct File<'a> {
    id: FileId,
    text: &'a str,
    body: std::borrow::Cow<'a, Body>,
    /// The line ending of the lines an insertion adds.
    line_end: &'static str,
    /// Whether an insertion realigns the lines around it (`SourceTexts::exact_edits`).
    realign: bool,
}

impl<'a> File<'a> {
    fn read(texts: &'a dyn SourceTexts, id: FileId) -> Result<File<'a>, String> {
        let text = texts
            .text(id)
            .ok_or("the file to change is not among the files read")?;
        if crate::load::terraform::registry::is_model_text(text) {
            return Err(
                "the value is the registry module's own default: set it in the module call"
                    .to_string(),
            );
        }
        if text.trim_start().starts_with('{') {
            return Err(
                "the file is in Terraform's JSON syntax (`.tf.json`), which fixes do not write"
                    .to_string(),
            );
        }
        let body = match texts.hcl(id) {
            Some(body) => std::borrow::Cow::Borrowed(body),
            None => std::borrow::Cow::Owned(
                crate::parse::hcl::parse(text, id)
                    .map_err(|e| format!("the file does not parse as HCL: {}", e.message))?,
            ),
        };
        Ok(File {
            id,
            text,
            body,
            line_end: texts.line_end(id),
            realign: texts.exact_edits(),
        })
    }

    /// The block body or object expression at `span` (a block's declaration also names it).
    fn container(&self, span: Span) -> Result<Container<'_>, String> {
        find_in_body(&self.body, span, self.text)
            .ok_or_else(|| "the block to change is no longer where it was read".to_string())
    }

    fn replace(&self, span: Span, with: &str) -> Vec<TextEdit> {
        self.replace_range(span.start as usize, span.end as usize, with)
    }

    /// Replaces `start..end`, realigning only within the top-level block it is in.
    fn replace_range(&self, start: usize, end: usize, with: &str) -> Vec<TextEdit> {
        let region = self.top_level_item_at(start);
        edit::replace_within(self.id, self.text, region, start, end, with)
    }

    /// The bytes of the file's top-level block or argument that holds `offset`; the whole
    /// file when none does.
    fn top_level_item_at(&self, offset: usize) -> std::ops::Range<usize> {
        self.body
            .items
            .iter()
            .map(|item| match item {
                Item::Block(b) => b.span.range(),
                Item::Attribute(a) => a.name_span.start as usize..a.value.span.end as usize,
            })
            .find(|range| range.start <= offset && offset <= range.end)
            .unwrap_or(0..self.text.len())
    }

    /// Replaces the expression at `span` when it is a literal.
    fn replace_literal(
        &self,
        span: Span,
        key: &str,
        value: &FixValue,
    ) -> Result<Vec<TextEdit>, String> {
        let expr = find_expr_in_body(&self.body, span)
            .ok_or_else(|| format!("the value of `{key}` is no longer where it was read"))?;
        if !is_literal(expr) {
            return Err(not_literal(self, key, expr, Some(span), false));
        }
        Ok(self.replace(span, &render(value)))
    }

    /// Adds `key = value` to a block body or object: a new line after the last argument,
    /// indented like it (or inside the braces of an object written on one line).
    fn insert(
        &self,
        container: &Container<'_>,
        key: &str,
        value: &FixValue,
    ) -> Result<Vec<TextEdit>, String> {
        let lines = Lines::window(self.text, self.top_level_item_at(container.open));
        let value = render(value);
        if lines.line_of(container.open) == lines.line_of(container.close) {
            return self.insert_inline(container, key, &value);
        }
        let (at, indent, comma) = insertion_point(&lines, container)?;
        let line = format!(
            "{indent}{key} = {value}{}{}",
            if comma { "," } else { "" },
            self.line_end
        );
        if !self.realign {
            return Ok(vec![TextEdit::insert(self.id, at, line)]);
        }
        // The block's lines are split already: the edit is made within them.
        Ok(edit::replace_lines(self.id, &lines, at, at, &line))
    }

    /// `{ a = 1 }` becomes `{ a = 1, key = value }`; a one-line block holds one argument only.
    fn insert_inline(
        &self,
        container: &Container<'_>,
        key: &str,
        value: &str,
    ) -> Result<Vec<TextEdit>, String> {
        if !container.object {
            return Err(format!(
                "the block is written on one line, which holds one argument: add `{key} = \
                 {value}` by hand"
            ));
        }
        let edit = match container.members.last() {
            Some(last) => {
                let after = self.text[last.end..container.close].trim_start();
                let at = if after.starts_with(',') {
                    last.end + self.text[last.end..].find(',').unwrap_or(0) + 1
                } else {
                    last.end
                };
                let text = if after.starts_with(',') {
                    format!(" {key} = {value},")
                } else {
                    format!(", {key} = {value}")
                };
                TextEdit::insert(self.id, at, text)
            }
            None => TextEdit {
                file: self.id,
                start: container.open as u32,
                end: container.close as u32 + 1,
                text: format!("{{ {key} = {value} }}"),
            },
        };
        Ok(vec![edit])
    }

    /// Removes an argument, block or object item: its whole lines when it is alone on them,
    /// else the item and its separating comma.
    fn remove(&self, key_span: Span) -> Result<Vec<TextEdit>, String> {
        let (container, index) = self.member_at(key_span)?;
        let member = &container.members[index];
        let lines = Lines::window(
            self.text,
            self.top_level_item_at(member.key_span.start as usize),
        );
        let (first, last) = (
            lines.line_of(member.key_span.start as usize),
            lines.line_of(member.end),
        );
        let rest = self.text[member.end..lines.start(last + 1).min(self.text.len())].trim();
        let alone_after = rest.is_empty()
            || rest == ","
            || rest.starts_with('#')
            || rest.starts_with("//")
            || rest.trim_start_matches(',').trim_start().starts_with('#');
        let others_on_last = container.members.iter().any(|m| {
            m.key_span.start as usize > member.end
                && lines.line_of(m.key_span.start as usize) == last
        });
        if lines.starts_line(member.key_span.start as usize)
            && alone_after
            && !others_on_last
            && last < lines.line_of(container.close)
        {
            return Ok(self.replace_range(lines.start(first), lines.start(last + 1), ""));
        }
        // On a line with others: from the key to the next item, or from the previous item.
        let (start, end) = match container.members.get(index + 1) {
            Some(next) => (member.key_span.start as usize, next.key_span.start as usize),
            None => match index.checked_sub(1).map(|i| &container.members[i]) {
                Some(previous) => (previous.end, member.end),
                None => (member.key_span.start as usize, member.end),
            },
        };
        Ok(vec![TextEdit {
            file: self.id,
            start: start as u32,
            end: end as u32,
            text: String::new(),
        }])
    }

    fn rename(&self, key_span: Span, to: &str) -> Result<Vec<TextEdit>, String> {
        self.member_at(key_span)?;
        Ok(self.replace(key_span, to))
    }

    /// The container holding the item whose key is at `key_span`, and the item's index.
    fn member_at(&self, key_span: Span) -> Result<(Container<'_>, usize), String> {
        let mut found = None;
        each_container(&self.body, self.text, &mut |container| {
            if found.is_none()
                && let Some(i) = container
                    .members
                    .iter()
                    .position(|m| m.key_span == key_span)
            {
                found = Some((container, i));
            }
        });
        found.ok_or_else(|| "the key to change is no longer where it was read".to_string())
    }
}

/// Where a new argument line goes in a multi-line body: after the last argument (but before a
/// trailing `depends_on`), else first in the body; with the indentation and trailing comma of
/// its neighbour.
fn insertion_point(
    lines: &Lines<'_>,
    container: &Container<'_>,
) -> Result<(usize, String, bool), String> {
    let close_line = lines.line_of(container.close);
    let arguments: Vec<&Member<'_>> = container
        .members
        .iter()
        .filter(|m| m.value.is_some())
        .collect();
    let anchor = arguments
        .iter()
        .rev()
        .find(|m| m.key != "depends_on")
        .or(arguments.last());
    let Some(anchor) = anchor else {
        let open_line = lines.line_of(container.open);
        let indent = match container.members.first() {
            Some(m) if lines.starts_line(m.key_span.start as usize) => lines
                .indent(lines.line_of(m.key_span.start as usize))
                .to_string(),
            _ => format!("{}  ", lines.indent(open_line)),
        };
        return Ok((lines.start(open_line + 1), indent, false));
    };
    let end_line = lines.line_of(anchor.end);
    if end_line >= close_line {
        return Err(format!(
            "`{}` ends on the line of the closing brace: add the argument by hand",
            anchor.key
        ));
    }
    let key_line = lines.line_of(anchor.key_span.start as usize);
    let indent = if lines.starts_line(anchor.key_span.start as usize) {
        lines.indent(key_line).to_string()
    } else {
        format!("{}  ", lines.indent(lines.line_of(container.open)))
    };
    let comma = container.object
        && lines.text[anchor.end..lines.start(end_line + 1).min(lines.text.len())]
            .trim_start()
            .starts_with(',');
    Ok((lines.start(end_line + 1), indent, comma))
}

/// A block's body or an object expression, with its items. It borrows the parsed file: the
/// writer looks at a block's members for each fix, and copying their expressions each time was
/// most of finding a block.
struct Container<'a> {
    /// The offsets of the opening and closing braces.
    open: usize,
    close: usize,
    members: Vec<Member<'a>>,
    /// An object expression (items may be separated by commas) rather than a block body.
    object: bool,
}

/// An argument, nested block or object item.
struct Member<'a> {
    key: &'a str,
    key_span: Span,
    /// `None` for a nested block.
    value: Option<&'a Expr>,
    /// Where the item ends.
    end: usize,
}

impl<'a> Container<'a> {
    fn of_block(block: &'a Block, body_span: Span) -> Container<'a> {
        let members = block
            .body
            .items
            .iter()
            .map(|item| match item {
                Item::Attribute(a) => Member {
                    key: &a.name,
                    key_span: a.name_span,
                    value: Some(&a.value),
                    end: a.value.span.end as usize,
                },
                Item::Block(b) => Member {
                    key: &b.kind,
                    key_span: b.kind_span,
                    value: None,
                    end: b.span.end as usize,
                },
            })
            .collect();
        Container {
            open: body_span.start as usize,
            close: (body_span.end as usize).saturating_sub(1),
            members,
            object: false,
        }
    }

    fn of_object(expr: &'a Expr) -> Option<Container<'a>> {
        let items = expr.as_object()?;
        let members = items
            .iter()
            .filter_map(|i| {
                Some(Member {
                    key: i.key.as_deref()?,
                    key_span: i.key_span,
                    value: Some(&i.value),
                    end: i.value.span.end as usize,
                })
            })
            .collect();
        Some(Container {
            open: expr.span.start as usize,
            close: (expr.span.end as usize).saturating_sub(1),
            members,
            object: true,
        })
    }

    fn member(&self, key: &str) -> Option<&Member<'a>> {
        self.members.iter().find(|m| m.key == key)
    }
}

fn contains(outer: Span, inner: Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

fn find_in_body<'a>(body: &'a Body, span: Span, text: &str) -> Option<Container<'a>> {
    for item in &body.items {
        match item {
            Item::Block(b) if contains(b.span, span) => {
                let body_span = b.body_span(text);
                let declaration = crate::load::terraform::resources::declaration_span(b);
                if body_span == span || declaration == span {
                    return Some(Container::of_block(b, body_span));
                }
                return find_in_body(&b.body, span, text);
            }
            Item::Attribute(a) if contains(a.value.span, span) => {
                return find_in_expr(&a.value, span);
            }
            _ => {}
        }
    }
    None
}

fn find_in_expr(expr: &Expr, span: Span) -> Option<Container<'_>> {
    if expr.span == span {
        return Container::of_object(expr);
    }
    children(expr)
        .into_iter()
        .filter(|e| contains(e.span, span))
        .find_map(|e| find_in_expr(e, span))
}

/// The expression written at exactly `span`.
fn find_expr_in_body(body: &Body, span: Span) -> Option<&Expr> {
    body.items.iter().find_map(|item| match item {
        Item::Block(b) if contains(b.span, span) => find_expr_in_body(&b.body, span),
        Item::Attribute(a) if contains(a.value.span, span) => find_expr(&a.value, span),
        _ => None,
    })
}

fn find_expr(expr: &Expr, span: Span) -> Option<&Expr> {
    if expr.span == span {
        return Some(expr);
    }
    children(expr)
        .into_iter()
        .filter(|e| contains(e.span, span))
        .find_map(|e| find_expr(e, span))
}

/// The expressions directly inside one.
fn children(expr: &Expr) -> Vec<&Expr> {
    match &expr.kind {
        ExprKind::Array(items) => items.iter().collect(),
        ExprKind::Object(items) => items.iter().map(|i| &i.value).collect(),
        ExprKind::Call(_, args) => args.iter().collect(),
        ExprKind::Conditional(parts) => parts.iter().collect(),
        ExprKind::Binary(_, parts) => parts.iter().collect(),
        ExprKind::Negate(e) | ExprKind::Not(e) => vec![e],
        _ => Vec::new(),
    }
}

/// Calls `visit` with every block body and object expression of the file.
fn each_container<'a>(body: &'a Body, text: &str, visit: &mut dyn FnMut(Container<'a>)) {
    for item in &body.items {
        match item {
            Item::Block(b) => {
                visit(Container::of_block(b, b.body_span(text)));
                each_container(&b.body, text, visit);
            }
            Item::Attribute(a) => each_object(&a.value, visit),
        }
    }
}

fn each_object<'a>(expr: &'a Expr, visit: &mut dyn FnMut(Container<'a>)) {
    if let Some(container) = Container::of_object(expr) {
        visit(container);
    }
    for child in children(expr) {
        each_object(child, visit);
    }
}

fn is_literal(expr: &Expr) -> bool {
    matches!(
        expr.kind,
        ExprKind::Null
            | ExprKind::Bool(_)
            | ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
    )
}

/// Why a value written as an expression is not replaced, and where it comes from.
/// `checked`: whether the loader looked for other readers of a `var.x` or `local.x` (it does
/// for a mapping's own arguments, `Property::sole_definition`; not for a queue's).
fn not_literal(
    file: &File<'_>,
    key: &str,
    expr: &Expr,
    written: Option<Span>,
    checked: bool,
) -> String {
    let source = file.text.get(expr.span.range()).unwrap_or("").trim();
    let source: String = source.chars().take(60).collect();
    let elsewhere = written.is_some_and(|w| !contains(expr.span, w) || w.file != file.id);
    let traversal = expr.traversal();
    let whole = traversal.as_ref().is_some_and(|(_, path)| path.len() == 1);
    let checked = checked && whole;
    let origin = match traversal.map(|(root, _)| root) {
        Some("var") if checked => {
            "an input variable that something else reads too, or that a var file sets"
        }
        Some("local") if checked => "a local value that something else reads too",
        Some("var") if whole => "an input variable",
        Some("local") if whole => "a local value",
        Some("var" | "local") => "a field of a variable's or local's value",
        Some("each" | "count") => "the instance's `for_each` or `count` value",
        _ if elsewhere => "a value written elsewhere",
        _ => "an expression",
    };
    format!(
        "`{key}` is `{source}`, {origin}: change the value where it is defined, if nothing else \
         uses it, or write the value here"
    )
}

/// A value in HCL's syntax.
fn render(value: &FixValue) -> String {
    match value {
        FixValue::Int(i) => i.to_string(),
        FixValue::Bool(b) => b.to_string(),
        FixValue::Str(s) => {
            let mut out = String::with_capacity(s.len() + 2);
            out.push('"');
            let mut chars = s.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    '$' | '%' if chars.peek() == Some(&'{') => {
                        out.push(c);
                        out.push(c);
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
        // Written by no Terraform fix today; an object and a reference in HCL's syntax.
        FixValue::Map(entries) => {
            let inner: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{k} = {}", render(v)))
                .collect();
            format!("{{ {} }}", inner.join(", "))
        }
        FixValue::GetAtt(id, attribute) => format!("{id}.{}", attribute.to_lowercase()),
    }
}

#[cfg(test)]
mod tests;
