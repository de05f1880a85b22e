//! The report over the store: questions per platform and day, the answered rate, the unanswered
//! questions grouped by normalised text (with the closest intent), 👎 answers with their
//! question and intent, and the most-asked intents.
//!
//! [`build`] computes a [`Report`], a plain serialisable value; [`Report::to_text`] and
//! [`Report::to_html`] render it (JSON is serde's). `dealbot report` prints it, and
//! `server/report.rs` serves it at `GET /report` and `GET /v1/report`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use super::{Store, StoreError, unix, with_pool};

/// Most unanswered groups, 👎 answers and intents listed.
pub const MAX_ROWS: usize = 50;
/// `(normalized, intent, count, example question)`.
type UnansweredRow = (Option<String>, Option<String>, i64, Option<String>);
/// `(answer id, asked at, question, intent, 👎, 👍)`.
type DownvotedRow = (String, i64, Option<String>, Option<String>, i64, i64);

/// Most `(normalised text, intent)` rows read to group unanswered questions.
const MAX_UNANSWERED_ROWS: i64 = 5000;

/// What the store saw in a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Start of the period (inclusive), `YYYY-MM-DD HH:MM UTC`.
    pub since: String,
    /// End of the period (inclusive), `YYYY-MM-DD HH:MM UTC`.
    pub until: String,
    /// Questions asked.
    pub questions: u64,
    /// Of which answered.
    pub answered: u64,
    /// `answered / questions` (0 when nothing was asked).
    pub answered_rate: f64,
    /// 👍 votes in the period.
    pub feedback_up: u64,
    /// 👎 votes in the period.
    pub feedback_down: u64,
    /// Questions per UTC day and platform, oldest first.
    pub per_day: Vec<DayCount>,
    /// Unanswered questions grouped by normalised text, most frequent first.
    pub unanswered: Vec<UnansweredGroup>,
    /// Answers with at least one 👎, most 👎 first.
    pub downvoted: Vec<Downvoted>,
    /// Intents by questions, most first.
    pub top_intents: Vec<IntentCount>,
}

/// Questions on one day from one platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayCount {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    /// `slack`, `discord`, `http`, …
    pub platform: String,
    /// Questions asked.
    pub questions: u64,
    /// Of which answered.
    pub answered: u64,
}

/// Unanswered questions that normalise to the same text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnansweredGroup {
    /// The normalised text; `None` for questions stored without text (`store.questions = false`).
    pub normalized: Option<String>,
    /// One of the questions as asked.
    pub example: Option<String>,
    /// How many times.
    pub count: u64,
    /// The intent most often recorded as closest for these questions, when any.
    pub closest_intent: Option<String>,
}

/// An answer that got a 👎.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Downvoted {
    /// The answer's id.
    pub answer_id: String,
    /// When it was asked, `YYYY-MM-DD HH:MM UTC`.
    pub asked: String,
    /// The question, when stored.
    pub question: Option<String>,
    /// The intent answered.
    pub intent: Option<String>,
    /// 👎 votes.
    pub down: u64,
    /// 👍 votes.
    pub up: u64,
}

/// Questions that went to one intent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntentCount {
    /// The intent id.
    pub intent: String,
    /// Questions recorded with this intent.
    pub questions: u64,
    /// Of which answered.
    pub answered: u64,
}

/// Parses an age such as `7d`, `24h`, `30m` or `2w`.
pub fn parse_age(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let bad = || format!("{text:?} is not an age like 7d, 24h, 30m or 2w");
    let unit = text.chars().last().ok_or_else(bad)?;
    let number: u64 = text[..text.len() - unit.len_utf8()]
        .parse()
        .map_err(|_| bad())?;
    let seconds = match unit {
        'm' => 60,
        'h' => 60 * 60,
        'd' => 24 * 60 * 60,
        'w' => 7 * 24 * 60 * 60,
        _ => return Err(bad()),
    };
    number
        .checked_mul(seconds)
        .filter(|s| *s <= 100 * 365 * 24 * 60 * 60)
        .map(Duration::from_secs)
        .ok_or_else(bad)
}

