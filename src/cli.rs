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
        /// Read JSON Lines from standard input: `{"question": "...", "conversation": "ID"}`;
        /// lines sharing a conversation ID are answered in one context, in input order.
        #[arg(long)]
        jsonl: bool,
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
        Command::Ask {
            json,
            jsonl,
            question,
        } => {
            let engine = load()?;
            let stdout = io::stdout();
            let mut out = stdout.lock();
            if jsonl {
                ask_jsonl(&engine, io::stdin().lock(), &mut out, json)?;
            } else if question.is_empty() {
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
            let mut rows = Vec::new();
            for file in &files {
                let text = std::fs::read_to_string(file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                rows.extend(
                    eval::parse_rows(&text)
                        .map_err(anyhow::Error::msg)
                        .with_context(|| format!("bad case in {}", file.display()))?,
                );
            }
            // Single and must-not-answer rows keep today's report (and gates); every kind is
            // then scored separately.
            let cases: Vec<eval::Case> = rows
                .iter()
                .filter_map(|r| match r {
                    eval::Row::Case(c) if c.verdict.is_none() => Some(c.clone()),
                    _ => None,
                })
                .collect();
            let report = eval::evaluate(&engine, &cases);
            print_report(&mut io::stdout().lock(), &report)?;
            if rows
                .iter()
                .any(|r| !matches!(r, eval::Row::Case(c) if c.verdict.is_none()))
            {
                print_kinds(
                    &mut io::stdout().lock(),
                    &eval::evaluate_rows(&engine, &rows),
                )?;
            }
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

/// One line of `ask --jsonl` input.
#[derive(Debug, serde::Deserialize)]
struct JsonlQuestion {
    question: String,
    #[serde(default)]
    conversation: Option<String>,
}

/// Most conversations `ask --jsonl` keeps context for at once; past it the oldest is forgotten.
const MAX_JSONL_CONVERSATIONS: usize = 10_000;

/// Answers JSON Lines questions; lines sharing a `conversation` ID are one conversation, in input
/// order. A line that is not a valid question object gets an answer with `answered: false` and
/// the reason, never an error.
pub fn ask_jsonl(
    engine: &Engine,
    mut input: impl BufRead,
    out: &mut impl Write,
    json: bool,
) -> anyhow::Result<()> {
    let mut contexts: std::collections::HashMap<String, crate::engine::Context> =
        Default::default();
    let mut order: std::collections::VecDeque<String> = Default::default();
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = input
            .read_until(b'\n', &mut line)
            .context("cannot read standard input")?;
        if n == 0 {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let answer = match serde_json::from_str::<JsonlQuestion>(text) {
            Ok(q) => match q.conversation {
                Some(id) => {
                    let ctx = contexts.remove(&id).unwrap_or_default();
                    let (answer, next) = engine.answer_in(&q.question, &ctx);
                    order.retain(|o| o != &id);
                    if order.len() >= MAX_JSONL_CONVERSATIONS
                        && let Some(old) = order.pop_front()
                    {
                        contexts.remove(&old);
                    }
                    order.push_back(id.clone());
                    contexts.insert(id, next);
                    answer
                }
                None => engine.answer(&q.question),
            },
            Err(err) => {
                let mut answer = engine.answer("");
                answer.question = text.to_owned();
                answer.suggestions.clear();
                answer.text = format!(
                    "That line is not a question object ({{\"question\": \"...\", \"conversation\": \"ID\"}}): {err}"
                );
                answer
            }
        };
        print_answer(out, &answer, json)?;
    }
}

fn print_kinds(out: &mut impl Write, r: &eval::KindsReport) -> anyhow::Result<()> {
    writeln!(out, "\nby row kind:")?;
    for failure in &r.failures {
        writeln!(out, "  {failure}")?;
    }
    for (name, t) in [
        ("single", r.single),
        ("refused", r.refused),
        ("wrong topic", r.wrong_topic),
        ("verdicts right", r.verdicts),
        ("compound all parts right", r.compound),
        ("conversation first turns", r.first_turns),
        ("follow-up turns right", r.follow_ups),
    ] {
        writeln!(
            out,
            "{name}: {}/{} = {:.1}%",
            t.right,
            t.total,
            100.0 * t.rate()
        )?;
    }
    Ok(())
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
    let mut context = crate::engine::Context::default();
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
        let (answer, next) = engine.answer_in(question, &context);
        context = next;
        print_answer(&mut out, &answer, false)?;
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
