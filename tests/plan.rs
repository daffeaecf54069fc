//! Terraform plans (`terraform show -json`): every mapping instance with its address, values
//! as Terraform resolved them, provenance from the plan's `configuration`, the provider's zeros
//! for arguments a source does not have never taken as written, links through configuration
//! references, locations in every output format, and real plans of other projects read.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use triggerlint::config::Config;
use triggerlint::model::Format;

fn fixture(name: &str) -> PathBuf {
    common::project_root().join("fixtures/_plan").join(name)
}

/// The codes found per trigger address, in report order.
fn codes_by_address(run: &triggerlint::Run) -> Vec<(String, Vec<&'static str>)> {
    let mut by_address: Vec<(String, Vec<&'static str>)> = Vec::new();
    for finding in &run.findings {
        let address = finding.path.to_string();
        match by_address.iter_mut().find(|(a, _)| *a == address) {
            Some((_, codes)) => codes.push(finding.rule.code),
            None => by_address.push((address, vec![finding.rule.code])),
        }
    }
    for (_, codes) in &mut by_address {
        codes.sort_unstable();
    }
    by_address.sort();
    by_address
}

fn triggerlint(args: &[&str], path: &Path) -> std::process::Output {
    Command::cargo_bin("triggerlint")
        .unwrap()
        .current_dir(path.parent().unwrap())
        .args(args)
        .arg(path.file_name().unwrap())
        .output()
        .unwrap()
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn every_mapping_instance_of_a_plan_is_a_trigger_linked_through_the_configuration() {
    let run = common::lint_clean(&fixture("create/plan.json"), &Config::default());
    let triggers: Vec<(&str, Format, &str, Option<&str>)> = run
        .triggers
        .iter()
        .map(|t| {
            (
                &*t.path,
                t.format,
                t.source.id(),
                t.function
                    .as_ref()
                    .filter(|f| f.in_template)
                    .map(|f| &*f.name),
            )
        })
        .collect();
    let worker = Some("aws_lambda_function.worker");
    assert_eq!(
        triggers,
        [
            (
                "aws_lambda_event_source_mapping.jobs",
                Format::TerraformPlan,
                "sqs",
                worker
            ),
            (
                "aws_lambda_event_source_mapping.orders",
                Format::TerraformPlan,
                "dynamodb",
                worker
            ),
            (
                "module.stream.aws_lambda_event_source_mapping.events[\"large\"]",
                Format::TerraformPlan,
                "kinesis",
                worker
            ),
            (
                "module.stream.aws_lambda_event_source_mapping.events[\"small\"]",
                Format::TerraformPlan,
                "kinesis",
                worker
            ),
        ]
    );
    let stream = ["TL002", "TL101", "TL102", "TL103", "TL104", "TL108"];
    assert_eq!(
        codes_by_address(&run),
        [
            (
                "aws_lambda_event_source_mapping.jobs".to_string(),
                vec!["TL002", "TL201", "TL203", "TL205", "TL207"]
            ),
            (
                "aws_lambda_event_source_mapping.orders".to_string(),
                vec!["TL108"]
            ),
            (
                "module.stream.aws_lambda_event_source_mapping.events[\"large\"]".to_string(),
                stream.to_vec()
            ),
            (
                "module.stream.aws_lambda_event_source_mapping.events[\"small\"]".to_string(),
                stream.to_vec()
            ),
        ]
    );
    // The batch sizes the `for_each` gave each instance.
    let batches: Vec<String> = run
        .findings
        .iter()
        .filter(|f| f.rule.code == "TL104")
        .map(|f| f.message.clone())
        .collect();
    assert!(
        batches[0].ends_with("the whole batch of up to 500"),
        "{batches:?}"
    );
    assert!(
        batches[1].ends_with("the whole batch of up to 10"),
        "{batches:?}"
    );
}

/// The same SQS mapping gives the same rule codes read from its `.tf` module and from the plan.
#[test]
fn a_plan_and_its_module_agree() {
    let module = common::lint_clean(&fixture("create"), &Config::default());
    let from_tf: Vec<&str> = {
        let mut codes: Vec<&str> = module
            .findings
            .iter()
            .filter(|f| {
                &*f.path == "aws_lambda_event_source_mapping.jobs"
                    && module.sources.get(f.span.file).path.ends_with("main.tf")
            })
            .map(|f| f.rule.code)
            .collect();
        codes.sort_unstable();
        codes
    };
    let plan = common::lint_clean(&fixture("create/plan.json"), &Config::default());
    assert_eq!(
        codes_by_address(&plan)[0],
        ("aws_lambda_event_source_mapping.jobs".to_string(), from_tf)
    );
}

/// What the configuration writes is written, at its value in the plan; what it does not is
/// a default, whatever the plan shows; nested arguments known only after apply are unknown.
#[test]
fn provenance_comes_from_the_configuration() {
    let output = triggerlint(
        &["inspect", "--no-config", "--format", "json"],
        &fixture("create/plan.json"),
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let triggers = report["triggers"].as_array().expect("triggers");
    let orders = triggers
        .iter()
        .find(|t| t["path"] == "aws_lambda_event_source_mapping.orders")
        .expect("the DynamoDB mapping");
    let setting = |name: &str| orders["settings"][name].clone();
    assert_eq!(setting("MaximumRetryAttempts")["value"], 3);
    assert_eq!(setting("MaximumRetryAttempts")["provenance"], "written");
    assert_eq!(setting("MaximumRetryAttempts")["line"], 1);
    assert_eq!(
        setting("ParallelizationFactor")["provenance"],
        "aws-default"
    );
    assert_eq!(setting("Enabled")["provenance"], "provider-default");
    assert_eq!(
        setting("MaximumRetryAttempts")["key"],
        "maximum_retry_attempts"
    );
    assert_eq!(
        setting("DestinationConfig.OnFailure.Destination")["provenance"],
        "unknown",
        "{orders:#}"
    );
}

/// The provider reports `maximum_retry_attempts = 0` and `parallelization_factor = 0` for an
/// SQS mapping; written from `null` variables, the plan keeps them. They are not the author's
/// values: no TL001 (parallelization_factor must be 1 to 10) and no TL003 (not for SQS).
#[test]
fn the_providers_zeros_on_an_sqs_mapping_are_never_written_values() {
    let text = std::fs::read_to_string(fixture("update/plan.json")).unwrap();
    assert!(text.contains("\"maximum_retry_attempts\": 0"));
    assert!(text.contains("\"parallelization_factor\": 0"));
    let run = common::lint_clean(&fixture("update/plan.json"), &Config::default());
    assert_eq!(
        codes_by_address(&run),
        [(
            "aws_lambda_event_source_mapping.jobs".to_string(),
            vec!["TL002", "TL203", "TL205", "TL207"]
        )]
    );
    let trigger = &run.triggers[0];
    for name in ["MaximumRetryAttempts", "ParallelizationFactor"] {
        assert!(trigger.property(name).is_none(), "{name} is not written");
    }
    // The batch size is the planned one (5), not the state's (20).
    assert!(
        run.findings[0].message.contains("a batch of up to 5"),
        "{}",
        run.findings[0].message
    );
}

/// Findings point at the mapping's entry in the plan (its `address`, or the value a rule is
/// about) and name its address in every output.
#[test]
fn every_output_points_into_the_plan_and_names_the_address() {
    let plan = fixture("update/plan.json");
    let address = "aws_lambda_event_source_mapping.jobs";
    let select = ["--no-config", "--select", "TL203"];
    let args = |format: &'static str| {
        let mut args = vec!["check"];
        args.extend(select);
        args.extend(["--format", format]);
        args
    };

    let human = stdout(&triggerlint(&args("human"), &plan));
    assert!(human.contains(" --> plan.json:19:22\n"), "{human}");
    assert!(
        human.contains(&format!("\"address\": \"{address}\"")),
        "{human}"
    );
    assert!(
        human.contains(&format!("= note: Terraform resource {address}\n")),
        "{human}"
    );
    // The `.tf` it was planned from, beside the plan.
    assert!(human.contains("   ::: main.tf:32:1\n"), "{human}");
    assert!(
        human.contains(" 32 | resource \"aws_lambda_event_source_mapping\" \"jobs\" {\n"),
        "{human}"
    );

    let concise = stdout(&triggerlint(&args("concise"), &plan));
    assert!(
        concise.starts_with("plan.json:19:22: TL203 [error]"),
        "{concise}"
    );

    let json: Value = serde_json::from_slice(&triggerlint(&args("json"), &plan).stdout).unwrap();
    let finding = &json["findings"][0];
    assert_eq!(
        (
            &finding["file"],
            &finding["line"],
            &finding["column"],
            &finding["path"]
        ),
        (
            &Value::from("plan.json"),
            &Value::from(19),
            &Value::from(22),
            &Value::from(address)
        )
    );

    let related = &finding["related"];
    let declared = related
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["file"] == "main.tf")
        .unwrap_or_else(|| panic!("{related:#}"));
    assert_eq!(
        (&declared["line"], &declared["message"]),
        (
            &Value::from(32),
            &Value::from("the mapping's resource block")
        )
    );

    let sarif: Value = serde_json::from_slice(&triggerlint(&args("sarif"), &plan).stdout).unwrap();
    let location = &sarif["runs"][0]["results"][0]["locations"][0];
    assert_eq!(location["physicalLocation"]["region"]["startLine"], 19);
    assert_eq!(location["physicalLocation"]["region"]["startColumn"], 22);
    assert_eq!(
        location["logicalLocations"][0]["fullyQualifiedName"],
        address
    );
    let related = sarif["runs"][0]["results"][0]["relatedLocations"]
        .as_array()
        .unwrap();
    assert!(
        related
            .iter()
            .any(|r| r["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .is_some_and(|u| u.ends_with("main.tf"))
                && r["physicalLocation"]["region"]["startLine"] == 32),
        "{related:#?}"
    );

    let github = stdout(&triggerlint(&args("github"), &plan));
    assert!(
        github.starts_with("::error file=plan.json,line=19,col=22,endLine=19,endColumn=60,"),
        "{github}"
    );
    assert!(
        github.contains(&format!("%0ATerraform resource: {address}%0A")),
        "{github}"
    );
}

/// A finding about a written value points at the value in the plan's `values`.
#[test]
fn a_finding_about_a_value_points_at_it_in_the_plan() {
    let output = triggerlint(
        &[
            "check",
            "--no-config",
            "--select",
            "TL201",
            "--format",
            "concise",
        ],
        &fixture("create/plan.json"),
    );
    let text = stdout(&output);
    let plan = std::fs::read_to_string(fixture("create/plan.json")).unwrap();
    let column = plan.find("\"batch_size\":20").unwrap() + "\"batch_size\":".len() + 1;
    assert!(
        text.starts_with(&format!(
            "plan.json:1:{column}: TL201 [error] `batch_size` is 20"
        )),
        "{text}"
    );
}

/// Real plans from checkov's and trivy's test data (Terraform 0.12 to 1.14, format versions
/// 0.1 to 1.2, a child module, UTF-16): each is read as a plan, without errors or triggers.
#[test]
fn real_plans_of_other_projects_are_read() {
    let dir = fixture("third-party");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 6, "{names:?}");
    for name in &names {
        let run = common::lint_clean(&dir.join(name), &Config::default());
        assert_eq!((run.templates, run.triggers.len()), (1, 0), "{name}");
        common::render_every_format(&run);
    }
    // The lowered view holds the plan's resources under their addresses.
    let text = std::fs::read_to_string(dir.join("checkov-plan_tags_variety.json")).unwrap();
    let file = triggerlint::source::FileId(0);
    let root = triggerlint::parse::parse(&text, triggerlint::parse::Syntax::Json, file)
        .unwrap()
        .unwrap();
    assert_eq!(triggerlint::load::sniff(&root), Some(Format::TerraformPlan));
    let lowered = triggerlint::load::with_created_resources(Format::TerraformPlan, root);
    let loaded = triggerlint::load::load(Format::TerraformPlan, file, &lowered);
    let table = loaded
        .template
        .resource("aws_dynamodb_table.basic-dynamodb-table")
        .expect("the table, under its address");
    assert_eq!(table.type_, "AWS::DynamoDB::Table");
}

/// Plans cut short or of the wrong shape are read as far as they go, without a panic.
#[test]
fn malformed_plans_never_panic() {
    let inputs = [
        r#"{"format_version": "1.2", "planned_values": 5}"#,
        r#"{"format_version": "1.2", "resource_changes": [{"address": 3}, {"change": null}]}"#,
        r#"{"format_version": "1.2", "planned_values": {"root_module": {"resources": [
            {"address": "aws_lambda_event_source_mapping.m", "type": "aws_lambda_event_source_mapping",
             "name": "m", "values": {"batch_size": "x", "destination_config": [5], "scaling_config": {}}}],
            "child_modules": [{"address": "module.a", "resources": "none"}]}},
           "configuration": {"root_module": {"resources": [{"address": "aws_lambda_event_source_mapping.m",
             "expressions": {"event_source_arn": {"references": ["var.x", "module.a.b", "local.c", "aws_sqs_queue.q[\"k", "."]},
                             "function_name": {"references": []}, "batch_size": {}}}]}}}"#,
        r#"{"format_version": "1.2", "planned_values": {"root_module": {"child_modules": [{"address": "module.a[\"x\"].module.b",
            "resources": [{"address": "module.a[\"x\"].module.b.aws_lambda_event_source_mapping.m",
              "type": "aws_lambda_event_source_mapping", "name": "m", "values": {}}]}]}},
           "configuration": {"root_module": {"module_calls": {"a": {"module": {"module_calls": {"b": {
             "expressions": {"v": {"references": ["var.v"]}},
             "module": {"resources": [{"address": "aws_lambda_event_source_mapping.m",
               "expressions": {"event_source_arn": {"references": ["var.v"]}}}]}}}}}}}}}"#,
    ];
    for input in inputs {
        let run = triggerlint::run_text(
            Path::new("plan.json"),
            input.to_string(),
            &Config::default(),
        );
        assert!(run.errors.is_empty(), "{input}: {:?}", run.errors);
        common::render_every_format(&run);
    }
}

