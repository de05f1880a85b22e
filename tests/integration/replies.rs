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
    n += embed["footer"]["text"]
        .as_str()
        .map_or(0, |s| s.chars().count());
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
    for q in questions("intents/questions/dev.jsonl") {
        let answer = engine.answer(&q);
        s.push(slack_visible(
            &slack::render(&answer, engine, false).to_json(),
        ));
        let buttons: Vec<String> = discord::components(&answer)
            .iter()
            .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
            .filter_map(|b| b["label"].as_str().map(str::to_owned))
            .collect();
        d.push(discord_visible(
            &discord::render(&answer, engine).to_json(),
            &buttons,
        ));
        t.push(answer.text.chars().count());
    }
    for (name, lengths) in [("slack", s), ("discord", d), ("plain text", t)] {
        let n = lengths.len();
        let (median, longest) = stats(lengths);
        println!(
            "{name:>10}: median {median:>5}, longest {longest:>5} characters over {n} replies"
        );
    }
}

/// Every `q` of an object labelled with an intent (so an English question the bot should
/// answer), however deep in the row (conversations, compound rows).
fn labelled_questions(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let (Some(Value::String(q)), Some(Value::String(_))) =
                (map.get("q"), map.get("intent"))
            {
                out.push(q.clone());
            }
            map.values().for_each(|v| labelled_questions(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| labelled_questions(v, out)),
        _ => {}
    }
}

#[test]
fn english_questions_are_never_taken_for_another_language() {
    let mut questions = Vec::new();
    let files = std::fs::read_dir("tests/data")
        .unwrap()
        .chain(std::fs::read_dir("intents/questions").unwrap());
    for entry in files {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            for line in std::fs::read_to_string(&path).unwrap().lines() {
                if let Ok(row) = serde_json::from_str::<Value>(line) {
                    labelled_questions(&row, &mut questions);
                }
            }
        }
    }
    assert!(questions.len() > 1000, "{}", questions.len());
    // fresh-23 asked for a few words of another language mixed in; its writer wrote these
    // wholly in Spanish, German or French. They stay in the file (the bot answers them "I only
    // understand English", which scores as wrong) and must be recognised as not English.
    const WRITTEN_IN_ANOTHER_LANGUAGE: &[&str] = &[
        "Oye, ¿hasta cuándo le paga OpenAI el revenue share a Microsoft?",
        "Kurze Frage: ist die Partnerschaft jetzt noch exklusiv oder nicht mehr?",
        "c'est quoi exactement la date de l'annonce? j'ai besoin du jour",
        "Es correcto decir que OpenAI ya puede licenciar sus modelos a cualquier tercero?",
        "qué pasa con los clientes de Azure?",
        "¿y los reguladores?",
    ];
    for q in WRITTEN_IN_ANOTHER_LANGUAGE {
        assert!(
            questions.iter().any(|x| x == q),
            "{q} is no longer labelled"
        );
        assert!(dealbot::engine::language::is_not_english(q), "{q}");
    }
    let flagged: Vec<&String> = questions
        .iter()
        .filter(|q| !WRITTEN_IN_ANOTHER_LANGUAGE.contains(&q.as_str()))
        .filter(|q| dealbot::engine::language::is_not_english(q))
        .collect();
    assert!(
        flagged.is_empty(),
        "taken for another language: {flagged:#?}"
    );
}

#[test]
fn a_question_in_another_language_is_told_i_only_understand_english() {
    // Issue 11: the French question used to be refused as "company financials".
    for q in [
        "Quand se termine le partage des revenus ?",
        "¿Cuándo termina el acuerdo entre Microsoft y OpenAI?",
        "Wann endet die Umsatzbeteiligung?",
    ] {
        let answer = crate::engine().answer(q);
        assert!(!answer.answered, "{q}");
        assert!(
            answer.direct.contains("only understand English"),
            "{q}: {}",
            answer.direct
        );
        assert!(
            answer.direct.chars().count() < 80,
            "short: {}",
            answer.direct
        );
    }
}

#[test]
fn the_refusal_reason_fits_the_question() {
    // Issue 11: "who is the CEO of Microsoft?" names nobody, so "that person" made no sense.
    let answer = crate::engine().answer("who is the CEO of Microsoft?");
    assert!(!answer.answered);
    assert!(!answer.direct.contains("that person"), "{}", answer.direct);
    assert!(
        answer.direct.contains("who holds which job"),
        "{}",
        answer.direct
    );
}

