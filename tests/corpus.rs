//! The whole shared corpus of real templates, linted in one run: nothing panics, the files
//! that fail are exactly the ones that are not valid YAML or JSON and the Serverless services
//! whose included files the corpus does not hold, and the triggers found per file match the
//! corpus manifest's own count, except where the manifest is known to be off.

mod common;

use std::collections::BTreeMap;

use triggerlint::config::Config;

/// Files that do not parse and hold a trigger: an invalid-syntax finding (TL902), with the
/// reason they are not valid YAML.
const INVALID: &[(&str, &str, &str)] = &[(
    "aws-samples__serverless-patterns/msk-lambda-schema-avro-java-sam/template_original.yaml",
    "duplicate mapping key `SchemaRegistryURI`",
    "the key appears twice in one mapping, which YAML forbids",
)];

/// Cookiecutter (Jinja) templates: `{%- if ... %}` is not YAML until rendered, so a folder walk
/// passes over every file under a `{{cookiecutter...}}` folder.
const COOKIECUTTER: &[&str] = &[
    "aws__aws-sam-cli-app-templates/dotnet10/sqs/{{cookiecutter.project_name}}/template.yaml",
    "aws__aws-sam-cli-app-templates/dotnet6/sqs/{{cookiecutter.project_name}}/template.yaml",
    "aws__aws-sam-cli-app-templates/nodejs20.x/sqs/{{cookiecutter.project_name}}/template.yaml",
    "aws__aws-sam-cli-app-templates/nodejs22.x/sqs/{{cookiecutter.project_name}}/template.yaml",
    "aws__aws-sam-cli-app-templates/nodejs24.x/sqs/{{cookiecutter.project_name}}/template.yaml",
];

/// Serverless files whose `${file(...)}` includes are not part of the corpus (it keeps only the
/// files with triggers): a missing include is a note (TL901), and the service is still linted.
const MISSING_INCLUDES: &[(&str, &str)] = &[
    (
        "CoorpAcademy__serverless-plugins/tests/serverless-plugins-integration/serverless.dynamodb-streams.yml",
        "`./custom.yml`",
    ),
    (
        "CoorpAcademy__serverless-plugins/tests/serverless-plugins-integration/serverless.kinesis.yml",
        "`./custom.yml`",
    ),
    (
        "CoorpAcademy__serverless-plugins/tests/serverless-plugins-integration/serverless.sqs.yml",
        "`./custom.yml`",
    ),
    (
        "aws-samples__serverless-patterns/apigw-http-api-sqs-lambda-sls/serverless.yml",
        "`./api.json`",
    ),
    (
        "bridgecrewio__checkov/tests/serverless/graph_builder/resources/serverless.yaml",
        "`./serverless.dev.yml`",
    ),
    (
        "bridgecrewio__checkov/tests/serverless/runner/resources/serverless.yaml",
        "`./serverless.dev.yml`",
    ),
];

/// Where our count differs from the manifest's, and why.
const COUNT_EXCEPTIONS: &[(&str, usize, &str)] = &[
    (
        "Enterprise-CMCS__macpro-mdct-carts/services/carts-bigmac-streams/serverless.yml",
        3,
        "the manifest counts the two stream events and misses the mapping under `resources`",
    ),
    (
        "aws__serverless-application-model/tests/translator/input/error_sns_intrinsics.yaml",
        0,
        "`SqsSubscription: !Ref Param` is rejected by the SAM translator (an error test)",
    ),
];

