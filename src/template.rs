//! The read-only view of a template that loaders and rules share: resources by logical id,
//! parameters, mappings, SAM globals, and static resolution of values.
//!
//! Resolution never guesses: a value that depends on a parameter without a literal default, a
//! condition, another stack, or a Serverless variable is reported as unknown with the reason.

use crate::fxhash::FxHashMap;
use std::borrow::Cow;
use std::sync::OnceLock;

use crate::model::{Format, Origin, Setting, Tool};
use crate::source::{FileId, Span};
use crate::tree::{Node, Value, one_or_many};

/// The key that marks a resource the deploy tool creates on its own (SAM's queue for an SNS
/// event's `SqsSubscription`), with what makes it: loaders add such resources to the view so
/// links see them, and rules then know the author cannot set their properties directly.
pub const CREATED_BY: &str = "triggerlint:CreatedBy";

/// One CloudFormation resource.
#[derive(Clone, Copy, Debug)]
pub struct Resource<'a> {
    pub logical_id: &'a str,
    pub id_span: Span,
    pub type_: &'a str,
    pub node: &'a Node,
    pub properties: Option<&'a Node>,
    /// What creates the resource, when the author did not write it (see [`CREATED_BY`]).
    pub created_by: Option<&'a str>,
}

impl<'a> Resource<'a> {
    pub fn property(&self, name: &str) -> Option<&'a Node> {
        self.properties.and_then(|p| p.get(name))
    }
}

/// A template as rules see it.
#[derive(Debug)]
pub struct Template<'a> {
    pub format: Format,
    pub file: FileId,
    pub root: &'a Node,
    /// Resources in document order.
    pub resources: Vec<Resource<'a>>,
    by_id: FxHashMap<&'a str, usize>,
    parameters: FxHashMap<&'a str, &'a Node>,
    mappings: Option<&'a Node>,
    /// SAM `Globals.Function`, applied under each `AWS::Serverless::Function`.
    pub sam_function_globals: Option<&'a Node>,
    /// Who supplies a resource property the author leaves out, when not AWS itself: the
    /// Terraform AWS provider sends its own defaults (a queue's visibility timeout, a
    /// function's timeout).
    pub property_defaults: Option<Tool>,
    /// Alarms are declared outside the resources, where no link can read them: the
    /// serverless-plugin-aws-alerts plugin's `custom.alerts`.
    pub alarms_outside_resources: bool,
    /// The IAM policy statements by the expressions their `Resource` names, built when first
    /// asked for (see [`Template::statements_granting_on`]).
    /// Each statement is held as where it is (resource, document, statement), not as a
    /// reference: a lock of references would tie the view's lifetime down (invariance).
    statements_by_resource: OnceLock<FxHashMap<String, Vec<StatementAt>>>,
}

/// The key of a lowered parameter (a Terraform input variable) whose `Default` is the value a
/// `--var-file` gives it.
pub const FROM_VAR_FILE: &str = "triggerlint:FromVarFile";

/// Why a value cannot be known before deploy time.
pub type Unknown = String;