// ---- sources named, never numbered ---------------------------------------------------------

/// Bare source ids ("000", "004") a reader could see in `text`.
fn bare_ids(text: &str) -> Vec<String> {
    let ids: Vec<&str> = crate::engine()
        .knowledge()
        .sources
        .iter()
        .map(|s| s.short_id())
        .collect();
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| ids.contains(w))
        .map(str::to_owned)
        .collect()
}

fn catalogue_questions() -> Vec<String> {
    let mut qs: Vec<String> = crate::engine()
        .knowledge()
        .intents
        .iter()
        .filter_map(|i| i.question.clone())
        .collect();
    qs.extend(questions("intents/questions/dev.jsonl"));
    qs
}

#[test]
fn no_reply_on_any_front_end_shows_a_bare_source_id() {
    let engine = crate::engine();
    let tags = regex::Regex::new(r"<[^>]*>").unwrap();
    for q in catalogue_questions() {
        let answer = engine.answer(&q);
        let slack_reply = slack::render(&answer, engine, true).to_json().to_string();
        let slack_sources = slack::render_sources(&answer).to_json().to_string();
        let discord_reply = discord::render(&answer, engine).to_json().to_string();
        let discord_sources = discord::render_sources(&answer).to_json().to_string();
        let page = dealbot::render::html::page(engine, &q, Some(&answer), None, "t1");
        let page_text = tags.replace_all(&page, " ");
        for (front, text) in [
            ("plain", answer.text.clone()),
            ("slack", slack_reply),
            ("slack sources", slack_sources),
            ("discord", discord_reply),
            ("discord sources", discord_sources),
            ("web", page_text.into_owned()),
        ] {
            assert_eq!(
                bare_ids(&text),
                Vec::<String>::new(),
                "{front}: {q}: {text}"
            );
        }
    }
}

#[test]
fn no_title_appears_twice_in_a_slack_or_discord_reply() {
    let engine = crate::engine();
    for q in catalogue_questions() {
        let answer = engine.answer(&q);
        let slack_reply = slack::render(&answer, engine, true).to_json().to_string();
        let discord_reply = discord::render(&answer, engine).to_json().to_string();
        for source in &engine.knowledge().sources {
            let title = serde_json::to_string(source.name()).unwrap();
            let title = title.trim_matches('"');
            for (front, text) in [("slack", &slack_reply), ("discord", &discord_reply)] {
                assert!(
                    text.matches(title).count() <= 1,
                    "{front}: {q}: {title} twice in {text}"
                );
            }
        }
    }
}

#[test]
fn json_citations_carry_title_and_url() {
    let answer = crate::engine().answer("When does the revenue share end?");
    let value = serde_json::to_value(&answer).unwrap();
    let citations = value["citations"].as_array().unwrap();
    let by_002 = citations
        .iter()
        .find(|c| c["source"] == "002_0c0d736d20894e5e")
        .unwrap();
    assert_eq!(
        by_002["title"],
        "Microsoft’s Exclusive Tie with OpenAI Ends: What the New Partnership Means"
    );
    assert_eq!(
        by_002["url"],
        "https://openai.com/index/next-phase-of-microsoft-partnership/"
    );
    let by_001 = citations
        .iter()
        .find(|c| c["source"] == "001_a58242dd6c626af2")
        .unwrap();
    assert_eq!(
        by_001["title"],
        "Untitled explainer on the amended agreement"
    );
    assert!(by_001["url"].is_null());
}

#[test]
fn a_fact_backed_by_one_source_says_so() {
    let engine = crate::engine();
    // Every fact rests on one article: said once for the whole answer.
    let stake = engine.answer("How much of OpenAI does Microsoft own?");
    assert!(
        stake.text.contains(
            "Only Microsoft’s Exclusive Tie with OpenAI Ends: What the New Partnership Means reports this."
        ),
        "{}",
        stake.text
    );
    // Mixed: the one-source fact says so, the four-source fact doesn't.
    let bedrock = engine.answer("What did Andy Jassy say about Bedrock?");
    let jassy = bedrock
        .facts
        .iter()
        .find(|f| f.text.contains("Jassy said"))
        .unwrap();
    assert!(jassy.sole_source.is_some());
    assert!(bedrock.text.contains("reports this."), "{}", bedrock.text);
    let end = engine.answer("When does the revenue share end?");
    assert!(end.facts[0].sole_source.is_none());
}

