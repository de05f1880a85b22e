//! Named checks over the knowledge base, run at every load and by `dealbot check`.
//!
//! Each check appends to one list of [`DataError`]s, so a maintainer sees every problem at once,
//! each with its file and line (the approach of rust-lang/team's `validate.rs`). Quotes are
//! compared byte for byte: a quote that only differs from its source in typography (’ versus ',
//! the non-breaking hyphen ‑ versus -) is reported with the exact characters, never fixed silently.

use std::collections::{HashMap, HashSet};

use super::data::{IntentKind, KnowledgeBase, Sites};

/// Every intent id of the topic catalogue; each must exist.
pub const CATALOG_IDS: &[&str] = &[
    "revenue_share_end",
    "revenue_share_direction",
    "revenue_share_cap",
    "revenue_share_milestones",
    "exclusivity",
    "other_clouds",
    "amazon_bedrock",
    "ip_license",
    "primary_cloud",
    "agi_clause",
    "announcement_date",
    "original_investment",
    "microsoft_stake",
    "stock_reaction",
    "reasons",
    "altman_statement",
    "azure_customers",
    "antitrust",
    "market_impact",
    "ipo",
    "microsoft_strategy",
    "openai_partners",
    "azure_history",
    "reporting",
    "summary",
    "timeline",
    "sources",
    "help",
    "smalltalk",
];

/// Fewest example questions an intent may have.
pub const MIN_EXAMPLES: usize = 4;

/// One problem in the data, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataError {
    /// Path relative to the data root (`intents/exclusivity.toml`).
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong, in the maintainer's terms.
    pub message: String,
}

impl DataError {
    /// An error at a line of a file.
    pub fn at(file: &str, line: usize, message: impl Into<String>) -> DataError {
        DataError {
            file: file.to_owned(),
            line: Some(line),
            message: message.into(),
        }
    }

    /// An error about a whole file.
    pub fn file(file: String, message: String) -> DataError {
        DataError {
            file,
            line: None,
            message,
        }
    }
}

impl std::fmt::Display for DataError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// The data failed validation; holds every error found.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{} data error(s):\n{}", errors.len(), errors.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
pub struct LoadError {
    /// Every error, in file order.
    pub errors: Vec<DataError>,
}

/// Runs every check, appending to `errors`.
pub(crate) fn check(kb: &KnowledgeBase, sites: &Sites, errors: &mut Vec<DataError>) {
    sources_have_metadata(kb, sites, errors);
    titles_are_verbatim(kb, sites, errors);
    quotes_are_verbatim(kb, sites, errors);
    intent_ids_are_unique(sites, errors);
    catalog_is_complete(kb, errors);
    intents_have_examples(sites, errors);
    intents_have_citations(kb, sites, errors);
    synonyms_are_unambiguous(kb, errors);
    not_covered_ids_are_distinct(kb, errors);
    requires_have_no_ignored_words(kb, sites, errors);
    questions_name_known_intents(kb, errors);
    questions_are_unique(kb, errors);
    errors.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
}

fn sources_have_metadata(kb: &KnowledgeBase, sites: &Sites, errors: &mut Vec<DataError>) {
    let described: HashSet<&str> = sites
        .source_entries
        .iter()
        .map(|(_, _, id)| id.as_str())
        .collect();
    for source in &kb.sources {
        if !described.contains(source.id.as_str()) {
            errors.push(DataError::file(
                format!("seeds/{}.txt", source.id),
                "has no [[source]] entry in seeds/sources.toml".to_owned(),
            ));
        } else if source.title.is_none() && source.label.is_none() {
            errors.push(DataError::file(
                "seeds/sources.toml".to_owned(),
                format!("source `{}` needs a `title` or a `label`", source.id),
            ));
        }
    }
    for (file, line, id) in &sites.source_entries {
        if kb.source(id).is_none() {
            errors.push(DataError::at(
                file,
                *line,
                format!("no seed file `seeds/{id}.txt`"),
            ));
        }
    }
    if kb.sources.is_empty() {
        errors.push(DataError::file(
            "seeds".to_owned(),
            "no source articles (*.txt)".to_owned(),
        ));
    }
}

fn titles_are_verbatim(kb: &KnowledgeBase, sites: &Sites, errors: &mut Vec<DataError>) {
    for (file, line, id, title) in &sites.titles {
        if let Some(source) = kb.source(id)
            && let Err(message) = verbatim(&source.text, title)
        {
            errors.push(DataError::at(
                file,
                *line,
                format!("title of `{id}`: {message}"),
            ));
        }
    }
}

fn quotes_are_verbatim(kb: &KnowledgeBase, sites: &Sites, errors: &mut Vec<DataError>) {
    for site in &sites.quotes {
        let Some(source) = kb.source(&site.source) else {
            errors.push(DataError::at(
                &site.file,
                site.line,
                format!("unknown source `{}`", site.source),
            ));
            continue;
        };
        if let Err(message) = verbatim(&source.text, &site.quote) {
            errors.push(DataError::at(
                &site.file,
                site.line,
                format!("quote from `{}`: {message}", site.source),
            ));
        }
    }
}

