//! The command line: parse arguments, run the library, print, and choose the exit code.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use std::sync::Arc;

use crate::config::{Config, Configs, Overrides};
use crate::engine::fix::{FileFix, FixMode, fix_report};
use crate::engine::{FileReport, Keep};
use crate::report::{self, Render, Summary, Writer, human::Style};
use crate::rules::{self, Severity};

/// Exit codes, the same in every output format.
pub mod exit {
    /// Nothing at or above the `--fail-on` threshold.
    pub const CLEAN: u8 = 0;
    /// Findings at or above the threshold.
    pub const FINDINGS: u8 = 1;
    /// The linter could not run as asked: usage, an invalid configuration, a path it cannot
    /// read. (A template that does not parse is a finding.)
    pub const ERROR: u8 = 2;
}

#[derive(Parser, Debug)]
#[command(
    name = "triggerlint",
    version,
    about = "Lints AWS Lambda triggers (event source mappings) in Serverless Framework, SAM, CloudFormation and Terraform",
    after_help = AFTER_HELP
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// What the top-level help adds: the usual first steps, and what the exit status means.
const AFTER_HELP: &str = "\
Getting started:
  triggerlint check                              lint every template under the current folder
  triggerlint check --write-baseline tl.json     record today's findings, to adopt the linter
  triggerlint check --baseline tl.json           then report only findings that are new
  triggerlint inspect template.yaml              every setting's effective value and who chose it
  triggerlint explain TL101                      a rule's documentation

Settings come from the nearest triggerlint.toml (`select`, `ignore`, `exclude`, `fail-on`,
`[rules.<slug>]`); `# triggerlint: ignore[TL101] why` silences one trigger.

Exit status: 0 nothing at or above --fail-on; 1 findings (a template that does not parse is one);
2 the linter could not run: bad arguments, an invalid configuration, a path it cannot read.";

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Report risky, unset and invalid trigger settings.
    Check(CheckArgs),
    /// Show every trigger found with each setting's effective value and who chose it.
    Inspect(InspectArgs),
    /// List every rule.
    Rules(RulesArgs),
    /// Print a rule's documentation.
    Explain(ExplainArgs),
    /// Run the language server on standard input and output, for editors.
    Server(ServerArgs),
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Files or folders to lint; `-` reads one template from standard input.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// The lowest severity that makes the exit code 1 [default: warning, or `fail-on` from the
    /// configuration file].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Exit 0 even when there are findings, invalid-syntax included (what stops the linter,
    /// such as an invalid configuration or an unreadable path, still exits 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// Only run these rules (codes, slugs or code prefixes such as TL1); replaces the
    /// configuration file's `select`.
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Do not run these rules; added to the configuration file's `ignore`.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Report findings that `# triggerlint: ignore[...]` comments and Metadata entries hide.
    #[arg(long)]
    pub no_ignore: bool,
    /// Report only findings that this baseline file does not record.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<PathBuf>,
    /// Record today's findings in this file and exit 0 (unless some input could not be linted).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// The file name to report (and to choose YAML or JSON by) when reading standard input.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,
    /// Print how many findings each rule has, most frequent first, instead of the findings
    /// (human and concise formats).
    #[arg(long)]
    pub statistics: bool,
    /// Also append a Markdown summary (totals and a table of findings per rule) to this file:
    /// `$GITHUB_STEP_SUMMARY` in GitHub Actions.
    #[arg(long, value_name = "FILE")]
    pub job_summary: Option<PathBuf>,
    /// Apply the safe fixes to the files, then report what is left.
    #[arg(long, conflicts_with_all = ["write_baseline", "diff"])]
    pub fix: bool,
    /// Print the fixes as a unified diff and write nothing; exit 1 when there is something to
    /// fix, 0 when not.
    #[arg(long, conflicts_with = "write_baseline")]
    pub diff: bool,
    /// With `--fix` or `--diff`, also the fixes that change how a trigger behaves at run time.
    #[arg(long)]
    pub unsafe_fixes: bool,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// Where the settings come from.
