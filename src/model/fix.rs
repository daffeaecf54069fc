//! Fixes, in the model's terms: what a rule proposes ([`FixPlan`], a list of [`Change`]s) and
//! what the engine resolves it into with the format's [`Writer`] ([`Fix`], text edits).
//!
//! Rules know nothing of syntax, so they say *what* to change (give the trigger's batch size
//! this value); the writer of the file's format says *how* (the bytes to replace), keeping the
//! rest of the file as the author wrote it.

use crate::source::{FileId, Span};

use super::{Prop, Trigger};

/// How safe a fix is to apply without the author reading it (ruff's applicability).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// Shown only: the help text stays the advice (needs a decision or code).
    Display,
    /// Changes how the trigger behaves at run time: applied only with `--unsafe-fixes`.
    Unsafe,
    /// The deploy would fail without it and this is the smallest change that passes, or it
    /// changes nothing at run time: applied by `--fix`.
    Safe,
}

impl Applicability {
    pub fn id(self) -> &'static str {
        match self {
            Applicability::Display => "display",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

/// A value a fix writes; each writer renders it in its format's syntax.
#[derive(Clone, Debug, PartialEq)]
pub enum FixValue {
    Int(i64),
    Bool(bool),
    Str(String),
    /// A nested map, written in the file's style (block YAML at the siblings' indentation,
    /// JSON at its indentation), its keys in this order.
    Map(Vec<(String, FixValue)>),
    /// An attribute of a resource of the same template (`!GetAtt Queue.Arn`,
    /// `{"Fn::GetAtt": ["Queue", "Arn"]}`): resource id, attribute.
    GetAtt(String, String),
}

impl FixValue {
    /// The value as a title shows it.
    pub fn shown(&self) -> String {
        match self {
            FixValue::Int(n) => n.to_string(),
            FixValue::Bool(b) => b.to_string(),
            FixValue::Str(s) => s.clone(),
            FixValue::Map(entries) => {
                let inner: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", v.shown()))
                    .collect();
                format!("{{{}}}", inner.join(", "))
            }
            FixValue::GetAtt(id, attribute) => format!("{id}.{attribute}"),
        }
    }

    pub fn map<const N: usize>(entries: [(&str, FixValue); N]) -> FixValue {
        FixValue::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }
}

/// One change to the author's files, in the model's terms.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// Give the trigger's setting this value: replace the value where the trigger itself writes
    /// it; otherwise add the format's key for it (`Trigger::format_key`) to the trigger's own
    /// settings (`Trigger::settings_at`). A value from an anchor/alias, SAM Globals, a parameter
    /// or variable default shared with others is overridden at the trigger, never edited where
    /// others read it.
    SetSetting { prop: Prop, value: FixValue },
    /// Remove the key at `key_span` and its value (and the line, when it is alone on it).
    RemoveKey { key_span: Span },
    /// Rename the key at `key_span` to `to`.
    RenameKey { key_span: Span, to: String },
    /// Give a property of another resource in the files being linted (the queue's visibility
    /// timeout): replace the value at `value_at` when it is written, else add the key to the
    /// resource's properties at `container`. `key` is the author's format's name for it
    /// (`VisibilityTimeout`, `visibility_timeout_seconds`).
    SetResourceProperty {
        container: Span,
        key: String,
        value_at: Option<Span>,
        value: FixValue,
    },
    /// Add a key to the trigger's declaration (Serverless `type:` for TL403); turns the
    /// Serverless short form `- sqs: arn` into the map form when needed.
    AddEventKey { key: String, value: FixValue },
    /// Add a resource `id` whose body (`Type`, `Properties`) is `resource`, a [`FixValue::Map`],
    /// as the last of the trigger's file's resources: `Resources` of a CloudFormation or SAM
    /// template, `resources.Resources` of a Serverless service (created when absent).
    AddResource { id: String, resource: FixValue },
}

impl Change {
    /// The file the change edits first: where the key or resource is, else where the trigger
    /// writes its settings. A writer may read other files through [`SourceTexts`].
    pub fn target_file(&self, trigger: &Trigger) -> FileId {
        match self {
            Change::RemoveKey { key_span } | Change::RenameKey { key_span, .. } => key_span.file,
            Change::SetResourceProperty { container, .. } => container.file,
            Change::AddResource { .. } => trigger.file,
            Change::SetSetting { .. } | Change::AddEventKey { .. } => {
                trigger.settings_at.map_or(trigger.file, |s| s.file)
            }
        }
    }
}

/// What a rule proposes for one finding.
#[derive(Clone, Debug, PartialEq)]
pub struct FixPlan {
    /// Imperative, in the author's key names: "Raise VisibilityTimeout to 360".
    pub title: String,
    pub applicability: Applicability,
    pub changes: Vec<Change>,
    /// Why a display-only plan is not written, when the rule knows (the fix needs a
    /// permission no deploy tool grants by itself).
    pub why_display: Option<String>,
}

impl FixPlan {
    pub fn new(applicability: Applicability, title: impl Into<String>) -> FixPlan {
        FixPlan {
            title: title.into(),
            applicability,
            changes: Vec::new(),
            why_display: None,
        }
    }

