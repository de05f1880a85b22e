//! The knowledge base: source articles, intents, the lexicon, and what the sources don't cover.
//!
//! [`DataFiles`] is the raw material, read from a directory or from the copy bundled into the
//! binary; [`KnowledgeBase::load`] parses it and runs every check of [`super::validate`], so a
//! knowledge base that exists is one whose every quote stands verbatim in its source. The schema
//! is documented for maintainers in `intents/README.md`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use super::validate::{self, DataError, LoadError};

static BUNDLED_SEEDS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/seeds");
static BUNDLED_INTENTS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/intents");

/// Name of the source metadata file in `seeds/`.
pub const SOURCES_FILE: &str = "sources.toml";
/// Name of the lexicon file in `intents/`.
pub const LEXICON_FILE: &str = "lexicon.toml";
/// Name of the optional English word list in `intents/` (words that are never typo-corrected).
pub const DICTIONARY_FILE: &str = "dictionary.txt";
/// Name of the file of topics the sources don't cover, in `intents/`.
pub const NOT_COVERED_FILE: &str = "not_covered.toml";
/// The people questions credit with statements, and what the sources quote them saying.
pub const SPEAKERS_FILE: &str = "speakers.toml";
/// Folder of `intents/` holding labelled questions (`*.jsonl`), the matcher's training data.
pub const QUESTIONS_DIR: &str = "questions";

/// One data file: its path relative to the data directory (`seeds/x.txt`) and its bytes.
#[derive(Debug, Clone)]
pub struct DataFile {
    /// Path relative to the data root, with `/` separators.
    pub path: String,
    /// Raw contents; checked for UTF-8 at load.
    pub bytes: Vec<u8>,
}

/// The files a knowledge base is built from.
#[derive(Debug, Clone, Default)]
pub struct DataFiles {
    /// Every file under `seeds/` and `intents/`, sorted by path.
    pub files: Vec<DataFile>,
}

impl DataFiles {
    /// The copy of `seeds/` and `intents/` compiled into the binary.
    pub fn bundled() -> DataFiles {
        let mut files = Vec::new();
        for (prefix, dir) in [("seeds", &BUNDLED_SEEDS), ("intents", &BUNDLED_INTENTS)] {
            // Top-level files, and the files of `intents/questions/`.
            let nested = dir
                .dirs()
                .filter(|d| d.path() == Path::new(QUESTIONS_DIR))
                .flat_map(|d| d.files());
            for file in dir.files().chain(nested) {
                files.push(DataFile {
                    path: format!("{prefix}/{}", file.path().display()),
                    bytes: file.contents().to_vec(),
                });
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        DataFiles { files }
    }

    /// Reads `root/seeds/*`, `root/intents/*` and `root/intents/questions/*` (when present).
    pub fn from_dir(root: &Path) -> Result<DataFiles, LoadError> {
        let mut files = Vec::new();
        let mut errors = Vec::new();
        let questions = format!("intents/{QUESTIONS_DIR}");
        for sub in ["seeds", "intents", questions.as_str()] {
            let dir: PathBuf = root.join(sub);
            let entries = match std::fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(_) if sub == questions => continue,
                Err(err) => {
                    errors.push(DataError::file(
                        dir.display().to_string(),
                        format!("cannot read directory: {err}"),
                    ));
                    continue;
                }
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if !path.is_file() {
                    continue;
                }
                let name = entry.file_name().to_string_lossy().into_owned();
                match std::fs::read(&path) {
                    Ok(bytes) => files.push(DataFile {
                        path: format!("{sub}/{name}"),
                        bytes,
                    }),
                    Err(err) => errors.push(DataError::file(
                        path.display().to_string(),
                        format!("cannot read file: {err}"),
                    )),
                }
            }
        }
        if !errors.is_empty() {
            return Err(LoadError { errors });
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(DataFiles { files })
    }
}

/// A source article.
#[derive(Debug, Clone)]
pub struct Source {
    /// The file stem, e.g. `000_50bb8e954e3b032f`.
    pub id: String,
    /// The headline, when the text has one.
    pub title: Option<String>,
    /// A neutral name for articles without a headline.
    pub label: Option<String>,
    /// Who the text says it comes from.
    pub attribution: Option<String>,
    /// URLs standing in the text.
    pub links: Vec<String>,
    /// The full text.
    pub text: String,
}

impl Source {
    /// The title, or the label when the text has no headline.
    pub fn name(&self) -> &str {
        self.title
            .as_deref()
            .or(self.label.as_deref())
            .unwrap_or(&self.id)
    }

    /// The short id used in prose (`000` for `000_50bb8e954e3b032f`).
    pub fn short_id(&self) -> &str {
        short_id(&self.id)
    }

    /// The article's own link, when its text gives one.
    pub fn url(&self) -> Option<&str> {
        self.links.first().map(String::as_str)
    }
}

/// The part of a source id before the first `_`.
pub fn short_id(id: &str) -> &str {
    id.split('_').next().unwrap_or(id)
}

/// A verbatim quote from a source, with what a reader needs to judge it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Citation {
    /// Source id (file stem).
    pub source: String,
    /// A contiguous span of the source's text.
    pub quote: String,
    /// The source's headline, or its label from `seeds/sources.toml` when it has none.
    pub title: String,
    /// The source's own link, when its text gives one.
    pub url: Option<String>,
}

/// A supporting statement and the quotes it rests on.
#[derive(Debug, Clone)]
pub struct Fact {
    /// The statement in the bot's words.
    pub text: String,
    /// The quotes backing it (may be empty for a statement of what the sources do not say).
    pub cite: Vec<Citation>,
}

/// A source that disagrees with the majority reading (or, with [`NoteKind::Note`], a remark
/// about how the sources fit together that is not a disagreement).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Conflict {
    /// The dissenting source.
    pub source: String,
    /// Its words.
    pub quote: String,
    /// How it differs from the majority reading; source names already filled in.
    pub note: String,
    /// The source's headline or label.
    pub title: String,
    /// The source's own link, when its text gives one.
    pub url: Option<String>,
    /// A disagreement, or only a note.
    #[serde(skip)]
    pub kind: NoteKind,
}

