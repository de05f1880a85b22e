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
        /// Files to score (none with `--cv`).
        #[arg(required_unless_present = "cv")]
        files: Vec<PathBuf>,
        /// K-fold cross-validation over the labelled questions of `intents/questions/`.
        #[arg(long, value_name = "K")]
        cv: Option<usize>,
        /// Write the failures as JSON Lines (the `intents/questions/` format) to this file.
        #[arg(long, value_name = "FILE")]
        failures: Option<PathBuf>,
        /// Switch a part of the matcher off: learned (the hand-weighted matcher decides),
        /// embeddings, requires, orgs, decisive.
        #[arg(long, value_name = "PART")]
        without: Vec<String>,
        /// Least probability for an answer (default: the matcher's threshold).
        #[arg(long, value_name = "P")]
        threshold: Option<f32>,
        /// Runner-up share of the best probability that makes a question ambiguous.
        #[arg(long, value_name = "R")]
        ambiguity: Option<f32>,
        /// Training settings to try, for both models: EPOCHS,RATE,L2.
        #[arg(long, value_name = "E,R,L2", hide = true)]
        train: Option<String>,
        /// Weight of the embedding model in the mix of probabilities (0 to 1).
        #[arg(long, value_name = "W")]
        embed_weight: Option<f32>,
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
            cv,
            failures,
            without,
            threshold,
            ambiguity,
            train,
            embed_weight,
            min_accuracy,
            min_rejection,
        } => {
            let mut options = crate::engine::Options::default();
            for part in &without {
                match part.as_str() {
                    "learned" => options.learned = false,
                    "embeddings" => options.embeddings = false,
                    "requires" => options.requires = false,
                    "orgs" => options.orgs = false,
                    "decisive" => options.decisive = false,
                    other => anyhow::bail!(
                        "unknown part {other:?} for --without (learned, embeddings, requires, orgs, decisive)"
                    ),
                }
            }
            if let Some(t) = threshold {
                options.threshold = t;
            }
            if let Some(r) = ambiguity {
                options.ambiguity = r;
            }
            if let Some(w) = embed_weight {
                options.embed_weight = w;
            }
            if let Some(spec) = train {
                let parts: Vec<&str> = spec.split(',').collect();
                let [e, r, l] = parts.as_slice() else {
                    anyhow::bail!("--train takes EPOCHS,RATE,L2");
                };
                let p = crate::engine::classifier::TrainParams {
                    epochs: e.parse().context("epochs")?,
                    rate: r.parse().context("rate")?,
                    l2: l.parse().context("l2")?,
                };
                options.train = (p, p);
            }
            let files_data = match cli.data.as_deref() {
                Some(dir) => crate::engine::DataFiles::from_dir(dir),
                None => Ok(crate::engine::DataFiles::bundled()),
            };
            let kb = files_data
                .and_then(|f| crate::engine::KnowledgeBase::load(&f))
                .context("cannot load the knowledge base")?;
            let report = if let Some(k) = cv {
                println!(
                    "{k}-fold cross-validation over {} labelled questions of intents/questions/",
                    kb.questions.len()
                );
                eval::cross_validate(&kb, k, &options)
            } else {
                let engine = Engine::from_knowledge(kb, options);
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
                let trained = eval::training_overlap(engine.knowledge(), &cases);
                if trained > 0 {
                    println!(
                        "note: {trained} of {} questions are training data: their figures are a training fit",
                        cases.len()
                    );
                }
                eval::evaluate(&engine, &cases)
            };
            print_report(&mut io::stdout().lock(), &report)?;
            if let Some(path) = failures {
                std::fs::write(&path, eval::failures_jsonl(&report))
                    .with_context(|| format!("cannot write {}", path.display()))?;
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
    writeln!(
        out,
        "wrong topic: {}/{} = {:.1}%",
        report.wrong_topic,
        report.in_scope,
        100.0 * report.wrong_topic_rate()
    )?;
    writeln!(
        out,
        "reliability (answered, by confidence): bin  count  right"
    )?;
    for (lo, hi, n, right) in report.reliability(10) {
        if n > 0 {
            writeln!(out, "  {lo:.1}-{hi:.1}  {n:5}  {:5.1}%", 100.0 * right)?;
        }
    }
    Ok(())
}
