//! Loading and validating data directories: good data loads, broken data is reported in full.

use std::path::{Path, PathBuf};

use dealbot::Engine;
use dealbot::engine::DataFiles;

/// A copy of the repository's `seeds/` and `intents/` in a temporary directory.
pub struct DataCopy {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
}

impl DataCopy {
    pub fn new() -> DataCopy {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().to_path_buf();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        for sub in ["seeds", "intents", "intents/questions"] {
            std::fs::create_dir_all(root.join(sub)).unwrap();
            for entry in std::fs::read_dir(repo.join(sub)).unwrap() {
                let entry = entry.unwrap();
                if entry.path().is_file() {
                    std::fs::copy(entry.path(), root.join(sub).join(entry.file_name())).unwrap();
                }
            }
        }
        DataCopy { _dir: dir, root }
    }

    pub fn edit(&self, file: &str, from: &str, to: &str) {
        let path = self.root.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} lacks {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }

    pub fn write(&self, file: &str, bytes: &[u8]) {
        std::fs::write(self.root.join(file), bytes).unwrap();
    }

    pub fn remove(&self, file: &str) {
        std::fs::remove_file(self.root.join(file)).unwrap();
    }
}

fn errors(copy: &DataCopy) -> Vec<String> {
    match Engine::from_dir(&copy.root) {
        Ok(_) => Vec::new(),
        Err(err) => err.errors.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn bundled_data_equals_the_repository_data() {
    let repo = DataFiles::from_dir(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
    let bundled = DataFiles::bundled();
    let paths = |f: &DataFiles| {
        f.files
            .iter()
            .map(|f| (f.path.clone(), f.bytes.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(paths(&repo), paths(&bundled));
}

#[test]
fn a_copy_of_the_data_loads_from_a_directory() {
    let copy = DataCopy::new();
    assert_eq!(errors(&copy), Vec::<String>::new());
}

#[test]
fn typographic_quote_mismatch_is_reported_with_file_line_and_characters() {
    let copy = DataCopy::new();
    // 002 writes "revenue‑share" with U+2011; a quote with a plain hyphen must be rejected.
    copy.edit(
        "intents/revenue_share_direction.toml",
        "Microsoft will no longer pay a revenue‑share to OpenAI.",
        "Microsoft will no longer pay a revenue-share to OpenAI.",
    );
    let errors = errors(&copy);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].starts_with("intents/revenue_share_direction.toml:"),
        "{}",
        errors[0]
    );
    assert!(
        errors[0].contains("U+2011") && errors[0].contains("typography"),
        "{}",
        errors[0]
    );
    let line: usize = errors[0].split(':').nth(1).unwrap().parse().unwrap();
    let text =
        std::fs::read_to_string(copy.root.join("intents/revenue_share_direction.toml")).unwrap();
    assert!(
        text.lines()
            .nth(line - 1)
            .unwrap()
            .contains("revenue-share to OpenAI"),
        "line {line} is wrong"
    );
}

#[test]
fn every_error_is_collected_at_once() {
    let copy = DataCopy::new();
    copy.edit(
        "intents/exclusivity.toml",
        "source = \"001_a58242dd6c626af2\"",
        "source = \"999_missing\"",
    );
    copy.edit(
        "intents/ipo.toml",
        "examples = [",
        "patterns = ['(unclosed']\nexamples = [",
    );
    copy.edit(
        "intents/agi_clause.toml",
        "This clause has been eliminated",
        "This clause was eliminated",
    );
    copy.remove("intents/timeline.toml");
    copy.write(
        "intents/stock_reaction.toml",
        b"id = \"stock_reaction\"\ntopic = \"x\"\nexamples = [\"a\", \"b\"]\nanswer = \"x\"\n",
    );
    copy.write("intents/broken.toml", b"id = \"broken\"\nexamples = [\n");
    copy.write("intents/binary.toml", b"id = \"\xff\xfe\"\n");
    let errors = errors(&copy);
    let has = |needle: &str| errors.iter().any(|e| e.contains(needle));
    assert!(has("unknown source `999_missing`"), "{errors:#?}");
    assert!(has("pattern does not compile"), "{errors:#?}");
    assert!(
        has("intents/agi_clause.toml:") && has("not found in the source text"),
        "{errors:#?}"
    );
    assert!(has("catalogue intent `timeline` must exist"), "{errors:#?}");
    assert!(has("2 example(s)"), "{errors:#?}");
    assert!(has("no fact with a citation"), "{errors:#?}");
    assert!(has("intents/broken.toml:"), "{errors:#?}");
    assert!(
        has("intents/binary.toml:1: file is not valid UTF-8"),
        "{errors:#?}"
    );
    assert!(errors.len() >= 8, "{errors:#?}");
}

#[test]
fn duplicate_ids_and_unknown_fields_are_rejected() {
    let copy = DataCopy::new();
    let text = std::fs::read_to_string(copy.root.join("intents/ipo.toml")).unwrap();
    copy.write("intents/ipo_copy.toml", text.as_bytes());
    copy.edit(
        "intents/summary.toml",
        "topic =",
        "colour = \"red\"\ntopic =",
    );
    let errors = errors(&copy);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("`ipo` is already used at intents/ipo.toml:1")),
        "{errors:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("does not match the file name")),
        "{errors:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("intents/summary.toml:") && e.contains("colour")),
        "{errors:#?}"
    );
}

#[test]
fn missing_directories_and_source_metadata_are_reported() {
    let empty = tempfile::tempdir().unwrap();
    let err = Engine::from_dir(empty.path()).unwrap_err();
    assert_eq!(err.errors.len(), 2, "{err}");
    let copy = DataCopy::new();
    copy.write("seeds/005_new.txt", b"A new article.");
    let errors = errors(&copy);
    assert!(
        errors
            .iter()
            .any(|e| e.contains("seeds/005_new.txt: has no [[source]] entry")),
        "{errors:#?}"
    );
}

#[test]
fn two_equally_good_intents_make_the_bot_ask_which_was_meant() {
    let copy = DataCopy::new();
    let text = std::fs::read_to_string(copy.root.join("intents/ipo.toml")).unwrap();
    let twin = text
        .replacen("id = \"ipo\"", "id = \"ipo_twin\"", 1)
        .replacen(
            "question = \"Is OpenAI going public?\"",
            "question = \"Will OpenAI list its shares?\"",
            1,
        );
    copy.write("intents/ipo_twin.toml", twin.as_bytes());
    // Without the labelled questions (which all say `ipo`), the twins train on the same
    // examples; what tells them apart is training noise, measured 0.65 against 0.29 on the
    // 2026-11-27 data (0.52 against 0.46 before), so the test asks for a wider ambiguity
    // window than the default: it pins the rule, not the noise.
    std::fs::remove_dir_all(copy.root.join("intents/questions")).unwrap();
    let kb = dealbot::engine::KnowledgeBase::load(
        &dealbot::engine::DataFiles::from_dir(&copy.root).unwrap(),
    )
    .unwrap();
    let options = dealbot::engine::Options {
        ambiguity: 0.4,
        ..Default::default()
    };
    let engine = Engine::from_knowledge(kb, options);
    let answer = engine.answer("is openai planning an ipo?");
    assert!(!answer.answered, "{:?}", answer.intent);
    assert_eq!(answer.intent, None);
    assert_eq!(answer.outcome, dealbot::engine::Outcome::Ambiguous);
    // The twins' probabilities differ only by training noise: either may come first.
    let mut suggestions = answer.suggestions.clone();
    suggestions.sort();
    assert_eq!(
        suggestions,
        ["Is OpenAI going public?", "Will OpenAI list its shares?"]
    );
    assert!(
        answer.text.contains("not sure which you mean"),
        "{}",
        answer.text
    );
}

#[test]
fn requires_entries_with_ignored_small_words_are_reported() {
    let copy = DataCopy::new();
    copy.edit(
        "intents/ipo.toml",
        "requires = [\"ipo\",",
        "requires = [\"someone listing\", \"ipo\",",
    );
    let errors = errors(&copy);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].starts_with("intents/ipo.toml:1: ipo: requires entry `someone listing`"),
        "{}",
        errors[0]
    );
}

