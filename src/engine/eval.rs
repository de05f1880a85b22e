//! Scoring the engine against labelled questions (the dev-set format).
//!
//! Each case is one JSON object per line: `q` (the question), `intent` (the expected id, or null
//! for "must not answer"), optional `also` (other accepted ids) and optional `must` (groups of
//! substrings; the answer text must contain one of each group, case-insensitively).
//!
//! [`parse_rows`] reads the five row kinds of a question-forms file ([`Row`]): besides single
//! and must-not-answer cases, a case with a `verdict` (yes/no questions), `{"q", "parts":
//! [id|null, …]}` (a message asking several things; null is a part that must be said to be
//! uncovered) and `{"conversation": [case, …]}` (turns answered in one context);
//! [`evaluate_rows`] scores each kind separately ([`KindsReport`]).

use serde::{Deserialize, Serialize};

use super::data::{KnowledgeBase, Verdict};
use super::matcher::Options;
use super::{Answer, Context, Engine};

/// One labelled question.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// The question.
    pub q: String,
    /// Expected intent; `None` means the bot must not answer.
    pub intent: Option<String>,
    /// Other accepted intents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<String>,
    /// Groups of substrings; the answer text must contain one of each group.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub must: Vec<Vec<String>>,
    /// For a yes/no question: the verdict the answer must give and lead with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
}

/// A labelled row of any kind.
#[derive(Debug, Clone)]
pub enum Row {
    /// One question (single, must-not-answer, or with a verdict).
    Case(Case),
    /// A message asking several things: expected intent per part (`None`: must be said to be
    /// uncovered).
    Compound {
        /// The message.
        q: String,
        /// Expected intents, in order.
        parts: Vec<Option<String>>,
    },
    /// Turns answered in one conversation.
    Conversation(Vec<Case>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CompoundRow {
    q: String,
    parts: Vec<Option<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConversationRow {
    conversation: Vec<Case>,
}

/// Parses JSON Lines rows of every kind; errors name the line.
pub fn parse_rows(text: &str) -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("line {}: {e}", n + 1))?;
        let row = if value.get("conversation").is_some() {
            serde_json::from_value::<ConversationRow>(value)
                .map(|r| Row::Conversation(r.conversation))
        } else if value.get("parts").is_some() {
            serde_json::from_value::<CompoundRow>(value).map(|r| Row::Compound {
                q: r.q,
                parts: r.parts,
            })
        } else {
            serde_json::from_value::<Case>(value).map(Row::Case)
        };
        rows.push(row.map_err(|e| format!("line {}: {e}", n + 1))?);
    }
    Ok(rows)
}

/// Right / total for one kind of row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Rows (or turns) right.
    pub right: usize,
    /// Rows (or turns) scored.
    pub total: usize,
}

impl Tally {
    fn add(&mut self, ok: bool) {
        self.right += usize::from(ok);
        self.total += 1;
    }

    /// Share right, in [0, 1] (1 when empty).
    pub fn rate(&self) -> f64 {
        ratio(self.right, self.total)
    }
}

/// Scores per row kind.
#[derive(Debug, Clone, Default)]
pub struct KindsReport {
    /// Single questions answered with an accepted intent (and their `must` groups).
    pub single: Tally,
    /// Must-not-answer questions not answered.
    pub refused: Tally,
    /// Single questions answered with a wrong intent.
    pub wrong_topic: Tally,
    /// Verdict rows with the right intent, verdict and lead.
    pub verdicts: Tally,
    /// Compound rows with every part right.
    pub compound: Tally,
    /// First turns of conversations.
    pub first_turns: Tally,
    /// Later turns of conversations (follow-ups).
    pub follow_ups: Tally,
    /// One line per failure, for reading.
    pub failures: Vec<String>,
}

/// Whether an answer is right for a case: the accepted intent and every `must` group, or not
/// answered for a must-not-answer case.
pub fn case_right(answer: &Answer, case: &Case) -> bool {
    match &case.intent {
        None => !answer.answered,
        Some(expected) => {
            answer.answered
                && answer
                    .intent
                    .as_ref()
                    .is_some_and(|g| g == expected || case.also.contains(g))
                && must_missing(answer, &case.must).is_empty()
        }
    }
}