/// Whether a `[[conflicts]]` entry is a disagreement between sources or only a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// The sources disagree: shown under "the sources disagree".
    #[default]
    Conflict,
    /// Not a disagreement (say, two sources that give compatible details): shown as a note.
    Note,
}

/// How an intent's answer is put together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum IntentKind {
    /// The answer and its facts, as written.
    #[default]
    Facts,
    /// The answer, then every topic with an example question.
    Help,
    /// The answer, then every source with its title.
    Sources,
    /// A short reply, no citations.
    Smalltalk,
}

/// A value of an intent's slot (a cloud provider the sources name).
#[derive(Debug, Clone)]
pub struct SlotValue {
    /// Display name.
    pub name: String,
    /// Words that name it in a question.
    pub words: Vec<String>,
    /// What the sources say about it.
    pub fact: Fact,
}

/// A value the sources never name (a cloud provider they don't mention).
#[derive(Debug, Clone)]
pub struct UnnamedValue {
    /// Display name.
    pub name: String,
    /// Words that name it in a question.
    pub words: Vec<String>,
}

/// The thing a question asks about, such as the cloud provider in "can OpenAI use AWS?".
#[derive(Debug, Clone)]
pub struct Slot {
    /// Slot name, e.g. `provider`.
    pub name: String,
    /// Direct answer when the question names values the sources name; `{NAME}` (the slot's
    /// name in braces) is replaced by their names.
    pub named_answer: String,
    /// Direct answer for a value the sources never name, with the same placeholder.
    pub unnamed_answer: String,
    /// Values the sources name.
    pub values: Vec<SlotValue>,
    /// Values the sources never name.
    pub unnamed: Vec<UnnamedValue>,
}

/// A topic users ask about, with what matching needs and the answer.
#[derive(Debug, Clone)]
pub struct Intent {
    /// Catalogue id, reported to users and in JSON.
    pub id: String,
    /// Short human title.
    pub topic: String,
    /// The question shown in suggestions and help (defaults to the first example).
    pub question: Option<String>,
    /// How the answer is composed.
    pub kind: IntentKind,
    /// Matches only a message with nothing else in it (greetings).
    pub standalone: bool,
    /// Example questions.
    pub examples: Vec<String>,
    /// Words and phrases that point to this intent.
    pub keywords: Vec<String>,
    /// Word sets of which a question must contain one (empty: no requirement).
    pub requires: Vec<String>,
    /// Organisations besides the parties that a question may name.
    pub orgs: Vec<String>,
    /// Regexes over the folded question; a match is strong evidence.
    pub patterns: Vec<Regex>,
    /// The direct answer.
    pub answer: String,
    /// Supporting facts.
    pub facts: Vec<Fact>,
    /// Dissenting sources.
    pub conflicts: Vec<Conflict>,
    /// The optional slot.
    pub slot: Option<Slot>,
    /// Claims a yes/no question may make, with the verdict the sources give each.
    pub claims: Vec<Claim>,
    /// Leads for the aspect a question asks (its form, or words it uses).
    pub aspects: Vec<Aspect>,
    /// Question form name → the intent that answers an elliptical follow-up of that form
    /// ("until when?" after "who pays whom?").
    pub follow: BTreeMap<String, String>,
}

