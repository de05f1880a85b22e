//! Verdicts and leads: what a reply says first, given the intent, the question's form and the
//! words it uses.
//!
//! The knowledge is data: each intent's `[[claims]]` (a claim a yes/no question can make, the
//! verdict the sources give it, the lead sentence and its best quote), `[[aspects]]` (the lead for
//! "when", "how much", "for Microsoft" …) and `not_covered.toml`'s `[[unreported]]` (details no
//! source gives: approvals, closing prices). This module compiles their word sequences with the
//! matcher's lexicon and applies them in a fixed order; see [`Leads::lead`].

use std::collections::HashSet;
use std::rc::Rc;

use super::data::{Citation, Intent, KnowledgeBase, Sites, Verdict};
use super::normalize;
use super::question::{self, Form, SeqWord, WordSeq};
use super::validate::DataError;
use super::vocab::{Term, Vocab};

/// Times a question may name that only a date in the intent's data answers.
const TIMES: &[&str] = &[
    "summer",
    "winter",
    "spring",
    "autumn",
    "christmas",
    "soon",
    "tomorrow",
    "yearend",
    "q1",
    "q2",
    "q3",
    "q4",
    "h1",
    "h2",
];
/// Stems of verbs that report or hedge a statement ("someone claimed …", "I reckon …"): they
/// are not what the question asks.
const REPORTING: &[&str] = &[
    "claim",
    "say",
    "said",
    "hear",
    "heard",
    "think",
    "thought",
    "reckon",
    "believ",
    "read",
    "saw",
    "see",
    "seen",
    "report",
    "told",
    "tell",
    "mention",
    "write",
    "wrote",
    "written",
    "suggest",
    "seem",
    "assum",
    "guess",
    "understand",
    "understood",
    "rumor",
    "rumour",
];
/// Words of an editor's check around the claim ("is it accurate to write that …", "fair to
/// say …", "ok to run: …"): not what the question asks.
const CHECKING: &[&str] = &[
    "accurate",
    "accurately",
    "correct",
    "fair",
    "safe",
    "true",
    "false",
    "wrong",
    "print",
    "publish",
    "run",
];
/// Words that hedge a figure or a claim ("somewhere around 27 %", "roughly"): not what the
/// question asks.
const HEDGES: &[&str] = &[
    "around",
    "roughly",
    "approximately",
    "approx",
    "somewhere",
    "nearly",
    "almost",
    "circa",
    "ish",
    "thereabouts",
    "ballpark",
];
/// Contractions as folding writes them ("it'll" → "itll"): words, not names. Negations
/// ("didnt") are [`question::is_negation`]'s.
const CONTRACTIONS: &[&str] = &[
    "itll", "theyll", "youll", "itd", "theyd", "youd", "ive", "youve", "weve", "theyve", "youre",
    "theyre", "thats", "theres", "heres", "whats", "hes", "shes", "aint", "yall", "wouldve",
    "couldve", "shouldve", "gonna", "wanna", "gotta", "dunno", "kinda", "sorta", "mustnt",
];

/// "next …": a time.
const TIME_UNITS: &[&str] = &[
    "year", "month", "week", "quarter", "spring", "summer", "autumn",
];

/// How many words before a claim's match a negation may stand and still deny it ("isn't it
/// true azure is only …", not "can't use AWS, it's Azure only").
const NEGATION_REACH: usize = 4;

/// Question openers that assert a premise ("now that …", "given that …").
const PREMISE: &[&[&str]] = &[
    &["now", "that"],
    &["given", "that"],
    &["since"],
    &["seeing", "that"],
    &["considering"],
    &["as"],
];

#[derive(Debug, Clone)]
struct Rule {
    when: Vec<WordSeq>,
    unless: Vec<WordSeq>,
}

impl Rule {
    fn new(vocab: &Vocab, when: &[String], unless: &[String]) -> Rule {
        Rule {
            when: when.iter().map(|w| WordSeq::compile(vocab, w)).collect(),
            unless: unless.iter().map(|w| WordSeq::compile(vocab, w)).collect(),
        }
    }

    /// True when one `when` sequence matches and no `unless` does (false with no `when`).
    fn matches(&self, stems: &[SeqWord]) -> bool {
        self.when.iter().any(|w| w.matches(stems)) && !self.unless.iter().any(|w| w.matches(stems))
    }
}

#[derive(Debug, Clone)]
struct IntentRules {
    claims: Vec<Rule>,
    aspects: Vec<(Vec<Form>, Rule)>,
    /// The numbers the intent's answer, facts, quotes and slot values give (read once, at load).
    given: Vec<Number>,
    /// Whether they give an amount, and a date.
    has_amount: bool,
    has_date: bool,
    /// Whether any of its words, its notes of disagreement and its aspects' leads included,
    /// name a year.
    names_year: bool,
    /// The terms of the answer, facts, quotes and slot values, whose figures a question's are
    /// checked against: read once, at load, not for each yes/no question (the text is too long
    /// for the memo of recent messages, so every question read it afresh).
    text_terms: Vec<Term>,
    /// The stems of everything the intent says or is asked with (answer, facts, quotes,
    /// examples, keywords, claims, aspects, slot values): a question's words outside it ask
    /// something the topic never speaks of.
    words: HashSet<String>,
}

/// What to say first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lead {
    /// The verdict, for a yes/no question.
    pub verdict: Option<Verdict>,
    /// The opening sentence(s), already prefixed ("Yes — …").
    pub text: Option<String>,
    /// Quotes that support the lead, to be numbered first.
    pub cite: Vec<Citation>,
    /// The lead says that the specific detail asked (an amount, a date, an approval, a claim the
    /// sources never make) is not reported; not set by an intent's default verdict.
    pub unreported: bool,
    /// The verdict is a claim's that the question states in two words or more ("the percentage
    /// stays the same"), not one word's or the intent's default.
    pub specific: bool,
}

impl Lead {
    /// "The sources don't say that", for a question whose claim no data of its topic speaks to.
    pub fn not_said() -> Lead {
        not_said_lead("The sources don't say that. Here is what they do say:")
    }
}

