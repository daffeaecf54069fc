//! Terraform (and OpenTofu) plans, as `terraform show -json PLAN` prints them: every resource
//! instance with the values Terraform resolved (variables, `for_each`, module calls, remote
//! modules included), and the `configuration` the plan was made from.
//!
//! The plan is lowered into the same template view the `.tf` loader fills: queues, streams,
//! tables, functions and alarms under their addresses, with CloudFormation's types and property
//! names, so links and rules read a plan as they read a module. Spans point into the plan's
//! JSON.
//!
//! Provenance comes from `configuration`: an argument its expressions write is the author's
//! (`Written`, with the value Terraform resolved); one they do not write is not, whatever the
//! plan shows for it (the provider's or AWS's default), so it is left out and the usual
//! defaults apply. A value the configuration writes but Terraform knows only after apply is
//! unknown. The provider reports zeros for retry and parallelism arguments on sources that have
//! none (an SQS mapping shows `maximum_retry_attempts = 0`): such a zero is never taken as
//! written unless the configuration writes it as a literal.

use super::terraform::mapping::RESOURCE_FIELDS;
use super::terraform::nodes::{entry, map_node};
use super::terraform::resources::shape;
use super::terraform::schema::Field;
use crate::model::SourceKind;
use crate::source::Span;
use crate::tree::{Entry, Map, Node, Unknown, Value};

mod references;
mod triggers;
mod values;

use references::{module_names, parent_module, reference, references, split_reference};
pub use triggers::{Declaration, declarations, load};
use values::{
    after_apply, after_apply_only, convert, on_demand, planned, provider_zero, stream_specification,
};

const MAPPING_TYPE: &str = "aws_lambda_event_source_mapping";
/// Where a lowered mapping keeps what its loader says about it.
const NOTES: &str = "triggerlint:Notes";
/// Where a lowered mapping keeps where its `resource` block is written (see [`declarations`]).
const DECLARED: &str = "triggerlint:Declared";

/// `terraform show -json` of a saved plan: a format version with planned values or changes.
pub fn looks_like_plan(map: &Map) -> bool {
    map.contains_key("format_version")
        && (map.contains_key("planned_values") || map.contains_key("resource_changes"))
}

/// One resource instance of the plan.
struct Instance<'a> {
    address: &'a str,
    /// The span of the instance's `address` value: where findings about it point.
    anchor: Span,
    /// The module instance it belongs to (`module.orders["eu"]`), empty at the root.
    module: &'a str,
    data: bool,
    type_: &'a str,
    name: &'a str,
    index: Option<&'a Node>,
    values: Option<&'a Map>,
}

/// What lowering reads of a plan: its instances, module instances and configuration.
struct Plan<'a> {
    instances: Vec<Instance<'a>>,
    configuration: Option<&'a Node>,
}

/// The plan's template view: its resources under their addresses, and its mappings as
/// `AWS::Lambda::EventSourceMapping` resources whose properties keep their JSON spans.
pub fn lower(root: &Node) -> Node {
    let Some(map) = root.as_map() else {
        return root.clone();
    };
    let plan = Plan {
        instances: instances(map),
        configuration: map.get("configuration"),
    };
    let mut resources: Vec<Entry> = plan
        .instances
        .iter()
        .filter_map(|instance| plan.lower_instance(instance))
        .collect();
    for policy in plan
        .instances
        .iter()
        .filter(|i| i.type_ == "aws_sqs_queue_redrive_policy" && !i.data)
    {
        plan.attach_redrive_policy(policy, &mut resources);
    }
    map_node(
        root.span,
        vec![entry(
            "Resources",
            root.span,
            Node::new(root.span, Value::Map(Map { entries: resources })),
        )],
    )
}

