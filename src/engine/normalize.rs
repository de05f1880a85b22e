//! Turning a chat message into plain lower-case words.
//!
//! Chat platforms wrap questions in markup: Slack's `<@U123>`, `<#C1|name>`, `<https://x|label>`,
//! `<!here>`; Discord's `<@!123>`, `<#123>`, `<:emoji:123>`; both use `:emoji:`, `*bold*` and
//! `` `code` ``. [`clean_markup`] strips that, [`fold`] applies Unicode NFKC and folds typographic
//! variants (curly quotes, non-breaking hyphens), and [`words`] splits the result into lower-case
//! words. Synonyms, stemming and typo tolerance live in [`super::vocab`].

use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

/// Longest question, in bytes, that the engine reads. Longer input is cut at the last character
/// boundary before this limit (chat questions are far shorter; this bounds the work per message).
/// [`question`] cuts again after Unicode normalisation, which can lengthen text (NFKC turns
/// `㌀` into four letters, `ﷺ` into eighteen).
pub const MAX_QUESTION_BYTES: usize = 4096;

/// Most words of one question the matcher looks at.
pub const MAX_WORDS: usize = 256;

/// Longest word, in characters, that [`words`] keeps whole; longer runs of letters keep only their
/// first this many characters (no English word comes close, and the cut bounds per-word work).
pub const MAX_WORD_CHARS: usize = 64;

/// Link labels that carry no meaning.
const GENERIC_LABELS: &[&str] = &[
    "link",
    "here",
    "this",
    "url",
    "page",
    "click",
    "click here",
    "website",
    "site",
];

static ANGLE_LINK: LazyLock<Regex> = LazyLock::new(|| {
    // <https://x|label>, <mailto:a@b|label>, <#C1|name>, <@U1|name>, <!subteam^S1|@team>
    Regex::new(r"<([^<>|\s]+)\|([^<>]*)>").expect("static regex")
});
static ANGLE_BARE: LazyLock<Regex> = LazyLock::new(|| {
    // <@U123>, <@!123>, <@&123>, <#123>, <!here>, <https://x>, <:name:123>, <a:name:123>, <t:123:R>
    Regex::new(r"<[@#!:a-zA-Z/][^<>\s]*>").expect("static regex")
});
static EMOJI_CODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r":[a-z0-9_+\-]+:").expect("static regex"));
static LEADING_MENTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*@[\w.\-]+[:,]?\s+").expect("static regex"));

/// Cuts `text` to at most [`MAX_QUESTION_BYTES`] bytes, on a character boundary.
pub fn truncate(text: &str) -> &str {
    truncate_to(text, MAX_QUESTION_BYTES)
}

/// Cuts `text` to at most `max` bytes, on a character boundary.
pub fn truncate_to(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// A raw chat message as the matcher reads it: cut to [`MAX_QUESTION_BYTES`], markup removed,
/// folded ([`fold`]), then cut to [`MAX_QUESTION_BYTES`] again, since normalisation can
/// lengthen text. Every later step works on at most that many bytes.
pub fn question(raw: &str) -> String {
    let mut folded = fold(&clean_markup(truncate(raw)));
    let keep = truncate(&folded).len();
    folded.truncate(keep);
    folded
}

/// Removes Slack and Discord markup, keeping the human-readable part (link labels, channel names).
pub fn clean_markup(text: &str) -> String {
    // Most messages have no markup: every pattern needs a '<', a ':' or an '@'.
    if !text.contains(['<', ':', '@']) {
        return join_words(text.split_whitespace());
    }
    let text = ANGLE_LINK.replace_all(text, |caps: &regex::Captures<'_>| {
        let label = &caps[2];
        // Keep a readable label (a channel or link name), drop user-group handles and pings,
        // and generic link text ("link", "here") that says nothing about the question.
        let generic = GENERIC_LABELS.contains(&label.trim().to_lowercase().as_str());
        if generic || label.starts_with('@') || caps[1].starts_with('@') || caps[1].starts_with('!')
        {
            String::new()
        } else {
            format!(" {label} ")
        }
    });
    let text = ANGLE_BARE.replace_all(&text, " ");
    let text = EMOJI_CODE.replace_all(&text, " ");
    let text = LEADING_MENTION.replace(&text, "");
    // `@here`, `@everyone` and bare handles carry no meaning for matching.
    join_words(text.split_whitespace().filter(|w| !w.starts_with('@')))
}