/// The compiled claims, aspects and unreported details.
#[derive(Debug)]
pub struct Leads {
    vocab: Vocab,
    intents: Vec<IntentRules>,
    unreported: Vec<Rule>,
    /// Stems of every intent's data and every source's text.
    all_words: HashSet<String>,
    /// Stems of the labelled questions that have an answer: the words people use when asking
    /// about the deal.
    asked_words: HashSet<String>,
}

impl Leads {
    /// Compiles the knowledge base's claims, aspects and unreported details.
    pub fn new(kb: &KnowledgeBase) -> Leads {
        let lex = &kb.lexicon;
        let mut vocab = Vocab::new(
            lex.synonyms.iter().map(|(k, v)| (k.as_str(), v.as_slice())),
            &lex.stopwords,
            &lex.fillers,
        );
        vocab.set_dictionary(&kb.dictionary);
        let intents: Vec<IntentRules> = kb
            .intents
            .iter()
            .map(|i| {
                let text = intent_text(i);
                let names_year = std::iter::once(text.as_str())
                    .chain(i.conflicts.iter().flat_map(|c| [c.quote.as_str(), &c.note]))
                    .chain(i.aspects.iter().map(|a| a.lead.as_str()))
                    .any(|t| numbers(t).iter().any(|n| matches!(n, Number::Year(_))));
                IntentRules {
                    claims: i
                        .claims
                        .iter()
                        .map(|c| Rule::new(&vocab, &c.when, &c.unless))
                        .collect(),
                    aspects: i
                        .aspects
                        .iter()
                        .map(|a| {
                            let forms = a.forms.iter().filter_map(|f| Form::from_name(f)).collect();
                            (forms, Rule::new(&vocab, &a.when, &[]))
                        })
                        .collect(),
                    given: numbers(&text),
                    has_amount: has_amount(&text),
                    has_date: has_date(&text),
                    names_year,
                    words: intent_words(&vocab, i),
                    text_terms: vocab.terms(&question::words(&text)),
                }
            })
            .collect();
        let unreported = kb
            .unreported
            .iter()
            .map(|u| Rule::new(&vocab, &u.when, &u.unless))
            .collect();
        let mut all_words: HashSet<String> = intents
            .iter()
            .flat_map(|r: &IntentRules| r.words.iter().cloned())
            .collect();
        for source in &kb.sources {
            all_words.extend(vocab.data_terms(&source.text).into_iter().map(|t| t.stem));
        }
        let mut asked_words = HashSet::new();
        for q in kb.questions.iter().filter(|q| q.intent.is_some()) {
            asked_words.extend(vocab.data_terms(&q.q).into_iter().map(|t| t.stem));
        }
        Leads {
            vocab,
            intents,
            unreported,
            all_words,
            asked_words,
        }
    }

    /// Whether a message has no words beyond question words, stopwords, the parties' names and
    /// the words of a form ("year", "much", "said", "source"): a bare follow-up.
    pub fn is_bare(&self, question: &str) -> bool {
        const FORM_WORDS: &[&str] = &[
            "why",
            "when",
            "who",
            "whom",
            "whose",
            "how",
            "where",
            "year",
            "date",
            "day",
            "month",
            "long",
            "much",
            "many",
            "big",
            "large",
            "far",
            "said",
            "say",
            "says",
            "source",
            "sources",
            "else",
            "exactly",
            "though",
            "then",
            "again",
            "more",
            "detail",
            "details",
            "reason",
            "until",
            "till",
            "microsoft",
            "openai",
            "msft",
            "oai",
            "which",
            "ones",
            "one",
            "example",
            "examples",
            "specifically",
            "explain",
            "mean",
            "sure",
            "really",
            "about",
            "what",
            "for",
            "both",
            "side",
            "sides",
            "party",
            "parties",
        ];
        let words = question::words(question);
        self.vocab
            .canonical(&words)
            .iter()
            .all(|w| self.vocab.is_stop(w) || FORM_WORDS.contains(&w.as_str()))
    }

    /// Whether a claim or aspect of intent `index` other than its default names something the
    /// question says: evidence that the question is about that intent.
    pub fn speaks_to(&self, index: usize, stems: &[SeqWord]) -> bool {
        self.intents.get(index).is_some_and(|r| {
            r.claims.iter().any(|c| c.matches(stems))
                || r.aspects.iter().any(|(_, a)| a.matches(stems))
        })
    }

    /// For a yes/no question nothing answers: the intents with a `not_said` claim the question
    /// makes ("has Amazon signed a contract?"), each with how many of the question's content
    /// words its data uses, most first.
    pub fn not_said_topics(&self, kb: &KnowledgeBase, stems: &[SeqWord]) -> Vec<(usize, usize)> {
        let mut out: Vec<(usize, usize)> = kb
            .intents
            .iter()
            .zip(&self.intents)
            .enumerate()
            .filter(|(_, (intent, rules))| {
                intent.claims.iter().zip(&rules.claims).any(|(c, r)| {
                    c.verdict == Verdict::NotSaid
                        && (c.forms.is_empty() || c.forms.iter().any(|f| f == "yes_no"))
                        && r.matches(stems)
                })
            })
            .map(|(i, (_, rules))| {
                let mut seen: Vec<&str> = Vec::new();
                for w in stems {
                    if !w.is_stop() && rules.words.contains(w.stem()) && !seen.contains(&w.stem()) {
                        seen.push(w.stem());
                    }
                }
                (i, seen.len())
            })
            .collect();
        out.sort_by_key(|t| std::cmp::Reverse(t.1));
        out
    }

