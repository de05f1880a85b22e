//! Matching a question to an intent, or deciding that the sources don't cover it.
//!
//! The decision is learned: [`super::classifier`] gives every intent, every not-covered topic
//! and a *refuse* class a probability, trained at load from the labelled questions (the
//! intents' examples, `not_covered.toml` and `intents/questions/*.jsonl`). Curated guards then
//! veto what learning cannot be trusted with (see [`Options`]): an intent whose `requires` the
//! question does not meet, or an organisation the intent does not deal with, is out; a decisive
//! not-covered topic whose `requires` are met wins. The best intent is answered when its
//! probability reaches [`THRESHOLD`] and beats every refusal class; when the runner-up comes
//! within [`AMBIGUITY_RATIO`] of it, the user is asked which was meant.
//!
//! The hand-weighted lexical scorer below (profiles, coverage, strength) is kept for
//! `dealbot explain` and for comparison; it no longer decides.
//!
//! Every intent (and every topic of `not_covered.toml`) becomes a *candidate* with a profile:
//! for each term (a stem, after synonyms), the share of its examples and keywords that use it.
//! A question's terms score each candidate by `Σ idf(t) · share(t)`, so rare, telling words
//! ("cap", "agi", "jassy") weigh more than words every topic uses ("microsoft", "deal").
//!
//! Three guards keep near-misses out:
//! - `requires`: a candidate is considered only if the question has one of its word sets;
//! - organisations: a question naming an organisation that is not a party to the deal and not
//!   listed by the candidate ("did *Google* invest in OpenAI?") is not that candidate's question;
//! - coverage: the share of the question's weight the candidate explains. Words found nowhere in
//!   the data or the sources ("weather", "poem") weigh against every candidate.
//!
//! Confidence combines coverage with the absolute amount of evidence, in [0, 1]. Below
//! [`THRESHOLD`] the question is not answered; when two intents are within [`AMBIGUITY_MARGIN`],
//! the user is asked which one was meant.

use std::cell::OnceCell;

use rustc_hash::{FxHashMap, FxHashSet};

use regex::Regex;

use super::classifier::{Classifier, EMBED_PARAMS, NGRAM_PARAMS, Tokens, TrainParams};
use super::data::{Intent, KnowledgeBase};
use super::embed::Embeddings;
use super::normalize;
use super::vocab::Vocab;

/// Least probability for an answer (chosen by `dealbot eval --cv 5`, see `intents/README.md`).
pub const THRESHOLD: f32 = 0.2;
/// Weight of the embedding model's probabilities against the n-gram model's (chosen by
/// `dealbot eval --cv 5`).
pub const EMBED_WEIGHT: f32 = 0.3;
/// A runner-up intent with at least this share of the best one's probability makes the question
/// ambiguous.
pub const AMBIGUITY_RATIO: f32 = 0.8;

/// What the matcher uses besides the learned models; all on by default. Switching one off is
/// how `dealbot eval --cv K --without X` measures what it buys.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Decide with the learned models (off: the hand-weighted scores of before, for comparison).
    pub learned: bool,
    /// Average in the static-embedding model.
    pub embeddings: bool,
    /// Veto intents whose `requires` the question does not meet.
    pub requires: bool,
    /// Veto intents for questions naming an organisation they don't deal with.
    pub orgs: bool,
    /// A decisive not-covered topic whose `requires` are met (or a pattern-gated one that
    /// matches) wins outright.
    pub decisive: bool,
    /// Least probability for an answer.
    pub threshold: f32,
    /// A runner-up with this share of the best intent's probability makes the question ambiguous.
    pub ambiguity: f32,
    /// Training settings of the n-gram and the embedding model.
    pub train: (TrainParams, TrainParams),
    /// Weight of the embedding model's probabilities in the mix, in [0, 1].
    pub embed_weight: f32,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            learned: true,
            embeddings: true,
            requires: true,
            orgs: true,
            decisive: true,
            threshold: THRESHOLD,
            ambiguity: AMBIGUITY_RATIO,
            train: (NGRAM_PARAMS, EMBED_PARAMS),
            embed_weight: EMBED_WEIGHT,
        }
    }
}
/// Two intents closer than this (in confidence) are ambiguous.
pub const AMBIGUITY_MARGIN: f32 = 0.01;

/// An uncovered topic within this ratio of the best intent's confidence wins.
pub const UNCOVERED_RATIO: f32 = 0.8;