fn relative(path: &std::path::Path, corpus: &std::path::Path) -> String {
    path.strip_prefix(corpus)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

#[test]
fn the_whole_corpus_lints_without_panics_and_only_invalid_files_fail() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let run = triggerlint::run(std::slice::from_ref(&corpus), &Config::default());
    let failures: Vec<(String, String)> = run
        .errors
        .iter()
        .map(|e| {
            let file = run.sources.get(e.file);
            (relative(&file.path, &corpus), e.message.clone())
        })
        .collect();
    assert_eq!(failures, [], "no file keeps the linter from running");
    let invalid: Vec<(String, String)> = run
        .findings
        .iter()
        .filter(|f| f.rule.code == "TL902")
        .map(|f| {
            let file = run.sources.get(f.span.file);
            (relative(&file.path, &corpus), f.message.clone())
        })
        .collect();
    for (file, message) in &invalid {
        let expected = INVALID.iter().find(|(f, _, _)| f == file);
        let Some((_, fragment, _)) = expected else {
            panic!("{file} does not parse unexpectedly: {message}");
        };
        assert!(message.contains(fragment), "{file}: {message}");
    }
    assert_eq!(invalid.len(), INVALID.len(), "{invalid:#?}");
    for file in COOKIECUTTER {
        let reason = run
            .skipped_files
            .iter()
            .find(|(path, _)| relative(path, &corpus) == *file)
            .map(|(_, reason)| reason.as_str());
        assert_eq!(
            reason,
            Some("a cookiecutter or Jinja template (`{{` in its path)"),
            "{file}"
        );
    }
    let missing: Vec<(String, String)> = run
        .findings
        .iter()
        .filter(|f| f.rule.code == "TL901")
        .map(|f| {
            let file = run.sources.get(f.span.file);
            (relative(&file.path, &corpus), f.message.clone())
        })
        .collect();
    for (file, fragment) in MISSING_INCLUDES {
        assert!(
            missing
                .iter()
                .any(|(f, message)| f == file && message.contains(fragment)),
            "{file}: no TL901 note for {fragment}: {missing:#?}"
        );
    }
    assert_eq!(missing.len(), MISSING_INCLUDES.len(), "{missing:#?}");
    eprintln!(
        "corpus: {} files, {} templates, {} triggers, {} findings, {} files not valid YAML/JSON",
        run.files(),
        run.templates,
        run.triggers.len(),
        run.findings.len(),
        invalid.len()
    );
}

#[test]
fn triggers_per_file_match_the_manifest() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let manifest = std::fs::read_to_string(corpus.join("MANIFEST.tsv")).expect("manifest");
    let run = triggerlint::run(std::slice::from_ref(&corpus), &Config::default());
    // Declarations as written: a block Terraform expands (`for_each`, `count`, a module called
    // twice) is one mapping in the manifest, however many instances it gives.
    let mut declared: std::collections::BTreeSet<(String, u32)> = Default::default();
    for t in &run.triggers {
        declared.insert((
            relative(&run.sources.get(t.file).path, &corpus),
            t.anchor.start,
        ));
    }
    let mut found: BTreeMap<String, usize> = BTreeMap::new();
    for (file, _) in declared {
        *found.entry(file).or_default() += 1;
    }
    // Files that do not parse, and the cookiecutter templates a walk passes over, hold no
    // trigger the linter can read.
    let invalid: Vec<&str> = INVALID
        .iter()
        .map(|(f, _, _)| *f)
        .chain(COOKIECUTTER.iter().copied())
        .collect();
    let mut compared = 0;
    let mut terraform = (0, 0);
    let mut mismatches = Vec::new();
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (file, format, expected) = (cols[0], cols[5], cols[6]);
        if format == "sam-error-json" || invalid.contains(&file) {
            continue;
        }
        let expected: usize = expected.parse().expect("a count");
        let ours = found.get(file).copied().unwrap_or(0);
        let allowed = COUNT_EXCEPTIONS
            .iter()
            .find(|(f, _, _)| *f == file)
            .map(|(_, n, _)| *n);
        compared += 1;
        if format == "terraform" {
            terraform.0 += expected;
            terraform.1 += ours.min(expected);
        }
        if ours != allowed.unwrap_or(expected) {
            mismatches.push(format!("{file}: manifest {expected}, found {ours}"));
        }
    }
    assert!(compared > 1300, "compared only {compared} files");
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    // The Terraform part: 142 hand-counted mappings in 942 files of 94 modules.
    assert_eq!(
        terraform,
        (142, 142),
        "Terraform mappings (expected, found)"
    );
    let total: usize = found.values().sum();
    assert!(total <= run.triggers.len());
    let figures = terraform_figures(&run, &corpus);
    assert_eq!(
        figures,
        TerraformFigures {
            declarations: 142,
            instances: 150,
            kind_known: 115,
            queue_type_open: 35,
            kind_narrowed: 10,
            kind_unknown: BTreeMap::from([
                ("an input variable without a default", 9),
                ("an output of a module not read", 2),
                ("instances of a collection not known", 6),
            ]),
            function_outside: 69,
        },
        "Terraform: declarations, instances, declarations whose source kind is known (of which \
         SQS not known to be standard or FIFO), narrowed to Kinesis or DynamoDB, unknown (by \
         cause), declarations whose function is not in the linted module tree"
    );
    eprintln!(
        "corpus: trigger counts agree with the manifest for {compared} files ({total} triggers)"
    );
}

