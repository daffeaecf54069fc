//! Reading a lowered plan back: its mappings as triggers, and where each mapping is declared.

use crate::load::Draft;
use crate::load::settings::DefaultValue;
use crate::load::terraform::mapping::{NESTED_NAMES, RESOURCE_FIELDS};
use crate::model::{Format, LoaderNote, Prop, Property, SourceKind, Tool, Trigger};
use crate::template::Template;
use crate::tree::{Entry, Node};

use super::{DECLARED, NOTES};

/// Where a plan's mapping is written: its address, the folder of its module relative to the
/// root module's, and the `resource` block's type and name.
pub struct Declaration<'a> {
    pub address: &'a str,
    pub folder: &'a str,
    pub type_: &'a str,
    pub name: &'a str,
}

/// The mappings of a lowered plan whose module folders the configuration names (every call on
/// the way local), for pointing at their `.tf` source.
pub fn declarations(lowered: &Node) -> Vec<Declaration<'_>> {
    let resources = lowered.get("Resources").and_then(Node::as_map);
    resources
        .into_iter()
        .flat_map(|r| r.iter())
        .filter_map(|resource| {
            let declared = resource.value.get(DECLARED)?;
            let text = |key: &str| declared.get(key).and_then(Node::as_str);
            Some(Declaration {
                address: &resource.key,
                folder: text("Folder")?,
                type_: text("Type")?,
                name: text("Name")?,
            })
        })
        .collect()
}

/// The plan's mappings as triggers, over its template view.
pub fn load(template: &Template<'_>) -> Vec<Trigger> {
    template
        .resources
        .iter()
        .filter(|r| r.type_ == "AWS::Lambda::EventSourceMapping")
        .map(|r| trigger(template, r))
        .collect()
}

fn trigger(template: &Template<'_>, resource: &crate::template::Resource<'_>) -> Trigger {
    let mut draft = Draft::new(
        Format::TerraformPlan,
        resource.id_span,
        resource.logical_id.to_string(),
    );
    draft.properties = resource
        .properties
        .and_then(Node::as_map)
        .map(|m| m.iter().map(property).collect())
        .unwrap_or_default();
    let take = |name: &str| resource.property(name).cloned();
    draft.event_source = take("EventSourceArn");
    draft.function = take("FunctionName")
        .map(|name| crate::load::cloudformation::function_info(template, &name));
    draft.notes = resource
        .node
        .get(NOTES)
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|n| {
            Some(LoaderNote {
                span: resource.id_span,
                message: n.as_str()?.to_string(),
            })
        })
        .collect();
    draft.tool = Some(Tool::TerraformProvider);
    draft.tool_defaults = vec![(Prop::Enabled, DefaultValue::Bool(true))];
    if draft.event_source.is_none() && resource.property("SelfManagedEventSource").is_some() {
        draft.declared = Some((
            SourceKind::SelfManagedKafka,
            "the self_managed_event_source block".to_string(),
        ));
    }
    draft.finish(template)
}

/// A lowered mapping property under the author's argument name.
fn property(entry: &Entry) -> Property {
    let key = RESOURCE_FIELDS
        .iter()
        .find(|f| f.cfn == entry.key.as_str())
        .map_or(entry.key.as_str(), |f| f.key());
    Property {
        nested_names: NESTED_NAMES,
        ..Property::new(&entry.key, key, entry.key_span, entry.value.clone())
    }
}
