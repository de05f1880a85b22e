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
    quotes_are_one_clean_passage(sites, errors);
    facts_numbers_stand_in_their_quotes(kb, sites, errors);
    hedged_quotes_keep_a_hedge(kb, sites, errors);
    sources_are_named_not_numbered(kb, sites, errors);
    super::verdict::check(kb, sites, errors);
    super::speakers::check(kb, errors);
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

// ---- citation audit (issue 11) ---------------------------------------------------------------
//
// What an editor checks by eye, made mechanical where it can be: a quote is one clean passage, a
// fact's numbers stand in its quotes, a hedge in the source survives into the fact, and every
// source is named, never numbered. The rest is the review list in `intents/README.md`.

/// A quote runs across a line break (it glues a heading or a question to its answer), or has
/// unbalanced quotation marks, or quotes a quotation with its speaker label (`Name: “…”`), which
/// shows as nested quotation marks: quote the spoken words alone.
fn quotes_are_one_clean_passage(sites: &Sites, errors: &mut Vec<DataError>) {
    for site in &sites.quotes {
        if let Some(problem) = quote_problem(&site.quote) {
            errors.push(DataError::at(
                &site.file,
                site.line,
                format!("quote from `{}`: {problem}", site.source),
            ));
        }
    }
}

/// Why a quote can't be shown as one passage in “…”, if it can't.
pub fn quote_problem(quote: &str) -> Option<String> {
    if quote.contains(['\n', '\r']) {
        return Some(
            "contains a line break; quote one passage (cite the lines separately)".to_owned(),
        );
    }
    let open = quote.matches('“').count();
    let close = quote.matches('”').count();
    if open != close || quote.matches('"').count() % 2 == 1 {
        return Some(format!(
            "unbalanced quotation marks ({open} “, {close} ”); quote whole quotations or none"
        ));
    }
    if let Some((label, _)) = quote.split_once(": “")
        && !label.is_empty()
        && label.split_whitespace().count() <= 4
    {
        return Some(format!(
            "quotes a quotation with its speaker label `{label}:`, which shows as nested quotation marks; quote the spoken words and name the speaker in the fact"
        ));
    }
    None
}

/// Numbers written in a text: `27`, `2030`, `1.5`; thousands separators dropped.
pub fn numbers(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let joins = (c == '.' || c == ',')
            && !current.is_empty()
            && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if c.is_ascii_digit() {
            current.push(c);
        } else if joins {
            if c == '.' {
                current.push('.');
            }
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out.dedup();
    out
}

/// The line of a fact's first quote (where an editor looks), else the intent's own line.
fn fact_line(sites: &Sites, file: &str, fact: &super::data::Fact, fallback: usize) -> usize {
    fact.cite
        .first()
        .and_then(|c| {
            sites
                .quotes
                .iter()
                .find(|q| q.file == file && q.source == c.source && q.quote == c.quote)
        })
        .map_or(fallback, |q| q.line)
}

fn intent_site<'a>(sites: &'a Sites, id: &str) -> (&'a str, usize) {
    sites
        .intents
        .iter()
        .find(|(_, _, i)| i == id)
        .map_or(("intents", 1), |(f, l, _)| (f.as_str(), *l))
}

/// A fact's numbers (years, amounts, percentages) must stand in at least one of its own quotes,
/// and every number of an intent's answer and notes in at least one of the intent's quotes: a
/// number no quote gives is the bot's invention.
fn facts_numbers_stand_in_their_quotes(
    kb: &KnowledgeBase,
    sites: &Sites,
    errors: &mut Vec<DataError>,
) {
    for intent in &kb.intents {
        let (file, line) = intent_site(sites, &intent.id);
        let mut facts: Vec<&super::data::Fact> = intent.facts.iter().collect();
        if let Some(slot) = &intent.slot {
            facts.extend(slot.values.iter().map(|v| &v.fact));
        }
        let mut pool: Vec<&str> = Vec::new();
        for fact in &facts {
            let quotes: Vec<&str> = fact.cite.iter().map(|c| c.quote.as_str()).collect();
            pool.extend(&quotes);
            if quotes.is_empty() {
                continue;
            }
            for n in numbers(&fact.text) {
                if !quotes.iter().any(|q| numbers(q).contains(&n)) {
                    errors.push(DataError::at(
                        file,
                        fact_line(sites, file, fact, line),
                        format!(
                            "{}: fact “{}” says {n}, which none of its quotes gives",
                            intent.id, fact.text
                        ),
                    ));
                }
            }
        }
        pool.extend(intent.conflicts.iter().map(|c| c.quote.as_str()));
        let mut prose: Vec<(&str, &str)> = vec![("answer", intent.answer.as_str())];
        prose.extend(intent.conflicts.iter().map(|c| ("note", c.note.as_str())));
        if intent.kind != IntentKind::Facts {
            continue;
        }
        for (what, text) in prose {
            for n in numbers(text) {
                if !pool.iter().any(|q| numbers(q).contains(&n)) {
                    errors.push(DataError::at(
                        file,
                        line,
                        format!(
                            "{}: the {what} says {n}, which no quote of the intent gives",
                            intent.id
                        ),
                    ));
                }
            }
        }
    }
}

