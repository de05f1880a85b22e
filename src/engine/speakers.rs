//! Who said what: a question that quotes or paraphrases a statement the sources attribute to one
//! person ([`super::data::Speaker`], from `intents/speakers.toml`) is checked against the person
//! it credits. "Was it Satya who said 'Microsoft remains our primary cloud partner'?" → "No —
//! that was Sam Altman (OpenAI)", with the quote; the right person → "Yes".
//!
//! Quotes are matched by the overlap of content words (after the lexicon's synonyms and
//! stemming) with the verbatim quote, so a paraphrase matches too; the check runs only when the
//! question names a known person and has a quotation mark or a "say" verb (or asks "who said"
//! with a quotation), so ordinary questions cost one pass over their words.

use rustc_hash::FxHashSet;

use super::data::{Citation, KnowledgeBase, SPEAKERS_FILE, Verdict};
use super::question::{self, Form};
use super::validate::DataError;
use super::verdict::Lead;
use super::vocab::Vocab;

/// Verbs that credit a statement to someone.
const SAY: &[&str] = &[
    "say",
    "said",
    "says",
    "saying",
    "quote",
    "quoted",
    "quotes",
    "claim",
    "claimed",
    "stated",
    "state",
    "told",
    "tell",
    "wrote",
    "write",
    "tweeted",
    "posted",
    "announced",
    "comment",
    "commented",
    "line",
    "words",
];

/// Whether a message asks what someone said ("what did amazon say about it", "any comment
/// from google?"): it uses one of the words of saying this module reads quotes with.
pub fn asks_statement(raw: &str) -> bool {
    question::words(raw)
        .iter()
        .any(|w| SAY.contains(&w.as_str()))
}

/// Quotation marks that open a quoted statement.
const QUOTE_MARKS: &[char] = &['"', '“', '”', '‘', '’', '«', '»'];

/// Content words a question must share with a quote to be read as quoting it.
const MIN_OVERLAP: usize = 3;

/// A statement's owner must share this many more words with the question than anyone else's.
const MIN_MARGIN: usize = 2;

#[derive(Debug)]
struct Person {
    name: String,
    of: Option<String>,
    /// Each name as words.
    names: Vec<Vec<String>>,
    intent: Option<usize>,
    /// Each quote with its content stems.
    said: Vec<(Citation, FxHashSet<String>)>,
}

/// A statement the question credits to someone, checked against the sources.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribution {
    /// The intent about the real speaker's statement.
    pub intent: usize,
    /// The lead: "No — that was …", "Yes — …", with the quote.
    pub lead: Lead,
}

/// The speakers table, compiled.
#[derive(Debug)]
pub struct Speakers {
    vocab: Vocab,
    people: Vec<Person>,
    /// Stems that never count as content (the people's names, the "say" verbs).
    ignored: FxHashSet<String>,
}

impl Speakers {
    /// Compiles the knowledge base's speakers.
    pub fn new(kb: &KnowledgeBase) -> Speakers {
        let lex = &kb.lexicon;
        let vocab = Vocab::new(
            lex.synonyms.iter().map(|(k, v)| (k.as_str(), v.as_slice())),
            &lex.stopwords,
            &lex.fillers,
        );
        let mut ignored: FxHashSet<String> = FxHashSet::default();
        for word in SAY {
            ignored.extend(
                vocab
                    .terms(&[(*word).to_owned()])
                    .into_iter()
                    .map(|t| t.stem),
            );
        }
        let people: Vec<Person> = kb
            .speakers
            .iter()
            .map(|s| {
                let names: Vec<Vec<String>> = s
                    .names
                    .iter()
                    .map(|n| question::words(n).to_vec())
                    .collect();
                for name in names.iter().chain([&question::words(&s.name).to_vec()]) {
                    ignored.extend(vocab.terms(name).into_iter().map(|t| t.stem));
                }
                Person {
                    name: s.name.clone(),
                    of: s.of.clone(),
                    names,
                    intent: s
                        .intent
                        .as_deref()
                        .and_then(|id| kb.intents.iter().position(|i| i.id == id)),
                    said: s
                        .said
                        .iter()
                        .map(|c| (c.clone(), FxHashSet::default()))
                        .collect(),
                }
            })
            .collect();
        let mut speakers = Speakers {
            vocab,
            people,
            ignored,
        };
        let stems: Vec<Vec<FxHashSet<String>>> = speakers
            .people
            .iter()
            .map(|p| {
                p.said
                    .iter()
                    .map(|(c, _)| speakers.content(&c.quote))
                    .collect()
            })
            .collect();
        for (person, stems) in speakers.people.iter_mut().zip(stems) {
            for ((_, set), s) in person.said.iter_mut().zip(stems) {
                *set = s;
            }
        }
        speakers
    }