#[derive(Args, Debug)]
pub struct ConfigArgs {
    /// The stage for Serverless variables (`${sls:stage}`, `${opt:stage}`, stage params)
    /// [default: `provider.stage`, else dev].
    #[arg(long)]
    pub stage: Option<String>,
    /// The region for Serverless variables (`${opt:region}`) [default: `provider.region`, else
    /// us-east-1].
    #[arg(long)]
    pub region: Option<String>,
    /// A Serverless parameter (`${param:KEY}`); repeatable.
    #[arg(long = "param", value_name = "KEY=VALUE", value_parser = parse_param)]
    pub params: Vec<(String, String)>,
    /// The service as the Serverless Framework resolved it for this run (JSON, written by the
    /// Serverless plugin): a variable that cannot be resolved here (`${ssm:...}`, another
    /// plugin's source) takes the value at the same place in it. For one service at a time.
    #[arg(long, value_name = "FILE")]
    pub resolved_service: Option<PathBuf>,
    /// Values of Terraform input variables, as `terraform -var-file` reads them (`.tfvars` or
    /// `.tfvars.json`); repeatable, later files win. Without it, a variable is its `default`.
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// Use this configuration file instead of searching for one.
    #[arg(long, value_name = "PATH", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore configuration files.
    #[arg(long)]
    pub no_config: bool,
    /// Do not lint files or folders matching this glob (relative to the working directory;
    /// `*` within a name, `**` across folders, `{a,b}` either): quote it so the shell does not
    /// expand it first. Repeatable, added to the configuration's `exclude`; a pattern that
    /// matches nothing is warned about.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Say which configuration file each file is linted with, and which files a folder walk
    /// passed over.
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// Files or folders to inspect; `FILE:LINE` shows only the trigger declared at that line
    /// (or the nearest one above it, so any line of a trigger's block picks it).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Show only the triggers whose logical path (`functions/consumer/events/0/stream`, the
    /// resource's id or address, as `check --format json` gives it) contains this text.
    #[arg(long, value_name = "TEXT")]
    pub trigger: Option<String>,
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
    #[command(flatten)]
    pub config: ConfigArgs,
}

#[derive(Args, Debug)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
}

#[derive(Args, Debug)]
pub struct ServerArgs {
    /// Talk over standard input and output (the only transport; accepted because editor
    /// clients often pass it).
    #[arg(long)]
    pub stdio: bool,
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// A rule code (TL101) or slug (stream-unbounded-retries).
    pub rule: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    /// One line per finding: `path:line:col: CODE [severity] message`.
    Concise,
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
}

impl From<FailOn> for Severity {
    fn from(f: FailOn) -> Severity {
        match f {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Note => Severity::Note,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Colour only on a terminal, and never when `NO_COLOR` is set to anything non-empty.
    fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                !no_color && std::io::stdout().is_terminal()
            }
        }
    }
}

/// Runs a parsed command line and returns the exit code.
pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Check(args) => check(args),
        Command::Inspect(args) => inspect(args),
        Command::Rules(args) => {
            let text = match args.format {
                ListFormat::Human => report::rules::render_human(),
                ListFormat::Json => report::rules::render_json(),
            };
            print(&text);
            exit::CLEAN
        }
        Command::Explain(args) => explain(&args.rule),
        Command::Server(_) => crate::server::serve(),
    }
}