/// What the Terraform part of the corpus lets triggerlint know, per declaration as written (a
/// declaration counts as unknown when any of its instances is, else as narrowed when any is).
#[derive(Debug, PartialEq)]
struct TerraformFigures {
    declarations: usize,
    instances: usize,
    /// Known: SQS counts, also when standard or FIFO is not known.
    kind_known: usize,
    /// Of those, SQS queues not known to be standard or FIFO (a grant, `scaling_config`).
    queue_type_open: usize,
    /// Narrowed to "a Kinesis or DynamoDB stream" by the mapping's own stream settings.
    kind_narrowed: usize,
    /// Still unknown, by why the source is not known.
    kind_unknown: BTreeMap<&'static str, usize>,
    function_outside: usize,
}

/// What a declaration lets triggerlint know of its source kind.
#[derive(Clone, Copy, Default, PartialEq, PartialOrd)]
enum KindFigure {
    #[default]
    Known,
    QueueTypeOpen,
    Narrowed,
    Unknown(&'static str),
}

fn kind_figure(t: &triggerlint::model::Trigger) -> KindFigure {
    use triggerlint::model::SourceKind;
    match t.source {
        SourceKind::Unknown => KindFigure::Unknown(unknown_cause(&t.kind_basis.to_string())),
        SourceKind::KinesisOrDynamoDb => KindFigure::Narrowed,
        SourceKind::SqsStandardOrFifo => KindFigure::QueueTypeOpen,
        _ => KindFigure::Known,
    }
}

/// Why a source stays unknown, from the reason the loader gives.
fn unknown_cause(basis: &str) -> &'static str {
    if basis.contains("is an output of module") {
        "an output of a module not read"
    } else if basis.contains("input variable") || basis.contains("the parameter var.") {
        "an input variable without a default"
    } else if basis.contains("for_each") || basis.contains("known only at plan time") {
        "instances of a collection not known"
    } else {
        "other"
    }
}

fn terraform_figures(run: &triggerlint::Run, corpus: &std::path::Path) -> TerraformFigures {
    use triggerlint::model::Format;
    let mut declarations: BTreeMap<(String, u32), (KindFigure, bool)> = BTreeMap::new();
    let mut instances = 0;
    for t in run
        .triggers
        .iter()
        .filter(|t| t.format == Format::Terraform)
    {
        instances += 1;
        let key = (
            relative(&run.sources.get(t.file).path, corpus),
            t.anchor.start,
        );
        let entry = declarations.entry(key).or_default();
        // The least known instance stands for the declaration.
        let figure = kind_figure(t);
        if figure > entry.0 {
            entry.0 = figure;
        }
        entry.1 |= !t.function.as_ref().is_some_and(|f| f.in_template);
    }
    let mut kind_unknown = BTreeMap::new();
    for (figure, _) in declarations.values() {
        if let KindFigure::Unknown(cause) = figure {
            *kind_unknown.entry(*cause).or_default() += 1;
        }
    }
    let count = |wanted: KindFigure| {
        declarations
            .values()
            .filter(|(figure, _)| *figure == wanted)
            .count()
    };
    TerraformFigures {
        declarations: declarations.len(),
        instances,
        kind_known: count(KindFigure::Known) + count(KindFigure::QueueTypeOpen),
        queue_type_open: count(KindFigure::QueueTypeOpen),
        kind_narrowed: count(KindFigure::Narrowed),
        kind_unknown,
        function_outside: declarations.values().filter(|(_, f)| *f).count(),
    }
}

