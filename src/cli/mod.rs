//! Command-line arguments and dispatch.

mod check;
mod diff;
mod facts;
mod fmt;
mod generate;
mod history;
mod inputs;
mod interrupt;
mod lint;
mod load;
mod output;
mod packs;
mod progress;
mod schema;
mod serve;
mod sink;
mod test;
mod version;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

/// Exit codes of DESIGN.md. `--help` and the man pages list them (`EXITS_*` below).
pub const EXIT_PASS: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
/// A policy does not load, a file cannot be read, a usage error (clap's own too), or the
/// results cannot be written.
pub const EXIT_FAILURE: u8 = 2;
/// A run stopped by Ctrl-C (128 + SIGINT, as a shell reports it).
pub const EXIT_INTERRUPTED: u8 = 130;

/// The exit codes a command's `--help` and man page list, by command: one table each, built on
/// the constants above.
type ExitCodes = &'static [(u8, &'static str)];

const EXITS_MAIN: ExitCodes = &[
    (
        EXIT_PASS,
        "every claim passes (`check`), every test passes (`test`)",
    ),
    (
        EXIT_FINDINGS,
        "some claim is deny, review or error, or a test fails; `fmt --check` and `diff` found a \
         change",
    ),
    (
        EXIT_FAILURE,
        "a policy does not load, a file cannot be read, a usage error, or results cannot be \
         written",
    ),
    (EXIT_INTERRUPTED, "stopped by Ctrl-C"),
];

const EXITS_CHECK: ExitCodes = &[
    (EXIT_PASS, "every claim passes"),
    (EXIT_FINDINGS, "some claim is deny, review or error"),
    (
        EXIT_FAILURE,
        "a policy does not load, a claims file cannot be read, a usage error, or results cannot \
         be written",
    ),
    (
        EXIT_INTERRUPTED,
        "stopped by Ctrl-C (the claims read before it are judged and written)",
    ),
];

const EXITS_TEST: ExitCodes = &[
    (EXIT_PASS, "every test passes"),
    (
        EXIT_FINDINGS,
        "a test fails, a test file has a syntax error, or the tests fire fewer rules than \
         `--min-coverage`",
    ),
    (
        EXIT_FAILURE,
        "a policy does not load, a file cannot be read, a usage error, or the report cannot be \
         written",
    ),
    (EXIT_INTERRUPTED, "stopped by Ctrl-C"),
];

const EXITS_LINT: ExitCodes = &[
    (EXIT_PASS, "no errors (warnings alone pass)"),
    (
        EXIT_FAILURE,
        "a policy or test file has an error, a file cannot be read, a usage error, or the report \
         cannot be written",
    ),
    (EXIT_INTERRUPTED, "stopped by Ctrl-C"),
];

const EXITS_SERVE: ExitCodes = &[
    (
        EXIT_PASS,
        "stopped by SIGTERM or Ctrl-C, after the requests in flight were answered",
    ),
    (
        EXIT_FAILURE,
        "a policy does not load, the address cannot be listened on, a file cannot be read, or a \
         usage error",
    ),
];

const EXITS_IMPORT: ExitCodes = &[
    (EXIT_PASS, "every claim is recorded"),
    (
        EXIT_FINDINGS,
        "some claims are skipped: they do not read, or name no member (each is listed on stderr)",
    ),
    (
        EXIT_FAILURE,
        "a claims file cannot be read, the history database cannot be opened or written, or a \
         usage error",
    ),
];

const EXITS_SHOW: ExitCodes = &[
    (EXIT_PASS, "the member's lines are shown"),
    (EXIT_FINDINGS, "no claim of the member is recorded"),
    (
        EXIT_FAILURE,
        "the history database cannot be opened or read, or a usage error",
    ),
];

/// The exit codes listed for a command (`claimrules` for the main one), if any are.
pub fn exit_codes_of(command: &str) -> Option<ExitCodes> {
    match command {
        "claimrules" => Some(EXITS_MAIN),
        "check" => Some(EXITS_CHECK),
        "test" => Some(EXITS_TEST),
        "lint" => Some(EXITS_LINT),
        "serve" => Some(EXITS_SERVE),
        "import" => Some(EXITS_IMPORT),
        "show" => Some(EXITS_SHOW),
        _ => None,
    }
}

/// The `Exit codes:` section of a command's `--help`.
fn exit_codes_help(codes: ExitCodes) -> String {
    let mut text = String::from("Exit codes:\n");
    for (code, meaning) in codes {
        let _ = writeln!(text, "  {code:<3}  {meaning}");
    }
    text
}

