//! The learned part of the matcher: two multinomial logistic regressions trained at load.
//!
//! Training questions are the intents' `examples` and `question`, the not-covered topics'
//! examples and every labelled line of `intents/questions/*.jsonl`. Classes are the intents, the
//! not-covered topics, and one *refuse* class for questions labelled `null` (must not answer).
//!
//! - The n-gram model reads TF-IDF features: word 1–2-grams of the matcher's terms (after
//!   synonyms, stemming and typo correction) and character 2–5-grams of the corrected words,
//!   each block L2-normalised.
//! - The embedding model reads the IDF-weighted mean of static wordpiece vectors
//!   ([`super::embed`]), L2-normalised.
//!
//! Both are trained by the same short SGD trainer ([`train`]): softmax cross-entropy with L2,
//! a fixed shuffling seed and a decaying step, so the same data always gives the same weights.
//! Their probabilities are averaged. The decision rules (threshold, ambiguity, guards) live in
//! [`super::matcher`].

use rustc_hash::FxHashMap;

use super::embed::Embeddings;

/// Seed of the trainer's shuffling.
pub const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

/// Training settings of one model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainParams {
    /// Passes over the data.
    pub epochs: usize,
    /// First step size.
    pub rate: f32,
    /// L2 penalty per sample.
    pub l2: f32,
}

/// Settings of the n-gram model (chosen by `dealbot eval --cv 5`).
pub const NGRAM_PARAMS: TrainParams = TrainParams {
    epochs: 20,
    rate: 1.0,
    l2: 1e-5,
};

/// Settings of the embedding model (chosen by `dealbot eval --cv 5`).
pub const EMBED_PARAMS: TrainParams = TrainParams {
    epochs: 20,
    rate: 1.0,
    l2: 1e-5,
};

/// A sparse feature vector: (feature index, value), indices ascending and distinct.
pub type Sparse = Vec<(u32, f32)>;

/// A linear softmax model over `k` classes, weights stored feature-major.
#[derive(Debug, Clone)]
pub struct Linear {
    k: usize,
    w: Vec<f32>,
    b: Vec<f32>,
}

impl Linear {
    /// Class probabilities of `x`, written to `out` (length `k`).
    pub fn predict(&self, x: &[(u32, f32)], out: &mut [f32]) {
        out.copy_from_slice(&self.b);
        for &(f, v) in x {
            let row = &self.w[f as usize * self.k..(f as usize + 1) * self.k];
            for (o, &w) in out.iter_mut().zip(row) {
                *o += w * v;
            }
        }
        softmax(out);
    }
}

fn softmax(z: &mut [f32]) {
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in z.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    if sum > 0.0 {
        z.iter_mut().for_each(|v| *v /= sum);
    }
}

/// A small deterministic generator (xorshift64*), for the shuffling order.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// Trains a softmax regression by SGD with L2 (weights kept as `scale · v`, so the penalty costs
/// nothing per step). Deterministic: the order of samples comes from [`SEED`].
pub fn train(
    samples: &[Sparse],
    labels: &[usize],
    features: usize,
    k: usize,
    params: TrainParams,
) -> Linear {
    let mut v = vec![0.0f32; features * k];
    let mut b = vec![0.0f32; k];
    let mut scale = 1.0f32;
    let mut order: Vec<usize> = (0..samples.len().min(labels.len())).collect();
    let mut rng = Rng(SEED);
    let mut p = vec![0.0f32; k];
    let mut t = 0usize;
    // The weights averaged over the snapshots at the end of each epoch of the second half
    // (Polyak averaging): a plain SGD iterate leans towards the last samples it saw.
    let mut avg_w = vec![0.0f32; features * k];
    let mut avg_b = vec![0.0f32; k];
    let mut snapshots = 0usize;
    for epoch in 0..params.epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            let x = &samples[i];
            let label = labels[i];
            // Step size decays as 1 / (1 + rate · l2 · t), the schedule of Bottou's SGD.
            let rate = params.rate / (1.0 + params.rate * params.l2 * t as f32);
            t += 1;
            p.copy_from_slice(&b);
            for &(f, xv) in x {
                let row = &v[f as usize * k..(f as usize + 1) * k];
                for (o, &w) in p.iter_mut().zip(row) {
                    *o += scale * w * xv;
                }
            }
            softmax(&mut p);
            if label < k {
                p[label] -= 1.0;
            }
            scale *= 1.0 - rate * params.l2;
            let step = rate / scale;
            for &(f, xv) in x {
                let row = &mut v[f as usize * k..(f as usize + 1) * k];
                for (w, &g) in row.iter_mut().zip(&p) {
                    *w -= step * g * xv;
                }
            }
            for (bc, &g) in b.iter_mut().zip(&p) {
                *bc -= rate * g;
            }
            if scale < 1e-3 {
                v.iter_mut().for_each(|w| *w *= scale);
                scale = 1.0;
            }
        }
        if 2 * (epoch + 1) > params.epochs {
            avg_w.iter_mut().zip(&v).for_each(|(a, w)| *a += scale * w);
            avg_b.iter_mut().zip(&b).for_each(|(a, w)| *a += w);
            snapshots += 1;
        }
    }
    if snapshots == 0 {
        return Linear { k, w: v, b };
    }
    let n = snapshots as f32;
    avg_w.iter_mut().for_each(|w| *w /= n);
    avg_b.iter_mut().for_each(|w| *w /= n);
    Linear {
        k,
        w: avg_w,
        b: avg_b,
    }
}

