//! The command line: parse arguments, run the library, print, and choose the exit code.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::Config;
use crate::report::{self, human::Style};
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
    /// Files or folders to lint.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// The lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
    /// Exit 0 even when there are findings (parse and read errors still exit 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// Only run these rules (codes, slugs or code prefixes such as TL1); repeatable or comma separated.
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Do not run these rules (codes, slugs or code prefixes).
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Args, Debug)]
pub struct InspectArgs {
    /// Files or folders to inspect.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
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
    let config = Config {
        select: args.select,
        ignore: args.ignore,
        fail_on: args.fail_on.into(),
        ..Config::default()
    };
    if let Some(unknown) = unknown_selector(&config) {
        eprintln!("error: `{unknown}` names no rule; `triggerlint rules` lists them");
        return exit::ERROR;
    }
    let run = crate::run(&args.paths, &config);
    let text = match args.format {
        Format::Human => report::human::render(
            &run,
            Style {
                color: args.color.enabled(),
                unicode: false,
            },
        ),
        Format::Json => report::json::render(&run),
    };
    print(&text);
    exit_code(&run, &config, args.exit_zero)
}

/// 2 when some input could not be linted, else 1 when a finding reaches the threshold.
pub fn exit_code(run: &crate::Run, config: &Config, exit_zero: bool) -> u8 {
    if !run.errors.is_empty() {
        exit::ERROR
    } else if !exit_zero && run.findings.iter().any(|f| f.severity >= config.fail_on) {
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
    let run = crate::run(&args.paths, &Config::default());
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