    /// For a question's years, read once: `None` when it states none; otherwise whether an
    /// intent's facts give every one of them (`Some(true)`), or it names no year anywhere, not
    /// even in a note of disagreement (`Some(false)`); `None` for years it doesn't give on a
    /// topic that names others, since a wrong year there is a wrong year, not another topic.
    pub fn gives_years(&self, question: &str) -> impl Fn(usize) -> Option<bool> + '_ {
        let asked: Vec<Number> = numbers(&spell_digits(question))
            .into_iter()
            .filter(|n| matches!(n, Number::Year(_)))
            .collect();
        move |index| {
            let rules = self.intents.get(index)?;
            if asked.is_empty() {
                return None;
            }
            if asked.iter().all(|n| rules.given.iter().any(|g| g == n)) {
                Some(true)
            } else if !rules.names_year {
                Some(false)
            } else {
                None
            }
        }
    }

    /// For a question's money figures and percentages, read once: whether an intent's facts
    /// give one of each such kind it states (its value may differ); never when it states none.
    pub fn gives_kinds(&self, question: &str) -> impl Fn(usize) -> bool + '_ {
        let asked: Vec<Number> = numbers(&spell_digits(question))
            .into_iter()
            .filter(|n| matches!(n, Number::Money(_) | Number::Percent(_)))
            .collect();
        move |index| {
            self.intents.get(index).is_some_and(|rules| {
                !asked.is_empty()
                    && asked
                        .iter()
                        .all(|n| rules.given.iter().any(|g| g.same_kind(n)))
            })
        }
    }

    /// For a question that is only a figure or date ("27%??", "april 27 or 28?"): the one intent
    /// giving every figure it states (percentages, money, years, months), of those giving them
    /// the topic just answered if it is one of them, else the one whose direct answer states
    /// them, giving fewest figures (the stake, not the timeline); `None` when two tie.
    pub fn figure_topic(
        &self,
        kb: &KnowledgeBase,
        question: &str,
        previous: Option<usize>,
    ) -> Option<usize> {
        let asked: Vec<Number> = numbers(&spell_digits(question))
            .into_iter()
            .filter(|n| !matches!(n, Number::Other(_)))
            .collect();
        if asked.is_empty() {
            return None;
        }
        let mut giving: Vec<(usize, usize, usize)> = self
            .intents
            .iter()
            .enumerate()
            .filter(|(_, r)| asked.iter().all(|n| r.given.contains(n)))
            .map(|(i, r)| {
                // Topics whose direct answer states the figures come first.
                let stated = numbers(&kb.intents[i].answer);
                (
                    usize::from(!asked.iter().all(|n| stated.contains(n))),
                    r.given.len(),
                    i,
                )
            })
            .collect();
        // In a conversation, the topic just answered, when it gives them ("and 2030?").
        if let Some(previous) = previous.filter(|p| giving.iter().any(|&(_, _, i)| i == *p)) {
            return Some(previous);
        }
        giving.sort_unstable();
        match giving[..] {
            [(s, n, i), (t, m, _), ..] if (s, n) < (t, m) => Some(i),
            [(_, _, i)] => Some(i),
            _ => None,
        }
    }

    /// Whether the question names something no intent, source or labelled question knows and
    /// that is no English word ("Activision", "Sora"): a question about something else.
    pub fn names_unknown(&self, stems: &[SeqWord]) -> bool {
        stems.iter().any(|w| {
            let word = w.word();
            !w.is_stop()
                && !CONTRACTIONS.contains(&word)
                && !question::is_negation(word, None)
                && word.len() >= 3
                && word.chars().all(|c| c.is_ascii_alphabetic())
                && !self.all_words.contains(w.stem())
                && !self.asked_words.contains(w.stem())
                && !self.vocab.is_known(word)
        })
    }

    /// The question's stems, in order, for [`Leads::lead`] (phrasal verbs read as the verb
    /// they mean).
    pub fn stems(&self, question: &str) -> Vec<SeqWord> {
        question::claim_stems(&self.vocab, question)
    }

    /// A word of the question's predicate that neither the intent nor the sources speak of: a
    /// content word of the clause that asks (see [`question::asked_clause`]) that is not in the
    /// intent's data, nor in any intent's data or source text, nor in the labelled questions
    /// (the words people ask about the deal with), and is an English word (not a typo); or a
    /// time the question names ("before the summer", "next year") that the intent never gives.
    /// With `time_only`, only the latter.
    pub fn unspoken(
        &self,
        index: usize,
        question: &str,
        stems: &[SeqWord],
        time_only: bool,
    ) -> Option<String> {
        // The whole question first (its stems are at hand): the clause is read only when some
        // word of the question could be such a predicate.
        self.unspoken_in(index, stems, time_only)?;
        let clause = question::asked_clause(question);
        let mut words = self.stems(&clause);
        let content = |w: &[SeqWord]| w.iter().filter(|x| !x.is_stop()).count();
        // "Is that legit?" after a statement: the statement is the predicate.
        if content(&words) < 2 {
            words = self.stems(question::first_alternative(question));
        }
        self.unspoken_in(index, &words, time_only)
    }

    fn unspoken_in(&self, index: usize, words: &[SeqWord], time_only: bool) -> Option<String> {
        let rules = self.intents.get(index)?;
        let next = |i: usize| words.get(i + 1).map(SeqWord::word);
        words.iter().enumerate().find_map(|(i, w)| {
            let word = w.word();
            let plain = !w.is_stop()
                && word.len() >= 2
                && !is_number_word(word)
                && !question::is_negation(word, next(i))
                && !question::is_auxiliary(word)
                && !rules.words.contains(w.stem());
            if !plain {
                return None;
            }
            let time = time_at(word, next(i));
            let unknown = !time_only
                && !REPORTING.contains(&w.stem())
                && !CHECKING.contains(&word)
                && !HEDGES.contains(&word)
                && word.len() >= 3
                && word.chars().all(|c| c.is_ascii_alphabetic())
                && !self.all_words.contains(w.stem())
                && !self.asked_words.contains(w.stem())
                && self.vocab.is_known(word);
            (time || unknown).then(|| match next(i) {
                Some(n) if word == "next" => format!("next {n}"),
                _ => word.to_owned(),
            })
        })
    }

    /// The lead for a question answered by `intent`. In order:
    /// 1. for yes/no questions, a figure or date the question states that the intent's facts
    ///    don't give (`no` when they give another of the same kind, else `not_said`);
    /// 2. a claim of the intent whose words the question uses (for a yes/no question, in its
    ///    first alternative; a negation in the question turns `yes` into `no` and back; a
    ///    `yes` whose question names a time the intent never gives is `not_said`);
    /// 3. for yes/no questions about a slot, whether the sources name the value;
    /// 4. an unreported detail ("has the FTC approved …");
    /// 5. an aspect of the intent matching the form or words;
    /// 6. the intent's default claim (one with no `when`), for yes/no questions, unless it
    ///    says `yes` to a predicate no intent, source or labelled question speaks of
    ///    ([`Leads::unspoken`]);
    /// 7. "The sources don't say" for yes/no questions, "no amount/date" for amount/when ones.
    pub fn lead(
        &self,
        kb: &KnowledgeBase,
        index: usize,
        form: Form,
        stems: &[SeqWord],
        question: &str,
        named_slot: Option<bool>,
    ) -> Lead {
        let (Some(intent), Some(rules)) = (kb.intents.get(index), self.intents.get(index)) else {
            return Lead::default();
        };
        let yes_no = form == Form::YesNo;
        let premise = has_premise(question);
        // A yes/no question offering two alternatives ("…, or did it cash out?") is answered
        // about the first.
        let first;
        let stems = match yes_no.then(|| question::first_alternative(question)) {
            Some(head) if head.len() + 2 < question.trim_end().len() => {
                first = self.stems(head);
                first.as_slice()
            }
            _ => stems,
        };
        // A figure or date the question states that the intent's facts don't give, unless the
        // question is about a detail no source reports ("closed the day down 3 %": the closing
        // price, not the opening move of 1 %).
        let unreported_claim = || {
            intent
                .claims
                .iter()
                .zip(&rules.claims)
                .any(|(c, r)| c.verdict == Verdict::NotSaid && r.matches(stems))
        };
        if yes_no
            && let Some(verdict) = number_verdict(&rules.given, question)
            && !(verdict == Verdict::No && unreported_claim())
        {
            let lead = match verdict {
                Verdict::NotSaid => "The sources don't give that figure or date.".to_owned(),
                _ => "the sources give a different figure or date.".to_owned(),
            };
            let mut lead = claim_lead(verdict, &lead, &[], true);
            lead.unreported = verdict == Verdict::NotSaid;
            return lead;
        }
        let asked = if yes_no {
            question::words(question)
        } else {
            Rc::from([])
        };
        // "Did CNBC report …?": an outlet none of the sources comes from.
        if yes_no && let Some(outlet) = unsourced_outlet(kb, &asked) {
            return not_said_lead(&format!(
                "The sources don't say: none of them comes from {outlet}. Here is what they do say:"
            ));
        }
        // "Has Microsoft disclosed how much it spends on Phi?": an amount the topic never gives.
        if yes_no && !rules.has_amount && asks_amount_within(&asked) {
            return not_said_lead("The sources don't give that amount. Here is what they do say:");
        }
        for (claim, rule) in intent.claims.iter().zip(&rules.claims) {
            let form_ok = claim.forms.is_empty() || claim.forms.iter().any(|f| f == form.name());
            if !form_ok || !rule.matches(stems) {
                continue;
            }
            let applies = yes_no
                || claim.verdict == Verdict::NotSaid
                || (claim.verdict == Verdict::No && premise);
            if applies {
                // "So MS doesn't get a cut?" states the claim's opposite.
                let flip = yes_no
                    && rule
                        .when
                        .iter()
                        .find(|w| w.matches(stems))
                        .is_some_and(|w| {
                            !w.is_negated()
                                && w.match_end(stems).is_some_and(|end| {
                                    let start = w.match_start(stems).unwrap_or(0);
                                    question::negated_within(
                                        stems,
                                        start.saturating_sub(NEGATION_REACH),
                                        end,
                                    )
                                })
                        });
                let verdict = negate_if(claim.verdict, flip);
                if verdict == Verdict::Yes
                    && let Some(word) = self.unspoken(index, question, stems, true)
                {
                    return unspoken_lead(&word);
                }
                // "Altman said the revenue share ends in 2032?": a figure the topic gives, for
                // another thing than the question gives it for.
                if verdict == Verdict::Yes
                    && misstates_figure(&self.vocab, |_| false, &asked, &rules.text_terms)
                {
                    return claim_lead(
                        Verdict::No,
                        "the sources give a different figure or date.",
                        &[],
                        yes_no,
                    );
                }
                let mut lead = claim_lead(verdict, &claim.lead, &claim.cite, yes_no);
                lead.unreported = verdict == Verdict::NotSaid;
                lead.specific = rule
                    .when
                    .iter()
                    .find(|w| w.matches(stems))
                    .is_some_and(|w| w.len() >= 2);
                return lead;
            }
        }
        // The slot's own answers say which values the sources name; the lead is the verdict.
        if yes_no && let Some(named) = named_slot {
            if named && let Some(word) = self.unspoken(index, question, stems, true) {
                return unspoken_lead(&word);
            }
            // "… can't put its models on Google Cloud?" denies what the sources name.
            let verdict = if named {
                negate_if(Verdict::Yes, question::negated_before(stems, stems.len()))
            } else {
                Verdict::NotSaid
            };
            let text = match verdict {
                Verdict::Yes => "Yes —",
                Verdict::No => "No —",
                Verdict::NotSaid => "The sources don't say.",
            };
            return Lead {
                verdict: Some(verdict),
                text: Some(text.to_owned()),
                cite: Vec::new(),
                unreported: !named,
                specific: false,
            };
        }
        for (u, rule) in kb.unreported.iter().zip(&self.unreported) {
            if rule.matches(stems) {
                let mut lead = claim_lead(Verdict::NotSaid, &u.lead, &[], yes_no);
                lead.unreported = true;
                return lead;
            }
        }
        for (aspect, (forms, rule)) in intent.aspects.iter().zip(&rules.aspects) {
            let form_ok = forms.is_empty() || forms.contains(&form);
            let words_ok = rule.when.is_empty() || rule.matches(stems);
            if form_ok && words_ok && !(forms.is_empty() && rule.when.is_empty()) {
                return Lead {
                    verdict: None,
                    text: Some(aspect.lead.clone()),
                    cite: aspect.cite.clone(),
                    unreported: false,
                    specific: false,
                };
            }
        }
        if yes_no {
            if let Some(claim) = intent.claims.iter().find(|c| c.when.is_empty()) {
                let verdict =
                    negate_if(claim.verdict, question::negated_before(stems, stems.len()));
                // The default "yes" answers the topic's own question; a predicate the sources
                // never speak of ("will the stake shrink?") is not said.
                if verdict == Verdict::Yes
                    && let Some(word) = self.unspoken(index, question, stems, false)
                {
                    return unspoken_lead(&word);
                }
                return claim_lead(verdict, &claim.lead, &claim.cite, true);
            }
            return claim_lead(
                Verdict::NotSaid,
                "The sources don't say that in so many words. Here is what they do say:",
                &[],
                true,
            );
        }
        match form {
            Form::Amount if !rules.has_amount => Lead {
                text: Some("The sources give no amount.".to_owned()),
                unreported: true,
                ..Lead::default()
            },
            Form::When if !rules.has_date => Lead {
                text: Some("The sources give no date.".to_owned()),
                unreported: true,
                ..Lead::default()
            },
            _ => Lead::default(),
        }
    }
}