    /// The content stems of a text: no stopwords, names or "say" verbs.
    fn content(&self, text: &str) -> FxHashSet<String> {
        self.vocab
            .terms(&question::words(text))
            .into_iter()
            .filter(|t| !t.stop && !self.ignored.contains(&t.stem))
            .map(|t| t.stem)
            .collect()
    }

    /// The people a question names, by index, in order of first mention (each once).
    fn named(&self, words: &[String]) -> Vec<usize> {
        let mut found: Vec<(usize, usize)> = Vec::new();
        for (p, person) in self.people.iter().enumerate() {
            let at = person
                .names
                .iter()
                .filter(|n| !n.is_empty())
                .filter_map(|n| words.windows(n.len()).position(|w| w == n.as_slice()))
                .min();
            if let Some(at) = at {
                found.push((at, p));
            }
        }
        found.sort_unstable();
        found.into_iter().map(|(_, p)| p).collect()
    }

    /// The statement a question credits to someone, when it quotes or paraphrases one the
    /// sources attribute to a known person: `no` (naming who said it) when it credits another
    /// known person, `yes` when it credits the right one (whatever the question's form), and
    /// for "who said '…'?" the speaker.
    /// `None` for every other question.
    pub fn attribution(&self, question: &str, form: Form) -> Option<Attribution> {
        let words = question::words(question);
        let quoted = question.contains(QUOTE_MARKS) || has_single_quotes(question);
        let says = words.iter().any(|w| SAY.contains(&w.as_str()));
        if !quoted && !says {
            return None;
        }
        let named = self.named(&words);
        let asks_who = form == Form::Who && named.is_empty() && quoted;
        let credited = match named[..] {
            [one] => Some(one),
            [] if asks_who => None,
            _ => return None,
        };
        let text = quoted_span(question).unwrap_or(question);
        let asked = self.content(text);
        if asked.len() < MIN_OVERLAP {
            return None;
        }
        // The best quote per person.
        let mut best: Vec<(usize, usize, usize)> = self
            .people
            .iter()
            .enumerate()
            .filter_map(|(p, person)| {
                person
                    .said
                    .iter()
                    .enumerate()
                    .map(|(q, (_, stems))| (stems.intersection(&asked).count(), p, q))
                    .max_by_key(|&(n, _, q)| (n, std::cmp::Reverse(q)))
            })
            .collect();
        best.sort_by_key(|b| std::cmp::Reverse(b.0));
        let &(overlap, owner, quote) = best.first()?;
        let runner_up = best.get(1).map_or(0, |b| b.0);
        // Most of what the question states must be in the quote, and in no one else's as much.
        if overlap < MIN_OVERLAP || overlap * 2 < asked.len() || overlap < runner_up + MIN_MARGIN {
            return None;
        }
        let person = &self.people[owner];
        let intent = person.intent?;
        let cite = vec![person.said[quote].0.clone()];
        let who = match &person.of {
            Some(of) => format!("{} ({of})", person.name),
            None => person.name.clone(),
        };
        let stated = statement(question, &words);
        let said = &person.said[quote];
        let (verdict, text) = match credited {
            None => (None, format!("{who} said it, in these words:")),
            // Crediting a statement to a named person is a claim to check, whatever its form
            // ("wasn't it Jassy who said …", "so Sam was the one saying …").
            // … unless the question denies what the quote states ("did Altman say Microsoft is
            // no longer their primary cloud partner?").
            Some(c)
                if c == owner
                    && (denies(&stated, &said.0)
                        || super::verdict::misstates_figure(
                            &self.vocab,
                            |stem| self.ignored.contains(stem),
                            &stated,
                            &self.vocab.terms(&question::words(&said.0.quote)),
                        )) =>
            {
                (
                    Some(Verdict::No),
                    format!("No — that is not what {who} said; in these words:"),
                )
            }
            // "jassy said the models land on bedrock by june?": a time the quote never gives.
            Some(c)
                if c == owner
                    && super::verdict::names_time(&stated)
                    && !super::verdict::names_time(&question::words(&said.0.quote)) =>
            {
                (
                    Some(Verdict::NotSaid),
                    format!(
                        "The sources don't report {who} giving a date or time; in these words:"
                    ),
                )
            }
            Some(c) if c == owner => (
                Some(Verdict::Yes),
                format!("Yes — {who} said it, in these words:"),
            ),
            Some(c) => {
                let credited = &self.people[c];
                // Someone the sources never quote: say so, then whose words these are.
                let that = if credited.said.is_empty() {
                    format!(
                        "that was {who}; the sources report no statement by {}. In these words:",
                        credited.name
                    )
                } else {
                    format!("that was {who}, not {}, in these words:", credited.name)
                };
                (Some(Verdict::No), format!("No — {that}"))
            }
        };
        Some(Attribution {
            intent,
            lead: Lead {
                verdict,
                text: Some(text),
                cite,
                unreported: false,
                specific: false,
            },
        })
    }
}

