//! Composing an [`Answer`] from the matcher's decision: the direct answer, numbered facts, the
//! sources' quotes, conflict notes and suggestions, plus a plain-text rendering.
//!
//! Platform renderers (`crate::render`) start from the structured fields; `text` is the plain
//! form used by the CLI, the JSON output and every platform's text fallback.

use std::borrow::Cow;
use std::fmt::Write as _;

use serde::Serialize;

use super::data::{Citation, Conflict, Fact, Intent, IntentKind, KnowledgeBase, NoteKind, Verdict};
use super::matcher::{Decision, SlotHit};
use super::verdict::{self, Lead};

/// Intents suggested when nothing closer is known.
const DEFAULT_SUGGESTIONS: &[&str] = &["revenue_share_end", "other_clouds", "summary"];
/// Most suggestions given.
pub const MAX_SUGGESTIONS: usize = 3;

/// How the answer came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Answered from an intent.
    Answered,
    /// The sources don't cover the question.
    NotCovered,
    /// Two or more intents fit; the user is asked to pick.
    Ambiguous,
    /// Nothing was asked.
    Empty,
}

/// A supporting fact with the numbers of its citations.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerFact {
    /// The statement.
    pub text: String,
    /// 1-based indices into [`Answer::citations`].
    pub markers: Vec<usize>,
    /// The name of the one source behind this fact, when all its quotes come from one source
    /// (derived from the citations, never written by hand).
    pub sole_source: Option<String>,
}

impl AnswerFact {
    /// The citation markers as they follow the fact: ` [1] [2]`.
    pub fn markers_text(&self) -> String {
        let mut out = String::new();
        self.write_markers(&mut out);
        out
    }

    /// Appends [`AnswerFact::markers_text`] to `out`.
    fn write_markers(&self, out: &mut String) {
        for m in &self.markers {
            let _ = write!(out, " [{m}]");
        }
    }

    /// " Only <source> reports this." for a fact backed by one source whose text does not
    /// already name it; empty otherwise.
    pub fn single_source_note(&self) -> String {
        let mut out = String::new();
        self.write_single_source_note(&mut out);
        out
    }

    /// Appends [`AnswerFact::single_source_note`] to `out`.
    fn write_single_source_note(&self, out: &mut String) {
        if let Some(name) = &self.sole_source
            && !self.text.contains(name.as_str())
        {
            let _ = write!(out, " Only {name} reports this.");
        }
    }
}

/// The engine's reply to one question. Serialises to exactly the JSON object of
/// `dealbot ask --json`: `question`, `answered`, `intent`, `confidence`, `verdict`, `text`,
/// `citations`, `conflicts`, `notes`, `suggestions`, `parts`.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    /// The question as received.
    pub question: String,
    /// True when the answer comes from an intent.
    pub answered: bool,
    /// The intent id, when answered.
    pub intent: Option<String>,
    /// Confidence in [0, 1], rounded to three decimals.
    pub confidence: f64,
    /// For a yes/no question: what the sources say (`yes`, `no`, `not_said`); else `None`.
    pub verdict: Option<Verdict>,
    /// The whole answer as plain text.
    pub text: String,
    /// Numbered quotes (`[1]` is the first).
    pub citations: Vec<Citation>,
    /// Sources that disagree with the majority reading.
    pub conflicts: Vec<Conflict>,
    /// Remarks on how the sources fit together that are not disagreements.
    pub notes: Vec<Conflict>,
    /// Catalogue questions to try instead (or to pick from, when ambiguous).
    pub suggestions: Vec<String>,
    /// For a message that asks several things, one answer per part, in order; else empty.
    pub parts: Vec<Answer>,
    /// How the answer came about.
    #[serde(skip)]
    pub outcome: Outcome,
    /// The intent's topic title.
    #[serde(skip)]
    pub topic: Option<String>,
    /// The short direct answer.
    #[serde(skip)]
    pub direct: String,
    /// The lead alone, when the question's form gave one (a verdict, a correction, the aspect
    /// asked): short replies show it instead of [`Answer::direct`], which goes on to restate
    /// the topic's answer.
    #[serde(skip)]
    pub lead: Option<String>,
    /// Supporting facts with citation markers.
    #[serde(skip)]
    pub facts: Vec<AnswerFact>,
}