/// The report for `[since, until]` (both inclusive, to the second).
pub async fn build(
    store: &Store,
    since: SystemTime,
    until: SystemTime,
) -> Result<Report, StoreError> {
    let (from, to) = (unix(since), unix(until));
    let db = store.db();

    let (questions, answered): (i64, i64) = store
        .read(async {
            with_pool!(db, pool => sqlx::query_as(
            "SELECT COUNT(*), COUNT(CASE WHEN answered THEN 1 END) FROM answers \
             WHERE at >= $1 AND at <= $2",
        )
        .bind(from)
        .bind(to)
        .fetch_one(pool).await)
        })
        .await?;

    let (feedback_up, feedback_down): (i64, i64) = store
        .read(async {
            with_pool!(db, pool => sqlx::query_as(
            "SELECT COUNT(CASE WHEN vote = 'up' THEN 1 END), \
             COUNT(CASE WHEN vote = 'down' THEN 1 END) FROM feedback WHERE at >= $1 AND at <= $2",
        )
        .bind(from)
        .bind(to)
        .fetch_one(pool).await)
        })
        .await?;

    let days: Vec<(i64, String, i64, i64)> = store
        .read(async {
            with_pool!(db, pool => sqlx::query_as(
            "SELECT at / 86400, platform, COUNT(*), COUNT(CASE WHEN answered THEN 1 END) \
             FROM answers WHERE at >= $1 AND at <= $2 \
             GROUP BY at / 86400, platform ORDER BY 1, 2",
        )
        .bind(from)
        .bind(to)
        .fetch_all(pool).await)
        })
        .await?;

    let unanswered: Vec<UnansweredRow> = store
        .read(async {
            with_pool!(db, pool => sqlx::query_as(
            "SELECT normalized, intent, COUNT(*), MIN(question) FROM answers \
             WHERE at >= $1 AND at <= $2 AND NOT answered \
             GROUP BY normalized, intent ORDER BY 3 DESC LIMIT $3",
        )
        .bind(from)
        .bind(to)
        .bind(MAX_UNANSWERED_ROWS)
        .fetch_all(pool).await)
        })
        .await?;

    let limit = MAX_ROWS as i64;
    let downvoted: Vec<DownvotedRow> = store
        .read(async {
            with_pool!(db, pool => sqlx::query_as(
            "SELECT a.id, a.at, a.question, a.intent, \
             COUNT(CASE WHEN f.vote = 'down' THEN 1 END), \
             COUNT(CASE WHEN f.vote = 'up' THEN 1 END) \
             FROM feedback f JOIN answers a ON a.id = f.answer_id \
             WHERE f.at >= $1 AND f.at <= $2 \
             GROUP BY a.id, a.at, a.question, a.intent \
             HAVING COUNT(CASE WHEN f.vote = 'down' THEN 1 END) > 0 \
             ORDER BY 5 DESC, 2 DESC LIMIT $3",
        )
        .bind(from)
        .bind(to)
        .bind(limit)
        .fetch_all(pool).await)
        })
        .await?;

    let intents: Vec<(String, i64, i64)> = store
        .read(async {
            with_pool!(db, pool => sqlx::query_as(
            "SELECT intent, COUNT(*), COUNT(CASE WHEN answered THEN 1 END) FROM answers \
             WHERE at >= $1 AND at <= $2 AND intent IS NOT NULL \
             GROUP BY intent ORDER BY 2 DESC, 1 LIMIT $3",
        )
        .bind(from)
        .bind(to)
        .bind(limit)
        .fetch_all(pool).await)
        })
        .await?;

    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    Ok(Report {
        since: format_time(from),
        until: format_time(to),
        questions: count(questions),
        answered: count(answered),
        answered_rate: if questions > 0 {
            answered as f64 / questions as f64
        } else {
            0.0
        },
        feedback_up: count(feedback_up),
        feedback_down: count(feedback_down),
        per_day: days
            .into_iter()
            .map(|(day, platform, questions, answered)| DayCount {
                day: format_day(day),
                platform,
                questions: count(questions),
                answered: count(answered),
            })
            .collect(),
        unanswered: group_unanswered(
            unanswered
                .into_iter()
                .map(|(n, i, c, e)| (n, i, count(c), e)),
        ),
        downvoted: downvoted
            .into_iter()
            .map(|(answer_id, at, question, intent, down, up)| Downvoted {
                answer_id,
                asked: format_time(at),
                question,
                intent,
                down: count(down),
                up: count(up),
            })
            .collect(),
        top_intents: intents
            .into_iter()
            .map(|(intent, questions, answered)| IntentCount {
                intent,
                questions: count(questions),
                answered: count(answered),
            })
            .collect(),
    })
}

