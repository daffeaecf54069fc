//! Differential oracles from the real corpus: a template before and after its deploy tool
//! compiled it must give the same triggers with the same effective settings.
//!
//! - SAM translator tests: `input/X.yaml` (SAM) against `output/X.json` (the CloudFormation the
//!   translator produced).
//! - Serverless canary-deployments fixtures: `N.service*.json` (the service) against
//!   `N.input*.json` (the CloudFormation the framework compiled).
//!
//! Every disagreement is either a bug or listed in `EXCEPTIONS` with its reason.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use triggerlint::config::Config;
use triggerlint::model::Trigger;
use triggerlint::report::inspect::trigger_json;

/// Known, explained disagreements: (file, trigger id, reason).
const EXCEPTIONS: &[(&str, &str, &str)] = &[(
    "9.service.iot-topic-rule.json",
    "HelloEventSourceMappingSQSMyQueue",
    "the fixture's service file has no sqs event although its compiled template has the mapping \
     (the fixtures drifted apart upstream)",
)];

/// What must agree: the source kind, every effective value, and the function's timeout.
fn semantics(run: &triggerlint::Run, t: &Trigger) -> Value {
    let json = trigger_json(run, t);
    let settings: BTreeMap<String, Value> = json["settings"]
        .as_object()
        .expect("settings")
        .iter()
        .map(|(k, v)| (k.clone(), v["value"].clone()))
        .collect();
    serde_json::json!({
        "source_kind": json["source_kind"],
        "settings": settings,
        "function_timeout": json["function"]["timeout"]["value"],
    })
}

/// The triggers of a file by the logical id of the mapping each becomes.
fn keyed(path: &Path, logical_id: fn(&Trigger) -> String) -> BTreeMap<String, Value> {
    let run = common::lint_clean(path, &Config::default());
    run.triggers
        .iter()
        .map(|t| (logical_id(t), semantics(&run, t)))
        .collect()
}

struct Tally {
    pairs: usize,
    pairs_agreeing: usize,
    triggers: usize,
    triggers_agreeing: usize,
    unexplained: Vec<String>,
}

impl Tally {
    fn new() -> Tally {
        Tally {
            pairs: 0,
            pairs_agreeing: 0,
            triggers: 0,
            triggers_agreeing: 0,
            unexplained: Vec::new(),
        }
    }

    /// Compares triggers keyed by the logical id of the mapping they become.
    fn compare(
        &mut self,
        file: &str,
        before: BTreeMap<String, Value>,
        after: BTreeMap<String, Value>,
    ) {
        self.pairs += 1;
        let mut all_agree = true;
        let ids: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
        for id in ids {
            self.triggers += 1;
            let agree = before.get(id) == after.get(id);
            if agree {
                self.triggers_agreeing += 1;
                continue;
            }
            all_agree = false;
            let explained = EXCEPTIONS.iter().any(|(f, t, _)| *f == file && t == id);
            if !explained {
                self.unexplained.push(format!(
                    "{file} {id}:\n  before: {}\n  after:  {}",
                    before.get(id).map_or("(missing)".into(), Value::to_string),
                    after.get(id).map_or("(missing)".into(), Value::to_string),
                ));
            }
        }
        self.pairs_agreeing += usize::from(all_agree);
    }

    fn report(&self, name: &str) {
        eprintln!(
            "{name}: {}/{} pairs agree fully, {}/{} triggers agree ({:.1}%), {} explained exception(s)",
            self.pairs_agreeing,
            self.pairs,
            self.triggers_agreeing,
            self.triggers,
            100.0 * self.triggers_agreeing as f64 / self.triggers.max(1) as f64,
            self.triggers - self.triggers_agreeing - self.unexplained.len(),
        );
        assert!(
            self.unexplained.is_empty(),
            "{} unexplained disagreement(s):\n{}",
            self.unexplained.len(),
            self.unexplained.join("\n")
        );
    }
}

/// The logical id the SAM translator gives the mapping a SAM trigger becomes.
fn sam_logical_id(t: &Trigger) -> String {
    let parts: Vec<&str> = t.path.split('/').collect();
    match parts.as_slice() {
        ["Resources", function, "Properties", "Events", event] => {
            let suffix = if t.event_type.as_deref() == Some("SNS") {
                "EventSourceMapping"
            } else {
                ""
            };
            format!("{function}{event}{suffix}")
        }
        ["Resources", id] => (*id).to_string(),
        _ => panic!("unexpected SAM path {}", t.path),
    }
}

fn cfn_logical_id(t: &Trigger) -> String {
    t.path
        .strip_prefix("Resources/")
        .expect("a CloudFormation path")
        .to_string()
}

#[test]
fn sam_translator_inputs_and_outputs_agree() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let dir = corpus.join("aws__serverless-application-model/tests/translator");
    let mut inputs: Vec<_> = std::fs::read_dir(dir.join("input"))
        .expect("input folder")
        .map(|e| e.expect("entry").path())
        .collect();
    inputs.sort();
    let mut tally = Tally::new();
    for input in inputs {
        let stem = input.file_stem().unwrap().to_str().unwrap().to_string();
        // The translator's output for each partition; the mappings must agree in all three.
        for partition in ["", "aws-cn", "aws-us-gov"] {
            let output = dir
                .join("output")
                .join(partition)
                .join(format!("{stem}.json"));
            let Ok(text) = std::fs::read_to_string(&output) else {
                continue;
            };
            if text.contains("\"errorMessage\"") {
                continue; // the translator rejected this input: there is no output to compare
            }
            let before = keyed(&input, sam_logical_id);
            let after = keyed(&output, cfn_logical_id);
            tally.compare(&format!("{stem}.yaml ({partition})"), before, after);
        }
    }
    assert!(
        tally.pairs >= 30,
        "expected the translator pairs, found {}",
        tally.pairs
    );
    tally.report("SAM translator");
}

#[test]
fn serverless_services_and_compiled_templates_agree() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let dir = corpus.join("davidgf__serverless-plugin-canary-deployments/fixtures");
    let mut services: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_str().is_some_and(|s| s.contains(".service")))
        .collect();
    services.sort();
    let mut tally = Tally::new();
    for service in services {
        let name = service.file_name().unwrap().to_str().unwrap().to_string();
        let compiled = dir.join(name.replacen(".service", ".input", 1));
        let before = keyed(&service, serverless_logical_id);
        let after = keyed(&compiled, cfn_logical_id);
        tally.compare(&name, before, after);
    }
    assert!(
        tally.pairs >= 9,
        "expected the canary fixtures, found {}",
        tally.pairs
    );
    tally.report("Serverless canary fixtures");
}

/// The framework's logical id for a mapping: `<Function>EventSourceMapping<Type><Name>` for
/// streams, `<Function>EventSourceMappingSQS<Queue>` for queues (enough for these fixtures,
/// whose sources are all `Fn::GetAtt` of a resource).
fn serverless_logical_id(t: &Trigger) -> String {
    let function = t.function_name().expect("a function");
    let function = triggerlint::load::serverless::normalized_name(function);
    let resource = t
        .event_source
        .as_ref()
        .and_then(triggerlint::template::referenced_resource)
        .map(|(id, _)| id.to_string())
        .expect("a GetAtt source");
    let kind = match t.event_type.as_deref() {
        Some("sqs") => "SQS".to_string(),
        _ => {
            let id = t.source.id();
            let mut chars = id.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        }
    };
    format!("{function}EventSourceMapping{kind}{resource}")
}
