//! The shape of a question, apart from its topic: its form (yes/no, when, how much, who, why,
//! what), where a message asking several things splits into parts, and whether a message is
//! elliptical ("and Google?", "until when?") so that it needs the conversation to be understood.
//!
//! Everything here works on folded text ([`super::normalize::fold`]) and is plain English grammar,
//! not knowledge of the deal: what the sources say about a question lives in the intents' data
//! (`[[claims]]`, `[[aspects]]`, `follow`), compiled by [`super::verdict`].

use std::rc::Rc;

use serde::{Deserialize, Serialize};

use super::normalize;
use super::vocab::Vocab;

/// Most parts a message is split into; the rest stays in the last part.
pub const MAX_PARTS: usize = 3;

/// What kind of answer a question asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    /// "Is …?", "Does …?", "… right?": answered with a verdict.
    YesNo,
    /// "When …?", "until when", "what year", "how long".
    When,
    /// "How much …?", "how many", "how big", "what percentage".
    Amount,
    /// "Who …?", "who said that?".
    Who,
    /// "Why …?", "what drove …".
    Why,
    /// Anything else: "what …?", "how …?", a bare topic.
    #[default]
    What,
}

impl Form {
    /// Every form, with its name in the data files.
    pub const ALL: [(Form, &'static str); 6] = [
        (Form::YesNo, "yes_no"),
        (Form::When, "when"),
        (Form::Amount, "amount"),
        (Form::Who, "who"),
        (Form::Why, "why"),
        (Form::What, "what"),
    ];

    /// The name used in the data files (`when`, `amount`, …).
    pub fn name(self) -> &'static str {
        Form::ALL
            .iter()
            .find(|(f, _)| *f == self)
            .map_or("what", |(_, n)| n)
    }

    /// The form with this data-file name.
    pub fn from_name(name: &str) -> Option<Form> {
        Form::ALL.iter().find(|(_, n)| *n == name).map(|(f, _)| *f)
    }
}

/// Auxiliary verbs that open a yes/no question.
const AUX: &[&str] = &[
    "am", "is", "are", "was", "were", "do", "does", "did", "can", "could", "will", "would",
    "should", "has", "have", "had", "may", "might", "must", "isn", "aren", "doesn", "didn", "won",
    "wasn", "hasn", "haven", "cant", "cannot", "shall", "wont", "isnt", "arent", "doesnt", "didnt",
];
/// Words that open a wh-question.
const WH: &[&str] = &[
    "what", "whats", "when", "who", "whom", "whose", "which", "why", "how", "where", "whyd",
    "whod", "whos", "hows", "howd", "wheres", "whens", "whatd",
];
/// Words skipped at the start of a question before its form shows ("so", "and", "ok").
const LEADING: &[&str] = &[
    "and",
    "so",
    "ok",
    "okay",
    "also",
    "but",
    "then",
    "hey",
    "hi",
    "hello",
    "quick",
    "q",
    "one",
    "more",
    "question",
    "pls",
    "please",
    "btw",
    "sorry",
    "um",
    "uh",
    "hmm",
    "oh",
    "right",
    "wait",
    "follow",
    "up",
    "followup",
    "just",
    "to",
    "confirm",
    "check",
    "checking",
    "still",
    "now",
    "for",
    "like",
    "separately",
    "additionally",
    "unrelated",
    "totally",
    "lastly",
    "finally",
    "secondly",
    "plus",
];
/// Tags that turn a statement into a yes/no question ("…, right?").
const TAGS: &[&[&str]] = &[
    &["right"],
    &["correct"],
    &["true"],
    &["yes", "or", "no"],
    &["true", "or", "false"],
    &["true", "or", "not"],
    &["right", "or", "wrong"],
    &["yeah"],
    &["no"],
    &["isn", "t", "it"],
    &["don", "t", "they"],
    &["confirm"],
    &["yes"],
    &["legit"],
    &["am", "i", "right"],
];
/// After "what"/"which": a word that makes it a "when" question.
const WHEN_NOUNS: &[&str] = &["date", "year", "day", "month", "time", "deadline", "yr"];
/// After "what"/"which": a word that makes it an amount question.
const AMOUNT_NOUNS: &[&str] = &[
    "percent",
    "percentage",
    "amount",
    "price",
    "figure",
    "number",
    "sum",
    "valuation",
    "size",
    "rate",
    "dollar",
    "value",
    "stake",
];
/// After "how": a word that makes it an amount question.
const HOW_AMOUNT: &[&str] = &[
    "much", "many", "big", "large", "high", "far", "low", "small",
];

/// Messages at most this long are remembered by [`words`].
const REMEMBERED_BYTES: usize = 512;
/// How many recent messages [`words`] remembers, per thread.
const REMEMBERED: usize = 16;

