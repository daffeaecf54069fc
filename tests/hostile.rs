//! Hostile and broken inputs through the real binary: each one is a clear invalid-syntax
//! finding for that file (exit 1, the other files still linted), an error where the file cannot
//! be read at all (exit 2), or is linted correctly. Never a panic, a hang, or
//! memory that grows with the input instead of the limits.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn triggerlint() -> Command {
    let mut cmd = Command::cargo_bin("triggerlint").expect("binary");
    cmd.current_dir(common::project_root());
    cmd
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A risky Serverless service: TL101 and others at known lines.
const RISKY: &str = "service: orders
provider:
  name: aws
functions:
  consumer:
    handler: h.consume
    events:
      - stream:
          arn: arn:aws:kinesis:us-east-1:123456789012:stream/orders
          batchSize: 1
";

/// Runs `check --format json` on `paths`, returning the exit code and the report.
fn check_json(paths: &[&Path]) -> (i32, Value) {
    let output = triggerlint()
        .args(["check", "--format", "json"])
        .args(paths)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (
        output.status.code().expect("exit code, not a signal"),
        report,
    )
}

/// `(file name, line, column, message)` of every error.
fn errors(report: &Value) -> Vec<(String, Value, Value, String)> {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let file = Path::new(e["file"].as_str().unwrap());
            (
                file.file_name().unwrap().to_string_lossy().into_owned(),
                e["line"].clone(),
                e["column"].clone(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// `(code, line, column)` of every finding.
fn findings(report: &Value) -> Vec<(String, u64, u64)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The findings of the risky service written plainly, the reference for re-encoded copies.
fn risky_findings() -> Vec<(String, u64, u64)> {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "serverless.yml", RISKY.as_bytes());
    let (code, report) = check_json(&[&path]);
    assert_eq!(code, 1);
    let found = findings(&report);
    assert!(found.contains(&("TL101".to_string(), 8, 9)), "{found:?}");
    found
}

/// A folder holding one hostile file beside the risky service, linted with the hostile file
/// also named (a folder walk passes over files that neither parse nor show a sign of a
/// trigger); the service must still be linted, and the hostile file must be exactly one
/// invalid-syntax finding: its file name, line, column and the parser's message.
fn beside_a_good_file(name: &str, bytes: &[u8]) -> (String, Value, Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let hostile = write(dir.path(), name, bytes);
    write(dir.path(), "serverless.yml", RISKY.as_bytes());
    let (code, report) = check_json(&[dir.path(), &hostile]);
    assert_eq!(code, 1, "{report}");
    assert_eq!(errors(&report), [], "nothing keeps the linter from running");
    let (syntax, others): (Vec<&Value>, Vec<&Value>) = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .partition(|f| f["code"] == "TL902");
    let others: Vec<(String, u64, u64)> = others
        .iter()
        .map(|f| {
            let code = f["code"].as_str().unwrap().to_string();
            (
                code,
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(others, risky_findings(), "the good file is linted");
    assert_eq!(syntax.len(), 1, "{syntax:?}");
    let finding = syntax[0];
    let file = Path::new(finding["file"].as_str().unwrap());
    let message = finding["message"].as_str().unwrap();
    let parser_message = message
        .split_once(": ")
        .and_then(|(_, rest)| rest.strip_suffix(", so this file's triggers cannot be checked"))
        .unwrap_or_else(|| panic!("an invalid-syntax message: {message}"));
    (
        file.file_name().unwrap().to_string_lossy().into_owned(),
        finding["line"].clone(),
        finding["column"].clone(),
        parser_message.to_string(),
    )
}

#[test]
fn an_alias_bomb_of_merge_keys_is_stopped() {
    let mut bomb = String::from("m0: &m0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8}\n");
    for i in 1..30 {
        bomb.push_str(&format!(
            "m{i}: &m{i} [*m{p}, *m{p}, *m{p}, *m{p}, *m{p}, *m{p}, *m{p}, *m{p}]\nk{i}: {{<<: *m{p}}}\n",
            p = i - 1
        ));
    }
    let (file, line, _, message) = beside_a_good_file("bomb.yaml", bomb.as_bytes());
    assert_eq!(file, "bomb.yaml");
    assert!(message.contains("an alias bomb?"), "{message}");
    assert!(line.as_u64().unwrap() > 1);
}

/// 10 000 levels in every way YAML and JSON can nest; each is an error at the level that went
/// past the limit (512), reported with its line and column.
#[test]
fn ten_thousand_levels_of_nesting_are_an_error_for_that_file() {
    let depth = 10_000;
    let cases: Vec<(&str, String)> = vec![
        ("flow-seq.yaml", "[".repeat(depth) + &"]".repeat(depth)),
        (
            "flow-map.yaml",
            "{a: ".repeat(depth) + "1" + &"}".repeat(depth),
        ),
        ("block-seq.yaml", "- ".repeat(depth) + "x\n"),
        ("arrays.json", "[".repeat(depth) + &"]".repeat(depth)),
        (
            "objects.json",
            "{\"a\":".repeat(depth) + "1" + &"}".repeat(depth),
        ),
    ];
    for (name, text) in cases {
        let (file, line, column, message) = beside_a_good_file(name, text.as_bytes());
        assert_eq!(file, name);
        assert_eq!(line, 1, "{name}");
        // Flow collections stop at 255 levels (the YAML scanner's own limit), the rest at 512.
        assert!(column.as_u64().unwrap() > 255, "{name}: column {column}");
        assert!(
            message.contains("nested deeper than") || message.contains("nesting deeper than"),
            "{name}: {message}"
        );
    }
}

/// 200 MB (sparse, so the test costs no disk) is refused from its size, before reading.
/// Thousands of bad values in one list, and thousands of readers of one stream: each is
/// reported. Finding them copies no list and searches no other triggers per finding; either
/// would make the cost grow with the square of the count.
#[test]
fn thousands_of_problems_in_one_template_are_each_reported() {
    const N: usize = 3000;
    let dir = tempfile::tempdir().unwrap();
    let topics: String = (0..N).map(|i| format!("        - .bad{i}\n")).collect();
    let lists = write(
        dir.path(),
        "topics.yaml",
        format!(
            "Resources:\n  Events:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      FunctionName: f\n      EventSourceArn: arn:aws:kafka:us-east-1:123456789012:cluster/c/1\n      StartingPosition: LATEST\n      Topics:\n{topics}"
        )
        .as_bytes(),
    );
    let readers: String = (0..N)
        .map(|i| {
            format!(
                "  Reader{i}:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties: {{FunctionName: f{i}, EventSourceArn: !GetAtt Table.StreamArn, StartingPosition: LATEST}}\n"
            )
        })
        .collect();
    let streams = write(
        dir.path(),
        "readers.yaml",
        format!(
            "Resources:\n{readers}  Table:\n    Type: AWS::DynamoDB::Table\n    Properties: {{StreamSpecification: {{StreamViewType: KEYS_ONLY}}}}\n"
        )
        .as_bytes(),
    );
    let count = |path: &Path, code: &str| {
        let output = triggerlint()
            .args(["check", "--format", "json", "--select", code])
            .arg(path)
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        report["findings"].as_array().unwrap().len()
    };
    // Every item breaks the topic pattern, and the list is longer than one item.
    assert_eq!(count(&lists, "TL001"), N + 1);
    assert_eq!(count(&streams, "TL112"), N - 2);
}

#[test]
fn a_200_mb_file_is_refused_without_being_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.yaml");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(200 * 1024 * 1024).unwrap();
    drop(file);
    write(dir.path(), "serverless.yml", RISKY.as_bytes());
    let (code, report) = check_json(&[dir.path()]);
    assert_eq!(code, 2);
    assert_eq!(findings(&report), risky_findings());
    assert_eq!(
        errors(&report),
        [(
            "huge.yaml".to_string(),
            Value::Null,
            Value::Null,
            "file is 200 MiB, larger than the 64 MiB limit".to_string()
        )]
    );
}

#[test]
fn binary_files_are_errors_wherever_the_binary_part_starts() {
    let (_, _, _, message) =
        beside_a_good_file("image.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR");
    assert_eq!(message, "binary file (contains NUL bytes)");
    // A NUL far into a text file is past the quick check: the YAML parser refuses it instead.
    let mut late: String = (0..4000).map(|i| format!("key{i}: value\n")).collect();
    late.push('\0');
    let (_, line, _, message) = beside_a_good_file("late.yaml", late.as_bytes());
    assert!(
        message.contains("NUL") || message.contains("character"),
        "{message}"
    );
    assert_eq!(line, 4001);
}

#[test]
fn invalid_utf8_is_an_error_at_the_first_bad_byte() {
    let (_, line, column, message) =
        beside_a_good_file("latin1.yaml", b"Resources:\n  Caf\xe9:\n    Type: x\n");
    assert_eq!(message, "invalid UTF-8");
    assert_eq!((line, column), (Value::from(2), Value::from(6)));
}

/// UTF-16 with a byte-order mark (what some Windows editors save) is decoded and linted, with
/// the same lines and columns as the UTF-8 original.
#[test]
fn utf16_with_a_bom_is_linted_like_utf8() {
    let expected = risky_findings();
    for little_endian in [true, false] {
        let mut bytes = if little_endian {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for unit in RISKY.encode_utf16() {
            bytes.extend(if little_endian {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "serverless.yml", &bytes);
        let (code, report) = check_json(&[&path]);
        assert_eq!(code, 1, "{report}");
        assert_eq!(
            findings(&report),
            expected,
            "little endian: {little_endian}"
        );
    }
    let (_, _, _, message) = beside_a_good_file("odd.yaml", b"\xFF\xFEa\x00:");
    assert_eq!(message, "invalid UTF-16: odd number of bytes");
}

/// Windows line endings: the same lines and columns, and no carriage return in the snippet.
#[test]
fn crlf_line_endings_keep_lines_and_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "serverless.yml",
        RISKY.replace('\n', "\r\n").as_bytes(),
    );
    let (code, report) = check_json(&[&path]);
    assert_eq!(code, 1);
    assert_eq!(findings(&report), risky_findings());
    let human = triggerlint().arg("check").arg(&path).output().unwrap();
    assert!(!human.stdout.contains(&b'\r'));
}

/// Tabs may not indent YAML: a parse error at the tab. Inside values and JSON they are
/// ordinary characters, each one column wide.
#[test]
fn tabs_indenting_yaml_are_an_error_and_count_as_one_column_elsewhere() {
    let tabbed = RISKY.replace("      - stream:", "\t- stream:");
    let (_, line, _, message) = beside_a_good_file("tabs.yml", tabbed.as_bytes());
    assert!(message.contains("tab"), "{message}");
    assert_eq!(line, 8);

    let dir = tempfile::tempdir().unwrap();
    let json = "{\n\t\"Resources\": {\n\t\t\"Map\": {\n\t\t\t\"Type\": \"AWS::Lambda::EventSourceMapping\",\n\t\t\t\"Properties\": {\"FunctionName\": \"f\", \"BatchSize\": 1,\n\t\t\t\t\"EventSourceArn\": \"arn:aws:kinesis:us-east-1:1:stream/s\"}}}}\n";
    let path = write(dir.path(), "template.json", json.as_bytes());
    let (_, report) = check_json(&[&path]);
    let found = findings(&report);
    // The mapping's logical id at line 3 after two tabs; BatchSize's value after the 52
    // characters of `\t\t\t"Properties": {"FunctionName": "f", "BatchSize": `.
    assert!(found.contains(&("TL101".to_string(), 3, 3)), "{found:?}");
    assert!(found.contains(&("TL107".to_string(), 5, 53)), "{found:?}");
}

#[cfg(unix)]
#[test]
fn symbolic_links_are_followed_inside_the_folder_and_refused_otherwise() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "serverless.yml", RISKY.as_bytes());
    std::fs::create_dir(root.join("linked")).unwrap();
    symlink("../serverless.yml", root.join("linked/alias.yml")).unwrap();
    symlink("missing.yml", root.join("dangling.yml")).unwrap();
    symlink("loop-b.yml", root.join("loop-a.yml")).unwrap();
    symlink("loop-a.yml", root.join("loop-b.yml")).unwrap();
    symlink(".", root.join("linked/self")).unwrap();
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "secret.yml", b"password: hunter2\n");
    symlink(outside.path().join("secret.yml"), root.join("escape.yml")).unwrap();

    let (code, report) = check_json(&[root]);
    assert_eq!(code, 2);
    let mut messages: Vec<(String, String)> = errors(&report)
        .into_iter()
        .map(|(file, _, _, message)| (file, message))
        .collect();
    messages.sort();
    let secret = std::fs::canonicalize(outside.path().join("secret.yml")).unwrap();
    let root_shown = std::fs::canonicalize(root).unwrap();
    assert_eq!(
        messages,
        [
            (
                "dangling.yml".to_string(),
                "broken symbolic link: missing.yml does not exist".to_string()
            ),
            (
                "escape.yml".to_string(),
                format!(
                    "symbolic link to {}, outside {}; not followed",
                    secret.display(),
                    root_shown.display()
                )
            ),
            (
                "loop-a.yml".to_string(),
                "too many levels of symbolic links".to_string()
            ),
            (
                "loop-b.yml".to_string(),
                "too many levels of symbolic links".to_string()
            ),
        ]
    );
    // The real file and the link to it are one file, linted once; the folder link is not
    // walked (it would loop).
    assert_eq!(findings(&report), risky_findings());
    assert_eq!(report["summary"]["templates"], 1);
    let file = report["findings"][0]["file"].as_str().unwrap();
    assert!(
        file.ends_with("/serverless.yml"),
        "the real name is kept: {file}"
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.yml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    write(dir.path(), "serverless.yml", RISKY.as_bytes());
    // Named on the command line and met in a folder walk: an error either way, never a read.
    let (code, report) = check_json(&[&fifo, dir.path()]);
    assert_eq!(code, 2);
    assert_eq!(findings(&report), risky_findings());
    let errors = errors(&report);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "pipe.yml");
    assert_eq!(errors[0].3, "not a regular file");
}

/// A file the kernel lets us open but not read (as root too): /proc/self/mem.
#[cfg(target_os = "linux")]
#[test]
fn an_unreadable_file_is_an_error_naming_it() {
    let (code, report) = check_json(&[Path::new("/proc/self/mem"), Path::new("examples")]);
    assert_eq!(code, 2);
    let errors = errors(&report);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "mem");
    assert!(!errors[0].3.is_empty());
    assert!(report["summary"]["triggers"].as_u64().unwrap() > 0);
}

/// Permission bits do not stop root, so as root the binary runs as `nobody` (setpriv) to see
/// what a normal user sees.
#[cfg(unix)]
#[test]
fn unreadable_files_and_folders_are_errors_naming_them() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::Builder::new()
        .prefix("triggerlint-perm")
        .tempdir()
        .unwrap();
    let root = dir.path();
    std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755)).unwrap();
    let good = write(root, "serverless.yml", RISKY.as_bytes());
    std::fs::set_permissions(&good, std::fs::Permissions::from_mode(0o644)).unwrap();
    let secret = write(root, "secret.yml", RISKY.as_bytes());
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    let closed = root.join("closed");
    std::fs::create_dir(&closed).unwrap();
    write(&closed, "inner.yml", RISKY.as_bytes());
    std::fs::set_permissions(&closed, std::fs::Permissions::from_mode(0o000)).unwrap();

    let binary = assert_cmd::cargo::cargo_bin("triggerlint");
    let mut command = if is_root() {
        if !runs_as_nobody(&binary) {
            eprintln!("skipping: running as root and cannot run the binary as nobody");
            return;
        }
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&binary);
        c
    } else {
        std::process::Command::new(&binary)
    };
    let output = command
        .args(["check", "--format", "json"])
        .arg(root)
        .current_dir(root)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(2), "{report}");
    assert_eq!(findings(&report), risky_findings());
    let mut errors: Vec<(String, String)> = errors(&report)
        .into_iter()
        .map(|(file, _, _, message)| (file, message))
        .collect();
    errors.sort();
    assert_eq!(
        errors,
        [
            ("closed".to_string(), "permission denied".to_string()),
            ("secret.yml".to_string(), "permission denied".to_string()),
        ]
    );
    std::fs::set_permissions(&closed, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// Whether `nobody` can run the test binary (every folder above it must be searchable).
fn runs_as_nobody(binary: &Path) -> bool {
    std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(binary)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Inputs are only ever read: every byte and modification time is the same after linting a
/// folder in every format, with a baseline written elsewhere.
#[test]
fn linting_never_writes_to_its_inputs() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&common::project_root().join("fixtures"), dir.path());
    let before = snapshot(dir.path());
    let out = tempfile::tempdir().unwrap();
    for format in ["human", "json", "sarif", "github"] {
        triggerlint()
            .args(["check", "--format", format])
            .arg(dir.path())
            .assert()
            .code(1);
    }
    // The fixtures hold templates that do not parse (invalid-syntax's): status 1.
    triggerlint()
        .args(["inspect", "--format", "json"])
        .arg(dir.path())
        .assert()
        .code(1);
    triggerlint()
        .arg("check")
        .arg("--write-baseline")
        .arg(out.path().join("baseline.json"))
        .arg(dir.path())
        .assert()
        .success();
    assert_eq!(snapshot(dir.path()), before);
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

type Snapshot = Vec<(PathBuf, Vec<u8>, std::time::SystemTime)>;

fn snapshot(dir: &Path) -> Snapshot {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
                files.push((path.clone(), std::fs::read(&path).unwrap(), modified));
            }
        }
    }
    files.sort();
    files
}

