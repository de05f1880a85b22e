//! The `dealbot` binary, run as a user would.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::data::DataCopy;

fn dealbot(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dealbot"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .current_dir(std::env::temp_dir())
        .spawn()
        .expect("run dealbot");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn ask_prints_a_readable_cited_answer_from_any_directory() {
    let out = dealbot(
        &["ask", "When", "does", "the", "revenue", "share", "end?"],
        b"",
    );
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("2030"), "{text}");
    assert!(text.contains("[1]") && text.contains("Sources:"), "{text}");
    assert!(text.contains("Note: the sources disagree"), "{text}");
}

#[test]
fn ask_json_reads_stdin_one_object_per_line_in_order() {
    let input = b"When does the revenue share end?\n\nnot utf8 \xff\xfe here\nWhat's the weather?\r\nCan OpenAI use AWS?";
    let out = dealbot(&["ask", "--json"], input);
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0]["intent"], "revenue_share_end");
    assert_eq!(lines[0]["answered"], true);
    assert_eq!(lines[1]["answered"], false);
    assert_eq!(lines[1]["question"], "");
    assert_eq!(lines[2]["answered"], false);
    assert_eq!(lines[3]["answered"], false);
    assert_eq!(lines[3]["question"], "What's the weather?");
    assert_eq!(lines[4]["intent"], "other_clouds");
    assert!(
        lines[4]["citations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["source"].is_string() && c["quote"].is_string())
    );
}

#[test]
fn ask_json_with_a_question_prints_one_object() {
    let out = dealbot(&["ask", "--json", "Is OpenAI going public?"], b"");
    let value: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(value["intent"], "ipo");
}

#[test]
fn check_passes_on_bundled_data_and_fails_on_broken_data_with_every_error() {
    let ok = dealbot(&["check"], b"");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let copy = DataCopy::new();
    copy.edit(
        "intents/ipo.toml",
        "distribute broadly could accelerate",
        "distribute widely could accelerate",
    );
    copy.remove("intents/help.toml");
    let bad = dealbot(&["check", "--data", copy.root.to_str().unwrap()], b"");
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("intents/help.toml: missing"), "{err}");
    assert!(err.contains("intents/ipo.toml:18: quote"), "{err}");
    // The labelled questions of the removed intent are reported too.
    assert!(
        err.contains("intents/questions/chat.jsonl:98: unknown intent `help`"),
        "{err}"
    );
}

#[test]
fn eval_reports_scores_and_gates_on_min_accuracy() {
    let dev = concat!(env!("CARGO_MANIFEST_DIR"), "/intents/questions/dev.jsonl");
    let out = dealbot(&["eval", dev, "--min-accuracy", "0.9"], b"");
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.contains("in-scope accuracy:") && text.contains("out-of-scope rejection:"),
        "{text}"
    );
    let failing = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        failing.path(),
        "{\"q\": \"zebra quokka\", \"intent\": \"ipo\"}\n",
    )
    .unwrap();
    let low = dealbot(
        &[
            "eval",
            failing.path().to_str().unwrap(),
            "--min-accuracy",
            "0.5",
        ],
        b"",
    );
    assert_eq!(low.status.code(), Some(1));
}

/// Issue 8: `--min-accuracy 2` was accepted (and could never pass).
#[test]
fn eval_rejects_thresholds_outside_zero_to_one() {
    let dev = concat!(env!("CARGO_MANIFEST_DIR"), "/intents/questions/dev.jsonl");
    for args in [
        ["--min-accuracy", "2"],
        ["--min-rejection", "1.5"],
        ["--min-accuracy", "ninety"],
    ] {
        let out = dealbot(&["eval", dev, args[0], args[1]], b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(args[0]) && err.contains(args[1]), "{err}");
    }
}

#[test]
fn missing_data_dir_is_a_clear_error_not_a_panic() {
    let out = dealbot(&["ask", "--data", "/nonexistent/dealbot", "hi"], b"");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot load the knowledge base") && err.contains("cannot read directory"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
}

#[test]
fn chat_answers_lines_until_quit() {
    let out = dealbot(&["chat"], b"what did altman say\nquit\nhelp\n");
    let text = stdout(&out);
    assert!(
        text.contains("We have updated our partnership with Microsoft"),
        "{text}"
    );
    assert!(!text.contains("How to use dealbot"), "{text}");
}