// ---- the citation audit's checks (issue 11) --------------------------------------------------

#[test]
fn a_quote_with_a_line_break_is_rejected() {
    let copy = DataCopy::new();
    // 004's FAQ: the question and its answer are two lines; one quote may not glue them.
    copy.edit(
        "intents/azure_customers.toml",
        "quote = \"No. Microsoft remains",
        "quote = \"Will Microsoft Azure users lose access to OpenAI models?\\nNo. Microsoft remains",
    );
    let errors = errors(&copy);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("intents/azure_customers.toml:") && e.contains("line break")),
        "{errors:#?}"
    );
}

#[test]
fn a_quote_with_unbalanced_or_nested_quotation_marks_is_rejected() {
    let copy = DataCopy::new();
    copy.edit(
        "intents/primary_cloud.toml",
        "quote = \"Microsoft remains OpenAI’s “primary cloud partner”\"",
        "quote = \"Microsoft remains OpenAI’s “primary cloud partner\"",
    );
    copy.edit(
        "intents/altman_statement.toml",
        "quote = \"We have updated",
        "quote = \"Sam Altman: “We have updated",
    );
    copy.edit(
        "intents/altman_statement.toml",
        "arrangement until 2030.\" },",
        "arrangement until 2030.”\" },",
    );
    let errors = errors(&copy);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("intents/primary_cloud.toml:")
                && e.contains("unbalanced quotation marks")),
        "{errors:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("intents/altman_statement.toml:")
                && e.contains("speaker label `Sam Altman:`")),
        "{errors:#?}"
    );
}