    /// A plan shown only, with the reason it is not written.
    pub fn display(title: impl Into<String>, why: impl Into<String>) -> FixPlan {
        FixPlan {
            why_display: Some(why.into()),
            ..FixPlan::new(Applicability::Display, title)
        }
    }

    pub fn change(mut self, change: Change) -> FixPlan {
        self.changes.push(change);
        self
    }
}

/// A text edit: replace `start..end` (byte offsets in `file`) with `text`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TextEdit {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
    pub text: String,
}

impl TextEdit {
    pub fn replace(span: Span, text: impl Into<String>) -> TextEdit {
        TextEdit {
            file: span.file,
            start: span.start,
            end: span.end,
            text: text.into(),
        }
    }

    pub fn insert(file: FileId, at: usize, text: impl Into<String>) -> TextEdit {
        TextEdit {
            file,
            start: at as u32,
            end: at as u32,
            text: text.into(),
        }
    }

    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A fix as the engine resolved it for one finding.
#[derive(Clone, Debug, PartialEq)]
pub struct Fix {
    pub title: String,
    /// Lowered to `Display` when the writer cannot express the change here, with `why_display`.
    pub applicability: Applicability,
    pub edits: Vec<TextEdit>,
    /// Why the fix is display only when a rule proposed more (a shared parameter default,
    /// a synthesized `cdk.out` template, a deployed listing...).
    pub why_display: Option<String>,
}

impl Fix {
    /// The plan shown only, and why.
    pub fn display_only(plan: &FixPlan, why: Option<String>) -> Fix {
        Fix {
            title: plan.title.clone(),
            applicability: Applicability::Display,
            edits: Vec::new(),
            why_display: why,
        }
    }
}

/// The texts of the files a writer may edit (the trigger's file, files of the same Terraform
/// module or included by the same service), by id.
pub trait SourceTexts {
    fn text(&self, file: FileId) -> Option<&str>;

    /// The file's text parsed (YAML or JSON, as its name and text say), when the implementor
    /// keeps one: the engine parses each file once for all the fixes of a lint. `None` makes
    /// a writer parse the text itself.
    fn tree(&self, _file: FileId) -> Option<&crate::tree::Node> {
        None
    }

    /// A `.tf` file's HCL, parsed once for all the fixes of a lint when the implementor keeps
    /// it; `None` makes the Terraform writer parse the text itself.
    fn hcl(&self, _file: FileId) -> Option<&crate::hcl::Body> {
        None
    }

    /// The line ending the file uses (`\r\n` when any line ends so, else `\n`), for the lines
    /// a writer adds. Implementors that serve many fixes of one file remember it: looking
    /// through the whole text for every inserted line was a percent of a Terraform lint.
    fn line_end(&self, file: FileId) -> &'static str {
        self.text(file).map_or("\n", line_end_of)
    }

    /// Whether edits must be exactly what `--fix` writes (`Config::exact_fix_edits`). When not,
    /// a writer may leave out what only changes spacing, such as realigning neighbour lines.
    fn exact_edits(&self) -> bool {
        true
    }
}

/// The line ending `text` uses: `\r\n` when any line ends so, else `\n`.
pub fn line_end_of(text: &str) -> &'static str {
    if text.contains("\r\n") { "\r\n" } else { "\n" }
}

impl SourceTexts for crate::source::Sources {
    fn text(&self, file: FileId) -> Option<&str> {
        self.try_get(file).map(|f| f.text.as_str())
    }
}

/// Turns one change into edits on the files' texts, or says why it cannot (the fix is then
/// display only, with that reason). One writer per format's syntax, in `src/write/`.
pub trait Writer: Sync {
    fn edits(
        &self,
        texts: &dyn SourceTexts,
        trigger: &Trigger,
        change: &Change,
    ) -> Result<Vec<TextEdit>, String>;
}
