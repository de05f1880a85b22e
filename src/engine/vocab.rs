//! From words to matching terms: synonyms, stemming and typo tolerance.
//!
//! Every piece of text the matcher compares, a user's question as much as an intent's examples,
//! keywords and `requires` entries, goes through [`Vocab::terms`]: phrases from the lexicon's
//! `[synonyms]` are replaced by their canonical word, then every word is reduced to its English
//! (Snowball) stem. Questions also get typo correction first ([`Vocab::correct`]): a word the
//! data never uses is replaced by the closest word it does use, within one edit (two for words of
//! eight letters or more), found through a SymSpell-style index of deletions.

use rustc_hash::{FxHashMap, FxHashSet};

use rust_stemmers::{Algorithm, Stemmer};

/// Shortest word that typo correction touches.
const MIN_TYPO_LEN: usize = 4;
/// Shortest word that may be two edits away from its correction.
const MIN_TWO_EDIT_LEN: usize = 8;
/// Longest word that typo correction looks at, whatever the data holds. A query's deletion
/// variants grow with the square of its length (and their bytes with the cube), so this bounds
/// the work per word: 48 letters make at most 1,177 variants.
pub const MAX_TYPO_LEN: usize = 48;
/// Most index lookups typo correction makes for one question ([`Vocab::correct_words`]): about
/// forty unknown words of fourteen letters. A real question has a typo or two; words past the
/// budget stay as typed (and count as unknown), so a question of hundreds of made-up words costs
/// no more than this.
pub const MAX_LOOKUPS_PER_QUESTION: usize = 4096;

/// One word of analysed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The word after synonym replacement, before stemming.
    pub word: String,
    /// The stem (or canonical word, stemmed the same way).
    pub stem: String,
    /// True for stopwords and chat filler: ignored for scoring, still seen by `requires`.
    pub stop: bool,
    /// True for filler and greetings (a message made only of these is small talk).
    pub filler: bool,
}

/// The lexicon, compiled for matching.
pub struct Vocab {
    stemmer: Stemmer,
    /// first word → (phrase words, canonical word), longest phrase first.
    phrases: FxHashMap<String, Vec<(Vec<String>, String)>>,
    stop: FxHashSet<String>,
    filler: FxHashSet<String>,
    /// Words typo correction may correct to.
    targets: FxHashSet<String>,
    /// Deletion variant → words of `targets` it comes from.
    deletes: FxHashMap<String, Vec<u32>>,
    target_list: Vec<String>,
    /// Characters in the longest target: a longer word is more edits away from every target
    /// than typo correction allows, so it is not looked up at all.
    longest_target: usize,
    /// Words that are not typos: every target, every stopword, every word of the sources.
    known: FxHashSet<String>,
    /// An English word list (one per line) and its sorted line spans, for binary search.
    dictionary: String,
    dictionary_index: Vec<(u32, u32)>,
}

/// Stems remembered per thread (the memo is emptied when full, so hostile input bounds it).
const REMEMBERED_STEMS: usize = 16_384;
/// Longer words are stemmed every time.
const MAX_REMEMBERED_STEM: usize = 32;

thread_local! {
    /// Word → stem: a question's words are stemmed several times over (matcher, claims,
    /// speakers, each part), and the data's words once per load.
    static STEMS: std::cell::RefCell<FxHashMap<String, String>> =
        std::cell::RefCell::new(FxHashMap::default());
}

impl std::fmt::Debug for Vocab {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vocab")
            .field("phrases", &self.phrases.len())
            .field("targets", &self.target_list.len())
            .field("known", &self.known.len())
            .finish_non_exhaustive()
    }
}

