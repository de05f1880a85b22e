//! Conversations: the small context a caller keeps between turns, and how a message is read
//! against it: follow-ups ("and Google?", "until when?", "source?"), a change of topic, and
//! messages that ask several things (each part is read against the parts before it).
//!
//! The engine stays pure: [`super::Engine::answer_in`] takes the context and returns the next
//! one; the caller (CLI, HTTP server, chat adapters) stores it. A [`Context`] is bounded
//! ([`MAX_TURNS`] turns, each question cut to [`MAX_TURN_QUESTION`] bytes), so a store can keep
//! one per conversation.

use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use super::answer::{Answer, Composer};
use super::data::{IntentKind, KnowledgeBase};
use super::matcher::{Analysis, Decision, SlotHit};
use super::question::{self, Form};
use super::{Engine, normalize};

/// Turns a context remembers.
pub const MAX_TURNS: usize = 4;
/// Bytes of a question a context remembers.
pub const MAX_TURN_QUESTION: usize = 300;
/// A follow-up moves to another topic on its own words at this confidence.
const TOPIC_CHANGE_CONFIDENCE: f32 = 0.45;
/// Confidence given to an answer that continues the previous topic.
const FOLLOW_CONFIDENCE: f32 = 0.6;
/// Turns on one topic that a follow-up is read with (each at most `MAX_TURN_QUESTION` bytes).
const JOINED_TURNS: usize = 3;

/// Words of a message that [`Engine::coverage`] looks up.
const MAX_FOLLOW_WORDS: usize = 24;
/// An answer on a follow-up's own words this confident is not second-guessed by the context.
const CONFIDENT: f32 = 0.6;
/// Least probability of the best topic for a refused yes/no question to be answered "the
/// sources don't say that" on it ([`Engine::refused_topic`]); no refusal row of the labelled or
/// test data is answered down to 0.1.
const NEAR_PROBABILITY: f32 = 0.15;
/// Least probability of a runner-up giving the year a yes/no question states, for the question
/// to be read on it when the chosen topic gives no year ([`Engine::settle_figures`]).
const YEAR_PROBABILITY: f32 = 0.05;
/// Least probability of the best topic for a yes/no question a not-covered topic refused to be
/// answered "the sources don't say that" on it all the same ([`Engine::answer_part`]).
const STRONG_PROBABILITY: f32 = 0.5;
/// Least probability of the topic a yes/no question names once its figures are set aside for
/// it to answer ([`Engine::topic_besides_figures`]).
const FIGURE_FREE: f32 = 0.5;
/// A refused yes/no question making a `not_said` claim of one of the matcher's this many best
/// topics is answered on it ([`Engine::refused_topic`]).
const CLAIMED_RANK: usize = 3;
/// ... and, when the best is stronger than [`STRONG_PROBABILITY`], whose probability is at
/// least the best's divided by this.
const CLAIMED_RATIO: f32 = 4.0;
/// Names of the parties: never a change of organisation.
const PARTIES: &[&str] = &["microsoft", "openai", "azure"];
/// Words a follow-up asks with that say nothing of its topic: time and degree ("back then",
/// "at worst", "how low"), vague nouns ("those things", "the 2032 bit"), light verbs ("go",
/// "get") and reporting verbs ("he mentions").
const FOLLOW_WORDS: &[&str] = &[
    "back",
    "then",
    "now",
    "ago",
    "originally",
    "initially",
    "first",
    "later",
    "earlier",
    "still",
    "anymore",
    "actually",
    "worst",
    "best",
    "least",
    "most",
    "roughly",
    "around",
    "approximately",
    "just",
    "even",
    "too",
    "also",
    "instead",
    "tho",
    "though",
    "low",
    "high",
    "lowest",
    "highest",
    "time",
    "times",
    "thing",
    "things",
    "stuff",
    "bit",
    "bits",
    "part",
    "parts",
    "kind",
    "sort",
    "whatever",
    "like",
    "go",
    "went",
    "gone",
    "get",
    "got",
    "getting",
    "make",
    "made",
    "happen",
    "happened",
    "mention",
    "mentions",
    "mentioned",
    "mean",
    "meant",
    "talk",
    "talking",
    "talked",
    "ok",
    "okay",
    "exactly",
    "any",
    "anything",
    "else",
    "yet",
];
/// Nouns that name what a form asks for: a follow-up made of them alone ("and the dates?")
/// asks that form of the previous topic.
const FORM_NOUNS: &[(Form, &[&str])] = &[
    (
        Form::When,
        &[
            "date",
            "dates",
            "year",
            "years",
            "deadline",
            "deadlines",
            "timeline",
            "timing",
            "timeframe",
            "day",
            "days",
            "month",
            "months",
        ],
    ),
    (
        Form::Amount,
        &[
            "amount",
            "amounts",
            "figure",
            "figures",
            "number",
            "numbers",
            "price",
            "sum",
            "percentage",
            "percent",
            "size",
            "total",
            "totals",
        ],
    ),
];
/// Words of acknowledgement that may open a message as a sentence of their own ("cool.").
const ACKNOWLEDGEMENTS: &[&str] = &[
    "ok",
    "okay",
    "k",
    "cool",
    "fine",
    "great",
    "nice",
    "thanks",
    "thank",
    "thx",
    "ty",
    "you",
    "got",
    "it",
    "gotcha",
    "alright",
    "right",
    "sure",
    "interesting",
    "hmm",
    "huh",
    "wow",
    "yeah",
    "yep",
    "noted",
    "perfect",
    "good",
    "understood",
    "makes",
    "sense",
    "ah",
    "oh",
    "i",
    "see",
    "wait",
    "really",
    "seriously",
    "hold",
    "hang",
    "on",
];

/// The message after a sentence of acknowledgement that opens it ("cool. unrelated, but …" →
/// "unrelated, but …", "wait really? how much" → "how much"), when it has one: at most three
/// words of [`ACKNOWLEDGEMENTS`], then ".", "!", "?" or ",", then more words.
fn after_acknowledgement(raw: &str) -> Option<&str> {
    let text = normalize::truncate(raw).trim_start();
    let end = text.find(['.', '!', ',', '?'])?;
    let head = question::words(&text[..end]);
    let rest = text[end..].trim_start_matches(['.', '!', ',', '?', ' ']);
    let acknowledges = !head.is_empty()
        && head.len() <= 3
        && head.iter().all(|w| ACKNOWLEDGEMENTS.contains(&w.as_str()));
    (acknowledges && !question::words(rest).is_empty()).then_some(rest)
}

/// Whether a message opens like a follow-up after any acknowledgement: "and …", "so what
/// about …", "how about …", "same for …".
fn opens_follow_up(words: &[String]) -> bool {
    let start = words
        .iter()
        .position(|w| {
            !ACKNOWLEDGEMENTS.contains(&w.as_str()) && !["so", "but"].contains(&w.as_str())
        })
        .unwrap_or(words.len());
    let w: Vec<&str> = words[start..].iter().map(String::as_str).collect();
    matches!(
        w.as_slice(),
        ["and", ..] | ["what" | "how", "about", ..] | ["same", "for", ..] | ["what", "of", ..]
    )
}

/// The first letters of a word that [`Engine::coverage`] compares, for words long enough.
fn prefix(word: &str) -> Option<&str> {
    word.char_indices()
        .nth(question::PREFIX_MIN)
        .map(|(at, _)| &word[..at])
        .or((word.chars().count() == question::PREFIX_MIN).then_some(word))
}

/// The words an intent's data uses, read once at load for [`Engine::coverage`]: its topic,
/// catalogue question, examples, keywords, answer, facts and quotes, claims, aspects and
/// labelled questions, folded; and their prefixes.
#[derive(Debug, Default)]
pub(crate) struct TopicWords {
    known: FxHashSet<String>,
    prefixes: FxHashSet<String>,
}

/// Each word of the lexicon's synonym lists (a canonical word or a variant) with its group:
/// the canonical word, then its one-word variants. A word in several lists takes the first list
/// (in the lexicon's order) that names it. Built at load: a follow-up looks up each of its words.
#[derive(Debug, Default)]
pub(crate) struct SynonymGroups(FxHashMap<String, Vec<String>>);