/// Checks that `quote` stands verbatim in `text`; the error says how it differs.
pub fn verbatim(text: &str, quote: &str) -> Result<(), String> {
    if quote.trim().is_empty() {
        return Err("quote is empty".to_owned());
    }
    if text.contains(quote) {
        return Ok(());
    }
    // Same characters up to typography? Then say exactly which characters differ.
    let (folded_text, text_chars) = typographic_fold(text);
    let (folded_quote, quote_chars) = typographic_fold(quote);
    if let Some(byte_start) = folded_text.find(&folded_quote) {
        let char_start = folded_text[..byte_start].chars().count();
        let diffs: Vec<String> = quote_chars
            .iter()
            .zip(&text_chars[char_start..])
            .filter(|(q, t)| q != t)
            .take(3)
            .map(|(q, t)| {
                format!(
                    "the source has `{t}` (U+{:04X}) where the quote has `{q}` (U+{:04X})",
                    *t as u32, *q as u32
                )
            })
            .collect();
        return Err(format!(
            "not verbatim, differs only in typography: {}",
            diffs.join("; ")
        ));
    }
    // Say how much of the quote does match, to point at the first wrong word.
    let chars: Vec<char> = quote.chars().collect();
    let mut good = 0;
    for n in (1..=chars.len()).rev() {
        let prefix: String = chars[..n].iter().collect();
        if text.contains(&prefix) {
            good = n;
            break;
        }
    }
    let shown: String = chars[good..].iter().take(40).collect();
    Err(format!(
        "not found in the source text; the first {good} characters match, then `{shown}` does not"
    ))
}

/// Maps typographic variants to ASCII one character for one character.
fn typographic_fold(s: &str) -> (String, Vec<char>) {
    let chars: Vec<char> = s.chars().collect();
    let folded = chars
        .iter()
        .map(|&c| match c {
            '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{2032}' => '\'',
            '\u{201C}' | '\u{201D}' | '\u{201F}' | '\u{2033}' => '"',
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2212}' => '-',
            '\u{00A0}' | '\u{202F}' | '\u{2009}' => ' ',
            _ => c,
        })
        .collect();
    (folded, chars)
}

/// Every label of `intents/questions/` names an intent (`null`: must not answer).
fn questions_name_known_intents(kb: &KnowledgeBase, errors: &mut Vec<DataError>) {
    for q in &kb.questions {
        for id in q.intent.iter().chain(&q.also) {
            if kb.intent(id).is_none() {
                errors.push(DataError::at(
                    &q.file,
                    q.line,
                    format!("unknown intent `{id}` for question {:?}", q.q),
                ));
            }
        }
    }
}

/// A question is labelled once across `intents/questions/` (compared case- and space-folded).
fn questions_are_unique(kb: &KnowledgeBase, errors: &mut Vec<DataError>) {
    let mut seen: HashMap<String, (&str, usize)> = HashMap::new();
    for q in &kb.questions {
        if let Some((file, line)) = seen.insert(question_key(&q.q), (&q.file, q.line)) {
            errors.push(DataError::at(
                &q.file,
                q.line,
                format!("question {:?} is already labelled at {file}:{line}", q.q),
            ));
        }
    }
}

/// The form in which two questions count as the same: folded, words joined by one space.
pub fn question_key(q: &str) -> String {
    super::normalize::words(&super::normalize::fold(q)).join(" ")
}

fn intent_ids_are_unique(sites: &Sites, errors: &mut Vec<DataError>) {
    let mut seen: HashMap<&str, (&str, usize)> = HashMap::new();
    for (file, line, id) in &sites.intents {
        if let Some((first_file, first_line)) = seen.insert(id, (file, *line)) {
            errors.push(DataError::at(
                file,
                *line,
                format!("intent id `{id}` is already used at {first_file}:{first_line}"),
            ));
        }
    }
}

fn catalog_is_complete(kb: &KnowledgeBase, errors: &mut Vec<DataError>) {
    for id in CATALOG_IDS {
        if kb.intent(id).is_none() {
            errors.push(DataError::file(
                format!("intents/{id}.toml"),
                format!("missing: catalogue intent `{id}` must exist"),
            ));
        }
    }
}

fn intents_have_examples(sites: &Sites, errors: &mut Vec<DataError>) {
    for (file, line, count) in &sites.examples {
        if *count < MIN_EXAMPLES {
            errors.push(DataError::at(
                file,
                *line,
                format!("{count} example(s); every intent needs at least {MIN_EXAMPLES}"),
            ));
        }
    }
}

