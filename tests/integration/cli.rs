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
        "distribute broadly",
        "distribute widely",
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
    let impossible = dealbot(&["eval", dev, "--min-accuracy", "1.01"], b"");
    assert_eq!(impossible.status.code(), Some(1));
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
    for _ in 0..100 {
        // Reloading trains the matcher (slow in a debug build): ask at a pace the rate limit
        // allows, and read an error reply as "not yet".
        if ask("is openai going public")["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("RELOADED"))
        {
            reloaded = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
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