impl SynonymGroups {
    pub(crate) fn new(kb: &KnowledgeBase) -> SynonymGroups {
        let mut groups = FxHashMap::default();
        for (canonical, variants) in &kb.lexicon.synonyms {
            let mut group = vec![canonical.clone()];
            group.extend(variants.iter().filter(|v| !v.contains(' ')).cloned());
            for word in std::iter::once(canonical).chain(variants) {
                groups.entry(word.clone()).or_insert_with(|| group.clone());
            }
        }
        SynonymGroups(groups)
    }

    /// The group of `word`, if a synonym list names it.
    fn of(&self, word: &str) -> Option<Vec<String>> {
        self.0.get(word).cloned()
    }
}

/// [`TopicWords`] of every intent of `kb`, in order.
pub(crate) fn topic_words(kb: &KnowledgeBase) -> Vec<TopicWords> {
    kb.intents
        .iter()
        .map(|data| {
            let mut text = String::new();
            let mut add = |s: &str| {
                text.push(' ');
                text.push_str(s);
            };
            add(&data.topic);
            data.question.iter().for_each(|q| add(q));
            data.examples
                .iter()
                .chain(&data.keywords)
                .for_each(|e| add(e));
            add(&data.answer);
            for fact in &data.facts {
                add(&fact.text);
                fact.cite.iter().for_each(|c| add(&c.quote));
            }
            for claim in &data.claims {
                claim.when.iter().for_each(|w| add(w));
                add(&claim.lead);
            }
            for aspect in &data.aspects {
                aspect.when.iter().for_each(|w| add(w));
                add(&aspect.lead);
            }
            for labelled in &kb.questions {
                if labelled.intent.as_deref() == Some(data.id.as_str())
                    || labelled.also.iter().any(|a| a == &data.id)
                {
                    add(&labelled.q);
                }
            }
            let known: FxHashSet<String> = normalize::words(&normalize::fold(&text))
                .into_iter()
                .collect();
            let prefixes = known
                .iter()
                .filter_map(|w| prefix(w))
                .map(str::to_owned)
                .collect();
            TopicWords { known, prefixes }
        })
        .collect()
}

/// How many content words of a question an intent knows.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Coverage {
    known: usize,
    unknown: usize,
}

/// What the engine remembers of a conversation: its last few turns. Serialisable, so that a
/// caller can keep it anywhere; [`Context::default`] is a new conversation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Context {
    /// The last turns, oldest first (at most [`MAX_TURNS`]).
    #[serde(default)]
    pub turns: Vec<Turn>,
}

/// One turn of a conversation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    /// The question (cut to [`MAX_TURN_QUESTION`] bytes).
    pub question: String,
    /// The intent that answered it, if any.
    #[serde(default)]
    pub intent: Option<String>,
    /// Slot values it named (display names).
    #[serde(default)]
    pub slots: Vec<String>,
    /// The form asked (the aspect).
    #[serde(default)]
    pub form: Form,
}

impl Context {
    /// The last turn.
    pub fn last(&self) -> Option<&Turn> {
        self.turns.last()
    }

    /// Adds a turn, forgetting the oldest beyond [`MAX_TURNS`].
    pub fn push(&mut self, mut turn: Turn) {
        turn.question = normalize::truncate_to(&turn.question, MAX_TURN_QUESTION).to_owned();
        turn.slots.truncate(4);
        self.turns.push(turn);
        let extra = self.turns.len().saturating_sub(MAX_TURNS);
        self.turns.drain(..extra);
    }

    /// The context bounded as [`Context::push`] keeps it (for one that was deserialised).
    pub fn bounded(&self) -> Context {
        let mut out = Context::default();
        let skip = self.turns.len().saturating_sub(MAX_TURNS);
        for turn in self.turns.iter().skip(skip) {
            out.push(turn.clone());
        }
        out
    }
}

/// How one part was read.
struct Reading {
    decision: Decision,
    slots: Vec<SlotHit>,
    form: Form,
    /// "source?": the previous answer's sources.
    source_request: bool,
}

impl Reading {
    /// The intent it answers with (`usize::MAX` when none).
    fn intent(&self) -> usize {
        match self.decision {
            Decision::Answer { intent, .. } => intent,
            _ => usize::MAX,
        }
    }
}