/// The resource instances Terraform plans to have: `planned_values`, or, in a plan without
/// them, the state after each change that does not delete; and the data sources Terraform read
/// while planning (`prior_state`), whose values AWS reported.
fn instances(plan: &Map) -> Vec<Instance<'_>> {
    let mut found = Vec::new();
    let read = plan
        .get("prior_state")
        .and_then(|s| s.get_path(&["values", "root_module"]));
    if let Some(root) = read {
        module_instances(root, "", &mut found);
        found.retain(|i| i.data);
    }
    if let Some(root) = plan
        .get("planned_values")
        .and_then(|p| p.get("root_module"))
    {
        module_instances(root, "", &mut found);
        return found;
    }
    for change in plan
        .get("resource_changes")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let deleted = change
            .get_path(&["change", "actions"])
            .and_then(Node::as_seq)
            .is_some_and(|a| a.iter().all(|a| a.as_str() == Some("delete")));
        if deleted {
            continue;
        }
        let after = change.get_path(&["change", "after"]);
        found.extend(instance(change, "", after));
    }
    found
}

fn module_instances<'a>(module: &'a Node, address: &'a str, found: &mut Vec<Instance<'a>>) {
    for resource in module
        .get("resources")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        found.extend(instance(resource, address, resource.get("values")));
    }
    for child in module
        .get("child_modules")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let address = child.get("address").and_then(Node::as_str).unwrap_or("");
        module_instances(child, address, found);
    }
}

fn instance<'a>(
    resource: &'a Node,
    module: &'a str,
    values: Option<&'a Node>,
) -> Option<Instance<'a>> {
    let address = resource.get("address")?;
    let text = |key: &str| resource.get(key).and_then(Node::as_str);
    let module = text("module_address").unwrap_or(module);
    Some(Instance {
        address: address.as_str()?,
        anchor: address.span,
        module,
        data: text("mode") == Some("data"),
        type_: text("type")?,
        name: text("name")?,
        index: resource.get("index"),
        values: values.and_then(Node::as_map),
    })
}

impl<'a> Plan<'a> {
    fn lower_instance(&self, instance: &Instance<'a>) -> Option<Entry> {
        let (type_, mut properties, notes) = if instance.type_ == MAPPING_TYPE && !instance.data {
            let (properties, notes) = self.mapping_properties(instance);
            ("AWS::Lambda::EventSourceMapping", properties, notes)
        } else {
            let (type_, fields) = shape(instance.type_)?;
            (
                type_,
                self.resource_properties(instance, fields),
                Vec::new(),
            )
        };
        if instance.type_ == "aws_dynamodb_table" {
            properties.extend(stream_specification(instance));
        }
        let span = instance.anchor;
        let mut resource = vec![
            entry("Type", span, Node::new(span, Value::Str(type_.into()))),
            entry("Properties", span, map_node(span, properties)),
        ];
        if instance.type_ == MAPPING_TYPE
            && let Some(folder) = self.module_folder(instance.module)
        {
            let text = |t: &str| Node::new(span, Value::Str(t.into()));
            let declared = vec![
                entry("Folder", span, text(&folder)),
                entry("Type", span, text(instance.type_)),
                entry("Name", span, text(instance.name)),
            ];
            resource.push(entry(DECLARED, span, map_node(span, declared)));
        }
        if !notes.is_empty() {
            let notes = notes
                .into_iter()
                .map(|n| Node::new(span, Value::Str(n.into())))
                .collect();
            resource.push(entry(NOTES, span, Node::new(span, Value::Seq(notes))));
        }
        Some(entry(instance.address, span, map_node(span, resource)))
    }

    /// An `aws_sqs_queue_redrive_policy` gives the queue its `queue_url` names (by planned URL,
    /// or by the configuration's reference) its `RedrivePolicy`.
    fn attach_redrive_policy(&self, policy: &Instance<'a>, resources: &mut [Entry]) {
        let queue = match planned(policy, "queue_url").and_then(|(_, v)| v.as_str()) {
            Some(url) => self.instances.iter().find(|i| {
                i.type_ == "aws_sqs_queue"
                    && ["url", "id"]
                        .iter()
                        .any(|k| planned(i, k).and_then(|(_, v)| v.as_str()) == Some(url))
            }),
            None => self
                .written(policy)
                .and_then(|w| w.get("queue_url"))
                .and_then(|e| self.resolve_expression(policy.module, policy.index, e))
                .map(|(queue, _)| queue)
                .filter(|q| q.type_ == "aws_sqs_queue"),
        };
        let Some(queue) = queue else {
            return;
        };
        let value = match planned(policy, "redrive_policy") {
            Some((_, value)) => value.clone(),
            None => after_apply(policy, "redrive_policy"),
        };
        let properties = resources
            .iter_mut()
            .find(|e| e.key == queue.address)
            .and_then(|e| match &mut e.value.value {
                Value::Map(fields) => fields.entries.iter_mut().find(|f| f.key == "Properties"),
                _ => None,
            });
        if let Some(Entry {
            value:
                Node {
                    value: Value::Map(properties),
                    ..
                },
            ..
        }) = properties
            && !properties.contains_key("RedrivePolicy")
        {
            properties
                .entries
                .push(entry("RedrivePolicy", policy.anchor, value));
        }
    }