/// Folds `(normalised, intent, count, example)` rows into one group per normalised text, whose
/// closest intent is the one recorded most often.
fn group_unanswered(
    rows: impl Iterator<Item = (Option<String>, Option<String>, u64, Option<String>)>,
) -> Vec<UnansweredGroup> {
    struct Acc {
        count: u64,
        example: Option<String>,
        intents: BTreeMap<String, u64>,
    }
    let mut groups: BTreeMap<Option<String>, Acc> = BTreeMap::new();
    for (normalized, intent, count, example) in rows {
        let acc = groups.entry(normalized).or_insert(Acc {
            count: 0,
            example: None,
            intents: BTreeMap::new(),
        });
        acc.count += count;
        if acc.example.is_none() {
            acc.example = example;
        }
        if let Some(intent) = intent {
            *acc.intents.entry(intent).or_default() += count;
        }
    }
    let mut out: Vec<UnansweredGroup> = groups
        .into_iter()
        .map(|(normalized, acc)| UnansweredGroup {
            normalized,
            example: acc.example,
            count: acc.count,
            // Most often; ties go to the first id in order.
            closest_intent: acc
                .intents
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                .map(|(intent, _)| intent.clone()),
        })
        .collect();
    out.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.normalized.cmp(&b.normalized))
    });
    out.truncate(MAX_ROWS);
    out
}