/// News outlets a reporter may ask about ("did CNBC report …?"): (words as folded, name).
const OUTLETS: &[(&[&str], &str)] = &[
    (&["cnbc"], "CNBC"),
    (&["bloomberg"], "Bloomberg"),
    (&["verge"], "The Verge"),
    (&["wsj"], "The Wall Street Journal"),
    (&["wall", "street", "journal"], "The Wall Street Journal"),
    (&["nyt"], "The New York Times"),
    (&["new", "york", "times"], "The New York Times"),
    (&["financial", "times"], "the Financial Times"),
    (&["techcrunch"], "TechCrunch"),
    (&["axios"], "Axios"),
    (&["cnn"], "CNN"),
    (&["bbc"], "the BBC"),
    (&["guardian"], "The Guardian"),
    (&["wired"], "Wired"),
    (&["business", "insider"], "Business Insider"),
    (&["semafor"], "Semafor"),
    (&["reuters"], "Reuters"),
    (&["engadget"], "Engadget"),
    (&["geekwire"], "GeekWire"),
];

/// The name of a news outlet the question names when no source is attributed to it.
fn unsourced_outlet(kb: &KnowledgeBase, words: &[String]) -> Option<&'static str> {
    let (_, name) = OUTLETS
        .iter()
        .find(|(outlet, _)| question::contains_words(words, outlet))?;
    let plain = name.to_lowercase().replace("the ", "");
    let sourced = kb.sources.iter().any(|s| {
        [&s.attribution, &s.title, &s.label]
            .into_iter()
            .flatten()
            .any(|t| t.to_lowercase().contains(&plain))
    });
    (!sourced).then_some(*name)
}