thread_local! {
    /// The words of the last few messages read on this thread within the current answer: one
    /// message is read many times over (its form, its split, its premise, its claims, each
    /// part), always to the same words. Cleared by [`forget_recent`] as each answer starts.
    static RECENT: std::cell::RefCell<Vec<(String, Rc<[String]>)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// The folded words of a message, after chat markup is removed. Shared with the memo of
/// recent messages, so that reading a message again costs no copy of its words.
pub fn words(raw: &str) -> Rc<[String]> {
    let read = |raw: &str| -> Rc<[String]> { read_words(raw).into() };
    if raw.len() > REMEMBERED_BYTES {
        return read(raw);
    }
    RECENT.with(|recent| {
        let mut recent = recent.borrow_mut();
        if let Some(at) = recent.iter().position(|(r, _)| r == raw) {
            let entry = recent.remove(at);
            let out = entry.1.clone();
            recent.push(entry);
            return out;
        }
        let out = read(raw);
        if recent.len() >= REMEMBERED {
            recent.remove(0);
        }
        recent.push((raw.to_owned(), out.clone()));
        out
    })
}

/// Forgets the messages [`words`] remembers: called as each answer starts, so that the memo
/// serves one message read many times within an answer, never a question asked before.
pub(crate) fn forget_recent() {
    RECENT.with(|recent| recent.borrow_mut().clear());
}

/// The folded words of a message, read afresh: [`words`] without its memo.
fn read_words(raw: &str) -> Vec<String> {
    let raw = normalize::truncate(raw);
    // ASCII without markup: removing markup would only join its spaces, which change no word.
    if raw.is_ascii() && !raw.contains(['<', ':', '@']) {
        return normalize::words(&normalize::fold(raw));
    }
    normalize::words(&normalize::fold(&normalize::clean_markup(raw)))
}

/// The form of a question.
pub fn form(raw: &str) -> Form {
    let words = words(raw);
    let start = leading_len(&words);
    let mut w = &words[start..];
    // "Can you tell me when …": the form of what is asked for.
    if let Some(rest) = request_rest(w) {
        if rest.first().is_some_and(|x| x == "if" || x == "whether") {
            return Form::YesNo;
        }
        w = rest;
    }
    let first = w.first().map(String::as_str).unwrap_or("");
    let second = w.get(1).map(String::as_str).unwrap_or("");
    let has = |list: &[&str], from: usize, n: usize| {
        w.iter()
            .skip(from)
            .take(n)
            .any(|x| list.contains(&x.as_str()))
    };
    if matches!(first, "until" | "till" | "through" | "by") && has(&["when", "year", "date"], 1, 3)
    {
        return Form::When;
    }
    if AUX.contains(&first) {
        return Form::YesNo;
    }
    if let Some(form) = wh_form(w) {
        return form;
    }
    let ends_tag = TAGS.iter().any(|tag| ends_with_words(w, tag));
    if ends_tag || ends_negated_tag(w) || CHECK_OPENERS.iter().any(|o| starts_with_words(w, o)) {
        return Form::YesNo;
    }
    let folded = normalize::fold(&normalize::clean_markup(normalize::truncate(raw)));
    // A later clause that opens like a yes/no question ("my editor says X - did he say that?",
    // "…, didn't he?", "…, is that what your sources have?"), before any wh-word outside it.
    // The yes/no clause comes first when its sentence is the one asked ("last I checked X, is
    // that what your sources have?") and it is not a request ("could you give me …").
    let mut seen = 0;
    let mut offset = 0;
    let mut later_aux = None;
    for (i, clause) in folded
        .split([',', ';', ':', '-', '—', '–', '(', '.', '?'])
        .enumerate()
    {
        let cw = normalize::words(clause);
        if i > 0 && cw.first().is_some_and(|x| AUX.contains(&x.as_str())) {
            let asked = folded[offset..]
                .find(['?', '.', '!'])
                .is_some_and(|end| folded[offset + end..].starts_with('?'));
            let at = if asked && request_rest(&cw).is_none() {
                seen
            } else {
                usize::MAX
            };
            later_aux = Some(at);
            break;
        }
        seen += cw.len();
        offset += clause.len() + 1;
    }
    // A wh-word later on ("on deadline — what's the end date …", "for how long …").
    if let Some(i) = w.iter().position(|x| WH.contains(&x.as_str()))
        && later_aux.is_none_or(|at| start + i < at)
        && let Some(form) = wh_form(&w[i..])
    {
        return form;
    }
    if later_aux.is_some() {
        return Form::YesNo;
    }
    // A statement closed by a tag and followed by more ("reuters had it, right? byline was …").
    let tagged = folded.split('?').rev().skip(1).any(|sentence| {
        let sw = normalize::words(sentence);
        TAGS.iter()
            .any(|tag| sw.len() > tag.len() + 1 && ends_with_words(&sw, tag))
            || ends_negated_tag(&sw)
    });
    if tagged {
        return Form::YesNo;
    }
    // A statement asked with a question mark ("so MS doesn't get a cut anymore?", "msft shares
    // rallied on the news?"): a clause with a verb of its own, no wh-word.
    let asked = folded
        .trim_end_matches(|c: char| !c.is_alphanumeric() && c != '?')
        .ends_with('?');
    let verb = w.iter().enumerate().skip(1).any(|(i, x)| {
        let x = x.as_str();
        AUX.contains(&x)
            || NEGATIONS.contains(&x)
            || STATE_WORDS.contains(&x)
            || (x == "no" && w.get(i + 1).is_some_and(|n| n == "longer"))
            || is_finite_verb(x, i + 1 < w.len())
            // "products launch on google cloud first?": a base form that is often a noun, as
            // a verb when a place or "first" follows.
            || (matches!(x, "launch" | "ship" | "arrive" | "debut")
                && w.get(i + 1).is_some_and(|n| {
                    matches!(n.as_str(), "on" | "in" | "at" | "via" | "through" | "first")
                }))
    });
    // "so there's no ceiling …?" (read "there no ceiling") states something; "so basically X?"
    // sums something up to be confirmed, with or without a verb.
    let states = w
        .first()
        .is_some_and(|x| matches!(x.as_str(), "there" | "theres" | "basically"));
    if asked && (verb || states) && w.len() >= 3 && !w.iter().any(|x| WH.contains(&x.as_str())) {
        return Form::YesNo;
    }
    let _ = second;
    Form::What
}

/// Openers that ask to check a statement ("correct me if I'm wrong but …").
const CHECK_OPENERS: &[&[&str]] = &[
    &["correct", "me", "if"],
    &["am", "i", "right"],
    &["fair", "to"],
    &["safe", "to"],
    &["accurate", "to"],
    &["correct", "to"],
    &["fine", "to"],
    &["true", "that"],
    &["true", "or", "false"],
    &["fact", "check"],
];

/// Verbs of a request ("can you tell me …"): what follows them is what is asked.
const REQUEST_VERBS: &[&str] = &[
    "tell",
    "give",
    "explain",
    "summarise",
    "summarize",
    "walk",
    "list",
    "share",
    "send",
    "show",
    "remind",
    "point",
    "say",
    "spell",
    "break",
    "run",
    "indicate",
    "describe",
    "outline",
    "clarify",
];

/// The words after a polite request's opening ("could you (please) tell me" / "can the bot
/// give us"), or `None` when the words don't open with one.
fn request_rest(w: &[String]) -> Option<&[String]> {
    let aux = w.first()?;
    if !matches!(
        aux.as_str(),
        "can" | "could" | "would" | "will" | "cn" | "pls"
    ) {
        return None;
    }
    let mut i = 1;
    match w.get(i).map(String::as_str) {
        Some("you" | "u" | "ya" | "ye") => i += 1,
        Some("the") if w.get(2).is_some_and(|x| x == "bot") => i += 2,
        _ => return None,
    }
    while w
        .get(i)
        .is_some_and(|x| matches!(x.as_str(), "please" | "pls" | "just" | "quickly"))
    {
        i += 1;
    }
    if !w
        .get(i)
        .is_some_and(|x| REQUEST_VERBS.contains(&x.as_str()))
    {
        return None;
    }
    i += 1;
    while w.get(i).is_some_and(|x| {
        matches!(
            x.as_str(),
            "me" | "us" | "through" | "down" | "over" | "out" | "again"
        )
    }) {
        i += 1;
    }
    Some(&w[i..])
}

/// Negated auxiliaries of a closing tag ("…, didn't they", "… isn't it").
const TAG_AUX: &[&str] = &[
    "isn", "aren", "wasn", "weren", "doesn", "don", "didn", "hasn", "haven", "hadn", "won",
    "wouldn", "can", "couldn", "shouldn",
];
/// Pronouns that close a tag.
const TAG_PRONOUNS: &[&str] = &["it", "they", "he", "she", "we", "you", "there", "i", "that"];

/// Whether the words end with a negated tag ("they scrapped it didn't they").
fn ends_negated_tag(w: &[String]) -> bool {
    let Some((pronoun, head)) = w.split_last() else {
        return false;
    };
    let negated = match head {
        [.., aux, t] if t == "t" => TAG_AUX.contains(&aux.as_str()),
        // Folded words join the apostrophe: "didnt", "isnt", "wont".
        [.., aux] => aux.strip_suffix("nt").is_some_and(|a| {
            matches!(
                a,
                "is" | "are"
                    | "was"
                    | "were"
                    | "does"
                    | "do"
                    | "did"
                    | "has"
                    | "have"
                    | "had"
                    | "wo"
                    | "ca"
                    | "could"
                    | "would"
                    | "should"
            )
        }),
        _ => false,
    };
    w.len() > 4 && negated && TAG_PRONOUNS.contains(&pronoun.as_str())
}

/// Words that make a statement of what comes before them ("azure-only still?", "no more
/// exclusivity anymore?").
const STATE_WORDS: &[&str] = &["still", "anymore", "already", "gone", "over"];

/// Verbs a statement about the deal asks with ("msft shares rallied?", "payments hinge on
/// AGI?"); forms that are as often nouns ("launches", "drop", "cuts") are left out.
const VERBS: &[&str] = &[
    "pay",
    "pays",
    "paid",
    "hinge",
    "hinges",
    "rallied",
    "rally",
    "lose",
    "loses",
    "lost",
    "get",
    "gets",
    "got",
    "keep",
    "keeps",
    "kept",
    "ends",
    "ended",
    "run",
    "runs",
    "ran",
    "go",
    "goes",
    "went",
    "stay",
    "stays",
    "stayed",
    "fell",
    "rose",
    "popped",
    "dipped",
    "jumped",
    "sank",
    "closed",
    "approved",
    "signed",
    "hosts",
    "hosted",
    "sell",
    "sells",
    "sold",
    "owns",
    "owned",
    "invested",
    "put",
    "gave",
    "give",
    "gives",
    "given",
    "took",
    "taken",
    "takes",
    "said",
    "says",
    "confirmed",
    "announced",
    "removed",
    "scrapped",
    "killed",
    "expires",
    "expired",
    "kicks",
    "kick",
    "applies",
    "covers",
    "covered",
    "launched",
    "shipped",
    "needs",
    "requires",
    "required",
    "allows",
    "allowed",
    "lets",
    "shrinks",
    "shrank",
    "grew",
    "raised",
    "means",
    "meant",
    "changed",
    "worked",
    "uses",
    "used",
    "happened",
    "valued",
    "capped",
    "continues",
    "continued",
    "stopped",
    "owes",
    "owed",
    "gained",
    "planned",
    "agreed",
    "became",
    "remains",
    "remained",
    "held",
    "swapped",
    "replaces",
    "replaced",
    "replacing",
    "moved",
    "offers",
    "offered",
    "licensed",
    "exists",
    "survives",
    "survived",
    "locked",
    "renewed",
    "extended",
    "reported",
    "wrote",
    "cited",
    "named",
    "mentioned",
    "quoted",
    "tied",
    "depends",
    "depend",
    "includes",
    "included",
    "prioritised",
    "prioritized",
    "set",
    "stops",
    "counts",
    "dropped",
    "opened",
    "traded",
    "slipped",
    "slid",
    "tumbled",
    "plunged",
    "declined",
    "climbed",
    "surged",
    "soared",
    "spiked",
];

/// Whether a folded word is a finite verb of a statement: one of [`VERBS`] (a base form such as
/// "pay" only when more words follow: "stock drop?" names a thing).
fn is_finite_verb(word: &str, more: bool) -> bool {
    VERBS.contains(&word) && (more || word.ends_with("ed") || word.ends_with('s'))
}

/// Words that negate the clause they stand in ("doesn't" is read as "doesn", "t").
const NEGATIONS: &[&str] = &[
    "not", "never", "t", "cannot", "cant", "doesnt", "dont", "didnt", "isnt", "arent", "wasnt",
    "werent", "wont", "hasnt", "havent", "hadnt", "shouldnt", "couldnt", "wouldnt", "nt",
];

/// Whether a folded word negates its clause; `no` only in "no longer".
pub fn is_negation(word: &str, next: Option<&str>) -> bool {
    NEGATIONS.contains(&word) || (word == "no" && next == Some("longer"))
}

/// Words that open a clause whose negation is not the question's ("if Microsoft can't …").
const CONDITIONAL: &[&str] = &[
    "if", "unless", "when", "even", "although", "though", "whether", "because",
];

/// Whether the question negates what it asks before word `end` (exclusive of a negated
/// opener: "isn't Azure still primary?" asks whether it is): "so MS doesn't get a cut?",
/// "is it true they didn't remove it?". A conditional clause ("even if it can't …") stops the
/// search; "or not" offers an alternative and negates nothing.
pub fn negated_before(words: &[SeqWord], end: usize) -> bool {
    negated_within(words, 0, end)
}

/// Like [`negated_before`], counting only a negation at `from` or after: the clause of a match
/// ("OpenAI still can't use AWS, it's Azure only": "can't" does not deny "Azure only").
pub fn negated_within(words: &[SeqWord], from: usize, end: usize) -> bool {
    let Some(mut i) = words
        .iter()
        .position(|w| !LEADING.contains(&w.word.as_str()))
    else {
        return false;
    };
    if AUX.contains(&words[i].word.as_str()) {
        i += 1;
        if words
            .get(i)
            .is_some_and(|w| w.word == "t" || w.word == "nt")
        {
            i += 1;
        }
    }
    let end = end.min(words.len().saturating_sub(1));
    for at in i..=end {
        let Some(w) = words.get(at) else { break };
        if CONDITIONAL.contains(&w.word.as_str()) {
            return false;
        }
        // "… legit or not?": the alternative offered negates nothing.
        let offered = at > 0 && words[at - 1].word == "or";
        // "…, aren't they?": a closing tag asks for agreement, denying nothing.
        let closing_tag = at + 2 == words.len()
            && words
                .last()
                .is_some_and(|p| TAG_PRONOUNS.contains(&p.word.as_str()));
        if at >= from
            && !closing_tag
            && !offered
            && is_negation(&w.word, words.get(at + 1).map(|n| n.word.as_str()))
        {
            return true;
        }
    }
    false
}

/// The clause of a message that asks the yes/no question, for reading its predicate: the first
/// sentence (or part between dashes and colons) that opens like a yes/no question, else the
/// first one ending in "?", else the whole message; an alternative it offers after "or" and an
/// auxiliary ("…, or did it cash out?") is cut, and so is a closing tag ("…, right?").
pub fn asked_clause(raw: &str) -> String {
    let folded = normalize::fold(&normalize::clean_markup(normalize::truncate(raw)));
    let mut segments: Vec<(&str, bool)> = Vec::new();
    let mut start = 0;
    for (i, c) in folded.char_indices() {
        let boundary = matches!(c, '?' | '!' | ';' | ':' | '—' | '–' | '\n')
            || (c == '.' && !folded[i + 1..].starts_with(|d: char| d.is_ascii_digit()))
            || (c == '-' && folded[..i].ends_with(' ') && folded[i + 1..].starts_with(' '));
        if boundary {
            segments.push((&folded[start..i], c == '?'));
            start = i + c.len_utf8();
        }
    }
    segments.push((&folded[start..], false));
    segments.retain(|(s, _)| !normalize::words(s).is_empty());
    let opens_yes_no = |s: &str| {
        let w = normalize::words(s);
        w.iter()
            .find(|x| !LEADING.contains(&x.as_str()))
            .is_some_and(|x| AUX.contains(&x.as_str()))
    };
    let chosen = segments
        .iter()
        .find(|(s, _)| opens_yes_no(s))
        .or_else(|| segments.iter().find(|(_, q)| *q))
        .map_or(folded.as_str(), |(s, _)| s);
    first_alternative(chosen.trim()).to_owned()
}

/// The first of two alternatives ("is it still a big shareholder, or did it cash out" → "is it
/// still a big shareholder"), cut where "or" is followed by an auxiliary; a tag ("…, right",
/// "…, or not") goes too.
pub fn first_alternative(clause: &str) -> &str {
    let clause = normalize::truncate(clause);
    let mut cut = clause.len();
    let mut search = 0;
    while let Some(at) = clause[search..].find(" or ") {
        let at = search + at;
        let next = window(&clause[at + 4..]);
        if next
            .first()
            .is_some_and(|x| AUX.contains(&x.as_str()) || x == "has" || x == "have")
            && next.len() >= 2
        {
            cut = at;
            break;
        }
        search = at + 4;
    }
    let head = clause[..cut].trim_end_matches([',', ' ']);
    let words = normalize::words(head);
    for &tag in TAGS {
        if words.len() > tag.len() + 2
            && ends_with_words(&words, tag)
            && let Some(comma) = head.rfind(',')
            && normalize::words(&head[comma..]) == tag
        {
            return head[..comma].trim_end();
        }
    }
    head
}

/// Whether the words `w` end with the words of `tag`.
fn ends_with_words(w: &[String], tag: &[&str]) -> bool {
    w.len() >= tag.len() && w[w.len() - tag.len()..] == *tag
}

/// Whether the words `w` start with the words of `tag`.
fn starts_with_words(w: &[String], tag: &[&str]) -> bool {
    w.len() >= tag.len() && w[..tag.len()] == *tag
}

/// Whether the words `w` hold the words of `seq`, next to each other.
pub(crate) fn contains_words(w: &[String], seq: &[&str]) -> bool {
    w.windows(seq.len()).any(|win| win == seq)
}

fn wh_form(w: &[String]) -> Option<Form> {
    let first = w.first().map(String::as_str)?;
    let next = |n: usize| w.iter().skip(1).take(n).map(String::as_str);
    match first {
        "when" => Some(Form::When),
        "who" | "whom" | "whose" => Some(Form::Who),
        "why" => Some(Form::Why),
        "how" => {
            let second = w.get(1).map(String::as_str).unwrap_or("");
            if second == "long" || second == "soon" {
                Some(Form::When)
            } else if HOW_AMOUNT.contains(&second) {
                Some(Form::Amount)
            } else if second == "come" {
                Some(Form::Why)
            } else {
                Some(Form::What)
            }
        }
        "what" | "whats" | "which" => {
            if next(4).any(|x| WHEN_NOUNS.contains(&x) || x == "when") {
                Some(Form::When)
            } else if next(3).any(|x| AMOUNT_NOUNS.contains(&x)) {
                Some(Form::Amount)
            } else if next(3).any(|x| x == "reason" || x == "drove" || x == "prompted") {
                Some(Form::Why)
            } else if next(1).any(|x| x == "outlet" || x == "reporter" || x == "reporters") {
                Some(Form::Who)
            } else {
                Some(Form::What)
            }
        }
        _ => None,
    }
}

/// Whether a folded word is an auxiliary verb ("is", "does", "can't" …).
pub fn is_auxiliary(word: &str) -> bool {
    AUX.contains(&word)
}

/// Phrases that open a message before its form shows, as the words of [`LEADING`] do ("in
/// plain english who pays who", "for my essay: when did it start", "…, and while you're at it
/// what's …").
const LEADING_PHRASES: &[&[&str]] = &[
    &["in", "plain", "english"],
    &["in", "simple", "terms"],
    &["in", "plain", "terms"],
    &["in", "layman", "terms"],
    &["in", "laymans", "terms"],
    &["simply", "put"],
    &["explain", "like", "im", "5"],
    &["like", "im", "5"],
    &["eli5"],
    &["for", "my", "essay"],
    &["for", "my", "thesis"],
    &["for", "my", "story"],
    &["for", "my", "piece"],
    &["for", "my", "article"],
    &["for", "my", "class"],
    &["for", "a", "client", "memo"],
    &["for", "a", "client"],
    &["for", "the", "record"],
    &["for", "context"],
    &["while", "youre", "at", "it"],
    &["while", "you", "are", "at", "it"],
    &["while", "ur", "at", "it"],
    &["by", "the", "way"],
    &["on", "another", "note"],
    &["on", "a", "different", "note"],
    &["one", "last", "thing"],
    &["last", "thing"],
    &["another", "thing"],
];

/// How many words open a message before its form shows ("so", "ok", "quick one": [`LEADING`];
/// "in plain english", "while you're at it": [`LEADING_PHRASES`]).
fn leading_len(words: &[String]) -> usize {
    let mut at = 0;
    while at < words.len() {
        if let Some(phrase) = LEADING_PHRASES
            .iter()
            .find(|p| starts_with_words(&words[at..], p))
        {
            at += phrase.len();
        } else if LEADING.contains(&words[at].as_str()) {
            at += 1;
        } else {
            break;
        }
    }
    at
}

/// Whether a message opens like a question of its own ("what …", "is …", "how …").
pub fn opens_question(words: &[String]) -> bool {
    let start = leading_len(words);
    words.get(start).is_some_and(|w| {
        AUX.contains(&w.as_str()) || WH.contains(&w.as_str()) || (start > 0 && w == "whether")
    })
}

/// Whether words hold a question word anywhere ("I need how the stock moved", "whether they
/// still get paid"), as a part of a list may.
pub fn holds_question_word(words: &[String]) -> bool {
    words
        .iter()
        .any(|w| WH.contains(&w.as_str()) || w == "whether")
}

/// Splits a message that asks several things into its parts, in order: at most [`MAX_PARTS`]
/// questions, after a greeting that opens the message ("hi! what can you do" → "hi!", "what can
/// you do"), which is a part of its own.
///
/// One pass over the message cuts it into pieces: sentences (ended by "?", or by "!" or "." and
/// a space), lines, and the items of a list ("- …" lines, "1) … 2) …", "First, … Second, …"),
/// whose markers are dropped. A piece that asks something (it opens like a question, ends with
/// "?", is a list item, or holds two requests) starts a part; a statement stays with the question
/// before it ("… Asking for a client."), or leads into the first one ("I run a fund. Is the cap
/// public?"). Within a piece, a
/// question is cut before ", and", "and", ";" or "," when what follows opens a question of its
/// own (in any case: "… AND HOW BIG IS THE CAP"), and at "+", "plus" or "and then the …" between
/// two requests ("tl;dr and then the key dates").
pub fn split(raw: &str) -> Vec<String> {
    split_with(raw, true)
}

/// Splits a message at its sentences and list items only, never inside a sentence: for a
/// message that quotes or paraphrases a statement, whose commas and "and"s are the statement's.
pub fn split_sentences(raw: &str) -> Vec<String> {
    split_with(raw, false)
}

fn split_with(raw: &str, within: bool) -> Vec<String> {
    let text = normalize::truncate(raw).trim();
    if within && let Some(parts) = each_of(text).or_else(|| both_of(text)) {
        return parts;
    }
    let mut parts: Vec<String> = Vec::new();
    let mut rest = text;
    if let Some(end) = greeting_len(text)
        && !text[end..].trim().is_empty()
    {
        parts.push(text[..end].trim().to_owned());
        rest = &text[end..];
    }
    let greeting = parts.len();
    // Statements waiting for the question they lead into.
    let mut lead_in = String::new();
    let mut pos = 0;
    while let Some((start, end, listed)) = next_piece(rest, pos) {
        pos = end;
        let piece = rest[start..end].trim();
        if !piece.chars().any(char::is_alphanumeric) {
            // Stray punctuation ("?!", "…") stays with the text before it.
            match parts.last_mut().filter(|_| lead_in.is_empty()) {
                Some(last) => last.push_str(piece),
                None => lead_in.push_str(piece),
            }
            continue;
        }
        let cut = |t: &str| if within { next_cut(t) } else { None };
        // A piece asks something when it is a list item, ends with "?", opens like a question,
        // names a thing asked for ("key dates."), or holds two requests ("tl;dr + key dates").
        let asks = listed || piece.ends_with('?') || {
            let w = window(piece);
            opens_question(&w)
                || asks_politely(piece)
                || names_thing_asked(&w)
                || cut(piece).is_some()
                || (parts.len() > greeting && adds_request(&w))
        };
        if !asks {
            // A statement after a question says more about it ("… Asking for a client."); one
            // before the first question leads into it ("I run a fund. Is the cap public?").
            let asked = parts.len() > greeting;
            match parts.last_mut().filter(|_| asked) {
                Some(last) => push_words(last, piece),
                None => push_words(&mut lead_in, piece),
            }
            continue;
        }
        // `from`: where the rest of this piece starts.
        let mut from = start;
        loop {
            if parts.len() - greeting + 1 >= MAX_PARTS {
                // The last part takes the rest of the message, whatever it asks.
                push_words(&mut lead_in, rest[from..].trim());
                parts.push(std::mem::take(&mut lead_in));
                return parts;
            }
            match cut(&rest[from..end]) {
                Some((cut_end, next_start)) => {
                    let head = rest[from..from + cut_end].trim();
                    if !head.is_empty() {
                        push_words(&mut lead_in, head);
                        parts.push(std::mem::take(&mut lead_in));
                    }
                    from += next_start;
                }
                None => {
                    push_words(&mut lead_in, rest[from..end].trim());
                    parts.push(std::mem::take(&mut lead_in));
                    break;
                }
            }
        }
    }
    if !lead_in.is_empty() {
        let asked = parts.len() > greeting;
        match parts.last_mut() {
            // A statement after the last question ("… Asking for a client.") stays with it.
            Some(last) if asked => push_words(last, &lead_in),
            _ => parts.push(lead_in),
        }
    }
    if parts.is_empty() {
        parts.push(text.to_owned());
    }
    // "… (phi?) and does it use anthropic": a bracket a cut left behind opens no part.
    for part in &mut parts {
        let kept = part.trim_start_matches([')', ']', '}', ' ']);
        if kept.len() != part.len() && !kept.is_empty() {
            *part = kept.to_owned();
        }
    }
    parts
}

/// The most words of a thing asked for before "give me both".
const MAX_BOTH_WORDS: usize = 10;

/// Two things asked for, then "give me both" ("licence till when, cap how big — give me
/// both", "the cap or the end date? need both"): the two things, each a part.
fn both_of(text: &str) -> Option<Vec<String>> {
    const ASKING_BOTH: &[&str] = &[
        "both", "give", "me", "need", "i", "want", "answer", "tell", "pls", "please", "plz", "of",
        "them", "the", "answers", "ok", "thanks", "thx",
    ];
    let body = text.trim_end_matches(['?', '.', '!', ' ']);
    let (at, mark) = body
        .char_indices()
        .rev()
        .find(|(_, c)| matches!(c, ',' | '—' | '–' | '-' | ':' | '?' | '.' | ';'))?;
    let tail = window(&body[at + mark.len_utf8()..]);
    // "both?" alone asks a question of its own ("a money thing? both?").
    if tail.len() < 2
        || !tail.iter().any(|w| w == "both")
        || !tail.iter().all(|w| ASKING_BOTH.contains(&w.as_str()))
    {
        return None;
    }
    let head = body[..at].trim_end_matches(['?', ' ']);
    let (first, second) = [", ", " or ", " and "]
        .iter()
        .find_map(|sep| head.split_once(sep))?;
    let (first, second) = (first.trim(), second.trim());
    let short = |item: &str| (1..=MAX_BOTH_WORDS).contains(&window(item).len());
    (short(first) && short(second)).then(|| vec![first.to_owned(), second.to_owned()])
}

/// A question asked of each of two or three things named before it ("revenue share vs ip
/// licence: when does each end?", "bedrock + oracle: where does each stand?"): one part per
/// thing, the question asked of it ("revenue share: when does it end?").
fn each_of(text: &str) -> Option<Vec<String>> {
    let (head, tail) = text.split_once(':')?;
    let tail = tail.trim();
    let tail_words = window(tail);
    if !tail_words.iter().any(|w| w == "each") || !opens_question(&tail_words) {
        return None;
    }
    let mut items: Vec<&str> = vec![head];
    for sep in [
        " vs. ", " vs ", " versus ", " and ", " & ", " + ", ", ", " / ",
    ] {
        items = items
            .iter()
            .flat_map(|item| item.split(sep))
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .collect();
    }
    let short = items
        .iter()
        .all(|item| (1..=4).contains(&window(item).len()));
    if !(2..=MAX_PARTS).contains(&items.len()) || !short {
        return None;
    }
    let asked = tail
        .split(' ')
        .map(|w| {
            let rest = w.trim_start_matches(|c: char| c.is_alphanumeric());
            if w[..w.len() - rest.len()].eq_ignore_ascii_case("each") {
                format!("it{rest}")
            } else {
                w.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    Some(
        items
            .iter()
            .map(|item| format!("{item}: {asked}"))
            .collect(),
    )
}

/// The items of a message that is a list of three keyword queries and nothing else
/// ("/dealbot exclusivity, aws, msft stake"): items of one to four words, separated by commas
/// and semicolons or by " + ", none asking a question of its own but the last after "and"
/// ("…, and who reported it?"); a leading slash command is dropped. Such a message is its
/// items, not what [`split`] makes of it.
pub fn keyword_items(raw: &str) -> Option<Vec<String>> {
    let text = normalize::truncate(raw).trim();
    let body = match text.strip_prefix('/') {
        Some(command) => command.split_once(' ')?.1.trim_start(),
        None => text,
    };
    let body = body.trim_end_matches(['?', '.', '!']);
    // Commas and semicolons, or else " + " ("tl;dr + key dates" is two items, not three).
    let mut items: Vec<&str> = body.split([',', ';']).map(str::trim).collect();
    if items.len() != MAX_PARTS {
        items = body.split(" + ").map(str::trim).collect();
    }
    if items.len() != MAX_PARTS {
        return None;
    }
    let keyword = |item: &str| {
        let w = words(item);
        (1..=4).contains(&w.len())
            && !item.contains('?')
            && !w.iter().any(|x| {
                AUX.contains(&x.as_str())
                    || WH.contains(&x.as_str())
                    || matches!(x.as_str(), "and" | "or" | "but")
            })
    };
    // "stock reaction, stake size, and who reported it?": the last item may be a question
    // after "and".
    let last = items[MAX_PARTS - 1];
    let asked = last
        .get(..4)
        .filter(|and| and.eq_ignore_ascii_case("and "))
        .map(|_| last[4..].trim_start())
        .filter(|asked| opens_question(&words(asked)));
    if let Some(asked) = asked {
        items[MAX_PARTS - 1] = asked;
    }
    (items[..MAX_PARTS - 1].iter().all(|item| keyword(item)) && (asked.is_some() || keyword(last)))
        .then(|| items.iter().map(|i| (*i).to_owned()).collect())
}

/// Whether a piece asks for something without a question: it ends with "pls" or "please"
/// ("key dates pls.") or opens with a request ("give me the timeline", "and give me …").
fn asks_politely(piece: &str) -> bool {
    let w = words(piece);
    w.last()
        .is_some_and(|x| matches!(x.as_str(), "pls" | "please" | "plz" | "plse"))
        || opens_request(&w[leading_len(&w)..])
}

/// Appends `piece` to `text`, a space between.
fn push_words(text: &mut String, piece: &str) {
    if piece.is_empty() {
        return;
    }
    if !text.is_empty() {
        text.push(' ');
    }
    text.push_str(piece);
}

/// Words of a greeting ("hi", "morning"); a greeting holds one of these.
const GREETINGS: &[&str] = &[
    "hi",
    "hey",
    "hello",
    "hiya",
    "heya",
    "howdy",
    "yo",
    "morning",
    "afternoon",
    "evening",
    "gm",
    "greetings",
];
/// Words that may come with a greeting ("good morning all", "hi there team").
const GREETING_COMPANY: &[&str] = &[
    "good",
    "all",
    "there",
    "team",
    "folks",
    "everyone",
    "everybody",
    "guys",
    "bot",
    "dealbot",
    "again",
];

/// The length of a greeting that opens `text` and is set off by punctuation ("hi!", "Morning
/// all,", "hey bot 👋"): its words are greeting words only. "hey what can you do" has none.
fn greeting_len(text: &str) -> Option<usize> {
    let mut greeted = false;
    let mut i = 0;
    let bytes = text.as_bytes();
    // Words: runs of ASCII letters; the first other character ends the greeting's words.
    loop {
        while i < bytes.len() && bytes[i] == b' ' {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        if start == i {
            break;
        }
        let word = text[start..i].to_ascii_lowercase();
        if GREETINGS.contains(&word.as_str()) {
            greeted = true;
        } else if !GREETING_COMPANY.contains(&word.as_str()) {
            return None;
        }
        if i - start > 12 {
            return None;
        }
    }
    if !greeted {
        return None;
    }
    // Then punctuation or symbols (not a letter, digit or apostrophe), then the rest.
    let after = &text[i..];
    let marks = after
        .char_indices()
        .find(|&(_, c)| c.is_alphanumeric() || c == '\'' || c == '’')
        .map_or(after.len(), |(n, _)| n);
    (!after[..marks].trim().is_empty()).then_some(i + marks)
}

/// Ordinal words that open an item of a list ("First, …", "Secondly: …").
const ORDINALS: &[&str] = &[
    "first", "firstly", "second", "secondly", "third", "thirdly", "fourth", "finally", "lastly",
];

/// Words whose trailing "." ends no sentence ("Mr. Altman", "U.S. regulators", "vs. Google").
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "vs", "inc", "corp", "co", "ltd", "jr", "sr", "etc", "approx",
    "no", "eg", "ie", "cf", "est", "fig",
];

/// The bytes of a list marker that opens `text`: a bullet ("- ", "• "), a number or letter
/// ("1) ", "(2) ", "3. ", "a) "), or an ordinal with its punctuation ("First, "), with the
/// spaces after it. 0 when there is none.
fn marker_len(text: &str) -> usize {
    let trimmed = text.trim_start();
    let lead = text.len() - trimmed.len();
    let b = trimmed.as_bytes();
    let spaced = |n: usize| b.len() > n && (b[n] == b' ' || b[n] == b'\t');
    let marker = if let Some(n) = emphasised_marker(b) {
        n
    } else if trimmed.starts_with(['-', '*', '•', '–', '—', '·']) {
        let n = trimmed.chars().next().map_or(1, char::len_utf8);
        if spaced(n) { n } else { 0 }
    } else if b.len() >= 2
        && ((matches!(b[0], b'1'..=b'9') && matches!(b[1], b')' | b'.'))
            || (matches!(b[0], b'a'..=b'e') && b[1] == b')'))
    {
        if spaced(2) { 2 } else { 0 }
    } else if b.len() >= 3
        && matches!(b[0], b'q' | b'Q')
        && matches!(b[1], b'1'..=b'9')
        && matches!(b[2], b':' | b')' | b'.')
    {
        // "q1: …", "Q2) …".
        if spaced(3) { 3 } else { 0 }
    } else if b.len() >= 3 && b[0] == b'(' && b[1].is_ascii_alphanumeric() && b[2] == b')' {
        if spaced(3) { 3 } else { 0 }
    } else {
        let word_end = b
            .iter()
            .position(|c| !c.is_ascii_alphabetic())
            .unwrap_or(b.len());
        let word = trimmed[..word_end].to_ascii_lowercase();
        if ORDINALS.contains(&word.as_str())
            && b.get(word_end)
                .is_some_and(|c| matches!(c, b',' | b':' | b'.' | b')'))
        {
            word_end + 1
        } else {
            0
        }
    };
    if marker == 0 {
        return 0;
    }
    let after = &trimmed[marker..];
    lead + marker + (after.len() - after.trim_start().len())
}

/// The bytes of a list number set in bold or italics ("**Q1** …", "__2.__ …", "*Q3:* …"), up to
/// the space after it; `None` when `b` opens with none.
fn emphasised_marker(b: &[u8]) -> Option<usize> {
    let mark = *b.first().filter(|c| matches!(c, b'*' | b'_'))?;
    let open = b.iter().take(2).take_while(|&&c| c == mark).count();
    let mut i = open;
    if b.get(i).is_some_and(|c| matches!(c, b'q' | b'Q')) {
        i += 1;
    }
    let digits = b[i.min(b.len())..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if !(1..=2).contains(&digits) {
        return None;
    }
    i += digits;
    if b.get(i).is_some_and(|c| matches!(c, b':' | b')' | b'.')) {
        i += 1;
    }
    if b.len() < i + open || b[i..i + open].iter().any(|&c| c != mark) {
        return None;
    }
    i += open;
    if b.get(i) == Some(&b':') {
        i += 1;
    }
    b.get(i)
        .is_some_and(|c| *c == b' ' || *c == b'\t')
        .then_some(i)
}

/// The next piece of `text` from byte `pos`: (start after its list marker, end, whether it is a
/// list item). Pieces end after "?", after "!" or "." followed by a space, at a line break, and
/// before an inline list number ("… 2) how many …").
fn next_piece(text: &str, pos: usize) -> Option<(usize, usize, bool)> {
    if pos >= text.len() {
        return None;
    }
    let marker = marker_len(&text[pos..]);
    let start = pos + marker;
    let bytes = text.as_bytes();
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'?' => return Some((start, i + 1, marker > 0)),
            b'\n' | b'\r' => return Some((start, i + 1, marker > 0)),
            b'!' | b'.'
                if bytes.get(i + 1).is_none_or(|c| c.is_ascii_whitespace())
                    && (bytes[i] == b'!' || ends_sentence(&text[start..i])) =>
            {
                return Some((start, i + 1, marker > 0));
            }
            // "… public 2) how many …": the next item of an inline list.
            b' ' if i > start
                && (inline_item(&text[i + 1..]) || dotted_item(text, i + 1))
                && marker_len(&text[i..]) > 0 =>
            {
                return Some((start, i, marker > 0));
            }
            _ => {}
        }
        i += 1;
    }
    Some((start, text.len(), marker > 0))
}

/// Whether "…." ends a sentence: the word before the dot is no abbreviation ("Mr.", "U.S.")
/// and no single letter.
fn ends_sentence(before: &str) -> bool {
    let word: String = before
        .rsplit(|c: char| c.is_whitespace())
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_lowercase();
    let last = before
        .rsplit(|c: char| c.is_whitespace())
        .next()
        .unwrap_or("");
    word.chars().count() >= 2 && !last.contains('.') && !ABBREVIATIONS.contains(&word.as_str())
}

/// Whether a list marker inside a sentence opens an item: "2) " or "(2) " (a number or letter
/// and a parenthesis), not a bullet or an ordinal, which may be ordinary words there.
fn inline_item(text: &str) -> bool {
    let b = text.as_bytes();
    (b.len() >= 3 && (b[0].is_ascii_digit() || matches!(b[0], b'a'..=b'e')) && b[1] == b')')
        || (b.len() >= 4 && b[0] == b'(' && b[1].is_ascii_alphanumeric() && b[2] == b')')
}

/// Whether "N. " at byte `at` opens an item of an inline list numbered with dots ("two
/// things: 1. … 2. …"): "1. " when "2. " follows, a later number when "1. " came before, each
/// within [`WINDOW`] bytes (so a message of many such numbers costs no more than its length).
fn dotted_item(text: &str, at: usize) -> bool {
    let b = &text.as_bytes()[at..];
    if b.len() < 4 || !matches!(b[0], b'1'..=b'9') || b[1] != b'.' || b[2] != b' ' {
        return false;
    }
    if b[0] == b'1' {
        b[..b.len().min(WINDOW)].windows(4).any(|w| w == b" 2. ")
    } else {
        text.as_bytes()[at.saturating_sub(WINDOW)..at]
            .windows(3)
            .any(|w| w == b"1. ")
    }
}

/// Bytes of text around a cut point that splitting looks at: enough for the few words that
/// decide, and what keeps splitting linear in the message's length.
const WINDOW: usize = 96;

/// The first words of `text` (at most [`WINDOW`] bytes of it).
fn window(text: &str) -> Rc<[String]> {
    let mut end = text.len().min(WINDOW);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    // Spaces around the text change none of its words: trimmed, a window shares the memo of
    // the part it opens ("when does it end " is the part "when does it end").
    words(text[..end].trim())
}

/// Whether `text` at byte `i` starts with the word `word` (ASCII, any case), after a space.
fn word_at(text: &str, i: usize, word: &str) -> bool {
    let bytes = text.as_bytes();
    i > 0
        && bytes[i - 1] == b' '
        && bytes.len() > i + word.len()
        && bytes[i..i + word.len()].eq_ignore_ascii_case(word.as_bytes())
        && bytes[i + word.len()] == b' '
}

/// Determiners that open a noun phrase: after "and then" a request of its own ("… and then the
/// key dates").
const DETERMINERS: &[&str] = &[
    "the", "a", "an", "your", "some", "any", "all", "its", "their",
];

/// The first place to cut a sentence: (end of this part, start of the next).
fn next_cut(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let cut = match c {
            // "what did altman say & what did jassy say": "&" only before a question of its own
            // ("Microsoft & OpenAI deal terms?" is one).
            b'+' | b'&' if i > 0 && bytes[i - 1] == b' ' => {
                let before = window(&text[..i]);
                let after = window(&text[i + 1..]);
                (!before.is_empty()
                    && !after.is_empty()
                    && (c == b'+' || (before.len() >= 2 && opens_question(&after))))
                .then_some((i, i + 1))
            }
            // "tl;dr plus the key dates": "plus" between two requests, like "+".
            b'p' | b'P' if word_at(text, i, "plus") => {
                let before = window(&text[..i]);
                let after = window(&text[i + 5..]);
                (!before.is_empty() && after.len() >= 2).then_some((i, i + 5))
            }
            // "when does it end / is it capped": a slash between two questions.
            b'/' if i > 0 && bytes[i - 1] == b' ' && bytes.get(i + 1) == Some(&b' ') => {
                let head = window(&text[..i]);
                let after = window(&text[i + 1..]);
                (head.len() >= 2
                    && after.len() >= 2
                    && (opens_question(&after) || head_asks(&head)))
                .then_some((i, i + 1))
            }
            // "announcement date; revenue share end year": items of a list.
            b';' if bytes.get(i + 1) == Some(&b' ')
                && window(&text[..i]).len() >= 2
                && window(&text[i + 1..]).len() >= 2 =>
            {
                Some((i, i + 1))
            }
            b';' | b',' => {
                // "… first why …, and second if …": the second item of an inline list.
                if c == b','
                    && let cut @ Some(_) = second_item(text, i)
                {
                    return cut;
                }
                let after = &text[i + 1..];
                let after_trim = after.trim_start();
                let skip = after.len() - after_trim.len();
                let joined = ["and ", "as well as "]
                    .iter()
                    .find(|j| {
                        after_trim.len() > j.len()
                            && after_trim.as_bytes()[..j.len()].eq_ignore_ascii_case(j.as_bytes())
                    })
                    .map_or(0, |j| j.len());
                let off = joined;
                // "…, second, has Pichai commented": the ordinal is the next item's marker.
                let off = off + marker_len(&after_trim[off..]);
                let next = &after_trim[off..];
                let w = window(next);
                let head = window(&text[..i]);
                // After ", and" a question of its own may follow a thing asked for ("key
                // dates, and who wrote it"); after a bare comma only a question.
                // So may one after ", then" ("give me the gist, then what it means for …").
                let then = w
                    .first()
                    .is_some_and(|x| matches!(x.as_str(), "then" | "also" | "plus"));
                let head_ok = head_asks(&head) || ((joined > 0 || then) && names_request(&head));
                // "…, and until when": a bare aspect, which may ask another topic; "…, until
                // when OpenAI pays": a question of its own, unless it asks about the part
                // before ("…, and until when does it run?").
                let until_when = until_when_len(&w).is_some_and(|n| {
                    w.len() <= n + 1
                        || !w[n..]
                            .iter()
                            .any(|x| matches!(x.as_str(), "it" | "its" | "that" | "this" | "they"))
                });
                // "…, and also list your sources": a request of its own after ", and".
                let request = joined > 0 && opens_request(&w[leading_len(&w)..]);
                // "history on Azure, also the 2019 investment amount": a thing of its own after
                // ", also" (not "…, also for Google?").
                let also = joined == 0
                    && c == b','
                    && head.len() >= 2
                    && w.len() >= 3
                    && w[0] == "also"
                    && !matches!(w[1].as_str(), "for" | "to" | "with" | "on" | "in" | "about");
                (also
                    || (head_ok
                        && ((w.len() >= 2 && opens_question(&w) && !is_tag(&w))
                            || until_when
                            || request)))
                    .then_some((i, i + 1 + skip + off))
            }
            // "azure still primary vs can they go to AWS now?": "vs" before a question of its
            // own.
            b'v' | b'V' if word_at(text, i, "vs") || word_at(text, i, "versus") => {
                let skip = if word_at(text, i, "vs") { 3 } else { 7 };
                let head = window(&text[..i]);
                let after = window(&text[i + skip..]);
                (head.len() >= 2 && after.len() >= 3 && opens_question(&after))
                    .then_some((i, i + skip))
            }
            // "the cap as well as the end date?": "as well as" before a noun phrase of its own
            // or a question; not "did Microsoft as well as OpenAI comment?".
            b'a' | b'A'
                if word_at(text, i, "as")
                    && text[i..]
                        .get(..11)
                        .is_some_and(|x| x.eq_ignore_ascii_case("as well as ")) =>
            {
                let head = window(&text[..i]);
                let after = window(&text[i + 11..]);
                (head.len() >= 2
                    && after.len() >= 2
                    && (opens_question(&after) || DETERMINERS.contains(&after[0].as_str())))
                .then_some((i, i + 11))
            }
            b'a' | b'A' if word_at(text, i, "and") => {
                let next = &text[i + 4..];
                let w = window(next);
                let head = window(&text[..i]);
                // "why now and also what does musk think": two words asking "why now" are a
                // question of their own.
                let short_wh = head.len() == 2 && WH.contains(&head[0].as_str());
                if (head.len() >= 3 || short_wh)
                    && head_asks(&head)
                    && (w.len() >= 3 && starts_clause(&w) || head.len() >= 3 && asks_aspect(&w))
                {
                    Some((i, i + 4))
                } else if !head.is_empty() && w.len() >= 3 && opens_request(&w) {
                    // "tell me what Jassy said and give me the stock move".
                    Some((i, i + 4))
                } else if names_request(&head)
                    && head.iter().any(|x| REQUEST_NOUNS.contains(&x.as_str()))
                    && head.len() <= 6
                    && (2..=5).contains(&w.len())
                    && (matches!(w[0].as_str(), "your" | "the" | "a" | "any")
                        || (!matches!(w[0].as_str(), "then" | "also")
                            && w.iter().any(|x| REQUEST_NOUNS.contains(&x.as_str()))))
                    && !w
                        .iter()
                        .any(|x| AUX.contains(&x.as_str()) || WH.contains(&x.as_str()))
                {
                    // "tl;dr and your sources pls": two things asked for.
                    Some((i, i + 4))
                } else if !head.is_empty()
                    && w.len() >= 3
                    && matches!(w[0].as_str(), "then" | "also")
                    && DETERMINERS.contains(&w[1].as_str())
                {
                    // "tl;dr and then the key dates": the next part starts after "then".
                    let then = next.trim_start();
                    Some((i, text.len() - then.len() + 5))
                } else {
                    None
                }
            }
            _ if i > 0 && bytes[i - 1] == b' ' && c.is_ascii_alphabetic() => run_on_cut(text, i),
            _ => None,
        };
        if cut.is_some() {
            return cut;
        }
        i += 1;
        while i < bytes.len() && !text.is_char_boundary(i) {
            i += 1;
        }
    }
    None
}

/// Words after which a clause is what they take, not a question of its own ("can you tell me
/// what the cap is", "does the article say when it ends").
const TAKES_CLAUSE: &[&str] = &[
    "know",
    "say",
    "said",
    "says",
    "tell",
    "me",
    "us",
    "wonder",
    "ask",
    "asked",
    "if",
    "whether",
    "sure",
    "confirm",
    "check",
    "see",
    "explain",
    "and",
    "or",
    "but",
    "about",
    "of",
    "on",
    "to",
    "that",
    "the",
    "a",
    "an",
    "is",
    "are",
    "was",
    "do",
    "does",
    "did",
    "clear",
    "mean",
    "means",
    "think",
    "reported",
    "report",
    "reports",
    "show",
    "shows",
    "find",
    "learn",
    "understand",
    "until",
    "till",
    "til",
    "since",
    "from",
    "by",
    "for",
    "in",
    "at",
    "with",
    "after",
    "before",
    "as",
    "than",
    "like",
    "so",
    "i.e",
    "ie",
    "e.g",
    "eg",
    "namely",
    "meaning",
];

/// A second question run on after a first with no comma or "and" ("when does the rev share end
/// is it capped", "is the cap public what's the percentage", "… antitrust also what's the EU
/// doing"): at byte `i`, the start of a word, a cut when what came before asks a question of
/// four words or more and the words from `i` open one of their own: an auxiliary and a pronoun
/// subject ("is it", "is there"), a wh-word and a verb ("what's", "who is"), or "also" before a
/// question.
fn run_on_cut(text: &str, i: usize) -> Option<(usize, usize)> {
    const SUBJECTS: &[&str] = &["it", "they", "there", "he", "she", "we", "you"];
    let word_end = text[i..]
        .find(|c: char| !(c.is_ascii_alphabetic() || c == '\'' || c == '\u{2019}'))
        .map_or(text.len(), |n| i + n);
    // Every word a cut may start at ("also", an auxiliary, "where's") is at most 8 bytes: a
    // longer word is passed by without a copy, as nearly every word of a message is.
    if word_end - i > 8 {
        return None;
    }
    let raw = text[i..word_end].to_ascii_lowercase();
    let word = raw
        .trim_end_matches(['\'', 's'])
        .trim_end_matches('\u{2019}');
    let also = raw == "also";
    let aux = AUX.contains(&raw.as_str());
    // Not "who" or "which": after a noun they mostly start a relative clause ("the only one
    // who can sell them").
    let wh = matches!(word, "what" | "when" | "why" | "how" | "where")
        || matches!(raw.as_str(), "whats" | "hows" | "whens" | "wheres");
    if !(also || aux || wh) {
        return None;
    }
    let before = text[..i].trim_end();
    let last = before
        .rsplit(' ')
        .next()
        .unwrap_or("")
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_ascii_lowercase();
    if last.is_empty()
        || TAKES_CLAUSE.contains(&last.as_str())
        || AUX.contains(&last.as_str())
        || WH.contains(&last.as_str())
    {
        return None;
    }
    let head = window(before);
    if head.len() < 4 || !opens_question(&head) {
        return None;
    }
    let start = leading_len(&head);
    // "we're an azure shop … do we lose access": "we're" folds to "were", no question.
    let first_raw = before
        .split_whitespace()
        .find(|w| words(w).first().is_some_and(|f| *f == head[start]))
        .unwrap_or("");
    if head[start] == "were" && first_raw.contains(['\'', '\u{2019}']) {
        return None;
    }
    // "which day of the week did they announce it": a wh-phrase with no verb yet is one
    // question with the words after it.
    if WH.contains(&head[start].as_str())
        && !head[start + 1..].iter().any(|w| AUX.contains(&w.as_str()))
        && !before.contains("'s")
        && !before.contains("\u{2019}s")
    {
        return None;
    }
    let after = window(&text[i..]);
    let opens = if also {
        after.len() >= 3 && opens_question(&after[1..])
    } else if aux {
        after.len() >= 2 && SUBJECTS.contains(&after[1].as_str())
    } else {
        // "what's the …", "who is …", "how much …": a wh-word with its verb or amount.
        let contracted = raw.ends_with("'s")
            || raw.ends_with("\u{2019}s")
            || matches!(raw.as_str(), "whats" | "hows" | "wheres" | "whens");
        after.len() >= 3
            && (contracted
                || AUX.contains(&after[1].as_str())
                || matches!(after[1].as_str(), "much" | "many" | "long" | "big"))
    };
    opens.then_some((i, i))
}

/// Things people ask the bot for by name ("tl;dr", "key dates", "your sources").
const REQUEST_NOUNS: &[&str] = &[
    "tl",
    "dr",
    "tldr",
    "summary",
    "gist",
    "recap",
    "timeline",
    "dates",
    "chronology",
    "sources",
    "links",
    "quote",
    "quotes",
    "statement",
    "overview",
    "background",
    "rundown",
    "breakdown",
    "pls",
    "please",
];

/// Whether a short piece names a thing people ask the bot for and nothing else ("key dates.",
/// "the timeline."): it asks for it, even with no question mark. Thanks ("great summary") do not.
fn names_thing_asked(w: &[String]) -> bool {
    (1..=3).contains(&w.len())
        && w.iter()
            .any(|x| REQUEST_NOUNS.contains(&x.as_str()) && x != "pls" && x != "please")
        && !thanks(w)
        && names_request(w)
}

/// Whether words thank or praise ("great summary", "thx for the quote").
fn thanks(w: &[String]) -> bool {
    w.iter().any(|x| {
        matches!(
            x.as_str(),
            "thanks" | "thank" | "thx" | "ty" | "cheers" | "great" | "nice" | "good" | "love"
        )
    })
}

/// Details a part of a list may name without asking a question ("Satya's comment", "EU fine
/// amount").
const DETAIL_NOUNS: &[&str] = &[
    "amount",
    "comment",
    "comments",
    "figure",
    "figures",
    "date",
    "price",
    "value",
    "valuation",
    "number",
    "numbers",
    "percentage",
    "reaction",
    "quote",
    "quotes",
    "statement",
];

/// Whether a part with no question mark or question word names a detail asked for (a list's
/// item: "Satya's comment", "EU Commission fine amount"), not thanks or chatter.
pub fn names_detail(w: &[String]) -> bool {
    (2..=6).contains(&w.len()) && w.iter().any(|x| DETAIL_NOUNS.contains(&x.as_str())) && !thanks(w)
}

/// Whether words open a request of their own: "give me …", "tell us …", "list your sources".
fn opens_request(w: &[String]) -> bool {
    w.first()
        .is_some_and(|x| REQUEST_VERBS.contains(&x.as_str()) && x != "run" && x != "break")
        && w.get(1).is_some_and(|x| {
            matches!(
                x.as_str(),
                "me" | "us" | "your" | "the" | "a" | "all" | "what" | "how" | "whether"
            )
        })
}

/// Words that ask for something without asking a question ("key dates pls", "tl;dr", "give me
/// the timeline"): a request or a short noun phrase that opens with no preamble ("for the
/// licence, …") or condition ("if it ends, …").
fn names_request(head: &[String]) -> bool {
    let start = leading_len(head);
    let rest = &head[start..];
    let preamble = |w: &String| PREAMBLE.contains(&w.as_str()) || CONDITIONAL.contains(&w.as_str());
    !rest.is_empty()
        && !head.first().is_some_and(preamble)
        && (opens_request(rest)
            || (rest.len() <= 4
                && !PREAMBLE.contains(&rest[0].as_str())
                && !CONDITIONAL.contains(&rest[0].as_str())
                && !rest
                    .iter()
                    .any(|x| AUX.contains(&x.as_str()) || WH.contains(&x.as_str()))))
}

/// Whether a piece after a question adds a request of its own ("also any word on the
/// device?", "plus the dates", "Additionally, please indicate …"): it opens with "also",
/// "plus", "then", "additionally" or "separately" and says three words or more.
pub fn adds_request(w: &[String]) -> bool {
    // "… ? oh and microsoft's stake": a thing asked for after "oh and".
    if let [oh, and, rest @ ..] = w
        && oh == "oh"
        && and == "and"
        && rest.len() >= 2
    {
        return true;
    }
    let w = match w.first().map(String::as_str) {
        Some("and" | "oh") => &w[1..],
        _ => w,
    };
    w.len() >= 3
        && matches!(
            w[0].as_str(),
            "also" | "plus" | "then" | "additionally" | "separately"
        )
}

/// At the comma at byte `i`: when the text before it says "first" and the text after opens
/// with "second" (", and secondly …"), the cut before the second item.
fn second_item(text: &str, i: usize) -> Option<(usize, usize)> {
    let after = &text[i + 1..];
    let trimmed = after.trim_start();
    let rest = match trimmed.get(..4) {
        Some(a) if a.eq_ignore_ascii_case("and ") => &trimmed[4..],
        _ => trimmed,
    };
    let word_end = rest
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    let ordinal = rest[..word_end].to_ascii_lowercase();
    if !matches!(ordinal.as_str(), "second" | "secondly") {
        return None;
    }
    let before = words(&text[..i]);
    if !before.iter().any(|w| w == "first" || w == "firstly") {
        return None;
    }
    let next = rest[word_end..].trim_start_matches([',', ':', ' ']);
    (window(next).len() >= 2).then_some((i, text.len() - next.len()))
}

/// Words that open a phrase leading into a question rather than a question ("besides the
/// licence, which …", "after the rewrite, who …").
const PREAMBLE: &[&str] = &[
    "besides",
    "under",
    "compared",
    "versus",
    "vs",
    "between",
    "during",
    "within",
    "unlike",
    "after",
    "before",
    "apart",
    "other",
    "beyond",
    "aside",
    "except",
    "for",
    "in",
    "on",
    "with",
    "given",
    "since",
    "as",
    "regarding",
    "about",
    "from",
    "big",
    "overall",
    "that",
    "because",
    "if",
    "although",
    "though",
    "while",
    "considering",
    "seeing",
    // A statement about the asker ("I'm an Azure customer, does this change anything?") sets
    // the scene for the question after it; it asks nothing of its own.
    "i",
    "i'm",
    "im",
    "i've",
    "ive",
    "we",
    "we're",
    "we've",
    "my",
    "our",
];

/// How many words open `w` asking "until when": "until when", "till when", or "until which
/// year" and the like ("until what date", "till which point").
fn until_when_len(w: &[String]) -> Option<usize> {
    let at = |i: usize| w.get(i).map_or("", String::as_str);
    if !matches!(at(0), "until" | "till" | "til") {
        return None;
    }
    match (at(1), at(2)) {
        ("when", _) => Some(2),
        ("which" | "what", "year" | "date" | "month" | "point") => Some(3),
        _ => None,
    }
}

/// Whether what comes before a conjunction asks something of its own: it opens like a
/// question (or with "until when"), or is a clause of five words or more that is not a lead-in
/// ("besides the licence").
fn head_asks(head: &[String]) -> bool {
    let start = leading_len(head);
    let rest = &head[start..];
    let until_when = until_when_len(rest).is_some();
    opens_question(head)
        || until_when
        || (rest.len() >= 5
            && rest
                .first()
                .is_some_and(|w| !PREAMBLE.contains(&w.as_str())))
}

/// Whether the last words of a message ask only an aspect of what came before ("… and until
/// when", "… and by how much", "… and why"): a part of its own after "and".
fn asks_aspect(w: &[String]) -> bool {
    const OPENERS: &[&str] = &[
        "until", "till", "til", "since", "when", "why", "how", "by", "for",
    ];
    const WORDS: &[&str] = &[
        "until", "till", "til", "since", "when", "why", "how", "by", "for", "much", "many", "long",
        "exactly", "then",
    ];
    // "… and how" alone asks how the thing before works, not a second thing.
    (1..=3).contains(&w.len())
        && w != ["how"]
        && OPENERS.contains(&w[0].as_str())
        && w.iter().any(|x| WH.contains(&x.as_str()))
        && w.iter().all(|x| WORDS.contains(&x.as_str()))
}

/// Whether a part of a message is only a tag question ("didn't it?", "is that fair?").
pub fn is_tag_part(raw: &str) -> bool {
    is_tag(&words(raw))
}

/// A tag question ("…, right?", "…, no?", "…, didn't it?", "…, do they lol", "…, is that
/// fair?") is not a part of its own.
fn is_tag(w: &[String]) -> bool {
    const SUBJECTS: &[&str] = &[
        "it", "they", "he", "she", "there", "we", "you", "that", "this",
    ];
    const AFTER: &[&str] = &[
        "lol", "then", "now", "too", "tho", "though", "right", "eh", "yeah", "fair", "true",
        "correct", "accurate", "ok", "okay", "so",
    ];
    w.len() <= 3
        && (TAGS.iter().any(|&tag| w == tag)
            || (w.len() >= 2
                && AUX.contains(&w[0].as_str())
                && SUBJECTS.contains(&w[1].as_str())
                && w.get(2).is_none_or(|x| AFTER.contains(&x.as_str()))))
}

/// After a bare "and": a wh-word, or an auxiliary followed by a subject ("and is it", "and does
/// openai"), opens a new question; "and microsoft" does not.
fn starts_clause(w: &[String]) -> bool {
    let w = match w.first().map(String::as_str) {
        Some("also" | "then") if w.len() > 1 => &w[1..],
        _ => w,
    };
    let first = w[0].as_str();
    if WH.contains(&first) {
        // "what about …" after "and" is a follow-up in a single question only when short.
        return true;
    }
    // "and have three things to check": "have" with an object is no question.
    let has_object = |s: &str| {
        matches!(first, "have" | "has" | "had")
            && (matches!(
                s,
                "a" | "an" | "some" | "several" | "few" | "lots" | "loads" | "no"
            ) || s.bytes().all(|b| b.is_ascii_digit())
                || normalize::number_word(s).is_some())
    };
    AUX.contains(&first)
        && w.get(1).is_some_and(|s| {
            !AUX.contains(&s.as_str())
                && !["not", "also", "then"].contains(&s.as_str())
                && !has_object(s)
        })
}

/// Whether a follow-up asks the previous question the other way round ("and the other way
/// round?", "vice versa?", "what about the reverse").
pub fn asks_reverse(raw: &str) -> bool {
    let w = words(raw);
    w.len() <= 10
        && (w.windows(4).any(|x| {
            x[0] == "the"
                && x[1] == "other"
                && x[2] == "way"
                && matches!(x[3].as_str(), "round" | "around")
        }) || w.windows(2).any(|x| {
            (x[0] == "vice" && x[1] == "versa")
                || (x[0] == "the" && matches!(x[1].as_str(), "reverse" | "opposite"))
                    && w.len() <= 4
        }))
}

/// Whether a message is a greeting and nothing else ("hi!", "morning all 👋").
/// Whether a message states figures or dates and nothing else but small words ("27%??",
/// "april 27 or 28?", "and 2030 — remind me").
pub fn only_figures(raw: &str) -> bool {
    const FILLER: &[&str] = &[
        "and", "or", "so", "the", "what", "about", "remind", "me", "again", "pls", "please",
        "percent", "per", "cent", "bn", "billion", "jan", "feb", "apr", "jun", "jul", "aug", "sep",
        "sept", "oct", "nov", "dec", "st", "nd", "rd", "th", "is", "it", "that", "this", "ok",
        "re", "of", "in",
    ];
    let w = words(raw);
    w.iter().any(|x| x.chars().any(|c| c.is_ascii_digit()))
        && w.len() <= 6
        && w.iter().all(|x| {
            x.chars().all(|c| c.is_ascii_digit())
                || FILLER.contains(&x.as_str())
                || super::verdict::is_month(x)
                || x.trim_start_matches(|c: char| c.is_ascii_digit()).len() <= 2
        })
}

/// Whether a piece is only a party or thing asked after "and" ("and for openai?", "same for
/// amazon?", "what about google?"): before a question of its own, it says whom that question
/// is about, and is no part of its own.
pub fn is_ellipsis_lead(raw: &str) -> bool {
    let w = words(raw);
    let mut rest: &[String] = &w;
    let mut led = false;
    loop {
        rest = match rest {
            [a, b, tail @ ..]
                if matches!(
                    (a.as_str(), b.as_str()),
                    ("what" | "how", "about") | ("same", "for") | ("same", "with")
                ) =>
            {
                led = true;
                tail
            }
            [a, tail @ ..] if matches!(a.as_str(), "and" | "so" | "ok" | "for" | "but") => {
                led = true;
                tail
            }
            _ => break,
        };
    }
    led && raw.trim_end().ends_with('?')
        && (1..=2).contains(&rest.len())
        && !rest
            .iter()
            .any(|x| WH.contains(&x.as_str()) || AUX.contains(&x.as_str()))
}

pub fn is_greeting(raw: &str) -> bool {
    let w = words(raw);
    w.iter().any(|x| GREETINGS.contains(&x.as_str()))
        && w.iter()
            .all(|x| GREETINGS.contains(&x.as_str()) || GREETING_COMPANY.contains(&x.as_str()))
}

/// Byte offsets of the word "its" (any case) in `text`.
fn its_at(text: &str) -> impl Iterator<Item = usize> + '_ {
    let bytes = text.as_bytes();
    let letter = |i: usize| bytes.get(i).is_some_and(|c| c.is_ascii_alphanumeric());
    (0..bytes.len().saturating_sub(2)).filter(move |&i| {
        bytes[i..i + 3].eq_ignore_ascii_case(b"its")
            && (i == 0 || !letter(i - 1) && bytes[i - 1] != b'\'')
            && !letter(i + 3)
    })
}

/// Whether a message says "its" ("how big is its stake").
pub fn mentions_its(text: &str) -> bool {
    its_at(text).next().is_some()
}

/// `text` with "its" read as `owner`'s ("how big is its stake", "microsoft" → "how big is
/// microsoft's stake").
pub fn resolve_its(text: &str, owner: &str) -> String {
    let mut out = String::with_capacity(text.len() + owner.len());
    let mut from = 0;
    for at in its_at(text) {
        out.push_str(&text[from..at]);
        out.push_str(owner);
        out.push_str("'s");
        from = at + 3;
    }
    out.push_str(&text[from..]);
    out
}

/// Words that mark a message as leaning on the previous turn.
const ANAPHORA: &[&str] = &[
    "that", "it", "this", "they", "them", "those", "these", "there", "he", "she", "his", "her",
    "its", "same",
];
/// Openers of a follow-up ("and …?", "what about …?").
const FOLLOW_OPENERS: &[&[&str]] = &[
    &["and"],
    &["what", "about"],
    &["how", "about"],
    &["what", "of"],
    &["also"],
    &["same", "for"],
    &["so"],
];

/// The premise a question takes for granted, when it opens with one ("now that Microsoft pays
/// OpenAI until 2030, how big is the cap?" → "Microsoft pays OpenAI until 2030").
pub fn premise(raw: &str) -> Option<&str> {
    let text = normalize::truncate(raw).trim_start();
    let lower = text.to_lowercase();
    let opener = [
        "now that ",
        "given that ",
        "seeing that ",
        "since ",
        "considering that ",
    ]
    .into_iter()
    .find(|o| lower.starts_with(o))?;
    let rest = text.get(opener.len()..)?;
    let end = rest.find([',', ';', '?'])?;
    let clause = rest[..end].trim();
    (words(clause).len() >= 3 && end + 1 < rest.len()).then_some(clause)
}

/// The sentences of a message that ask ("… podcast about AI bubbles. anyway — does MS still get
/// launches on azure first? that was all I wanted to know." → the middle one), and the sentences
/// around them: `None` unless the message holds both a sentence ending with "?" and one that is
/// a statement.
pub fn asked_sentences(raw: &str) -> Option<(String, String)> {
    let text = normalize::truncate(raw).trim();
    let (mut asked, mut said) = (String::new(), String::new());
    let mut pos = 0;
    while let Some((start, end, _)) = next_piece(text, pos) {
        pos = end;
        let piece = text[start..end].trim();
        if !piece.chars().any(char::is_alphanumeric) {
            continue;
        }
        push_words(
            if piece.ends_with('?') {
                &mut asked
            } else {
                &mut said
            },
            piece,
        );
    }
    (!asked.is_empty() && !said.is_empty()).then_some((asked, said))
}

/// The question before a trailing premise ("what is Microsoft doing now that it lost
/// exclusivity?" → "what is Microsoft doing"), when the message has one.
pub fn before_premise(raw: &str) -> Option<&str> {
    let text = normalize::truncate(raw).trim();
    let lower = text.to_lowercase();
    let at = [
        " now that ",
        ", now that ",
        " now it's ",
        " given that ",
        " seeing that ",
        " considering that ",
        ", since ",
    ]
    .into_iter()
    .filter_map(|o| lower.find(o))
    .min()?;
    // Lower-casing can change byte lengths; only cut where the offsets agree.
    let head = text.get(..at)?.trim_end_matches([',', ' ']);
    (lower.len() == text.len() && words(head).len() >= 3 && opens_question(&words(head)))
        .then_some(head)
}

/// Openers that announce a new topic ("different topic: …", "unrelated, but …").
const TOPIC_CHANGES: &[&str] = &[
    "ok different topic",
    "okay different topic",
    "different topic",
    "new topic",
    "change of topic",
    "changing topic",
    "changing the subject",
    "switching gears",
    "different question",
    "new question",
    "unrelated",
    "separate question",
];

/// The message after an opener announcing a new topic, when it has one: such a message never
/// leans on the turns before.
pub fn after_topic_change(raw: &str) -> Option<&str> {
    let text = normalize::truncate(raw).trim_start();
    let lower = text.to_lowercase();
    if lower.len() != text.len() {
        return None;
    }
    let opener = TOPIC_CHANGES.iter().find(|o| {
        lower.starts_with(*o)
            && lower[o.len()..]
                .chars()
                .next()
                .is_some_and(|c| matches!(c, ':' | ',' | ' ' | '-' | '—' | '.' | ';'))
    })?;
    let rest = text[opener.len()..]
        .trim_start_matches([':', ',', ' ', '-', '—', '.', ';'])
        .trim_start_matches("but ");
    (!rest.trim().is_empty()).then_some(rest)
}

/// Besides [`CONFIRM_ANCHORS`], the words a request to confirm a statement is made of ("…, is
/// that in the articles?", "…, can I say that?", "…, that's what I heard").
const CONFIRM_WORDS: &[&str] = &[
    "is",
    "that",
    "thats",
    "this",
    "it",
    "its",
    "can",
    "could",
    "may",
    "i",
    "we",
    "say",
    "write",
    "run",
    "use",
    "report",
    "in",
    "the",
    "by",
    "t",
    "am",
    "something",
    "made",
    "up",
    "not",
    "what",
    "hear",
    "read",
    "was",
    "told",
    "how",
    "are",
    "headline",
    "number",
    "figure",
    "always",
    "see",
    "saw",
    "does",
    "do",
    "check",
    "checks",
    "out",
    "still",
    "hold",
    "holds",
    "stand",
    "so",
    "or",
    "y",
    "n",
    "get",
    "got",
    "did",
    "have",
    "me",
    "making",
    "back",
    "support",
    "to",
    "a",
    "fact",
    "im",
    "just",
    "you",
    "u",
    "ur",
    "bot",
    "please",
    "pls",
    "then",
    "and",
    "all",
    "good",
    "well",
    "think",
    "tho",
    "though",
    "story",
    "copy",
    "line",
    "draft",
    "claim",
    "from",
    "on",
    "be",
    "would",
    "should",
    "those",
    "these",
    "anywhere",
    "elsewhere",
    "somewhere",
];
/// The words of such a tail that ask for the confirmation: a tail of "in there" alone is not one.
const CONFIRM_ANCHORS: &[&str] = &[
    "right",
    "correct",
    "true",
    "accurate",
    "confirmed",
    "confirm",
    "confirms",
    "print",
    "fine",
    "ok",
    "okay",
    "yeah",
    "ya",
    "yes",
    "yep",
    "nah",
    "legit",
    "heard",
    "remember",
    "verify",
    "verified",
    "safe",
    "wrong",
    "sure",
    "confident",
    "certain",
    "solid",
    "isnt",
    "isn",
    "case",
    "there",
    "agree",
    "agreed",
    "reckon",
    "no",
    "articles",
    "article",
    "sources",
    "source",
];

/// What a message asking to confirm a statement asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmation {
    /// A statement, then a request to confirm it ("the cap is $38 billion, can I print that?"):
    /// the statement, as a yes/no question ("the cap is $38 billion, right?").
    Statement(String),
    /// Only a request to confirm ("is that confirmed?", "can I print that?"): about the answer
    /// before.
    Previous,
}

