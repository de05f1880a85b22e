//! The `dealbot` command line: a thin layer that parses arguments, calls the engine and prints.
//!
//! `ask` prints readable or JSON answers, `chat` is an interactive prompt, `eval` scores a
//! labelled question file, `check` validates data, `intents` lists the catalogue.

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::engine::{Answer, Engine, eval};

/// Answers questions about the Microsoft–OpenAI deal from cited sources.
#[derive(Debug, Parser)]
#[command(name = "dealbot", version, about)]
pub struct Cli {
    /// Load seeds/ and intents/ from this directory instead of the bundled data.
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Answer a question (or, with none given, each line of standard input).
    Ask {
        /// Print one JSON object per answer.
        #[arg(long)]
        json: bool,
        /// The question; several words are joined with spaces.
        question: Vec<String>,
    },
    /// Ask questions interactively.
    Chat,
    /// Score labelled questions (JSON Lines: q, intent, also, must).
    Eval {
        /// Files to score.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Exit non-zero when in-scope accuracy is below this (0 to 1).
        #[arg(long, value_name = "X")]
        min_accuracy: Option<f64>,
        /// Exit non-zero when out-of-scope rejection is below this (0 to 1).
        #[arg(long, value_name = "X")]
        min_rejection: Option<f64>,
    },
    /// Validate the data and report every error.
    Check,
    /// List the intents with one example each.
    Intents,
    /// Run the HTTP API, web page and configured chat adapters until SIGINT/SIGTERM.
    Serve {
        /// Config file (default: dealbot.toml in the working directory, when present).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Report what was asked: per platform and day, answered rate, unanswered questions, 👎 answers.
    Report {
        /// How far back: 7d, 24h, 30m, 2w.
        #[arg(long, default_value = "7d", value_name = "AGE")]
        since: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Print an HTML page.
        #[arg(long, conflicts_with = "json")]
        html: bool,
        /// Store URL (default: store.url from the config); prefer DEALBOT_STORE__URL for a URL
        /// with a password.
        #[arg(long, value_name = "URL")]
        store: Option<String>,
        /// Config file (default: dealbot.toml in the working directory, when present).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Show how a question is analysed and scored (for tuning the data).
    Explain {
        /// The question.
        #[arg(required = true)]
        question: Vec<String>,
    },
}

/// Parses the command line and runs it.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let load = || Engine::load(cli.data.as_deref()).context("cannot load the knowledge base");
    match cli.command {
        Command::Ask { json, question } => {
            let engine = load()?;
            let stdout = io::stdout();
            let mut out = stdout.lock();
            if question.is_empty() {
                ask_lines(&engine, io::stdin().lock(), &mut out, json)?;
            } else {
                print_answer(&mut out, &engine.answer(&question.join(" ")), json)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Chat => {
            let engine = load()?;
            chat(&engine)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval {
            files,
            min_accuracy,
            min_rejection,
        } => {
            let engine = load()?;
            let mut cases = Vec::new();
            for file in &files {
                let text = std::fs::read_to_string(file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                cases.extend(
                    eval::parse_cases(&text)
                        .map_err(anyhow::Error::msg)
                        .with_context(|| format!("bad case in {}", file.display()))?,
                );
            }
            let report = eval::evaluate(&engine, &cases);
            print_report(&mut io::stdout().lock(), &report)?;
            let low = min_accuracy.is_some_and(|m| report.accuracy() < m)
                || min_rejection.is_some_and(|m| report.rejection() < m);
            Ok(if low {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Check => match Engine::load(cli.data.as_deref()) {
            Ok(engine) => {
                let kb = engine.knowledge();
                println!(
                    "ok: {} sources, {} intents, {} not-covered topics; every quote is verbatim",
                    kb.sources.len(),
                    kb.intents.len(),
                    kb.uncovered.len()
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(err) => {
                for e in &err.errors {
                    eprintln!("{e}");
                }
                eprintln!("{} error(s)", err.errors.len());
                Ok(ExitCode::FAILURE)
            }
        },
        Command::Serve { config } => {
            let mut settings = crate::settings::Settings::load(config.as_deref())
                .context("invalid configuration")?;
            if cli.data.is_some() {
                settings.data_dir = cli.data.clone();
            }
            serve(settings)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Report {
            since,
            json,
            html,
            store,
            config,
        } => {
            let mut settings = crate::settings::Settings::load(config.as_deref())
                .context("invalid configuration")?;
            if let Some(url) = store {
                settings.store.url = url.into();
            }
            let age = crate::store::report::parse_age(&since)
                .map_err(anyhow::Error::msg)
                .context("bad --since")?;
            let report = report(&settings.store, age)?;
            let mut out = io::stdout().lock();
            if json {
                serde_json::to_writer_pretty(&mut out, &report)?;
                writeln!(out)?;
            } else if html {
                write!(out, "{}", report.to_html())?;
            } else {
                write!(out, "{}", report.to_text())?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { question } => {
            print!("{}", load()?.explain(&question.join(" ")));
            Ok(ExitCode::SUCCESS)
        }
        Command::Intents => {
            let engine = load()?;
            for intent in &engine.knowledge().intents {
                println!(
                    "{:<26} {}",
                    intent.id,
                    crate::engine::answer::suggestion(intent)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn serve(settings: crate::settings::Settings) -> anyhow::Result<()> {
    use crate::server;
    server::init_tracing(settings.log.format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(settings.http.listen)
            .await
            .with_context(|| format!("cannot listen on {}", settings.http.listen))?;
        let control = server::Control::from_signals().context("cannot install signal handlers")?;
        server::run(settings, listener, control).await
    })
}

/// The store's report for the last `age`. A missing SQLite file is an error, not created.
fn report(
    settings: &crate::settings::StoreSettings,
    age: std::time::Duration,
) -> anyhow::Result<crate::store::report::Report> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let store = crate::store::Store::connect_existing(settings).await?;
        let now = std::time::SystemTime::now();
        let since = now.checked_sub(age).unwrap_or(std::time::UNIX_EPOCH);
        let report = crate::store::report::build(&store, since, now).await?;
        store.close().await;
        Ok(report)
    })
}

/// Answers each line of `input`, flushing after each. Lines that are not UTF-8 or are empty still
/// get an answer (not answered).
pub fn ask_lines(
    engine: &Engine,
    mut input: impl BufRead,
    out: &mut impl Write,
    json: bool,
) -> anyhow::Result<()> {
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = input
            .read_until(b'\n', &mut line)
            .context("cannot read standard input")?;
        if n == 0 {
            return Ok(());
        }
        while matches!(line.last(), Some(b'\n' | b'\r')) {
            line.pop();
        }
        let answer = match std::str::from_utf8(&line) {
            Ok(question) => engine.answer(question),
            Err(_) => {
                let mut answer = engine.answer("");
                answer.question = String::from_utf8_lossy(&line).into_owned();
                answer.text = "That line is not valid UTF-8 text; please ask again.".to_owned();
                answer
            }
        };
        print_answer(out, &answer, json)?;
    }
}

fn print_answer(out: &mut impl Write, answer: &Answer, json: bool) -> anyhow::Result<()> {
    if json {
        serde_json::to_writer(&mut *out, answer)?;
        writeln!(out)?;
    } else {
        if let (Some(topic), true) = (&answer.topic, answer.answered) {
            writeln!(out, "[{topic} · confidence {:.2}]", answer.confidence)?;
        }
        writeln!(out, "{}\n", answer.text)?;
    }
    out.flush()?;
    Ok(())
}

fn chat(engine: &Engine) -> anyhow::Result<()> {
    let stdin = io::stdin();
    let interactive = stdin.is_terminal();
    let mut out = io::stdout().lock();
    if interactive {
        writeln!(
            out,
            "Ask about the Microsoft–OpenAI deal (\"help\" for topics, Ctrl-D or \"quit\" to leave)."
        )?;
    }
    let mut line = String::new();
    let mut input = stdin.lock();
    loop {
        write!(out, "> ")?;
        out.flush()?;
        line.clear();
        match input.read_line(&mut line) {
            Ok(0) => break,
            Ok(_) => {}
            // A line that is not UTF-8: say so and keep going.
            Err(err) if err.kind() == io::ErrorKind::InvalidData => {
                writeln!(out, "That line is not valid UTF-8 text; please ask again.")?;
                continue;
            }
            Err(err) => return Err(err).context("cannot read standard input"),
        }
        let question = line.trim();
        if matches!(question, "quit" | "exit" | ":q") {
            break;
        }
        if question.is_empty() {
            continue;
        }
        print_answer(&mut out, &engine.answer(question), false)?;
    }
    writeln!(out)?;
    Ok(())
}

fn print_report(out: &mut impl Write, report: &eval::Report) -> anyhow::Result<()> {
    for failure in &report.failures {
        let expected = failure.case.intent.as_deref().unwrap_or("(not answered)");
        let got = failure.got.as_deref().unwrap_or("(not answered)");
        if failure.missing.is_empty() {
            writeln!(
                out,
                "FAIL {:?}: expected {expected}, got {got} ({:.2})",
                failure.case.q, failure.confidence
            )?;
        } else {
            writeln!(
                out,
                "MISS {:?}: {got} lacks one of {:?}",
                failure.case.q, failure.missing
            )?;
        }
    }
    if !report.confusion.is_empty() {
        writeln!(out, "\nconfusion (expected -> got: count):")?;
        for ((expected, got), n) in &report.confusion {
            writeln!(out, "  {expected} -> {got}: {n}")?;
        }
    }
    writeln!(
        out,
        "\nin-scope accuracy: {}/{} = {:.1}%",
        report.in_scope_correct,
        report.in_scope,
        100.0 * report.accuracy()
    )?;
    writeln!(
        out,
        "out-of-scope rejection: {}/{} = {:.1}%",
        report.out_of_scope_rejected,
        report.out_of_scope,
        100.0 * report.rejection()
    )?;
    writeln!(
        out,
        "must hits: {}/{} = {:.1}%",
        report.must_hits,
        report.must_groups,
        100.0 * report.must_rate()
    )?;
    Ok(())
}