fn check(args: CheckArgs) -> u8 {
    let style = Style {
        color: args.color.enabled(),
        unicode: false,
    };
    let overrides = Overrides {
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        fail_on: args.fail_on.map(Severity::from),
        no_ignore: args.no_ignore,
        // Only JSON and SARIF print a fix's edits, and `--fix` / `--diff` write them.
        inexact_fix_edits: !(args.fix
            || args.diff
            || matches!(args.format, Format::Json | Format::Sarif)),
        ..Overrides::default()
    };
    let configs = match configs(&args.config, overrides, style) {
        Ok(configs) => configs,
        Err(code) => return code,
    };
    if let Some(message) = args
        .select
        .iter()
        .chain(&args.ignore)
        .find_map(|s| crate::config::unknown_selector_message(s))
    {
        eprintln!("error: {message}");
        return exit::ERROR;
    }
    let baseline = match &args.baseline {
        Some(path) => match crate::baseline::read(path) {
            Ok(baseline) => Some(baseline),
            Err(message) => {
                eprintln!("error: {message}");
                return exit::ERROR;
            }
        },
        None => None,
    };
    if let Some(path) = &args.write_baseline {
        return write_baseline(&args, &configs, path, style);
    }
    let fix_mode = FixMode {
        unsafe_fixes: args.unsafe_fixes,
    };
    let fixed = if args.fix || args.diff {
        if reads_stdin(&args) {
            eprintln!("error: --fix and --diff work on files, not standard input");
            return exit::ERROR;
        }
        let fixes = collect_fixes(&args.paths, &configs, fix_mode);
        if args.diff {
            return print_diffs(&fixes);
        }
        Some(write_fixes(&fixes))
    } else {
        None
    };
    let stdout = Quiet::new(std::io::stdout().lock());
    fn text<W: std::io::Write + 'static>(
        out: W,
        statistics: bool,
        fix_hints: bool,
    ) -> Box<dyn Writer> {
        let mut writer = report::TextWriter::new(out);
        if statistics {
            writer = writer.with_statistics();
        }
        if fix_hints {
            writer = writer.with_fix_hints();
        }
        Box::new(writer)
    }
    let (render, mut writer): (Box<dyn Render>, Box<dyn Writer>) = match args.format {
        Format::Human => (
            Box::new(report::human::HumanRender { style }),
            text(stdout, args.statistics, true),
        ),
        Format::Concise => (
            Box::new(report::concise::ConciseRender),
            text(stdout, args.statistics, false),
        ),
        Format::Json => (
            Box::new(report::json::JsonRender),
            Box::new(report::json::JsonWriter::new(stdout)),
        ),
        Format::Sarif => (
            Box::new(report::sarif::SarifRender),
            Box::new(report::sarif::SarifWriter::new(stdout)),
        ),
        // GitHub shows only so many annotations per step: the counts per rule follow them.
        Format::Github => (
            Box::new(report::github::GithubRender),
            text(stdout, true, false),
        ),
    };
    let statistics_only = args.statistics && matches!(args.format, Format::Human | Format::Concise);
    let mut summary = Summary {
        fixed,
        ..Summary::default()
    };
    // Baseline and rendering run on the worker threads; the main thread writes in order.
    let prepare = |report: &mut FileReport| {
        if let Some(baseline) = &baseline {
            report.apply_baseline(baseline);
        }
        let batch = report.batch();
        if statistics_only {
            // The table is the output: what kept files from being linted is one line each.
            report::concise::ConciseRender.render(report::Batch {
                findings: &[],
                ..batch
            })
        } else {
            render.render(batch)
        }
    };
    let verbose = args.config.verbose;
    let linted = lint(&args, &configs, prepare, |report, rendered| {
        if verbose {
            explain_file(&report);
        }
        summary.add(&report);
        // Output errors (a closed pipe) are swallowed by `Quiet`.
        let _ = writer.write(rendered);
    });
    if let Err(message) = linted {
        eprintln!("error: {message}");
        return exit::ERROR;
    }
    let _ = writer.finish(&summary);
    warn_about_unused_excludes(&configs);
    if let Some(path) = &args.job_summary
        && let Err(e) = append(path, &report::job_summary::render(&summary))
    {
        eprintln!(
            "error: cannot write the job summary to {}: {e}",
            path.display()
        );
        return exit::ERROR;
    }
    let nothing_read = summary.templates + summary.modules + summary.deployed == 0
        && summary.errors + summary.findings.total() == 0;
    if nothing_read && !reads_stdin(&args) {
        eprintln!(
            "triggerlint: no Serverless, SAM, CloudFormation or Terraform file found in {}",
            args.paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    exit_code(&summary, args.exit_zero)
}

/// The fixes of every file linted, applied in memory.
fn collect_fixes(paths: &[PathBuf], configs: &Arc<Configs>, mode: FixMode) -> Vec<FileFix> {
    let mut fixes = Vec::new();
    let prepare = |report: &mut FileReport| match configs.for_file(&report.path) {
        Ok(config) => fix_report(report, &config, mode),
        // A module's path is its folder; its files share one configuration.
        Err(_) => Vec::new(),
    };
    crate::engine::lint_each_prepared(paths, configs, Keep::Output, prepare, |_, fixed| {
        fixes.extend(fixed);
    });
    fixes
}

/// `--diff`: the fixes as one unified diff; 1 when there is something to fix.
fn print_diffs(fixes: &[FileFix]) -> u8 {
    let mut out = std::io::stdout().lock();
    let mut changed = 0;
    for fix in fixes {
        report_fix_problems(fix);
        if fix.fixed != fix.original {
            changed += fix.count();
            let _ = out.write_all(fix.diff().as_bytes());
        }
    }
    let _ = out.flush();
    let changed_files = fixes.iter().filter(|f| f.fixed != f.original);
    eprintln!(
        "triggerlint: {changed} {} would be applied ({}){}",
        if changed == 1 { "fix" } else { "fixes" },
        report::plural(changed_files.clone().count(), "file"),
        per_rule(changed_files)
    );
    if changed > 0 {
        exit::FINDINGS
    } else {
        exit::CLEAN
    }
}

/// `--fix`: writes every fixed file; the number of fixes written.
fn write_fixes(fixes: &[FileFix]) -> usize {
    let mut written = Vec::new();
    for fix in fixes {
        report_fix_problems(fix);
        if fix.fixed == fix.original {
            continue;
        }
        match fix.write() {
            Ok(()) => written.push(fix),
            Err(message) => eprintln!("warning: {message}"),
        }
    }
    if !written.is_empty() {
        eprintln!(
            "triggerlint: fixed {}{}",
            report::plural(written.len(), "file"),
            per_rule(written.iter().copied())
        );
    }
    written.iter().map(|f| f.count()).sum()
}

/// `: TL002 3, TL201 1`: the fixes of these files by rule.
fn per_rule<'f>(fixes: impl Iterator<Item = &'f FileFix>) -> String {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for fix in fixes {
        for (code, n) in &fix.applied {
            *counts.entry(code).or_default() += n;
        }
    }
    if counts.is_empty() {
        return String::new();
    }
    let listed: Vec<String> = counts.iter().map(|(c, n)| format!("{c} {n}")).collect();
    format!(": {}", listed.join(", "))
}

