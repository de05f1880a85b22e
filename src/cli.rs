//! The `dealbot` command line: a thin layer that parses arguments, calls the engine and prints.
//!
//! `ask` prints readable or JSON answers, `chat` is an interactive prompt, `eval` scores a
//! labelled question file, `check` validates data, `intents` lists the catalogue.
//!
//! Every command exits quietly (status 0) when its standard output is closed early
//! (`dealbot intents | head -1`), reads standard input one bounded line at a time
//! ([`MAX_LINE_BYTES`]), and writes nothing to standard error that could panic.

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::engine::{Answer, Engine, eval};

/// Longest line read from standard input, in bytes: the HTTP body limit, so that no front end
/// accepts a larger question. A longer line is answered "too long" and the rest of it skipped.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

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
    #[command(after_help = "Examples:
  dealbot ask When does the revenue share end?
  dealbot ask --json 'Can OpenAI use AWS?'
  printf '%s\\n' 'Who owns OpenAI?' 'Is AGI defined?' | dealbot ask --json")]
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
    #[command(after_help = "Example:
  dealbot chat        (then type a question; \"quit\" or Ctrl-D to leave)")]
    Chat,
    /// Score labelled questions (JSON Lines: q, intent, also, must).
    #[command(after_help = "Example:
  dealbot eval tests/data/fresh-1.jsonl --min-accuracy 0.9 --min-rejection 0.9")]
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
        #[arg(long, value_name = "X", value_parser = fraction)]
        min_accuracy: Option<f64>,
        /// Exit non-zero when out-of-scope rejection is below this (0 to 1).
        #[arg(long, value_name = "X", value_parser = fraction)]
        min_rejection: Option<f64>,
    },
    /// Validate the data and report every error.
    #[command(after_help = "Examples:
  dealbot check
  dealbot --data ./my-data check")]
    Check,
    /// List the intents with one example each.
    #[command(after_help = "Example:
  dealbot intents | grep revenue")]
    Intents,
    /// Run the HTTP API, web page and configured chat adapters until SIGINT/SIGTERM.
    #[command(after_help = "Examples:
  dealbot serve --config dealbot.toml
  DEALBOT_HTTP__LISTEN=0.0.0.0:8080 DEALBOT_SLACK__BOT_TOKEN=xoxb-… dealbot serve