impl Engine {
    /// Answers `question` in a conversation: follow-ups are read against `ctx`, a message that
    /// asks several things is answered part by part. Returns the answer and the context for the
    /// next turn. Never panics.
    pub fn answer_in(&self, question: &str, ctx: &Context) -> (Answer, Context) {
        question::forget_recent();
        let ctx = ctx.bounded();
        if super::language::is_not_english(question) {
            let answer = super::answer::Composer { kb: &self.kb }.not_english(question);
            return (answer, ctx);
        }
        // "The cap is $38 billion, can I print that?": one yes/no question about the statement.
        let confirmed = match question::confirmation(question) {
            Some(question::Confirmation::Statement(asked)) => Some(asked),
            _ => None,
        };
        // "/dealbot exclusivity, aws, msft stake": each keyword is a query of its own.
        let keyword_items = if confirmed.is_some() {
            None
        } else {
            question::keyword_items(question)
        };
        let keywords = keyword_items.is_some();
        let split = if confirmed.is_some() {
            Vec::new()
        } else if let Some(items) = keyword_items {
            items
        } else if self
            .speakers
            .attribution(question, question::form(question))
            .is_some()
        {
            // A quoted statement ("Altman said 'we look forward …', didn't he?") is one
            // question, whatever commas or "and"s its quote holds: only its sentences are parts.
            question::split_sentences(question)
        } else {
            question::split(question)
        };
        // "and for openai? who are they working with": the opening ellipsis says whom the
        // question after it is about; the two are one question.
        let mut split = split;
        if split.len() >= 2
            && question::is_ellipsis_lead(&split[0])
            && question::opens_question(&question::words(&split[1]))
        {
            let second = split.remove(1);
            split[0] = format!("{} {second}", split[0]);
        }
        // Per piece, whether it is a bare aspect; the first follows no other, so whether it is
        // bare is never asked.
        let bare_pieces: Vec<bool> = split
            .iter()
            .enumerate()
            .map(|(n, piece)| n > 0 && self.leads.is_bare(piece))
            .collect();
        // Whether the message asks two things or more besides bare aspects.
        let asks_several = bare_pieces.iter().filter(|bare| !**bare).count() >= 2;
        let mut parts: Vec<String> = Vec::new();
        // Per part: a bare aspect whose own words name a topic confidently, read on its own.
        let mut alone_parts: Vec<bool> = Vec::new();
        // Per part: its analysis, when splitting made one of the part as it stands (answering
        // it reads that one, not a second).
        let mut analyses: Vec<Option<Analysis>> = Vec::new();
        for (part, bare) in split.into_iter().zip(bare_pieces) {
            let analysis = bare.then(|| self.matcher.analyze(&part));
            let own = analysis.as_ref().and_then(|a| self.confident_topic(a));
            // Nothing but question words ("…, and for how much?"): in a message asking one
            // thing, a part of its own, asked of the part before ("did the stock fall, and by
            // how much?": a verdict, then the amount); in a message asking several, an aspect
            // of the part before ("is azure primary? does MS keep a licence, and until when?"),
            // unless that is a greeting or the words ask something of their own ("what can you
            // do", "what are your sources?").
            let aspect = match (parts.last(), analyses.last_mut(), &analysis) {
                (Some(last), Some(before), Some(analysis)) if asks_several => {
                    !question::is_greeting(last)
                        && !self.asks_about_dealbot(analysis)
                        && !self.aspect_elsewhere(
                            before.get_or_insert_with(|| self.matcher.analyze(last)),
                            &part,
                            own,
                        )
                }
                _ => false,
            };
            match (parts.last_mut(), analyses.last_mut()) {
                (Some(last), Some(before)) if aspect => {
                    last.push(' ');
                    last.push_str(&part);
                    *before = None;
                }
                _ => {
                    parts.push(part);
                    alone_parts.push(own.is_some());
                    analyses.push(analysis);
                }
            }
        }
        if parts.len() > 1 {
            let mut running = ctx.clone();
            // (answer, whether it is small talk) per part kept.
            let mut answers: Vec<(Answer, bool)> = Vec::new();
            // An opening greeting is read last, and only when no part asks about the deal (its
            // reply is dropped then): "hi! is azure still primary?" is read twice, not three times.
            let greeting = question::is_greeting(&parts[0]);
            for (n, part) in parts.iter().enumerate().skip(usize::from(greeting)) {
                // "What did MSFT put in, how big is its stake …": a later part's "its" is the
                // organisation an earlier part names, when it names none of its own.
                let resolved =
                    (n > 0 && question::mentions_its(part) && self.named_org(part).is_none())
                        .then(|| parts[..n].iter().rev().find_map(|p| self.named_org(p)))
                        .flatten()
                        .map(|org| question::resolve_its(part, &org));
                let read_as = resolved.as_deref().unwrap_or(part);
                // "… and what are your sources?": the reply to the whole message cites its
                // sources already; the part asks what they are, not where one part comes from.
                let alone = Context::default();
                // "…, why now": a bare part kept apart because its own words name another topic
                // is read on its own, not as an aspect of the part before; so is each keyword.
                let within =
                    if n > 0 && (question::asks_for_source(part) || alone_parts[n] || keywords) {
                        &alone
                    } else {
                        &running
                    };
                let analysis = match (&resolved, analyses[n].take()) {
                    (None, Some(analysis)) => analysis,
                    _ => self.matcher.analyze(read_as),
                };
                let (mut answer, turn, unreported) =
                    self.answer_part(read_as, analysis, within, true);
                answer.question = part.clone();
                // Within a message of several parts, a part asking a detail the sources don't
                // report is an uncovered part (said so, with what they do say); not one on a
                // topic whose every claim is unreported ("ipo plans?"): that is its answer.
                let whole_topic_unreported = answer
                    .intent
                    .as_deref()
                    .and_then(|i| self.kb.intent(i))
                    .is_some_and(|i| {
                        !i.claims.is_empty()
                            && i.claims
                                .iter()
                                .all(|c| c.verdict == super::Verdict::NotSaid)
                    });
                if unreported && answer.answered && !whole_topic_unreported {
                    answer.answered = false;
                    answer.intent = None;
                    answer.outcome = super::Outcome::NotCovered;
                }
                // A part that is no question of its own ("thanks in advance") is dropped; one
                // holding a question mark or word asks ("I need (a) how the stock moved (b)
                // whether …").
                let words = question::words(part);
                let filler = !keywords
                    && !answer.answered
                    && !part.contains('?')
                    && !question::opens_question(&words)
                    && !question::holds_question_word(&words)
                    && !question::adds_request(&words)
                    && !question::names_detail(&words);
                if filler {
                    continue;
                }
                let smalltalk = self.answered_kind(&answer) == Some(IntentKind::Smalltalk);
                if !smalltalk {
                    running.push(turn);
                }
                answers.push((answer, smalltalk));
            }
            // Small talk ("hi!") is answered in kind only in a message that asks nothing about
            // the deal ("hi! what can you do"); otherwise the reply goes straight to the point.
            let about_deal = answers.iter().any(|(a, smalltalk)| {
                !smalltalk && (!a.answered || self.answered_kind(a) == Some(IntentKind::Facts))
            });
            if about_deal {
                answers.retain(|(_, smalltalk)| !smalltalk);
            } else if greeting {
                let analysis = analyses[0]
                    .take()
                    .unwrap_or_else(|| self.matcher.analyze(&parts[0]));
                let (answer, _, _) = self.answer_part(&parts[0], analysis, &ctx, true);
                let smalltalk = self.answered_kind(&answer) == Some(IntentKind::Smalltalk);
                // A greeting that is no question of its own is dropped, as above.
                if answer.answered {
                    answers.insert(0, (answer, smalltalk));
                }
            }
            let mut intents: Vec<Option<&str>> =
                answers.iter().map(|(a, _)| a.intent.as_deref()).collect();
            intents.dedup();
            let one_topic_parts = intents.len() == 1 && self.one_topic_parts(&answers);
            if answers.len() > 1 && (intents.len() > 1 || one_topic_parts) {
                // The message's intent is its first answered part's, small talk aside.
                let main = answers
                    .iter()
                    .find(|(a, smalltalk)| a.answered && !smalltalk)
                    .map(|(a, _)| (a.intent.clone(), a.confidence, a.topic.clone(), a.verdict));
                let mut combined = Composer { kb: &self.kb }
                    .combine(question, answers.into_iter().map(|(a, _)| a).collect());
                if let Some((intent, confidence, topic, verdict)) = main {
                    combined.intent = intent;
                    combined.confidence = confidence;
                    combined.topic = topic;
                    combined.verdict = verdict;
                }
                return (combined, running);
            }
        }
        let asked = confirmed.as_deref().unwrap_or(question);
        let (mut answer, turn, _) =
            self.answer_part(asked, self.matcher.analyze(asked), &ctx, false);
        answer.question = question.to_owned();
        let mut next = ctx;
        next.push(turn);
        (answer, next)
    }

    /// Whether the answers to a message's parts, all on one topic, stay parts. They do when
    /// the topic is one of facts, no two parts get the same verdict and lead, and each part
    /// names the topic in its own words; after the first, a part may instead ask only an
    /// aspect of it ("…, and until when?") or be a question of three words or more naming an
    /// organisation ("… and is openai negotiating with amazon"), but not a tag, nor a question
    /// whose claim lies in the part before ("has it changed?", "is there a stated reason").
    /// "is openai going public and what's the ipo date" is two parts (a verdict, then the
    /// date); "msft dipped on the news, didn't it?" and "why now? what pushed them to redo it"
    /// are one question, read whole.
    fn one_topic_parts(&self, answers: &[(Answer, bool)]) -> bool {
        let Some(topic) = answers.first().and_then(|(a, _)| a.intent.as_deref()) else {
            return false;
        };
        let distinct = answers.iter().enumerate().all(|(n, (a, _))| {
            !answers[..n]
                .iter()
                .any(|(b, _)| b.verdict == a.verdict && b.direct == a.direct)
        });
        let own_part = |n: usize, asked: &str| {
            let leaning = n > 0
                && (self.leads.is_bare(asked)
                    || (question::words(asked).len() >= 3
                        && !question::is_tag_part(asked)
                        && !self.orgs_named(asked).is_empty()));
            leaning
                || self
                    .confident_topic(&self.matcher.analyze(asked))
                    .is_some_and(|i| self.kb.intents[i].id == topic)
        };
        self.answered_kind(&answers[0].0) == Some(IntentKind::Facts)
            && distinct
            && answers
                .iter()
                .enumerate()
                .all(|(n, (a, _))| a.intent.is_some() && own_part(n, &a.question))
    }

    /// The kind of the intent that answered, if it was answered.
    fn answered_kind(&self, answer: &Answer) -> Option<IntentKind> {
        answer
            .intent
            .as_deref()
            .filter(|_| answer.answered)
            .and_then(|i| self.kb.intent(i))
            .map(|i| i.kind)
    }