fn report_fix_problems(fix: &FileFix) {
    for problem in &fix.problems {
        eprintln!("warning: {problem}");
    }
}

/// An `exclude` pattern that matched nothing is most likely mistyped (or written for a shell
/// that would have expanded `{a,b}` itself).
fn warn_about_unused_excludes(configs: &Configs) {
    for (pattern, source) in configs.unused_excludes() {
        let from = source.map_or_else(
            || "--exclude".to_string(),
            |path| format!("`exclude` in {}", report::display_path(&path)),
        );
        eprintln!("warning: the {from} pattern `{pattern}` matched nothing");
    }
}

/// Appends to a file, creating it: a CI job's summary file collects every step's.
fn append(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}

fn reads_stdin(args: &CheckArgs) -> bool {
    args.paths.iter().any(|p| p.as_os_str() == "-")
}

/// `-v`: which configuration a file was linted with, or why a walk passed over it.
fn explain_file(report: &FileReport) {
    let path = report::display_path(&report.path);
    if let Some(reason) = &report.skipped {
        eprintln!("triggerlint: skipped {path}: {reason}");
        return;
    }
    for (part, reason) in &report.skipped_parts {
        eprintln!(
            "triggerlint: skipped {}: {reason}",
            report::display_path(part)
        );
    }
    match &report.config_source {
        Some(config) => eprintln!(
            "triggerlint: {path}: configuration {}",
            report::display_path(config)
        ),
        None => eprintln!("triggerlint: {path}: default configuration"),
    }
}

/// Lints the paths, or standard input when the only path is `-`, handing each file's report
/// with what `prepare` made of it (on a worker thread) to `emit`, in order.
fn lint<T: Send>(
    args: &CheckArgs,
    configs: &Arc<Configs>,
    prepare: impl Fn(&mut FileReport) -> T + Sync,
    mut emit: impl FnMut(FileReport, T),
) -> Result<(), String> {
    if !reads_stdin(args) {
        crate::engine::lint_each_prepared(&args.paths, configs, Keep::Output, prepare, emit);
        return Ok(());
    }
    if args.paths.len() > 1 {
        return Err("`-` (standard input) cannot be combined with other paths".to_string());
    }
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(std::io::stdin().lock(), crate::parse::MAX_FILE_BYTES + 1),
        &mut bytes,
    )
    .map_err(|e| {
        format!(
            "cannot read standard input: {}",
            crate::discover::io_message(&e)
        )
    })?;
    if bytes.len() as u64 > crate::parse::MAX_FILE_BYTES {
        return Err("standard input is larger than the 64 MiB limit".to_string());
    }
    let name = args
        .stdin_filename
        .clone()
        .unwrap_or_else(|| PathBuf::from("<stdin>"));
    // The configuration is the one the named file would have.
    let config = configs.for_file(&name).map_err(|e| {
        format!(
            "the configuration file {} is invalid: {}",
            e.path.display(),
            e.summary()
        )
    })?;
    let mut report = crate::engine::report_bytes(name, &bytes, &config);
    let prepared = prepare(&mut report);
    emit(report, prepared);
    Ok(())
}