/// Words joined by single spaces.
fn join_words<'a>(words: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for word in words {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// NFKC-normalises `text`, lower-cases it and folds typographic variants to ASCII where it matters
/// for matching (quotes, dashes, the non-breaking hyphen).
pub fn fold(text: &str) -> String {
    // ASCII is already in NFKC: only case and the backtick need folding (the common case, and
    // most of the work at load time).
    if text.is_ascii() {
        let lower = text.to_ascii_lowercase();
        return if lower.contains('`') {
            lower.replace('`', "'")
        } else {
            lower
        };
    }
    text.nfkc()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{2032}' | '`' | '\u{00B4}' => '\'',
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' => '"',
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}' => '-',
            _ => c,
        })
        .collect()
}

/// Splits folded text into words: runs of letters and digits. `'s` endings are dropped and other
/// apostrophes joined (`openai's` → `openai`, `don't` → `dont`); `%` and `$` stand as words of
/// their own; everything else (punctuation, emoji, symbols) separates words. Numbers written in
/// words become digits ("twenty-seven per cent" → "27 percent").
pub fn words(folded: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    // Characters in `current` (kept at most MAX_WORD_CHARS; the rest of a longer run is dropped).
    let mut len = 0usize;
    let mut chars = folded.chars().peekable();
    let flush = |current: &mut String, len: &mut usize, out: &mut Vec<String>| {
        if !current.is_empty() && out.len() < MAX_WORDS {
            out.push(std::mem::take(current));
        }
        current.clear();
        *len = 0;
    };
    let push = |current: &mut String, len: &mut usize, c: char| {
        if *len < MAX_WORD_CHARS {
            current.push(c);
            *len += 1;
        }
    };
    while let Some(c) = chars.next() {
        if out.len() >= MAX_WORDS {
            break;
        }
        if c.is_alphanumeric() {
            push(&mut current, &mut len, c);
        } else if c == '\'' && !current.is_empty() {
            match chars.peek() {
                Some('s') => {
                    chars.next();
                    if chars.peek().is_some_and(|n| n.is_alphanumeric()) {
                        push(&mut current, &mut len, 's');
                    }
                }
                Some(n) if n.is_alphanumeric() => {}
                _ => flush(&mut current, &mut len, &mut out),
            }
        } else {
            flush(&mut current, &mut len, &mut out);
            if (c == '%' || c == '$') && out.len() < MAX_WORDS {
                out.push(c.to_string());
            }
        }
    }
    flush(&mut current, &mut len, &mut out);
    spell_numbers(&mut out);
    out
}

/// Number words up to ninety, with their values (matched in any case).
const NUMBER_WORDS: &[(&str, u32)] = &[
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("seventy", 70),
    ("eighty", 80),
    ("ninety", 90),
];

/// Ordinal units, read as numbers only after a tens word ("twenty-seventh" is 27; "first" alone
/// stays a word).
const ORDINAL_UNITS: &[&str] = &[
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
];

/// Words after which a number word is a figure ("thirteen billion", "ten percent").
const SCALES: &[&str] = &[
    "percent", "%", "pct", "billion", "bn", "million", "trillion",
];

/// The value of a number word ("seven", "Twenty").
pub fn number_word(word: &str) -> Option<u32> {
    // Every number word is three to nine letters ("one" … "seventeen").
    if !(3..=9).contains(&word.len()) {
        return None;
    }
    NUMBER_WORDS
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(word))
        .map(|&(_, v)| v)
}