/// Weight of one example word set against the keyword set when building a profile.
const KEYWORD_WEIGHT: f32 = 4.0;
/// How much a word found nowhere in the data or the sources weighs against every candidate.
const UNKNOWN_WEIGHT: f32 = 1.3;
/// How much a word of the sources that no intent uses weighs against every candidate.
const UNMODELED_WEIGHT: f32 = 1.0;
/// Evidence added by a matching regex pattern.
const PATTERN_BONUS: f32 = 1.5;
/// Evidence at which strength reaches 1 - 1/e.
const STRENGTH_SCALE: f32 = 1.5;
/// Words of the parties, always allowed.
const PARTIES: &[&str] = &["microsoft", "openai", "azure"];

/// What a candidate stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// An intent, by index in [`KnowledgeBase::intents`].
    Intent(usize),
    /// A topic the sources don't cover, by index in [`KnowledgeBase::uncovered`].
    Uncovered(usize),
}

#[derive(Debug)]
struct Candidate {
    target: Target,
    requires: Vec<Vec<u32>>,
    orgs: FxHashSet<u32>,
    patterns: Vec<Regex>,
    /// A pattern must match for the candidate to be considered.
    pattern_gate: bool,
    /// Wins outright when its guards pass (a topic the sources never cover).
    decisive: bool,
    /// For standalone intents: every term it knows.
    standalone: Option<FxHashSet<u32>>,
}

/// A slot value found in a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotHit {
    /// A value the sources name, by index in the slot's `values`.
    Named(usize),
    /// A value the sources never name, by index in the slot's `unnamed`.
    Unnamed(usize),
}

/// The analysed question.
#[derive(Debug, Default)]
pub struct Analysis {
    /// Every term id, stopwords included (for `requires`).
    all: FxHashSet<u32>,
    /// Distinct content terms that some candidate uses.
    content: Vec<u32>,
    /// Content words found nowhere.
    unknown: usize,
    /// Content words of the sources that no candidate uses.
    unmodeled: usize,
    /// Content terms the data knows but no candidate scores with (small talk's words).
    extra: Vec<u32>,
    /// Chat filler and greeting terms ("thanks", "hey").
    fillers: Vec<u32>,
    /// Organisation terms.
    orgs: Vec<u32>,
    /// Any word at all.
    any_word: bool,
    /// The folded question, for patterns.
    folded: String,
    /// Corrected words and stems, for the classifier.
    tokens: Tokens,
    /// The class probabilities after the guards' vetoes, computed on first use: a question is
    /// classified once, however many of the matcher's readings ask of it.
    probabilities: OnceCell<Vec<f32>>,
}

/// A scored candidate.
#[derive(Debug, Clone, Copy)]
pub struct Scored {
    /// What it stands for.
    pub target: Target,
    /// Confidence in [0, 1].
    pub confidence: f32,
}

/// The matcher's verdict.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Answer with this intent.
    Answer {
        /// Index into the intents.
        intent: usize,
        /// Confidence in [0, 1].
        confidence: f32,
    },
    /// Two or more intents fit about equally.
    Ambiguous {
        /// Intent indices, best first.
        intents: Vec<usize>,
        /// Confidence of the best.
        confidence: f32,
    },
    /// Not covered; `topic` is a known uncovered topic when one fits.
    NotCovered {
        /// Index into the uncovered topics.
        topic: Option<usize>,
        /// Intents closest to the question, best first (for suggestions).
        near: Vec<usize>,
        /// Confidence of the best intent.
        confidence: f32,
    },
    /// The message has no words.
    Empty,
}

/// The compiled matcher.
#[derive(Debug)]
pub struct Matcher {
    vocab: Vocab,
    ids: FxHashMap<String, u32>,
    idf: Vec<f32>,
    max_share: Vec<f32>,
    postings: Vec<Vec<(u32, f32)>>,
    candidates: Vec<Candidate>,
    org_terms: FxHashSet<u32>,
    /// Per intent: slot values' word sets, (value, term ids).
    slots: Vec<Vec<(SlotHit, Vec<u32>)>>,
    /// Class `c` of the classifier: intent `c` for `c < intents`, then the not-covered topics,
    /// then the refuse class.
    classifier: Classifier,
    intents: usize,
    options: Options,
}