impl<'a> Template<'a> {
    /// Builds the view over a document's root. `resource_maps` are the mappings that hold
    /// resources: `Resources` in CloudFormation and SAM, `resources.Resources` in Serverless.
    pub fn new(format: Format, file: FileId, root: &'a Node, resource_maps: &[&'a Node]) -> Self {
        let mut resources = Vec::new();
        for map in resource_maps.iter().filter_map(|n| n.as_map()) {
            for entry in map.iter() {
                let node = &entry.value;
                let Some(type_) = node.get("Type").and_then(Node::as_str) else {
                    continue;
                };
                resources.push(Resource {
                    logical_id: &entry.key,
                    id_span: entry.key_span,
                    type_,
                    node,
                    properties: node.get("Properties"),
                    created_by: node.get(CREATED_BY).and_then(Node::as_str),
                });
            }
        }
        let by_id = resources
            .iter()
            .enumerate()
            .map(|(i, r)| (r.logical_id, i))
            .collect();
        let parameters = root
            .get("Parameters")
            .and_then(Node::as_map)
            .map(|m| m.iter().map(|e| (e.key.as_str(), &e.value)).collect())
            .unwrap_or_default();
        Template {
            format,
            file,
            root,
            resources,
            by_id,
            parameters,
            mappings: root.get("Mappings"),
            sam_function_globals: root.get_path(&["Globals", "Function"]),
            property_defaults: None,
            alarms_outside_resources: format == Format::Serverless
                && root.get_path(&["custom", "alerts"]).is_some(),
            statements_by_resource: OnceLock::new(),
        }
    }

    /// The statements of the template's IAM policy documents whose `Resource` names `node`
    /// (the same expression, wherever written): IAM policies and managed policies, a role's
    /// inline policies, a SAM function's statement policies. The statements are indexed once,
    /// on first use, so that asking for every trigger of a large template stays linear.
    pub fn statements_granting_on<'s>(
        &'s self,
        node: &'s Node,
    ) -> impl Iterator<Item = &'a Node> + 's {
        let index = self
            .statements_by_resource
            .get_or_init(|| index_statements(&self.resources));
        index
            .get(&node.expression_key())
            .into_iter()
            .flatten()
            .filter_map(|at| statement_at(&self.resources, *at))
            .filter(move |statement| {
                statement
                    .get("Resource")
                    .is_some_and(|r| one_or_many(r).any(|r| r.same_expression(node)))
            })
    }

    pub fn resource(&self, logical_id: &str) -> Option<&Resource<'a>> {
        self.by_id.get(logical_id).map(|&i| &self.resources[i])
    }

    pub fn parameter(&self, name: &str) -> Option<&'a Node> {
        self.parameters.get(name).copied()
    }

    /// A property of a function resource, falling back to SAM `Globals.Function` for
    /// `AWS::Serverless::Function`. Returns the node that supplies it, and whether it comes
    /// from the globals.
    pub fn function_property(
        &self,
        function: &Resource<'a>,
        name: &str,
    ) -> Option<(&'a Node, bool)> {
        if let Some(node) = function.property(name) {
            return Some((node, false));
        }
        (function.type_ == "AWS::Serverless::Function")
            .then_some(self.sam_function_globals)
            .flatten()
            .and_then(|g| g.get(name))
            .map(|node| (node, true))
    }

    /// An integer setting: the written value when there is one, else the AWS default (or unset).
    pub fn int_or_default(
        &self,
        written: Option<&Node>,
        service_default: Option<i64>,
    ) -> Setting<i64> {
        match (written, service_default, self.property_defaults) {
            (Some(node), _, _) => self.written_int(node),
            (None, Some(value), Some(tool)) => Setting::ToolDefault { value, tool },
            (None, Some(value), None) => Setting::ServiceDefault { value },
            (None, None, _) => Setting::Unset,
        }
    }

    /// A written integer, resolved through the template.
    pub fn written_int(&self, node: &Node) -> Setting<i64> {
        match self.resolve(node) {
            Ok(resolved) => match resolved.to_int() {
                Ok(value) => Setting::Written {
                    value,
                    span: node.span,
                    origin: self.origin_of(node),
                },
                Err(why) => Setting::Invalid {
                    span: node.span,
                    why,
                    value: None,
                },
            },
            Err(why) => Setting::Unknown {
                span: Some(node.span),
                why,
            },
        }
    }

    /// Where the value of a written node comes from: itself, or the default of the parameter
    /// (in Terraform, the variable) it refers to.
    pub fn origin_of(&self, node: &Node) -> Origin {
        if self.format == Format::Deployed {
            return Origin::Deployed;
        }
        let Some(name) = node
            .as_intrinsic()
            .filter(|i| i.name == "Ref")
            .and_then(|i| i.arg.as_str())
        else {
            return Origin::Direct;
        };
        let Some(parameter) = self.parameter(name) else {
            return Origin::Direct;
        };
        let Some(default) = parameter.get("Default") else {
            return Origin::Direct;
        };
        if parameter.get(FROM_VAR_FILE).is_some() {
            return Origin::VarFile {
                name: name.trim_start_matches("var.").into(),
                span: default.span,
            };
        }
        match self.format {
            Format::Terraform | Format::TerraformPlan => Origin::VariableDefault {
                name: name.trim_start_matches("var.").into(),
                span: default.span,
            },
            _ => Origin::ParameterDefault {
                name: name.into(),
                span: default.span,
            },
        }
    }

    /// The value a node will have at deploy time, when that is knowable from the file alone.
    pub fn resolve<'n>(&self, node: &'n Node) -> Result<Cow<'n, Node>, Unknown>
    where
        'a: 'n,
    {
        if let Value::Unknown(unknown) = &node.value {
            return Err(format!(
                "uses `{}`, which stays unknown: {}",
                unknown.text, unknown.why
            ));
        }
        if let Value::Str(s) = &node.value
            && is_dynamic_reference(s)
        {
            return Err(format!(
                "is the dynamic reference `{s}`, resolved at deploy time"
            ));
        }
        let Some(intrinsic) = node.as_intrinsic() else {
            return Ok(Cow::Borrowed(node));
        };
        let arg = &intrinsic.arg;
        match intrinsic.name.as_str() {
            "Ref" => self.resolve_ref(arg),
            "Fn::Sub" => match arg.as_str() {
                Some(s) if is_dynamic_reference(s) => Err(format!(
                    "is the dynamic reference `{s}`, resolved at deploy time"
                )),
                Some(s) if !s.contains("${") => Ok(Cow::Owned(Node::new(
                    node.span,
                    Value::Str(s.replace("${!", "${").into()),
                ))),
                _ => Err(format!("is computed by {}", describe(node))),
            },
            "Fn::FindInMap" => self
                .find_in_map(arg)
                .map(Cow::Borrowed)
                .ok_or_else(|| format!("is looked up by {}", describe(node))),
            "Fn::If" => {
                let condition = arg
                    .as_seq()
                    .and_then(|s| s.first())
                    .and_then(Node::as_str)
                    .unwrap_or("?");
                Err(format!("depends on the condition {condition}"))
            }
            "Fn::ImportValue" => Err("is imported from another stack".to_string()),
            "Fn::ToJsonString" => self
                .literal_json(arg)
                .map(|json| Cow::Owned(Node::new(node.span, Value::Str(json.to_string().into()))))
                .ok_or_else(|| format!("is computed by {}", describe(node))),
            _ => Err(format!("is computed by {}", describe(node))),
        }
    }

    fn resolve_ref<'n>(&self, arg: &'n Node) -> Result<Cow<'n, Node>, Unknown>
    where
        'a: 'n,
    {
        let Some(name) = arg.as_str() else {
            return Err("is a Ref that cannot be resolved".to_string());
        };
        if name.starts_with("AWS::") {
            return Err(format!(
                "is the pseudo parameter {name}, known only at deploy time"
            ));
        }
        let Some(parameter) = self.parameter(name) else {
            return Err(format!("is !Ref {name}, known only at deploy time"));
        };
        let is_list = parameter
            .get("Type")
            .and_then(Node::as_str)
            .is_some_and(|t| t == "CommaDelimitedList" || t.starts_with("List<"));
        match parameter.get("Default") {
            // An empty default stands for a value given at deploy time (or by a caller of a
            // Terraform module), not for the empty string.
            Some(default) if default.as_str() == Some("") => Err(format!(
                "comes from the parameter {name}, whose default is empty: a placeholder for the value given at deploy time"
            )),
            // A list parameter's default is one comma-separated string; `Ref` gives the list.
            Some(default) if is_list && default.as_str().is_some() => {
                let text = default.as_str().unwrap_or_default();
                let items = text
                    .split(',')
                    .map(|item| Node::new(default.span, Value::Str(item.trim().into())))
                    .collect();
                Ok(Cow::Owned(Node::new(default.span, Value::Seq(items))))
            }
            Some(Node {
                value: Value::Unknown(unknown),
                ..
            }) => Err(format!(
                "comes from the parameter {name}, whose default `{}` stays unknown: {}",
                unknown.text, unknown.why
            )),
            Some(default) if default.as_intrinsic().is_none() => Ok(Cow::Borrowed(default)),
            _ => Err(format!(
                "comes from the parameter {name}, which has no literal default"
            )),
        }
    }

    /// A value as JSON when every part of it is known.
    fn literal_json(&self, node: &Node) -> Option<serde_json::Value> {
        let resolved = self.resolve(node).ok()?;
        Some(match &resolved.value {
            Value::Seq(items) => items
                .iter()
                .map(|i| self.literal_json(i))
                .collect::<Option<Vec<_>>>()?
                .into(),
            Value::Map(map) => serde_json::Value::Object(
                map.iter()
                    .map(|e| Some((e.key.to_string(), self.literal_json(&e.value)?)))
                    .collect::<Option<_>>()?,
            ),
            Value::Intrinsic(_) | Value::Unknown(_) => return None,
            _ => resolved.to_json(),
        })
    }

    fn find_in_map(&self, arg: &Node) -> Option<&'a Node> {
        let keys: Vec<&str> = arg
            .as_seq()?
            .iter()
            .map(Node::as_str)
            .collect::<Option<_>>()?;
        let [map, top, second] = keys.as_slice() else {
            return None;
        };
        self.mappings?.get_path(&[map, top, second])
    }
}