impl Report {
    /// The report as plain text, for a terminal.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "dealbot report, {} to {}", self.since, self.until);
        let _ = writeln!(
            out,
            "{} questions, {} answered ({:.1}%); feedback 👍 {} 👎 {}",
            self.questions,
            self.answered,
            100.0 * self.answered_rate,
            self.feedback_up,
            self.feedback_down
        );
        let _ = writeln!(out, "\nQuestions per day and platform:");
        if self.per_day.is_empty() {
            let _ = writeln!(out, "  (none)");
        }
        for d in &self.per_day {
            let _ = writeln!(
                out,
                "  {}  {:<8} {:>6} asked {:>6} answered",
                d.day, d.platform, d.questions, d.answered
            );
        }
        let _ = writeln!(out, "\nUnanswered questions (count, closest intent):");
        if self.unanswered.is_empty() {
            let _ = writeln!(out, "  (none)");
        }
        for u in &self.unanswered {
            let _ = writeln!(
                out,
                "  {:>5}  {}  [{}]",
                u.count,
                one_line(
                    u.example
                        .as_deref()
                        .or(u.normalized.as_deref())
                        .unwrap_or("(text not stored)")
                ),
                u.closest_intent.as_deref().unwrap_or("-")
            );
        }
        let _ = writeln!(out, "\n👎 answers (down/up, intent, question):");
        if self.downvoted.is_empty() {
            let _ = writeln!(out, "  (none)");
        }
        for d in &self.downvoted {
            let _ = writeln!(
                out,
                "  {}/{}  {}  {}  ({}, {})",
                d.down,
                d.up,
                d.intent.as_deref().unwrap_or("-"),
                one_line(d.question.as_deref().unwrap_or("(text not stored)")),
                d.asked,
                d.answer_id
            );
        }
        let _ = writeln!(out, "\nMost-asked intents (questions, answered):");
        if self.top_intents.is_empty() {
            let _ = writeln!(out, "  (none)");
        }
        for i in &self.top_intents {
            let _ = writeln!(out, "  {:>6} {:>6}  {}", i.questions, i.answered, i.intent);
        }
        out
    }

    /// The report as a self-contained HTML page: inline CSS bar charts, no script; every value
    /// from the store is escaped.
    pub fn to_html(&self) -> String {
        let mut out = String::new();
        out.push_str(concat!(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
            "<title>dealbot report</title><style>",
            "body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}",
            "table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}",
            "td,th{padding:.25rem .5rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}",
            "td.n{text-align:right;white-space:nowrap}",
            ".bar{display:flex;height:.9rem;min-width:1px;background:#e6e6e6}",
            ".ok{background:#2e7d32}.no{background:#c62828}",
            ".muted{color:#666}",
            "</style></head><body>\n"
        ));
        let _ = writeln!(
            out,
            "<h1>dealbot report</h1>\n<p class=\"muted\">{} to {}</p>",
            esc(&self.since),
            esc(&self.until)
        );
        let _ = writeln!(
            out,
            "<p><strong>{}</strong> questions, <strong>{}</strong> answered ({:.1}%). \
             Feedback: 👍 {} · 👎 {}.</p>",
            self.questions,
            self.answered,
            100.0 * self.answered_rate,
            self.feedback_up,
            self.feedback_down
        );

        out.push_str("<h2>Questions per day</h2>\n");
        let max = self
            .per_day
            .iter()
            .map(|d| d.questions)
            .max()
            .unwrap_or(0)
            .max(1);
        out.push_str(
            "<table><tr><th>Day</th><th>Platform</th><th>Asked</th><th>Answered</th>\
             <th style=\"width:40%\">answered / unanswered</th></tr>\n",
        );
        for d in &self.per_day {
            let ok = 100.0 * d.answered as f64 / max as f64;
            let no = 100.0 * d.questions.saturating_sub(d.answered) as f64 / max as f64;
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
                 <td><div class=\"bar\" role=\"img\" aria-label=\"{} answered, {} not\">\
                 <div class=\"ok\" style=\"width:{ok:.1}%\"></div>\
                 <div class=\"no\" style=\"width:{no:.1}%\"></div></div></td></tr>",
                esc(&d.day),
                esc(&d.platform),
                d.questions,
                d.answered,
                d.answered,
                d.questions.saturating_sub(d.answered),
            );
        }
        out.push_str("</table>\n");

        out.push_str("<h2>Unanswered questions</h2>\n");
        if self.unanswered.is_empty() {
            out.push_str("<p class=\"muted\">None.</p>\n");
        } else {
            out.push_str(
                "<table><tr><th>Count</th><th>Question</th><th>Closest intent</th></tr>\n",
            );
            for u in &self.unanswered {
                let text = u.example.as_deref().or(u.normalized.as_deref());
                let _ = writeln!(
                    out,
                    "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
                    u.count,
                    text.map(esc).unwrap_or_else(|| {
                        "<span class=\"muted\">(text not stored)</span>".to_owned()
                    }),
                    esc(u.closest_intent.as_deref().unwrap_or("–"))
                );
            }
            out.push_str("</table>\n");
        }

        out.push_str("<h2>👎 answers</h2>\n");
        if self.downvoted.is_empty() {
            out.push_str("<p class=\"muted\">None.</p>\n");
        } else {
            out.push_str(
                "<table><tr><th>👎</th><th>👍</th><th>Question</th><th>Intent</th><th>Asked</th></tr>\n",
            );
            for d in &self.downvoted {
                let _ = writeln!(
                    out,
                    "<tr><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td>\
                     <td title=\"{}\">{}</td></tr>",
                    d.down,
                    d.up,
                    d.question.as_deref().map(esc).unwrap_or_else(|| {
                        "<span class=\"muted\">(text not stored)</span>".to_owned()
                    }),
                    esc(d.intent.as_deref().unwrap_or("–")),
                    esc(&d.answer_id),
                    esc(&d.asked)
                );
            }
            out.push_str("</table>\n");
        }

        out.push_str("<h2>Most-asked intents</h2>\n");
        if self.top_intents.is_empty() {
            out.push_str("<p class=\"muted\">None.</p>\n");
        } else {
            let max = self
                .top_intents
                .iter()
                .map(|i| i.questions)
                .max()
                .unwrap_or(0)
                .max(1);
            out.push_str(
                "<table><tr><th>Intent</th><th>Questions</th><th style=\"width:40%\"></th></tr>\n",
            );
            for i in &self.top_intents {
                let width = 100.0 * i.questions as f64 / max as f64;
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td><td class=\"n\">{}</td><td><div class=\"bar\">\
                     <div class=\"ok\" style=\"width:{width:.1}%\"></div></div></td></tr>",
                    esc(&i.intent),
                    i.questions
                );
            }
            out.push_str("</table>\n");
        }
        out.push_str("</body></html>\n");
        out
    }
}