#[test]
fn the_revenue_share_answers_flag_000_contradicting_itself() {
    for q in [
        "When does the revenue share end?",
        "Who pays whom under the new deal?",
        "Is the revenue share capped?",
    ] {
        let answer = crate::engine().answer(q);
        let own = answer
            .conflicts
            .iter()
            .find(|c| c.source == "000_50bb8e954e3b032f");
        let own = own.unwrap_or_else(|| panic!("{q}: no self-contradiction note"));
        assert!(own.note.contains("contradicts itself"), "{}", own.note);
        assert!(own.quote.contains("ending revenue-sharing"));
    }
}

#[test]
fn the_sources_answer_lists_titles_with_links() {
    let answer = crate::engine().answer("what are your sources?");
    assert_eq!(answer.intent.as_deref(), Some("sources"));
    assert!(
        answer
            .text
            .contains("https://openai.com/index/next-phase-of-microsoft-partnership/")
    );
    for source in &crate::engine().knowledge().sources {
        assert!(answer.text.contains(source.name()), "{}", source.name());
    }
}

#[test]
fn help_fits_one_screen_and_each_platform_shows_only_its_own_usage() {
    let engine = crate::engine();
    let help = engine.answer("help");
    assert_eq!(help.intent.as_deref(), Some("help"));
    assert!(help.facts.len() <= 8, "{} bullets", help.facts.len());
    let slack = slack::render(&help, engine, false).to_json().to_string();
    assert!(slack.contains("/deal <question>"), "{slack}");
    assert!(
        !slack.contains("question:") && !slack.contains("dealbot ask"),
        "{slack}"
    );
    assert!(slack_visible(&slack::render(&help, engine, false).to_json()) < 600);
    let discord = discord::render(&help, engine).to_json().to_string();
    assert!(discord.contains("/deal question:"), "{discord}");
    assert!(
        !discord.contains("@dealbot") && !discord.contains("dealbot ask"),
        "{discord}"
    );
}

// ---- short replies and the Sources follow-up ---------------------------------------------

#[test]
fn a_typical_short_reply_stays_near_700_visible_characters() {
    let engine = crate::engine();
    let mut lengths: Vec<usize> = questions("intents/questions/dev.jsonl")
        .iter()
        .map(|q| slack_visible(&slack::render(&engine.answer(q), engine, false).to_json()))
        .collect();
    let (median, _) = stats(std::mem::take(&mut lengths));
    assert!(median <= 760, "median Slack reply {median} characters");
}

#[test]
fn the_sources_follow_up_shows_every_citation_and_the_dissent() {
    let engine = crate::engine();
    let answer = engine.answer("When does the revenue share end?");
    let slack_text = slack::render_sources(&answer).to_json().to_string();
    let discord_text = discord::render_sources(&answer).to_json().to_string();
    for c in &answer.citations {
        let quote = serde_json::to_string(&c.quote).unwrap();
        let quote = quote.trim_matches('"');
        assert!(slack_text.contains(quote), "slack lacks {quote}");
        assert!(discord_text.contains(quote), "discord lacks {quote}");
    }
    assert!(slack_text.contains("Reports indicate that Microsoft will stop paying"));
    // The short reply has a Sources button on both platforms.
    let reply = slack::render(&answer, engine, false).to_json();
    assert!(reply.to_string().contains(slack::SOURCES_ACTION));
    let components = discord::components(&answer);
    assert_eq!(
        components[0]["components"][0]["custom_id"],
        "dealbot_sources:When does the revenue share end?"
    );
    assert_eq!(
        discord::sources_question("dealbot_sources:When does the revenue share end?", engine)
            .as_deref(),
        Some("When does the revenue share end?")
    );
    let long = "hi, I'm writing a piece for tomorrow's business section on the Microsoft and \
                OpenAI deal and my editor wants one thing double-checked: when does the revenue \
                share end";
    let id = discord::sources_custom_id(&engine.answer(long));
    assert!(id.chars().count() <= discord::MAX_CUSTOM_ID, "{id}");
    assert_eq!(
        discord::sources_question(&id, engine).as_deref(),
        Some("When does the revenue share end?")
    );
    assert_eq!(discord::sources_question("something_else", engine), None);
}