/// Whether a message asks to confirm something: a statement of three words or more followed
/// by a tail of confirmation words holding at least one that asks ("right", "print", "heard"),
/// after a comma, dash, colon or sentence end; or only such a tail. A statement that opens
/// like a wh-question ("when does it end, right?") is no statement.
pub fn confirmation(raw: &str) -> Option<Confirmation> {
    // A tail's words are the message's: without a word that asks for confirmation there is
    // none. Most messages stop here, on words the other readings of the message share.
    if !words(raw)
        .iter()
        .any(|w| CONFIRM_ANCHORS.contains(&w.as_str()))
    {
        return None;
    }
    let text = normalize::truncate(raw).trim();
    let bytes = text.as_bytes();
    // Where each clause of the message ends: its punctuation, not inside a number ("1,000",
    // "1.5") nor a hyphenated word.
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    for (i, c) in text.char_indices() {
        let after = i + c.len_utf8();
        let digit_around = i > 0
            && bytes[i - 1].is_ascii_digit()
            && bytes.get(after).is_some_and(u8::is_ascii_digit);
        let cut = match c {
            ',' | '.' => !digit_around,
            '-' => i > 0 && bytes[i - 1] == b' ' && bytes.get(after).is_none_or(|b| *b == b' '),
            '?' | '!' | ';' | ':' | '—' | '–' | '(' | ')' => true,
            _ => false,
        };
        if cut {
            cuts.push((i, after));
        }
    }
    // The clauses, from the last: the tail is every trailing clause made of confirmation words.
    let mut end = text.len();
    let mut head_end = text.len();
    let mut anchored = false;
    let mut tail = false;
    for &(start, after) in cuts.iter().rev().chain(std::iter::once(&(0, 0))) {
        let clause = &text[after..end];
        let w = words(clause);
        if w.is_empty() {
            end = start;
            continue;
        }
        let confirming = |x: &String| {
            CONFIRM_WORDS.contains(&x.as_str()) || CONFIRM_ANCHORS.contains(&x.as_str())
        };
        if !w.iter().all(confirming) {
            break;
        }
        anchored |= w.iter().any(|x| CONFIRM_ANCHORS.contains(&x.as_str()));
        tail = true;
        head_end = start;
        end = start;
        if after == 0 {
            break;
        }
    }
    if !tail || !anchored {
        // "is that confirmed? pretty sure I saw 2032 somewhere else": the opening question
        // asks about the last answer; the statement after it only says why.
        let first = text.find('?')?;
        let rest = &text[first + 1..];
        // The question alone is read once: it ends at its own "?", so it comes back here with
        // nothing after it.
        if rest.trim().is_empty()
            || rest.contains('?')
            || opens_question(&window(rest.trim_start()))
        {
            return None;
        }
        return match confirmation(&text[..=first]) {
            Some(Confirmation::Previous) => Some(Confirmation::Previous),
            _ => None,
        };
    }
    let head = text[..head_end].trim_end_matches([',', '.', ';', ':', '-', '—', '–', ' ', '(']);
    let head_words = words(head);
    if head_words.is_empty() {
        // "is that confirmed?", "can I print that?"; not "ok" or "yeah" alone, which acknowledge.
        const ACKNOWLEDGE: &[&str] = &[
            "ok", "okay", "yeah", "ya", "yes", "yep", "no", "nah", "fine",
        ];
        let asks = words(text)
            .iter()
            .any(|x| CONFIRM_ANCHORS.contains(&x.as_str()) && !ACKNOWLEDGE.contains(&x.as_str()));
        return (asks && text.contains('?')).then_some(Confirmation::Previous);
    }
    let start = leading_len(&head_words);
    let first = head_words.get(start).map(String::as_str);
    if head_words.len() - start < 3 || first.is_some_and(|w| WH.contains(&w)) {
        return None;
    }
    let head = head.trim_end_matches('?');
    if first.is_some_and(|w| AUX.contains(&w)) {
        return Some(Confirmation::Statement(format!("{head}?")));
    }
    Some(Confirmation::Statement(format!("{head}, right?")))
}