/// Records the findings; files that could not be linted still make the exit code 2, since
/// their findings are missing from the baseline.
fn write_baseline(
    args: &CheckArgs,
    configs: &Arc<Configs>,
    path: &std::path::Path,
    style: Style,
) -> u8 {
    let mut recorder = crate::baseline::Recorder::new(path);
    let render = report::human::HumanRender { style };
    let mut errors = report::TextWriter::new(Quiet::new(std::io::stdout().lock()));
    let mut failed = false;
    // Only the errors are shown: the findings go into the baseline.
    let errors_only = |report: &mut FileReport| {
        render.render(report::Batch {
            findings: &[],
            ignored: &[],
            baselined: &[],
            ..report.batch()
        })
    };
    let linted = lint(args, configs, errors_only, |report, rendered| {
        recorder.add(&report.sources, &report.findings);
        failed |= !report.errors.is_empty();
        let _ = errors.write(rendered);
    });
    if let Err(message) = linted {
        eprintln!("error: {message}");
        return exit::ERROR;
    }
    match recorder.write() {
        Ok(count) => {
            eprintln!(
                "wrote {} to the baseline {}",
                report::plural(count, "finding"),
                path.display()
            );
            if failed { exit::ERROR } else { exit::CLEAN }
        }
        Err(message) => {
            eprintln!("error: {message}");
            exit::ERROR
        }
    }
}

/// Standard output that stops writing quietly once the reader is gone (`| head`).
struct Quiet<W: Write> {
    out: W,
    closed: bool,
}

impl<W: Write> Quiet<W> {
    fn new(out: W) -> Self {
        Quiet { out, closed: false }
    }
}

impl<W: Write> Write for Quiet<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if !self.closed && self.out.write_all(bytes).is_err() {
            self.closed = true;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.closed && self.out.flush().is_err() {
            self.closed = true;
        }
        Ok(())
    }
}

/// Where each file's settings come from: the file given with `--config`, none with
/// `--no-config`, else the configuration file nearest each file. The command line's settings
/// go on top. Prints the problem and returns exit code 2 when a named file is invalid.
fn configs(args: &ConfigArgs, mut overrides: Overrides, style: Style) -> Result<Arc<Configs>, u8> {
    let resolved = match &args.resolved_service {
        Some(path) => match crate::load::variables::read_resolved_service(path) {
            Ok(root) => Some(Arc::new(root)),
            Err(message) => {
                eprintln!("error: {message}");
                return Err(exit::ERROR);
            }
        },
        None => None,
    };
    overrides.serverless = crate::load::variables::ServerlessOptions {
        stage: args.stage.clone(),
        region: args.region.clone(),
        params: args.params.clone(),
        resolved,
    };
    overrides.var_files.clone_from(&args.var_files);
    if !args.exclude.is_empty() {
        let cwd = std::env::current_dir().unwrap_or_default();
        overrides.exclude = crate::config::Exclude::new(&cwd, &args.exclude).map_err(|e| {
            eprintln!("error: --exclude: {e}");
            exit::ERROR
        })?;
    }
    if args.no_config {
        if args.verbose {
            eprintln!("triggerlint: not reading configuration files (--no-config)");
        }
        return Ok(Arc::new(Configs::fixed_with(Config::default(), overrides)));
    }
    let Some(path) = &args.config else {
        return Ok(Arc::new(Configs::nearest(overrides)));
    };
    if args.verbose {
        eprintln!("triggerlint: using configuration {}", path.display());
    }
    let config = crate::config::load(path).map_err(|e| config_failed(&e, style))?;
    Ok(Arc::new(Configs::fixed_with(config, overrides)))
}