impl Matcher {
    /// Compiles the knowledge base's intents, topics and lexicon, and trains the classifier.
    pub fn new(kb: &KnowledgeBase) -> Matcher {
        Matcher::with_options(kb, Options::default())
    }

    /// [`Matcher::new`] with some parts switched off (for measuring what each buys).
    pub fn with_options(kb: &KnowledgeBase, options: Options) -> Matcher {
        let lex = &kb.lexicon;
        let mut vocab = Vocab::new(
            lex.synonyms.iter().map(|(k, v)| (k.as_str(), v.as_slice())),
            &lex.stopwords,
            &lex.fillers,
        );
        let mut builder = Builder::default();

        // Every word of the data is a typo-correction target; every word of the sources is known.
        let mut targets: Vec<String> = Vec::new();
        let mut add_words = |text: &str| {
            targets.extend(normalize::words(&normalize::fold(text)));
        };
        for intent in &kb.intents {
            intent_texts(intent).for_each(&mut add_words);
        }
        for topic in &kb.uncovered {
            topic
                .examples
                .iter()
                .chain(&topic.keywords)
                .chain(&topic.requires)
                .for_each(|t| add_words(t));
        }
        lex.orgs.iter().for_each(|t| add_words(t));
        vocab.add_targets(targets.iter().map(String::as_str));
        vocab.set_dictionary(&kb.dictionary);
        for source in &kb.sources {
            let words = normalize::words(&normalize::fold(&source.text));
            vocab.add_known(words.iter().map(String::as_str));
        }

        let mut org_terms: FxHashSet<u32> = lex
            .orgs
            .iter()
            .flat_map(|o| builder.ids_of(&vocab, o))
            .collect();
        let parties: FxHashSet<u32> = PARTIES
            .iter()
            .flat_map(|p| builder.ids_of(&vocab, p))
            .collect();

        let mut profiles: Vec<FxHashMap<u32, f32>> = Vec::new();
        let mut candidates = Vec::new();
        let mut slots = Vec::new();
        for (index, intent) in kb.intents.iter().enumerate() {
            let mut keywords = intent.keywords.clone();
            let mut slot_terms = Vec::new();
            if let Some(slot) = &intent.slot {
                for (i, value) in slot.values.iter().enumerate() {
                    for word in &value.words {
                        keywords.push(word.clone());
                        slot_terms.push((SlotHit::Named(i), builder.ids_of(&vocab, word)));
                    }
                }
                for (i, value) in slot.unnamed.iter().enumerate() {
                    for word in &value.words {
                        keywords.push(word.clone());
                        slot_terms.push((SlotHit::Unnamed(i), builder.ids_of(&vocab, word)));
                    }
                }
            }
            // A provider the sources never name, named by one word ("ibm"), is an organisation
            // that other intents must not answer for; "cloud" in "ibm cloud" is not.
            let slot_org_terms: Vec<u32> = slot_terms
                .iter()
                .filter(|(hit, t)| matches!(hit, SlotHit::Unnamed(_)) && t.len() == 1)
                .flat_map(|(_, t)| t.clone())
                .collect();
            org_terms.extend(slot_org_terms.iter().copied());
            let profile = builder.profile(&vocab, &intent.examples, &keywords);
            let mut orgs: FxHashSet<u32> = parties.clone();
            orgs.extend(intent.orgs.iter().flat_map(|o| builder.ids_of(&vocab, o)));
            orgs.extend(slot_org_terms);
            let standalone = intent.standalone.then(|| {
                intent
                    .examples
                    .iter()
                    .chain(&intent.keywords)
                    .flat_map(|t| builder.ids_of(&vocab, t))
                    .collect()
            });
            let mut requires = builder.requires(&vocab, &intent.requires);
            // Naming a slot value ("coreweave") is reason enough to consider the intent.
            if !requires.is_empty() {
                requires.extend(slot_terms.iter().map(|(_, t)| t.clone()));
            }
            candidates.push(Candidate {
                target: Target::Intent(index),
                requires,
                orgs,
                patterns: intent.patterns.clone(),
                pattern_gate: false,
                decisive: false,
                standalone,
            });
            profiles.push(profile);
            slots.push(slot_terms);
        }
        for (index, topic) in kb.uncovered.iter().enumerate() {
            let profile = builder.profile(&vocab, &topic.examples, &topic.keywords);
            // Uncovered topics may name any organisation: that is often what makes them uncovered.
            candidates.push(Candidate {
                target: Target::Uncovered(index),
                requires: builder.requires(&vocab, &topic.requires),
                orgs: org_terms.clone(),
                patterns: topic.patterns.clone(),
                pattern_gate: topic.requires.is_empty() && !topic.patterns.is_empty(),
                decisive: topic.decisive,
                standalone: None,
            });
            profiles.push(profile);
        }

        let terms = builder.ids.len();
        let mut postings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); terms];
        for (c, profile) in profiles.iter().enumerate() {
            if candidates[c].standalone.is_some() {
                continue;
            }
            for (&t, &share) in profile {
                postings[t as usize].push((c as u32, share));
            }
        }
        let n = candidates.len() as f32;
        let idf = postings
            .iter()
            .map(|p| {
                if p.is_empty() {
                    0.0
                } else {
                    (1.0 + n / p.len() as f32).ln()
                }
            })
            .collect();
        let max_share = postings
            .iter()
            .map(|p| p.iter().map(|&(_, s)| s).fold(0.0, f32::max))
            .collect();
        let mut matcher = Matcher {
            vocab,
            ids: builder.ids,
            idf,
            max_share,
            postings,
            candidates,
            org_terms,
            slots,
            classifier: Classifier::train(&[], &[], 0, None, (NGRAM_PARAMS, EMBED_PARAMS)),
            intents: kb.intents.len(),
            options,
        };
        if !matcher.options.learned {
            return matcher;
        }
        let (docs, labels) = matcher.training_set(kb);
        let table = if matcher.options.embeddings && matcher.options.embed_weight > 0.0 {
            Embeddings::bundled().ok()
        } else {
            None
        };
        let classes = kb.intents.len() + kb.uncovered.len() + 1;
        matcher.classifier =
            Classifier::train(&docs, &labels, classes, table, matcher.options.train);
        matcher
    }

    /// The training questions as the classifier sees them, with their classes.
    fn training_set(&self, kb: &KnowledgeBase) -> (Vec<Tokens>, Vec<usize>) {
        let refuse = kb.intents.len() + kb.uncovered.len();
        let mut docs = Vec::new();
        let mut labels = Vec::new();
        for (i, intent) in kb.intents.iter().enumerate() {
            for q in intent.examples.iter().chain(&intent.question) {
                docs.push(self.analyze(q).tokens);
                labels.push(i);
            }
        }
        for (t, topic) in kb.uncovered.iter().enumerate() {
            for q in &topic.examples {
                docs.push(self.analyze(q).tokens);
                labels.push(kb.intents.len() + t);
            }
        }
        for q in &kb.questions {
            let label = match &q.intent {
                Some(id) => match kb.intents.iter().position(|i| &i.id == id) {
                    Some(i) => i,
                    None => continue,
                },
                None => refuse,
            };
            docs.push(self.analyze(&q.q).tokens);
            labels.push(label);
        }
        (docs, labels)
    }

    /// The class probabilities of a question after the guards' vetoes: intents by index, then
    /// the not-covered topics, then the refuse class. Computed once per analysis.
    fn probabilities<'a>(&self, analysis: &'a Analysis) -> &'a [f32] {
        analysis.probabilities.get_or_init(|| {
            let mut p = self
                .classifier
                .predict(&analysis.tokens, self.options.embed_weight);
            for (c, candidate) in self.candidates.iter().enumerate() {
                let Target::Intent(i) = candidate.target else {
                    continue;
                };
                debug_assert_eq!(c, i);
                if !self.guards_allow(candidate, analysis)
                    && let Some(v) = p.get_mut(i)
                {
                    *v = 0.0;
                }
            }
            p
        })
    }

    // Inlined into the classifying closure, which `OnceCell` runs on its cold path.
    #[inline]
    fn guards_allow(&self, candidate: &Candidate, analysis: &Analysis) -> bool {
        let required = !self.options.requires
            || candidate.requires.is_empty()
            || candidate
                .requires
                .iter()
                .any(|set| set.iter().all(|t| analysis.all.contains(t)));
        let orgs = !self.options.orgs || analysis.orgs.iter().all(|o| candidate.orgs.contains(o));
        required && orgs
    }

    /// Whether the guards of intent `index` (`requires`, organisation vetoes) let it answer.
    pub fn allows(&self, index: usize, analysis: &Analysis) -> bool {
        self.candidates.get(index).is_some_and(|c| {
            matches!(c.target, Target::Intent(_)) && self.guards_allow(c, analysis)
        })
    }

    /// Intents with their probabilities (after the guards' vetoes), best first, at most `k`.
    pub fn ranked(&self, analysis: &Analysis, k: usize) -> Vec<(usize, f32)> {
        let p = self.probabilities(analysis);
        let mut ranked: Vec<(usize, f32)> = p
            .iter()
            .take(self.intents)
            .copied()
            .enumerate()
            .filter(|&(_, v)| v > 0.0)
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(k);
        ranked
    }

    /// Analyses a raw chat message.
    pub fn analyze(&self, raw: &str) -> Analysis {
        let folded = normalize::question(raw);
        let words = self.vocab.correct_words(normalize::words(&folded));
        let terms = self.vocab.terms(&words);
        let mut analysis = Analysis {
            any_word: !words.is_empty(),
            folded,
            tokens: Tokens {
                stems: terms.iter().map(|t| t.stem.clone()).collect(),
                words,
            },
            ..Analysis::default()
        };
        for term in terms {
            let id = self.ids.get(&term.stem).copied();
            if let Some(id) = id {
                analysis.all.insert(id);
            }
            if term.stop {
                if let (true, Some(id)) = (term.filler, id) {
                    analysis.fillers.push(id);
                }
                continue;
            }
            match id {
                Some(id) if !self.postings[id as usize].is_empty() => {
                    if !analysis.content.contains(&id) {
                        analysis.content.push(id);
                    }
                    if self.org_terms.contains(&id) {
                        analysis.orgs.push(id);
                    }
                }
                Some(id) if self.org_terms.contains(&id) => analysis.orgs.push(id),
                Some(id) => analysis.extra.push(id),
                _ if term.stem.chars().all(|c| c.is_ascii_digit()) => analysis.unmodeled += 1,
                _ if self.vocab.is_known(&term.word) => analysis.unmodeled += 1,
                _ => analysis.unknown += 1,
            }
        }
        analysis
    }

    /// Scores every candidate that passes its guards, best first.
    pub fn score(&self, analysis: &Analysis) -> Vec<Scored> {
        let mut evidence = vec![0.0f32; self.candidates.len()];
        let mut total = UNKNOWN_WEIGHT * analysis.unknown as f32
            + UNMODELED_WEIGHT * (analysis.unmodeled + analysis.extra.len()) as f32;
        for &t in &analysis.content {
            let idf = self.idf[t as usize];
            total += idf * self.max_share[t as usize];
            for &(c, share) in &self.postings[t as usize] {
                evidence[c as usize] += idf * share;
            }
        }
        let mut scored = Vec::new();
        for (c, candidate) in self.candidates.iter().enumerate() {
            if candidate.standalone.is_some() {
                continue;
            }
            let mut e = evidence[c];
            let mut candidate_total = total;
            let matched = candidate
                .patterns
                .iter()
                .any(|p| p.is_match(&analysis.folded));
            if candidate.pattern_gate && !matched {
                continue;
            }
            if matched {
                e += PATTERN_BONUS;
                candidate_total += PATTERN_BONUS;
            }
            if (e <= 0.0 && !candidate.decisive) || !self.passes_guards(candidate, analysis) {
                continue;
            }
            let coverage = (e / candidate_total.max(f32::EPSILON)).min(1.0);
            let strength = 1.0 - (-e / STRENGTH_SCALE).exp();
            // A topic whose pattern describes the whole question ("what is AGI?") is certain.
            let confidence = if candidate.pattern_gate || candidate.decisive {
                1.0
            } else {
                coverage.powf(0.5) * strength
            };
            scored.push(Scored {
                target: candidate.target,
                confidence,
            });
        }
        scored.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
        scored
    }

    fn passes_guards(&self, candidate: &Candidate, analysis: &Analysis) -> bool {
        let required = candidate.requires.is_empty()
            || candidate
                .requires
                .iter()
                .any(|set| set.iter().all(|t| analysis.all.contains(t)));
        required && analysis.orgs.iter().all(|o| candidate.orgs.contains(o))
    }

    fn standalone(&self, analysis: &Analysis) -> Option<usize> {
        if analysis.unknown > 0 || analysis.unmodeled > 0 {
            return None;
        }
        // Of the standalone intents that fit, the one that explains most of the words wins
        // ("thanks, that's helpful" is small talk, "help" is help).
        let mut best: Option<(usize, usize)> = None;
        for c in &self.candidates {
            let (Some(terms), Target::Intent(i)) = (&c.standalone, c.target) else {
                continue;
            };
            let covered = analysis
                .content
                .iter()
                .chain(&analysis.extra)
                .chain(&analysis.fillers)
                .filter(|t| terms.contains(t))
                .count();
            // Something meaningful must be said ("thanks", "help"), not only small words, and
            // every meaningful word must be the intent's own.
            let fits = covered > 0
                && analysis
                    .content
                    .iter()
                    .chain(&analysis.extra)
                    .all(|t| terms.contains(t));
            if fits && best.is_none_or(|(_, n)| covered > n) {
                best = Some((i, covered));
            }
        }
        best.map(|(i, _)| i)
    }

    /// Decides what to do with a question (a whole message or one part of it).
    pub fn decide(&self, analysis: &Analysis) -> Decision {
        if let Some(intent) = self.standalone(analysis) {
            return Decision::Answer {
                intent,
                confidence: 1.0,
            };
        }
        if !analysis.any_word {
            return Decision::Empty;
        }
        if !self.options.learned {
            return self.decide_lexical(analysis);
        }
        let p = self.probabilities(analysis);
        let mut intents: Vec<(usize, f32)> =
            p.iter().take(self.intents).copied().enumerate().collect();
        intents.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let near: Vec<usize> = intents
            .iter()
            .filter(|(_, v)| *v > 0.0)
            .take(3)
            .map(|(i, _)| *i)
            .collect();
        let (best, confidence) = intents.first().copied().unwrap_or((0, 0.0));
        // The likeliest refusal: a not-covered topic (with its reply) or a plain refusal.
        let refusal = p
            .iter()
            .enumerate()
            .skip(self.intents)
            .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
            .map(|(c, v)| (c, *v));
        let topic_of = |c: usize| Some(c - self.intents).filter(|t| self.is_topic(*t));
        if self.options.decisive
            && let Some(topic) = self.decisive_topic(analysis)
        {
            return Decision::NotCovered {
                topic: Some(topic),
                near,
                confidence,
            };
        }
        let (refusal_class, refusal_p) = refusal.unwrap_or((usize::MAX, 0.0));
        if let Some(&(second, p2)) = intents.get(1)
            && p2 >= self.options.ambiguity * confidence
            && confidence + p2 >= self.options.threshold
            && confidence + p2 > refusal_p
        {
            return Decision::Ambiguous {
                intents: vec![best, second],
                confidence,
            };
        }
        if confidence >= self.options.threshold && confidence > refusal_p {
            return Decision::Answer {
                intent: best,
                confidence,
            };
        }
        let topic = if refusal_class == usize::MAX {
            None
        } else {
            topic_of(refusal_class)
        };
        // A plain refusal still gives a topic's reason when the question meets a topic's
        // `requires` ("what is OpenAI's revenue?" is a financials question).
        let topic = topic.or_else(|| self.best_required_topic(analysis, p));
        Decision::NotCovered {
            topic,
            near,
            confidence,
        }
    }

    /// The hand-weighted matcher's decision (the one before learning), for comparison.
    fn decide_lexical(&self, analysis: &Analysis) -> Decision {
        let scored = self.score(analysis);
        let near: Vec<usize> = scored
            .iter()
            .filter_map(|s| match s.target {
                Target::Intent(i) => Some(i),
                Target::Uncovered(_) => None,
            })
            .take(3)
            .collect();
        let best_intent = scored.iter().find_map(|s| match s.target {
            Target::Intent(i) => Some((i, s.confidence)),
            Target::Uncovered(_) => None,
        });
        let confidence = best_intent.map_or(0.0, |(_, c)| c);
        // A question that fits a topic the sources don't cover almost as well as an intent is
        // declined: a confident wrong answer is worse than "my sources don't cover that".
        let uncovered = scored.iter().find_map(|s| match s.target {
            Target::Uncovered(t) => Some((t, s.confidence)),
            Target::Intent(_) => None,
        });
        if let Some((topic, c)) = uncovered
            && c >= THRESHOLD * 0.5
            && c >= UNCOVERED_RATIO * confidence
        {
            return Decision::NotCovered {
                topic: Some(topic),
                near,
                confidence,
            };
        }
        match scored.first() {
            Some(Scored {
                target: Target::Intent(best),
                confidence: c,
            }) if *c >= THRESHOLD => {
                let close: Vec<usize> = scored
                    .iter()
                    .skip(1)
                    .take_while(|s| s.confidence > c - AMBIGUITY_MARGIN)
                    .filter_map(|s| match s.target {
                        Target::Intent(i) => Some(i),
                        Target::Uncovered(_) => None,
                    })
                    .collect();
                if close.is_empty() {
                    Decision::Answer {
                        intent: *best,
                        confidence: *c,
                    }
                } else {
                    let mut intents = vec![*best];
                    intents.extend(close);
                    Decision::Ambiguous {
                        intents,
                        confidence: *c,
                    }
                }
            }
            _ => Decision::NotCovered {
                topic: None,
                near,
                confidence,
            },
        }
    }

    /// The likeliest not-covered topic whose (non-empty) `requires` the question meets.
    fn best_required_topic(&self, analysis: &Analysis, p: &[f32]) -> Option<usize> {
        self.candidates
            .iter()
            .filter_map(|c| match c.target {
                Target::Uncovered(t)
                    if !c.requires.is_empty() && self.passes_guards(c, analysis) =>
                {
                    Some((t, p.get(self.intents + t).copied().unwrap_or(0.0)))
                }
                _ => None,
            })
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
            .map(|(t, _)| t)
    }

    fn is_topic(&self, t: usize) -> bool {
        self.candidates
            .iter()
            .any(|c| c.target == Target::Uncovered(t))
    }

    /// A not-covered topic that wins outright: decisive with its `requires` met, or
    /// pattern-gated with a matching pattern.
    fn decisive_topic(&self, analysis: &Analysis) -> Option<usize> {
        self.candidates.iter().find_map(|c| {
            let Target::Uncovered(t) = c.target else {
                return None;
            };
            let fires = if c.pattern_gate {
                c.patterns.iter().any(|p| p.is_match(&analysis.folded))
            } else {
                c.decisive && !c.requires.is_empty() && self.passes_guards(c, analysis)
            };
            fires.then_some(t)
        })
    }

    /// A human-readable account of how a question was analysed and scored (for `dealbot explain`).
    pub fn explain(&self, kb: &KnowledgeBase, raw: &str) -> String {
        let analysis = self.analyze(raw);
        let name = |id: &u32| {
            self.ids
                .iter()
                .find(|(_, v)| *v == id)
                .map_or("?", |(k, _)| k.as_str())
                .to_owned()
        };
        let list = |items: Vec<String>| {
            if items.is_empty() {
                "(none)".to_owned()
            } else {
                items.join(", ")
            }
        };
        let mut out = format!(
            "question as read: {}\nscored terms (idf): {}\nother known terms: {}\norganisations: {}\nall terms: {}\nunknown words: {}; known but unscored words: {}\ncandidates (confidence):\n",
            analysis.folded,
            list(
                analysis
                    .content
                    .iter()
                    .map(|t| format!("{} ({:.2})", name(t), self.idf[*t as usize]))
                    .collect()
            ),
            list(analysis.extra.iter().map(name).collect()),
            list(analysis.orgs.iter().map(name).collect()),
            list({
                let mut all: Vec<String> = analysis.all.iter().map(name).collect();
                all.sort();
                all
            }),
            analysis.unknown,
            analysis.unmodeled,
        );
        let p = self.probabilities(&analysis);
        let mut classes: Vec<(usize, f32)> = p.iter().copied().enumerate().collect();
        classes.sort_by(|a, b| b.1.total_cmp(&a.1));
        out.push_str("learned (after guards):\n");
        for &(c, v) in classes.iter().take(6) {
            let label = if c < kb.intents.len() {
                kb.intents[c].id.clone()
            } else if let Some(t) = kb.uncovered.get(c - kb.intents.len()) {
                format!("(not covered: {})", t.id)
            } else {
                "(refuse)".to_owned()
            };
            out.push_str(&format!("  {v:.3} {label}\n"));
        }
        out.push_str("lexical scores (not used to decide):\n");
        for s in self.score(&analysis).iter().take(6) {
            let label = match s.target {
                Target::Intent(i) => kb.intents[i].id.clone(),
                Target::Uncovered(i) => format!("(not covered: {})", kb.uncovered[i].id),
            };
            out.push_str(&format!("  {:.3} {label}\n", s.confidence));
        }
        let intents = |ids: &[usize]| list(ids.iter().map(|&i| kb.intents[i].id.clone()).collect());
        let decision = match self.decide(&analysis) {
            Decision::Answer { intent, confidence } => format!(
                "answer with {} (confidence {confidence:.2})",
                kb.intents[intent].id
            ),
            Decision::Ambiguous {
                intents: ids,
                confidence,
            } => format!(
                "ambiguous between {} (confidence {confidence:.2})",
                intents(&ids)
            ),
            Decision::NotCovered {
                topic,
                near,
                confidence,
            } => format!(
                "not covered{} (best confidence {confidence:.2}; suggest {})",
                topic.map_or(String::new(), |t| format!(": {}", kb.uncovered[t].id)),
                intents(&near)
            ),
            Decision::Empty => "no words to match".to_owned(),
        };
        out.push_str(&format!("decision: {decision}\n"));
        out
    }

    /// Slot values of intent `intent` named in the question.
    pub fn slot_hits(&self, intent: usize, analysis: &Analysis) -> Vec<SlotHit> {
        let mut hits = Vec::new();
        for (hit, terms) in self.slots.get(intent).into_iter().flatten() {
            if !terms.is_empty()
                && terms.iter().all(|t| analysis.all.contains(t))
                && !hits.contains(hit)
            {
                hits.push(*hit);
            }
        }
        hits
    }
}