/// Whether a message is elliptical: short, or opening like a follow-up, or leaning on "that".
pub fn is_elliptical(raw: &str) -> bool {
    elliptical_words(&words(raw))
}

/// Whether a part of a message is elliptical, read without the conjunction that joined it to
/// the part before ("…; and what's the weather in Redmond" asks a question of its own).
pub fn is_elliptical_part(raw: &str) -> bool {
    let w = words(raw);
    let joined = w
        .first()
        .is_some_and(|x| matches!(x.as_str(), "and" | "also" | "plus"));
    elliptical_words(if joined { &w[1..] } else { &w })
}

fn elliptical_words(w: &[String]) -> bool {
    if w.is_empty() {
        return false;
    }
    let opener = FOLLOW_OPENERS.iter().any(|o| starts_with_words(w, o));
    let anaphora = w.iter().any(|x| ANAPHORA.contains(&x.as_str()));
    w.len() <= 3 || (opener && w.len() <= 8) || (anaphora && w.len() <= 7)
}

/// Whether the message asks for the sources of the previous answer ("source?", "where's that
/// from?", "link?").
pub fn asks_for_source(raw: &str) -> bool {
    let w = words(raw);
    let mut content = w.iter().map(String::as_str).filter(|x| {
        ![
            "and", "the", "what", "s", "whats", "is", "your", "for", "that", "pls", "please", "a",
            "this", "on", "any", "got", "you", "do", "have", "me", "give", "can", "i", "get",
            "which", "says", "say", "has",
        ]
        .contains(x)
    });
    // At most two content words are looked at: a third rules the first reading out.
    let few: Vec<&str> = content.by_ref().take(3).collect();
    let source_word = |x: &str| {
        matches!(
            x,
            "source"
                | "sources"
                | "src"
                | "cite"
                | "citation"
                | "citations"
                | "link"
                | "links"
                | "ref"
                | "reference"
                | "references"
        )
    };
    (few.len() <= 2 && few.iter().any(|x| source_word(x)))
        || (w.len() <= 7
            && w.iter().any(|x| x.starts_with("where"))
            && w.iter().any(|x| x == "from" || x == "come"))
        // "who do I attribute it to?", "who gets the credit for that line?"
        || (w.len() <= 7
            && w.iter().any(|x| {
                matches!(x.as_str(), "attribute" | "attributed" | "attribution" | "credit")
            }))
}

