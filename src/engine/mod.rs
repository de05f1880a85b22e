//! The answer engine: pure, synchronous, and the only place that decides what to answer.
//!
//! - [`data`] loads the knowledge base (sources, intents, lexicon) and [`validate`] checks it;
//! - [`normalize`] cleans chat markup and Unicode, [`vocab`] handles synonyms, stems and typos;
//! - [`matcher`] picks an intent or decides the sources don't cover the question, with the
//!   models of [`classifier`] (trained at load) over the features of [`embed`] and n-grams;
//! - [`question`] reads a question's form and splits one that asks several things,
//!   [`verdict`] picks the lead (a yes/no verdict, a correction, the aspect asked) from the
//!   intents' claims, and [`conversation`] reads follow-ups against the caller's context;
//! - [`answer`] composes the reply, with numbered citations and conflict notes;
//! - [`language`] tells a question in another language, which gets a short "English only" reply;
//! - [`eval`] scores the engine on labelled questions.
//!
//! No I/O happens here beyond reading a data directory on request, and nothing here knows about
//! tokio, Slack or Discord: adapters depend on the engine, never the reverse.

pub mod answer;
pub mod classifier;
pub mod conversation;
pub mod data;
pub mod embed;
pub mod eval;
pub mod language;
pub mod matcher;
pub mod normalize;
pub mod question;
pub mod speakers;
pub mod validate;
pub mod verdict;
pub mod vocab;

use std::path::Path;

pub use answer::{Answer, AnswerFact, Outcome};
pub use conversation::{Context, Turn};
pub use data::{Citation, Conflict, DataFiles, KnowledgeBase, Source, Verdict};
pub use question::Form;
pub use validate::{DataError, LoadError};

pub use matcher::Options;

use matcher::Matcher;

/// A loaded, validated knowledge base with its compiled matcher. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Engine {
    kb: KnowledgeBase,
    matcher: Matcher,
    leads: verdict::Leads,
    speakers: speakers::Speakers,
    topic_words: Vec<conversation::TopicWords>,
    synonym_groups: conversation::SynonymGroups,
}

impl Engine {
    /// The data bundled into the binary.
    pub fn bundled() -> Result<Engine, LoadError> {
        Engine::from_files(&DataFiles::bundled())
    }

    /// The data under `root/seeds` and `root/intents`.
    pub fn from_dir(root: &Path) -> Result<Engine, LoadError> {
        Engine::from_files(&DataFiles::from_dir(root)?)
    }

    /// The data in `files`.
    pub fn from_files(files: &DataFiles) -> Result<Engine, LoadError> {
        Ok(Engine::from_knowledge(
            KnowledgeBase::load(files)?,
            Options::default(),
        ))
    }

    /// An engine over an already loaded knowledge base, its matcher trained with `options`.
    pub fn from_knowledge(kb: KnowledgeBase, options: Options) -> Engine {
        let matcher = Matcher::with_options(&kb, options);
        let leads = verdict::Leads::new(&kb);
        let speakers = speakers::Speakers::new(&kb);
        let topic_words = conversation::topic_words(&kb);
        let synonym_groups = conversation::SynonymGroups::new(&kb);
        Engine {
            kb,
            matcher,
            leads,
            speakers,
            topic_words,
            synonym_groups,
        }
    }

    /// The compiled matcher (for callers that decide per sub-question).
    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// Loads `dir` when given, else the bundled data.
    pub fn load(dir: Option<&Path>) -> Result<Engine, LoadError> {
        match dir {
            Some(dir) => Engine::from_dir(dir),
            None => Engine::bundled(),
        }
    }

    /// Answers one question outside any conversation (see [`Engine::answer_in`]). Never
    /// panics; input past [`normalize::MAX_QUESTION_BYTES`] is ignored.
    pub fn answer(&self, question: &str) -> Answer {
        self.answer_in(question, &Context::default()).0
    }

    /// How a question is analysed and scored, for maintainers tuning the data; a message read as
    /// several parts lists them first, as answered.
    pub fn explain(&self, question: &str) -> String {
        let mut text = String::new();
        let parts = self.answer(question).parts;
        if !parts.is_empty() {
            text.push_str("parts as read:\n");
            for (n, part) in parts.iter().enumerate() {
                let verdict = part.verdict.map(|v| format!(", {v:?}")).unwrap_or_default();
                let intent = part.intent.as_deref().unwrap_or("(not answered)");
                text.push_str(&format!(
                    "  {}. {} → {intent}{verdict}\n",
                    n + 1,
                    part.question
                ));
            }
        } else {
            // Pieces answered as one (an aspect of the part before, or every part on one topic).
            let pieces = question::split(question);
            if pieces.len() > 1 {
                text.push_str("split into pieces, answered as one:\n");
                for (n, piece) in pieces.iter().enumerate() {
                    let answer = self.answer(piece);
                    let intent = answer.intent.as_deref().unwrap_or("(not answered)");
                    text.push_str(&format!("  {}. {piece} → {intent} (alone)\n", n + 1));
                }
            }
        }
        text.push_str(&self.matcher.explain(&self.kb, question));
        text
    }

    /// The knowledge base.
    pub fn knowledge(&self) -> &KnowledgeBase {
        &self.kb
    }

    /// The source with this id.
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.kb.source(id)
    }

    /// Catalogue questions whose text contains every word of `typed` (for autocomplete), at most
    /// `limit`; with nothing typed, one per topic.
    pub fn complete(&self, typed: &str, limit: usize) -> Vec<String> {
        // Autocomplete text is short; the cut and the word cap bound the work on hostile input.
        let typed = normalize::fold(normalize::truncate(typed));
        let mut words: Vec<&str> = typed
            .split_whitespace()
            .take(normalize::MAX_WORDS)
            .collect();
        words.sort_unstable();
        words.dedup();
        let mut out = Vec::new();
        for intent in &self.kb.intents {
            if intent.kind != data::IntentKind::Facts {
                continue;
            }
            for example in &intent.examples {
                let folded = normalize::fold(example);
                if words.iter().all(|w| folded.contains(w)) {
                    out.push(answer::suggestion(intent));
                    break;
                }
            }
            if out.len() >= limit {
                break;
            }
        }
        out
    }
}
