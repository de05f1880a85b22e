//! Conversations: the small context a caller keeps between turns, and how a message is read
//! against it: follow-ups ("and Google?", "until when?", "source?"), a change of topic, and
//! messages that ask several things (each part is read against the parts before it).
//!
//! The engine stays pure: [`super::Engine::answer_in`] takes the context and returns the next
//! one; the caller (CLI, HTTP server, chat adapters) stores it. A [`Context`] is bounded
//! ([`MAX_TURNS`] turns, each question cut to [`MAX_TURN_QUESTION`] bytes), so a store can keep
//! one per conversation.

use serde::{Deserialize, Serialize};

use super::answer::{Answer, Composer};
use super::data::IntentKind;
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

impl Engine {
    /// Answers `question` in a conversation: follow-ups are read against `ctx`, a message that
    /// asks several things is answered part by part. Returns the answer and the context for the
    /// next turn. Never panics.
    pub fn answer_in(&self, question: &str, ctx: &Context) -> (Answer, Context) {
        let ctx = ctx.bounded();
        if super::language::is_not_english(question) {
            let answer = super::answer::Composer { kb: &self.kb }.not_english(question);
            return (answer, ctx);
        }
        // A quoted statement ("Altman said 'we look forward …', didn't he?") is one question,
        // whatever commas or "and"s its quote holds.
        let quoting = self
            .speakers
            .attribution(question, question::form(question))
            .is_some();
        let mut parts: Vec<String> = Vec::new();
        for part in question::split(question).into_iter().filter(|_| !quoting) {
            // Nothing but question words ("…, and for how much?"): an aspect of the part before.
            match parts.last_mut() {
                Some(last) if self.leads.is_bare(&part) => {
                    last.push(' ');
                    last.push_str(&part);
                }
                _ => parts.push(part),
            }
        }
        if parts.len() > 1 {
            let mut running = ctx.clone();
            let mut answers = Vec::new();
            for part in &parts {
                let (mut answer, turn, unreported) = self.answer_part(part, &running, true);
                // Within a message of several parts, a part asking a detail the sources don't
                // report is an uncovered part (said so, with what they do say).
                if unreported && answer.answered {
                    answer.answered = false;
                    answer.intent = None;
                    answer.outcome = super::Outcome::NotCovered;
                }
                // A part that is no question of its own ("thanks in advance") is dropped.
                let words = question::words(part);
                let filler = !answer.answered
                    && !part.trim_end().ends_with('?')
                    && !question::opens_question(&words);
                let smalltalk = answer.answered
                    && answer
                        .intent
                        .as_deref()
                        .and_then(|i| self.kb.intent(i))
                        .is_some_and(|i| i.kind == IntentKind::Smalltalk);
                if filler || smalltalk {
                    continue;
                }
                running.push(turn);
                answers.push(answer);
            }
            let mut intents: Vec<Option<&str>> =
                answers.iter().map(|a| a.intent.as_deref()).collect();
            intents.dedup();
            if answers.len() > 1 && intents.len() > 1 {
                let combined = Composer { kb: &self.kb }.combine(question, answers);
                return (combined, running);
            }
        }
        let (answer, turn, _) = self.answer_part(question, &ctx, false);
        let mut next = ctx;
        next.push(turn);
        (answer, next)
    }