/// Every error-severity finding the corpus gets, grouped by where it is and which rule, with the
/// reason it is right (each would fail a real deploy). A new error in the corpus, most likely a
/// false positive, fails the test until it is explained here.
const EXPECTED_ERRORS: &[(&str, &str, usize, &str)] = &[
    (
        "aws-samples__serverless-patterns/msk-lambda-schema-avro-java-sam/template_original.yaml",
        "TL902",
        1,
        "a duplicate mapping key (see INVALID)",
    ),
    (
        "serverless__serverless/docs/providers/aws/events/",
        "TL001",
        23,
        "documentation snippets with placeholder ARNs (`arn:aws:sqs:region:XXXXXX:myQueue`)",
    ),
    (
        "serverless__serverless/docs/providers/aws/events/streams.md.block-03.yml",
        "TL402",
        1,
        "the documented AT_TIMESTAMP example has no `consumer`, so the framework drops its timestamp",
    ),
    (
        "CoorpAcademy__serverless-plugins/tests/serverless-plugins-integration/",
        "TL001",
        7,
        "serverless-offline test services with placeholder ARNs (`region:XXXXXX`)",
    ),
    (
        "CoorpAcademy__serverless-plugins/tests/serverless-plugins-integration/",
        "TL007",
        3,
        "table ARNs and `!GetAtt Table.Arn` where a stream ARN is needed; only the local emulator accepts them",
    ),
    (
        "CoorpAcademy__serverless-plugins/tests/serverless-plugins-integration/serverless.sqs.yml",
        "TL201",
        1,
        "`batchSize: 70` on a standard queue without a batching window",
    ),
    (
        "aws-powertools__powertools-lambda-typescript/examples/snippets/kafka/templates/gettingStartedWithMsk.yaml",
        "TL001",
        1,
        "two `Topics`; a mapping reads exactly one",
    ),
    (
        "serverless__examples/aws-golang-stream-kinesis-to-elasticsearch/serverless.yml",
        "TL001",
        1,
        "a placeholder ARN (`<region>:<accountID>`)",
    ),
    (
        "aws__serverless-application-model/tests/translator/input/error_",
        "TL001",
        3,
        "translator error tests, written to be rejected: an unknown FilterCriteria key, an empty \
         SourceAccessConfigurations, two Topics",
    ),
    (
        "aws__serverless-application-model/tests/translator/input/error_",
        "TL303",
        4,
        "translator error tests, written to be rejected: MQ and DocumentDB events without a \
         BASIC_AUTH secret, or with two",
    ),
    (
        "aws__serverless-application-model/tests/translator/input/error_multiple_auth_mechanism",
        "TL304",
        1,
        "translator error test: two authentication methods on self-managed Kafka",
    ),
    (
        "aws__serverless-application-model/tests/translator/input/error_consumer_group_id.yaml",
        "TL003",
        1,
        "translator error test: ConsumerGroupId on a DynamoDB event",
    ),
    (
        "aws__serverless-application-model/tests/translator/input/error_missing_startingposition.yaml",
        "TL004",
        1,
        "translator error test: a Kinesis event without StartingPosition",
    ),
    (
        "aws__serverless-application-model/tests/translator/input/error_event_filtering.yaml",
        "TL110",
        1,
        "translator error test: its table has no StreamSpecification",
    ),
    (
        "aws__serverless-application-model/tests/translator/",
        "TL001",
        12,
        "translation tests never deployed: `Filters: []` (the schema needs one filter), a record \
         age of 50 s, a ParallelizationFactor default above 10",
    ),
    (
        "aws__serverless-application-model/tests/translator/",
        "TL110",
        8,
        "translation tests never deployed: `StreamArn` of tables without StreamSpecification",
    ),
    (
        "aws__serverless-application-model/tests/translator/",
        "TL010",
        36,
        "translation tests never deployed: patterns such as `{\"name\": \"value\"}`, whose \
         value is not in an array",
    ),
    (
        "aws__aws-lambda-dotnet/Libraries/test/",
        "TL010",
        2,
        "a source-generator snapshot whose patterns are placeholders (`My-Filter-1`), not JSON",
    ),
    (
        "serverless__serverless/docs/providers/aws/events/kafka.md.block-06.yml",
        "TL010",
        1,
        "the documented Kafka filter writes `eventName: INSERT`, a value outside an array",
    ),
];

#[test]
fn every_error_in_the_corpus_is_explained() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let run = triggerlint::run(std::slice::from_ref(&corpus), &Config::default());
    let mut counts = vec![0; EXPECTED_ERRORS.len()];
    let mut unexplained = Vec::new();
    for finding in run
        .findings
        .iter()
        .filter(|f| f.severity == triggerlint::rules::Severity::Error)
    {
        let file = relative(&run.sources.get(finding.span.file).path, &corpus);
        let group = EXPECTED_ERRORS.iter().position(|(prefix, code, _, _)| {
            file.starts_with(prefix) && finding.rule.code == *code
        });
        match group {
            Some(i) => counts[i] += 1,
            None => unexplained.push(format!("{file}: {} {}", finding.rule.code, finding.message)),
        }
    }
    assert!(unexplained.is_empty(), "{}", unexplained.join("\n"));
    for ((prefix, code, expected, why), found) in EXPECTED_ERRORS.iter().zip(counts) {
        assert_eq!(found, *expected, "{code} under {prefix} ({why})");
    }
}