/// FNV-1a over a feature's kind and bytes.
fn hash(kind: u8, parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ u64::from(kind);
    h = h.wrapping_mul(0x0100_0000_01b3);
    for part in parts {
        for &byte in *part {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// What a question looks like to the classifier: its corrected words and its terms' stems.
#[derive(Debug, Default, Clone)]
pub struct Tokens {
    /// Words after typo correction.
    pub words: Vec<String>,
    /// Stems after synonyms, stopwords included.
    pub stems: Vec<String>,
}

/// Hashed n-gram features with counts, split into the word block and the character block.
/// Counted in maps, not by sorting: hostile input repeats a few n-grams thousands of times.
fn raw_ngrams(tokens: &Tokens, words: &mut FxHashMap<u64, f32>, chars: &mut FxHashMap<u64, f32>) {
    words.clear();
    chars.clear();
    for (i, stem) in tokens.stems.iter().enumerate() {
        *words.entry(hash(b'w', &[stem.as_bytes()])).or_default() += 1.0;
        if let Some(next) = tokens.stems.get(i + 1) {
            *words
                .entry(hash(b'b', &[stem.as_bytes(), next.as_bytes()]))
                .or_default() += 1.0;
        }
    }
    let mut padded: Vec<u8> = Vec::new();
    for word in &tokens.words {
        padded.clear();
        padded.push(b' ');
        padded.extend_from_slice(word.as_bytes());
        padded.push(b' ');
        // Byte n-grams: the same as character n-grams for ASCII words, still stable otherwise.
        for n in 2..=5 {
            for gram in padded.windows(n) {
                *chars.entry(hash(b'c', &[gram])).or_default() += 1.0;
            }
        }
    }
}

/// The n-gram vocabulary and IDF learned from the training questions.
#[derive(Debug, Clone, Default)]
pub struct NgramSpace {
    index: FxHashMap<u64, u32>,
    idf: Vec<f32>,
}

impl NgramSpace {
    /// Builds the space from the training questions.
    pub fn fit(docs: &[Tokens]) -> NgramSpace {
        let mut space = NgramSpace::default();
        let mut df: Vec<f32> = Vec::new();
        let (mut words, mut chars) = (FxHashMap::default(), FxHashMap::default());
        for doc in docs {
            raw_ngrams(doc, &mut words, &mut chars);
            for map in [&words, &chars] {
                let mut keys: Vec<u64> = map.keys().copied().collect();
                keys.sort_unstable();
                for h in keys {
                    let next = space.index.len() as u32;
                    let id = *space.index.entry(h).or_insert(next);
                    if id == next {
                        df.push(0.0);
                    }
                    df[id as usize] += 1.0;
                }
            }
        }
        let n = docs.len() as f32;
        space.idf = df
            .iter()
            .map(|d| ((1.0 + n) / (1.0 + d)).ln() + 1.0)
            .collect();
        space
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.idf.len()
    }

    /// True when no feature was seen.
    pub fn is_empty(&self) -> bool {
        self.idf.is_empty()
    }

    /// The TF-IDF vector of a question (features never seen in training are dropped).
    pub fn vector(&self, tokens: &Tokens) -> Sparse {
        // Sized for every n-gram at once (a stem and a pair per stem; at most four byte n-grams
        // per byte of a padded word), so that counting them never grows a map.
        let chars_len: usize = tokens.words.iter().map(|w| 4 * (w.len() + 2)).sum();
        let mut words =
            FxHashMap::with_capacity_and_hasher(2 * tokens.stems.len(), Default::default());
        let mut chars = FxHashMap::with_capacity_and_hasher(chars_len, Default::default());
        raw_ngrams(tokens, &mut words, &mut chars);
        let mut out: Sparse = Vec::with_capacity(words.len() + chars.len());
        for map in [&words, &chars] {
            let start = out.len();
            for (&h, &tf) in map {
                if let Some(&id) = self.index.get(&h) {
                    out.push((id, (1.0 + tf.ln()) * self.idf[id as usize]));
                }
            }
            // Sorted before summing, so the norm does not depend on the map's order.
            out[start..].sort_unstable_by_key(|&(id, _)| id);
            let norm = out[start..].iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
            if norm > 0.0 {
                out[start..].iter_mut().for_each(|(_, v)| *v /= norm);
            }
        }
        // Two sorted runs (each n-gram has one id): the stable sort finds them and merges
        // them in one pass, where an unstable sort would sort them again from scratch.
        out.sort_by_key(|&(id, _)| id);
        out
    }
}

/// IDF-weighted mean of wordpiece vectors.
#[derive(Debug, Clone)]
pub struct EmbedSpace {
    table: &'static Embeddings,
    /// IDF of each piece over the training questions (pieces never seen get the highest).
    idf: FxHashMap<u32, f32>,
    unseen_idf: f32,
    /// Per dimension, the training questions' mean and 1 / standard deviation: averaged
    /// embeddings share a common direction that would otherwise swamp what tells them apart.
    mean: Vec<f32>,
    inv_std: Vec<f32>,
}

impl EmbedSpace {
    /// Builds the piece weights from the training questions.
    pub fn fit(table: &'static Embeddings, docs: &[Tokens]) -> EmbedSpace {
        let mut df: FxHashMap<u32, f32> = FxHashMap::default();
        let mut pieces = Vec::new();
        for doc in docs {
            pieces.clear();
            for w in &doc.words {
                table.pieces(w, &mut pieces);
            }
            pieces.sort_unstable();
            pieces.dedup();
            for &p in &pieces {
                *df.entry(p).or_default() += 1.0;
            }
        }
        let n = docs.len() as f32;
        let idf = df
            .into_iter()
            .map(|(p, d)| (p, ((1.0 + n) / (1.0 + d)).ln() + 1.0))
            .collect();
        let dims = table.dims();
        let mut space = EmbedSpace {
            table,
            idf,
            unseen_idf: (1.0 + n).ln() + 1.0,
            mean: vec![0.0; dims],
            inv_std: vec![1.0; dims],
        };
        if docs.is_empty() {
            return space;
        }
        let vectors: Vec<Vec<f32>> = docs.iter().map(|d| space.mean_vector(d)).collect();
        let mut mean = vec![0.0f32; dims];
        for v in &vectors {
            mean.iter_mut().zip(v).for_each(|(m, x)| *m += x / n);
        }
        let mut var = vec![0.0f32; dims];
        for v in &vectors {
            for ((s, x), m) in var.iter_mut().zip(v).zip(&mean) {
                *s += (x - m) * (x - m) / n;
            }
        }
        space.inv_std = var.iter().map(|v| 1.0 / (v.sqrt() + 1e-6)).collect();
        space.mean = mean;
        space
    }

    /// Dimensions.
    pub fn dims(&self) -> usize {
        self.table.dims()
    }

    /// The standardised vector of a question, as a dense "sparse" vector, scaled to about unit
    /// length.
    pub fn vector(&self, tokens: &Tokens) -> Sparse {
        let scale = 1.0 / (self.dims() as f32).sqrt();
        self.mean_vector(tokens)
            .into_iter()
            .zip(self.mean.iter().zip(&self.inv_std))
            .enumerate()
            .map(|(i, (v, (m, s)))| (i as u32, (v - m) * s * scale))
            .collect()
    }

    /// The normalised, IDF-weighted mean of the question's piece vectors.
    fn mean_vector(&self, tokens: &Tokens) -> Vec<f32> {
        let mut acc = vec![0.0f32; self.table.dims()];
        let mut pieces = Vec::new();
        for w in &tokens.words {
            self.table.pieces(w, &mut pieces);
        }
        for &p in &pieces {
            let weight = self.idf.get(&p).copied().unwrap_or(self.unseen_idf);
            self.table.add_to(p, weight, &mut acc);
        }
        let norm = acc.iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            acc.iter_mut().for_each(|v| *v /= norm);
        }
        acc
    }
}

/// The trained classifier: both models and their feature spaces.
#[derive(Debug, Clone)]
pub struct Classifier {
    k: usize,
    ngram_space: NgramSpace,
    ngram: Linear,
    embed: Option<(EmbedSpace, Linear)>,
}

impl Classifier {
    /// Trains on `docs` with class `labels` (each `< k`). With no embedding table, only the
    /// n-gram model is trained.
    pub fn train(
        docs: &[Tokens],
        labels: &[usize],
        k: usize,
        table: Option<&'static Embeddings>,
        params: (TrainParams, TrainParams),
    ) -> Classifier {
        let ngram_space = NgramSpace::fit(docs);
        let xs: Vec<Sparse> = docs.iter().map(|d| ngram_space.vector(d)).collect();
        let ngram = train(&xs, labels, ngram_space.len(), k, params.0);
        let embed = table.map(|table| {
            let space = EmbedSpace::fit(table, docs);
            let xs: Vec<Sparse> = docs.iter().map(|d| space.vector(d)).collect();
            let model = train(&xs, labels, space.dims(), k, params.1);
            (space, model)
        });
        Classifier {
            k,
            ngram_space,
            ngram,
            embed,
        }
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.k
    }

    /// Class probabilities of a question: the n-gram model's, mixed with the embedding model's
    /// at `embed_weight` (in [0, 1]) when there is one.
    pub fn predict(&self, tokens: &Tokens, embed_weight: f32) -> Vec<f32> {
        let w = embed_weight.clamp(0.0, 1.0);
        let mut p = vec![0.0f32; self.k];
        self.ngram.predict(&self.ngram_space.vector(tokens), &mut p);
        if let Some((space, model)) = &self.embed {
            let mut q = vec![0.0f32; self.k];
            model.predict(&space.vector(tokens), &mut q);
            for (a, b) in p.iter_mut().zip(&q) {
                *a = (1.0 - w) * *a + w * b;
            }
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: (TrainParams, TrainParams) = (NGRAM_PARAMS, EMBED_PARAMS);

    fn tokens(text: &str) -> Tokens {
        let words: Vec<String> = text.split_whitespace().map(str::to_owned).collect();
        Tokens {
            stems: words.clone(),
            words,
        }
    }

    #[test]
    fn learns_a_separable_problem_and_is_deterministic() {
        let docs: Vec<Tokens> = ["red apple", "green apple", "blue sky", "grey sky"]
            .iter()
            .map(|t| tokens(t))
            .collect();
        let labels = [0, 0, 1, 1];
        let a = Classifier::train(&docs, &labels, 2, None, P);
        let b = Classifier::train(&docs, &labels, 2, None, P);
        let pa = a.predict(&tokens("yellow apple"), 0.5);
        assert!(pa[0] > 0.6, "{pa:?}");
        assert!(a.predict(&tokens("stormy sky"), 0.5)[1] > 0.6);
        assert_eq!(pa, b.predict(&tokens("yellow apple"), 0.5));
    }

    #[test]
    fn probabilities_sum_to_one() {
        let docs = [tokens("a b"), tokens("c d"), tokens("e f")];
        let c = Classifier::train(&docs, &[0, 1, 2], 3, None, P);
        let p = c.predict(&tokens("zzz"), 0.5);
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4);
    }
}
