//! Command-line surface: clap definitions and dispatch. `anyhow` is used only here.
//!
//! Exit codes: 0 success, 1 some input failed (the rest was done) or a runtime error,
//! 2 usage or configuration error.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

use paperboy::config::Config;
use paperboy::extract::Segmenter;
use paperboy::store::{Store, StoreError, Timeouts};

mod digest;
mod editions;
mod eval;
mod export;
mod extract;
mod fit;
mod ingest;
mod pages;
mod serve;
mod subscribers;

/// paperboy: local-newspaper pages in, per-region daily editions out (feeds, pages, mail).
#[derive(Debug, Parser)]
#[command(name = "paperboy", version, about)]
pub struct Cli {
    /// Configuration file, e.g. `--config /etc/paperboy.toml` (default ./config.toml; a missing
    /// default file means built-in defaults).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print what pages become; stores nothing.
    Extract(ExtractArgs),
    /// Fit the page model on labelled pages and write its weights (for developers).
    ///
    /// Example: `paperboy fit --loo` (reads data/training/ and, when present,
    /// ../shared/corpus/dev/pages; writes src/extract/weights.txt).
    Fit(FitArgs),
    /// Score extraction of pages against gold labels (the press `score.py` format); stores nothing.
    #[command(after_help = EVAL_EXAMPLE)]
    Eval(EvalArgs),
    /// Extract pages (files or directories, recursively) and store their articles.
    Ingest(IngestArgs),
    /// List editions, newest first, and the undated pages kept apart from them.
    Editions(EditionsArgs),
    /// Stored pages: date an undated page.
    #[command(subcommand)]
    Pages(PagesCommand),
    /// Ingest the inbox and serve feeds, pages and the API.
    Serve(ServeArgs),
    /// Write every feed and page as static files.
    Export(ExportArgs),
    /// Daily email digests.
    #[command(subcommand)]
    Digest(DigestCommand),
    /// Manage digest subscribers.
    #[command(subcommand)]
    Subscribers(SubscribersCommand),
}

/// Output format of listing commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    Json,
    #[default]
    Text,
}