/// Whether a question asks an amount inside a yes/no question ("did they say how much …").
fn asks_amount_within(words: &[String]) -> bool {
    words
        .windows(2)
        .any(|w| w[0] == "how" && matches!(w[1].as_str(), "much" | "many"))
}

/// The verdict on the opposite claim.
fn negate(verdict: Verdict) -> Verdict {
    match verdict {
        Verdict::Yes => Verdict::No,
        Verdict::No => Verdict::Yes,
        Verdict::NotSaid => Verdict::NotSaid,
    }
}

/// The verdict on the claim, or on its opposite when the question negates it.
fn negate_if(verdict: Verdict, negated: bool) -> Verdict {
    if negated { negate(verdict) } else { verdict }
}

/// `not_said` for a question whose predicate the sources never speak of.
fn unspoken_lead(word: &str) -> Lead {
    not_said_lead(&format!(
        "The sources don't say that: they never mention “{word}”. Here is what they do say:"
    ))
}

/// A `not_said` lead saying so in `text`: the detail asked is not reported.
fn not_said_lead(text: &str) -> Lead {
    let mut lead = verdict_lead(Verdict::NotSaid, text);
    lead.unreported = true;
    lead
}

fn claim_lead(verdict: Verdict, lead: &str, cite: &[Citation], yes_no: bool) -> Lead {
    let mut out = if yes_no {
        verdict_lead(verdict, lead)
    } else {
        let text = match verdict {
            Verdict::No => format!("Not so: {}", lower_first_unless_name(lead)),
            _ => lead.to_owned(),
        };
        Lead {
            verdict: None,
            text: Some(text),
            cite: Vec::new(),
            unreported: false,
            specific: false,
        }
    };
    out.cite = cite.to_vec();
    out
}

fn verdict_lead(verdict: Verdict, lead: &str) -> Lead {
    let text = match verdict {
        Verdict::Yes => format!("Yes — {}", lower_first_unless_name(lead)),
        Verdict::No => format!("No — {}", lower_first_unless_name(lead)),
        Verdict::NotSaid if starts_not_said(lead) => lead.to_owned(),
        Verdict::NotSaid => format!("The sources don't say. {lead}"),
    };
    Lead {
        verdict: Some(verdict),
        text: Some(text),
        cite: Vec::new(),
        unreported: false,
        specific: false,
    }
}

/// Whether a lead already says that the sources don't say.
pub fn starts_not_said(lead: &str) -> bool {
    let l = lead.to_lowercase();
    [
        "the sources don't",
        "the sources don’t",
        "the sources do not",
    ]
    .iter()
    .any(|p| l.starts_with(p))
}

/// Whether a lead starts with a verdict word the engine adds itself.
pub fn starts_with_verdict(text: &str) -> bool {
    strip_verdict(text) != text
}

/// The text without a leading "Yes." / "No, " (the engine says the verdict itself).
pub fn strip_verdict(text: &str) -> String {
    for word in ["Yes", "No"] {
        if let Some(rest) = text.strip_prefix(word)
            && let Some(rest) = rest
                .strip_prefix(['.', ',', ':', ';', '!'])
                .or_else(|| rest.strip_prefix(" —"))
        {
            return upper_first(rest.trim_start());
        }
    }
    text.to_owned()
}