    /// A linked resource's properties: the arguments the configuration writes (a data
    /// source's every value, which AWS reported), as Terraform resolved them.
    fn resource_properties(&self, instance: &Instance<'a>, fields: &'static [Field]) -> Vec<Entry> {
        let written = self.written(instance);
        let mut properties: Vec<Entry> = fields
            .iter()
            .filter_map(|field| {
                let is_written =
                    instance.data || written.as_ref().is_none_or(|w| w.contains_key(field.tf));
                if !is_written {
                    return None;
                }
                let expression = written.and_then(|w| w.get(field.tf));
                if expression.is_some() && after_apply_only(instance, field.tf) {
                    let value = after_apply(instance, field.tf);
                    return Some(entry(field.cfn, instance.anchor, value));
                }
                planned(instance, field.tf).and_then(|(key, value)| {
                    convert(field, value, expression).map(|v| entry(field.cfn, key, v))
                })
            })
            .collect();
        if instance.type_ == "aws_kinesis_stream" && on_demand(instance) {
            properties.retain(|e| e.key != "ShardCount");
        }
        properties
    }

    /// A mapping's properties, with its event source and function linked to the plan's
    /// resources, and what the loader says about them.
    fn mapping_properties(&self, instance: &Instance<'a>) -> (Vec<Entry>, Vec<String>) {
        let written = self.written(instance);
        let mut notes = Vec::new();
        if written.is_none() {
            notes.push(
                "the plan has no configuration for this mapping: every value it shows is taken \
                 as written"
                    .to_string(),
            );
        }
        let literal = |name: &str| {
            written
                .as_ref()
                .and_then(|w| w.get(name))
                .is_some_and(|e| e.get("constant_value").is_some())
        };
        let kind = self.early_kind(instance, written.as_ref());
        let mut properties = Vec::new();
        for field in RESOURCE_FIELDS {
            let expression = written.as_ref().map(|w| w.get(field.tf));
            if expression == Some(None) {
                continue;
            }
            let value = match (field.tf, planned(instance, field.tf)) {
                ("event_source_arn" | "function_name", _) => {
                    self.link(instance, field.tf, expression.flatten())
                }
                (_, Some((_, value)))
                    if provider_zero(field.tf, value, kind) && !literal(field.tf) =>
                {
                    None
                }
                (_, Some((key, value))) => {
                    convert(field, value, expression.flatten()).map(|v| (key, v))
                }
                (_, None) if after_apply_only(instance, field.tf) => expression
                    .flatten()
                    .map(|_| (instance.anchor, after_apply(instance, field.tf))),
                // Planned as null: not set.
                (_, None) => None,
            };
            if let Some((key, value)) = value {
                properties.push(entry(field.cfn, key, value));
            }
        }
        if let Some(source) = properties.iter().find(|e| e.key == "EventSourceArn")
            && let Some(unknown) = source.value.as_unknown()
        {
            notes.push(format!("event_source_arn: {}", unknown.why));
        }
        (properties, notes)
    }