    /// Answers one part, given its analysis; the flag says its lead is a detail the sources
    /// don't report.
    fn answer_part(
        &self,
        question: &str,
        analysis: Analysis,
        ctx: &Context,
        part: bool,
    ) -> (Answer, Turn, bool) {
        let mut reading = self.read(question, &analysis, ctx, part);
        self.settle_figures(question, &analysis, ctx, &mut reading);
        // A refused yes/no question about a detail the sources don't give ("has Amazon signed a
        // contract yet?", "is the licence royalty-free?") is answered "the sources don't say" on
        // its topic; so is one plainly about a topic but making no claim of its data ("did the
        // UK's CMA look at it too?"). That holds when a not-covered topic refused it, unless the
        // topic keeps its yes/no questions (`keeps_yes_no`).
        // A topic of facts the matcher finds likelier than [`STRONG_PROBABILITY`] overrules a
        // not-covered topic's refusal ("oai pays the rev share quarterly, right?": the sources
        // don't say, on the revenue share).
        let mut near_only = false;
        if reading.form == Form::YesNo
            && !reading.source_request
            && let Decision::NotCovered { topic, .. } = reading.decision
        {
            let strong = topic.is_some() && self.strong_topic(&analysis);
            let kept = topic.is_some_and(|t| self.kb.uncovered[t].keeps_yes_no) && !strong;
            let topic = (!kept)
                .then(|| self.refused_topic(question, &analysis))
                .flatten()
                .filter(|&(_, near)| !near || topic.is_none() || strong)
                .map(|(intent, near)| {
                    near_only = near;
                    intent
                });
            if let Some(intent) = topic {
                reading.decision = Decision::Answer {
                    intent,
                    confidence: FOLLOW_CONFIDENCE,
                };
                reading.slots = Vec::new();
            }
        }
        let composer = Composer { kb: &self.kb };
        // A statement the question credits to someone: who really said it decides the topic
        // and the lead ("No — that was Sam Altman …").
        if !reading.source_request
            && let Some(attribution) = self.speakers.attribution(question, reading.form)
        {
            let confidence = match reading.decision {
                Decision::Answer { confidence, .. } => confidence.max(FOLLOW_CONFIDENCE),
                _ => FOLLOW_CONFIDENCE,
            };
            reading.decision = Decision::Answer {
                intent: attribution.intent,
                confidence,
            };
            reading.slots = Vec::new();
            let answer = composer.compose_with_lead(
                question,
                &reading.decision,
                &reading.slots,
                &attribution.lead,
            );
            let turn = Turn {
                question: question.to_owned(),
                intent: answer.intent.clone().filter(|_| answer.answered),
                slots: Vec::new(),
                form: reading.form,
            };
            return (answer, turn, false);
        }
        let mut unreported = false;
        let mut answer = match &reading.decision {
            Decision::Answer { intent, .. } => {
                let stems = self.leads.stems(question);
                let named = self.named_slot(*intent, &reading.slots);
                let lead = if reading.source_request {
                    super::verdict::Lead {
                        text: Some("Here is where the last answer comes from.".to_owned()),
                        ..Default::default()
                    }
                } else {
                    let lead =
                        self.leads
                            .lead(&self.kb, *intent, reading.form, &stems, question, named);
                    // A question the matcher refused, placed on a topic only because it is
                    // plainly about it, never gets "yes"; a claim the sources deny still gets
                    // "no" ("so oai can still only sell via azure, with a bit more wiggle room?"),
                    // and one they make in so many words, with nothing they never speak of,
                    // "yes" ("the percentage stays the same as before, right?").
                    let stated = lead.verdict == Some(super::Verdict::Yes)
                        && lead.specific
                        && self
                            .leads
                            .unspoken(*intent, question, &stems, false)
                            .is_none();
                    let mut lead =
                        if near_only && lead.verdict != Some(super::Verdict::No) && !stated {
                            super::verdict::Lead::not_said()
                        } else {
                            lead
                        };
                    if let Some(correction) = self.correct_premise(question) {
                        lead.text = Some(match lead.text {
                            Some(text) => format!("{correction} {text}"),
                            None => correction,
                        });
                    }
                    lead
                };
                unreported = lead.unreported;
                composer.compose_with_lead(question, &reading.decision, &reading.slots, &lead)
            }
            other => composer.compose(question, other, &reading.slots),
        };
        if !answer.answered {
            answer.verdict = None;
        }
        let turn = Turn {
            question: question.to_owned(),
            intent: answer.intent.clone().filter(|_| answer.answered),
            slots: self.slot_names(&reading),
            form: reading.form,
        };
        (answer, turn, unreported)
    }

    /// Whether a bare part ("…, until when", "…, capped?") asks about another topic than the
    /// part before it: the earlier topic's `follow` map sends its form elsewhere, or its own
    /// words name another topic confidently (`own`, from [`Engine::confident_topic`]). It is
    /// then a part of its own.
    fn aspect_elsewhere(&self, before: &Analysis, part: &str, own: Option<usize>) -> bool {
        let Decision::Answer { intent, .. } = self.matcher.decide(before) else {
            return false;
        };
        let form = question::form(part);
        let followed = self.kb.intents[intent]
            .follow
            .get(form.name())
            .is_some_and(|id| *id != self.kb.intents[intent].id);
        followed || own.is_some_and(|own| own != intent)
    }

    /// The topic a part's own words (`part`, analysed) name confidently, if any.
    fn confident_topic(&self, part: &Analysis) -> Option<usize> {
        match self.matcher.decide(part) {
            Decision::Answer { intent, confidence } if confidence >= CONFIDENT => Some(intent),
            _ => None,
        }
    }

    /// Whether a part asks about dealbot itself (its help, its sources, small talk) rather than
    /// about the deal: it reads as an intent other than a topic of facts.
    fn asks_about_dealbot(&self, part: &Analysis) -> bool {
        matches!(self.matcher.decide(part), Decision::Answer { intent, .. }
            if self.kb.intents[intent].kind != IntentKind::Facts)
    }

    /// The first organisation a question names, after synonyms ("msft" is "microsoft").
    fn named_org(&self, question: &str) -> Option<String> {
        self.orgs_named(question).into_iter().next()
    }

    /// Whether a text names an organisation other than the deal's parties ("Google", "Apple").
    fn names_other_org(&self, text: &str) -> bool {
        self.orgs_named(text)
            .iter()
            .any(|o| !matches!(o.as_str(), "microsoft" | "openai" | "azure"))
    }

    /// The intent the `follow` map of intent `from` names for `key` (a form's name, or
    /// [`question::BEFORE`]).
    fn follow_target(&self, from: usize, key: &str) -> Option<usize> {
        let id = self.kb.intents[from].follow.get(key)?;
        self.kb.intent_index(id)
    }

    /// The organisations a text names, in order.
    fn orgs_named(&self, text: &str) -> Vec<String> {
        self.leads
            .stems(text)
            .iter()
            .map(|w| w.word())
            .filter(|w| self.kb.lexicon.orgs.iter().any(|o| o == w))
            .map(str::to_owned)
            .collect()
    }

    /// The topic of a refused yes/no question, read once for both rules; the flag says the
    /// second rule placed it (no claim of its data is made). A question naming something nothing
    /// here knows ("Activision") stays refused.
    /// 1. The question makes one of the topic's `not_said` claims: the matcher's best guess (its
    ///    guards allow it), whose data uses at least two of the question's words.
    /// 2. The question is plainly about the topic: the best guess with probability
    ///    [`NEAR_PROBABILITY`] or more, a topic of facts whose data knows at least two of the
    ///    question's content words and no fewer than it misses ("did the UK's CMA look at this
    ///    deal too?": antitrust), answered "the sources don't say that", then what they do say.
    fn refused_topic(&self, question: &str, analysis: &Analysis) -> Option<(usize, bool)> {
        // "… in your opinion?": the bot's view, which no source gives, not a detail of a topic.
        if question::asks_opinion(question) {
            return None;
        }
        let stems = self.leads.stems(question);
        if self.leads.names_unknown(&stems) {
            return None;
        }
        let ranked = self.matcher.ranked(analysis, CLAIMED_RANK);
        let &(best, p) = ranked.first()?;
        let claimed_all = self.leads.not_said_topics(&self.kb, &stems);
        // A claim made of a strong topic's far less likely runner-up is no evidence against
        // that topic.
        let claimed = ranked.iter().find(|&&(r, q)| {
            (p < STRONG_PROBABILITY || q * CLAIMED_RATIO >= p)
                && claimed_all
                    .iter()
                    .any(|&(i, overlap)| i == r && overlap >= 2)
        });
        if let Some(&(topic, _)) = claimed {
            return Some((topic, false));
        }
        if p < NEAR_PROBABILITY || self.kb.intents[best].kind != IntentKind::Facts {
            return None;
        }
        let cover = self.coverage(best, question, &[]);
        (cover.known >= 2 && cover.known >= cover.unknown).then_some((best, true))
    }

