//! The web page (`GET /` and `GET /?q=…`), rendered on the server: it works without JavaScript,
//! its address names the question (so an answer can be shared), and link previews see the
//! answer. Every piece of text from the question or the data is HTML-escaped.
//!
//! The page shows sources by title (linked where the text gives a link), never by file name or
//! intent id. The empty page offers example questions and the list of sources.

use crate::engine::{Answer, Engine, Outcome};

const TEMPLATE: &str = include_str!("../server/web/index.html");

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// `/?q=<question>`, percent-encoded; with `&c=<tab>` when the link continues a tab's
/// conversation.
pub fn ask_href(question: &str, tab: Option<&str>) -> String {
    let mut pairs = vec![("q", question)];
    if let Some(tab) = tab {
        pairs.push(("c", tab));
    }
    let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
    format!("/?{query}")
}

/// A link to a question, in the conversation of `tab`.
fn ask_link(question: &str, tab: &str) -> String {
    format!(
        "<a class=\"suggestion\" href=\"{}\">{}</a>",
        escape(&ask_href(question, Some(tab))),
        escape(question)
    )
}

fn source_title(title: &str, url: Option<&str>) -> String {
    match url {
        Some(url) => format!(
            "<a href=\"{}\" rel=\"noopener noreferrer\">{}</a>",
            escape(url),
            escape(title)
        ),
        None => escape(title),
    }
}

/// The page with no question: what it is, example questions, the sources.
fn empty(engine: &Engine, tab: &str) -> String {
    let kb = engine.knowledge();
    let mut out = String::from("<section><h2>Try asking</h2><p class=\"suggestions\">");
    let examples = kb
        .intent("help")
        .map(|h| h.facts.iter().map(|f| f.text.clone()).collect::<Vec<_>>())
        .unwrap_or_default();
    for q in &examples {
        out.push_str(&ask_link(q, tab));
    }
    out.push_str("</p><h2>Sources</h2><ul class=\"sources\">");
    for s in &kb.sources {
        out.push_str(&format!("<li>{}", source_title(s.name(), s.url())));
        if let Some(by) = &s.attribution {
            out.push_str(&format!(
                " <span class=\"muted\">(credits {})</span>",
                escape(by)
            ));
        }
        out.push_str("</li>");
    }
    out.push_str("</ul></section>");
    out
}

/// The answer: topic, lead, disagreements and notes, facts with their markers, the quotes
/// grouped by source, suggestions.
fn answer_html(answer: &Answer, tab: &str) -> String {
    let mut out = String::from("<section id=\"result\">");
    if let (Outcome::Answered, Some(topic)) = (answer.outcome, &answer.topic) {
        out.push_str(&format!("<p class=\"topic\">{}</p>", escape(topic)));
    }
    out.push_str(&format!(
        "<p class=\"direct\">{}</p>",
        escape(&answer.direct)
    ));
    for c in &answer.conflicts {
        out.push_str(&format!(
            "<div class=\"conflict\"><strong>The sources disagree.</strong> {}<blockquote>“{}”</blockquote></div>",
            escape(&c.note),
            escape(&c.quote)
        ));
    }
    for c in &answer.notes {
        out.push_str(&format!(
            "<div class=\"note\"><strong>Note:</strong> {}<blockquote>“{}”</blockquote></div>",
            escape(&c.note),
            escape(&c.quote)
        ));
    }
    let one = answer.one_source();
    if !answer.facts.is_empty() {
        out.push_str("<ul class=\"facts\">");
        for f in &answer.facts {
            out.push_str(&format!("<li>{}", escape(&f.text)));
            if one.is_none() {
                out.push_str(&escape(&f.single_source_note()));
            }
            for m in &f.markers {
                out.push_str(&format!(" <a class=\"marker\" href=\"#c{m}\">[{m}]</a>"));
            }
            out.push_str("</li>");
        }
        out.push_str("</ul>");
    }
    if let Some(name) = one {
        out.push_str(&format!(
            "<p class=\"muted\">Only {} reports this.</p>",
            escape(name)
        ));
    }
    if !answer.citations.is_empty() {
        out.push_str("<h2>Sources</h2>");
        for (title, url, quotes) in crate::engine::answer::by_source(&answer.citations) {
            out.push_str(&format!(
                "<div class=\"source\"><p class=\"title\">{}</p><ol>",
                source_title(title, url)
            ));
            for (n, quote) in quotes {
                out.push_str(&format!(
                    "<li id=\"c{n}\" value=\"{n}\"><blockquote>“{}”</blockquote></li>",
                    escape(quote)
                ));
            }
            out.push_str("</ol></div>");
        }
    }
    if !answer.suggestions.is_empty() {
        let head = if answer.answered {
            "Related"
        } else {
            "Try asking"
        };
        out.push_str(&format!("<h2>{head}</h2><p class=\"suggestions\">"));
        for s in &answer.suggestions {
            out.push_str(&ask_link(s, tab));
        }
        out.push_str("</p>");
    }
    out.push_str("</section>");
    out
}

/// The whole page: the empty page when `answer` is `None`, else the answer to `question`; a
/// `notice` (a rate-limit message) replaces the answer. `tab` is the browser tab's conversation:
/// the form and the suggestion links carry it, so the tab's next question is read in context.
pub fn page(
    engine: &Engine,
    question: &str,
    answer: Option<&Answer>,
    notice: Option<&str>,
    tab: &str,
) -> String {
    let (title, description, body) = match (answer, notice) {
        (_, Some(notice)) => (
            "dealbot".to_owned(),
            notice.to_owned(),
            format!("<section><p class=\"error\">{}</p></section>", escape(notice)),
        ),
        (Some(answer), None) => (
            format!("{} · dealbot", question.trim()),
            answer.direct.clone(),
            answer_html(answer, tab),
        ),
        (None, None) => (
            "dealbot: the Microsoft–OpenAI deal, with sources".to_owned(),
            "Questions about the Microsoft–OpenAI partnership deal, answered only from five source articles, with the exact words they use.".to_owned(),
            empty(engine, tab),
        ),
    };
    TEMPLATE
        .replace("{{TITLE}}", &escape(&title))
        .replace("{{DESCRIPTION}}", &escape(&description))
        .replace("{{QUESTION}}", &escape(question))
        .replace("{{TAB}}", &escape(tab))
        .replace("{{BODY}}", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<script>\"x\" & 'y'</script>"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn question_links_are_percent_encoded() {
        assert_eq!(
            ask_href("Can OpenAI use AWS?", None),
            "/?q=Can+OpenAI+use+AWS%3F"
        );
        assert_eq!(
            ask_href("and Google?", Some("ab12")),
            "/?q=and+Google%3F&c=ab12"
        );
    }
}