fn parse_param(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
        _ => Err(format!("`{text}` is not KEY=VALUE")),
    }
}

fn config_failed(error: &crate::config::ConfigError, style: Style) -> u8 {
    eprint!("{}", report::human::render_config_error(error, style));
    exit::ERROR
}

/// 2 when some input could not be linted, else 1 when a finding reaches the threshold of its
/// file's configuration.
pub fn exit_code(summary: &Summary, exit_zero: bool) -> u8 {
    if summary.errors > 0 {
        exit::ERROR
    } else if !exit_zero && summary.failing {
        exit::FINDINGS
    } else {
        exit::CLEAN
    }
}

fn inspect(args: InspectArgs) -> u8 {
    let style = Style {
        color: false,
        unicode: false,
    };
    let configs = match configs(&args.config, Overrides::default(), style) {
        Ok(configs) => configs,
        Err(code) => return code,
    };
    let (paths, lines) = split_line_selectors(&args.paths);
    let mut run = crate::engine::run_with(&paths, &configs);
    run.triggers = selected_triggers(&run, &lines, args.trigger.as_deref());
    let text = match args.format {
        ListFormat::Human => report::inspect::render_human(&run),
        ListFormat::Json => report::inspect::render_json(&run),
    };
    print(&text);
    let syntax = &rules::invalid_syntax::RULE;
    if !run.errors.is_empty() {
        exit::ERROR
    } else if run.findings.iter().any(|f| std::ptr::eq(f.rule, syntax)) {
        exit::FINDINGS
    } else {
        exit::CLEAN
    }
}

/// `FILE:LINE` arguments (where `FILE:LINE` itself is not a path): the files to read, and the
/// lines whose triggers are asked for, by file.
fn split_line_selectors(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<(PathBuf, usize)>) {
    let mut files = Vec::new();
    let mut lines = Vec::new();
    for path in paths {
        let selector = path
            .to_str()
            .filter(|_| !path.exists())
            .and_then(|text| text.rsplit_once(':'))
            .and_then(|(file, line)| Some((PathBuf::from(file), line.parse::<usize>().ok()?)));
        match selector {
            Some((file, line)) => {
                lines.push((crate::discover::absolute(&file), line));
                files.push(file);
            }
            None => files.push(path.clone()),
        }
    }
    (files, lines)
}

/// The triggers asked for: in a file named with a line, the one declared at that line or the
/// nearest above it; with `--trigger`, those whose logical path contains the text.
fn selected_triggers(
    run: &crate::Run,
    lines: &[(PathBuf, usize)],
    text: Option<&str>,
) -> Vec<crate::model::Trigger> {
    let file_of =
        |t: &crate::model::Trigger| crate::discover::absolute(&run.sources.get(t.file).path);
    let line_of = |t: &crate::model::Trigger| {
        run.sources
            .get(t.anchor.file)
            .line_col(t.anchor.start as usize)
            .line
    };
    let at_line = |t: &crate::model::Trigger| {
        let file = file_of(t);
        let wanted: Vec<usize> = lines
            .iter()
            .filter(|(f, _)| *f == file)
            .map(|(_, l)| *l)
            .collect();
        // A file named without a line (or found in a folder) is shown whole.
        if wanted.is_empty() {
            return true;
        }
        wanted.iter().any(|&line| {
            // The nearest trigger declared at or above the line, in the same file.
            let nearest = run
                .triggers
                .iter()
                .filter(|o| file_of(o) == file && line_of(o) <= line)
                .map(line_of)
                .max();
            nearest == Some(line_of(t))
        })
    };
    run.triggers
        .iter()
        .filter(|t| at_line(t))
        .filter(|t| text.is_none_or(|text| t.path.contains(text)))
        .cloned()
        .collect()
}

fn explain(name: &str) -> u8 {
    match rules::find(name) {
        Some(rule) => {
            print(rule.docs);
            exit::CLEAN
        }
        None => {
            let names = rules::ALL.iter().flat_map(|r| [r.slug, r.code]);
            let hint = crate::text::closest(name, names)
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            eprintln!("error: no rule is called `{name}`{hint} (`triggerlint rules` lists them)");
            exit::ERROR
        }
    }
}

/// Prints to stdout; a closed pipe (`| head`) is not an error worth a panic.
fn print(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}