/// `{{resolve:ssm:...}}` and its misspellings (`{{ resolve:...}}`): whatever CloudFormation makes
/// of it, the text is not the value.
fn is_dynamic_reference(text: &str) -> bool {
    text.find("{{")
        .is_some_and(|start| text[start..].contains("}}"))
}

/// A short, familiar rendering of an expression: `!GetAtt Queue.Arn`, `!Ref Param`, or the
/// literal itself.
pub fn describe(node: &Node) -> String {
    match &node.value {
        Value::Str(s) | Value::Yaml11Bool(_, s) => s.to_string(),
        Value::Unknown(u) => u.text.clone(),
        Value::Intrinsic(i) if i.written.is_some() => {
            i.written.as_deref().unwrap_or_default().to_string()
        }
        Value::Intrinsic(i) => {
            let short = i.name.strip_prefix("Fn::").unwrap_or(&i.name);
            match (&i.arg.value, i.name.as_str()) {
                (Value::Seq(parts), "Fn::GetAtt") => {
                    let parts: Vec<String> = parts.iter().map(describe).collect();
                    format!("!GetAtt {}", parts.join("."))
                }
                (Value::Seq(_), "Fn::Join") => format!("!Join {}", joined(&i.arg)),
                (Value::Str(s), "Fn::GetAtt") => format!("!GetAtt {s}"),
                (Value::Str(s), _) => format!("!{short} {s}"),
                _ => format!("!{short} {}", i.arg.to_json()),
            }
        }
        _ => node.to_json().to_string(),
    }
}