/// The text with its first letter re-cased by `case`: the rest is copied whole, not char by
/// char.
fn recase_first<I: Iterator<Item = char>>(text: &str, case: impl FnOnce(char) -> I) -> String {
    let mut chars = text.chars();
    let mut out = String::with_capacity(text.len() + 4);
    if let Some(first) = chars.next() {
        out.extend(case(first));
        out.push_str(chars.as_str());
    }
    out
}

fn lower_first(text: &str) -> String {
    recase_first(text, char::to_lowercase)
}

/// The text with its first letter upper-cased.
pub fn upper_first(text: &str) -> String {
    recase_first(text, char::to_uppercase)
}

/// Lower-cases the first letter unless the first word is a name ("Microsoft", "OpenAI", "AGI").
fn lower_first_unless_name(text: &str) -> String {
    let first_word = text.split_whitespace().next().unwrap_or("");
    let common = [
        "The", "It", "There", "They", "Its", "That", "This", "A", "An", "Both", "No", "Not",
        "Only", "Under", "In", "As", "After", "Before", "Each", "Every", "All",
    ];
    if common.contains(&first_word) {
        lower_first(text)
    } else {
        text.to_owned()
    }
}

fn has_premise(question: &str) -> bool {
    let w = question::words(question);
    PREMISE
        .iter()
        .any(|p| w.len() > p.len() && w[..p.len()].iter().zip(p.iter()).all(|(a, b)| a == b))
}

/// The stems of every word an intent's data uses.
fn intent_words(vocab: &Vocab, intent: &Intent) -> HashSet<String> {
    let mut texts: Vec<&str> = vec![intent.answer.as_str(), intent.topic.as_str()];
    texts.extend(intent.question.as_deref());
    texts.extend(intent.examples.iter().map(String::as_str));
    texts.extend(intent.keywords.iter().map(String::as_str));
    texts.extend(intent.requires.iter().map(String::as_str));
    for fact in &intent.facts {
        texts.push(&fact.text);
        texts.extend(fact.cite.iter().map(|c| c.quote.as_str()));
    }
    for claim in &intent.claims {
        texts.push(&claim.lead);
        texts.extend(claim.when.iter().map(String::as_str));
        texts.extend(claim.cite.iter().map(|c| c.quote.as_str()));
    }
    for aspect in &intent.aspects {
        texts.push(&aspect.lead);
        texts.extend(aspect.when.iter().map(String::as_str));
    }
    for conflict in &intent.conflicts {
        texts.push(&conflict.quote);
        texts.push(&conflict.note);
    }
    if let Some(slot) = &intent.slot {
        for v in &slot.values {
            texts.push(&v.name);
            texts.push(&v.fact.text);
            texts.extend(v.fact.cite.iter().map(|c| c.quote.as_str()));
        }
    }
    let mut words = HashSet::new();
    for text in texts {
        for token in text.split('|') {
            words.extend(vocab.data_terms(token).into_iter().map(|t| t.stem));
        }
    }
    words
}

/// How many content words before a figure name what it is the figure of; a text's figure is
/// read as the figure of a word within twice as many words before it.
const FIGURE_REACH: usize = 3;

/// Whether a year a statement states is one the text gives another year for. Each of the
/// content words just before the year in the statement (none that `ignored` names) votes for
/// the figure that follows it in the text, when all its occurrences there that have one have
/// the same ("until" before both 2032 and 2030 names neither); the year loses when another
/// year gets more votes ("Altman said the revenue share runs until 2032": his words say "the
/// revenue-share arrangement until 2030"). Only years: a text may give two figures of one thing
/// ("opened down about 1 % and fell as much as 4 %"). `given` is the text's terms, as `vocab`
/// reads its words.
pub(crate) fn misstates_figure(
    vocab: &Vocab,
    ignored: impl Fn(&str) -> bool,
    stated: &[String],
    given: &[Term],
) -> bool {
    let figure = |t: &Term| t.word.bytes().any(|b| b.is_ascii_digit());
    let said = vocab.terms(stated);
    let follows = |stem: &str| {
        let mut found = given
            .iter()
            .enumerate()
            .filter(|(_, g)| g.stem == stem)
            .filter_map(|(j, _)| {
                given[j + 1..]
                    .iter()
                    .take(FIGURE_REACH * 2)
                    .find(|t| figure(t))
                    .map(|t| t.word.as_str())
            });
        let first = found.next()?;
        found.all(|f| f == first).then_some(first)
    };
    let year = |t: &Term| t.word.len() == 4 && t.word.bytes().all(|b| b.is_ascii_digit());
    said.iter()
        .enumerate()
        .filter(|(_, t)| year(t))
        .any(|(i, asked)| {
            let mut votes: Vec<(&str, usize)> = Vec::new();
            for w in said[..i]
                .iter()
                .rev()
                .filter(|t| !t.stop && !figure(t) && !ignored(&t.stem))
                .take(FIGURE_REACH)
            {
                if let Some(f) = follows(&w.stem) {
                    match votes.iter_mut().find(|(g, _)| *g == f) {
                        Some((_, n)) => *n += 1,
                        None => votes.push((f, 1)),
                    }
                }
            }
            let own = votes
                .iter()
                .find(|(f, _)| *f == asked.word)
                .map_or(0, |v| v.1);
            votes
                .iter()
                .any(|&(f, n)| f.len() == asked.word.len() && n > own)
        })
}

/// Everything an intent says, for number checks.
fn intent_text(intent: &Intent) -> String {
    let mut text = intent.answer.clone();
    for fact in &intent.facts {
        text.push(' ');
        text.push_str(&fact.text);
        for c in &fact.cite {
            text.push(' ');
            text.push_str(&c.quote);
        }
    }
    if let Some(slot) = &intent.slot {
        for v in &slot.values {
            text.push(' ');
            text.push_str(&v.fact.text);
        }
    }
    text
}