/// What the sources say about a claim a yes/no question makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The sources support it.
    Yes,
    /// The sources contradict it.
    No,
    /// The sources never say.
    NotSaid,
}

impl Verdict {
    /// `yes`, `no` or `not_said`, as in answers' JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Yes => "yes",
            Verdict::No => "no",
            Verdict::NotSaid => "not_said",
        }
    }
}

/// A claim a question can make, recognised by ordered word sequences, and the sources' verdict.
#[derive(Debug, Clone)]
pub struct Claim {
    /// Word sequences (in order, not necessarily adjacent; `a|b` is either word); one must match.
    /// Empty: the intent's default verdict.
    pub when: Vec<String>,
    /// Word sequences that rule the claim out.
    pub unless: Vec<String>,
    /// Question forms the claim applies to (any, when empty).
    pub forms: Vec<String>,
    /// What the sources say.
    pub verdict: Verdict,
    /// The sentence that follows "Yes — " / "No — ", or, for `not_said`, the whole lead
    /// ("The sources don't …").
    pub lead: String,
    /// Quotes that best support the lead; shown first.
    pub cite: Vec<Citation>,
}

/// A lead chosen by the aspect asked: a question form (`when`, `amount`, …) or word sequences.
#[derive(Debug, Clone)]
pub struct Aspect {
    /// Question form names this lead answers (any, when empty).
    pub forms: Vec<String>,
    /// Word sequences, as in [`Claim::when`]; one must match (any question, when empty).
    pub when: Vec<String>,
    /// The lead sentence.
    pub lead: String,
    /// Quotes that best support the lead; shown first.
    pub cite: Vec<Citation>,
}

/// A detail the sources never report (an approval, a closing price), for any intent.
#[derive(Debug, Clone)]
pub struct Unreported {
    /// Word sequences, as in [`Claim::when`]; one must match.
    pub when: Vec<String>,
    /// Word sequences that rule it out.
    pub unless: Vec<String>,
    /// The lead: "The sources don't report …".
    pub lead: String,
}

/// A deal-adjacent topic the sources don't cover.
#[derive(Debug, Clone)]
pub struct Uncovered {
    /// Internal id (never reported as an intent).
    pub id: String,
    /// Why it isn't answered.
    pub reply: String,
    /// Intent ids to suggest instead.
    pub suggest: Vec<String>,
    /// Example questions.
    pub examples: Vec<String>,
    /// Words and phrases that point to it.
    pub keywords: Vec<String>,
    /// Word sets of which a question must contain one.
    pub requires: Vec<String>,
    /// Regexes over the folded question; with no `requires`, one of them must match.
    pub patterns: Vec<Regex>,
    /// When the question meets `requires`, this topic wins outright: its words ("salary",
    /// "lawsuit") name something the sources never cover, whatever else the question says.
    pub decisive: bool,
    /// A yes/no question this topic refuses stays refused, even when it is plainly about one of
    /// the deal's topics ("did Nadella say the payments end in 2030?": the sources quote no
    /// Nadella). Other refused yes/no questions may be answered "the sources don't say" on their
    /// topic.
    pub keeps_yes_no: bool,
}

/// The lexicon: synonyms, stopwords, filler and organisation names.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    /// canonical word → variants.
    pub synonyms: BTreeMap<String, Vec<String>>,
    /// Words without meaning for matching.
    pub stopwords: Vec<String>,
    /// Chat filler and greetings.
    pub fillers: Vec<String>,
    /// Organisation words.
    pub orgs: Vec<String>,
}