/// The `follow` key of a follow-up asking how things stood before the deal ([`asks_before`]).
pub const BEFORE: &str = "before";

/// Whether the question asks for the bot's own view or advice ("in your opinion", "what's your
/// take", "should I buy …"). A polite "do you think …" is not counted: it often asks a fact.
pub fn asks_opinion(raw: &str) -> bool {
    const OPINION: &[&[&str]] = &[
        &["in", "your", "opinion"],
        &["in", "your", "view"],
        &["your", "take"],
        &["you", "reckon"],
        &["your", "guess"],
        &["your", "prediction"],
        &["should", "i", "buy"],
        &["should", "i", "sell"],
        &["should", "we", "buy"],
        &["should", "we", "sell"],
        &["buy", "or", "sell"],
        &["what", "do", "you", "think"],
        &["what", "do", "u", "think"],
        &["wdyt"],
    ];
    let w = words(raw);
    OPINION.iter().any(|seq| contains_words(&w, seq))
}

/// The `follow` key of a follow-up asking how things stand today ([`asks_now`]).
pub const NOW: &str = "now";

/// The `follow` key of a "when" follow-up asking since when ([`asks_since`]).
pub const SINCE: &str = "since";

/// Whether a follow-up asks since when ("since when?", "since when not?"), as opposed to
/// until when.
pub fn asks_since(raw: &str) -> bool {
    let w = words(raw);
    w.len() <= 6 && w.iter().any(|x| x == "since")
}