/// Every piece of matching text of an intent.
fn intent_texts(intent: &Intent) -> impl Iterator<Item = &str> {
    let slot_words = intent.slot.iter().flat_map(|s| {
        s.values
            .iter()
            .flat_map(|v| &v.words)
            .chain(s.unnamed.iter().flat_map(|u| &u.words))
    });
    intent
        .examples
        .iter()
        .chain(&intent.keywords)
        .chain(&intent.requires)
        .chain(&intent.orgs)
        .chain(slot_words)
        .map(String::as_str)
}

/// Interns terms while the matcher is built.
#[derive(Default)]
struct Builder {
    ids: FxHashMap<String, u32>,
}

impl Builder {
    fn id(&mut self, stem: &str) -> u32 {
        let next = self.ids.len() as u32;
        *self.ids.entry(stem.to_owned()).or_insert(next)
    }

    /// Term ids of every word of `text`, stopwords included.
    fn ids_of(&mut self, vocab: &Vocab, text: &str) -> Vec<u32> {
        vocab
            .data_terms(text)
            .iter()
            .map(|t| self.id(&t.stem))
            .collect()
    }

    /// Content term ids of `text`.
    fn content_ids(&mut self, vocab: &Vocab, text: &str) -> FxHashSet<u32> {
        vocab
            .data_terms(text)
            .iter()
            .filter(|t| !t.stop)
            .map(|t| self.id(&t.stem))
            .collect()
    }