    /// Where a question's figures decide its topic:
    /// - "27%??", "april 27 or 28?": a figure or date alone asks about the topic giving it;
    /// - a yes/no question stating a figure, torn between two topics that give it the same yes
    ///   or no ("oai's payments go through 2032?": no, on either), is answered on the first;
    /// - "rev share runs to 2032, right?": a figure of the topic chosen (or torn over), stated of
    ///   another topic the rest of the question names, is a false premise on that other topic.
    fn settle_figures(
        &self,
        question: &str,
        analysis: &Analysis,
        ctx: &Context,
        reading: &mut Reading,
    ) {
        if let Decision::NotCovered { .. } = reading.decision
            && question::only_figures(question)
            && let Some(intent) = self.leads.figure_topic(
                &self.kb,
                question,
                ctx.last()
                    .and_then(|t| t.intent.as_deref())
                    .and_then(|id| self.kb.intent_index(id)),
            )
            && self.kb.intents[intent].kind == IntentKind::Facts
        {
            reading.decision = Decision::Answer {
                intent,
                confidence: FOLLOW_CONFIDENCE,
            };
        }
        if reading.form != Form::YesNo || !question.contains(|c: char| c.is_ascii_digit()) {
            return;
        }
        if let Decision::Ambiguous {
            intents,
            confidence,
        } = &reading.decision
            && let [first, second, ..] = intents[..]
        {
            let stems = self.leads.stems(question);
            let verdict = |i: usize| {
                self.leads
                    .lead(&self.kb, i, Form::YesNo, &stems, question, None)
                    .verdict
            };
            let first_verdict = verdict(first);
            if matches!(
                first_verdict,
                Some(super::Verdict::Yes | super::Verdict::No)
            ) && verdict(second) == first_verdict
            {
                reading.decision = Decision::Answer {
                    intent: first,
                    confidence: *confidence,
                };
            }
        }
        let chosen = match &reading.decision {
            Decision::Answer { intent, confidence } => Some((*intent, *confidence)),
            Decision::Ambiguous {
                intents,
                confidence,
            } => intents.first().map(|&i| (i, *confidence)),
            _ => None,
        };
        if let Some((intent, confidence)) = chosen
            && let Some(other) = self.topic_besides_figures(question, intent)
        {
            reading.decision = Decision::Answer {
                intent: other,
                confidence,
            };
            reading.slots = Vec::new();
        }
        // "the recap valued oai at $300bn, right?": an amount of a kind the chosen topic never
        // gives (the summary) is the amount of a likely runner-up that gives one (the stake).
        let gives_kinds = self.leads.gives_kinds(question);
        if let Decision::Answer { intent, confidence } = reading.decision
            && !gives_kinds(intent)
            && let Some(other) = self.runner_up(analysis, intent, NEAR_PROBABILITY, &gives_kinds)
        {
            reading.decision = Decision::Answer {
                intent: other,
                confidence,
            };
            reading.slots = Vec::new();
        }
        // "the 2019 deal let openai run on any cloud, right?": a year on a topic that gives no
        // year (the clouds) is the year of a runner-up that gives it (the 2019 deal).
        let gives_years = self.leads.gives_years(question);
        if let Decision::Answer { intent, confidence } = reading.decision
            && gives_years(intent) == Some(false)
            && let Some(other) = self.runner_up(analysis, intent, YEAR_PROBABILITY, |i| {
                gives_years(i) == Some(true)
            })
        {
            reading.decision = Decision::Answer {
                intent: other,
                confidence,
            };
            reading.slots = Vec::new();
        }
    }

    /// The likeliest of the matcher's [`CLAIMED_RANK`] best topics of facts other than
    /// `chosen`, with probability `least` or more, that `fits`.
    fn runner_up(
        &self,
        analysis: &Analysis,
        chosen: usize,
        least: f32,
        fits: impl Fn(usize) -> bool,
    ) -> Option<usize> {
        self.matcher
            .ranked(analysis, CLAIMED_RANK)
            .into_iter()
            .find(|&(i, p)| {
                i != chosen && p >= least && self.kb.intents[i].kind == IntentKind::Facts && fits(i)
            })
            .map(|(i, _)| i)
    }

