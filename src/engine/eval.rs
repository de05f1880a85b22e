//! Scoring the engine against labelled questions (the dev-set format).
//!
//! Each case is one JSON object per line: `q` (the question), `intent` (the expected id, or null
//! for "must not answer"), optional `also` (other accepted ids) and optional `must` (groups of
//! substrings; the answer text must contain one of each group, case-insensitively).

use serde::{Deserialize, Serialize};

use super::data::KnowledgeBase;
use super::matcher::Options;
use super::{Answer, Engine};

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
            must: Vec::new(),
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