impl Answer {
    /// The direct answer followed by the facts, one `• fact [n]` line each: the part of the
    /// plain text that every platform shows as the answer's body.
    pub fn direct_and_facts(&self) -> String {
        let mut out = String::with_capacity(1024);
        self.write_direct_and_facts(&mut out);
        out
    }

    /// Appends [`Answer::direct_and_facts`] to `out`.
    fn write_direct_and_facts(&self, out: &mut String) {
        out.push_str(&self.direct);
        let one = self.one_source();
        if !self.facts.is_empty() {
            out.push('\n');
            for fact in &self.facts {
                out.push_str("\n• ");
                out.push_str(&fact.text);
                if one.is_none() {
                    fact.write_single_source_note(out);
                }
                fact.write_markers(out);
            }
        }
        if let Some(name) = one {
            let _ = write!(out, "\n\nOnly {name} reports this.");
        }
    }

    /// An answer to `question` that says nothing yet: not answered, no intent, nothing cited.
    fn empty(question: &str) -> Answer {
        Answer {
            question: question.to_owned(),
            answered: false,
            intent: None,
            confidence: 0.0,
            verdict: None,
            text: String::new(),
            citations: Vec::new(),
            conflicts: Vec::new(),
            notes: Vec::new(),
            suggestions: Vec::new(),
            parts: Vec::new(),
            outcome: Outcome::NotCovered,
            topic: None,
            direct: String::new(),
            lead: None,
            facts: Vec::new(),
        }
    }

    /// The direct answer as short replies show it: the lead alone when there is one.
    pub fn short_direct(&self) -> &str {
        self.lead.as_deref().unwrap_or(&self.direct)
    }

    /// The name of the one source behind every cited fact, when there are two or more cited
    /// facts and they all rest on that same single source: said once for the whole answer.
    pub fn one_source(&self) -> Option<&str> {
        let mut cited = self.facts.iter().filter(|f| !f.markers.is_empty());
        let first = cited.next()?.sole_source.as_deref()?;
        let mut n = 1;
        for fact in cited {
            if fact.sole_source.as_deref() != Some(first) {
                return None;
            }
            n += 1;
        }
        (n >= 2).then_some(first)
    }
}

/// Builds answers; borrows the knowledge base.
pub(crate) struct Composer<'a> {
    pub kb: &'a KnowledgeBase,
}