    /// For a question stating a figure or year ("… until 2032?") answered by `intent`, whose
    /// facts give that figure: the topic of facts the question names without its figures, when
    /// the matcher places it there with probability [`FIGURE_FREE`] or more and its facts never
    /// give the figure ("rev share runs to …, right?": the revenue share's end, not the licence).
    fn topic_besides_figures(&self, question: &str, intent: usize) -> Option<usize> {
        let figure = |token: &str| token.chars().any(|c| c.is_ascii_digit());
        let figures: Vec<&str> = question
            .split_whitespace()
            .filter(|t| figure(t))
            .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()))
            .filter(|t| !t.is_empty())
            .collect();
        if figures.is_empty() {
            return None;
        }
        let gives = |i: usize, figure: &str| {
            let intent = &self.kb.intents[i];
            intent.answer.contains(figure) || intent.facts.iter().any(|f| f.text.contains(figure))
        };
        if !figures.iter().all(|f| gives(intent, f)) {
            return None;
        }
        let rest: Vec<&str> = question.split_whitespace().filter(|t| !figure(t)).collect();
        let analysis = self.matcher.analyze(&rest.join(" "));
        let &(other, p) = self.matcher.ranked(&analysis, 1).first()?;
        (other != intent
            && p >= FIGURE_FREE
            && self.kb.intents[other].kind == IntentKind::Facts
            && !figures.iter().any(|f| gives(other, f)))
        .then_some(other)
    }

    /// Whether the matcher's best guess is a topic of facts with probability
    /// [`STRONG_PROBABILITY`] or more.
    fn strong_topic(&self, analysis: &Analysis) -> bool {
        self.matcher
            .ranked(analysis, 1)
            .first()
            .is_some_and(|&(i, p)| {
                p >= STRONG_PROBABILITY && self.kb.intents[i].kind == IntentKind::Facts
            })
    }

    /// "Not so: …" when the question's premise ("now that Microsoft pays OpenAI, …") is a claim
    /// the sources deny, read as a yes/no question on its own topic.
    fn correct_premise(&self, question: &str) -> Option<String> {
        let premise = question::premise(question)?;
        let analysis = self.matcher.analyze(premise);
        let Decision::Answer { intent, .. } = self.matcher.decide(&analysis) else {
            return None;
        };
        let stems = self.leads.stems(premise);
        let lead = self
            .leads
            .lead(&self.kb, intent, Form::YesNo, &stems, premise, None);
        match (lead.verdict, lead.text) {
            (Some(super::Verdict::No), Some(text)) => {
                let text = text.strip_prefix("No — ").unwrap_or(&text);
                let text = super::verdict::upper_first(text);
                Some(format!("Not so: {text}"))
            }
            _ => None,
        }
    }

    /// For a slot question: `Some(true)` when it names values the sources name, `Some(false)`
    /// when only values they never name, `None` when it names none.
    fn named_slot(&self, _intent: usize, slots: &[SlotHit]) -> Option<bool> {
        if slots.is_empty() {
            None
        } else {
            Some(slots.iter().any(|s| matches!(s, SlotHit::Named(_))))
        }
    }

    fn slot_names(&self, reading: &Reading) -> Vec<String> {
        let Decision::Answer { intent, .. } = reading.decision else {
            return Vec::new();
        };
        let Some(slot) = self.kb.intents.get(intent).and_then(|i| i.slot.as_ref()) else {
            return Vec::new();
        };
        reading
            .slots
            .iter()
            .filter_map(|h| match h {
                SlotHit::Named(i) => slot.values.get(*i).map(|v| v.name.clone()),
                SlotHit::Unnamed(i) => slot.unnamed.get(*i).map(|v| v.name.clone()),
            })
            .collect()
    }

    /// Reads one part against the context: the matcher's decision, unless the part is a
    /// follow-up of the previous turn. `part`: a part of a longer message, whose full
    /// questions stand on their own (only elliptical ones lean on the parts before).
    fn read(&self, question: &str, analysis: &Analysis, ctx: &Context, part: bool) -> Reading {
        // "Different topic: did the stock move?": the question after the opener, on its own.
        if let Some(rest) = question::after_topic_change(question) {
            return self.read(rest, &self.matcher.analyze(rest), &Context::default(), part);
        }
        // "cool. unrelated, but …", "fine. who reported it?": in a conversation, a sentence of
        // acknowledgement before the question is no part of it.
        if !ctx.turns.is_empty()
            && let Some(rest) = after_acknowledgement(question)
        {
            return self.read(rest, &self.matcher.analyze(rest), ctx, part);
        }
        // The analysis read: the question's own, unless a clause of it decides instead.
        let (main_analysis, head_analysis, asked_analysis);
        let mut analysis = analysis;
        let mut decision = self.matcher.decide(analysis);
        // "Now that X, how big is the cap?": when X's topic and the question's tie, the clause
        // after the premise is what is asked (the premise is corrected on its own).
        if matches!(decision, Decision::Ambiguous { .. })
            && let Some(main) = question::premise(question)
                .and_then(|p| question.find(p).map(|at| &question[at + p.len()..]))
                .map(|rest| rest.trim_start_matches([',', ';', '?', ' ']))
                .filter(|rest| !rest.is_empty())
        {
            main_analysis = self.matcher.analyze(main);
            let main_decision = self.matcher.decide(&main_analysis);
            if matches!(main_decision, Decision::Answer { .. }) {
                analysis = &main_analysis;
                decision = main_decision;
            }
        }
        // "What is Microsoft doing now that it lost exclusivity?": the question before a
        // trailing premise is what is asked, when it names a topic clearly on its own (and
        // settles a question whose premise made it ambiguous).
        // The topic it is placed on; an ambiguous reading has none of its own to keep.
        let placed = match &decision {
            Decision::Answer { intent, .. } => Some(Some(*intent)),
            Decision::Ambiguous { .. } => Some(None),
            _ => None,
        };
        if let Some(current) = placed
            && let Some(head) = question::before_premise(question)
        {
            head_analysis = self.matcher.analyze(head);
            let head_decision = self.matcher.decide(&head_analysis);
            if let Decision::Answer {
                intent: asked,
                confidence,
            } = head_decision
                && current != Some(asked)
                && confidence >= TOPIC_CHANGE_CONFIDENCE
            {
                analysis = &head_analysis;
                decision = head_decision;
            }
        }
        // "… half of it was nonsense. anyway — does MS still get launches on azure first? that
        // was all I wanted to know.": a long message read as not covered may bury its question
        // among statements; its questions on their own decide, when they name a topic clearly
        // and the statements name no organisation besides the deal's parties.
        if matches!(decision, Decision::NotCovered { .. })
            && let Some((asked, said)) = question::asked_sentences(question)
            && !self.names_other_org(&said)
        {
            asked_analysis = self.matcher.analyze(&asked);
            let asked_decision = self.matcher.decide(&asked_analysis);
            if let Decision::Answer { confidence, .. } = asked_decision
                && confidence >= TOPIC_CHANGE_CONFIDENCE
            {
                analysis = &asked_analysis;
                decision = asked_decision;
            }
        }
        // "Should I buy msft shares after this?", "… in your view?": the bot's view or advice,
        // which no source gives, placed weakly on a topic only by the words it shares.
        if let Decision::Answer { intent, confidence } = decision
            && confidence < CONFIDENT
            && question::asks_opinion(question)
        {
            decision = Decision::NotCovered {
                topic: None,
                near: vec![intent],
                confidence,
            };
        }
        // "Did Altman say …?": a statement attributed to a person is the topic that requires
        // the person's name (`altman_statement`, Jassy's `amazon_bedrock`), when its guards allow.
        if let Some(attributed) = self.attributed(question, analysis)
            && !matches!(decision, Decision::Answer { intent, .. } if intent == attributed)
        {
            let confidence = match decision {
                Decision::Answer { confidence, .. } => confidence,
                _ => FOLLOW_CONFIDENCE,
            };
            decision = Decision::Answer {
                intent: attributed,
                confidence,
            };
        }
        let form = question::form(question);
        // Between intents that fit about equally, the one whose claims or aspects the question
        // speaks to ("did they lower the percentage?": the cap's) is meant.
        if let Decision::Ambiguous {
            intents,
            confidence,
        } = &decision
        {
            let stems = self.leads.stems(question);
            let speaking: Vec<usize> = intents
                .iter()
                .copied()
                .filter(|&i| self.leads.speaks_to(i, &stems))
                .collect();
            if let [intent] = speaking[..] {
                decision = Decision::Answer {
                    intent,
                    confidence: *confidence,
                };
            }
        }
        let slots_of = |d: &Decision| match d {
            Decision::Answer { intent, .. } => self.matcher.slot_hits(*intent, analysis),
            _ => Vec::new(),
        };
        let alone = |decision: Decision| Reading {
            slots: slots_of(&decision),
            decision,
            form,
            source_request: false,
        };
        let previous = ctx
            .last()
            .and_then(|t| t.intent.as_deref())
            .and_then(|id| self.kb.intent_index(id))
            .filter(|&i| self.kb.intents[i].kind == IntentKind::Facts);
        let Some(prev) = previous else {
            return alone(decision);
        };
        if normalize::fold(question).trim().is_empty() {
            return alone(decision);
        }
        // "source?", and "is that confirmed?": where the last answer comes from.
        if question::asks_for_source(question)
            || question::confirmation(question) == Some(question::Confirmation::Previous)
        {
            let decision = Decision::Answer {
                intent: prev,
                confidence: FOLLOW_CONFIDENCE,
            };
            return Reading {
                slots: self.previous_slots(prev, ctx),
                decision,
                form: Form::What,
                source_request: true,
            };
        }
        let standalone = matches!(decision, Decision::Answer { intent, .. }
            if self.kb.intents[intent].kind != IntentKind::Facts);
        if standalone {
            return alone(decision);
        }
        // "ok and what about Amazon's stock?" after Microsoft's: the previous topic asked of an
        // organisation it never covers is not answered, by that topic or by another one.
        let elliptical = if part {
            question::is_elliptical_part(question)
        } else {
            question::is_elliptical(question)
        };
        // A follow-up read by what it asks, with no slot value of its own.
        let unslotted = |decision: Decision| Reading {
            decision,
            slots: Vec::new(),
            form,
            source_request: false,
        };
        if (!part || elliptical) && self.asks_prev_of_other_org(question, prev, &decision, analysis)
        {
            return unslotted(Decision::NotCovered {
                topic: None,
                near: vec![prev],
                confidence: FOLLOW_CONFIDENCE,
            });
        }
        // "And before the deal?", "compare that to the old terms": how things stood before,
        // which the previous topic's `follow` names (a full question placed on its own, "what
        // did Microsoft build before?", keeps its topic).
        if question::asks_before(question)
            && (elliptical || !matches!(decision, Decision::Answer { .. }))
            && let Some(target) = self.follow_target(prev, question::BEFORE)
        {
            return unslotted(Decision::Answer {
                intent: target,
                confidence: FOLLOW_CONFIDENCE,
            });
        }
        // "What's it at now?" after the stock's reaction: how things stand today, which the
        // previous topic's `follow` names (an intent, or a topic the sources don't cover).
        if question::asks_now(question)
            && (elliptical || !matches!(decision, Decision::Answer { .. }))
            && let Some(id) = self.kb.intents[prev].follow.get(question::NOW)
        {
            return unslotted(match self.kb.intent_index(id) {
                Some(intent) => Decision::Answer {
                    intent,
                    confidence: FOLLOW_CONFIDENCE,
                },
                None => Decision::NotCovered {
                    topic: self.kb.uncovered.iter().position(|u| &u.id == id),
                    near: vec![prev],
                    confidence: FOLLOW_CONFIDENCE,
                },
            });
        }
        if !elliptical {
            // A full question that matches nothing on its own may still lean on the previous
            // one ("how far down at worst?" after "did MSFT stock move?"), when every word it
            // asks with is one the topic knows: "how many parameters does GPT-4 have?" after
            // GPT-4's history names a detail no source gives, and stays refused.
            if !part
                && matches!(
                    decision,
                    Decision::NotCovered { topic: None, .. } | Decision::Ambiguous { .. }
                )
                && let Some(reading) = self.read_joined(question, ctx, form, prev)
                && self.coverage(reading.intent(), question, &[]).unknown == 0
            {
                return reading;
            }
            return alone(decision);
        }
        let stay = |form: Form| {
            // "since when not?" after exclusivity: when it ended, not until when the licence
            // runs.
            let since = (form == Form::When && question::asks_since(question))
                .then(|| self.follow_target(prev, question::SINCE))
                .flatten();
            let target = since
                .or_else(|| self.follow_target(prev, form.name()))
                .unwrap_or(prev);
            Reading {
                decision: Decision::Answer {
                    intent: target,
                    confidence: FOLLOW_CONFIDENCE,
                },
                slots: if target == prev {
                    self.previous_slots(prev, ctx)
                } else {
                    Vec::new()
                },
                form,
                source_request: false,
            }
        };
        // Nothing but question words ("why?", "until when?", "what year though?", "and for
        // Microsoft?"): the previous topic, or the one its `follow` names for this form.
        if self.leads.is_bare(question) {
            return stay(form);
        }
        // "And the other way round?": the previous topic asked of the other party, which its
        // `follow` for "who" names ("who pays whom?"), unless another form is asked ("…, until
        // when?").
        if question::asks_reverse(question) {
            return stay(match form {
                Form::What | Form::YesNo => Form::Who,
                asked => asked,
            });
        }
        // Nothing but the name of what a form asks for ("and the dates?", "the figure?"): that
        // form of the previous topic, or the topic its `follow` names for it.
        let confident = |d: &Decision| {
            matches!(d, Decision::Answer { intent, confidence }
                if *intent != prev && *confidence >= CONFIDENT)
        };
        if !confident(&decision)
            && let Some(asked) = self.names_form_only(question)
        {
            return stay(asked);
        }
        // A detail the sources never cover ("and what did Nadella say?") stays uncovered.
        if let Decision::NotCovered { topic: Some(_), .. } = decision {
            return alone(decision);
        }
        // What someone else said ("what did amazon say about it?" after the clouds): the topic
        // that quotes them, when the question names it clearly on its own.
        if let Decision::Answer { intent, confidence } = decision
            && intent != prev
            && confidence >= CONFIDENT
            && super::speakers::asks_statement(question)
        {
            return alone(decision);
        }
        // A value of the previous topic's slot ("and Google?").
        let hits = self.matcher.slot_hits(prev, analysis);
        if !hits.is_empty() {
            return Reading {
                decision: Decision::Answer {
                    intent: prev,
                    confidence: FOLLOW_CONFIDENCE,
                },
                slots: hits,
                form,
                source_request: false,
            };
        }
        // "anthropic too?" after Microsoft's strategy, refused on its own: organisations the
        // previous topic names.
        let orgs = self.orgs_named(question);
        if elliptical
            && matches!(decision, Decision::NotCovered { topic: None, .. })
            && !orgs.is_empty()
            && orgs.iter().all(|o| self.kb.intents[prev].orgs.contains(o))
        {
            return stay(form);
        }
        // Another topic, named clearly enough on its own ("is that capped?").
        if let Decision::Answer { intent, confidence } = decision
            && intent != prev
            && (self.kb.intents[intent].kind != IntentKind::Facts
                || confidence >= TOPIC_CHANGE_CONFIDENCE)
        {
            return alone(decision);
        }
        // Otherwise the follow-up is read with the previous questions it leans on.
        let joined = format!("{} {question}", self.topic_questions(ctx));
        let joined_analysis = self.matcher.analyze(&joined);
        let joined_decision = self.matcher.decide(&joined_analysis);
        // Refused on its own and asking with two or more words the topic it would lean on
        // never uses, more than it uses ("is it building an iPhone rival then?"): a change of
        // topic, not a follow-up. ("is that legit?" still leans.)
        if let Decision::NotCovered { topic: None, .. } = decision {
            let target = match joined_decision {
                Decision::Answer { intent, .. } => intent,
                _ => prev,
            };
            let cover = self.coverage(target, question, &[]);
            if cover.unknown >= 2 && cover.unknown > cover.known {
                return alone(decision);
            }
            // "what about the pizza?", "and the weather": a thing the topic never names, asked
            // about with nothing the topic knows, is another subject too.
            if cover.known == 0 && self.names_unknown_thing(question) {
                return alone(decision);
            }
        }
        // Placed, weakly, on another topic by its own words, which that topic knows and the
        // previous one doesn't ("and the dates?" after the summary), or refused on its own
        // with that topic likeliest ("what about the stock" after the market): the
        // neighbouring topic.
        let neighbour = match decision {
            Decision::Answer { intent, .. } => Some(intent),
            Decision::NotCovered { topic: None, .. } => self
                .matcher
                .ranked(analysis, 1)
                .first()
                .filter(|&&(_, p)| p >= NEAR_PROBABILITY)
                .map(|&(intent, _)| intent),
            _ => None,
        };
        if let Some(intent) = neighbour
            && intent != prev
            && self.kb.intents[intent].kind == IntentKind::Facts
        {
            let own = self.coverage(intent, question, &[]);
            let before = self.coverage(prev, question, &[]);
            if own.known > 0 && own.unknown == 0 && before.unknown > 0 {
                return Reading {
                    slots: self.matcher.slot_hits(intent, analysis),
                    decision: Decision::Answer {
                        intent,
                        confidence: FOLLOW_CONFIDENCE,
                    },
                    form,
                    source_request: false,
                };
            }
        }
        match joined_decision {
            uncovered @ Decision::NotCovered { topic: Some(_), .. } => unslotted(uncovered),
            Decision::Answer { intent, .. } if intent != prev => {
                let decision = Decision::Answer {
                    intent,
                    confidence: FOLLOW_CONFIDENCE,
                };
                Reading {
                    slots: self.matcher.slot_hits(intent, analysis),
                    decision,
                    form,
                    source_request: false,
                }
            }
            _ => stay(form),
        }
    }

    /// Whether a follow-up ("ok and what about Amazon's stock?") asks the previous topic of an
    /// organisation that topic never names: it opens like a follow-up, names an organisation
    /// outside the topic's `orgs`, no value of its slot, is not answered confidently on its own
    /// words, and its other words are all the topic's.
    fn asks_prev_of_other_org(
        &self,
        question: &str,
        prev: usize,
        decision: &Decision,
        analysis: &Analysis,
    ) -> bool {
        if matches!(decision, Decision::Answer { confidence, .. } if *confidence >= CONFIDENT) {
            return false;
        }
        let words = question::words(question);
        if !opens_follow_up(&words) {
            return false;
        }
        let intent = &self.kb.intents[prev];
        let other: Vec<&str> = words
            .iter()
            .map(String::as_str)
            .filter(|w| {
                !PARTIES.contains(w)
                    && self.kb.lexicon.orgs.iter().any(|o| o == w)
                    && !intent.orgs.iter().any(|o| o == w)
            })
            .collect();
        if other.is_empty() || !self.matcher.slot_hits(prev, analysis).is_empty() {
            return false;
        }
        let cover = self.coverage(prev, question, &other);
        cover.known > 0 && cover.unknown == 0
    }

    /// The form a message asks for when its content words only name what that form asks
    /// ("dates", "the figure"): see [`FORM_NOUNS`].
    fn names_form_only(&self, question: &str) -> Option<Form> {
        let content = self.content_words(&question::words(question), &[]);
        // The word as typed comes last; a two-word variant ("share price") names no form.
        let form_of = |forms: &Vec<String>| {
            let typed = forms.last()?;
            FORM_NOUNS
                .iter()
                .find(|(_, nouns)| nouns.contains(&typed.as_str()))
                .map(|(form, _)| *form)
        };
        let first = form_of(content.first()?)?;
        content
            .iter()
            .all(|forms| form_of(forms) == Some(first))
            .then_some(first)
    }

    /// How many of a question's content words intent `intent` knows: words of its topic,
    /// question, examples, keywords, answer, facts and their quotes, claims and aspects, and of
    /// the labelled questions it answers. Question words, stopwords, the parties' names and the
    /// words of a follow-up ([`FOLLOW_WORDS`]) don't count, nor the words in `skip`. A word is
    /// known when it, its lexicon synonym, or a word sharing its first [`question::PREFIX_MIN`]
    /// letters is the intent's. Run only for a follow-up that the matcher could not place.
    fn coverage(&self, intent: usize, question: &str, skip: &[&str]) -> Coverage {
        let words = question::words(question);
        let content = self.content_words(&words, skip);
        let mut cover = Coverage::default();
        if content.is_empty() {
            return cover;
        }
        let Some(words) = self.topic_words.get(intent) else {
            cover.unknown = content.len();
            return cover;
        };
        for forms in &content {
            let hit = forms.iter().any(|w| {
                words.known.contains(w) || prefix(w).is_some_and(|p| words.prefixes.contains(p))
            });
            if hit {
                cover.known += 1;
            } else {
                cover.unknown += 1;
            }
        }
        cover
    }

    /// The content words of a question, each with its lexicon synonyms (a two-word variant such
    /// as "put in" is one word): what [`Engine::coverage`] looks up.
    fn content_words(&self, words: &[String], skip: &[&str]) -> Vec<Vec<String>> {
        // A follow-up is short; past this many words nothing more is looked up.
        let words = &words[..words.len().min(MAX_FOLLOW_WORDS)];
        let group = |variant: &str| self.synonym_groups.of(variant);
        let mut content = Vec::new();
        // The two words at `i`, as a two-word variant is looked up.
        let mut pair = String::new();
        let mut i = 0;
        while i < words.len() {
            let word = words[i].as_str();
            // A two-word variant ("put in"), unless made of question words only ("how much").
            if let Some(next) = words.get(i + 1)
                && let Some(mut forms) = {
                    pair.clear();
                    pair.push_str(word);
                    pair.push(' ');
                    pair.push_str(next);
                    group(&pair)
                }
            {
                i += 2;
                if !(self.leads.is_bare(word) && self.leads.is_bare(next)) {
                    forms.push(word.to_owned());
                    forms.push(next.clone());
                    forms.push(pair.clone());
                    content.push(forms);
                }
                continue;
            }
            i += 1;
            let party = |w: &str| PARTIES.contains(&w);
            // Words of one or two letters ("ms", "q") name nothing a topic could miss.
            if skip.contains(&word)
                || word.chars().count() < 3
                || FOLLOW_WORDS.contains(&word)
                || self.kb.lexicon.fillers.iter().any(|f| f == word)
                || self.leads.is_bare(word)
            {
                continue;
            }
            match group(word) {
                Some(forms) if forms.iter().any(|f| party(f)) => {}
                Some(mut forms) => {
                    forms.push(word.to_owned());
                    content.push(forms);
                }
                None => content.push(vec![word.to_owned()]),
            }
        }
        content
    }

    /// Whether the question is nothing but a thing named after a determiner ("the weather?",
    /// "and what about your pizza") by a word no fact topic uses ("what's the catch?" asks
    /// something of the last answer).
    fn names_unknown_thing(&self, question: &str) -> bool {
        const DETERMINERS: &[&str] = &["the", "a", "an", "your", "their", "my", "our"];
        const OPENERS: &[&str] = &["and", "also", "plus", "ok", "okay", "so"];
        let words = question::words(question);
        let mut rest = &words[..];
        while let Some((first, after)) = rest.split_first()
            && OPENERS.contains(&first.as_str())
        {
            rest = after;
        }
        if let [what, about, after @ ..] = rest
            && matches!(what.as_str(), "what" | "how")
            && about == "about"
        {
            rest = after;
        }
        matches!(rest, [det, _, ..] if DETERMINERS.contains(&det.as_str()))
            && rest.get(1).is_some_and(|thing| {
                self.kb
                    .intents
                    .iter()
                    .enumerate()
                    .filter(|(_, intent)| intent.kind == IntentKind::Facts)
                    .all(|(n, _)| self.coverage(n, thing, &[]).unknown == 1)
            })
    }

    /// Reads a follow-up together with the previous question; `None` unless that gives an
    /// intent.
    fn read_joined(
        &self,
        question: &str,
        ctx: &Context,
        form: Form,
        prev: usize,
    ) -> Option<Reading> {
        let joined = format!("{} {question}", self.topic_questions(ctx));
        let analysis = self.matcher.analyze(&joined);
        let Decision::Answer { intent, .. } = self.matcher.decide(&analysis) else {
            return None;
        };
        let slots = if intent == prev {
            self.previous_slots(prev, ctx)
        } else {
            self.matcher
                .slot_hits(intent, &self.matcher.analyze(question))
        };
        Some(Reading {
            decision: Decision::Answer {
                intent,
                confidence: FOLLOW_CONFIDENCE,
            },
            slots,
            form,
            source_request: false,
        })
    }

    /// The intent a statement the question attributes to someone is about: a word followed
    /// (within two words) by "say", "said", …, no organisation, that a fact intent about
    /// statements (its `keywords` list "said") `requires` alone, and that the matcher's guards
    /// allow for this question.
    fn attributed(&self, question: &str, analysis: &Analysis) -> Option<usize> {
        const SAY: &[&str] = &[
            "say",
            "said",
            "says",
            "saying",
            "claim",
            "claimed",
            "claims",
            "stated",
            "state",
            "told",
            "tell",
            "announced",
            "comment",
            "commented",
            "mention",
            "mentioned",
        ];
        let words = question::words(question);
        let speakers = words.iter().enumerate().filter_map(|(i, w)| {
            let next = words.get(i + 1..words.len().min(i + 3))?;
            next.iter()
                .any(|n| SAY.contains(&n.as_str()))
                .then_some(w.as_str())
        });
        for speaker in speakers {
            if self.kb.lexicon.orgs.iter().any(|o| o == speaker) {
                continue;
            }
            let Some(i) = self.kb.intents.iter().position(|intent| {
                intent.kind == IntentKind::Facts
                    && intent.keywords.iter().any(|k| k == "said")
                    && intent.requires.iter().any(|r| r == speaker)
            }) else {
                continue;
            };
            // Is this intent allowed at all (its guards)?
            if self.matcher.allows(i, analysis) {
                return Some(i);
            }
        }
        None
    }

    /// The questions of the last turns on the last turn's topic, oldest first (at most
    /// [`JOINED_TURNS`]): "at what valuation?" after "microsoft stake in openai?" carries the
    /// stake for the next follow-up ("when was that signed?") to lean on.
    fn topic_questions(&self, ctx: &Context) -> String {
        let Some(last) = ctx.last() else {
            return String::new();
        };
        let mut questions: Vec<&str> = ctx
            .turns
            .iter()
            .rev()
            .take_while(|t| t.intent.is_some() && t.intent == last.intent)
            .take(JOINED_TURNS)
            .map(|t| t.question.as_str())
            .collect();
        if questions.is_empty() {
            questions.push(last.question.as_str());
        }
        questions.reverse();
        questions.join(" ")
    }

    /// The slot values the previous turn named, as hits of intent `prev`.
    fn previous_slots(&self, prev: usize, ctx: &Context) -> Vec<SlotHit> {
        let Some(slot) = self.kb.intents.get(prev).and_then(|i| i.slot.as_ref()) else {
            return Vec::new();
        };
        let names = ctx.last().map(|t| t.slots.as_slice()).unwrap_or(&[]);
        let mut hits = Vec::new();
        for name in names {
            if let Some(i) = slot.values.iter().position(|v| &v.name == name) {
                hits.push(SlotHit::Named(i));
            } else if let Some(i) = slot.unnamed.iter().position(|v| &v.name == name) {
                hits.push(SlotHit::Unnamed(i));
            }
        }
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_acknowledgement_sentence_is_cut() {
        assert_eq!(
            after_acknowledgement("cool. unrelated, but who won the game?"),
            Some("unrelated, but who won the game?")
        );
        assert_eq!(
            after_acknowledgement("Fine. Who's on the story?"),
            Some("Who's on the story?")
        );
        assert_eq!(
            after_acknowledgement("ok thanks! and the cap?"),
            Some("and the cap?")
        );
        assert_eq!(after_acknowledgement("Azure. is it still primary?"), None);
        assert_eq!(after_acknowledgement("cool."), None);
        assert_eq!(after_acknowledgement("is the fine big, really?"), None);
    }

    #[test]
    fn follow_up_openers() {
        let w = |s: &str| question::words(s);
        assert!(opens_follow_up(&w("ok and what about Amazon's stock?")));
        assert!(opens_follow_up(&w("so what about google")));
        assert!(opens_follow_up(&w("same for AWS?")));
        assert!(!opens_follow_up(&w("did amazon's stock move?")));
    }

    #[test]
    fn prefixes_are_the_first_letters_of_long_words() {
        assert_eq!(prefix("negotiated"), Some("negot"));
        assert_eq!(prefix("chair"), Some("chair"));
        assert_eq!(prefix("ftc"), None);
    }
}