/// Words by which a source hedges or attributes a claim.
pub const HEDGES: &[&str] = &[
    "perhaps",
    "may",
    "might",
    "could",
    "likely",
    "reportedly",
    "reports",
    "report",
    "expected",
    "suggest",
    "interpret",
    "argue",
    "argues",
    "appears",
    "potential",
    "some",
];

/// Words besides [`HEDGES`] by which a fact keeps a hedge or attributes the claim to its
/// source (other forms of the hedges, and attribution).
const KEPT_HEDGES: &[&str] = &[
    "reported",
    "expects",
    "suggests",
    "says",
    "said",
    "according",
    "calls",
    "writes",
    "sees",
    "possible",
];

fn has_word(text: &str, words: &[&str]) -> bool {
    text.split(|c: char| !c.is_alphanumeric())
        .any(|w| words.iter().any(|h| w.eq_ignore_ascii_case(h)))
}

/// A fact whose every quote hedges ("Perhaps…", "may", "reportedly") must keep a hedge or say
/// whose claim it is: "the biggest benefit" for "Perhaps the most immediate benefit" states as
/// fact what the source only suggests.
fn hedged_quotes_keep_a_hedge(kb: &KnowledgeBase, sites: &Sites, errors: &mut Vec<DataError>) {
    for intent in &kb.intents {
        let (file, line) = intent_site(sites, &intent.id);
        let mut facts: Vec<&super::data::Fact> = intent.facts.iter().collect();
        if let Some(slot) = &intent.slot {
            facts.extend(slot.values.iter().map(|v| &v.fact));
        }
        for fact in facts {
            if fact.cite.is_empty() || !fact.cite.iter().all(|c| has_word(&c.quote, HEDGES)) {
                continue;
            }
            let named = fact
                .cite
                .iter()
                .any(|c| fact.text.contains(c.title.as_str()));
            if !named && !has_word(&fact.text, HEDGES) && !has_word(&fact.text, KEPT_HEDGES) {
                errors.push(DataError::at(
                    file,
                    fact_line(sites, file, fact, line),
                    format!(
                        "{}: every quote of fact “{}” hedges (perhaps, may, reportedly, …) but the fact doesn't: keep the hedge or say whose claim it is (`{{NNN}} argues …`)",
                        intent.id, fact.text
                    ),
                ));
            }
        }
    }
}

/// Readers don't know what "000" or "004" is: prose names a source with `{000}` (replaced by its
/// title or label). Reports a bare id, and a placeholder naming no source.
fn sources_are_named_not_numbered(kb: &KnowledgeBase, sites: &Sites, errors: &mut Vec<DataError>) {
    let ids: Vec<&str> = kb.sources.iter().map(|s| s.short_id()).collect();
    for intent in &kb.intents {
        let (file, line) = intent_site(sites, &intent.id);
        let mut prose: Vec<&str> = vec![&intent.answer, &intent.topic];
        prose.extend(intent.facts.iter().map(|f| f.text.as_str()));
        prose.extend(intent.conflicts.iter().map(|c| c.note.as_str()));
        prose.extend(intent.claims.iter().map(|c| c.lead.as_str()));
        prose.extend(intent.aspects.iter().map(|a| a.lead.as_str()));
        if let Some(slot) = &intent.slot {
            prose.push(&slot.named_answer);
            prose.push(&slot.unnamed_answer);
            prose.extend(slot.values.iter().map(|v| v.fact.text.as_str()));
        }
        for text in prose {
            for word in text.split(|c: char| !c.is_alphanumeric() && c != '{' && c != '}') {
                let bare = word.trim_matches(['{', '}']);
                if word.starts_with('{')
                    && word.ends_with('}')
                    && bare.chars().all(|c| c.is_ascii_digit())
                {
                    errors.push(DataError::at(
                        file,
                        line,
                        format!(
                            "{}: `{word}` names no source (known: {})",
                            intent.id,
                            ids.join(", ")
                        ),
                    ));
                } else if ids.contains(&word) {
                    errors.push(DataError::at(
                        file,
                        line,
                        format!(
                            "{}: bare source id `{word}` in “{text}”; write `{{{word}}}` so readers see the source's name",
                            intent.id
                        ),
                    ));
                }
            }
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
    fn numbers_are_read_whole() {
        assert_eq!(
            numbers("roughly 27 % at $135 billion in 2023"),
            ["27", "135", "2023"]
        );
        assert_eq!(numbers("~1 % and 1,000 or 1.5."), ["1", "1000", "1.5"]);
    }

    #[test]
    fn a_quote_must_be_one_clean_passage() {
        assert!(quote_problem("users lose access?\nNo.").is_some());
        assert!(quote_problem("Andy Jassy: “We look forward”").is_some());
        assert!(quote_problem("remains OpenAI’s “primary cloud partner").is_some());
        assert!(quote_problem("remains OpenAI’s “primary cloud partner”").is_none());
    }

    #[test]
    fn missing_quote_points_at_first_wrong_word() {
        let err = verbatim("the cap is total", "the cap is huge").unwrap_err();
        assert!(err.contains("first 11 characters match"), "{err}");
    }
}