/// Everything the engine answers from, validated.
#[derive(Debug, Clone)]
pub struct KnowledgeBase {
    /// Source articles, sorted by id.
    pub sources: Vec<Source>,
    /// Intents, sorted by id.
    pub intents: Vec<Intent>,
    /// Topics the sources don't cover.
    pub uncovered: Vec<Uncovered>,
    /// The lexicon.
    pub lexicon: Lexicon,
    /// Details no source reports, for any intent.
    pub unreported: Vec<Unreported>,
    /// People a question may credit with a statement (`speakers.toml`).
    pub speakers: Vec<Speaker>,
    /// English words, one per line: real words are never "corrected" as typos.
    pub dictionary: String,
    /// Labelled questions of `intents/questions/*.jsonl`, in file and line order.
    pub questions: Vec<Labelled>,
}

/// A person a question may credit with a statement, and the statements the sources quote.
#[derive(Debug, Clone)]
pub struct Speaker {
    /// Full name ("Sam Altman").
    pub name: String,
    /// Organisation, shown after the name ("OpenAI").
    pub of: Option<String>,
    /// Lower-case names a question may use ("altman", "sam altman").
    pub names: Vec<String>,
    /// The intent whose topic is this person's statement.
    pub intent: Option<String>,
    /// What the sources quote this person saying (empty: never quoted).
    pub said: Vec<Citation>,
}

/// A labelled question of `intents/questions/` (the format of `dealbot eval` files).
#[derive(Debug, Clone)]
pub struct Labelled {
    /// Path relative to the data root.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// The question.
    pub q: String,
    /// The intent that answers it; `None`: the bot must not answer.
    pub intent: Option<String>,
    /// Other accepted intents.
    pub also: Vec<String>,
    /// Groups of substrings the answer must contain (scored by `dealbot eval`, not trained on).
    pub must: Vec<Vec<String>>,
    /// For a yes/no question, the verdict the answer must give (scored, not trained on).
    pub verdict: Option<Verdict>,
}

/// One line of a questions file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelledLine {
    q: String,
    intent: Option<String>,
    #[serde(default)]
    also: Vec<String>,
    #[serde(default)]
    must: Vec<Vec<String>>,
    #[serde(default)]
    verdict: Option<Verdict>,
}

impl KnowledgeBase {
    /// Parses and validates `files`, collecting every error.
    pub fn load(files: &DataFiles) -> Result<KnowledgeBase, LoadError> {
        let mut errors = Vec::new();
        let (kb, sites) = parse(files, &mut errors);
        validate::check(&kb, &sites, &mut errors);
        if errors.is_empty() {
            Ok(kb)
        } else {
            Err(LoadError { errors })
        }
    }

    /// The source with this id.
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }

    /// The intent with this id.
    pub fn intent(&self, id: &str) -> Option<&Intent> {
        self.intents.iter().find(|i| i.id == id)
    }

    /// The index of the intent with this id.
    pub fn intent_index(&self, id: &str) -> Option<usize> {
        self.intents.iter().position(|i| i.id == id)
    }
}