/// Loads every YAML file of a folder with PyYAML (with any tag accepted, as cfn-lint reads
/// CloudFormation's short forms) and prints the paths of those it loads, one per line.
const PYYAML_LOADS: &str = r#"
for folder, _, files in os.walk(sys.argv[1]):
    for name in files:
        if name.endswith((".yml", ".yaml", ".template")):
            path = os.path.join(folder, name)
            try:
                with open(path, "rb") as f:
                    next(yaml.load_all(f, Loader=Loader), None)
                print(path)
            except Exception:
                pass
"#;

/// YAML files PyYAML loads that are refused here, with why: PyYAML keeps the last of two equal
/// keys, which YAML forbids and the Serverless Framework refuses.
const REFUSED_WHERE_PYYAML_LOADS: &[(&str, &str)] = &[(
    "aws-samples__serverless-patterns/msk-lambda-schema-avro-java-sam/template_original.yaml",
    "duplicate mapping key",
)];

/// A Python with PyYAML: the system's, else a virtual environment made once under Cargo's
/// scratch folder.
fn python_with_pyyaml() -> Result<std::path::PathBuf, String> {
    use std::process::Command;
    let has_yaml = |python: &std::path::Path| {
        Command::new(python)
            .args(["-c", "import yaml"])
            .status()
            .is_ok_and(|s| s.success())
    };
    let system = std::path::PathBuf::from("python3");
    if has_yaml(&system) {
        return Ok(system);
    }
    let venv = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pyyaml-venv");
    let python = venv.join("bin/python");
    if has_yaml(&python) {
        return Ok(python);
    }
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status();
    if !made.is_ok_and(|s| s.success()) {
        return Err("python3 -m venv failed".to_string());
    }
    let installed = Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "PyYAML==6.0.3"])
        .status();
    if installed.is_ok_and(|s| s.success()) && has_yaml(&python) {
        Ok(python)
    } else {
        Err("pip install PyYAML failed".to_string())
    }
}

/// Every YAML file of the corpus that PyYAML loads (what cfn-lint and the SAM CLI read
/// templates with) loads here too, except the listed ones.
#[test]
fn every_yaml_file_pyyaml_loads_loads_here() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    if !common::external_tool_test("the PyYAML comparison (may install PyYAML from PyPI)") {
        return;
    }
    let python = match python_with_pyyaml() {
        Ok(python) => python,
        Err(why) => {
            assert!(
                !common::project_ci(),
                "TRIGGERLINT_CI=1 and no PyYAML: {why}"
            );
            eprintln!("skipping: {why}");
            return;
        }
    };
    let output = std::process::Command::new(python)
        .arg("-c")
        .arg(format!("{}{PYYAML_LOADS}", common::PYYAML_ANY_TAG_LOADER))
        .arg(&corpus)
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let loaded: Vec<std::path::PathBuf> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(std::path::PathBuf::from)
        .collect();
    assert!(
        loaded.len() > 250,
        "PyYAML loaded only {} files",
        loaded.len()
    );
    let mut refused = Vec::new();
    for path in &loaded {
        let text = std::fs::read_to_string(path).unwrap();
        if let Err(e) = triggerlint::parse::yaml::parse(&text, triggerlint::source::FileId(0)) {
            refused.push((relative(path, &corpus), e.message));
        }
    }
    for (file, message) in &refused {
        let expected = REFUSED_WHERE_PYYAML_LOADS
            .iter()
            .find(|(f, fragment)| f == file && message.contains(fragment));
        assert!(
            expected.is_some(),
            "{file}: PyYAML loads it, but here: {message}"
        );
    }
    assert_eq!(
        refused.len(),
        REFUSED_WHERE_PYYAML_LOADS.len(),
        "{refused:#?}"
    );
}

/// Every `.tf` file of the corpus parses on its own (942 files, every one of which python-hcl2
/// 8.1.4 parses too), through the patched hcl-edit in `vendor/`.
#[test]
fn every_terraform_file_of_the_corpus_parses() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut parsed = 0;
    let mut failed = Vec::new();
    let mut pending = vec![corpus.clone()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable corpus folder") {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "tf") {
                let text = std::fs::read_to_string(&path).expect("UTF-8 Terraform");
                match triggerlint::parse::hcl::parse(&text, triggerlint::source::FileId(0)) {
                    Ok(_) => parsed += 1,
                    Err(e) => failed.push(format!("{}: {e:?}", relative(&path, &corpus))),
                }
            }
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    assert_eq!(parsed, 942, "the corpus's Terraform files (TERRAFORM.md)");
}