impl Vocab {
    /// Builds the vocabulary from the lexicon's synonyms, stopwords and fillers.
    pub fn new<'a>(
        synonyms: impl IntoIterator<Item = (&'a str, &'a [String])>,
        stopwords: &[String],
        fillers: &[String],
    ) -> Vocab {
        let mut phrases: FxHashMap<String, Vec<(Vec<String>, String)>> = FxHashMap::default();
        for (canonical, variants) in synonyms {
            let canonical = super::normalize::words(&super::normalize::fold(canonical)).join("");
            for variant in variants {
                let words = super::normalize::words(&super::normalize::fold(variant));
                if let Some(first) = words.first() {
                    phrases
                        .entry(first.clone())
                        .or_default()
                        .push((words.clone(), canonical.clone()));
                }
            }
        }
        for list in phrases.values_mut() {
            list.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        }
        let fold_all = |list: &[String]| -> FxHashSet<String> {
            list.iter()
                .flat_map(|w| super::normalize::words(&super::normalize::fold(w)))
                .collect()
        };
        let filler = fold_all(fillers);
        let mut stop = fold_all(stopwords);
        stop.extend(filler.iter().cloned());
        let mut known = stop.clone();
        for list in phrases.values() {
            for (words, canonical) in list {
                known.extend(words.iter().cloned());
                known.insert(canonical.clone());
            }
        }
        Vocab {
            stemmer: Stemmer::create(Algorithm::English),
            phrases,
            stop,
            filler,
            targets: FxHashSet::default(),
            deletes: FxHashMap::default(),
            target_list: Vec::new(),
            longest_target: 0,
            known,
            dictionary: String::new(),
            dictionary_index: Vec::new(),
        }
    }

    /// Uses `text` (one word per line) as the English dictionary: its words are never typos.
    pub fn set_dictionary(&mut self, text: &str) {
        self.dictionary = text.to_owned();
        let bytes = self.dictionary.as_bytes();
        if bytes.len() > u32::MAX as usize {
            return;
        }
        let mut index = Vec::with_capacity(bytes.len() / 8);
        let mut start = 0usize;
        for (at, &b) in bytes.iter().enumerate() {
            if b == b'\n' {
                let mut end = at;
                while end > start && bytes[end - 1].is_ascii_whitespace() {
                    end -= 1;
                }
                if end > start {
                    index.push((start as u32, (end - start) as u32));
                }
                start = at + 1;
            }
        }
        if start < bytes.len() {
            let end = bytes.len()
                - bytes[start..]
                    .iter()
                    .rev()
                    .take_while(|b| b.is_ascii_whitespace())
                    .count();
            if end > start {
                index.push((start as u32, (end - start) as u32));
            }
        }
        // Byte order is the order `sort` (LC_ALL=C) writes; sort only when the file is not in it.
        let word = |&(s, l): &(u32, u32)| &bytes[s as usize..(s + l) as usize];
        if !index.windows(2).all(|w| word(&w[0]) <= word(&w[1])) {
            index.sort_by(|a, b| word(a).cmp(word(b)));
        }
        self.dictionary_index = index;
    }

    fn in_dictionary(&self, word: &str) -> bool {
        let bytes = self.dictionary.as_bytes();
        self.dictionary_index
            .binary_search_by(|&(s, l)| bytes[s as usize..(s + l) as usize].cmp(word.as_bytes()))
            .is_ok()
    }

    /// Adds words the matcher uses (from examples, keywords...) as typo-correction targets.
    pub fn add_targets<'a>(&mut self, words: impl IntoIterator<Item = &'a str>) {
        for word in words {
            self.known.insert(word.to_owned());
            if word.chars().count() < MIN_TYPO_LEN
                || !word.chars().all(char::is_alphabetic)
                || !self.targets.insert(word.to_owned())
            {
                continue;
            }
            let id = self.target_list.len() as u32;
            self.target_list.push(word.to_owned());
            self.longest_target = self.longest_target.max(word.chars().count());
            // The word and its one-deletion variants; a query adds its own deletions (two for
            // long words), which finds one edit on either side and most two-edit typos while
            // keeping the index small.
            for variant in deletions(word, 1).into_iter().chain([word.to_owned()]) {
                let ids = self.deletes.entry(variant).or_default();
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
    }

    /// Marks words as known (not typos, not unknown) without making them correction targets.
    pub fn add_known<'a>(&mut self, words: impl IntoIterator<Item = &'a str>) {
        self.known.extend(words.into_iter().map(str::to_owned));
    }

    /// True when `word` appears anywhere in the data or the sources.
    pub fn is_known(&self, word: &str) -> bool {
        self.known.contains(word) || self.in_dictionary(word)
    }

    /// The lookups typo correction makes for `word`, with the number of edits it allows: none
    /// for known words, short or non-alphabetic ones, and words too long to be a typo of any
    /// target (the edit distance is at least the difference in length) or longer than
    /// [`MAX_TYPO_LEN`].
    fn lookups(&self, word: &str) -> Option<(usize, FxHashSet<String>)> {
        let max = self.edits(word)?;
        let mut keys = deletions(word, max);
        keys.insert(word.to_owned());
        Some((max, keys))
    }

    /// The edits typo correction allows for `word`, or `None` when it does not look it up (see
    /// [`Vocab::lookups`]). Cheap: no deletion variants are built.
    fn edits(&self, word: &str) -> Option<usize> {
        // Checked before `is_known` and before counting characters, so an overlong word costs
        // no more than reading its first bytes.
        if word.len() > MAX_TYPO_LEN * 4 {
            return None;
        }
        let len = word.chars().count();
        if !(MIN_TYPO_LEN..=MAX_TYPO_LEN).contains(&len)
            || self.is_known(word)
            || !word.chars().all(char::is_alphabetic)
        {
            return None;
        }
        let max = if len >= MIN_TWO_EDIT_LEN { 2 } else { 1 };
        if len > self.longest_target + max {
            return None;
        }
        Some(max)
    }

    /// How many index lookups typo correction makes for `word` (0 when it is not looked up):
    /// the work per word, which tests and benches bound.
    pub fn correction_lookups(&self, word: &str) -> usize {
        self.lookups(word).map_or(0, |(_, keys)| keys.len())
    }

    /// Typo-corrects the words of one question ([`Vocab::correct`] on each), within
    /// [`MAX_LOOKUPS_PER_QUESTION`] index lookups: once a word would exceed the budget, it and
    /// the words after it stay as they are.
    pub fn correct_words(&self, words: Vec<String>) -> Vec<String> {
        let mut budget = MAX_LOOKUPS_PER_QUESTION;
        words
            .into_iter()
            .map(|word| {
                let Some(max) = self.edits(&word).filter(|_| budget > 0) else {
                    return word;
                };
                // At most this many keys (fewer when letters repeat), known before building them.
                let len = word.chars().count();
                let bound = 1 + len + if max == 2 { len * (len - 1) / 2 } else { 0 };
                if bound > budget {
                    budget = 0;
                    return word;
                }
                budget -= bound;
                let mut keys = deletions(&word, max);
                keys.insert(word.clone());
                match self.best(&word, max, &keys) {
                    Some(fixed) => fixed.to_owned(),
                    None => word,
                }
            })
            .collect()
    }

    /// The word the data uses that `word` is most likely a typo of, if any.
    pub fn correct(&self, word: &str) -> Option<&str> {
        let (max, keys) = self.lookups(word)?;
        self.best(word, max, &keys)
    }

    /// The closest target within `max` edits of `word`, found through the index `keys`.
    fn best(&self, word: &str, max: usize, keys: &FxHashSet<String>) -> Option<&str> {
        let len = word.chars().count();
        let first = word.chars().next();
        let mut ids: Vec<u32> = keys
            .iter()
            .filter_map(|variant| self.deletes.get(variant))
            .flatten()
            .copied()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut best: Option<(usize, bool, &str)> = None;
        for id in ids {
            let candidate = self.target_list[id as usize].as_str();
            let same_first = candidate.chars().next() == first;
            // Four-letter words are too easily confused to correct across the first letter; and
            // the distance is at least the difference in length (both checks skip the costly
            // distance, without changing the result).
            if (len < 5 && !same_first) || candidate.chars().count().abs_diff(len) > max {
                continue;
            }
            let distance = strsim::damerau_levenshtein(word, candidate);
            if distance > max {
                continue;
            }
            let key = (distance, !same_first, candidate);
            if best.is_none_or(|(d, f, c)| key < (d, !f, c)) {
                best = Some((distance, same_first, candidate));
            }
        }
        best.map(|(_, _, c)| c)
    }

    /// Replaces synonym phrases by their canonical words.
    pub fn canonical(&self, words: &[String]) -> Vec<String> {
        let mut out = Vec::with_capacity(words.len());
        let mut i = 0;
        while i < words.len() {
            let matched = self.phrases.get(&words[i]).and_then(|list| {
                list.iter()
                    .find(|(phrase, _)| words[i..].starts_with(phrase))
                    .map(|(phrase, canonical)| (phrase.len(), canonical))
            });
            match matched {
                Some((len, canonical)) => {
                    out.push(canonical.clone());
                    i += len;
                }
                None => {
                    out.push(words[i].clone());
                    i += 1;
                }
            }
        }
        out
    }

    /// Stems one word, after folding British `-ise` spellings into American `-ize` ones (the
    /// stemmer keeps "prioritise" and "prioritize" apart).
    pub fn stem(&self, word: &str) -> String {
        // Every vocabulary stems with the same English stemmer, so one memo serves them all.
        if word.len() > MAX_REMEMBERED_STEM {
            return self.stemmer.stem(&americanize(word)).into_owned();
        }
        STEMS.with(|stems| {
            let mut stems = stems.borrow_mut();
            if let Some(stem) = stems.get(word) {
                return stem.clone();
            }
            let stem = self.stemmer.stem(&americanize(word)).into_owned();
            if stems.len() >= REMEMBERED_STEMS {
                stems.clear();
            }
            stems.insert(word.to_owned(), stem.clone());
            stem
        })
    }

    /// Whether a word (canonical, as [`Vocab::canonical`] gives it) is a stopword.
    pub fn is_stop(&self, word: &str) -> bool {
        self.stop.contains(word)
    }

    /// Analyses words (already folded and split): synonyms, then stems, marking stopwords.
    pub fn terms(&self, words: &[String]) -> Vec<Term> {
        self.canonical(words)
            .into_iter()
            .map(|word| Term {
                stop: self.stop.contains(&word),
                filler: self.filler.contains(&word),
                stem: self.stem(&word),
                word,
            })
            .collect()
    }

    /// Analyses a piece of authored data text (an example, keyword or `requires` entry).
    pub fn data_terms(&self, text: &str) -> Vec<Term> {
        self.terms(&super::normalize::words(&super::normalize::fold(text)))
    }
}

