//! The whole shared corpus of real templates, linted in one run: nothing panics, the files
//! that fail are exactly the ones that are not valid YAML or JSON and the Serverless services
//! whose included files the corpus does not hold, and the triggers found per file match the
//! corpus manifest's own count, except where the manifest is known to be off.

mod common;

use std::collections::BTreeMap;

use triggerlint::config::Config;

/// Files that do not parse, with the reason they are not valid YAML.
const INVALID: &[(&str, &str, &str)] = &[
    (
        "aws-samples__serverless-patterns/msk-lambda-schema-avro-java-sam/template_original.yaml",
        "duplicate mapping key `SchemaRegistryURI`",
        "the key appears twice in one mapping, which YAML forbids",
    ),
    (
        "aws__aws-sam-cli-app-templates/dotnet10/sqs/{{cookiecutter.project_name}}/template.yaml",
        "unexpected character: `%'",
        "a cookiecutter (Jinja) template: `{%- if ... %}` is not YAML until rendered",
    ),
    (
        "aws__aws-sam-cli-app-templates/dotnet6/sqs/{{cookiecutter.project_name}}/template.yaml",
        "unexpected character: `%'",
        "a cookiecutter (Jinja) template",
    ),
    (
        "aws__aws-sam-cli-app-templates/nodejs20.x/sqs/{{cookiecutter.project_name}}/template.yaml",
        "unexpected character: `%'",
        "a cookiecutter (Jinja) template",
    ),
    (
        "aws__aws-sam-cli-app-templates/nodejs22.x/sqs/{{cookiecutter.project_name}}/template.yaml",
        "unexpected character: `%'",
        "a cookiecutter (Jinja) template",
    ),
    (
        "aws__aws-sam-cli-app-templates/nodejs24.x/sqs/{{cookiecutter.project_name}}/template.yaml",
        "unexpected character: `%'",
        "a cookiecutter (Jinja) template",
    ),
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
#[cfg_attr(corpus_absent, ignore = "needs the shared corpus at ../shared/corpus")]
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
    for (file, message) in &failures {
        assert!(
            !message.contains("internal error"),
            "{file}: a panic was caught: {message}"
        );
        let expected = INVALID
            .iter()
            .map(|(f, fragment, _)| (*f, *fragment))
            .find(|(f, _)| f == file);
        let Some((_, fragment)) = expected else {
            panic!("{file} failed unexpectedly: {message}");
        };
        assert!(message.contains(fragment), "{file}: {message}");
    }
    assert_eq!(failures.len(), INVALID.len(), "{failures:#?}");
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
    for error in &run.errors {
        assert!(error.offset.is_some(), "parse errors carry a position");
    }
    eprintln!(
        "corpus: {} files, {} templates, {} triggers, {} findings, {} files not valid YAML/JSON",
        run.files(),
        run.templates,
        run.triggers.len(),
        run.findings.len(),
        run.errors.len()
    );
}

#[test]
#[cfg_attr(corpus_absent, ignore = "needs the shared corpus at ../shared/corpus")]
fn triggers_per_file_match_the_manifest() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let manifest = std::fs::read_to_string(corpus.join("MANIFEST.tsv")).expect("manifest");
    let run = triggerlint::run(std::slice::from_ref(&corpus), &Config::default());
    let mut found: BTreeMap<String, usize> = BTreeMap::new();
    for t in &run.triggers {
        *found
            .entry(relative(&run.sources.get(t.file).path, &corpus))
            .or_default() += 1;
    }
    let invalid: Vec<&str> = INVALID.iter().map(|(f, _, _)| *f).collect();
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
    assert_eq!(total, run.triggers.len());
    eprintln!(
        "corpus: trigger counts agree with the manifest for {compared} files ({total} triggers)"
    );
}

/// Every error-severity finding the corpus gets, grouped by where it is and which rule, with the
/// reason it is right (each would fail a real deploy). A new error in the corpus, most likely a
/// false positive, fails the test until it is explained here.
const EXPECTED_ERRORS: &[(&str, &str, usize, &str)] = &[
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
#[cfg_attr(corpus_absent, ignore = "needs the shared corpus at ../shared/corpus")]
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

/// Every `.tf` file of the corpus parses on its own (942 files, every one of which python-hcl2
/// 8.1.4 parses too), through the patched hcl-edit in `vendor/`.
#[test]
#[cfg_attr(corpus_absent, ignore = "needs the shared corpus at ../shared/corpus")]
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