/// Whether the answer gives `verdict` and leads with it in words ("Yes", "No", "The sources
/// don't …").
pub fn leads_with(answer: &Answer, verdict: Verdict) -> bool {
    let text = answer.text.trim_start().to_lowercase();
    let lead_ok = match verdict {
        Verdict::Yes => text.starts_with("yes"),
        Verdict::No => text.starts_with("no"),
        Verdict::NotSaid => {
            text.starts_with("the sources don't")
                || text.starts_with("the sources don’t")
                || text.starts_with("the sources do not")
        }
    };
    answer.verdict == Some(verdict) && lead_ok
}

/// Runs every row through the engine, scoring each kind separately.
pub fn evaluate_rows(engine: &Engine, rows: &[Row]) -> KindsReport {
    let mut r = KindsReport::default();
    let brief = |a: &Answer| {
        format!(
            "{} {:?} “{}”",
            a.intent
                .as_deref()
                .filter(|_| a.answered)
                .unwrap_or("(not answered)"),
            a.verdict,
            a.text.lines().next().unwrap_or("")
        )
    };
    for row in rows {
        match row {
            Row::Case(case) => {
                let answer = engine.answer(&case.q);
                let right = case_right(&answer, case);
                match (&case.intent, case.verdict) {
                    (_, Some(verdict)) => {
                        let ok = right && leads_with(&answer, verdict);
                        r.verdicts.add(ok);
                        if !ok {
                            r.failures.push(format!(
                                "VERDICT {:?} want {} {verdict:?}, got {}",
                                case.q,
                                case.intent.as_deref().unwrap_or("-"),
                                brief(&answer)
                            ));
                        }
                    }
                    (None, None) => {
                        r.refused.add(right);
                        if !right {
                            r.failures
                                .push(format!("REFUSE {:?} got {}", case.q, brief(&answer)));
                        }
                    }
                    (Some(expected), None) => {
                        r.single.add(right);
                        let wrong = answer.answered
                            && answer
                                .intent
                                .as_ref()
                                .is_some_and(|g| g != expected && !case.also.contains(g));
                        r.wrong_topic.add(wrong);
                        if !right {
                            r.failures.push(format!(
                                "SINGLE {:?} want {expected}, got {}",
                                case.q,
                                brief(&answer)
                            ));
                        }
                    }
                }
            }
            Row::Compound { q, parts } => {
                let answer = engine.answer(q);
                let got: Vec<&Answer> = if answer.parts.is_empty() {
                    vec![&answer]
                } else {
                    answer.parts.iter().collect()
                };
                let ok = got.len() == parts.len()
                    && got.iter().zip(parts).all(|(a, p)| match p {
                        Some(id) => a.answered && a.intent.as_deref() == Some(id.as_str()),
                        None => !a.answered,
                    });
                r.compound.add(ok);
                if !ok {
                    let got: Vec<String> = got
                        .iter()
                        .map(|a| {
                            format!(
                                "{:?}→{}",
                                a.question,
                                a.intent.as_deref().filter(|_| a.answered).unwrap_or("null")
                            )
                        })
                        .collect();
                    r.failures
                        .push(format!("COMPOUND {q:?} want {parts:?}, got {got:?}"));
                }
            }
            Row::Conversation(turns) => {
                let mut ctx = Context::default();
                for (i, turn) in turns.iter().enumerate() {
                    let (answer, next) = engine.answer_in(&turn.q, &ctx);
                    ctx = next;
                    let ok = case_right(&answer, turn)
                        && turn.verdict.is_none_or(|v| leads_with(&answer, v));
                    if i == 0 {
                        r.first_turns.add(ok);
                    } else {
                        r.follow_ups.add(ok);
                    }
                    if !ok {
                        r.failures.push(format!(
                            "TURN {i} {:?} want {}, got {}",
                            turn.q,
                            turn.intent.as_deref().unwrap_or("null"),
                            brief(&answer)
                        ));
                    }
                }
            }
        }
    }
    r
}

/// A case the engine got wrong.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The case.
    pub case: Case,
    /// What the engine answered (`None`: not answered).
    pub got: Option<String>,
    /// Confidence of the answer.
    pub confidence: f64,
    /// Missing `must` groups, if the intent was right.
    pub missing: Vec<Vec<String>>,
}