#[derive(Parser, Debug)]
#[command(
    name = "claimrules",
    version,
    about = "Payer and coding policies, written as readable rules, run over claims",
    after_help = exit_codes_help(EXITS_MAIN)
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Judge claims with the standard pack and any payer packs.
    #[command(after_help = exit_codes_help(EXITS_CHECK))]
    Check(CheckArgs),
    /// Run the policy tests (`*.test.policy`) of the packs and of the paths given.
    #[command(after_help = exit_codes_help(EXITS_TEST))]
    Test(TestArgs),
    /// Check policies without judging claims: every error and warning, with how to fix it.
    #[command(after_help = exit_codes_help(EXITS_LINT))]
    Lint(LintArgs),
    /// Rewrite policy and test files in the canonical layout; comments are kept. `-` formats
    /// standard input to standard output.
    Fmt(FmtArgs),
    /// List the loaded packs: name, version, what each overrides, disables or changes, content
    /// hash.
    Packs(PacksArgs),
    /// Judge the same claims with old and new packs; list every claim whose outcome changes.
    Diff(DiffArgs),
    /// Print each claim's documentation facts after its note is read, and where each came
    /// from: one JSON object a line.
    Facts(FactsArgs),
    /// Serve the engine over HTTP: judge claims, list the packs, lint and try policies, the
    /// playground page, metrics (docs/serve.md).
    #[command(after_help = exit_codes_help(EXITS_SERVE))]
    Serve(ServeArgs),
    /// The claim history store: import a payer's past claims, show a member's lines
    /// (docs/history.md).
    History(HistoryArgs),
    /// Print a shell completion script: `claimrules completions bash > claimrules.bash`.
    Completions(CompletionsArgs),
    /// Print the man page (roff) of `claimrules`, or write one page per command to a folder.
    Man(ManArgs),
    /// Print the JSON Schema of the claim input or of one result (`schemas/` in the
    /// repository).
    Schema(schema::SchemaArgs),
}

impl Command {
    /// Whether `--no-cache` was given to a command that loads packs.
    fn no_cache(&self) -> bool {
        match self {
            Command::Check(a) => a.packs.base.no_cache,
            Command::Test(a) => a.packs.base.no_cache,
            Command::Lint(a) => a.packs.base.no_cache,
            Command::Packs(a) => a.packs.base.no_cache,
            Command::Facts(a) => a.packs.base.no_cache,
            Command::Serve(a) => a.packs.base.no_cache,
            Command::Diff(a) => a.base.no_cache,
            Command::Fmt(_)
            | Command::Completions(_)
            | Command::Man(_)
            | Command::Schema(_)
            | Command::History(_) => false,
        }
    }
}

#[derive(clap::Args, Debug)]
pub struct HistoryArgs {
    #[command(subcommand)]
    pub command: HistoryCommand,
}

#[derive(Subcommand, Debug)]
pub enum HistoryCommand {
    /// Record claims (JSON or X12) as paid history, a payer's past adjudications. A claim id
    /// already recorded is replaced, never duplicated.
    #[command(after_help = exit_codes_help(EXITS_IMPORT))]
    Import(ImportArgs),
    /// Print a member's recorded lines, newest first.
    #[command(after_help = exit_codes_help(EXITS_SHOW))]
    Show(ShowArgs),
}

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// The history database: an SQLite file (created when missing) or
    /// `postgres://user@host/database`.
    #[arg(long, value_name = "DB")]
    pub history: String,
    /// The claims' format; `auto` reads X12 when an input starts with `ISA`, JSON otherwise.
    #[arg(long, value_enum, default_value = "auto")]
    pub input: InputArg,
    /// No summary on stderr (skipped claims are still listed).
    #[arg(long, short)]
    pub quiet: bool,
    /// Claim files: JSON (one claim object, a JSON array, or NDJSON) or X12 837P. `-` (or
    /// nothing, when input is piped) reads standard input.
    #[arg(value_name = "CLAIMS")]
    pub claims: Vec<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct ShowArgs {
    /// The history database: an SQLite file or `postgres://user@host/database`.
    #[arg(long, value_name = "DB")]
    pub history: String,
    /// `text` for people, `json` for tools.
    #[arg(long, value_enum, default_value = "text")]
    pub format: LintFormat,
    /// The member id (`patient.member_id` of the claims).
    #[arg(value_name = "MEMBER")]
    pub member: String,
}

#[derive(clap::Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