/// Whether a short follow-up asks how things stand today ("what's it at now?", "and where's it
/// trading today", "currently?").
pub fn asks_now(raw: &str) -> bool {
    let w = words(raw);
    w.len() <= 8
        && w.iter().enumerate().any(|(i, x)| match x.as_str() {
            "now" | "today" | "currently" | "atm" | "presently" => true,
            "moment" => i > 0 && w[i - 1] == "the",
            _ => false,
        })
}

/// Whether a short follow-up asks how things stood before the deal ("and before the deal?",
/// "what about before?", "compare that to the old terms", "and previously?"); one asking who,
/// when or why ("who reported this originally?") asks that.
pub fn asks_before(raw: &str) -> bool {
    let w = words(raw);
    w.len() <= 8
        && !w.iter().any(|x| {
            matches!(
                x.as_str(),
                "who" | "whom" | "whose" | "when" | "where" | "why" | "which"
            )
        })
        && w.iter().enumerate().any(|(i, x)| match x.as_str() {
            "before" | "previously" | "originally" | "beforehand" | "prior" => true,
            "old" | "original" | "previous" | "earlier" => w.get(i + 1).is_some_and(|n| {
                matches!(
                    n.as_str(),
                    "deal" | "terms" | "agreement" | "contract" | "arrangement" | "setup" | "one"
                )
            }),
            _ => false,
        })
}

/// Shortest alternative of a word sequence that also matches words it begins (`scrutin` matches
/// "scrutinised"); shorter ones match whole words only.
pub const PREFIX_MIN: usize = 5;

/// One position of a [`WordSeq`]: a stem, and for long alternatives the prefix it accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Alternative {
    stem: String,
    prefix: Option<String>,
}

impl Alternative {
    fn accepts(&self, w: &SeqWord) -> bool {
        self.stem == w.stem
            || self
                .prefix
                .as_ref()
                .is_some_and(|p| w.word.starts_with(p.as_str()))
    }
}

/// A sequence of words to find in a question in order, not necessarily adjacent: each element
/// holds the accepted alternatives for one position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordSeq(Vec<Vec<Alternative>>);

/// A word of a question as [`WordSeq::matches`] sees it: after synonyms, and its stem.
#[derive(Debug, Clone)]
pub struct SeqWord {
    word: String,
    stem: String,
    stop: bool,
}

impl SeqWord {
    /// The word after synonyms, before stemming.
    pub fn word(&self) -> &str {
        &self.word
    }

    /// The word's stem.
    pub fn stem(&self) -> &str {
        &self.stem
    }

    /// Whether the word is a stopword or chat filler.
    pub fn is_stop(&self) -> bool {
        self.stop
    }
}

impl WordSeq {
    /// How many words the sequence asks for in order.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Compiles a data entry such as `"microsoft pay|owe openai"`: words are folded, synonyms
    /// replaced and stemmed like the matcher's, and `a|b` accepts either word.
    pub fn compile(vocab: &Vocab, entry: &str) -> WordSeq {
        let mut seq = Vec::new();
        for token in entry.split_whitespace() {
            let alternatives: Vec<Alternative> = token
                .split('|')
                .flat_map(|alt| vocab.data_terms(alt))
                .map(|t| Alternative {
                    prefix: (t.word.chars().count() >= PREFIX_MIN).then(|| t.word.clone()),
                    stem: t.stem,
                })
                .collect();
            if !alternatives.is_empty() {
                seq.push(alternatives);
            }
        }
        WordSeq(seq)
    }

    /// Whether the words of a question contain this sequence in order.
    pub fn matches(&self, words: &[SeqWord]) -> bool {
        if self.0.is_empty() {
            return false;
        }
        let mut i = 0;
        for w in words {
            let hit = self.0[i].iter().any(|a| a.accepts(w));
            if hit {
                i += 1;
                if i == self.0.len() {
                    return true;
                }
            }
        }
        false
    }

    /// Where the sequence ends in the words (the index of its last word, matched as early as
    /// possible), when it matches.
    pub fn match_end(&self, words: &[SeqWord]) -> Option<usize> {
        if self.0.is_empty() {
            return None;
        }
        let mut i = 0;
        for (at, w) in words.iter().enumerate() {
            if self.0[i].iter().any(|a| a.accepts(w)) {
                i += 1;
                if i == self.0.len() {
                    return Some(at);
                }
            }
        }
        None
    }

    /// Where a match of the entry starts (its first word), when it matches.
    pub fn match_start(&self, words: &[SeqWord]) -> Option<usize> {
        self.match_end(words)?;
        words
            .iter()
            .position(|w| self.0[0].iter().any(|a| a.accepts(w)))
    }

    /// Whether the sequence itself says "not", "no longer", "without" …: a question negating
    /// it says what it says.
    pub fn is_negated(&self) -> bool {
        self.0
            .iter()
            .flatten()
            .any(|a| ["not", "no", "never", "longer", "t", "without"].contains(&a.stem.as_str()))
    }