/// Totals of an evaluation.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// In-scope cases.
    pub in_scope: usize,
    /// In-scope cases answered with an accepted intent.
    pub in_scope_correct: usize,
    /// Out-of-scope cases.
    pub out_of_scope: usize,
    /// Out-of-scope cases not answered.
    pub out_of_scope_rejected: usize,
    /// `must` groups checked.
    pub must_groups: usize,
    /// `must` groups satisfied.
    pub must_hits: usize,
    /// Every failure.
    pub failures: Vec<Failure>,
    /// (expected, got) → count, for wrong in-scope answers and wrongly answered out-of-scope cases.
    pub confusion: Vec<((String, String), usize)>,
    /// In-scope cases answered with an intent that is not accepted (a wrong topic).
    pub wrong_topic: usize,
    /// (confidence, right) of every answered case, for the reliability table.
    pub answered: Vec<(f64, bool)>,
}

impl Report {
    /// In-scope accuracy in [0, 1] (1 when there are no in-scope cases).
    pub fn accuracy(&self) -> f64 {
        ratio(self.in_scope_correct, self.in_scope)
    }

    /// Out-of-scope rejection rate in [0, 1].
    pub fn rejection(&self) -> f64 {
        ratio(self.out_of_scope_rejected, self.out_of_scope)
    }

    /// Share of `must` groups satisfied.
    pub fn must_rate(&self) -> f64 {
        ratio(self.must_hits, self.must_groups)
    }

    /// Share of in-scope cases answered on a wrong topic, in [0, 1].
    pub fn wrong_topic_rate(&self) -> f64 {
        if self.in_scope == 0 {
            0.0
        } else {
            self.wrong_topic as f64 / self.in_scope as f64
        }
    }

    /// Adds another report's counts (for cross-validation folds).
    pub fn merge(&mut self, other: Report) {
        self.in_scope += other.in_scope;
        self.in_scope_correct += other.in_scope_correct;
        self.out_of_scope += other.out_of_scope;
        self.out_of_scope_rejected += other.out_of_scope_rejected;
        self.must_groups += other.must_groups;
        self.must_hits += other.must_hits;
        self.wrong_topic += other.wrong_topic;
        self.failures.extend(other.failures);
        self.answered.extend(other.answered);
        let mut confusion: std::collections::BTreeMap<(String, String), usize> =
            std::mem::take(&mut self.confusion).into_iter().collect();
        for (key, n) in other.confusion {
            *confusion.entry(key).or_default() += n;
        }
        self.confusion = confusion.into_iter().collect();
        self.confusion.sort_by_key(|e| std::cmp::Reverse(e.1));
    }

    /// Reliability of the confidence: for each bin `[lo, hi)` of answered cases, how many there
    /// are and the share answered right.
    pub fn reliability(&self, bins: usize) -> Vec<(f64, f64, usize, f64)> {
        let bins = bins.max(1);
        (0..bins)
            .map(|b| {
                let lo = b as f64 / bins as f64;
                let hi = (b + 1) as f64 / bins as f64;
                let inside: Vec<bool> = self
                    .answered
                    .iter()
                    .filter(|(c, _)| *c >= lo && (*c < hi || (b + 1 == bins && *c <= hi)))
                    .map(|(_, ok)| *ok)
                    .collect();
                let right = inside.iter().filter(|ok| **ok).count();
                (lo, hi, inside.len(), ratio(right, inside.len()))
            })
            .collect()
    }
}

/// The labelled questions of `intents/questions/` as cases.
pub fn training_cases(kb: &KnowledgeBase) -> Vec<Case> {
    kb.questions
        .iter()
        .map(|q| Case {
            q: q.q.clone(),
            intent: q.intent.clone(),
            also: q.also.clone(),
            must: q.must.clone(),
            verdict: q.verdict,
        })
        .collect()
}

/// K-fold cross-validation over the labelled questions of `intents/questions/`: each fold is
/// scored by an engine trained without it (the intents' and topics' own examples always
/// train). Folds are drawn by a fixed seed, so the figures are reproducible.
pub fn cross_validate(kb: &KnowledgeBase, k: usize, options: &Options) -> Report {
    let k = k.max(2);
    let n = kb.questions.len();
    let mut order: Vec<usize> = (0..n).collect();
    // A fixed permutation (multiplicative hashing), so folds mix the files.
    order.sort_by_key(|&i| {
        (i as u64)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(17)
    });
    let mut fold_of = vec![0usize; n];
    for (rank, &i) in order.iter().enumerate() {
        fold_of[i] = rank % k;
    }
    let cases = training_cases(kb);
    let mut total = Report::default();
    for fold in 0..k {
        let mut train = kb.clone();
        train.questions = kb
            .questions
            .iter()
            .enumerate()
            .filter(|(i, _)| fold_of[*i] != fold)
            .map(|(_, q)| q.clone())
            .collect();
        let engine = Engine::from_knowledge(train, options.clone());
        let held_out: Vec<Case> = cases
            .iter()
            .enumerate()
            .filter(|(i, _)| fold_of[*i] == fold)
            .map(|(_, c)| c.clone())
            .collect();
        total.merge(evaluate(&engine, &held_out));
    }
    total
}