/// A plan cut off mid-file, found in a folder, is an invalid-syntax finding with its file and
/// line, since it names a mapping (other JSON that is not a template stays quiet).
#[test]
fn a_truncated_plan_in_a_folder_is_a_syntax_finding_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let plan = std::fs::read_to_string(fixture("update/plan.json")).unwrap();
    let cut: String = plan.lines().take(30).collect::<Vec<_>>().join("\n");
    std::fs::write(dir.path().join("plan.json"), cut).unwrap();
    std::fs::write(dir.path().join("data.json"), "{\"a\": ").unwrap();
    let output = Command::cargo_bin("triggerlint")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "--no-config", "--format", "concise", "."])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.starts_with("plan.json:30:"), "{text}");
    assert!(text.contains("TL902 [error] not valid JSON"), "{text}");
    assert!(!text.contains("data.json"), "{text}");
}

/// The `.tf` source is found through module call `source` paths, for every instance of a
/// module's mapping; a plan without its configuration's files beside it points only into the
/// plan.
#[test]
fn findings_point_at_the_tf_source_when_the_configuration_leads_to_it() {
    let run = common::lint_clean(&fixture("create/plan.json"), &Config::default());
    let sources = &run.sources;
    let declared: Vec<(String, String, usize)> = run
        .findings
        .iter()
        .filter(|f| f.rule.code == "TL104")
        .flat_map(|f| {
            f.related
                .iter()
                .filter(|r| r.message == "the mapping's resource block")
                .map(move |r| {
                    let file = sources.get(r.span.file);
                    let name = file.path.strip_prefix(fixture("create")).unwrap();
                    (
                        f.path.to_string(),
                        name.to_string_lossy().replace('\\', "/"),
                        file.line_col(r.span.start as usize).line,
                    )
                })
        })
        .collect();
    assert_eq!(
        declared,
        [
            (
                "module.stream.aws_lambda_event_source_mapping.events[\"large\"]".to_string(),
                "stream/main.tf".to_string(),
                8
            ),
            (
                "module.stream.aws_lambda_event_source_mapping.events[\"small\"]".to_string(),
                "stream/main.tf".to_string(),
                8
            ),
        ]
    );

    let alone = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("create/plan.json"), alone.path().join("plan.json")).unwrap();
    let run = common::lint_clean(&alone.path().join("plan.json"), &Config::default());
    assert!(!run.findings.is_empty());
    for finding in &run.findings {
        assert!(
            finding
                .related
                .iter()
                .all(|r| r.span.file == finding.span.file),
            "{finding:?}"
        );
    }
}