/// Words that deny a statement: negations, and verbs that stop what a quote says continues.
const DENIALS: &[&str] = &[
    "stop", "stops", "stopping", "stopped", "cease", "ceases", "halt",
];

/// The words of the statement a question credits: its quoted span, else what follows the
/// first "say" verb.
fn statement(question: &str, words: &[String]) -> Vec<String> {
    match quoted_span(question) {
        Some(span) => question::words(span).to_vec(),
        None => words
            .iter()
            .skip_while(|w| !SAY.contains(&w.as_str()))
            .skip(1)
            .cloned()
            .collect(),
    }
}

/// Whether a statement denies or stops something while the quote has no such word.
fn denies(statement: &[String], quote: &Citation) -> bool {
    let denial = |words: &[String]| {
        words.iter().enumerate().any(|(i, w)| {
            question::is_negation(w, words.get(i + 1).map(String::as_str))
                || DENIALS.contains(&w.as_str())
        })
    };
    denial(statement) && !denial(&question::words(&quote.quote))
}

/// Whether the text has a span in single quotes ("said 'we look forward …'"), as opposed to
/// apostrophes ("didn't", "Altman's").
fn has_single_quotes(text: &str) -> bool {
    quoted_span(text).is_some()
}

/// The longest span between quotation marks (straight or curly, double or single), if any: a
/// single quote opens only after a space or at the start, and closes before a space, punctuation
/// or the end.
fn quoted_span(text: &str) -> Option<&str> {
    let mut best: Option<&str> = None;
    let mut open: Option<usize> = None;
    let mut prev: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let is_mark = QUOTE_MARKS.contains(&c) || c == '\'';
        if !is_mark {
            prev = Some(c);
            continue;
        }
        let can_open = prev.is_none_or(|p| p.is_whitespace() || "([:".contains(p))
            && next.is_some_and(|n| !n.is_whitespace());
        let can_close = prev.is_some_and(|p| !p.is_whitespace())
            && next.is_none_or(|n| n.is_whitespace() || n.is_ascii_punctuation());
        match open {
            Some(start) if can_close => {
                let span = &text[start..i];
                if best.is_none_or(|b| span.len() > b.len()) {
                    best = Some(span);
                }
                open = None;
            }
            None if can_open => open = Some(i + c.len_utf8()),
            _ => {}
        }
        prev = Some(c);
    }
    best.filter(|s| s.split_whitespace().count() >= 3)
}