/// Issue 8: prompts went to stdout when stdin was a file or a pipe.
#[test]
fn chat_prints_no_prompts_when_stdin_is_not_a_terminal() {
    let out = dealbot(&["chat"], b"is openai going public\n\nquit\n");
    let text = stdout(&out);
    assert!(out.status.success());
    assert!(!text.contains("> ") && !text.contains("Ctrl-D"), "{text:?}");
    assert!(text.starts_with("[") || text.starts_with("The"), "{text:?}");
}

/// Issue 8: `ask --json` read stdin lines without a length cap.
#[test]
fn ask_json_answers_an_overlong_line_without_keeping_it() {
    let mut input = vec![b'a'; dealbot::cli::MAX_LINE_BYTES * 4];
    input.extend_from_slice(b"\nIs OpenAI going public?\n");
    let out = dealbot(&["ask", "--json"], &input);
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["answered"], false);
    assert!(
        lines[0]["text"]
            .as_str()
            .unwrap()
            .contains("longer than 65536 bytes"),
        "{}",
        lines[0]
    );
    assert!(lines[0]["question"].as_str().unwrap().len() <= 200);
    assert_eq!(lines[1]["intent"], "ipo");
}

/// Issue 8: `explain` printed Rust `Debug` output.
#[test]
fn explain_prints_readable_text() {
    let out = dealbot(&["explain", "When does the revenue share end?"], b"");
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.contains("decision: answer with revenue_share_end (confidence"),
        "{text}"
    );
    assert!(
        !text.contains("[\"") && !text.contains("{ intent"),
        "{text}"
    );
}

/// Issue 8: every command's `--help` ends with an example.
#[test]
fn every_command_help_has_an_example() {
    for command in [
        "ask", "chat", "eval", "check", "intents", "serve", "explain",
    ] {
        let out = dealbot(&[command, "--help"], b"");
        assert!(out.status.success());
        let text = stdout(&out);
        assert!(text.contains("Example"), "{command}: {text}");
        assert!(
            text.contains(&format!("dealbot {command}"))
                || text.contains(&format!("dealbot --data ./my-data {command}")),
            "{command}: {text}"
        );
    }
}