/// A plan that has `resource_changes` but no `planned_values` (some tools keep only the
/// changes) is read from each change's `after`: the same trigger and findings.
#[test]
fn a_plan_with_only_resource_changes_is_read_from_them() {
    let text = std::fs::read_to_string(fixture("update/plan.json")).unwrap();
    let mut plan: Value = serde_json::from_str(&text).unwrap();
    plan.as_object_mut().unwrap().remove("planned_values");
    let text = serde_json::to_string_pretty(&plan).unwrap();
    let run = triggerlint::run_text(Path::new("plan.json"), text, &Config::default());
    assert!(run.errors.is_empty(), "{:?}", run.errors);
    assert_eq!(
        codes_by_address(&run),
        [(
            "aws_lambda_event_source_mapping.jobs".to_string(),
            vec!["TL002", "TL203", "TL205", "TL207"]
        )]
    );
}

/// An argument the configuration writes that the plan shows as `null` is not set (the Lambda
/// module writes `try(each.value.x, null)`); one the plan leaves out is known only after apply.
#[test]
fn planned_null_is_unset_and_left_out_is_unknown() {
    let plan = r#"{
  "format_version": "1.2",
  "planned_values": {"root_module": {"resources": [{
    "address": "aws_lambda_event_source_mapping.m", "mode": "managed",
    "type": "aws_lambda_event_source_mapping", "name": "m",
    "values": {"event_source_arn": "arn:aws:sqs:us-east-1:123456789012:jobs",
               "function_name": "worker", "batch_size": null}}]}},
  "configuration": {"root_module": {"resources": [{
    "address": "aws_lambda_event_source_mapping.m", "mode": "managed",
    "type": "aws_lambda_event_source_mapping", "name": "m",
    "expressions": {"event_source_arn": {"constant_value": "arn:aws:sqs:us-east-1:123456789012:jobs"},
                    "function_name": {"constant_value": "worker"},
                    "batch_size": {"references": ["each.value.batch_size", "each.value"]},
                    "maximum_batching_window_in_seconds": {"references": ["var.window"]}}}]}}
}"#;
    let run = triggerlint::run_text(Path::new("plan.json"), plan.to_string(), &Config::default());
    assert!(run.errors.is_empty(), "{:?}", run.errors);
    let settings = &run.triggers[0].settings;
    assert!(
        matches!(
            settings.batch_size,
            triggerlint::model::Setting::ServiceDefault { value: 10 }
        ),
        "{:?}",
        settings.batch_size
    );
    assert!(
        matches!(
            &settings.batching_window,
            triggerlint::model::Setting::Unknown { why, .. } if why.contains("only after apply")
        ),
        "{:?}",
        settings.batching_window
    );
}