/// A number said in words at the start of `word(0)`, `word(1)`, …: its value and how many words
/// it takes. A tens word takes a following unit ("twenty seven" and "twenty-seventh" are 27) and
/// "twenty" a following pair ("twenty nineteen" is 2019, "twenty thirty two" 2032); `None` when
/// `word(0)` is no number word.
pub fn read_number<'a>(word: impl Fn(usize) -> Option<&'a str>) -> Option<(u32, usize)> {
    let tens_and_unit = |at: usize| {
        let value = number_word(word(at)?)?;
        let unit = (value >= 20 && value % 10 == 0)
            .then(|| {
                let next = word(at + 1)?;
                number_word(next).filter(|u| *u < 10).or_else(|| {
                    ORDINAL_UNITS
                        .iter()
                        .zip(1..)
                        .find_map(|(o, u)| o.eq_ignore_ascii_case(next).then_some(u))
                })
            })
            .flatten();
        Some(unit.map_or((value, 1), |u| (value + u, 2)))
    };
    let (value, used) = tens_and_unit(0)?;
    if value == 20
        && used == 1
        && let Some((pair, more)) = tens_and_unit(1).filter(|&(pair, _)| pair >= 10)
    {
        return Some((2000 + pair, 1 + more));
    }
    Some((value, used))
}

/// Numbers written in words, as the digits people also type: "twenty seven" → "27", "twenty
/// nineteen" → "2019", "thirteen billion" → "13 billion"; "per cent" is "percent". A small
/// number word stays a word unless a scale follows ("which one", "the two firms").
fn spell_numbers(words: &mut Vec<String>) {
    let spoken = |w: &String| w == "per" || number_word(w).is_some();
    if !words.iter().any(spoken) {
        return;
    }
    let old = std::mem::take(words);
    let mut i = 0;
    while i < old.len() {
        let at = |k: usize| old.get(i + k).map(String::as_str);
        if at(0) == Some("per") && at(1) == Some("cent") {
            words.push("percent".to_owned());
            i += 2;
            continue;
        }
        match read_number(at) {
            Some((value, used))
                if value >= 20 || at(used).is_some_and(|next| SCALES.contains(&next)) =>
            {
                words.push(value.to_string());
                i += used;
            }
            _ => {
                words.push(old[i].clone());
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_slack_markup_but_keeps_labels() {
        let got = clean_markup(
            "<@U0LAN0Z89> hey <!here> see <https://example.com|the post> in <#C024BE7LR|general> :tada:",
        );
        assert_eq!(got, "hey see the post in general");
    }

    #[test]
    fn strips_discord_markup() {
        let got = clean_markup("<@!123456> <@&987> does <:pepe:112233> <#555> work?");
        assert_eq!(got, "does work?");
    }

    #[test]
    fn strips_leading_bot_handle_and_pings() {
        assert_eq!(clean_markup("@dealbot: when? @everyone"), "when?");
    }

    #[test]
    fn folds_typography() {
        assert_eq!(
            fold("OpenAI’s revenue‑share “cap”"),
            "openai's revenue-share \"cap\""
        );
        // NFKC: full-width letters and ligatures.
        assert_eq!(fold("ＡＷＳ ﬁle"), "aws file");
    }

    #[test]
    fn splits_words_and_possessives() {
        assert_eq!(
            words("openai's rev-share?? don't 27 % tl;dr 🚀🚀"),
            ["openai", "rev", "share", "dont", "27", "%", "tl", "dr"]
        );
    }

    #[test]
    fn reads_numbers_written_in_words() {
        assert_eq!(
            words("twenty-seven per cent since twenty nineteen, until twenty thirty two?"),
            ["27", "percent", "since", "2019", "until", "2032"]
        );
        assert_eq!(
            words("thirteen billion, or ten %? fifty fifty, twenty one, the twenty-seventh"),
            [
                "13", "billion", "or", "10", "%", "50", "50", "21", "the", "27"
            ]
        );
        // A small number word stays a word unless a scale follows.
        assert_eq!(
            words("which one of the two? one per person"),
            ["which", "one", "of", "the", "two", "one", "per", "person"]
        );
        assert_eq!(read_number(|_| None), None);
        assert_eq!(
            read_number(|k| ["twenty", "twenty", "five"].get(k).copied()),
            Some((2025, 3))
        );
    }

    #[test]
    fn truncates_on_a_char_boundary() {
        let long = "é".repeat(MAX_QUESTION_BYTES);
        let cut = truncate(&long);
        assert!(cut.len() <= MAX_QUESTION_BYTES);
        assert!(cut.chars().all(|c| c == 'é'));
    }
}