/// No HTTP, TLS or socket crate is linked: the binary cannot open a connection of its own.
/// (Checked on the lockfile's normal dependency tree, as `cargo tree` resolves it.)
#[test]
fn no_network_crate_is_a_runtime_dependency() {
    let output = std::process::Command::new(env!("CARGO"))
        .args([
            "tree",
            "--locked",
            "--offline",
            "--edges",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .current_dir(common::project_root())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let tree = String::from_utf8(output.stdout).unwrap();
    let network = [
        "hyper",
        "reqwest",
        "ureq",
        "curl",
        "rustls",
        "openssl",
        "native-tls",
        "tokio",
        "mio",
        "socket2",
        "h2",
        "isahc",
        "attohttpc",
    ];
    for line in tree.lines() {
        let name = line.split_whitespace().next().unwrap_or("");
        assert!(!network.contains(&name), "network crate linked: {line}");
    }
    assert!(tree.contains("saphyr-parser"), "the tree was read: {tree}");
}

/// And, where strace is installed, the proof on a real run: not one socket is opened.
#[cfg(target_os = "linux")]
#[test]
fn a_real_run_opens_no_socket() {
    let available = std::process::Command::new("strace")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        eprintln!("skipping: strace is not installed");
        return;
    }
    let binary = assert_cmd::cargo::cargo_bin("triggerlint");
    let output = std::process::Command::new("strace")
        .args([
            "-f",
            "-qq",
            "-e",
            "trace=socket,connect",
            "-o",
            "/dev/stderr",
        ])
        .arg(&binary)
        .args([
            "check",
            "--exit-zero",
            "--format",
            "sarif",
            "examples",
            "fixtures",
        ])
        .current_dir(common::project_root())
        .output()
        .unwrap();
    let trace = String::from_utf8_lossy(&output.stderr);
    if trace.contains("PTRACE_TRACEME") || trace.contains("Operation not permitted") {
        eprintln!("skipping: ptrace is not permitted here: {trace}");
        return;
    }
    assert_eq!(output.status.code(), Some(0), "{trace}");
    assert!(!trace.contains("socket("), "{trace}");
    assert!(!trace.contains("connect("), "{trace}");
}

/// Every input the fuzzers ever crashed on stays fixed: linted and rendered in every format.
#[test]
fn fuzz_regressions_stay_fixed() {
    let dir = common::project_root().join("fuzz/regressions");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        count += 1;
        let bytes = std::fs::read(&path).unwrap();
        for name in ["serverless.yml", "template.json", "template"] {
            let run = triggerlint::run_bytes(name, &bytes, &triggerlint::config::Config::default());
            let internal = run
                .errors
                .iter()
                .any(|e| e.message.contains("internal error"));
            assert!(!internal, "{}: {:?}", path.display(), run.errors);
            common::render_every_format(&run);
        }
    }
    eprintln!("{count} fuzz regression inputs replayed");
}