impl Composer<'_> {
    /// Composes the answer, opening with `lead` (a verdict, a correction, an aspect's sentence)
    /// when there is one; a leading "Yes."/"No." of the intent's answer is left out, since the
    /// lead (or its absence) says the verdict.
    pub fn compose_with_lead(
        &self,
        question: &str,
        decision: &Decision,
        slots: &[SlotHit],
        lead: &Lead,
    ) -> Answer {
        let mut answer = self.build(question, decision, slots);
        if !answer.answered {
            answer.text = self.render_text(&answer);
            return answer;
        }
        let rest = verdict::strip_verdict(&answer.direct);
        answer.verdict = lead.verdict;
        answer.direct = match &lead.text {
            Some(text) if !text.is_empty() => {
                let claim = verdict::strip_verdict(text);
                // A bare verdict ("Yes —") needs the topic's answer after it even when short.
                if claim.split_whitespace().count() >= 4 {
                    answer.lead = Some(text.clone());
                }
                // "Yes — the AGI clause was removed.": the answer's own first sentence, when
                // it says the same, is not said twice.
                let rest = match rest.get(..claim.len()) {
                    Some(head) if !claim.is_empty() && head.eq_ignore_ascii_case(&claim) => {
                        rest[claim.len()..].trim_start()
                    }
                    _ => &rest,
                };
                format!("{text} {rest}").trim_end().to_owned()
            }
            _ => rest,
        };
        if !lead.cite.is_empty() {
            // The lead's quotes come first, numbered [1]…; the facts' markers shift after them.
            let mut citations: Vec<Citation> = Vec::new();
            let lead_markers: Vec<usize> = lead
                .cite
                .iter()
                .map(|c| number(&mut citations, Cow::Borrowed(c)))
                .collect();
            let old = std::mem::take(&mut answer.citations);
            let remap: Vec<usize> = old
                .into_iter()
                .map(|c| number(&mut citations, Cow::Owned(c)))
                .collect();
            for fact in &mut answer.facts {
                for m in &mut fact.markers {
                    if let Some(new) = remap.get(*m - 1) {
                        *m = *new;
                    }
                }
            }
            answer.citations = citations;
            let markers: String = lead_markers.iter().map(|m| format!(" [{m}]")).collect();
            answer.direct.push_str(&markers);
        }
        answer.text = self.render_text(&answer);
        answer
    }

    /// One answer for a message of several parts: each part's question, lead and facts in
    /// order, one numbering of the quotes for the whole reply; a part the sources don't cover
    /// says so. `intent`, `confidence` and `topic` are the first answered part's.
    pub fn combine(&self, question: &str, parts: Vec<Answer>) -> Answer {
        let mut out = Answer::empty(question);
        out.answered = parts.iter().any(|p| p.answered);
        if let Some(first) = parts.iter().find(|p| p.answered) {
            out.intent = first.intent.clone();
            out.confidence = first.confidence;
            out.topic = first.topic.clone();
            out.outcome = Outcome::Answered;
            out.verdict = first.verdict;
        }
        // The sections, one per part, written in turn into the direct answer.
        let mut direct = String::with_capacity(512 * parts.len());
        for (n, part) in parts.iter().enumerate() {
            if n > 0 {
                direct.push_str("\n\n");
            }
            let _ = writeln!(direct, "{}. {}", n + 1, part.question.trim());
            if part.answered {
                let remap: Vec<usize> = part
                    .citations
                    .iter()
                    .map(|c| number(&mut out.citations, Cow::Borrowed(c)))
                    .collect();
                direct.push_str(&part.direct);
                // A second part on a topic already answered adds its lead, not the topic's
                // facts again.
                let repeated = parts[..n]
                    .iter()
                    .any(|p| p.answered && p.intent == part.intent);
                for fact in part.facts.iter().filter(|_| !repeated) {
                    direct.push_str(
                        "
• ",
                    );
                    direct.push_str(&fact.text);
                    for m in &fact.markers {
                        if let Some(new) = remap.get(m.wrapping_sub(1)) {
                            let _ = write!(direct, " [{new}]");
                        }
                    }
                }
                for c in &part.conflicts {
                    if !out.conflicts.contains(c) {
                        out.conflicts.push(c.clone());
                    }
                }
                for n in &part.notes {
                    if !out.notes.contains(n) {
                        out.notes.push(n.clone());
                    }
                }
            } else {
                direct.push_str(&uncovered_reason(&part.direct));
                for s in &part.suggestions {
                    if !out.suggestions.contains(s) && out.suggestions.len() < MAX_SUGGESTIONS {
                        out.suggestions.push(s.clone());
                    }
                }
            }
        }
        out.direct = direct;
        out.parts = parts;
        out.text = self.render_text(&out);
        out
    }

    pub fn compose(&self, question: &str, decision: &Decision, slots: &[SlotHit]) -> Answer {
        let mut answer = self.build(question, decision, slots);
        answer.text = self.render_text(&answer);
        answer
    }

    /// The answer to `decision`, all but its rendered `text`.
    fn build(&self, question: &str, decision: &Decision, slots: &[SlotHit]) -> Answer {
        let mut answer = Answer::empty(question);
        match decision {
            Decision::Answer { intent, confidence } => {
                let intent = &self.kb.intents[*intent];
                answer.answered = true;
                answer.outcome = Outcome::Answered;
                answer.intent = Some(intent.id.clone());
                answer.topic = Some(intent.topic.clone());
                answer.confidence = round(*confidence);
                self.fill(&mut answer, intent, slots);
            }
            Decision::Ambiguous {
                intents,
                confidence,
            } => {
                answer.outcome = Outcome::Ambiguous;
                answer.confidence = round(*confidence);
                let topics: Vec<&str> = intents
                    .iter()
                    .map(|&i| self.kb.intents[i].topic.as_str())
                    .collect();
                answer.direct = format!(
                    "I'm not sure which you mean: {}. Pick one of the questions below.",
                    topics.join(" or ")
                );
                answer.suggestions = self.suggestions(intents, false);
            }
            Decision::Empty => {
                answer.outcome = Outcome::Empty;
                answer.direct =
                    "Ask me a question about the Microsoft–OpenAI deal, for example:".to_owned();
                answer.suggestions = self.suggestions(&[], true);
            }
            Decision::NotCovered {
                topic,
                near,
                confidence,
            } => {
                answer.confidence = round(*confidence);
                let topic = topic.and_then(|t| self.kb.uncovered.get(t));
                let reason = topic.map_or("My sources don't cover that.", |t| t.reply.as_str());
                answer.direct = format!(
                    "{reason} I answer only from my {} articles on the Microsoft–OpenAI deal. You could ask:",
                    self.kb.sources.len()
                );
                let mut related: Vec<usize> = topic
                    .into_iter()
                    .flat_map(|t| &t.suggest)
                    .filter_map(|id| self.kb.intents.iter().position(|i| &i.id == id))
                    .collect();
                related.extend(near);
                answer.suggestions = self.suggestions(&related, true);
            }
        }
        answer
    }

    /// The reply to a question in another language: say so, briefly, and offer questions.
    pub fn not_english(&self, question: &str) -> Answer {
        let mut answer = self.build(question, &Decision::Empty, &[]);
        answer.outcome = Outcome::NotCovered;
        answer.direct = "Sorry, I only understand English. Try one of these questions:".to_owned();
        answer.text = self.render_text(&answer);
        answer
    }

    fn fill(&self, answer: &mut Answer, intent: &Intent, slots: &[SlotHit]) {
        answer.direct = intent.answer.clone();
        let mut facts: Vec<Fact> = Vec::new();
        if let Some(slot) = &intent.slot {
            let placeholder = format!("{{{}}}", slot.name);
            let named: Vec<&Fact> = slots
                .iter()
                .filter_map(|h| match h {
                    SlotHit::Named(i) => slot.values.get(*i).map(|v| &v.fact),
                    SlotHit::Unnamed(_) => None,
                })
                .collect();
            let unnamed: Vec<&str> = slots
                .iter()
                .filter_map(|h| match h {
                    SlotHit::Unnamed(i) => slot.unnamed.get(*i).map(|u| u.name.as_str()),
                    SlotHit::Named(_) => None,
                })
                .collect();
            let names: Vec<&str> = slots
                .iter()
                .filter_map(|h| match h {
                    SlotHit::Named(i) => slot.values.get(*i).map(|v| v.name.as_str()),
                    SlotHit::Unnamed(_) => None,
                })
                .collect();
            let mut direct = Vec::new();
            if !names.is_empty() {
                direct.push(
                    slot.named_answer
                        .replace(&placeholder, &names.join(" and ")),
                );
                facts.extend(named.into_iter().cloned());
            }
            if !unnamed.is_empty() {
                direct.push(
                    slot.unnamed_answer
                        .replace(&placeholder, &unnamed.join(" or ")),
                );
            }
            if !direct.is_empty() {
                answer.direct = direct.join(" ");
            }
        }
        facts.extend(intent.facts.iter().cloned());
        match intent.kind {
            IntentKind::Facts | IntentKind::Smalltalk => {}
            IntentKind::Help => {}
            IntentKind::Sources => {
                for source in &self.kb.sources {
                    let mut text = source.name().to_owned();
                    if let Some(by) = &source.attribution {
                        text.push_str(&format!(" (it credits {by})"));
                    }
                    if let Some(url) = source.url() {
                        text.push_str(&format!(": {url}"));
                    }
                    facts.push(Fact {
                        text,
                        cite: Vec::new(),
                    });
                }
            }
        }
        for fact in facts {
            let mut sources: Vec<&str> = fact.cite.iter().map(|c| c.source.as_str()).collect();
            sources.dedup();
            let sole_source = match sources.as_slice() {
                [one] => self.kb.source(one).map(|s| s.name().to_owned()),
                _ => None,
            };
            let markers = fact
                .cite
                .into_iter()
                .map(|c| number(&mut answer.citations, Cow::Owned(c)))
                .collect();
            answer.facts.push(AnswerFact {
                text: fact.text,
                markers,
                sole_source,
            });
        }
        let (conflicts, notes) = intent
            .conflicts
            .iter()
            .cloned()
            .partition(|c| c.kind == NoteKind::Conflict);
        answer.conflicts = conflicts;
        answer.notes = notes;
    }

    fn suggestions(&self, intents: &[usize], fill: bool) -> Vec<String> {
        let defaults = DEFAULT_SUGGESTIONS
            .iter()
            .filter(|_| fill)
            .filter_map(|id| self.kb.intent(id));
        let mut out: Vec<String> = Vec::new();
        for intent in intents
            .iter()
            .filter_map(|&i| self.kb.intents.get(i))
            .chain(defaults)
            .filter(|i| i.kind == IntentKind::Facts)
        {
            let s = suggestion(intent);
            if !out.contains(&s) {
                out.push(s);
            }
        }
        out.truncate(MAX_SUGGESTIONS);
        out
    }

    /// The plain-text form: direct answer, facts with [n] markers, conflict notes, numbered
    /// sources with their quotes, suggestions.
    pub fn render_text(&self, answer: &Answer) -> String {
        let mut out = String::with_capacity(4096);
        answer.write_direct_and_facts(&mut out);
        for (head, list) in [
            ("Note: the sources disagree. ", &answer.conflicts),
            ("Note: ", &answer.notes),
        ] {
            for c in list {
                for piece in ["\n\n", head, &c.note, "\n“", &c.quote, "”"] {
                    out.push_str(piece);
                }
                if !c.note.contains(c.title.as_str()) {
                    for piece in [" (", &c.title, ")"] {
                        out.push_str(piece);
                    }
                }
            }
        }
        if !answer.citations.is_empty() {
            out.push_str("\n\nSources:");
            for (title, url, quotes) in by_source(&answer.citations) {
                out.push('\n');
                out.push_str(title);
                if let Some(url) = url {
                    for piece in [" <", url, ">"] {
                        out.push_str(piece);
                    }
                }
                for (n, quote) in quotes {
                    let _ = write!(out, "\n  [{n}] “");
                    out.push_str(quote);
                    out.push('”');
                }
            }
        }
        if !answer.suggestions.is_empty() {
            out.push('\n');
            for s in &answer.suggestions {
                out.push_str("\n• ");
                out.push_str(s);
            }
        }
        out
    }
}