    /// Each `requires` entry as term ids; stopwords count only in an entry made of nothing else
    /// (so "what dates" needs "dates", while "you do" needs both words).
    fn requires(&mut self, vocab: &Vocab, requires: &[String]) -> Vec<Vec<u32>> {
        requires
            .iter()
            .map(|r| {
                let terms = vocab.data_terms(r);
                let all_stop = terms.iter().all(|t| t.stop);
                terms
                    .iter()
                    .filter(|t| all_stop || !t.stop)
                    .map(|t| self.id(&t.stem))
                    .collect::<Vec<u32>>()
            })
            .filter(|set| !set.is_empty())
            .collect()
    }

    /// term → share of the examples (and the keyword set, weighted) that use it.
    fn profile(
        &mut self,
        vocab: &Vocab,
        examples: &[String],
        keywords: &[String],
    ) -> FxHashMap<u32, f32> {
        let mut counts: FxHashMap<u32, f32> = FxHashMap::default();
        for example in examples {
            for t in self.content_ids(vocab, example) {
                *counts.entry(t).or_default() += 1.0;
            }
        }
        let keyword_terms: FxHashSet<u32> = keywords
            .iter()
            .flat_map(|k| self.content_ids(vocab, k))
            .collect();
        for t in keyword_terms {
            *counts.entry(t).or_default() += KEYWORD_WEIGHT;
        }
        let total = examples.len() as f32 + KEYWORD_WEIGHT;
        counts
            .into_iter()
            .map(|(t, c)| (t, (c / total).min(1.0)))
            .collect()
    }
}