/// `Fn::Join` arguments as one string, other expressions shown as `${...}`.
fn joined(arg: &Node) -> String {
    let Some(
        [
            delimiter,
            Node {
                value: Value::Seq(parts),
                ..
            },
        ],
    ) = arg.as_seq()
    else {
        return arg.to_json().to_string();
    };
    let delimiter = delimiter.as_str().unwrap_or_default();
    let texts: Vec<String> = parts
        .iter()
        .map(|p| match (&p.value, referenced_resource(p)) {
            (Value::Str(s), _) => s.to_string(),
            (_, Some((id, Some(attr)))) => format!("${{{id}.{attr}}}"),
            (_, Some((id, None))) => format!("${{{id}}}"),
            _ => "${...}".to_string(),
        })
        .collect();
    texts.join(delimiter)
}

/// The resource a `Ref X`, `Fn::GetAtt [X, Attr]` or `!Sub "${X.Attr}"` names, with the attribute.
pub fn referenced_resource(node: &Node) -> Option<(&str, Option<&str>)> {
    let intrinsic = node.as_intrinsic()?;
    match intrinsic.name.as_str() {
        "Ref" => Some((intrinsic.arg.as_str()?, None)),
        "Fn::GetAtt" => match (&intrinsic.arg.value, intrinsic.arg.as_seq()) {
            (_, Some([id, attr])) => Some((id.as_str()?, Some(attr.as_str()?))),
            (_, Some([id])) => Some((id.as_str()?, None)),
            // `{"Fn::GetAtt": "Resource.Attribute"}` is accepted too.
            (Value::Str(dotted), _) => Some(match dotted.split_once('.') {
                Some((id, attr)) => (id, Some(attr)),
                None => (dotted.as_str(), None),
            }),
            _ => None,
        },
        "Fn::Sub" => {
            let template = intrinsic.arg.as_str()?;
            let inner = template.strip_prefix("${")?.strip_suffix('}')?;
            if inner.contains(['$', '{', '}']) || inner.starts_with("AWS::") {
                return None;
            }
            Some(match inner.split_once('.') {
                Some((id, attr)) => (id, Some(attr)),
                None => (inner, None),
            })
        }
        _ => None,
    }
}

/// Where a policy statement is: its resource's index, the document's among the resource's,
/// the statement's in the document.
type StatementAt = [usize; 3];