/// A source's title and link with its numbered quotes.
pub type SourceQuotes<'a> = (&'a str, Option<&'a str>, Vec<(usize, &'a str)>);

/// The citations grouped by source, in order of first appearance, each quote with its 1-based
/// number: every front end lists sources this way, so no title is written twice.
pub fn by_source(citations: &[Citation]) -> Vec<SourceQuotes<'_>> {
    let mut groups: Vec<(&str, SourceQuotes<'_>)> = Vec::new();
    for (i, c) in citations.iter().enumerate() {
        match groups.iter_mut().find(|(id, _)| *id == c.source) {
            Some((_, (_, _, quotes))) => quotes.push((i + 1, c.quote.as_str())),
            None => groups.push((
                c.source.as_str(),
                (
                    c.title.as_str(),
                    c.url.as_deref(),
                    vec![(i + 1, c.quote.as_str())],
                ),
            )),
        }
    }
    groups.into_iter().map(|(_, g)| g).collect()
}

/// The question an intent is best asked with: its first example, as a sentence.
pub fn suggestion(intent: &Intent) -> String {
    let example = intent
        .question
        .as_deref()
        .or(intent.examples.first().map(String::as_str))
        .unwrap_or(intent.topic.as_str());
    let mut s = verdict::upper_first(example);
    if !s.ends_with('?') && !s.ends_with('.') {
        s.push('?');
    }
    s
}

/// The reason an uncovered part gives, without the invitation to ask something else.
fn uncovered_reason(direct: &str) -> String {
    let reason = direct
        .split(" I answer only from")
        .next()
        .unwrap_or(direct)
        .trim();
    if reason.is_empty() || reason.starts_with("Ask me") || reason.starts_with("I'm not sure") {
        "My sources don't cover this part.".to_owned()
    } else {
        reason.to_owned()
    }
}

/// The number of `citation` in `citations`, adding it when it is new (a borrowed one is copied
/// only then).
fn number(citations: &mut Vec<Citation>, citation: Cow<'_, Citation>) -> usize {
    match citations.iter().position(|c| c == citation.as_ref()) {
        Some(i) => i + 1,
        None => {
            citations.push(citation.into_owned());
            citations.len()
        }
    }
}

fn round(x: f32) -> f64 {
    (f64::from(x).clamp(0.0, 1.0) * 1000.0).round() / 1000.0
}