#[test]
fn a_fact_asserting_a_number_no_quote_gives_is_rejected() {
    let copy = DataCopy::new();
    // 002 says "roughly 27 %"; a fact saying 30 % has no quote behind it.
    copy.edit(
        "intents/microsoft_stake.toml",
        "text = \"An October 2023 agreement gave Microsoft roughly 27 %",
        "text = \"An October 2023 agreement gave Microsoft roughly 30 %",
    );
    // And a lead with a year that no quote of the intent gives.
    copy.edit(
        "intents/ipo.toml",
        "give no date or plan",
        "give no date or plan beyond 2027",
    );
    let errors = errors(&copy);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("intents/microsoft_stake.toml:")
                && e.contains("says 30, which none of its quotes gives")),
        "{errors:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("intents/ipo.toml:") && e.contains("the answer says 2027")),
        "{errors:#?}"
    );
}

#[test]
fn a_fact_that_drops_its_sources_hedge_is_rejected() {
    let copy = DataCopy::new();
    // "Perhaps the most immediate benefit" must not become "the biggest immediate benefit".
    copy.edit(
        "intents/antitrust.toml",
        "text = \"Perhaps the most immediate benefit for Microsoft is regulatory relief, the article argues:",
        "text = \"The biggest immediate benefit for Microsoft is regulatory relief:",
    );
    let errors = errors(&copy);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("intents/antitrust.toml:") && e.contains("keep the hedge")),
        "{errors:#?}"
    );
}

#[test]
fn a_bare_source_id_or_unknown_placeholder_in_prose_is_rejected() {
    let copy = DataCopy::new();
    copy.edit(
        "intents/stock_reaction.toml",
        "text = \"It calls this a modest dip",
        "text = \"002 calls this a modest dip",
    );
    copy.edit(
        "intents/ip_license.toml",
        "note = \"{004} ties 2032",
        "note = \"{007} ties 2032",
    );
    let errors = errors(&copy);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("intents/stock_reaction.toml:")
                && e.contains("bare source id `002`")),
        "{errors:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("intents/ip_license.toml:")
                && e.contains("`{007}` names no source")),
        "{errors:#?}"
    );
}

#[test]
fn a_note_kind_must_be_conflict_or_note() {
    let copy = DataCopy::new();
    copy.edit(
        "intents/announcement_date.toml",
        "kind = \"note\"",
        "kind = \"aside\"",
    );
    let errors = errors(&copy);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("intents/announcement_date.toml:") && e.contains("aside")),
        "{errors:#?}"
    );
}

#[test]
fn bad_question_files_are_reported_with_file_and_line() {
    let copy = DataCopy::new();
    copy.write(
        "intents/questions/zz-bad.jsonl",
        concat!(
            "{\"q\": \"who owns the bridge\", \"intent\": \"no_such_intent\"}\n",
            "{\"q\": \"When does the revenue share END?\", \"intent\": \"revenue_share_end\"}\n",
            "not json\n",
            "{\"q\": \"is it capped\", \"intent\": null, \"also\": [\"nope\"]}\n",
        )
        .as_bytes(),
    );
    let errors = errors(&copy);
    let has = |prefix: &str, text: &str| {
        errors
            .iter()
            .any(|e| e.starts_with(prefix) && e.contains(text))
    };
    assert!(
        has(
            "intents/questions/zz-bad.jsonl:1:",
            "unknown intent `no_such_intent`"
        ),
        "{errors:#?}"
    );
    assert!(
        has("intents/questions/zz-bad.jsonl:2:", "already labelled at"),
        "{errors:#?}"
    );
    assert!(
        has(
            "intents/questions/zz-bad.jsonl:3:",
            "not a labelled question"
        ),
        "{errors:#?}"
    );
    assert!(
        has("intents/questions/zz-bad.jsonl:4:", "unknown intent `nope`"),
        "{errors:#?}"
    );
    assert_eq!(errors.len(), 4, "{errors:#?}");
}

