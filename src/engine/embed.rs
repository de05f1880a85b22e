//! Static token embeddings: the semantic features of the classifier.
//!
//! The table `models/minilm-l6-static.bin` is derived from all-MiniLM-L6-v2 (Apache-2.0; see
//! `models/NOTICE`) by `scripts/derive_embeddings.py`: every wordpiece the data can produce, run
//! through the transformer alone, reduced to 128 dimensions by PCA and stored as int8 rows. It is
//! compiled into the binary and parsed once per process.
//!
//! [`Embeddings::pieces`] splits a word into wordpieces the way BERT's WordPiece does (greedy
//! longest match, `##` for a continuation); [`super::classifier`] averages the pieces' vectors.

use rustc_hash::FxHashMap;
use std::sync::LazyLock;

use unicode_normalization::UnicodeNormalization;

static TABLE: &[u8] = include_bytes!("../../models/minilm-l6-static.bin");

static BUNDLED: LazyLock<Result<Embeddings, String>> = LazyLock::new(|| Embeddings::parse(TABLE));

/// Longest word (in characters) that is split into pieces; longer words are unknown.
const MAX_WORD_CHARS: usize = 100;

/// A wordpiece vocabulary with one vector per piece.
pub struct Embeddings {
    dims: usize,
    index: FxHashMap<String, u32>,
    scale: Vec<f32>,
    rows: Vec<i8>,
    unknown: Option<u32>,
}

impl std::fmt::Debug for Embeddings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embeddings")
            .field("pieces", &self.index.len())
            .field("dims", &self.dims)
            .finish_non_exhaustive()
    }
}

impl Embeddings {
    /// The table compiled into the binary (parsed on first use).
    pub fn bundled() -> Result<&'static Embeddings, &'static str> {
        BUNDLED.as_ref().map_err(String::as_str)
    }

    /// Parses the table format written by `scripts/derive_embeddings.py`.
    pub fn parse(bytes: &[u8]) -> Result<Embeddings, String> {
        let u32_at = |at: usize| -> Result<usize, String> {
            bytes
                .get(at..at + 4)
                .and_then(|b| b.try_into().ok())
                .map(|b| u32::from_le_bytes(b) as usize)
                .ok_or_else(|| "embedding table is truncated".to_owned())
        };
        if bytes.get(..4) != Some(b"DBE1".as_slice()) {
            return Err("embedding table has no DBE1 header".to_owned());
        }
        let (rows, dims, vocab_len) = (u32_at(4)?, u32_at(8)?, u32_at(12)?);
        let vocab_end = 16 + vocab_len;
        let scale_end = vocab_end + 4 * rows;
        let end = scale_end + rows * dims;
        if bytes.len() != end {
            return Err(format!(
                "embedding table has {} bytes, its header says {end}",
                bytes.len()
            ));
        }
        let vocab = std::str::from_utf8(&bytes[16..vocab_end])
            .map_err(|e| format!("embedding vocabulary is not UTF-8: {e}"))?;
        let index: FxHashMap<String, u32> = vocab
            .split('\n')
            .enumerate()
            .map(|(i, p)| (p.to_owned(), i as u32))
            .collect();
        if index.len() != rows {
            return Err(format!(
                "embedding table has {} distinct pieces for {rows} rows",
                index.len()
            ));
        }
        let scale = bytes[vocab_end..scale_end]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let data = bytes[scale_end..end].iter().map(|&b| b as i8).collect();
        let unknown = index.get("[UNK]").copied();
        Ok(Embeddings {
            dims,
            index,
            scale,
            rows: data,
            unknown,
        })
    }

    /// Dimensions of a vector.
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// Appends the wordpiece ids of one lower-case word to `out` (`[UNK]` when it cannot be split).
    pub fn pieces(&self, word: &str, out: &mut Vec<u32>) {
        let word: String = if word.is_ascii() {
            word.to_owned()
        } else {
            // BERT's uncased tokeniser strips accents.
            word.nfd()
                .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
                .collect()
        };
        let chars: Vec<(usize, char)> = word.char_indices().collect();
        if chars.is_empty() {
            return;
        }
        if chars.len() > MAX_WORD_CHARS {
            out.extend(self.unknown);
            return;
        }
        let start_len = out.len();
        let mut start = 0;
        let mut piece = String::new();
        while start < chars.len() {
            let mut found = None;
            let mut end = chars.len();
            while end > start {
                let from = chars[start].0;
                let to = chars.get(end).map_or(word.len(), |c| c.0);
                piece.clear();
                if start > 0 {
                    piece.push_str("##");
                }
                piece.push_str(&word[from..to]);
                if let Some(&id) = self.index.get(&piece) {
                    found = Some(id);
                    break;
                }
                end -= 1;
            }
            match found {
                Some(id) => {
                    out.push(id);
                    start = end;
                }
                None => {
                    out.truncate(start_len);
                    out.extend(self.unknown);
                    return;
                }
            }
        }
    }

    /// Adds `weight` × the vector of piece `id` to `acc` (of length [`Self::dims`]).
    pub fn add_to(&self, id: u32, weight: f32, acc: &mut [f32]) {
        let row = id as usize;
        let Some(values) = self.rows.get(row * self.dims..(row + 1) * self.dims) else {
            return;
        };
        let w = weight * self.scale[row];
        for (a, &v) in acc.iter_mut().zip(values) {
            *a += w * f32::from(v);
        }
    }

    /// The number of pieces.
    pub fn len(&self) -> usize {
        self.scale.len()
    }

    /// True when the table has no pieces.
    pub fn is_empty(&self) -> bool {
        self.scale.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_table_parses_and_splits_words_into_pieces() {
        let table = Embeddings::bundled().unwrap();
        assert_eq!(table.dims(), 128);
        let mut ids = Vec::new();
        table.pieces("microsoft", &mut ids);
        assert_eq!(ids.len(), 1);
        ids.clear();
        table.pieces("redmondish", &mut ids);
        assert!(ids.len() >= 2, "{ids:?}");
        ids.clear();
        table.pieces("café", &mut ids);
        assert!(!ids.is_empty());
    }

    #[test]
    fn rejects_truncated_tables() {
        assert!(Embeddings::parse(b"DBE1").is_err());
        assert!(Embeddings::parse(&TABLE[..TABLE.len() - 1]).is_err());
        assert!(Embeddings::parse(b"nope").is_err());
    }
}
