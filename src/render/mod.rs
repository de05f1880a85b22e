//! Turning an engine [`Answer`](crate::engine::Answer) into platform messages.
//!
//! Renderers are pure functions from an answer (plus source titles) to a message document; they
//! enforce the platform's size limits and escaping. Adapters only send what these produce.

pub mod discord;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_on_characters_with_an_ellipsis() {
        assert_eq!(truncate("héllo", 10), "héllo");
        assert_eq!(truncate("héllo wörld", 5), "héll…");
        assert_eq!(truncate("abc", 0), "…");
    }
}