/// Checks of `speakers.toml` (run by [`super::validate`]): names are lower-case and non-empty,
/// intents exist, and a person quoted has an intent to answer with. Quotes are checked
/// verbatim with every other quote.
pub(crate) fn check(kb: &KnowledgeBase, errors: &mut Vec<DataError>) {
    let file = format!("intents/{SPEAKERS_FILE}");
    let mut seen: FxHashSet<&str> = FxHashSet::default();
    for s in &kb.speakers {
        if s.name.trim().is_empty() || s.names.is_empty() {
            errors.push(DataError::file(
                file.clone(),
                format!("speaker {:?}: needs a `name` and `names`", s.name),
            ));
        }
        for n in &s.names {
            if question::words(n).join(" ") != *n {
                errors.push(DataError::file(
                    file.clone(),
                    format!(
                        "speaker `{}`: name {n:?} must be lower-case words as a question is read",
                        s.name
                    ),
                ));
            }
            if !seen.insert(n.as_str()) {
                errors.push(DataError::file(
                    file.clone(),
                    format!("speaker `{}`: name {n:?} belongs to two speakers", s.name),
                ));
            }
        }
        match &s.intent {
            Some(id) if kb.intent(id).is_none() => errors.push(DataError::file(
                file.clone(),
                format!("speaker `{}`: unknown intent `{id}`", s.name),
            )),
            None if !s.said.is_empty() => errors.push(DataError::file(
                file.clone(),
                format!(
                    "speaker `{}`: a speaker the sources quote needs an `intent`",
                    s.name
                ),
            )),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::data::DataFiles;

    fn speakers() -> (KnowledgeBase, Speakers) {
        let kb = KnowledgeBase::load(&DataFiles::bundled()).expect("bundled data");
        let speakers = Speakers::new(&kb);
        (kb, speakers)
    }

    fn verdict_of(s: &Speakers, q: &str) -> Option<(Option<Verdict>, String)> {
        s.attribution(q, question::form(q))
            .map(|a| (a.lead.verdict, a.lead.text.unwrap_or_default()))
    }

    #[test]
    fn misattributed_quote_is_no_and_names_the_real_speaker() {
        let (kb, s) = speakers();
        let q = "was it Satya who said 'Microsoft remains our primary cloud partner'?";
        let a = s.attribution(q, question::form(q)).expect("a quote");
        assert_eq!(kb.intents[a.intent].id, "altman_statement");
        assert_eq!(a.lead.verdict, Some(Verdict::No));
        assert!(a.lead.text.as_deref().unwrap_or("").contains("Sam Altman"));
        assert!(a.lead.cite[0].quote.contains("primary cloud partner"));
        let q = "Altman said 'we look forward to bringing OpenAI models directly into Bedrock', didn't he?";
        let a = s.attribution(q, question::form(q)).expect("a quote");
        assert_eq!(kb.intents[a.intent].id, "amazon_bedrock");
        assert_eq!(a.lead.verdict, Some(Verdict::No));
        assert!(
            a.lead
                .text
                .as_deref()
                .unwrap_or("")
                .starts_with("No — that was Andy Jassy (Amazon)")
        );
    }

    #[test]
    fn a_figure_the_quote_gives_for_another_thing_is_no() {
        let (_, s) = speakers();
        for q in [
            "Altman said the revenue share runs until 2032, right?",
            "my draft: \"Altman said the revenue-share arrangement would continue until 2032.\" ok?",
        ] {
            let (v, text) = verdict_of(&s, q).expect("a quote");
            assert_eq!(v, Some(Verdict::No), "{q}: {text}");
        }
        for q in [
            "Did Altman say they'd keep supplying models to Microsoft through 2032?",
            "Did Altman say OpenAI will keep the revenue share until 2030?",
        ] {
            let (v, text) = verdict_of(&s, q).expect("a quote");
            assert_eq!(v, Some(Verdict::Yes), "{q}: {text}");
        }
    }

    #[test]
    fn paraphrased_quote_credited_rightly_is_yes() {
        let (_, s) = speakers();
        let (v, text) = verdict_of(
            &s,
            "did Jassy say Amazon looks forward to bringing OpenAI models into Bedrock?",
        )
        .expect("a paraphrase");
        assert_eq!(v, Some(Verdict::Yes), "{text}");
        let (v, _) = verdict_of(&s, "did Altman say OpenAI models are coming to Bedrock?")
            .expect("a paraphrase");
        assert_eq!(v, Some(Verdict::No));
    }

    #[test]
    fn quote_credited_to_someone_never_quoted_says_so() {
        let (_, s) = speakers();
        let (v, text) = verdict_of(
            &s,
            "did Sundar Pichai say microsoft remains the primary cloud partner?",
        )
        .expect("a quote");
        assert_eq!(v, Some(Verdict::No));
        assert!(text.contains("no statement by Sundar Pichai"), "{text}");
    }

    #[test]
    fn ordinary_questions_are_not_read_as_quotes() {
        let (_, s) = speakers();
        for q in [
            "is microsoft still the primary cloud partner?",
            "did Altman say anything about AGI?",
            "what did Satya Nadella say about the deal?",
            "did Kevin Scott comment on the deal?",
            "did Altman and Jassy both say something?",
            "can openai sell its models on aws now?",
        ] {
            assert_eq!(verdict_of(&s, q), None, "{q}");
        }
    }

    #[test]
    fn asks_what_someone_said() {
        assert!(asks_statement("what did amazon say about it"));
        assert!(asks_statement("any comment from google?"));
        assert!(!asks_statement("what did amazon do"));
    }

    #[test]
    fn finds_quoted_spans_but_not_apostrophes() {
        assert_eq!(
            quoted_span("Altman said 'we look forward to it', didn't he?"),
            Some("we look forward to it")
        );
        assert_eq!(
            quoted_span("was it Satya who said “Microsoft remains our partner”?"),
            Some("Microsoft remains our partner")
        );
        assert_eq!(quoted_span("didn't Altman's team say so?"), None);
        assert_eq!(quoted_span("he said \"yes\""), None);
    }
}