/// A data source Terraform read while planning (`prior_state`) is linked like a resource, with
/// the values AWS reported: the existing queue's visibility timeout against the new function's.
#[test]
fn data_sources_read_while_planning_are_linked() {
    let plan = r#"{
  "format_version": "1.2",
  "prior_state": {"values": {"root_module": {"resources": [{
    "address": "data.aws_sqs_queue.legacy", "mode": "data", "type": "aws_sqs_queue", "name": "legacy",
    "values": {"arn": "arn:aws:sqs:us-east-1:123456789012:legacy", "name": "legacy",
               "visibility_timeout_seconds": 45,
               "url": "https://sqs.us-east-1.amazonaws.com/123456789012/legacy"}}]}}},
  "planned_values": {"root_module": {"resources": [
    {"address": "aws_lambda_function.worker", "mode": "managed", "type": "aws_lambda_function",
     "name": "worker", "values": {"function_name": "worker", "timeout": 60}},
    {"address": "aws_lambda_event_source_mapping.m", "mode": "managed",
     "type": "aws_lambda_event_source_mapping", "name": "m",
     "values": {"event_source_arn": "arn:aws:sqs:us-east-1:123456789012:legacy",
                "function_name": "worker", "batch_size": 10}}]}},
  "configuration": {"root_module": {"resources": [
    {"address": "aws_lambda_function.worker", "mode": "managed", "type": "aws_lambda_function",
     "name": "worker", "expressions": {"function_name": {"constant_value": "worker"},
                                       "timeout": {"constant_value": 60}}},
    {"address": "aws_lambda_event_source_mapping.m", "mode": "managed",
     "type": "aws_lambda_event_source_mapping", "name": "m",
     "expressions": {"event_source_arn": {"references": ["data.aws_sqs_queue.legacy.arn", "data.aws_sqs_queue.legacy"]},
                     "function_name": {"constant_value": "worker"},
                     "batch_size": {"constant_value": 10}}},
    {"address": "data.aws_sqs_queue.legacy", "mode": "data", "type": "aws_sqs_queue",
     "name": "legacy", "expressions": {"name": {"constant_value": "legacy"}}}]}}
}"#;
    let run = triggerlint::run_text(Path::new("plan.json"), plan.to_string(), &Config::default());
    assert!(run.errors.is_empty(), "{:?}", run.errors);
    let tl203: Vec<&str> = run
        .findings
        .iter()
        .filter(|f| f.rule.code == "TL203")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(tl203.len(), 1, "{:?}", run.findings);
    assert!(
        tl203[0].starts_with(
            "the visibility timeout of queue data.aws_sqs_queue.legacy (45 s) is below the \
             timeout of function aws_lambda_function.worker (60 s)"
        ),
        "{}",
        tl203[0]
    );
}