/// HTML-escapes text for element content and quoted attribute values.
pub use crate::render::html::escape as esc;

/// Text on one line (newlines and tabs become spaces), for the terminal report.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// `YYYY-MM-DD` of a day number since the Unix epoch (Howard Hinnant's civil-from-days).
fn format_day(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// `YYYY-MM-DD HH:MM UTC` of Unix seconds.
fn format_time(secs: i64) -> String {
    let day = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    format!(
        "{} {:02}:{:02} UTC",
        format_day(day),
        rest / 3600,
        rest % 3600 / 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_parse() {
        assert_eq!(parse_age("7d"), Ok(Duration::from_secs(7 * 86_400)));
        assert_eq!(parse_age("24h"), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse_age("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_age("2w"), Ok(Duration::from_secs(14 * 86_400)));
        for bad in ["", "d", "7", "7x", "-1d", "99999999999999999d", "é"] {
            assert!(parse_age(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn days_and_times_format_in_utc() {
        assert_eq!(format_day(0), "1970-01-01");
        assert_eq!(format_day(19_723), "2024-01-01");
        assert_eq!(format_day(11_016), "2000-02-29");
        assert_eq!(format_time(1_700_000_000), "2023-11-14 22:13 UTC");
        assert_eq!(format_time(-1), "1969-12-31 23:59 UTC");
    }

    #[test]
    fn unanswered_rows_group_by_text_with_the_most_frequent_intent() {
        let rows = vec![
            (
                Some("q a".to_owned()),
                Some("x".to_owned()),
                2,
                Some("Q a?".to_owned()),
            ),
            (
                Some("q a".to_owned()),
                Some("y".to_owned()),
                3,
                Some("q A".to_owned()),
            ),
            (Some("q a".to_owned()), None, 1, None),
            (Some("q b".to_owned()), None, 1, Some("q b".to_owned())),
        ];
        let groups = group_unanswered(rows.into_iter());
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].normalized.as_deref(), Some("q a"));
        assert_eq!(groups[0].count, 6);
        assert_eq!(groups[0].closest_intent.as_deref(), Some("y"));
        assert_eq!(groups[1].closest_intent, None);
    }

    fn sample() -> Report {
        Report {
            since: "2026-01-01 00:00 UTC".into(),
            until: "2026-01-08 00:00 UTC".into(),
            questions: 3,
            answered: 1,
            answered_rate: 1.0 / 3.0,
            feedback_up: 0,
            feedback_down: 1,
            per_day: vec![DayCount {
                day: "2026-01-02".into(),
                platform: "slack".into(),
                questions: 3,
                answered: 1,
            }],
            unanswered: vec![UnansweredGroup {
                normalized: Some("script alert 1 script".into()),
                example: Some("<script>alert(1)</script> & \"x\"".into()),
                count: 2,
                closest_intent: Some("agi".into()),
            }],
            downvoted: vec![Downvoted {
                answer_id: "0123456789abcdef0123456789abcdef".into(),
                asked: "2026-01-02 10:00 UTC".into(),
                question: Some("who <b>owns</b> it?".into()),
                intent: Some("stake".into()),
                down: 1,
                up: 0,
            }],
            top_intents: vec![IntentCount {
                intent: "stake".into(),
                questions: 1,
                answered: 1,
            }],
        }
    }

    #[test]
    fn html_escapes_every_stored_value() {
        let html = sample().to_html();
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<b>owns"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"));
        assert!(html.contains("who &lt;b&gt;owns&lt;/b&gt; it?"));
        assert!(html.contains("class=\"bar\""));
    }

    #[test]
    fn text_and_json_carry_the_same_report() {
        let report = sample();
        let text = report.to_text();
        assert!(text.contains("3 questions, 1 answered (33.3%)"), "{text}");
        assert!(text.contains("[agi]"), "{text}");
        let json = serde_json::to_string(&report).unwrap();
        let back: Report = serde_json::from_str(&json).unwrap();
        assert_eq!(back, report);
    }
}