(every key and its environment variable: docs/configuration.md)")]
    Serve {
        /// Config file (default: dealbot.toml in the working directory, when present).
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Exit 0 when a running `dealbot serve` answers `GET /healthz` with 200, else 1 (for
    /// container and supervisor health checks; needs no curl or wget in the image).
    #[command(after_help = "Examples:
  dealbot healthcheck                         (http.listen from dealbot.toml / DEALBOT_HTTP__LISTEN)
  dealbot healthcheck --addr 127.0.0.1:8080")]
    Healthcheck {
        /// The server's address; default: `http.listen` of the configuration, on loopback when
        /// it listens on every interface.
        #[arg(long, value_name = "HOST:PORT")]
        addr: Option<std::net::SocketAddr>,
        /// Config file, as for `serve`.
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
    #[command(after_help = "Example:
  dealbot explain When does the revenue share end?")]
    Explain {
        /// The question.
        #[arg(required = true)]
        question: Vec<String>,
    },
}

/// `--min-accuracy` and `--min-rejection`: a number from 0 to 1.
fn fraction(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        Ok(_) => Err("must be between 0 and 1 (0.9 means 90 %)".to_owned()),
        Err(err) => Err(err.to_string()),
    }
}

/// Parses the command line and runs it.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        // The reader went away (`| head`): nothing more to say, and nobody to say it to.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let _ = writeln!(io::stderr(), "error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// True when `err` comes from writing to a closed pipe.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
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
                writeln!(
                    io::stdout(),
                    "{k}-fold cross-validation over {} labelled questions of intents/questions/",
                    kb.questions.len()
                )?;
                let report = eval::cross_validate(&kb, k, &options);
                print_report(&mut io::stdout().lock(), &report)?;
                report
            } else {
                let engine = Engine::from_knowledge(kb, options);
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
                let trained = eval::training_overlap(engine.knowledge(), &cases);
                if trained > 0 {
                    writeln!(
                        io::stdout(),
                        "note: {trained} of {} questions are training data: their figures are a training fit",
                        cases.len()
                    )?;
                }
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
                report
            };
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
                writeln!(
                    io::stdout().lock(),
                    "ok: {} sources, {} intents, {} not-covered topics; every quote is verbatim",
                    kb.sources.len(),
                    kb.intents.len(),
                    kb.uncovered.len()
                )?;
                Ok(ExitCode::SUCCESS)
            }
            Err(err) => {
                // The errors are the output here: on stderr, and lost if stderr is closed.
                let mut stderr = io::stderr().lock();
                for e in &err.errors {
                    let _ = writeln!(stderr, "{e}");
                }
                let _ = writeln!(stderr, "{} error(s)", err.errors.len());
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
        Command::Healthcheck { addr, config } => {
            let addr = match addr {
                Some(addr) => addr,
                None => {
                    let settings = crate::settings::Settings::load(config.as_deref())
                        .context("invalid configuration")?;
                    let mut addr = settings.http.listen;
                    if addr.ip().is_unspecified() {
                        addr.set_ip(match addr {
                            std::net::SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                            std::net::SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
                        });
                    }
                    addr
                }
            };
            Ok(match healthcheck(addr) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    let _ = writeln!(io::stderr(), "unhealthy: {err:#}");
                    ExitCode::FAILURE
                }
            })
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
            let text = load()?.explain(&question.join(" "));
            let mut out = io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Intents => {
            let engine = load()?;
            let mut out = io::stdout().lock();
            for intent in &engine.knowledge().intents {
                writeln!(
                    out,
                    "{:<26} {}",
                    intent.id,
                    crate::engine::answer::suggestion(intent)
                )?;
            }
            out.flush()?;
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

/// `GET /healthz` on `addr` with a plain blocking socket: `Ok` on a 200 within 5 seconds.
fn healthcheck(addr: std::net::SocketAddr) -> anyhow::Result<()> {
    use std::io::Read;
    let timeout = std::time::Duration::from_secs(5);
    let mut stream = std::net::TcpStream::connect_timeout(&addr, timeout)
        .with_context(|| format!("cannot connect to {addr}"))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
    let mut head = Vec::new();
    stream
        .take(512)
        .read_to_end(&mut head)
        .context("no response")?;
    let status = head.split(|&b| b == b'\r').next().unwrap_or_default();
    if status.starts_with(b"HTTP/1.1 200 ") {
        Ok(())
    } else {
        anyhow::bail!("GET /healthz: {}", String::from_utf8_lossy(status))
    }
}

/// One line of input, read with [`read_line`].
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// The line, without its `\n` or `\r\n`.
    Text(Vec<u8>),
    /// A line longer than the limit: its first bytes (up to the limit); the rest was skipped.
    TooLong(Vec<u8>),
    /// End of input.
    End,
}

/// Reads one line into memory, at most `max` bytes of it: a longer line is consumed to its end
/// without being kept, so memory stays bounded whatever the input.
pub fn read_line(input: &mut impl BufRead, max: usize) -> io::Result<Line> {
    let mut line = Vec::new();
    let mut too_long = false;
    let mut any = false;
    loop {
        let buf = match input.fill_buf() {
            Ok(buf) => buf,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        };
        if buf.is_empty() {
            break;
        }
        any = true;
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(at) => (&buf[..at], Some(at + 1)),
            None => (buf, None),
        };
        let room = max.saturating_sub(line.len());
        line.extend_from_slice(&chunk[..chunk.len().min(room)]);
        too_long |= chunk.len() > room;
        let used = done.unwrap_or(buf.len());
        input.consume(used);
        if done.is_some() {
            break;
        }
    }
    if !any {
        return Ok(Line::End);
    }
    if line.last() == Some(&b'\r') && !too_long {
        line.pop();
    }
    Ok(if too_long {
        Line::TooLong(line)
    } else {
        Line::Text(line)
    })
}