/// A number stated in a question, with its kind.
#[derive(Debug, Clone, PartialEq)]
enum Number {
    Year(u32),
    Percent(f64),
    Money(f64),
    Other(f64),
    /// A month named in words (1–12): "by June", "in March".
    Month(u8),
    /// A multiple: "2x the investment", "twice as much".
    Multiple(f64),
}

/// Month names read as dates. "May" is left out: it is far more often the modal verb.
const MONTH_NAMES: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Whether a month's name is the folded word ("june"; never "may").
pub(crate) fn is_month(word: &str) -> bool {
    !word.is_empty() && MONTH_NAMES.contains(&word)
}

/// Whether a folded word names a time: a season, a quarter, a month ("march" aside: far more
/// often the verb in a question than a month's name).
fn is_time(word: &str) -> bool {
    TIMES.contains(&word) || (word != "march" && is_month(word))
}

impl Number {
    fn same_kind(&self, other: &Number) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}

/// Whether a folded word is a number word ("twenty", "seven").
/// Whether words name a time ("by june", "in Q3", "next month", "in 2027").
pub(crate) fn names_time(words: &[String]) -> bool {
    words.iter().enumerate().any(|(i, w)| {
        time_at(w, words.get(i + 1).map(String::as_str))
            || (w.len() == 4 && w.starts_with("20") && w.chars().all(|c| c.is_ascii_digit()))
    })
}

/// Whether a folded word, given the word after it, names a time ("june", "q3", "next month").
fn time_at(word: &str, next: Option<&str>) -> bool {
    is_time(word) || (word == "next" && next.is_some_and(|n| TIME_UNITS.contains(&n)))
}

fn is_number_word(word: &str) -> bool {
    normalize::number_word(word).is_some()
}

