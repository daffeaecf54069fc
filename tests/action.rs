//! The GitHub Action (`action.yml`): its metadata checked against the rules GitHub applies to
//! a composite action, and its shell steps run as the runner would run them, with the
//! variables GitHub sets faked and the binary under test in place of a cached build.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;

use triggerlint::parse::{self, Syntax};
use triggerlint::source::FileId;
use triggerlint::tree::Node;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn action() -> Node {
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    parse::parse(&text, Syntax::Yaml, FileId(0))
        .unwrap()
        .unwrap()
}

fn text(node: &Node, path: &[&str]) -> String {
    node.get_path(path)
        .and_then(Node::as_str)
        .unwrap_or_else(|| panic!("action.yml: {} is not a string", path.join(".")))
        .to_string()
}

fn steps(action: &Node) -> Vec<Node> {
    action
        .get_path(&["runs", "steps"])
        .and_then(Node::as_seq)
        .expect("runs.steps is a list")
        .to_vec()
}

/// Every `${{ ... }}` expression of a text.
fn expressions(text: &str) -> Vec<String> {
    text.split("${{")
        .skip(1)
        .map(|rest| rest.split("}}").next().unwrap().trim().to_string())
        .collect()
}

#[test]
fn the_metadata_is_a_valid_composite_action() {
    let action = action();
    for key in ["name", "description"] {
        assert!(!text(&action, &[key]).is_empty(), "{key} is required");
    }
    assert_eq!(text(&action, &["runs", "using"]), "composite");
    let inputs: Vec<String> = action
        .get("inputs")
        .and_then(Node::as_map)
        .unwrap()
        .iter()
        .map(|e| e.key.to_string())
        .collect();
    assert_eq!(
        inputs,
        ["paths", "format", "args", "sarif-file", "job-summary"]
    );
    for input in &inputs {
        assert!(!text(&action, &["inputs", input, "description"]).is_empty());
    }
    let source = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let mut ids: Vec<String> = Vec::new();
    for step in steps(&action) {
        let is_run = step.get("run").is_some();
        assert!(
            is_run != step.get("uses").is_some(),
            "a step has either run or uses"
        );
        if is_run {
            assert_eq!(text(&step, &["shell"]), "bash", "a run step needs a shell");
        }
        ids.push(text(&step, &["id"]));
    }
    // Every expression names a declared input, or an output of a step with that id.
    for expression in expressions(&source) {
        let words: Vec<&str> = expression
            .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_' || c == '.'))
            .filter(|w| w.starts_with("inputs.") || w.starts_with("steps."))
            .collect();
        for word in words {
            let parts: Vec<&str> = word.split('.').collect();
            match parts[0] {
                "inputs" => assert!(inputs.iter().any(|i| i == parts[1]), "{word}"),
                _ => {
                    assert!(ids.iter().any(|i| i == parts[1]), "{word}");
                    assert_eq!(parts[2], "outputs", "{word}");
                }
            }
        }
    }
}

/// A fake runner: a workspace, the files GitHub gives a step, and the action's own folder.
struct Runner {
    dir: tempfile::TempDir,
    workspace: PathBuf,
    outputs: HashMap<String, String>,
}