// ---- file formats -------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourcesFile {
    #[serde(default)]
    source: Vec<SourceEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceEntry {
    id: Spanned<String>,
    title: Option<Spanned<String>>,
    label: Option<String>,
    attribution: Option<String>,
    #[serde(default)]
    links: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CiteEntry {
    source: Spanned<String>,
    quote: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FactEntry {
    text: String,
    #[serde(default)]
    cite: Vec<CiteEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConflictEntry {
    source: Spanned<String>,
    quote: Spanned<String>,
    note: String,
    #[serde(default)]
    kind: NoteKind,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SlotValueEntry {
    name: String,
    words: Vec<String>,
    text: String,
    #[serde(default)]
    cite: Vec<CiteEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnnamedEntry {
    name: String,
    words: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SlotEntry {
    name: String,
    named_answer: String,
    unnamed_answer: String,
    #[serde(default)]
    values: Vec<SlotValueEntry>,
    #[serde(default)]
    unnamed: Vec<UnnamedEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IntentEntry {
    id: Spanned<String>,
    topic: String,
    question: Option<String>,
    #[serde(default)]
    kind: IntentKind,
    #[serde(default)]
    standalone: bool,
    examples: Spanned<Vec<String>>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    requires: Vec<String>,
    #[serde(default)]
    orgs: Vec<String>,
    #[serde(default)]
    patterns: Vec<Spanned<String>>,
    answer: String,
    #[serde(default)]
    facts: Vec<FactEntry>,
    #[serde(default)]
    conflicts: Vec<ConflictEntry>,
    slot: Option<SlotEntry>,
    #[serde(default)]
    claims: Vec<ClaimEntry>,
    #[serde(default)]
    aspects: Vec<AspectEntry>,
    #[serde(default)]
    follow: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LexiconEntry {
    #[serde(default)]
    stopwords: Vec<String>,
    #[serde(default)]
    fillers: Vec<String>,
    #[serde(default)]
    orgs: Vec<String>,
    #[serde(default)]
    synonyms: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NotCoveredFile {
    #[serde(default)]
    topic: Vec<UncoveredEntry>,
    #[serde(default)]
    unreported: Vec<UnreportedEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpeakersFile {
    #[serde(default)]
    speaker: Vec<SpeakerEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpeakerEntry {
    name: String,
    #[serde(default)]
    of: Option<String>,
    names: Vec<String>,
    #[serde(default)]
    intent: Option<String>,
    #[serde(default)]
    said: Vec<CiteEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnreportedEntry {
    when: Vec<String>,
    #[serde(default)]
    unless: Vec<String>,
    lead: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClaimEntry {
    #[serde(default)]
    when: Vec<String>,
    #[serde(default)]
    unless: Vec<String>,
    #[serde(default)]
    forms: Vec<String>,
    verdict: Verdict,
    lead: Spanned<String>,
    #[serde(default)]
    cite: Vec<CiteEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AspectEntry {
    #[serde(default)]
    forms: Vec<String>,
    #[serde(default)]
    when: Vec<String>,
    lead: Spanned<String>,
    #[serde(default)]
    cite: Vec<CiteEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UncoveredEntry {
    id: String,
    reply: String,
    #[serde(default)]
    suggest: Vec<String>,
    examples: Vec<String>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    requires: Vec<String>,
    #[serde(default)]
    patterns: Vec<Spanned<String>>,
    #[serde(default)]
    decisive: bool,
    #[serde(default)]
    keeps_yes_no: bool,
}

// ---- parsing --------------------------------------------------------------------------------

/// A quote as written in a data file, with where it was written, for validation.
#[derive(Debug, Clone)]
pub(crate) struct QuoteSite {
    pub file: String,
    pub line: usize,
    pub source: String,
    pub quote: String,
}

/// Line (1-based) of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn utf8<'a>(file: &'a DataFile, errors: &mut Vec<DataError>) -> Option<&'a str> {
    match std::str::from_utf8(&file.bytes) {
        Ok(text) => Some(text),
        Err(err) => {
            let line = line_of(
                &String::from_utf8_lossy(&file.bytes[..err.valid_up_to()]),
                usize::MAX,
            );
            errors.push(DataError::at(&file.path, line, "file is not valid UTF-8"));
            None
        }
    }
}

fn parse_toml<T: serde::de::DeserializeOwned>(
    file: &DataFile,
    text: &str,
    errors: &mut Vec<DataError>,
) -> Option<T> {
    match toml::from_str::<T>(text) {
        Ok(value) => Some(value),
        Err(err) => {
            let line = err.span().map(|s| line_of(text, s.start));
            errors.push(DataError {
                file: file.path.clone(),
                line,
                message: err.message().trim().to_owned(),
            });
            None
        }
    }
}

fn cite(entry: CiteEntry, file: &str, text: &str, sites: &mut Vec<QuoteSite>) -> Citation {
    sites.push(QuoteSite {
        file: file.to_owned(),
        line: line_of(text, entry.quote.span().start),
        source: entry.source.get_ref().clone(),
        quote: entry.quote.get_ref().clone(),
    });
    Citation {
        source: entry.source.into_inner(),
        quote: entry.quote.into_inner(),
        title: String::new(),
        url: None,
    }
}

/// What parsing gathers beside the knowledge base, for validation.
#[derive(Debug, Default)]
pub(crate) struct Sites {
    pub quotes: Vec<QuoteSite>,
    /// (file, line, id) of every intent.
    pub intents: Vec<(String, usize, String)>,
    /// (file, line, example count) of every intent.
    pub examples: Vec<(String, usize, usize)>,
    /// (file, line, id) of every source metadata entry.
    pub source_entries: Vec<(String, usize, String)>,
    /// (file, line, source id, title) of every title.
    pub titles: Vec<(String, usize, String, String)>,
    /// (file, line, verdict or `None` for an aspect or unreported detail, lead) of every claim,
    /// aspect and unreported detail.
    pub leads: Vec<(String, usize, Option<Verdict>, String)>,
    /// (file, intent id, form names of its aspects and `follow` keys, `follow` targets).
    pub forms: Vec<(String, String, Vec<String>, Vec<String>)>,
}

fn parse(files: &DataFiles, errors: &mut Vec<DataError>) -> (KnowledgeBase, Sites) {
    let mut sites = Sites::default();
    let mut sources: Vec<Source> = Vec::new();
    let mut meta: Vec<SourceEntry> = Vec::new();
    let mut intents = Vec::new();
    let mut uncovered = Vec::new();
    let mut unreported = Vec::new();
    let mut speakers = Vec::new();
    let mut lexicon = Lexicon::default();
    let mut dictionary = String::new();
    let mut questions = Vec::new();
    let mut saw_lexicon = false;

    for file in &files.files {
        let Some((dir, name)) = file.path.split_once('/') else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        match (dir, name) {
            ("seeds", SOURCES_FILE) => {
                let Some(text) = utf8(file, errors) else {
                    continue;
                };
                if let Some(parsed) = parse_toml::<SourcesFile>(file, text, errors) {
                    for entry in parsed.source {
                        let line = line_of(text, entry.id.span().start);
                        sites.source_entries.push((
                            file.path.clone(),
                            line,
                            entry.id.get_ref().clone(),
                        ));
                        if let Some(title) = &entry.title {
                            sites.titles.push((
                                file.path.clone(),
                                line_of(text, title.span().start),
                                entry.id.get_ref().clone(),
                                title.get_ref().clone(),
                            ));
                        }
                        meta.push(entry);
                    }
                }
            }
            ("seeds", _) if name.ends_with(".txt") => {
                let Some(text) = utf8(file, errors) else {
                    continue;
                };
                sources.push(Source {
                    id: name.trim_end_matches(".txt").to_owned(),
                    title: None,
                    label: None,
                    attribution: None,
                    links: Vec::new(),
                    text: text.to_owned(),
                });
            }
            ("intents", LEXICON_FILE) => {
                let Some(text) = utf8(file, errors) else {
                    continue;
                };
                if let Some(parsed) = parse_toml::<LexiconEntry>(file, text, errors) {
                    saw_lexicon = true;
                    lexicon = Lexicon {
                        synonyms: parsed.synonyms,
                        stopwords: parsed.stopwords,
                        fillers: parsed.fillers,
                        orgs: parsed.orgs,
                    };
                }
            }
            ("intents", DICTIONARY_FILE) => {
                if let Some(text) = utf8(file, errors) {
                    dictionary = text.to_owned();
                }
            }
            ("intents", NOT_COVERED_FILE) => {
                let Some(text) = utf8(file, errors) else {
                    continue;
                };
                if let Some(parsed) = parse_toml::<NotCoveredFile>(file, text, errors) {
                    for t in parsed.topic {
                        let patterns = compile_patterns(t.patterns, &file.path, text, errors);
                        uncovered.push(Uncovered {
                            id: t.id,
                            reply: t.reply,
                            suggest: t.suggest,
                            examples: t.examples,
                            keywords: t.keywords,
                            requires: t.requires,
                            patterns,
                            decisive: t.decisive,
                            keeps_yes_no: t.keeps_yes_no,
                        });
                    }
                    for u in parsed.unreported {
                        sites.leads.push((
                            file.path.clone(),
                            line_of(text, u.lead.span().start),
                            None,
                            u.lead.get_ref().clone(),
                        ));
                        unreported.push(Unreported {
                            when: u.when,
                            unless: u.unless,
                            lead: u.lead.into_inner(),
                        });
                    }
                }
            }
            ("intents", SPEAKERS_FILE) => {
                let Some(text) = utf8(file, errors) else {
                    continue;
                };
                if let Some(parsed) = parse_toml::<SpeakersFile>(file, text, errors) {
                    for s in parsed.speaker {
                        let said = s
                            .said
                            .into_iter()
                            .map(|c| cite(c, &file.path, text, &mut sites.quotes))
                            .collect();
                        speakers.push(Speaker {
                            name: s.name,
                            of: s.of,
                            names: s.names,
                            intent: s.intent,
                            said,
                        });
                    }
                }
            }
            ("intents", _)
                if name.starts_with(&format!("{QUESTIONS_DIR}/")) && name.ends_with(".jsonl") =>
            {
                let Some(text) = utf8(file, errors) else {
                    continue;
                };
                for (n, line) in text.lines().enumerate() {
                    if line.trim().is_empty() {
                        continue;
                    }
                    match serde_json::from_str::<LabelledLine>(line) {
                        Ok(l) => questions.push(Labelled {
                            file: file.path.clone(),
                            line: n + 1,
                            q: l.q,
                            intent: l.intent,
                            also: l.also,
                            must: l.must,
                            verdict: l.verdict,
                        }),
                        Err(err) => errors.push(DataError::at(
                            &file.path,
                            n + 1,
                            format!("not a labelled question: {err}"),
                        )),
                    }
                }
            }
            ("intents", _) if name.ends_with(".toml") => {
                let Some(text) = utf8(file, errors) else {
                    continue;
                };
                if let Some(entry) = parse_toml::<IntentEntry>(file, text, errors) {
                    intents.push(intent(entry, file, text, name, &mut sites, errors));
                }
            }
            _ => {}
        }
    }
    if !saw_lexicon && !files.files.is_empty() {
        errors.push(DataError::file(
            format!("intents/{LEXICON_FILE}"),
            "missing: the lexicon file is required".to_owned(),
        ));
    }
    for entry in meta {
        if let Some(source) = sources.iter_mut().find(|s| &s.id == entry.id.get_ref()) {
            source.title = entry.title.map(Spanned::into_inner);
            source.label = entry.label;
            source.attribution = entry.attribution;
            source.links = entry.links;
        }
    }
    sources.sort_by(|a, b| a.id.cmp(&b.id));
    intents.sort_by(|a: &Intent, b| a.id.cmp(&b.id));
    for intent in &mut intents {
        name_sources(intent, &sources);
    }
    for speaker in &mut speakers {
        for c in &mut speaker.said {
            if let Some(s) = sources.iter().find(|s| s.id == c.source) {
                c.title = s.name().to_owned();
                c.url = s.url().map(str::to_owned);
            }
        }
    }
    let kb = KnowledgeBase {
        sources,
        intents,
        uncovered,
        lexicon,
        unreported,
        speakers,
        dictionary,
        questions,
    };
    (kb, sites)
}

/// Fills in every citation's title and link, and writes source names for the `{NNN}`
/// placeholders of the intent's prose (answer, facts, notes, claims' and aspects' leads), so no
/// reply shows a bare id.
fn name_sources(intent: &mut Intent, sources: &[Source]) {
    let find = |id: &str| sources.iter().find(|s| s.id == id);
    let fill = |c: &mut Citation| {
        if let Some(s) = find(&c.source) {
            c.title = s.name().to_owned();
            c.url = s.url().map(str::to_owned);
        }
    };
    let mut facts: Vec<&mut Fact> = intent.facts.iter_mut().collect();
    if let Some(slot) = &mut intent.slot {
        facts.extend(slot.values.iter_mut().map(|v| &mut v.fact));
        slot.named_answer = name_placeholders(&slot.named_answer, sources);
        slot.unnamed_answer = name_placeholders(&slot.unnamed_answer, sources);
    }
    for fact in facts {
        fact.text = name_placeholders(&fact.text, sources);
        fact.cite.iter_mut().for_each(fill);
    }
    for c in &mut intent.conflicts {
        c.note = name_placeholders(&c.note, sources);
        if let Some(s) = find(&c.source) {
            c.title = s.name().to_owned();
            c.url = s.url().map(str::to_owned);
        }
    }
    intent.answer = name_placeholders(&intent.answer, sources);
    for claim in &mut intent.claims {
        claim.lead = name_placeholders(&claim.lead, sources);
        claim.cite.iter_mut().for_each(fill);
    }
    for aspect in &mut intent.aspects {
        aspect.lead = name_placeholders(&aspect.lead, sources);
        aspect.cite.iter_mut().for_each(fill);
    }
}

/// Replaces each `{NNN}` (a source's short id in braces) by the source's name; anything else in
/// braces (a slot's `{provider}`) is left alone. Unknown ids are reported by the checks.
pub fn name_placeholders(text: &str, sources: &[Source]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let source = after.find('}').and_then(|end| {
            let id = &after[..end];
            sources
                .iter()
                .find(|s| s.short_id() == id)
                .map(|s| (s, end))
        });
        match source {
            Some((s, end)) => {
                out.push_str(s.name());
                rest = &after[end + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Compiles regexes, reporting each one that does not compile with its line.
fn compile_patterns(
    patterns: Vec<Spanned<String>>,
    path: &str,
    text: &str,
    errors: &mut Vec<DataError>,
) -> Vec<Regex> {
    let mut out = Vec::new();
    for pattern in patterns {
        let line = line_of(text, pattern.span().start);
        match Regex::new(pattern.get_ref()) {
            Ok(re) => out.push(re),
            Err(err) => errors.push(DataError::at(
                path,
                line,
                format!("pattern does not compile: {err}"),
            )),
        }
    }
    out
}

fn intent(
    entry: IntentEntry,
    file: &DataFile,
    text: &str,
    name: &str,
    sites: &mut Sites,
    errors: &mut Vec<DataError>,
) -> Intent {
    let path = file.path.as_str();
    let id_line = line_of(text, entry.id.span().start);
    let id = entry.id.into_inner();
    let stem = name.trim_end_matches(".toml");
    if id != stem {
        errors.push(DataError::at(
            path,
            id_line,
            format!("id `{id}` does not match the file name `{name}` (expected `{stem}`)"),
        ));
    }
    sites.intents.push((path.to_owned(), id_line, id.clone()));
    sites.examples.push((
        path.to_owned(),
        line_of(text, entry.examples.span().start),
        entry.examples.get_ref().len(),
    ));
    let patterns = compile_patterns(entry.patterns, path, text, errors);
    let facts = entry
        .facts
        .into_iter()
        .map(|f| Fact {
            text: f.text,
            cite: f
                .cite
                .into_iter()
                .map(|c| cite(c, path, text, &mut sites.quotes))
                .collect(),
        })
        .collect();
    let conflicts = entry
        .conflicts
        .into_iter()
        .map(|c| {
            let citation = cite(
                CiteEntry {
                    source: c.source,
                    quote: c.quote,
                },
                path,
                text,
                &mut sites.quotes,
            );
            Conflict {
                source: citation.source,
                quote: citation.quote,
                note: c.note,
                title: String::new(),
                url: None,
                kind: c.kind,
            }
        })
        .collect();
    let slot = entry.slot.map(|s| Slot {
        name: s.name,
        named_answer: s.named_answer,
        unnamed_answer: s.unnamed_answer,
        values: s
            .values
            .into_iter()
            .map(|v| SlotValue {
                name: v.name,
                words: v.words,
                fact: Fact {
                    text: v.text,
                    cite: v
                        .cite
                        .into_iter()
                        .map(|c| cite(c, path, text, &mut sites.quotes))
                        .collect(),
                },
            })
            .collect(),
        unnamed: s
            .unnamed
            .into_iter()
            .map(|u| UnnamedValue {
                name: u.name,
                words: u.words,
            })
            .collect(),
    });
    let cites = |list: Vec<CiteEntry>, sites: &mut Sites| -> Vec<Citation> {
        list.into_iter()
            .map(|c| cite(c, path, text, &mut sites.quotes))
            .collect()
    };
    let mut form_names: Vec<String> = entry.follow.keys().cloned().collect();
    let mut claims = Vec::new();
    for c in entry.claims {
        sites.leads.push((
            path.to_owned(),
            line_of(text, c.lead.span().start),
            Some(c.verdict),
            c.lead.get_ref().clone(),
        ));
        form_names.extend(c.forms.iter().cloned());
        claims.push(Claim {
            when: c.when,
            unless: c.unless,
            forms: c.forms,
            verdict: c.verdict,
            lead: c.lead.into_inner(),
            cite: cites(c.cite, sites),
        });
    }
    let mut aspects = Vec::new();
    for a in entry.aspects {
        sites.leads.push((
            path.to_owned(),
            line_of(text, a.lead.span().start),
            None,
            a.lead.get_ref().clone(),
        ));
        form_names.extend(a.forms.iter().cloned());
        aspects.push(Aspect {
            forms: a.forms,
            when: a.when,
            lead: a.lead.into_inner(),
            cite: cites(a.cite, sites),
        });
    }
    sites.forms.push((
        path.to_owned(),
        id.clone(),
        form_names,
        entry.follow.values().cloned().collect(),
    ));
    Intent {
        claims,
        aspects,
        follow: entry.follow,
        id,
        topic: entry.topic,
        question: entry.question,
        kind: entry.kind,
        standalone: entry.standalone,
        examples: entry.examples.into_inner(),
        keywords: entry.keywords,
        requires: entry.requires,
        orgs: entry.orgs,
        patterns,
        answer: entry.answer,
        facts,
        conflicts,
        slot,
    }
}