#[derive(Debug, Args)]
pub struct FitArgs {
    /// Press corpus folder (plan.json, pool, one folder of dumps per converter); repeatable.
    /// Default: ../shared/corpus/dev/pages when it exists; e.g. `--corpus ../press/s11`.
    #[arg(long)]
    pub corpus: Vec<PathBuf>,
    /// Folder of committed label files (`*.tags`), e.g. `--labels data/training`.
    #[arg(long, default_value = "data/training")]
    pub labels: PathBuf,
    /// Where the fitted weights are written, e.g. `--out /tmp/weights.txt`.
    #[arg(long, default_value = "src/extract/weights.txt")]
    pub out: PathBuf,
    /// How many times each committed label file counts against one corpus page (a label file
    /// may set its own with `# weight: N`), e.g. `--label-weight 2`.
    #[arg(long, default_value_t = 4)]
    pub label_weight: u32,
    /// Passes over the labelled pages, e.g. `--epochs 30`.
    #[arg(long, default_value_t = 20)]
    pub epochs: usize,
    /// Also fit once per outlet without its pages and report the held-out figures (e.g.
    /// `paperboy fit --loo`).
    #[arg(long)]
    pub loo: bool,
    /// Also write every page's labelled lines into this folder, for checking by eye, e.g.
    /// `--show-labels /tmp/labels`.
    #[arg(long)]
    pub show_labels: Option<PathBuf>,
    /// Instead of fitting: write proposed label files for these pages into --labels, e.g.
    /// `--label new/page.txt`.
    #[arg(long, num_args = 1..)]
    pub label: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// How pages are cut into articles: `auto` (default: the fitted page model for pdftotext and
    /// pdfminer.six dumps, the rules for other pages), `rules` or `model` (e.g.
    /// `--segmenter model`).
    #[arg(long, value_enum, default_value_t = Segmenter::Auto)]
    pub segmenter: Segmenter,
    /// Read scanned PDF pages by OCR with the `tesseract` binary (`chi_sim`), e.g.
    /// `--ocr tesseract`; `off` (default) makes them an error.
    #[arg(long, value_enum, default_value_t = paperboy::extract::Ocr::Off)]
    pub ocr: paperboy::extract::Ocr,
    /// Publication date of the pages (overrides what the page or file name says), e.g.
    /// `--date 2021-01-08`.
    #[arg(long, value_parser = parse_date)]
    pub date: Option<NaiveDate>,
    /// Paper name, when the page does not print it, e.g. `--paper 今日建德`.
    #[arg(long)]
    pub paper: Option<String>,
    /// Output: `text` for people, `json` for tools (e.g. `--format json`).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Page files (text, markdown or PDF), e.g. `seeds/*.txt`.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

const EVAL_EXAMPLE: &str = "\
Example:
  paperboy eval corpus/pages/pdftotext/gold.json corpus/pages/pdftotext/*.txt --verbose

Pages are matched to gold pages by file name. Prints one line per gold page (with --verbose,
each miss, merge and wrong title, byline, region or date before it) and a final SUMMARY line
of figures, as score.py does.";

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Gold labels: {"pages": [{"file", "date", "articles": [{"title", "title_alts", "byline",
    /// "regions", "primary_any", "contains"}]}]}; other fields are ignored.
    pub gold: PathBuf,
    /// Page files to extract and score.
    #[arg(required = true)]
    pub pages: Vec<PathBuf>,
    /// List each miss, merge and wrong field (e.g. `paperboy eval gold.json pages/*.txt
    /// --verbose`).
    #[arg(long)]
    pub verbose: bool,
    /// How pages are cut into articles: `auto` (default: the fitted page model for pdftotext and
    /// pdfminer.six dumps, the rules for other pages), `rules` or `model` (e.g.
    /// `--segmenter model`).
    #[arg(long, value_enum, default_value_t = Segmenter::Auto)]
    pub segmenter: Segmenter,
    /// Output: `text` (score.py's lines) or `json`, e.g. `--format json`.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Publication date of every page given (e.g. `--date 2021-01-08`; `date_source = metadata`);
    /// without it a page is dated by its masthead, its file name or its text, or kept undated.
    #[arg(long, value_parser = parse_date)]
    pub date: Option<NaiveDate>,
    /// Paper name for pages that do not print it, e.g. `--paper 今日建德`.
    #[arg(long)]
    pub paper: Option<String>,
    /// Page files or directories (read recursively), e.g. `inbox/` or `seeds/*.txt`.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct EditionsArgs {
    /// Region slug or adcode (county, prefecture or province), e.g. `--region jiande`.
    #[arg(long)]
    pub region: Option<String>,
    /// Only editions on or after this day, e.g. `--since 2021-01-01`.
    #[arg(long, value_parser = parse_date)]
    pub since: Option<NaiveDate>,
    /// List only the undated pages (no date printed or given), with their ingest day (e.g.
    /// `paperboy editions --undated`); in JSON
    /// an array of objects with `region`, `slug`, `name`, `page`, `source`, `ingested`, `articles`.
    #[arg(long)]
    pub undated: bool,
    /// Output: `text` or `json`, e.g. `--format json`.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum PagesCommand {
    /// File a stored page under a publication date (e.g. `paperboy pages set-date
    /// 002_51ed94c92ab269c1.txt 2021-12-10`): an undated page joins that day's editions, feeds
    /// and digests.
    SetDate {
        /// The page key printed by `ingest` and `editions` (its file name) or the path it was
        /// ingested from.
        page: String,
        /// Publication date, YYYY-MM-DD (e.g. `2021-12-10`).
        #[arg(value_parser = parse_date)]
        date: NaiveDate,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (default `[server] bind`), e.g. `--bind 0.0.0.0:8080`;
    /// `127.0.0.1:0` picks a free port and prints it.
    #[arg(long)]
    pub bind: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Directory to write the site into (created), e.g. `--out public`.
    #[arg(long)]
    pub out: PathBuf,
    /// The URL the files will be served from, for the absolute links in feeds, the OPML and
    /// the sitemap (default: `[server] base_url`), e.g. `--base-url https://news.example.org`.
    #[arg(long, value_parser = parse_base_url)]
    pub base_url: Option<String>,
}

/// An absolute `http://` or `https://` URL (a usage error otherwise).
fn parse_base_url(s: &str) -> Result<String, String> {
    if (s.starts_with("http://") || s.starts_with("https://")) && !s.contains(char::is_whitespace) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "expected an absolute URL such as https://news.example.org, got {s:?}"
        ))
    }
}

#[derive(Debug, Subcommand)]
pub enum DigestCommand {
    /// Send the day's digests now.
    Send {
        /// Write the digests as .eml files into `[mail] outbox` instead of sending them
        /// (e.g. `paperboy digest send --dry-run`).
        #[arg(long)]
        dry_run: bool,
        /// Digest day (default: today in the configured time zone), e.g. `--date 2021-01-08`.
        #[arg(long, value_parser = parse_date)]
        date: Option<NaiveDate>,
        /// Send again the digests a crashed run may already have sent (its intent was
        /// recorded, its mark was not): at-least-once instead of the default at-most-once
        /// (e.g. `paperboy digest send --date 2021-01-08 --resend-uncertain`).
        #[arg(long)]
        resend_uncertain: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SubscribersCommand {
    /// Add subscribers, each to the same regions (unconfirmed unless --confirmed: a
    /// confirmation mail is sent). Every address is checked before any is added. An existing
    /// subscriber keeps their regions and gains these (--replace: gets exactly these).
    Add {
        /// Addresses, e.g. `reader@example.com`.
        #[arg(required = true, value_name = "EMAIL")]
        emails: Vec<String>,
        /// Region slug, adcode or name; repeatable, e.g. `--region jiande --region pinghu`.
        #[arg(long = "region", required = true)]
        regions: Vec<String>,
        /// Skip the confirmation mail (the operator vouches for the address), e.g.
        /// `paperboy subscribers add a@example.com --region jiande --confirmed`.
        #[arg(long)]
        confirmed: bool,
        /// Replace an existing subscriber's regions instead of adding to them, e.g.
        /// `paperboy subscribers add a@example.com --region pinghu --replace`.
        #[arg(long)]
        replace: bool,
    },
    /// Remove a subscriber and all their subscriptions.
    Remove {
        /// The subscriber's address, e.g. `reader@example.com`.
        email: String,
    },
    /// List subscribers.
    List {
        /// Output: `text` or `json`, e.g. `--format json`.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Process a mail sent to the unsubscribe address (`List-Unsubscribe` mailto), for the
    /// mail server to pipe into: exit 0 when done, 1 (bounce) when it holds no valid token,
    /// 75 (try again later) when the database cannot be reached.
    UnsubscribeMail {
        /// The raw message (default: standard input).
        file: Option<PathBuf>,
    },
}

/// How a command ended when it did not fail outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Success,
    /// Some inputs failed; the rest was done (exit code 1).
    SomeFailed,
    /// Nothing was done for a reason that may pass (the database is unreachable): exit code 75
    /// (EX_TEMPFAIL), which tells a mail server piping a message in to queue it and try again
    /// rather than bounce it.
    TryLater,
}

/// A date argument: `YYYY-MM-DD`, and an error naming that form otherwise.
fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("expected YYYY-MM-DD, got {s}"))
}

/// `1 article`, `2 articles`.
fn count(n: i64, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Which configuration file was read (for `serve` and `ingest` to say).
static CONFIG_USED: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// `config: PATH` or that none was found, and `database: …` (an SQLite file with its full
/// path, so a run from an unexpected directory shows where its data goes).
fn describe_setup(config: &Config) -> String {
    let url = &config.storage.url;
    let db = match url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        Some(path) => {
            let path = path.split('?').next().unwrap_or(path);
            let full = std::path::absolute(path).unwrap_or_else(|_| PathBuf::from(path));
            format!("SQLite {}", full.display())
        }
        None => format!("PostgreSQL {}", paperboy::store::redact(url)),
    };
    let config = CONFIG_USED
        .get()
        .map_or("built-in defaults", String::as_str);
    format!("database: {db}; config: {config}")
}

/// An error with its causes, each said once: a cause whose text the message before it
/// already includes (an OS error quoted by its context) is not repeated.
fn error_text(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// A reader that stops reading (`paperboy editions | head -1`) is not an error: printing to
/// a closed pipe ends the command quietly, as other command-line tools do, instead of
/// panicking with "failed printing to stdout: Broken pipe".
fn quiet_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

/// Parses arguments, loads configuration and runs the command.
pub fn main() -> ExitCode {
    quiet_on_broken_pipe();
    let cli = Cli::parse();
    init_tracing();
    let config = match load_config(cli.config.as_deref()) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            eprintln!("paperboy: {}", error_text(&e));
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Extract(args) => extract::run(args),
        Command::Fit(args) => fit::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Ingest(args) => runtime().and_then(|rt| rt.block_on(ingest::run(config, args))),
        Command::Editions(args) => {
            runtime().and_then(|rt| rt.block_on(editions::run(config, args)))
        }
        Command::Pages(cmd) => runtime().and_then(|rt| rt.block_on(pages::run(config, cmd))),
        Command::Serve(args) => runtime().and_then(|rt| rt.block_on(serve::run(config, args))),
        Command::Export(args) => runtime().and_then(|rt| rt.block_on(export::run(config, args))),
        // One thread: a run is one future whose sends and ledger writes wait on each other;
        // worker threads would only add a cross-thread wake-up to every SMTP reply.
        Command::Digest(cmd) => {
            single_thread_runtime().and_then(|rt| rt.block_on(digest::run(config, cmd)))
        }
        Command::Subscribers(cmd) => {
            runtime().and_then(|rt| rt.block_on(subscribers::run(config, cmd)))
        }
    };
    match result {
        Ok(Status::Success) => ExitCode::SUCCESS,
        Ok(Status::SomeFailed) => ExitCode::from(1),
        Ok(Status::TryLater) => ExitCode::from(75),
        Err(e) => {
            eprintln!("paperboy: {}", error_text(&e));
            if e.downcast_ref::<UsageError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

/// An error in what the user asked for (bad region, bad argument): exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

fn load_config(path: Option<&std::path::Path>) -> anyhow::Result<Config> {
    let explicit = path.is_some();
    let path = path.unwrap_or(std::path::Path::new("config.toml"));
    let mut config = Config::load(path, explicit)?;
    let used = if path.is_file() {
        std::path::absolute(path)
            .unwrap_or_else(|_| path.to_path_buf())
            .display()
            .to_string()
    } else {
        format!("built-in defaults (no {})", path.display())
    };
    let _ = CONFIG_USED.set(used);
    config.apply_env(|k| std::env::var(k).ok());
    config.validate()?;
    Ok(config)
}

/// Opens the configured store, waiting at most `[storage] connect_timeout_secs` for PostgreSQL
/// and letting each SQLite write wait `[storage] busy_timeout_secs` for other writers.
async fn open_store(config: &Config) -> Result<Store, StoreError> {
    let timeouts = Timeouts {
        connect: config.storage.connect_timeout(),
        busy: config.storage.busy_timeout(),
    };
    Store::connect_with(&config.storage.url, timeouts).await
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

fn single_thread_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PAPERBOY_LOG")
        // The PDF library narrates every font it loads: only its errors reach the operator,
        // whose own messages name the file.
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,pdf_oxide=off"));
    // Colour codes only on a terminal: logs piped to a file or a journal stay plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr)
        .init();
}