impl Runner {
    fn new() -> Runner {
        let dir = tempfile::tempdir().unwrap();
        let workspace = dir.path().join("workspace");
        std::fs::create_dir_all(workspace.join("services/orders")).unwrap();
        std::fs::copy(
            root().join("fixtures/stream-unbounded-retries/bad.serverless.yml"),
            workspace.join("services/orders/serverless.yml"),
        )
        .unwrap();
        std::fs::create_dir(workspace.join(".git")).unwrap();
        std::fs::create_dir(dir.path().join("temp")).unwrap();
        Runner {
            dir,
            workspace,
            outputs: HashMap::new(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs one step's script as the runner does (`bash -e {0}`), with its `env:` expanded
    /// from the inputs and earlier steps' outputs; returns (status, stdout).
    fn run(&mut self, step: &Node, inputs: &HashMap<String, String>) -> (i32, String) {
        let script = text(step, &["run"]);
        let output_file = self.path("output");
        std::fs::write(&output_file, "").unwrap();
        let mut command = Command::new("bash");
        command
            .args(["--noprofile", "--norc", "-e", "-c", &script])
            .current_dir(&self.workspace)
            .env("GITHUB_WORKSPACE", &self.workspace)
            .env("GITHUB_ACTION_PATH", root())
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_STEP_SUMMARY", self.path("summary.md"))
            .env("GITHUB_ACTIONS", "true")
            .env("RUNNER_TEMP", self.path("temp"))
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64");
        if let Some(env) = step.get("env").and_then(Node::as_map) {
            for entry in env.iter() {
                let value = self.expand(entry.value.as_str().unwrap(), inputs);
                command.env(entry.key.as_str(), value);
            }
        }
        let output = command.output().unwrap();
        let id = text(step, &["id"]);
        for line in std::fs::read_to_string(&output_file).unwrap().lines() {
            let (name, value) = line.split_once('=').unwrap();
            self.outputs
                .insert(format!("steps.{id}.outputs.{name}"), value.to_string());
        }
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    }

    fn expand(&self, value: &str, inputs: &HashMap<String, String>) -> String {
        let Some(expression) = expressions(value).pop() else {
            return value.to_string();
        };
        match expression.strip_prefix("inputs.") {
            Some(input) => inputs[input].clone(),
            None => self.outputs[&expression].clone(),
        }
    }
}

/// Runs the action's steps: the cache key, then (the build being "cached") the binary under
/// test put where the install step would put it, then the check.
fn run_action(runner: &mut Runner, overrides: &[(&str, &str)]) -> (i32, String) {
    let action = action();
    let mut inputs: HashMap<String, String> = HashMap::new();
    for name in ["paths", "format", "args", "sarif-file", "job-summary"] {
        inputs.insert(
            name.to_string(),
            text(&action, &["inputs", name, "default"]),
        );
    }
    for (name, value) in overrides {
        inputs.insert(name.to_string(), value.to_string());
    }
    let steps = steps(&action);
    let step = |id: &str| steps.iter().find(|s| text(s, &["id"]) == id).unwrap();
    let (status, _) = runner.run(step("key"), &inputs);
    assert_eq!(status, 0);
    let bin = PathBuf::from(&runner.outputs["steps.key.outputs.bin"]);
    assert!(
        runner.outputs["steps.key.outputs.key"].starts_with("triggerlint-Linux-X64-"),
        "{:?}",
        runner.outputs
    );
    std::fs::create_dir_all(bin.join("bin")).unwrap();
    let installed = bin.join("bin/triggerlint");
    if !installed.exists() {
        std::fs::copy(env!("CARGO_BIN_EXE_triggerlint"), &installed).unwrap();
    }
    runner.run(step("check"), &inputs)
}

#[test]
fn the_action_annotates_and_writes_the_job_summary() {
    let mut runner = Runner::new();
    let (status, stdout) = run_action(&mut runner, &[("paths", "services")]);
    assert_eq!(status, 1, "{stdout}");
    assert!(
        stdout.contains("::warning file=services/orders/serverless.yml,line=12,col=9,"),
        "{stdout}"
    );
    assert_eq!(runner.outputs["steps.check.outputs.exit-code"], "1");
    let summary = std::fs::read_to_string(runner.path("summary.md")).unwrap();
    assert!(
        summary.starts_with("## triggerlint: findings at or above the failing severity\n"),
        "{summary}"
    );
    assert!(
        summary.contains("| TL101 `stream-unbounded-retries` | warning | 3 |\n"),
        "{summary}"
    );

    // Options pass through: failing only on errors, the same findings exit 0.
    let (status, _) = run_action(
        &mut runner,
        &[("args", "--fail-on error"), ("job-summary", "false")],
    );
    assert_eq!(status, 0);
    assert_eq!(runner.outputs["steps.check.outputs.exit-code"], "0");
}

#[test]
fn the_action_writes_sarif_for_code_scanning() {
    let mut runner = Runner::new();
    let (status, _) = run_action(
        &mut runner,
        &[("format", "sarif"), ("sarif-file", "out.sarif")],
    );
    assert_eq!(status, 1);
    assert_eq!(
        runner.outputs["steps.check.outputs.sarif-file"],
        "out.sarif"
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(runner.workspace.join("out.sarif")).unwrap())
            .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
}

#[test]
fn the_action_refuses_an_unknown_format() {
    let mut runner = Runner::new();
    let (status, stdout) = run_action(&mut runner, &[("format", "xml")]);
    assert_eq!(status, 2);
    assert!(
        stdout.contains("::error::format must be github or sarif, not 'xml'"),
        "{stdout}"
    );
}
