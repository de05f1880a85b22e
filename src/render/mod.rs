//! Turning an engine [`Answer`] into platform messages.
//!
//! Renderers are pure functions from an answer (plus source titles) to a message document; they
//! enforce the platform's size limits and escaping. Adapters only send what these produce.

pub mod discord;
pub mod html;
pub mod slack;

/// Cuts `text` to at most `max` characters, ending with `…` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Collapses runs of white space (quotes may span lines in the source).
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---- the short reply, shared by Slack and Discord -------------------------------------------

use crate::engine::{Answer, AnswerFact, Citation};

/// Characters of a quote shown under a fact in a short reply (cut at a word, with `…`).
pub const SHORT_QUOTE: usize = 80;

/// How a platform writes emphasis, links and plain text.
pub(crate) struct Markup {
    /// Escapes text from the data so it is shown as written.
    pub escape: fn(&str) -> String,
    /// Emphasis for a source's name.
    pub italic: fn(&str) -> String,
    /// Strong emphasis.
    pub bold: fn(&str) -> String,
    /// A link with a label (the label already escaped).
    pub link: fn(&str, &str) -> String,
}

/// Cuts a quote to `max` characters at a word boundary, marking the cut with `…`.
pub fn cut_quote(quote: &str, max: usize) -> String {
    let quote = one_line(quote);
    if quote.chars().count() <= max {
        return quote;
    }
    let mut out = String::new();
    for word in quote.split(' ') {
        if out.chars().count() + word.chars().count() + 2 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.trim_end_matches([',', ';', ':', '—', '-']).to_owned() + " …"
}

/// Lower-case words of four or more letters, and numbers.
fn content_words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 4 || w.chars().all(|c| c.is_ascii_digit()) && !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The citation (1-based number) that best shows `fact`: a source not yet named in the reply
/// first, then the quote that carries most of the fact's words (numbers count double), then the
/// shortest.
pub fn strongest(answer: &Answer, fact: &AnswerFact, named: &[&str]) -> Option<usize> {
    let words = content_words(&fact.text);
    fact.markers
        .iter()
        .filter_map(|&m| answer.citations.get(m - 1).map(|c| (m, c)))
        .max_by_key(|(_, c)| {
            let quote = content_words(&c.quote);
            let covered: usize = words
                .iter()
                .filter(|w| quote.contains(w))
                .map(|w| {
                    if w.chars().all(|c| c.is_ascii_digit()) {
                        2
                    } else {
                        1
                    }
                })
                .sum();
            let fresh = !named.iter().any(|n| *n == c.title);
            (fresh, covered, std::cmp::Reverse(c.quote.chars().count()))
        })
        .map(|(m, _)| m)
}

/// How a source is shown: its name, linked when it has a link.
fn source_name(c: &Citation, m: &Markup) -> String {
    let title = (m.escape)(&c.title);
    match &c.url {
        Some(url) => (m.link)(url, &title),
        None => (m.italic)(&title),
    }
}

/// The body of a short reply: conflict notes, then each fact with its strongest quote, each
/// source named once (a quote from a source already named carries only its `[n]`). Returns
/// the lines and whether any citation was left out (then a Sources button is worth offering).
pub(crate) fn short_body(answer: &Answer, m: &Markup) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    // Every name the prose already shows (the lead, the notes, the facts) counts as named.
    let mut prose = answer.short_direct().to_owned();
    for c in answer.conflicts.iter().chain(&answer.notes) {
        prose.push_str(&c.note);
    }
    for f in &answer.facts {
        prose.push_str(&f.text);
    }
    let mut named: Vec<&str> = answer
        .citations
        .iter()
        .map(|c| c.title.as_str())
        .filter(|t| prose.contains(t))
        .collect();
    for c in &answer.conflicts {
        lines.push(format!(
            "⚠️ {} {}",
            (m.bold)("The sources disagree."),
            (m.escape)(&c.note)
        ));
    }
    for c in &answer.notes {
        lines.push(format!("{} {}", (m.bold)("Note:"), (m.escape)(&c.note)));
    }
    let one = answer.one_source();
    let lead = content_words(answer.short_direct());
    for fact in &answer.facts {
        // A fact the lead already states is shown by its quote alone.
        let words = content_words(&fact.text);
        let restated = words.iter().filter(|w| lead.contains(w)).count() * 4 >= words.len() * 3;
        let quote = strongest(answer, fact, &named);
        let mut line = match quote {
            Some(_) if restated => "•".to_owned(),
            _ => format!("• {}", (m.escape)(&fact.text)),
        };
        if one.is_none() && fact.sole_source.is_some() {
            line.push_str(&format!(" {}", (m.italic)("(one source)")));
        }
        if let Some(n) = quote {
            let c = &answer.citations[n - 1];
            let text = (m.escape)(&cut_quote(&c.quote, SHORT_QUOTE));
            let sep = if restated { " " } else { "\n> " };
            if named.contains(&c.title.as_str()) {
                line.push_str(&format!("{sep}“{text}” [{n}]"));
            } else {
                line.push_str(&format!("{sep}“{text}” — {} [{n}]", source_name(c, m)));
                named.push(&c.title);
            }
        }
        lines.push(line);
    }
    if one.is_some() {
        lines.push((m.italic)("All of this comes from one source."));
    }
    lines
}

/// The Sources follow-up: every citation, grouped by source (each name once, linked when it
/// has a link), then the words of any source that disagrees or is noted.
pub(crate) fn sources_body(answer: &Answer, m: &Markup) -> String {
    let mut out = String::new();
    for (title, url, quotes) in crate::engine::answer::by_source(&answer.citations) {
        let name = match url {
            Some(url) => (m.link)(url, &(m.escape)(title)),
            None => (m.bold)(&(m.escape)(title)),
        };
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&name);
        for (n, quote) in quotes {
            out.push_str(&format!("\n[{n}] “{}”", (m.escape)(&one_line(quote))));
        }
    }
    for (head, list) in [("Disagrees", &answer.conflicts), ("Noted", &answer.notes)] {
        for c in list {
            out.push_str(&format!(
                "\n\n{} “{}” — {}",
                (m.bold)(&format!("{head}:")),
                (m.escape)(&one_line(&c.quote)),
                (m.escape)(&c.title)
            ));
        }
    }
    if out.is_empty() {
        out.push_str("This answer quotes no source.");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_cut_at_a_word_with_an_ellipsis() {
        assert_eq!(cut_quote("short quote", 80), "short quote");
        let cut = cut_quote("one two three four five six seven", 16);
        assert_eq!(cut, "one two three …");
        assert!(cut.chars().count() <= 16);
        assert_eq!(cut_quote("a line\nbreak", 80), "a line break");
    }

    #[test]
    fn truncates_on_characters_with_an_ellipsis() {
        assert_eq!(truncate("héllo", 10), "héllo");
        assert_eq!(truncate("héllo wörld", 5), "héll…");
        assert_eq!(truncate("abc", 0), "…");
    }
}