/// Runs `dealbot` with its standard output a pipe whose reading end is already closed.
fn dealbot_with_closed_stdout(args: &[&str], stdin: &[u8]) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut child = Command::new(env!("CARGO_BIN_EXE_dealbot"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(writer)
        .stderr(Stdio::piped())
        .current_dir(std::env::temp_dir())
        .spawn()
        .expect("run dealbot");
    // The child may exit before reading all of it.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

/// Issue 8: `dealbot intents | head -1` panicked; other commands printed `error: Broken pipe`.
#[test]
fn every_command_exits_quietly_on_a_closed_stdout() {
    let dev = concat!(env!("CARGO_MANIFEST_DIR"), "/intents/questions/dev.jsonl");
    let many = "Is OpenAI going public?\n".repeat(100);
    let cases: [(&[&str], &[u8]); 9] = [
        (&["intents"], b""),
        (&["ask", "When does the revenue share end?"], b""),
        (&["ask", "--json"], many.as_bytes()),
        (&["ask"], many.as_bytes()),
        (&["chat"], many.as_bytes()),
        (&["explain", "revenue share"], b""),
        (&["check"], b""),
        (&["eval", dev], b""),
        (&["--help"], b""),
    ];
    for (args, stdin) in cases {
        let out = dealbot_with_closed_stdout(args, stdin);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?}: {err}");
    }
}

#[test]
fn healthcheck_fails_with_status_1_when_nothing_listens() {
    let addr = format!("127.0.0.1:{}", free_port());
    let out = dealbot(&["healthcheck", "--addr", &addr], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unhealthy: cannot connect"));
}

/// `serve` with a missing data directory: logs "starting", then fails. Returns its stderr.
fn serve_logs(env: &[(&str, &str)]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_dealbot"))
        .args(["serve", "--data", "/nonexistent/dealbot"])
        .env("DEALBOT_HTTP__LISTEN", "127.0.0.1:0")
        .env("RUST_LOG", "info")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    String::from_utf8(out.stderr).unwrap()
}

/// Issue 8: `NO_COLOR` was ignored.
#[test]
fn no_color_turns_colour_off_even_when_forced() {
    let forced = serve_logs(&[("CLICOLOR_FORCE", "1")]);
    assert!(
        forced.contains("starting") && forced.contains('\x1b'),
        "{forced:?}"
    );
    let plain = serve_logs(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(
        plain.contains("starting") && !plain.contains('\x1b'),
        "{plain:?}"
    );
    let bad = Command::new(env!("CARGO_BIN_EXE_dealbot"))
        .args(["eval", "x.jsonl", "--min-accuracy", "2"])
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&bad.stderr).contains('\x1b'));
}

#[test]
fn intents_lists_every_catalogue_id() {
    let text = stdout(&dealbot(&["intents"], b""));
    for id in dealbot::engine::validate::CATALOG_IDS {
        assert!(text.lines().any(|l| l.starts_with(id)), "{id} missing");
    }
}

/// A free loopback port (bound and released; good enough for a test).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn signal(pid: u32, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn serve_reloads_on_sighup_and_exits_cleanly_on_sigterm_without_logging_questions() {
    let copy = DataCopy::new();
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_dealbot"))
        .args(["serve", "--data", copy.root.to_str().unwrap()])
        .env("DEALBOT_HTTP__LISTEN", format!("127.0.0.1:{port}"))
        // The reload loop below may ask more than the default 10 a minute on a loaded machine.
        .env("DEALBOT_LIMITS__PER_USER_PER_MINUTE", "1000")
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .current_dir(std::env::temp_dir())
        .spawn()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ask = |q: &str| {
        runtime.block_on(async {
            for _ in 0..100 {
                let sent = reqwest::Client::new()
                    .post(format!("http://127.0.0.1:{port}/v1/ask"))
                    .json(&serde_json::json!({ "question": q }))
                    .send()
                    .await;
                if let Ok(response) = sent {
                    return response.json::<serde_json::Value>().await.unwrap();
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            panic!("server did not come up");
        })
    };
    assert_eq!(
        ask("is openai going public, zebra-quokka?")["intent"],
        "ipo"
    );

    copy.edit(
        "intents/ipo.toml",
        "The sources mention a potential IPO",
        "RELOADED",
    );
    signal(child.id(), "HUP");
    let mut reloaded = false;
    // Polls within the default rate limit (10 a minute): a busy machine may take seconds to
    // reload a debug build's data.
    for _ in 0..8 {
        // A yes/no question: the verdict leads, then the intent's answer.
        if ask("is openai going public")["text"]
            .as_str()
            .is_some_and(|t| t.contains("RELOADED"))
        {
            reloaded = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(750));
    }
    assert!(reloaded, "SIGHUP reloads data_dir");

    signal(child.id(), "TERM");
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(15),
            "did not exit after SIGTERM"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    let mut logs = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut logs).unwrap();
    assert!(
        logs.contains("slack: off") && logs.contains("discord: off"),
        "{logs}"
    );
    assert!(
        logs.contains("data reloaded") && logs.contains("stopped"),
        "{logs}"
    );
    assert!(
        logs.contains("intent=\"ipo\"") || logs.contains("intent=ipo"),
        "one line per question: {logs}"
    );
    assert!(
        !logs.contains("zebra-quokka"),
        "question text is not logged by default"
    );
}

/// Issue 8: with stderr piped into a process that had exited, `serve` gave empty replies to
/// `/v1/ask` and ignored SIGTERM. A failing log destination must cost log lines only.
#[test]
fn serve_answers_and_stops_on_sigterm_with_stderr_closed() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_dealbot"))
        .args(["serve"])
        .env("DEALBOT_HTTP__LISTEN", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "debug")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(writer)
        .current_dir(std::env::temp_dir())
        .spawn()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let answer = runtime.block_on(async {
        for _ in 0..100 {
            let sent = reqwest::Client::new()
                .post(format!("http://127.0.0.1:{port}/v1/ask"))
                .json(&serde_json::json!({ "question": "is openai going public" }))
                .send()
                .await;
            if let Ok(response) = sent {
                return response.json::<serde_json::Value>().await.unwrap();
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("server did not come up");
    });
    assert_eq!(answer["intent"], "ipo");
    let addr = format!("127.0.0.1:{port}");
    let healthy = dealbot(&["healthcheck", "--addr", &addr], b"");
    assert_eq!(healthy.status.code(), Some(0));
    // From the environment, as in the Dockerfile's HEALTHCHECK.
    let from_env = Command::new(env!("CARGO_BIN_EXE_dealbot"))
        .arg("healthcheck")
        .env("DEALBOT_HTTP__LISTEN", format!("0.0.0.0:{port}"))
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    assert_eq!(from_env.status.code(), Some(0));
    signal(child.id(), "TERM");
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(15) {
            let _ = child.kill();
            panic!("did not exit after SIGTERM");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
}