/// Every statement of the resources' policy documents, under each expression its `Resource`
/// names (once per statement and expression).
fn index_statements(resources: &[Resource<'_>]) -> FxHashMap<String, Vec<StatementAt>> {
    let mut index: FxHashMap<String, Vec<StatementAt>> = FxHashMap::default();
    for (r, resource) in resources.iter().enumerate() {
        for (d, document) in policy_documents(resource).into_iter().enumerate() {
            let statements = document.get("Statement").into_iter().flat_map(one_or_many);
            for (n, statement) in statements.enumerate() {
                let Some(named) = statement.get("Resource") else {
                    continue;
                };
                for resource in one_or_many(named) {
                    let at = index.entry(resource.expression_key()).or_default();
                    if at.last() != Some(&[r, d, n]) {
                        at.push([r, d, n]);
                    }
                }
            }
        }
    }
    index
}

fn statement_at<'a>(resources: &[Resource<'a>], [r, d, n]: StatementAt) -> Option<&'a Node> {
    let document = *policy_documents(resources.get(r)?).get(d)?;
    one_or_many(document.get("Statement")?).nth(n)
}

/// The policy documents a resource holds.
fn policy_documents<'a>(resource: &Resource<'a>) -> Vec<&'a Node> {
    match resource.type_ {
        "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => {
            resource.property("PolicyDocument").into_iter().collect()
        }
        "AWS::IAM::Role" => resource
            .property("Policies")
            .into_iter()
            .flat_map(one_or_many)
            .filter_map(|p| p.get("PolicyDocument"))
            .collect(),
        // A SAM function's `Policies` mix policy names, policy templates and documents; only
        // documents have a `Statement`.
        "AWS::Serverless::Function" => resource
            .property("Policies")
            .into_iter()
            .flat_map(one_or_many)
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml;

    fn doc(text: &str) -> Node {
        yaml::parse(text, FileId(0)).unwrap().unwrap()
    }

    #[test]
    fn refs_resolve_to_literal_parameter_defaults_only() {
        let root = doc(
            "Parameters:\n  Size: {Type: Number, Default: 50}\n  Free: {Type: String}\nResources: {}\nX:\n  a: !Ref Size\n  b: !Ref Free\n  c: !Ref AWS::Region\n  d: !If [IsProd, 1, 2]\n  e: !Sub plain\n",
        );
        let t = Template::new(Format::CloudFormation, FileId(0), &root, &[]);
        let x = root.get("X").unwrap();
        assert_eq!(
            t.resolve(x.get("a").unwrap()).unwrap().value,
            Value::Int(50)
        );
        assert!(
            t.resolve(x.get("b").unwrap())
                .unwrap_err()
                .contains("no literal default")
        );
        assert!(
            t.resolve(x.get("c").unwrap())
                .unwrap_err()
                .contains("pseudo parameter")
        );
        assert!(
            t.resolve(x.get("d").unwrap())
                .unwrap_err()
                .contains("IsProd")
        );
        assert_eq!(
            t.resolve(x.get("e").unwrap()).unwrap().as_str(),
            Some("plain")
        );
    }

    #[test]
    fn unknown_values_stay_unknown_with_their_reason() {
        let root = doc("a: 1\n");
        let t = Template::new(Format::Serverless, FileId(0), &root, &[]);
        let unknown = Node::unknown(Span::default(), "${ssm:/size}", "read at deploy time");
        assert_eq!(
            t.resolve(&unknown).unwrap_err(),
            "uses `${ssm:/size}`, which stays unknown: read at deploy time"
        );
    }

    #[test]
    fn referenced_resources_through_each_form() {
        let root = doc(
            "a: !GetAtt Q.Arn\nb: !Ref S\nc: !Sub '${T.StreamArn}'\nd: !Sub 'arn:${AWS::Partition}'\ne: {Fn::GetAtt: Q.Arn}\n",
        );
        assert_eq!(
            referenced_resource(root.get("a").unwrap()),
            Some(("Q", Some("Arn")))
        );
        assert_eq!(
            referenced_resource(root.get("b").unwrap()),
            Some(("S", None))
        );
        assert_eq!(
            referenced_resource(root.get("c").unwrap()),
            Some(("T", Some("StreamArn")))
        );
        assert_eq!(referenced_resource(root.get("d").unwrap()), None);
        assert_eq!(
            referenced_resource(root.get("e").unwrap()),
            Some(("Q", Some("Arn")))
        );
    }
}