    /// The configuration's `expressions` for an instance's resource: the arguments the
    /// author writes. `None` when the plan has no configuration for it.
    fn written(&self, instance: &Instance<'a>) -> Option<&'a Map> {
        let module = self.config_module(instance.module)?;
        let relative = if instance.data {
            format!("data.{}.{}", instance.type_, instance.name)
        } else {
            format!("{}.{}", instance.type_, instance.name)
        };
        module
            .get("resources")
            .and_then(Node::as_seq)?
            .iter()
            .find(|r| r.get("address").and_then(Node::as_str) == Some(relative.as_str()))?
            .get("expressions")
            .and_then(Node::as_map)
    }

    /// The folder of a module instance's `.tf` files relative to the root module's, when every
    /// call on the way has a local `source` (`./stream`); `""` for the root module.
    fn module_folder(&self, module: &str) -> Option<String> {
        let mut config = self.configuration?.get("root_module")?;
        let mut folder = std::path::PathBuf::new();
        for name in module_names(module) {
            let call = config.get("module_calls")?.get(&name)?;
            let source = call.get("source")?.as_str()?;
            if !(source.starts_with("./") || source.starts_with("../")) {
                return None;
            }
            folder.push(source);
            config = call.get("module")?;
        }
        Some(folder.to_string_lossy().replace('\\', "/"))
    }

    /// The configuration of a module instance (`module.a["x"].module.b` reads calls `a`, `b`).
    fn config_module(&self, module: &str) -> Option<&'a Node> {
        let mut config = self.configuration?.get("root_module")?;
        for name in module_names(module) {
            config = config.get("module_calls")?.get(&name)?.get("module")?;
        }
        Some(config)
    }

    /// What a mapping reads from, as far as the plan says: the planned ARN, or, when it is
    /// known only after apply, the resource the configuration refers to.
    fn early_kind(&self, instance: &Instance<'a>, written: Option<&&'a Map>) -> Option<SourceKind> {
        if let Some((_, arn)) = planned(instance, "event_source_arn")
            && let Some(text) = arn.as_str()
        {
            return crate::kind::kind_from_arn(text);
        }
        let expression = written.and_then(|w| w.get("event_source_arn"));
        let target = self.resolve_expression(instance.module, instance.index, expression?)?;
        let (cfn_type, _) = shape(target.0.type_)?;
        crate::kind::kind_of_resource_type(cfn_type)
    }

    /// `event_source_arn` or `function_name`: the planned value, as a reference to the plan's
    /// resource it names when one does; else the resource the configuration refers to.
    fn link(
        &self,
        instance: &Instance<'a>,
        argument: &str,
        expression: Option<&'a Node>,
    ) -> Option<(Span, Node)> {
        if let Some((key, value)) = planned(instance, argument) {
            let node = match value.as_str() {
                Some(text) => self
                    .named_resource(instance.module, text)
                    .map(|(target, attribute)| reference(value.span, target, attribute, text))
                    .unwrap_or_else(|| value.clone()),
                None => value.clone(),
            };
            return Some((key, node));
        }
        let expression = expression?;
        let written = references(expression).next().unwrap_or_default();
        let node = match self.resolve_expression(instance.module, instance.index, expression) {
            Some((target, attribute)) => reference(instance.anchor, target, &attribute, written),
            None => Node::new(
                instance.anchor,
                Value::Unknown(Box::new(Unknown {
                    text: written.to_string(),
                    why: format!(
                        "Terraform knows `{argument}` only after apply, and the plan does not \
                         say which resource `{written}` is"
                    ),
                })),
            ),
        };
        Some((instance.anchor, node))
    }

    /// The plan's resource whose ARN (or function name) a planned value is, in the same
    /// module instance first.
    fn named_resource(&self, module: &str, text: &str) -> Option<(&Instance<'a>, &'static str)> {
        let candidates = self
            .instances
            .iter()
            .filter(|i| i.type_ != MAPPING_TYPE && shape(i.type_).is_some());
        let mut best: Option<(&Instance<'a>, &'static str)> = None;
        for candidate in candidates {
            let value = |key: &str| planned(candidate, key).and_then(|(_, v)| v.as_str());
            let attribute = if value("arn") == Some(text) {
                "arn"
            } else if value("stream_arn") == Some(text) {
                "stream_arn"
            } else if candidate.type_ == "aws_lambda_function"
                && value("function_name").is_some_and(|name| {
                    name == text || text.ends_with(&format!(":function:{name}"))
                })
            {
                "function_name"
            } else {
                continue;
            };
            let same_module = candidate.module == module;
            if best.is_none() || same_module {
                best = Some((candidate, attribute));
            }
            if same_module {
                break;
            }
        }
        best
    }