/// Every question of a held-out test file (single rows, compound rows and conversation turns).
fn test_file_questions(file: &str) -> Vec<String> {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        match row.get("conversation").and_then(|c| c.as_array()) {
            Some(turns) => out.extend(
                turns
                    .iter()
                    .filter_map(|t| t.get("q")?.as_str().map(str::to_owned)),
            ),
            None => out.extend(row.get("q").and_then(|q| q.as_str()).map(str::to_owned)),
        }
    }
    out
}

#[test]
fn no_training_question_is_a_held_out_test_question() {
    use dealbot::engine::validate::question_key;
    let kb = dealbot::engine::KnowledgeBase::load(&DataFiles::bundled()).unwrap();
    assert!(kb.questions.len() > 800, "{}", kb.questions.len());
    let training: std::collections::HashSet<String> = kb
        .questions
        .iter()
        .map(|q| question_key(&q.q))
        // Standalone intents (greetings) are answered by a rule before the classifier: "hi" may
        // be both. Catalogue questions (`question`) are shown to every user, test writers too.
        .chain(
            kb.intents
                .iter()
                .filter(|i| !i.standalone)
                .flat_map(|i| i.examples.iter().map(|q| question_key(q))),
        )
        .chain(
            kb.uncovered
                .iter()
                .flat_map(|t| t.examples.iter().map(|q| question_key(q))),
        )
        .collect();
    for file in [
        "fresh-1.jsonl",
        "fresh-2.jsonl",
        "fresh-3.jsonl",
        "fresh-4.jsonl",
        "fresh-5.jsonl",
        "fresh-6.jsonl",
        "fresh-7.jsonl",
        "fresh-8.jsonl",
        "fresh-9.jsonl",
        "fresh-10.jsonl",
        "fresh-11.jsonl",
        "fresh-12.jsonl",
        "fresh-13.jsonl",
        "fresh-14.jsonl",
        "fresh-15.jsonl",
        "fresh-16.jsonl",
        "fresh-17.jsonl",
        "fresh-18.jsonl",
        "fresh-19.jsonl",
        "fresh-20.jsonl",
        "fresh-21.jsonl",
        "fresh-22.jsonl",
        "fresh-23.jsonl",
        "fresh-24.jsonl",
        "fresh-25.jsonl",
        "fresh-26.jsonl",
    ] {
        let questions = test_file_questions(file);
        // fresh-1 keeps only its compound and conversation rows (81 questions).
        assert!(questions.len() > 75, "{file}");
        for q in questions {
            assert!(
                !training.contains(&question_key(&q)),
                "{file}: {q:?} is also training data"
            );
        }
    }
}

#[test]
fn a_labelled_question_added_to_the_data_changes_the_model_on_next_load() {
    let question = "what's the story with the zorblax arrangement";
    let before = Engine::bundled().unwrap();
    // `help` has no `requires`, so no guard vetoes it whatever the words.
    let ipo = before
        .knowledge()
        .intents
        .iter()
        .position(|i| i.id == "help")
        .unwrap();
    let p_ipo = |engine: &Engine| {
        let analysis = engine.matcher().analyze(question);
        engine
            .matcher()
            .ranked(&analysis, 50)
            .into_iter()
            .find(|(i, _)| *i == ipo)
            .map_or(0.0, |(_, p)| p)
    };
    let p_before = p_ipo(&before);
    assert_ne!(before.answer(question).intent.as_deref(), Some("help"));

    let copy = DataCopy::new();
    copy.write(
        "intents/questions/zz-added.jsonl",
        b"{\"q\": \"what's the story with the zorblax arrangement\", \"intent\": \"help\"}\n",
    );
    let after = Engine::from_dir(&copy.root).unwrap();
    let p_after = p_ipo(&after);
    assert!(p_after > p_before + 0.1, "{p_before} -> {p_after}");
    assert_eq!(after.answer(question).intent.as_deref(), Some("help"));
}
