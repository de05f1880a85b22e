//! Scoring the engine against labelled questions (the dev-set format).
//!
//! Each case is one JSON object per line: `q` (the question), `intent` (the expected id, or null
//! for "must not answer"), optional `also` (other accepted ids) and optional `must` (groups of
//! substrings; the answer text must contain one of each group, case-insensitively).

use serde::Deserialize;

use super::{Answer, Engine};

/// One labelled question.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// The question.
    pub q: String,
    /// Expected intent; `None` means the bot must not answer.
    pub intent: Option<String>,
    /// Other accepted intents.
    #[serde(default)]
    pub also: Vec<String>,
    /// Groups of substrings; the answer text must contain one of each group.
    #[serde(default)]
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