    /// Whether the entry has no words at all (a data error).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Phrasal verbs and idioms read as the plain verb a claim uses ("get rid of" is "remove"): the
/// verb is added after the phrase, whose own words stay.
const PARAPHRASES: &[(&[&str], &str)] = &[
    (&["get", "rid"], "remove"),
    (&["got", "rid"], "remove"),
    (&["getting", "rid"], "remove"),
    (&["do", "away", "with"], "remove"),
    (&["did", "away", "with"], "remove"),
    (&["cash", "out"], "sell"),
    (&["cashed", "out"], "sell"),
    (&["sell", "off"], "sell"),
    (&["in", "talks"], "negotiate"),
    (&["talking", "to"], "negotiate"),
    (&["talking", "with"], "negotiate"),
    (&["give", "up"], "drop"),
    (&["giving", "up"], "drop"),
    (&["gave", "up"], "drop"),
    (&["given", "up"], "drop"),
    (&["wind", "down"], "end"),
    (&["winds", "down"], "end"),
    (&["phase", "out"], "end"),
    (&["phased", "out"], "end"),
    (&["run", "out"], "end"),
    (&["runs", "out"], "end"),
    (&["sign", "off"], "approve"),
    (&["signed", "off"], "approve"),
    (&["kick", "off"], "start"),
    (&["kicked", "off"], "start"),
    (&["pull", "out"], "exit"),
    (&["pulled", "out"], "exit"),
    (&["back", "out"], "exit"),
    (&["scale", "back"], "reduce"),
    (&["scaled", "back"], "reduce"),
];

/// The words of a question, in order, stopwords included, for [`WordSeq::matches`]; a phrasal
/// verb ("get rid of", "in talks") adds the plain verb it means.
pub fn claim_stems(vocab: &Vocab, raw: &str) -> Vec<SeqWord> {
    let words = words(raw);
    let mut out = Vec::with_capacity(words.len() + 1);
    for t in vocab.terms(&words) {
        out.push(SeqWord {
            stop: t.stop || t.filler,
            word: t.word,
            stem: t.stem,
        });
        for (phrase, verb) in PARAPHRASES {
            let n = phrase.len();
            if out.len() >= n
                && out[out.len() - n..]
                    .iter()
                    .zip(phrase.iter())
                    .all(|(w, p)| w.word == *p)
            {
                out.push(SeqWord {
                    stop: false,
                    word: (*verb).to_owned(),
                    stem: vocab.stem(verb),
                });
                break;
            }
        }
    }
    out
}

/// The words of a question, in order, stopwords included, for [`WordSeq::matches`].
pub fn stems(vocab: &Vocab, raw: &str) -> Vec<SeqWord> {
    vocab
        .terms(&words(raw))
        .into_iter()
        .map(|t| SeqWord {
            stop: t.stop || t.filler,
            word: t.word,
            stem: t.stem,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to_owned(tag: &[&str]) -> Vec<String> {
        tag.iter().map(|s| (*s).to_owned()).collect()
    }

    fn statement(raw: &str) -> Option<String> {
        match confirmation(raw) {
            Some(Confirmation::Statement(s)) => Some(s),
            _ => None,
        }
    }

    #[test]
    fn a_statement_with_a_request_to_confirm_is_one_yes_no_question() {
        for (asked, read) in [
            (
                "the total cap is $38 billion, can I print that?",
                "the total cap is $38 billion, right?",
            ),
            (
                "OpenAI pays msft 20% of revenue, confirmed?",
                "OpenAI pays msft 20% of revenue, right?",
            ),
            (
                "Jassy talked about a runtime, right? not something I made up?",
                "Jassy talked about a runtime, right?",
            ),
            (
                "the agi clause was kept in but reworded, that's what I heard",
                "the agi clause was kept in but reworded, right?",
            ),
            (
                "copy says the 2019 investment was $1.5 billion. fine?",
                "copy says the 2019 investment was $1.5 billion, right?",
            ),
            (
                "Is the stake being cut? that's what I heard",
                "Is the stake being cut?",
            ),
        ] {
            assert_eq!(statement(asked).as_deref(), Some(read), "{asked}");
            assert_eq!(form(read), Form::YesNo, "{read}");
        }
        assert_eq!(
            form(&statement("Microsoft owns 49% of OpenAI, is that in the articles?").unwrap()),
            Form::YesNo
        );
    }

    #[test]
    fn a_question_or_a_tail_without_a_request_is_no_confirmation() {
        // A wh-question before the tag, a tail that asks nothing, a clause of the statement.
        assert_eq!(
            confirmation("when does the rev share end, is that right?"),
            None
        );
        assert_eq!(confirmation("did Jassy say it, or not?"), None);
        assert_eq!(
            confirmation("Was it announced on April 27, a Monday?"),
            None
        );
        assert_eq!(confirmation("is azure still the primary cloud"), None);
        assert_eq!(confirmation("ok"), None);
        assert_eq!(confirmation("yeah"), None);
        assert_eq!(confirmation("cap, right?"), None);
    }

    #[test]
    fn a_request_to_confirm_alone_is_about_the_answer_before() {
        for q in [
            "is that confirmed?",
            "can I print that?",
            "right?",
            "true?",
            "is that confirmed? pretty sure I saw 2032 attached to something else",
        ] {
            assert_eq!(confirmation(q), Some(Confirmation::Previous), "{q}");
        }
        // A question after it is a question of its own; one asking about the deal is no
        // request to confirm, whatever follows it.
        assert_eq!(confirmation("is that confirmed? and who pays whom?"), None);
        assert_eq!(confirmation("is the cap confirmed? I read it was"), None);
        assert_eq!(confirmation("is the cap confirmed?"), None);
        assert_eq!(confirmation("is that confirmed? who pays whom"), None);
    }

    #[test]
    fn semicolon_lists_ordinals_and_added_requests_are_parts() {
        assert_eq!(
            split("Pls check for me: announcement date; revenue share end year; licence end year"),
            [
                "Pls check for me: announcement date",
                "revenue share end year",
                "licence end year"
            ]
        );
        assert_eq!(
            split(
                "I would like to know first why the clause went, and second if the EU looked at it"
            ),
            [
                "I would like to know first why the clause went",
                "if the EU looked at it"
            ]
        );
        assert_eq!(
            split("ipo? also any word on the openai device"),
            ["ipo?", "also any word on the openai device"]
        );
        // "tl;dr" is no list; a second without a first is no item.
        assert_eq!(split("tl;dr pls"), ["tl;dr pls"]);
        assert_eq!(
            split("is the licence exclusive, and second-hand resellers too?"),
            ["is the licence exclusive, and second-hand resellers too?"]
        );
    }

    #[test]
    fn detects_forms() {
        assert_eq!(form("Is Microsoft still paying OpenAI?"), Form::YesNo);
        assert_eq!(form("until when is azure primary?"), Form::When);
        assert_eq!(form("how big is the cap?"), Form::Amount);
        assert_eq!(form("when does the revenue share end"), Form::When);
        assert_eq!(form("who said that?"), Form::Who);
        assert_eq!(form("why?"), Form::Why);
        assert_eq!(form("what is the agi clause"), Form::What);
        assert_eq!(form("msft keeps paying oai until 2030 right?"), Form::YesNo);
        assert_eq!(form("what year was it announced"), Form::When);
        assert_eq!(form("how long does the licence last"), Form::When);
        assert_eq!(form("what percentage does openai pay"), Form::Amount);
        assert_eq!(form("and is that capped?"), Form::YesNo);
        assert_eq!(form("I heard the cap is $5bn, is that legit"), Form::YesNo);
        assert_eq!(form("Jassy said that, didn't he?"), Form::YesNo);
    }

    #[test]
    fn statements_asked_and_am_i_right_are_yes_no() {
        assert_eq!(
            form("am I right that they dropped the AGI clause?"),
            Form::YesNo
        );
        assert_eq!(form("so azure isn't the main cloud anymore?"), Form::YesNo);
        assert_eq!(form("is it true that oai signed with google"), Form::YesNo);
        assert_eq!(
            form("a colleague says there's no cap on what OpenAI pays in total. true?"),
            Form::YesNo
        );
        assert_eq!(form("the revenue share end date?"), Form::What);
        assert_eq!(form("tl;dr?"), Form::What);
        assert_eq!(form("so what does azure keep?"), Form::What);
    }

    #[test]
    fn statements_with_a_verb_tags_and_requests_take_the_form_asked() {
        // A statement with a verb of its own, asked.
        assert_eq!(
            form("msft shares rallied on the announcement?"),
            Form::YesNo
        );
        assert_eq!(form("payments still hinge on AGI milestones?"), Form::YesNo);
        assert_eq!(form("msft stock RALLIED on the news? 🚀"), Form::YesNo);
        assert_eq!(form("agi clause gone?"), Form::YesNo);
        // A thing named, not a statement: a base form at the end is a noun.
        assert_eq!(form("msft stock drop?"), Form::What);
        assert_eq!(form("msft stake in oai?"), Form::What);
        // A summing-up, with or without a verb of the list.
        assert_eq!(
            form("so basically new openai products launch on AWS first from now on?"),
            Form::YesNo
        );
        assert_eq!(form("basically a one-way payment now?"), Form::YesNo);
        assert_eq!(
            form("so new oai products launch on google cloud first now?"),
            Form::YesNo
        );
        assert_eq!(form("the launch date on azure?"), Form::What);
        assert_eq!(
            form("So there's no ceiling at all on the payments now?"),
            Form::YesNo
        );
        assert_eq!(form("so basically what changed?"), Form::What);
        // Closing tags without a comma, apostrophes joined by folding or not.
        assert_eq!(
            form("they scrapped the AGI clause didn't they"),
            Form::YesNo
        );
        assert_eq!(form("the IPO is set for 2026 isnt it"), Form::YesNo);
        assert_eq!(
            form("reuters covered this, right? byline was soni i think"),
            Form::YesNo
        );
        assert_eq!(
            form("correct me if I'm wrong but the percentage hasn't changed"),
            Form::YesNo
        );
        // A yes/no clause whose sentence is asked comes before a wh-word inside it.
        assert_eq!(
            form("last I checked it was 300bn, is that what your sources have?"),
            Form::YesNo
        );
        // But a statement that merely has an auxiliary in it does not.
        assert_eq!(
            form("apologies. We're modelling it and I can't find how much they hold. any idea?"),
            Form::Amount
        );
        // A request takes the form of what it asks for.
        assert_eq!(form("Can you tell me when the rev share ends?"), Form::When);
        assert_eq!(form("could you give me the key dates"), Form::What);
        assert_eq!(
            form("Hi. Could the bot give me the short version of what changed? Cheers."),
            Form::What
        );
        assert_eq!(
            form("can you tell me whether azure is primary"),
            Form::YesNo
        );
        assert_eq!(form("can you confirm the cap is $38bn?"), Form::YesNo);
    }

    #[test]
    fn the_asked_clause_skips_preambles_second_alternatives_and_tags() {
        assert_eq!(
            asked_clause("Checking my copy: did Microsoft keep its stake? Thanks in advance"),
            "did microsoft keep its stake"
        );
        assert_eq!(
            asked_clause("does azure still come first, or has that changed?"),
            "does azure still come first"
        );
        assert_eq!(
            asked_clause("microsoft keeps the licence, right?"),
            "microsoft keeps the licence"
        );
        assert_eq!(
            asked_clause("is the cap $5bn or $10bn?"),
            "is the cap $5bn or $10bn"
        );
    }

    #[test]
    fn negation_inside_the_question_is_found_but_not_a_negated_opener() {
        let vocab = Vocab::new(std::iter::empty(), &[], &[]);
        let neg = |q: &str| {
            let w = claim_stems(&vocab, q);
            negated_before(&w, w.len())
        };
        assert!(neg("so openai doesn't pay microsoft anymore?"));
        assert!(neg("is it true they never removed the clause"));
        assert!(neg("microsoft no longer gets a cut, right?"));
        assert!(!neg("doesn't openai still pay microsoft?"));
        assert!(!neg("isn't azure still the primary cloud?"));
        assert!(!neg(
            "does azure come first even if microsoft can't support it?"
        ));
        assert!(!neg("azure still gets new products first, legit or not?"));
    }

    #[test]
    fn phrasal_verbs_add_the_verb_they_mean() {
        let vocab = Vocab::new(std::iter::empty(), &[], &[]);
        let seq = WordSeq::compile(&vocab, "remove clause");
        assert!(seq.matches(&claim_stems(&vocab, "did they get rid of the clause")));
        let seq = WordSeq::compile(&vocab, "negotiate");
        assert!(seq.matches(&claim_stems(&vocab, "is google in talks with them")));
        assert!(!seq.matches(&claim_stems(&vocab, "what did the talks cover")));
    }

    #[test]
    fn splits_two_and_three_part_questions() {
        assert_eq!(
            split("What is the AGI clause and when does the revenue share end?"),
            vec!["What is the AGI clause", "when does the revenue share end?"]
        );
        assert_eq!(
            split("When does the revenue share end and can OpenAI use AWS?"),
            vec!["When does the revenue share end", "can OpenAI use AWS?"]
        );
        assert_eq!(
            split("when did it start, when was it announced, and when does the licence end?").len(),
            3
        );
        assert_eq!(
            split("tl;dr + key dates pls"),
            vec!["tl;dr", "key dates pls"]
        );
        assert_eq!(
            split("msft stopped paying oai right? and is what oai pays capped?"),
            vec![
                "msft stopped paying oai right?",
                "and is what oai pays capped?"
            ]
        );
    }

    #[test]
    fn splits_questions_run_on_without_a_comma() {
        assert_eq!(
            split("when does the rev share end is it capped"),
            vec!["when does the rev share end", "is it capped"]
        );
        assert_eq!(
            split("is the cap amount public what's the percentage"),
            vec!["is the cap amount public", "what's the percentage"]
        );
        assert_eq!(
            split("does it help with antitrust also what is the EU doing next").len(),
            2
        );
        assert_eq!(
            split("what did altman say & what did jassy say"),
            vec!["what did altman say", "what did jassy say"]
        );
        assert_eq!(
            split("does MS keep the licence and until when"),
            vec!["does MS keep the licence", "until when"]
        );
        // One question: a clause taken by a verb or a preposition, a relative "who", a
        // wh-phrase with no verb yet, a tag, "we're".
        for one in [
            "can you tell me when does it end",
            "is msft still the only one who can sell oai models?",
            "which day of the week did they announce it",
            "is it exclusive, and until when does it run?",
            "Azure customers will lose access to new models, is that fair?",
            "we're an azure shop at work so do we lose access to the models",
            "Microsoft & OpenAI deal terms?",
        ] {
            assert_eq!(split(one).len(), 1, "{one}");
        }
        assert_eq!(
            split("what is microsoft building (phi?) and does it use anthropic")[1],
            "and does it use anthropic"
        );
    }

    #[test]
    fn splits_bulleted_and_numbered_lists_dropping_their_markers() {
        assert_eq!(
            split(
                "three things:\n- when does the licence end\n- is azure still primary\n- who reported it"
            ),
            vec![
                "three things: when does the licence end",
                "is azure still primary",
                "who reported it"
            ]
        );
        assert_eq!(
            split("so 1) is the cap public 2) when was it announced"),
            vec!["so is the cap public", "when was it announced"]
        );
        assert_eq!(
            split("1. who pays whom\n2. is it capped"),
            vec!["who pays whom", "is it capped"]
        );
        // More items than parts: the last part takes the rest.
        assert_eq!(split("- a\n- b\n- c\n- d").len(), MAX_PARTS);
        // Numbers set in bold or italics, as Slack and Discord markdown writes them.
        assert_eq!(
            split("**Q1** is the cap public?\n**Q2:** who pays whom?"),
            vec!["is the cap public?", "who pays whom?"]
        );
        assert_eq!(
            split("_1._ is the cap public\n_2._ who pays whom"),
            vec!["is the cap public", "who pays whom"]
        );
        assert_eq!(emphasised_marker(b"**bold** text"), None);
        assert_eq!(emphasised_marker(b"**12345** is a number"), None);
    }

    #[test]
    fn splits_first_second_and_sentences_ended_by_a_full_stop() {
        assert_eq!(
            split("Quick ones. First, who pays whom. Second, is it capped"),
            vec!["Quick ones. who pays whom.", "is it capped"]
        );
        assert_eq!(
            split("first, who pays whom, second, is it capped?"),
            vec!["who pays whom", "is it capped?"]
        );
        assert_eq!(
            split("when was it announced. who reported it"),
            vec!["when was it announced.", "who reported it"]
        );
        // Abbreviations and single letters end no sentence.
        assert_eq!(
            split("did U.S. regulators look at it. what did Mr. Altman say").len(),
            2
        );
        assert_eq!(split("is it true the U.S. regulators approved it").len(), 1);
    }

    #[test]
    fn statements_stay_with_a_question() {
        assert_eq!(
            split("I run a fund. Is the cap public? Asking for a client."),
            vec!["I run a fund. Is the cap public? Asking for a client."]
        );
        assert_eq!(
            split("is the cap public? asking for a client. and when does it end?"),
            vec![
                "is the cap public? asking for a client.",
                "and when does it end?"
            ]
        );
    }

    #[test]
    fn splits_in_capitals_and_between_two_requests() {
        assert_eq!(
            split("WHEN DOES THE LICENCE END AND IS AZURE STILL PRIMARY"),
            vec!["WHEN DOES THE LICENCE END", "IS AZURE STILL PRIMARY"]
        );
        assert_eq!(
            split("the gist and then the key dates"),
            vec!["the gist", "the key dates"]
        );
        assert_eq!(split("did they invest and then again later").len(), 1);
    }

    #[test]
    fn reads_reversals_and_requests_for_statements() {
        assert!(asks_reverse("and the other way round?"));
        assert!(asks_reverse("vice versa?"));
        assert!(asks_reverse("and the other way round, until when"));
        assert!(!asks_reverse(
            "is there any other way round the cap for openai?"
        ));
        assert!(!asks_reverse(
            "what is the opposite view in the articles about the cap"
        ));
    }

    #[test]
    fn reads_messages_of_figures_alone() {
        assert!(only_figures("27%??"));
        assert!(only_figures("april 27 or 28?"));
        assert!(only_figures("and 2030 — remind me"));
        assert!(!only_figures("is the cap 38bn?"));
        assert!(!only_figures(
            "what happened in 2019 with microsoft and openai"
        ));
        assert!(!only_figures("remind me"));
    }

    #[test]
    fn splits_after_also_and_oh_and_and_reads_opening_ellipses() {
        assert_eq!(
            split("history with GPT-3 on Azure, also the 2019 investment amount"),
            vec![
                "history with GPT-3 on Azure",
                "also the 2019 investment amount"
            ]
        );
        assert_eq!(split("can openai use aws, also for google?").len(), 1);
        assert_eq!(
            split("ipo plans? oh and microsoft's stake"),
            vec!["ipo plans?", "oh and microsoft's stake"]
        );
        assert!(is_ellipsis_lead("and for openai?"));
        assert!(is_ellipsis_lead("same for amazon?"));
        assert!(is_ellipsis_lead("what about google?"));
        assert!(!is_ellipsis_lead("and who reported it?"));
        assert!(!is_ellipsis_lead("and for openai"));
        assert!(names_detail(&words("Satya's comment")));
        assert!(names_detail(&words("EU Commission fine amount")));
        assert!(!names_detail(&words("thanks for the quote")));
        assert!(!names_detail(&words("comment")));
    }

    #[test]
    fn splits_at_slashes_separators_and_things_asked_for() {
        assert_eq!(
            split("when does rev share stop / how did the stock react / is openai gonna IPO"),
            vec![
                "when does rev share stop",
                "how did the stock react",
                "is openai gonna IPO"
            ]
        );
        assert_eq!(
            split("two things: 1. what ended exclusivity-wise 2. ms stake %"),
            vec!["two things: what ended exclusivity-wise", "ms stake %"]
        );
        assert_eq!(
            split("is section 2. still in the new deal?"),
            vec!["is section 2. still in the new deal?"]
        );
        assert_eq!(
            split("tl;dr and key dates pls"),
            vec!["tl;dr", "key dates pls"]
        );
        // A bare "until when" after a comma is cut (the engine decides whether it stays a
        // part); words after a comma that ask nothing are not.
        assert_eq!(
            split("is it tied to AGI milestones, and until when"),
            vec!["is it tied to AGI milestones", "until when"]
        );
        assert_eq!(
            split("who pays whom, roughly until 2030"),
            vec!["who pays whom, roughly until 2030"]
        );
        assert_eq!(
            split("is it tied to AGI. separately, how big is the cap"),
            vec!["is it tied to AGI.", "separately, how big is the cap"]
        );
        assert_eq!(
            split("key dates, and who wrote the reuters piece"),
            vec!["key dates", "who wrote the reuters piece"]
        );
        assert_eq!(
            split("What's changed on exclusivity, until when OpenAI pays, what did Satya say"),
            vec![
                "What's changed on exclusivity",
                "until when OpenAI pays",
                "what did Satya say"
            ]
        );
        // "until when" asking about the part before stays with it.
        assert_eq!(
            split("is the licence exclusive, and until when does it run?"),
            vec!["is the licence exclusive, and until when does it run?"]
        );
        // Three keyword queries, as a slash command takes them.
        assert_eq!(
            keyword_items("/dealbot exclusivity, aws, msft stake"),
            Some(vec![
                "exclusivity".to_owned(),
                "aws".to_owned(),
                "msft stake".to_owned()
            ])
        );
        assert_eq!(
            keyword_items("agi clause; ipo; stock reaction?"),
            Some(vec![
                "agi clause".to_owned(),
                "ipo".to_owned(),
                "stock reaction".to_owned()
            ])
        );
        assert_eq!(
            keyword_items("market impact + msft's stake + anthropic's valuation"),
            Some(vec![
                "market impact".to_owned(),
                "msft's stake".to_owned(),
                "anthropic's valuation".to_owned()
            ])
        );
        assert_eq!(keyword_items("is it capped, right, or not"), None);
        // Two things, then "give me both".
        assert_eq!(
            split("licence till when, cap how big — give me both"),
            vec!["licence till when", "cap how big"]
        );
        assert_eq!(
            split("the cap or the end date? need both pls"),
            vec!["the cap", "the end date"]
        );
        assert_eq!(
            split("are they both still investors?"),
            vec!["are they both still investors?"]
        );
        assert_eq!(keyword_items("exclusivity, aws"), None);
        assert_eq!(
            split("give me the gist, then what it means for enterprises"),
            vec!["give me the gist", "then what it means for enterprises"]
        );
        assert_eq!(
            split("timeline pls, and also list the sources you're using"),
            vec!["timeline pls", "also list the sources you're using"]
        );
        assert_eq!(
            split("Why did they do it? Additionally, please indicate whether customers lose out."),
            vec![
                "Why did they do it?",
                "Additionally, please indicate whether customers lose out."
            ]
        );
        // A short piece naming a thing asked for asks, full stop or not; thanks do not.
        assert_eq!(
            split("key dates. also whats anthropic valued at"),
            vec!["key dates.", "also whats anthropic valued at"]
        );
        assert_eq!(
            split("who pays whom? great summary."),
            vec!["who pays whom? great summary."]
        );
        assert_eq!(
            split("tl;dr and your sources pls"),
            vec!["tl;dr", "your sources pls"]
        );
        assert_eq!(
            split("give me a tl;dr and your sources"),
            vec!["give me a tl;dr", "your sources"]
        );
        assert_eq!(
            split("Give me a tl;dr first. Then the key dates."),
            vec!["Give me a tl;dr first.", "Then the key dates."]
        );
        assert_eq!(
            split(
                "tell me whether azure customers lose anything, and also whether regulators care"
            ),
            vec![
                "tell me whether azure customers lose anything",
                "also whether regulators care"
            ]
        );
        assert_eq!(
            split("summarise the deal for me and tell me how Azure customers are affected"),
            vec![
                "summarise the deal for me",
                "tell me how Azure customers are affected"
            ]
        );
        assert_eq!(
            split("why'd they do it, what's the antitrust angle"),
            vec!["why'd they do it", "what's the antitrust angle"]
        );
        assert_eq!(
            split("What's Microsoft's plan now, as well as why the deal changed?"),
            vec!["What's Microsoft's plan now", "why the deal changed?"]
        );
        assert_eq!(
            split("q1: is the AGI clause gone. q2: does azure still get launches first"),
            vec![
                "is the AGI clause gone.",
                "does azure still get launches first"
            ]
        );
        assert_eq!(
            split("key dates pls. totally unrelated but is it raining in seattle?"),
            vec![
                "key dates pls.",
                "totally unrelated but is it raining in seattle?"
            ]
        );
        // One thing asked: a preamble, a condition, a pair of names, a ratio.
        assert_eq!(split("for the licence, and who holds it?").len(), 1);
        assert_eq!(split("microsoft and the openai board").len(), 1);
        assert_eq!(split("is the split 80/20 or 70/30?").len(), 1);
        assert_eq!(split("when does the cap kick in and does it end").len(), 2);
    }

    #[test]
    fn an_opening_greeting_is_a_part_of_its_own() {
        assert_eq!(
            split("hey! what can you do"),
            vec!["hey!", "what can you do"]
        );
        assert_eq!(
            split("Morning all, is azure primary?"),
            vec!["Morning all,", "is azure primary?"]
        );
        assert_eq!(split("hey what can you do").len(), 1);
        assert_eq!(split("hi!"), vec!["hi!"]);
        assert!(is_greeting("good morning all!"));
        assert!(!is_greeting("hey what can you do"));
    }

    #[test]
    fn its_is_read_as_a_named_owner() {
        assert!(mentions_its("how big is its stake"));
        assert!(!mentions_its("it's capped, bits and sits"));
        assert_eq!(
            resolve_its("how big is Its stake", "microsoft"),
            "how big is microsoft's stake"
        );
    }

    #[test]
    fn splitting_stays_bounded() {
        for text in [
            "is it, and is it, ".repeat(300),
            "- is it\n".repeat(600),
            "1) is it ".repeat(500),
            "hi! ".repeat(1000),
            ". ? ! ".repeat(1000),
        ] {
            let parts = split(&text);
            assert!(parts.len() <= MAX_PARTS + 1, "{}", parts.len());
            assert!(parts.iter().map(String::len).sum::<usize>() <= text.len() + MAX_PARTS);
        }
    }

    #[test]
    fn plus_joins_two_requests() {
        assert_eq!(
            split("the gist plus the key dates please"),
            vec!["the gist", "the key dates please"]
        );
        assert_eq!(split("a billion plus?"), vec!["a billion plus?"]);
    }

    #[test]
    fn a_trailing_premise_is_cut_from_the_question() {
        assert_eq!(
            before_premise("what is redmond doing now that the exclusivity ended?"),
            Some("what is redmond doing")
        );
        assert_eq!(
            before_premise("where does microsoft go, now that it's not exclusive"),
            Some("where does microsoft go")
        );
        assert_eq!(before_premise("now that it ended, what next?"), None);
        assert_eq!(before_premise("when does the revenue share end?"), None);
    }

    #[test]
    fn a_topic_change_opener_is_cut() {
        assert_eq!(
            after_topic_change("ok different topic: is azure primary?"),
            Some("is azure primary?")
        );
        assert_eq!(
            after_topic_change("Unrelated, but who reported it?"),
            Some("who reported it?")
        );
        assert_eq!(after_topic_change("different topic"), None);
        assert_eq!(after_topic_change("is the deal unrelated to AGI?"), None);
    }

    #[test]
    fn keeps_single_questions_whole() {
        for q in [
            "does the money go both ways between openai and microsoft or just one way now",
            "Is the licence exclusive, right?",
            "who pays whom and how",
            "can openai and microsoft both sell the models",
            "Big picture, who wins and who loses?",
            "Besides the licence and the money, which areas will they work on?",
            "I'm an Azure OpenAI customer, does this change anything for me?",
            "We run everything on Google Cloud today, can we get the models there?",
            "Under the old deal vs the new one, what changed about the clouds?",
        ] {
            assert_eq!(split(q).len(), 1, "{q}");
        }
    }

    #[test]
    fn elliptical_follow_ups() {
        assert!(is_elliptical("and Google?"));
        assert!(is_elliptical("until when?"));
        assert!(is_elliptical("is that capped?"));
        assert!(!is_elliptical(
            "when does openai stop paying microsoft its revenue share"
        ));
        assert!(asks_for_source("source?"));
        assert!(asks_for_source("where's that from?"));
        assert!(!asks_for_source(
            "what sources do you use to answer questions about the deal"
        ));
    }

    #[test]
    fn finds_the_question_among_statements() {
        assert_eq!(
            asked_sentences("long story about a podcast. anyway, is azure first? that's all."),
            Some((
                "anyway, is azure first?".to_owned(),
                "long story about a podcast. that's all.".to_owned()
            ))
        );
        assert_eq!(asked_sentences("is azure first? and until when?"), None);
        assert_eq!(asked_sentences("tell me about azure."), None);
    }

    #[test]
    fn have_with_an_object_opens_no_clause() {
        assert!(!starts_clause(&to_owned(&["have", "three", "things"])));
        assert!(!starts_clause(&to_owned(&["has", "a", "few", "gaps"])));
        assert!(starts_clause(&to_owned(&["have", "they", "signed"])));
        assert!(starts_clause(&to_owned(&["has", "the", "ftc", "approved"])));
    }

    #[test]
    fn a_question_asked_of_each_thing_is_a_part_per_thing() {
        assert_eq!(
            split("revenue share vs ip licence: when does each end?"),
            [
                "revenue share: when does it end?",
                "ip licence: when does it end?"
            ]
        );
        assert_eq!(split("stake, cap and licence: how big is each?").len(), 3);
        // One thing named: no such list.
        assert_eq!(split("quick one: when does each end?").len(), 1);
        assert_eq!(
            split("revenue share: when does each payment fall due?").len(),
            1
        );
    }
}