/// The answer to one line of input: lines that are not UTF-8, are empty or are longer than
/// [`MAX_LINE_BYTES`] still get an answer (not answered, saying why).
/// With `context`, the question is read as the next turn of that conversation.
fn answer_line(
    engine: &Engine,
    line: Line,
    context: Option<&mut crate::engine::Context>,
) -> Option<Answer> {
    let not_answered = |question: &[u8], why: String| {
        let mut answer = engine.answer("");
        answer.question = String::from_utf8_lossy(question).into_owned();
        answer.text = why;
        answer
    };
    match line {
        Line::End => None,
        Line::Text(line) => Some(match std::str::from_utf8(&line) {
            Ok(question) => match context {
                Some(context) => {
                    let (answer, next) = engine.answer_in(question, context);
                    *context = next;
                    answer
                }
                None => engine.answer(question),
            },
            Err(_) => not_answered(
                &line,
                "That line is not valid UTF-8 text; please ask again.".to_owned(),
            ),
        }),
        Line::TooLong(start) => {
            // Keep the echo short: enough to find the line, not the whole of it.
            let cut = start.len().min(200);
            Some(not_answered(
                &start[..cut],
                format!(
                    "That line is longer than {MAX_LINE_BYTES} bytes; please ask a shorter question."
                ),
            ))
        }
    }
}

/// Answers each line of `input`, flushing after each. Lines that are not UTF-8, are empty or
/// are too long still get an answer (not answered).
pub fn ask_lines(
    engine: &Engine,
    mut input: impl BufRead,
    out: &mut impl Write,
    json: bool,
) -> anyhow::Result<()> {
    loop {
        let line = read_line(&mut input, MAX_LINE_BYTES).context("cannot read standard input")?;
        match answer_line(engine, line, None) {
            Some(answer) => print_answer(out, &answer, json)?,
            None => return Ok(()),
        }
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
    loop {
        let line =
            match read_line(&mut input, MAX_LINE_BYTES).context("cannot read standard input")? {
                Line::End => return Ok(()),
                Line::TooLong(start) => {
                    let answer = answer_line(engine, Line::TooLong(start), None);
                    if let Some(answer) = answer {
                        print_answer(out, &answer, json)?;
                    }
                    continue;
                }
                Line::Text(line) => line,
            };
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
        // Serialised first, so that a write error stays an `io::Error` (see `is_broken_pipe`).
        let mut line = serde_json::to_vec(answer)?;
        line.push(b'\n');
        out.write_all(&line)?;
    } else {
        if let (Some(topic), true) = (&answer.topic, answer.answered) {
            writeln!(out, "[{topic} · confidence {:.2}]", answer.confidence)?;
        }
        writeln!(out, "{}\n", answer.text)?;
    }
    out.flush()?;
    Ok(())
}

/// The interactive prompt. Greeting and `> ` prompts only when standard input is a terminal, so
/// `dealbot chat < questions.txt` prints answers only.
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
    let mut input = stdin.lock();
    let mut context = crate::engine::Context::default();
    loop {
        if interactive {
            write!(out, "> ")?;
            out.flush()?;
        }
        let line = read_line(&mut input, MAX_LINE_BYTES).context("cannot read standard input")?;
        if let Line::Text(text) = &line {
            let question = String::from_utf8_lossy(text);
            let question = question.trim();
            if matches!(question, "quit" | "exit" | ":q") {
                break;
            }
            if question.is_empty() {
                continue;
            }
        }
        match answer_line(engine, line, Some(&mut context)) {
            Some(answer) => print_answer(&mut out, &answer, false)?,
            None => break,
        }
    }
    if interactive {
        writeln!(out)?;
    }
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
