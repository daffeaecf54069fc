//! The command line: parse arguments, run the library, print, and choose the exit code.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::Config;
use crate::engine::{FileReport, Keep};
use crate::report::{self, Render, Summary, Writer, human::Style};
use crate::rules::{self, Severity};

/// Exit codes, the same in every output format.
pub mod exit {
    /// Nothing at or above the `--fail-on` threshold.
    pub const CLEAN: u8 = 0;
    /// Findings at or above the threshold.
    pub const FINDINGS: u8 = 1;
    /// Some input could not be linted (usage, unreadable file, parse error).
    pub const ERROR: u8 = 2;
}

#[derive(Parser, Debug)]
#[command(
    name = "triggerlint",
    version,
    about = "Lints AWS Lambda triggers (event source mappings) in Serverless Framework, SAM and CloudFormation templates"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

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
    /// Exit 0 even when there are findings (parse and read errors still exit 2).
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
    /// Use this configuration file instead of searching for one.
    #[arg(long, value_name = "PATH", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore configuration files.
    #[arg(long)]
    pub no_config: bool,
    /// Say which configuration file is used.
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// Files or folders to inspect.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
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
pub struct ExplainArgs {
    /// A rule code (TL101) or slug (stream-unbounded-retries).
    pub rule: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
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
    }
}

fn check(args: CheckArgs) -> u8 {
    let style = Style {
        color: args.color.enabled(),
        unicode: false,
    };
    let mut config = match load_config_and_options(&args.config, style) {
        Ok(config) => config,
        Err(code) => return code,
    };
    if !args.select.is_empty() {
        config.select = args.select.clone();
    }
    config.ignore.extend(args.ignore.iter().cloned());
    if let Some(fail_on) = args.fail_on {
        config.fail_on = fail_on.into();
    }
    config.no_ignore = args.no_ignore;
    if let Some(unknown) = unknown_selector(&config) {
        eprintln!("error: `{unknown}` names no rule; `triggerlint rules` lists them");
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
        return write_baseline(&args, &config, path, style);
    }
    let stdout = Quiet::new(std::io::stdout().lock());
    let (render, mut writer): (Box<dyn Render>, Box<dyn Writer>) = match args.format {
        Format::Human => (
            Box::new(report::human::HumanRender { style }),
            Box::new(report::TextWriter::new(stdout)),
        ),
        Format::Json => (
            Box::new(report::json::JsonRender),
            Box::new(report::json::JsonWriter::new(stdout)),
        ),
        Format::Sarif => (
            Box::new(report::sarif::SarifRender),
            Box::new(report::sarif::SarifWriter::new(stdout)),
        ),
        Format::Github => (
            Box::new(report::github::GithubRender),
            Box::new(report::TextWriter::new(stdout)),
        ),
    };
    let mut summary = Summary::default();
    // Baseline and rendering run on the worker threads; the main thread writes in order.
    let prepare = |report: &mut FileReport| {
        if let Some(baseline) = &baseline {
            report.apply_baseline(baseline);
        }
        render.render(report.batch())
    };
    let linted = lint(&args, &config, prepare, |report, rendered| {
        summary.add(&report);
        // Output errors (a closed pipe) are swallowed by `Quiet`.
        let _ = writer.write(rendered);
    });
    if let Err(message) = linted {
        eprintln!("error: {message}");
        return exit::ERROR;
    }
    let _ = writer.finish(&summary);
    exit_code(&summary, &config, args.exit_zero)
}

/// Lints the paths, or standard input when the only path is `-`, handing each file's report
/// with what `prepare` made of it (on a worker thread) to `emit`, in order.
fn lint<T: Send>(
    args: &CheckArgs,
    config: &Config,
    prepare: impl Fn(&mut FileReport) -> T + Sync,
    mut emit: impl FnMut(FileReport, T),
) -> Result<(), String> {
    let stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    if !stdin {
        crate::engine::lint_each_prepared(&args.paths, config, Keep::Output, prepare, emit);
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
    let mut report = crate::engine::report_bytes(name, &bytes, config);
    let prepared = prepare(&mut report);
    emit(report, prepared);
    Ok(())
}

/// Records the findings; files that could not be linted still make the exit code 2, since
/// their findings are missing from the baseline.
fn write_baseline(args: &CheckArgs, config: &Config, path: &std::path::Path, style: Style) -> u8 {
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
    let linted = lint(args, config, errors_only, |report, rendered| {
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

/// The configuration file's settings, or the defaults; prints the problem and returns exit
/// code 2 when the file is invalid.
fn load_config(args: &ConfigArgs, style: Style) -> Result<Config, u8> {
    if args.no_config {
        if args.verbose {
            eprintln!("triggerlint: not reading configuration files (--no-config)");
        }
        return Ok(Config::default());
    }
    let path = match &args.config {
        Some(path) => Some(path.clone()),
        None => {
            let cwd = std::env::current_dir().unwrap_or_default();
            crate::config::discover(&cwd).map_err(|e| config_failed(&e, style))?
        }
    };
    let Some(path) = path else {
        if args.verbose {
            eprintln!("triggerlint: no triggerlint.toml found; using the defaults");
        }
        return Ok(Config::default());
    };
    if args.verbose {
        eprintln!("triggerlint: using configuration {}", path.display());
    }
    crate::config::load(&path).map_err(|e| config_failed(&e, style))
}

/// The configuration, with the Serverless stage, region and parameters of the command line.
fn load_config_and_options(args: &ConfigArgs, style: Style) -> Result<Config, u8> {
    let mut config = load_config(args, style)?;
    config.serverless = crate::load::variables::ServerlessOptions {
        stage: args.stage.clone(),
        region: args.region.clone(),
        params: args.params.clone(),
    };
    Ok(config)
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

/// 2 when some input could not be linted, else 1 when a finding reaches the threshold.
pub fn exit_code(summary: &Summary, config: &Config, exit_zero: bool) -> u8 {
    if summary.errors > 0 {
        exit::ERROR
    } else if !exit_zero && summary.findings.reaches(config.fail_on) {
        exit::FINDINGS
    } else {
        exit::CLEAN
    }
}

fn unknown_selector(config: &Config) -> Option<&str> {
    config
        .select
        .iter()
        .chain(&config.ignore)
        .map(String::as_str)
        .find(|s| !rules::ALL.iter().any(|r| r.matches(s)))
}

fn inspect(args: InspectArgs) -> u8 {
    let style = Style {
        color: false,
        unicode: false,
    };
    let config = match load_config_and_options(&args.config, style) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let run = crate::run(&args.paths, &config);
    let text = match args.format {
        ListFormat::Human => report::inspect::render_human(&run),
        ListFormat::Json => report::inspect::render_json(&run),
    };
    print(&text);
    if run.errors.is_empty() {
        exit::CLEAN
    } else {
        exit::ERROR
    }
}

fn explain(name: &str) -> u8 {
    match rules::find(name) {
        Some(rule) => {
            print(rule.docs);
            exit::CLEAN
        }
        None => {
            eprintln!("error: no rule is called `{name}`; `triggerlint rules` lists them");
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