#[derive(clap::Args, Debug)]
pub struct ManArgs {
    /// Write `claimrules.1`, `claimrules-check.1`, … (one page per command) into this folder
    /// instead of printing the main page.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct FactsArgs {
    #[command(flatten)]
    pub packs: PackArgs,
    /// The claims' format; `auto` reads X12 when an input starts with `ISA`, JSON when it
    /// starts with `{` or `[`, and gives one error for an input that starts with anything else.
    #[arg(long, value_enum, default_value = "auto")]
    pub input: InputArg,
    /// Claim files: JSON (one claim object, a JSON array, or NDJSON) or X12 837P. `-` (or
    /// nothing, when input is piped) reads standard input.
    #[arg(value_name = "CLAIMS")]
    pub claims: Vec<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    #[command(flatten)]
    pub packs: PackArgs,
    /// The address to listen on; port 0 picks a free port. Once it listens, the server prints
    /// `listening on http://ADDR:PORT` on stderr.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
    /// A file holding the bearer token the admin endpoints (`/v1/admin/reload`) ask for;
    /// without it they are off (403).
    #[arg(long, value_name = "PATH")]
    pub admin_token_file: Option<PathBuf>,
    /// The largest request body, in bytes; a larger one is answered 413.
    #[arg(long, value_name = "BYTES", default_value_t = claimrules::serve::DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,
    /// The longest a request may take, in seconds; a slower one is answered 408.
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout_secs: u64,
    /// Worker threads judging one request's claims, 1 to 256; the number of cores by default.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=i64::from(claimrules::batch::MAX_THREADS)))]
    pub threads: Option<u16>,
    /// Judge each claim against the patient's earlier claims in this history database: an
    /// SQLite file or `postgres://user@host/database` (as `check --history`).
    #[arg(long, value_name = "DB")]
    pub history: Option<String>,
    /// Record each judged claim in the history (needs `--history`).
    #[arg(long, requires = "history")]
    pub record: bool,
}