/// The text with numbers written in words as digits ("twenty seven percent" → "27 percent",
/// "ten billion" → "10 billion"); a tens word takes a following unit ("forty-nine").
fn spell_digits(text: &str) -> String {
    // Runs of letters, as byte ranges; a number can run on over spaces and hyphens only.
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for (at, c) in text.char_indices() {
        match spans.last_mut() {
            Some(last) if c.is_ascii_alphabetic() && last.1 == at => last.1 = at + 1,
            _ if c.is_ascii_alphabetic() => spans.push((at, at + 1)),
            _ => {}
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut j = 0;
    while j < spans.len() {
        let word = |k: usize| {
            let joined = (j..j + k).all(|m| {
                spans.get(m + 1).is_some_and(|next| {
                    text[spans[m].1..next.0]
                        .chars()
                        .all(|c| c == ' ' || c == '-')
                })
            });
            let (start, end) = *spans.get(j + k)?;
            joined.then(|| &text[start..end])
        };
        match normalize::read_number(word) {
            Some((value, used)) => {
                out.push_str(&text[copied..spans[j].0]);
                out.push_str(&value.to_string());
                copied = spans[j + used - 1].1;
                j += used;
            }
            None => j += 1,
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// The numbers in a text: years, percentages, money (in billions when a scale follows).
fn numbers(text: &str) -> Vec<Number> {
    let folded = text.to_lowercase().replace(['‑', '–'], "-");
    let chars: Vec<char> = folded.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.' || chars[i] == ',') {
            i += 1;
        }
        let raw: String = chars[start..i]
            .iter()
            .filter(|c| **c != ',')
            .collect::<String>()
            .trim_end_matches('.')
            .to_owned();
        let Ok(value) = raw.parse::<f64>() else {
            continue;
        };
        let dollar = start > 0 && chars[start - 1] == '$';
        let rest: String = chars[i..chars.len().min(i + 12)].iter().collect();
        let rest = rest.trim_start();
        let multiple = chars.get(i) == Some(&'x')
            && !chars.get(i + 1).is_some_and(|c| c.is_ascii_alphanumeric());
        let number = if multiple {
            Number::Multiple(value)
        } else if rest.starts_with('%')
            || rest.starts_with("percent")
            || rest.starts_with("per cent")
        {
            Number::Percent(value)
        } else if dollar
            || rest.starts_with("billion")
            || rest.starts_with("bn")
            || rest.starts_with("b ")
            || rest.starts_with("million")
            || rest.starts_with("trillion")
        {
            let scaled = if rest.starts_with("million") {
                value / 1000.0
            } else if rest.starts_with("trillion") {
                value * 1000.0
            } else {
                value
            };
            Number::Money(scaled)
        } else if raw.len() == 4 && (1900.0..2100.0).contains(&value) {
            Number::Year(value as u32)
        } else {
            Number::Other(value)
        };
        out.push(number);
    }
    for word in folded.split(|c: char| !c.is_ascii_alphabetic()) {
        let times = match word {
            "twice" => Some(2.0),
            "thrice" => Some(3.0),
            "tenfold" => Some(10.0),
            _ => None,
        };
        if let Some(times) = times {
            out.push(Number::Multiple(times));
        }
        if let Some(m) = MONTH_NAMES.iter().position(|m| !m.is_empty() && *m == word) {
            let month = Number::Month(m as u8 + 1);
            if !out.contains(&month) {
                out.push(month);
            }
        }
    }
    out
}

/// For a yes/no question stating a number: `not_said` when the intent gives no number of that
/// kind, `no` when it gives only different ones; `None` when every stated number is given.
fn number_verdict(given: &[Number], question: &str) -> Option<Verdict> {
    // "ten billion" is a figure the question states.
    let asked = numbers(&spell_digits(question));
    if asked.is_empty() {
        return None;
    }
    let mut verdict = None;
    for n in &asked {
        if matches!(n, Number::Other(_)) {
            continue;
        }
        if given.contains(n) {
            continue;
        }
        let any_of_kind = given.iter().any(|g| g.same_kind(n));
        let v = if any_of_kind {
            Verdict::No
        } else {
            Verdict::NotSaid
        };
        // "No" is the stronger statement only when the sources give the figure.
        verdict = match (verdict, v) {
            (Some(Verdict::No), _) | (_, Verdict::No) => Some(Verdict::No),
            _ => Some(Verdict::NotSaid),
        };
    }
    verdict
}

fn has_amount(text: &str) -> bool {
    numbers(text)
        .iter()
        .any(|n| matches!(n, Number::Percent(_) | Number::Money(_) | Number::Other(_)))
}

fn has_date(text: &str) -> bool {
    const MONTHS: &[&str] = &[
        "January",
        "February",
        "March",
        "April",
        "May ",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    numbers(text).iter().any(|n| matches!(n, Number::Year(_)))
        || MONTHS.iter().any(|m| text.contains(m))
}

/// Checks of the claims, aspects, `follow` maps and unreported details (run by
/// [`super::validate`]): leads say what the engine expects of them, form names and `follow`
/// targets exist, and every word sequence has words.
pub(crate) fn check(kb: &KnowledgeBase, sites: &Sites, errors: &mut Vec<DataError>) {
    for (file, line, verdict, lead) in &sites.leads {
        let unreported = file.ends_with(super::data::NOT_COVERED_FILE);
        match verdict {
            Some(Verdict::NotSaid) | None
                if (unreported || verdict.is_some()) && !starts_not_said(lead) =>
            {
                errors.push(DataError::at(
                    file,
                    *line,
                    "a `not_said` claim or unreported detail must lead with \"The sources don't …\"",
                ));
            }
            Some(Verdict::Yes | Verdict::No)
                if starts_with_verdict(lead) || starts_not_said(lead) =>
            {
                errors.push(DataError::at(
                    file,
                    *line,
                    "a `yes`/`no` claim's lead must not start with Yes/No: the engine adds \"Yes — \" or \"No — \"",
                ));
            }
            _ => {}
        }
        if lead.trim().is_empty() {
            errors.push(DataError::at(file, *line, "empty lead"));
        }
    }
    for (file, id, forms, targets) in &sites.forms {
        for form in forms {
            if Form::from_name(form).is_none()
                && ![question::BEFORE, question::NOW, question::SINCE].contains(&form.as_str())
            {
                let names: Vec<&str> = Form::ALL.iter().map(|(_, n)| *n).collect();
                errors.push(DataError::file(
                    file.clone(),
                    format!(
                        "intent `{id}`: unknown question form `{form}` (expected one of {}, `{}`, `{}` or `{}`)",
                        names.join(", "),
                        question::BEFORE,
                        question::NOW,
                        question::SINCE
                    ),
                ));
            }
        }
        for target in targets {
            let uncovered = kb.uncovered.iter().any(|u| &u.id == target);
            if kb.intent(target).is_none() && !uncovered {
                errors.push(DataError::file(
                    file.clone(),
                    format!(
                        "intent `{id}`: `follow` names unknown intent or not-covered topic `{target}`"
                    ),
                ));
            }
        }
    }
    let lex = &kb.lexicon;
    let vocab = Vocab::new(
        lex.synonyms.iter().map(|(k, v)| (k.as_str(), v.as_slice())),
        &lex.stopwords,
        &lex.fillers,
    );
    let empty = |errors: &mut Vec<DataError>, file: String, what: &str, entries: &[String]| {
        for entry in entries {
            if WordSeq::compile(&vocab, entry).is_empty() {
                errors.push(DataError::file(
                    file.clone(),
                    format!("{what}: word sequence {entry:?} has no words"),
                ));
            }
        }
    };
    for intent in &kb.intents {
        let file = format!("intents/{}.toml", intent.id);
        for c in &intent.claims {
            empty(errors, file.clone(), "claim", &c.when);
            empty(errors, file.clone(), "claim `unless`", &c.unless);
        }
        for a in &intent.aspects {
            empty(errors, file.clone(), "aspect", &a.when);
            if a.forms.is_empty() && a.when.is_empty() {
                errors.push(DataError::file(
                    file.clone(),
                    "an aspect needs `forms` or `when`".to_owned(),
                ));
            }
        }
    }
    for u in &kb.unreported {
        let file = format!("intents/{}", super::data::NOT_COVERED_FILE);
        empty(errors, file.clone(), "unreported", &u.when);
        empty(errors, file, "unreported `unless`", &u.unless);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_leading_verdict_words() {
        assert_eq!(strip_verdict("Yes. OpenAI may now"), "OpenAI may now");
        assert_eq!(strip_verdict("No, Azure customers"), "Azure customers");
        assert_eq!(strip_verdict("Nothing changes"), "Nothing changes");
    }

    #[test]
    fn reads_numbers_by_kind() {
        assert_eq!(
            numbers("a $10 billion stake in 2019, 27 %"),
            vec![
                Number::Money(10.0),
                Number::Year(2019),
                Number::Percent(27.0)
            ]
        );
        assert_eq!(numbers("$50bn"), vec![Number::Money(50.0)]);
        assert_eq!(
            numbers("a cap of 2x the investment, or twice?"),
            vec![Number::Multiple(2.0), Number::Multiple(2.0)]
        );
        assert_eq!(numbers("the 2xl model"), vec![Number::Other(2.0)]);
    }

    #[test]
    fn reads_numbers_written_in_words_in_a_question() {
        assert_eq!(
            spell_digits("about twenty seven percent, or forty-nine, or ten billion?"),
            "about 27 percent, or 49, or 10 billion?"
        );
        assert_eq!(
            spell_digits("someone swears it's often"),
            "someone swears it's often"
        );
        assert_eq!(
            spell_digits("since twenty nineteen, twenty per cent until twenty thirty-two"),
            "since 2019, 20 per cent until 2032"
        );
        assert_eq!(
            number_verdict(&[Number::Money(1.0)], "was it Ten Billion?"),
            Some(Verdict::No)
        );
        assert_eq!(
            number_verdict(&[Number::Percent(27.0)], "twenty-seven percent?"),
            None
        );
    }

    #[test]
    fn reads_month_names_as_dates_but_not_may() {
        assert_eq!(
            numbers("live in Bedrock by June, or in September 2026?"),
            vec![Number::Year(2026), Number::Month(6), Number::Month(9)]
        );
        assert_eq!(numbers("may openai list on the market?"), vec![]);
        assert_eq!(numbers("the marching orders"), vec![]);
    }
}