/// How many of `cases` are labelled training questions of `kb` (their figures are a training
/// fit, not a measure of generalisation).
pub fn training_overlap(kb: &KnowledgeBase, cases: &[Case]) -> usize {
    let trained: std::collections::HashSet<String> = kb
        .questions
        .iter()
        .map(|q| super::validate::question_key(&q.q))
        .chain(kb.intents.iter().flat_map(|i| {
            i.examples
                .iter()
                .chain(&i.question)
                .map(|q| super::validate::question_key(q))
        }))
        .collect();
    cases
        .iter()
        .filter(|c| trained.contains(&super::validate::question_key(&c.q)))
        .count()
}

/// The failures as JSON Lines in the format of `intents/questions/*.jsonl`, ready to review
/// and add: the expected label, without the `must` groups.
pub fn failures_jsonl(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.failures {
        let case = Case {
            must: Vec::new(),
            ..f.case.clone()
        };
        if let Ok(line) = serde_json::to_string(&case) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// Parses JSON Lines cases; errors name the line.
pub fn parse_cases(text: &str) -> Result<Vec<Case>, String> {
    let mut cases = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let case: Case = serde_json::from_str(line).map_err(|e| format!("line {}: {e}", n + 1))?;
        cases.push(case);
    }
    Ok(cases)
}

/// Runs every case through the engine.
pub fn evaluate(engine: &Engine, cases: &[Case]) -> Report {
    let mut report = Report::default();
    let mut confusion: std::collections::BTreeMap<(String, String), usize> = Default::default();
    for case in cases {
        let answer = engine.answer(&case.q);
        let got = answer.intent.clone().filter(|_| answer.answered);
        if got.is_some() {
            let right = case.intent.as_ref().is_some_and(|e| {
                got.as_ref() == Some(e) || got.as_ref().is_some_and(|g| case.also.contains(g))
            });
            report.answered.push((answer.confidence, right));
        }
        let label = |x: &Option<String>| x.clone().unwrap_or_else(|| "(not answered)".to_owned());
        match &case.intent {
            Some(expected) => {
                report.in_scope += 1;
                let ok = got
                    .as_ref()
                    .is_some_and(|g| g == expected || case.also.contains(g));
                let missing = must_missing(&answer, &case.must);
                report.must_groups += case.must.len();
                report.must_hits += case.must.len() - missing.len();
                if ok {
                    report.in_scope_correct += 1;
                } else {
                    if got.is_some() {
                        report.wrong_topic += 1;
                    }
                    *confusion
                        .entry((expected.clone(), label(&got)))
                        .or_default() += 1;
                }
                if !ok || !missing.is_empty() {
                    report.failures.push(Failure {
                        case: case.clone(),
                        got,
                        confidence: answer.confidence,
                        missing,
                    });
                }
            }
            None => {
                report.out_of_scope += 1;
                if got.is_none() {
                    report.out_of_scope_rejected += 1;
                } else {
                    *confusion
                        .entry(("(not answered)".to_owned(), label(&got)))
                        .or_default() += 1;
                    report.failures.push(Failure {
                        case: case.clone(),
                        got,
                        confidence: answer.confidence,
                        missing: Vec::new(),
                    });
                }
            }
        }
    }
    report.confusion = confusion.into_iter().collect();
    report.confusion.sort_by_key(|e| std::cmp::Reverse(e.1));
    report
}

fn must_missing(answer: &Answer, must: &[Vec<String>]) -> Vec<Vec<String>> {
    let text = answer.text.to_lowercase();
    must.iter()
        .filter(|group| !group.iter().any(|s| text.contains(&s.to_lowercase())))
        .cloned()
        .collect()
}