    /// Answers one part; the flag says its lead is a detail the sources don't report.
    fn answer_part(&self, question: &str, ctx: &Context, part: bool) -> (Answer, Turn, bool) {
        let mut reading = self.read(question, ctx, part);
        // A yes/no question about a detail the sources don't give ("has Amazon signed a
        // contract yet?") is answered "the sources don't say" on its topic, not refused.
        if reading.form == Form::YesNo
            && !reading.source_request
            && matches!(reading.decision, Decision::NotCovered { topic: None, .. })
            && let Some(intent) = self.not_said_topic(question)
        {
            reading.decision = Decision::Answer {
                intent,
                confidence: FOLLOW_CONFIDENCE,
            };
            reading.slots = Vec::new();
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
                    let mut lead =
                        self.leads
                            .lead(&self.kb, *intent, reading.form, &stems, question, named);
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

    /// The topic of a refused yes/no question when the question makes one of its `not_said`
    /// claims: the matcher's best guess (its guards allow it), whose data uses at least two of
    /// the question's words. A question naming something nothing here knows ("Activision")
    /// stays refused.
    fn not_said_topic(&self, question: &str) -> Option<usize> {
        let stems = self.leads.stems(question);
        let topics = self.leads.not_said_topics(&self.kb, &stems);
        if topics.is_empty() || self.leads.names_unknown(&stems) {
            return None;
        }
        let analysis = self.matcher.analyze(question);
        let (best, _) = *self.matcher.ranked(&analysis, 1).first()?;
        topics
            .into_iter()
            .find(|&(i, overlap)| i == best && overlap >= 2)
            .map(|(i, _)| i)
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
                let mut chars = text.chars();
                let text: String = match chars.next() {
                    Some(first) => first.to_uppercase().chain(chars).collect(),
                    None => String::new(),
                };
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
    fn read(&self, question: &str, ctx: &Context, part: bool) -> Reading {
        // "Different topic: did the stock move?": the question after the opener, on its own.
        if let Some(rest) = question::after_topic_change(question) {
            return self.read(rest, &Context::default(), part);
        }
        let mut analysis = self.matcher.analyze(question);
        let mut decision = self.matcher.decide(&analysis);
        // "Now that X, how big is the cap?": when X's topic and the question's tie, the clause
        // after the premise is what is asked (the premise is corrected on its own).
        if matches!(decision, Decision::Ambiguous { .. })
            && let Some(main) = question::premise(question)
                .and_then(|p| question.find(p).map(|at| &question[at + p.len()..]))
                .map(|rest| rest.trim_start_matches([',', ';', '?', ' ']))
                .filter(|rest| !rest.is_empty())
        {
            let main_analysis = self.matcher.analyze(main);
            let main_decision = self.matcher.decide(&main_analysis);
            if matches!(main_decision, Decision::Answer { .. }) {
                analysis = main_analysis;
                decision = main_decision;
            }
        }
        // "What is Microsoft doing now that it lost exclusivity?": the question before a
        // trailing premise is what is asked, when it names a topic clearly on its own.
        if let Decision::Answer { intent, .. } = decision
            && let Some(head) = question::before_premise(question)
        {
            let head_analysis = self.matcher.analyze(head);
            let head_decision = self.matcher.decide(&head_analysis);
            if let Decision::Answer {
                intent: asked,
                confidence,
            } = head_decision
                && asked != intent
                && confidence >= TOPIC_CHANGE_CONFIDENCE
            {
                analysis = head_analysis;
                decision = head_decision;
            }
        }
        // "Did Altman say …?": a statement attributed to a person is the topic that requires
        // the person's name (`altman_statement`, Jassy's `amazon_bedrock`), when its guards allow.
        if let Some(attributed) = self.attributed(question, &analysis)
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
            Decision::Answer { intent, .. } => self.matcher.slot_hits(*intent, &analysis),
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
            .and_then(|id| self.kb.intents.iter().position(|i| i.id == id))
            .filter(|&i| self.kb.intents[i].kind == IntentKind::Facts);
        let Some(prev) = previous else {
            return alone(decision);
        };
        if normalize::fold(question).trim().is_empty() {
            return alone(decision);
        }
        if question::asks_for_source(question) {
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
        if !question::is_elliptical(question) {
            // A full question that matches nothing on its own may still lean on the previous
            // one ("how far down at worst?" after "did MSFT stock move?").
            if !part
                && matches!(
                    decision,
                    Decision::NotCovered { topic: None, .. } | Decision::Ambiguous { .. }
                )
                && let Some(reading) = self.read_joined(question, ctx, form, prev)
            {
                return reading;
            }
            return alone(decision);
        }
        let stay = |form: Form| {
            let target = self.kb.intents[prev]
                .follow
                .get(form.name())
                .and_then(|id| self.kb.intents.iter().position(|i| &i.id == id))
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
        // A detail the sources never cover ("and what did Nadella say?") stays uncovered.
        if let Decision::NotCovered { topic: Some(_), .. } = decision {
            return alone(decision);
        }
        // A value of the previous topic's slot ("and Google?").
        let hits = self.matcher.slot_hits(prev, &analysis);
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
        match self.matcher.decide(&joined_analysis) {
            uncovered @ Decision::NotCovered { topic: Some(_), .. } => Reading {
                decision: uncovered,
                slots: Vec::new(),
                form,
                source_request: false,
            },
            Decision::Answer { intent, .. } if intent != prev => {
                let decision = Decision::Answer {
                    intent,
                    confidence: FOLLOW_CONFIDENCE,
                };
                Reading {
                    slots: self.matcher.slot_hits(intent, &analysis),
                    decision,
                    form,
                    source_request: false,
                }
            }
            _ => stay(form),
        }
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
            // Only now the probabilities (the costly part): is this intent allowed at all?
            let allowed = self
                .matcher
                .ranked(analysis, self.kb.intents.len())
                .iter()
                .any(|&(j, _)| j == i);
            if allowed {
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