#[test]
fn short_reply_and_sources_snapshots() {
    let engine = crate::engine();
    for (name, q) in [
        ("revenue_share_end", "When does the revenue share end?"),
        ("microsoft_stake", "How much of OpenAI does Microsoft own?"),
        ("announcement_date", "When was it announced?"),
    ] {
        let answer = engine.answer(q);
        insta::assert_json_snapshot!(
            format!("slack_short_{name}"),
            slack::render(&answer, engine, true).to_json()
        );
        insta::assert_json_snapshot!(
            format!("slack_sources_{name}"),
            slack::render_sources(&answer).to_json()
        );
        insta::assert_json_snapshot!(
            format!("discord_short_{name}"),
            serde_json::json!({
                "embeds": [discord::render(&answer, engine).to_json()],
                "components": discord::components(&answer),
            })
        );
        insta::assert_json_snapshot!(
            format!("discord_sources_{name}"),
            discord::render_sources(&answer).to_json()
        );
    }
}

// ---- the web page ------------------------------------------------------------------------

fn web_settings() -> dealbot::settings::Settings {
    let mut s = dealbot::settings::Settings::default();
    s.limits.per_user_per_minute = 1000;
    s.limits.global_per_second = 1000;
    s
}

#[tokio::test]
async fn the_empty_page_offers_example_questions_and_the_sources() {
    let served = crate::Served::start(web_settings()).await;
    let html = reqwest::get(served.url("/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("href=\"/?q=When+does+the+revenue+share+end%3F&amp;c="),
        "{html}"
    );
    for source in &crate::engine().knowledge().sources {
        let name = dealbot::render::html::escape(source.name());
        assert!(html.contains(&name), "{name}");
    }
    assert!(
        html.contains("href=\"https://openai.com/index/next-phase-of-microsoft-partnership/\"")
    );
    assert!(
        !html.contains("000_") && !html.contains("revenue_share_end"),
        "{html}"
    );
    served.stop().await;
}

#[tokio::test]
async fn get_with_a_question_renders_the_answer_on_the_server() {
    let served = crate::Served::start(web_settings()).await;
    let response = reqwest::get(served.url("/?q=When+does+the+revenue+share+end%3F"))
        .await
        .unwrap();
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(!csp.contains("script-src"), "{csp}");
    let html = response.text().await.unwrap();
    // The answer is in the HTML itself (no script runs), with titles, never ids.
    assert!(html.contains("continue through 2030"), "{html}");
    assert!(html.contains("The sources disagree."), "{html}");
    assert!(html.contains("Untitled explainer on the amended agreement"));
    assert!(html.contains("value=\"When does the revenue share end?\""));
    assert!(
        html.contains("<meta property=\"og:description\" content=\"OpenAI&#39;s revenue-share")
    );
    assert!(
        !html.contains("revenue_share_end") && !html.contains("004_"),
        "{html}"
    );
    assert!(!html.contains("Topic:"));
    // The question is escaped wherever it appears.
    let html = reqwest::get(served.url("/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E%22"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("<script>alert(1)"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;"),
        "{html}"
    );
    served.stop().await;
}

/// Issue 12: the web page keeps a conversation per browser tab. The form and the links carry the
/// tab's id, so "and Google?" after "can OpenAI use AWS?" is read in context; a new tab (no id)
/// starts afresh.
#[tokio::test]
async fn the_page_keeps_a_conversation_per_tab() {
    let served = crate::Served::start(web_settings()).await;
    let base = served.url("");
    let get = |path: String| {
        let url = format!("{base}{path}");
        async move { reqwest::get(url).await.unwrap().text().await.unwrap() }
    };
    let empty = get("/".to_owned()).await;
    let tab = empty
        .split("name=\"c\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the form carries the tab's conversation id")
        .to_owned();
    assert_eq!(tab.len(), 32, "{tab}");
    let other = get("/".to_owned()).await;
    assert!(!other.contains(&tab), "each new tab gets its own id");

    let first = get(format!("/?q=can+openai+use+aws%3F&c={tab}")).await;
    assert!(
        first.contains(&format!("value=\"{tab}\"")),
        "the tab keeps its id"
    );
    let follow_up = get(format!("/?q=and+google%3F&c={tab}")).await;
    assert!(follow_up.contains("Google"), "{follow_up}");
    assert!(!follow_up.contains("don't cover"), "{follow_up}");
    let fresh = get("/?q=and+google%3F".to_owned()).await;
    assert_ne!(fresh, follow_up);
    // A malformed id is replaced, never echoed.
    let odd = get("/?q=hi&c=%22%3E%3Cscript%3E".to_owned()).await;
    assert!(!odd.contains("<script>"), "{odd}");
    served.stop().await;
}