fn intents_have_citations(kb: &KnowledgeBase, sites: &Sites, errors: &mut Vec<DataError>) {
    for intent in &kb.intents {
        if intent.kind != IntentKind::Facts {
            continue;
        }
        if !intent.facts.iter().any(|f| !f.cite.is_empty()) {
            let (file, line) = sites
                .intents
                .iter()
                .find(|(_, _, id)| id == &intent.id)
                .map(|(f, l, _)| (f.as_str(), *l))
                .unwrap_or(("intents", 1));
            errors.push(DataError::at(
                file,
                line,
                format!("intent `{}` has no fact with a citation", intent.id),
            ));
        }
    }
}

fn synonyms_are_unambiguous(kb: &KnowledgeBase, errors: &mut Vec<DataError>) {
    let mut owner: HashMap<String, &str> = HashMap::new();
    for (canonical, variants) in &kb.lexicon.synonyms {
        for variant in variants {
            let key = super::normalize::words(&super::normalize::fold(variant)).join(" ");
            if let Some(other) = owner.insert(key.clone(), canonical)
                && other != canonical
            {
                errors.push(DataError::file(
                    "intents/lexicon.toml".to_owned(),
                    format!("synonym `{variant}` is listed under both `{other}` and `{canonical}`"),
                ));
            }
        }
    }
}

fn not_covered_ids_are_distinct(kb: &KnowledgeBase, errors: &mut Vec<DataError>) {
    let mut seen = HashSet::new();
    for topic in &kb.uncovered {
        if kb.intent(&topic.id).is_some() || !seen.insert(topic.id.as_str()) {
            errors.push(DataError::file(
                "intents/not_covered.toml".to_owned(),
                format!("topic id `{}` is used twice", topic.id),
            ));
        }
        if topic.decisive && topic.requires.is_empty() {
            errors.push(DataError::file(
                "intents/not_covered.toml".to_owned(),
                format!("topic `{}` is decisive, so it needs `requires`", topic.id),
            ));
        }
        if topic.examples.len() < MIN_EXAMPLES {
            errors.push(DataError::file(
                "intents/not_covered.toml".to_owned(),
                format!(
                    "topic `{}` needs at least {MIN_EXAMPLES} examples",
                    topic.id
                ),
            ));
        }
    }
}

/// A `requires` or `keywords` entry like "someone buy" silently becomes "buy" (small words are
/// ignored), which is rarely what the author meant: report it.
fn requires_have_no_ignored_words(kb: &KnowledgeBase, sites: &Sites, errors: &mut Vec<DataError>) {
    let lex = &kb.lexicon;
    let vocab = super::vocab::Vocab::new(
        lex.synonyms.iter().map(|(k, v)| (k.as_str(), v.as_slice())),
        &lex.stopwords,
        &lex.fillers,
    );
    let mut check = |file: &str, line: Option<usize>, owner: &str, field: &str, entry: &str| {
        let terms = vocab.data_terms(entry);
        let ignored: Vec<&str> = terms
            .iter()
            .filter(|t| t.stop)
            .map(|t| t.word.as_str())
            .collect();
        if !ignored.is_empty() && ignored.len() < terms.len() {
            errors.push(DataError {
                file: file.to_owned(),
                line,
                message: format!(
                    "{owner}: {field} entry `{entry}` contains ignored word(s) {ignored:?}; only the other words count, so write them alone"
                ),
            });
        }
    };
    for intent in &kb.intents {
        let (file, line) = sites
            .intents
            .iter()
            .find(|(_, _, id)| id == &intent.id)
            .map_or(("intents", None), |(f, l, _)| (f.as_str(), Some(*l)));
        for entry in &intent.requires {
            check(file, line, &intent.id, "requires", entry);
        }
        for entry in &intent.keywords {
            check(file, line, &intent.id, "keywords", entry);
        }
    }
    for topic in &kb.uncovered {
        for entry in topic.requires.iter() {
            check(
                "intents/not_covered.toml",
                None,
                &topic.id,
                "requires",
                entry,
            );
        }
        for entry in topic.keywords.iter() {
            check(
                "intents/not_covered.toml",
                None,
                &topic.id,
                "keywords",
                entry,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbatim_quote_passes() {
        assert!(verbatim("OpenAI’s revenue‑share to Microsoft", "revenue‑share to").is_ok());
    }

    #[test]
    fn typographic_mismatch_is_reported_not_fixed() {
        let err = verbatim("OpenAI’s revenue‑share", "OpenAI's revenue-share").unwrap_err();
        assert!(err.contains("differs only in typography"), "{err}");
        assert!(err.contains("U+2019"), "{err}");
        assert!(err.contains("U+2011"), "{err}");
    }

    #[test]
    fn missing_quote_points_at_first_wrong_word() {
        let err = verbatim("the cap is total", "the cap is huge").unwrap_err();
        assert!(err.contains("first 11 characters match"), "{err}");
    }
}