    /// The resource an expression's references name, followed through module variables and
    /// outputs: the first reference that leads to a resource of the plan.
    fn resolve_expression(
        &self,
        module: &str,
        index: Option<&Node>,
        expression: &'a Node,
    ) -> Option<(&Instance<'a>, String)> {
        references(expression).find_map(|r| self.resolve(module, index, r, 0))
    }

    fn resolve(
        &self,
        module: &str,
        index: Option<&Node>,
        reference: &str,
        depth: usize,
    ) -> Option<(&Instance<'a>, String)> {
        // Module calls nest a few levels deep; a cycle is impossible in a valid plan, and a
        // hostile one stops here.
        if depth > 16 {
            return None;
        }
        let (names, literal_index) = split_reference(reference);
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        match names.as_slice() {
            ["var", variable, ..] => {
                let (parent, call) = parent_module(module)?;
                let expression = self.config_module(parent)?.get_path(&[
                    "module_calls",
                    &call,
                    "expressions",
                    variable,
                ])?;
                references(expression).find_map(|r| self.resolve(parent, None, r, depth + 1))
            }
            ["module", call, output, ..] => {
                let expression = self.config_module(module)?.get_path(&[
                    "module_calls",
                    call,
                    "module",
                    "outputs",
                    output,
                    "expression",
                ])?;
                let child = self.only_module_instance(module, call)?;
                references(expression).find_map(|r| self.resolve(child, None, r, depth + 1))
            }
            ["data", type_, name, rest @ ..] => {
                let attribute = rest.first().copied().unwrap_or("id");
                self.find_instance(module, true, type_, name, literal_index.as_deref(), index)
                    .map(|i| (i, attribute.to_string()))
            }
            [type_, name, rest @ ..] if type_.starts_with("aws_") => {
                let attribute = rest.first().copied().unwrap_or("id");
                self.find_instance(module, false, type_, name, literal_index.as_deref(), index)
                    .map(|i| (i, attribute.to_string()))
            }
            _ => None,
        }
    }

    /// The instance of `type_.name` in a module instance a reference means: the one with the
    /// index written, the only one, or the one with the referring instance's own key (the
    /// `for_each` over the same map).
    fn find_instance(
        &self,
        module: &str,
        data: bool,
        type_: &str,
        name: &str,
        literal_index: Option<&str>,
        index: Option<&Node>,
    ) -> Option<&Instance<'a>> {
        let candidates: Vec<&Instance<'a>> = self
            .instances
            .iter()
            .filter(|i| i.module == module && i.data == data && i.type_ == type_ && i.name == name)
            .collect();
        let index_text = |node: Option<&Node>| node.map(|n| n.to_json().to_string());
        // `q["a"]` and `q[0]` name an instance; `q[each.key]` is the referrer's own key.
        let literal_index = literal_index
            .filter(|i| i.starts_with('"') || i.starts_with(|c: char| c.is_ascii_digit()));
        if let Some(wanted) = literal_index {
            return candidates
                .into_iter()
                .find(|c| index_text(c.index).as_deref() == Some(wanted));
        }
        match candidates.as_slice() {
            [only] => Some(only),
            _ => {
                let key = index_text(index)?;
                candidates
                    .into_iter()
                    .find(|c| index_text(c.index).as_deref() == Some(key.as_str()))
            }
        }
    }

    /// The one instance of a module call (a call with `count` or `for_each` of several is
    /// ambiguous from outside).
    fn only_module_instance(&self, module: &str, call: &str) -> Option<&'a str> {
        let prefix = if module.is_empty() {
            format!("module.{call}")
        } else {
            format!("{module}.module.{call}")
        };
        let mut found: Option<&'a str> = None;
        for instance in &self.instances {
            let m = instance.module;
            let is_call =
                m == prefix || (m.starts_with(&prefix) && m[prefix.len()..].starts_with('['));
            let is_call = is_call && !m[prefix.len()..].contains(".module.");
            if !is_call {
                continue;
            }
            match found {
                Some(other) if other != m => return None,
                _ => found = Some(m),
            }
        }
        found
    }
}
