//! Replies a newsroom can quote (issue 11): reply lengths per platform, the short Slack and
//! Discord replies with their Sources follow-up, sources named everywhere.

use serde_json::Value;

use dealbot::render::{discord, slack};

/// The questions of a labelled question set (`{"q": …}` per line).
fn questions(path: &str) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| v["q"].as_str().map(str::to_owned))
        .collect()
}

/// Slack mrkdwn as a reader sees it: `<url|label>` shows the label, `*`/`_` are formatting,
/// entities are one character.
fn mrkdwn_visible(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('>') {
            Some(end) => {
                let inner = &after[..end];
                out.push_str(inner.rsplit('|').next().unwrap_or(inner));
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out.replace(['*', '_'], "")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Characters a Slack user sees in a message: every text in its blocks, button labels included.
pub fn slack_visible(message: &Value) -> usize {
    fn walk(v: &Value, out: &mut String) {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(t)) = map.get("text") {
                    let plain = map.get("type").and_then(Value::as_str) == Some("plain_text");
                    out.push_str(&if plain { t.clone() } else { mrkdwn_visible(t) });
                    out.push('\n');
                }
                for (k, child) in map {
                    if k != "text" || !child.is_string() {
                        walk(child, out);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let mut out = String::new();
    walk(&message["blocks"], &mut out);
    out.trim().chars().count()
}

/// Characters a Discord user sees: the embed's title, description (markdown stripped, link
/// targets hidden), fields, footer, and button labels.
pub fn discord_visible(embed: &Value, buttons: &[String]) -> usize {
    let md = |s: &str| {
        // [label](<url>) or [label](url) shows the label.
        let re = regex::Regex::new(r"\[([^\]]*)\]\(<?[^)>]*>?\)").unwrap();
        re.replace_all(s, "$1").replace("**", "").replace('*', "")
    };
    let mut n = 0;
    for key in ["title", "description"] {
        n += embed[key].as_str().map_or(0, |s| md(s).chars().count());
    }
    n += embed["footer"]["text"].as_str().map_or(0, |s| s.chars().count());
    for f in embed["fields"].as_array().into_iter().flatten() {
        n += f["name"].as_str().map_or(0, |s| md(s).chars().count());
        n += f["value"].as_str().map_or(0, |s| md(s).chars().count());
    }
    n + buttons.iter().map(|b| b.chars().count()).sum::<usize>()
}

fn stats(mut lengths: Vec<usize>) -> (usize, usize) {
    lengths.sort_unstable();
    let median = lengths.get(lengths.len() / 2).copied().unwrap_or(0);
    (median, lengths.last().copied().unwrap_or(0))
}

/// Prints the median and longest visible reply length per platform over the dev set:
/// `cargo test --locked --test integration reply_lengths -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement, not a check: run with --ignored --nocapture"]
fn reply_lengths_over_the_dev_set() {
    let engine = crate::engine();
    let (mut s, mut d, mut t) = (Vec::new(), Vec::new(), Vec::new());
    for q in questions("tests/data/dev.jsonl") {
        let answer = engine.answer(&q);
        s.push(slack_visible(&slack::render(&answer, engine, false).to_json()));
        d.push(discord_visible(
            &discord::render(&answer, engine).to_json(),
            &[],
        ));
        t.push(answer.text.chars().count());
    }
    for (name, lengths) in [("slack", s), ("discord", d), ("plain text", t)] {
        let n = lengths.len();
        let (median, longest) = stats(lengths);
        println!("{name:>10}: median {median:>5}, longest {longest:>5} characters over {n} replies");
    }
}