/// `recapitalisation` → `recapitalization`, `prioritised` → `prioritized`, `summarising` →
/// `summarizing`. Only words of six letters or more, so "risen" and "wised" stay as they are;
/// bare "-ise" forms ("prioritise") are listed as synonyms in the lexicon instead.
fn americanize(word: &str) -> std::borrow::Cow<'_, str> {
    // Not bare "-ise": "enterprise", "promise" and "exercise" are not "-ize" words.
    const SUFFIXES: &[(&str, &str)] = &[
        ("isations", "izations"),
        ("isation", "ization"),
        ("ising", "izing"),
        ("ised", "ized"),
    ];
    if word.len() >= 6 {
        for (from, to) in SUFFIXES {
            if let Some(stem) = word.strip_suffix(from) {
                return std::borrow::Cow::Owned(format!("{stem}{to}"));
            }
        }
    }
    std::borrow::Cow::Borrowed(word)
}

/// All strings made from `word` by deleting up to `depth` characters.
fn deletions(word: &str, depth: usize) -> FxHashSet<String> {
    let mut out = FxHashSet::default();
    let mut frontier = vec![word.to_owned()];
    for _ in 0..depth {
        let mut next = Vec::new();
        for w in &frontier {
            for (at, c) in w.char_indices() {
                let mut variant = String::with_capacity(w.len());
                variant.push_str(&w[..at]);
                variant.push_str(&w[at + c.len_utf8()..]);
                if out.insert(variant.clone()) {
                    next.push(variant);
                }
            }
        }
        frontier = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocab {
        let syn = [
            (
                "revshare".to_owned(),
                vec!["revenue share".to_owned(), "rev share".to_owned()],
            ),
            ("microsoft".to_owned(), vec!["msft".to_owned()]),
        ];
        let mut v = Vocab::new(
            syn.iter().map(|(c, v)| (c.as_str(), v.as_slice())),
            &["the".to_owned(), "when".to_owned()],
            &["hey".to_owned()],
        );
        v.add_targets(["exclusivity", "announced", "microsoft", "azure"]);
        v
    }

    #[test]
    fn replaces_longest_phrase_and_stems() {
        let v = vocab();
        let words: Vec<String> = ["hey", "msft", "rev", "share", "ending"]
            .map(String::from)
            .to_vec();
        let stems: Vec<String> = v.terms(&words).into_iter().map(|t| t.stem).collect();
        assert_eq!(stems, ["hey", "microsoft", "revshar", "end"]);
    }

    #[test]
    fn corrects_typos_within_edit_distance() {
        let v = vocab();
        assert_eq!(v.correct("exclusivty"), Some("exclusivity"));
        assert_eq!(v.correct("exlcusivity"), Some("exclusivity"));
        assert_eq!(v.correct("anounced"), Some("announced"));
        assert_eq!(v.correct("azur"), Some("azure"));
        assert_eq!(v.correct("microsoft"), None);
        assert_eq!(v.correct("weather"), None);
        assert_eq!(v.correct("bazur"), None);
    }

    /// Issue 8: a made-up word of 1,600 letters took 15 s and 3.8 GB in double deletions.
    #[test]
    fn long_words_are_not_looked_up() {
        let v = vocab();
        // "exclusivity" (11 letters) is the longest target: 14 letters is three edits away.
        assert!(v.correction_lookups("exclusivityyy") > 0);
        assert_eq!(v.correction_lookups("exclusivityyyy"), 0);
        assert_eq!(v.correction_lookups(&"ab".repeat(2000)), 0);
        assert_eq!(v.correction_lookups(&"ab".repeat(30_000)), 0);
        assert_eq!(v.correct(&"ab".repeat(2000)), None);

        let mut long = vocab();
        long.add_targets(["a".repeat(200).as_str()]);
        assert_eq!(long.correction_lookups(&"b".repeat(MAX_TYPO_LEN + 1)), 0);
        let at_cap = long.correction_lookups(&"abcdefgh".repeat(MAX_TYPO_LEN / 8));
        assert!((1..=1 + MAX_TYPO_LEN * (MAX_TYPO_LEN + 1) / 2).contains(&at_cap));
    }

    #[test]
    fn corrects_the_words_of_a_question_within_a_budget() {
        let v = vocab();
        let words = |text: &str| text.split(' ').map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(
            v.correct_words(words("when exclusivty anounced azur")),
            words("when exclusivity announced azure")
        );
        // Made-up 13-letter words (two longer than the longest target, so looked up) use up
        // the budget (1 + 13 + 78 keys each at most); a typo after them is left alone.
        let mut many = vec!["qwzxvbnmlkjhg".to_owned(); MAX_LOOKUPS_PER_QUESTION / 92 + 1];
        many.push("exclusivty".to_owned());
        assert_eq!(v.correct_words(many).last().unwrap(), "exclusivty");
    }

    /// Every word of the largest question, however built, costs a bounded number of lookups.
    #[test]
    fn lookups_per_question_are_bounded() {
        let mut v = vocab();
        v.add_targets(["a".repeat(200).as_str()]);
        let bound =
            super::super::normalize::MAX_WORDS * (1 + MAX_TYPO_LEN * (MAX_TYPO_LEN + 1) / 2);
        let nasty = [
            "ab".repeat(30_000),
            "\u{3300}".repeat(20_000),
            "\u{FDFA}".repeat(20_000),
            "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuv ".repeat(1_000),
            "qxzv ".repeat(13_000),
        ];
        for raw in &nasty {
            let folded = super::super::normalize::question(raw);
            assert!(folded.len() <= super::super::normalize::MAX_QUESTION_BYTES);
            let words = super::super::normalize::words(&folded);
            let lookups: usize = words.iter().map(|w| v.correction_lookups(w)).sum();
            assert!(lookups <= bound, "{lookups} lookups for {:?}…", &raw[..8]);
        }
    }
}