#[derive(clap::Args, Debug)]
pub struct PacksArgs {
    #[command(flatten)]
    pub packs: PackArgs,
    /// `text` for people, `json` for tools.
    #[arg(long, value_enum, default_value = "text")]
    pub format: LintFormat,
}

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// A pack folder of the old set, layered over the standard pack (repeatable, in order).
    #[arg(long, value_name = "DIR")]
    pub old: Vec<PathBuf>,
    /// A pack folder of the new set, layered over the standard pack (repeatable, in order).
    #[arg(long, value_name = "DIR")]
    pub new: Vec<PathBuf>,
    /// The standard pack and the tables, alike for both sets.
    #[command(flatten)]
    pub base: BaseArgs,
    /// `text` for people, `json` for tools.
    #[arg(long, value_enum, default_value = "text")]
    pub format: LintFormat,
    /// Claim files: one claim object, a JSON array, or NDJSON.
    #[arg(value_name = "CLAIMS", required = true)]
    pub claims: Vec<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct FmtArgs {
    /// Change nothing; list the files that would change and exit 1 if any would. With `-`,
    /// print nothing on stdout, and exit 1 (saying so on stderr) when standard input is not in
    /// the canonical layout.
    #[arg(long)]
    pub check: bool,
    /// The file name standard input stands for (`-`): it names it in diagnostics, and a name
    /// ending in `.test.policy` formats it as a test file. Without it, text whose first item
    /// is a `test` is a test file.
    #[arg(long, value_name = "NAME")]
    pub stdin_name: Option<String>,
    /// Policy files (`*.policy`, `*.test.policy`), or folders searched for them; `-` alone
    /// reads standard input and writes the formatted text to standard output.
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct LintArgs {
    #[command(flatten)]
    pub packs: PackArgs,
    /// `text` for people, `json` for editors and CI.
    #[arg(long, value_enum, default_value = "text")]
    pub format: LintFormat,
    /// Policy folders (each a pack, layered in order) or single policy files, checked on top
    /// of the packs. Test files among them are checked too.
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LintFormat {
    Text,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct TestArgs {
    #[command(flatten)]
    pub packs: PackArgs,
    /// Test files, or folders searched for `*.test.policy` files, run besides the packs' own.
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,
    /// Report how many test cases fired each rule, and what the tests never exercise.
    #[arg(long)]
    pub coverage: bool,
    /// Fail (exit 1) when the tests fire fewer than this percentage of the rules; implies
    /// `--coverage`.
    #[arg(long, value_name = "PERCENT")]
    pub min_coverage: Option<f64>,
    /// `text` for people (diagnostics on stderr), `json` for CI (one document on stdout).
    #[arg(long, value_enum, default_value = "text")]
    pub format: LintFormat,
}

/// Which policies to load.
#[derive(clap::Args, Debug, Clone)]
pub struct PackArgs {
    /// A payer pack folder, layered over the standard pack (repeatable, in order).
    #[arg(long = "pack", value_name = "DIR")]
    pub packs: Vec<PathBuf>,
    #[command(flatten)]
    pub base: BaseArgs,
}

/// What every command that loads packs shares, besides the pack folders: whether the standard
/// pack is under them, and where the tables' data comes from.
#[derive(clap::Args, Debug, Clone)]
pub struct BaseArgs {
    /// Leave the embedded standard pack out (of both sets, for `diff`).
    #[arg(long)]
    pub no_default_pack: bool,
    /// Point a table a pack declares at other data, without editing a policy: a file, or a
    /// folder whose files are all read (CMS ships `-f1` … `-f4`). Repeatable; for `diff`, for
    /// both sets.
    #[arg(long = "table", value_name = "NAME=PATH", value_parser = parse_table_arg)]
    pub tables: Vec<(String, PathBuf)>,
    /// Read the national tables from their files, neither reading nor writing the compact-form
    /// cache (as `CLAIMRULES_CACHE=` does), for this run.
    #[arg(long)]
    pub no_cache: bool,
}

/// `NAME=PATH` of `--table`.
fn parse_table_arg(text: &str) -> Result<(String, PathBuf), String> {
    match text.split_once('=') {
        Some((name, path)) if !name.is_empty() && !path.is_empty() => {
            Ok((name.to_string(), PathBuf::from(path)))
        }
        _ => Err(format!(
            "`{text}` is not NAME=PATH, e.g. `ncci_ptp=data/ptp_practitioner_v30.1_2024q2.tsv`"
        )),
    }
}

impl PackArgs {
    /// An engine builder with these packs, in order, and these tables' data.
    pub fn builder(&self) -> claimrules::EngineBuilder {
        self.base
            .tables
            .iter()
            .fold(load::engine_of(&self.sources()), |b, (name, path)| {
                b.table_data(name.clone(), path.clone())
            })
    }

    /// The packs to load, in layering order: the standard pack unless left out, then each
    /// `--pack` folder.
    pub fn sources(&self) -> Vec<claimrules::PackSource> {
        let standard = (!self.base.no_default_pack).then_some(claimrules::PackSource::Standard);
        standard
            .into_iter()
            .chain(self.packs.iter().cloned().map(claimrules::PackSource::Dir))
            .collect()
    }
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub packs: PackArgs,
    /// Output format; `text` on a terminal, `ndjson` otherwise.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// The claims' format; `auto` reads X12 when an input starts with `ISA`, JSON when it
    /// starts with `{` or `[`, and gives one error for an input that starts with anything else.
    #[arg(long, value_enum, default_value = "auto")]
    pub input: InputArg,
    /// Add to each result the derived facts and every rule considered, with why it did or did
    /// not fire.
    #[arg(long)]
    pub explain: bool,
    /// Worker threads judging claims, 1 to 256; the number of cores by default (at most 256).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=i64::from(claimrules::batch::MAX_THREADS)))]
    pub threads: Option<u16>,
    /// No progress bar and no summary on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    /// Also write the run's summary as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub summary_json: Option<PathBuf>,
    /// Judge each claim against the patient's earlier claims in this history database: an
    /// SQLite file (created when missing) or `postgres://user@host/database`.
    #[arg(long, value_name = "DB")]
    pub history: Option<String>,
    /// Record each judged claim in the history, with its denied lines, so that later claims
    /// see it (needs `--history`).
    #[arg(long, requires = "history")]
    pub record: bool,
    /// Claim files: JSON (one claim object, a JSON array, or NDJSON) or X12 837P. `-` (or
    /// nothing, when input is piped) reads standard input.
    #[arg(value_name = "CLAIMS")]
    pub claims: Vec<PathBuf>,
}

/// `--input`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputArg {
    Auto,
    Json,
    X12,
}

impl InputArg {
    pub fn format(self) -> Option<claimrules::InputFormat> {
        match self {
            InputArg::Auto => None,
            InputArg::Json => Some(claimrules::InputFormat::Json),
            InputArg::X12 => Some(claimrules::InputFormat::X12),
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Ndjson,
}

impl Format {
    pub fn output(self) -> claimrules::OutputFormat {
        match self {
            Format::Text => claimrules::OutputFormat::Text,
            Format::Json => claimrules::OutputFormat::Json,
            Format::Ndjson => claimrules::OutputFormat::Ndjson,
        }
    }
}

/// The command line's definition, with the version `--version` prints.
fn command() -> clap::Command {
    Cli::command().version(version::version_text())
}

pub fn run() -> ExitCode {
    interrupt::write_errors_instead_of_signals();
    let matches = command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if cli.command.no_cache() {
        claimrules::ncci::compact::turn_off_cache();
    }
    let code = match cli.command {
        Command::Check(args) => check::run(args),
        Command::Test(args) => test::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Packs(args) => packs::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Facts(args) => facts::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Completions(args) => generate::completions(args),
        Command::Man(args) => generate::man(args),
        Command::Schema(args) => schema::run(args),
        Command::History(args) => history::run(args),
    };
    ExitCode::from(code)
}
