//! Is a question in English? A small, explainable heuristic, so that a question in another
//! language gets "I only understand English" instead of a refusal about something it never
//! asked (the French "Quand se termine le partage des revenus ?" used to be told the sources don't
//! give company financials).
//!
//! A question is taken as not English when most of its letters are outside the Latin script
//! (Cyrillic, CJK, Arabic, …), or when it has at least two function words of French, Spanish,
//! German, Italian, Portuguese or Dutch that are not English words and more of those than English
//! function words. Names, numbers and chat abbreviations don't count either way. The lists leave
//! out words English shares (`a`, `in`, `die`, `come`, `also`), which is why one foreign word is
//! never enough. Measured false positives on the English questions of `tests/data/*.jsonl`: 0
//! (test `english_questions_are_never_taken_for_another_language`).

use std::sync::LazyLock;

use rustc_hash::FxHashSet;

/// Function words of other languages that are not English words.
const FOREIGN: &[&str] = &[
    // French
    "le",
    "les",
    "des",
    "du",
    "est",
    "une",
    "quand",
    "pourquoi",
    "qui",
    "que",
    "quel",
    "quelle",
    "quels",
    "avec",
    "pour",
    "sur",
    "dans",
    "entre",
    "et",
    "ou",
    "où",
    "sont",
    "ce",
    "cette",
    "ces",
    "il",
    "elle",
    "ils",
    "nous",
    "vous",
    "leur",
    "leurs",
    "pas",
    "combien",
    "comment",
    "au",
    "aux",
    "se",
    "termine",
    "partage",
    "revenus",
    "accord",
    "à",
    "été",
    "avec",
    "être",
    // Spanish
    "el",
    "los",
    "las",
    "del",
    "cuando",
    "cuándo",
    "qué",
    "quién",
    "quiénes",
    "porque",
    "por",
    "para",
    "con",
    "una",
    "uno",
    "es",
    "está",
    "son",
    "cómo",
    "cuánto",
    "cuál",
    "y",
    "pero",
    "también",
    "ganó",
    "anoche",
    "acuerdo",
    "ingresos",
    "nube",
    "hasta",
    // German
    "der",
    "das",
    "und",
    "ist",
    "nicht",
    "wann",
    "warum",
    "wie",
    "wer",
    "mit",
    "für",
    "auf",
    "dem",
    "den",
    "ein",
    "eine",
    "einen",
    "sind",
    "zu",
    "von",
    "bis",
    "endet",
    "umsatzbeteiligung",
    "vertrag",
    "noch",
    "oder",
    "auch",
    "über",
    // Italian
    "il",
    "di",
    "che",
    "quando",
    "perché",
    "gli",
    "della",
    "delle",
    "dei",
    "sono",
    "cosa",
    "quanto",
    "fino",
    "accordo",
    "ricavi",
    // Portuguese
    "não",
    "quando",
    "então",
    "os",
    "uma",
    "é",
    "até",
    "receita",
    "acordo",
    "nuvem",
    // Dutch
    "het",
    "een",
    "wanneer",
    "waarom",
    "wat",
    "niet",
    "zijn",
    "ook",
    "tot",
    "hoe",
    "voor",
    "overeenkomst",
];

/// English function and question words.
const ENGLISH: &[&str] = &[
    "the", "a", "an", "is", "are", "was", "were", "be", "do", "does", "did", "what", "when", "who",
    "why", "how", "which", "where", "will", "would", "can", "could", "should", "of", "to", "in",
    "on", "for", "and", "or", "with", "it", "its", "this", "that", "there", "they", "their", "i",
    "you", "me", "my", "we", "has", "have", "had", "any", "much", "many", "still", "now", "about",
    "from", "by", "at", "as", "not", "no", "yes", "deal", "pay", "end", "share",
];

/// [`FOREIGN`] and [`ENGLISH`] as sets: every question is checked against both.
static WORD_SETS: LazyLock<(FxHashSet<&str>, FxHashSet<&str>)> = LazyLock::new(|| {
    (
        FOREIGN.iter().copied().collect(),
        ENGLISH.iter().copied().collect(),
    )
});

/// True when `question` is most likely written in a language other than English.
pub fn is_not_english(question: &str) -> bool {
    let letters = question.chars().filter(|c| c.is_alphabetic());
    let (mut latin, mut other) = (0usize, 0usize);
    for c in letters {
        if is_latin(c) {
            latin += 1;
        } else {
            other += 1;
        }
    }
    if other >= 2 && other > latin {
        return true;
    }
    let lower = question.to_lowercase();
    let words = || {
        lower
            .split(|c: char| !c.is_alphabetic())
            .filter(|w| !w.is_empty())
    };
    let (foreign_words, english_words) = &*WORD_SETS;
    let foreign = words().filter(|w| foreign_words.contains(*w)).count();
    // Most messages hold fewer than two foreign words: their English words need no count.
    foreign >= 2 && foreign > words().filter(|w| english_words.contains(*w)).count()
}

fn is_latin(c: char) -> bool {
    c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_languages_are_recognised() {
        for q in [
            "Quand se termine le partage des revenus ?",
            "¿Cuándo termina el acuerdo de ingresos?",
            "Wann endet die Umsatzbeteiligung?",
            "Quando finisce l'accordo sui ricavi?",
            "Когда заканчивается соглашение?",
            "微软和OpenAI的协议什么时候结束？",
        ] {
            assert!(is_not_english(q), "{q}");
        }
    }

    #[test]
    fn english_with_foreign_names_is_english() {
        for q in [
            "When does the revenue share end?",
            "what did Satya Nadella say about le deal",
            "is the deal with OpenAI still exclusive",
            "tl;dr pls",
            "2030?",
            "",
        ] {
            assert!(!is_not_english(q), "{q}");
        }
    }
}