/// Mutated real plans: cut anywhere, or with values swapped for other JSON types. Every run
/// ends without a panic, and every finding stays inside the text.
#[test]
fn mutated_plans_never_panic() {
    let text = std::fs::read_to_string(fixture("update/plan.json")).unwrap();
    let swaps = [
        ("\"values\": {", "\"values\": [{"),
        ("\"resources\": [", "\"resources\": {\"x\": ["),
        ("\"references\": [", "\"references\": [7, "),
        ("\"expressions\": {", "\"expressions\": 3, \"e\": {"),
        ("\"address\": \"", "\"address\": \"module.[\\\"\\\"]..["),
        ("\"source\": \"", "\"source\": \"../../.."),
        (": null", ": {}"),
        (": 5", ": \"5\""),
    ];
    let mut inputs: Vec<String> = (1..40)
        .map(|i| text[..text.len() * i / 40].to_string())
        .collect();
    for (from, to) in swaps {
        inputs.push(text.replace(from, to));
    }
    for input in inputs {
        let length = input.len();
        let run = triggerlint::run_text(Path::new("plan.json"), input, &Config::default());
        for finding in &run.findings {
            if run
                .sources
                .get(finding.span.file)
                .path
                .ends_with("plan.json")
            {
                assert!(finding.span.end as usize <= length, "{finding:?}");
            }
        }
        common::render_every_format(&run);
    }
}

/// A queue's dead-letter queue given by a separate `aws_sqs_queue_redrive_policy` resource is
/// the queue's redrive policy (known only after apply here): no `sqs-queue-without-dlq`.
#[test]
fn a_separate_redrive_policy_resource_gives_the_queue_its_dead_letter_queue() {
    let run = common::lint_clean(&fixture("redrive/plan.json"), &Config::default());
    assert_eq!(
        codes_by_address(&run),
        [(
            "aws_lambda_event_source_mapping.jobs".to_string(),
            vec!["TL002"]
        )]
    );
}
