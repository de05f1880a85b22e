//! Slack Block Kit for answers.
//!
//! Layout: the topic and direct answer in a section, the facts with `[n]` markers, a warning
//! section per conflict, a context block per cited quote (source title and trimmed quote), and
//! buttons: suggestions when not answered, "Share in channel" on ephemeral answers. Every piece of
//! text from users or sources is escaped for mrkdwn (`&`, `<`, `>`), so no reply can contain
//! `<!channel>`, `<!here>`, `<!everyone>` or a user mention. Slack's limits are enforced: 3,000
//! characters per text object, 50 blocks, 2,000 characters per button value, 75 per button label.

use serde_json::{Value, json};

use super::{one_line, truncate};
use crate::engine::{Answer, Engine};

/// Characters in one text object.
pub const MAX_TEXT: usize = 3000;
/// Blocks in one message.
pub const MAX_BLOCKS: usize = 50;
/// Characters of a quote shown in a context block.
pub const MAX_QUOTE: usize = 280;
/// Characters of a button label.
pub const MAX_BUTTON_TEXT: usize = 75;
/// Characters of a button value.
pub const MAX_BUTTON_VALUE: usize = 2000;

/// `action_id` of the "Share in channel" button; its value is the question.
pub const SHARE_ACTION: &str = "dealbot_share";
/// `action_id` prefix of suggestion buttons; their value is the suggested question.
pub const SUGGEST_ACTION: &str = "dealbot_suggest";

/// A rendered Slack message.
#[derive(Debug, Clone, PartialEq)]
pub struct SlackMessage {
    /// Plain-text fallback (notifications, screen readers); always set.
    pub text: String,
    /// Block Kit blocks.
    pub blocks: Vec<Value>,
}

impl SlackMessage {
    /// The message as a JSON object with `text` and `blocks`.
    pub fn to_json(&self) -> Value {
        json!({ "text": self.text, "blocks": self.blocks })
    }
}

/// Escapes text for Slack mrkdwn: `&`, `<` and `>` become entities, so nothing in it can be a
/// mention, a channel ping or a link.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn mrkdwn(text: &str) -> Value {
    json!({ "type": "mrkdwn", "text": truncate(text, MAX_TEXT) })
}

fn button(label: &str, action_id: String, value: &str) -> Value {
    json!({
        "type": "button",
        "text": { "type": "plain_text", "text": truncate(label, MAX_BUTTON_TEXT), "emoji": false },
        "action_id": action_id,
        "value": truncate(&escape(value), MAX_BUTTON_VALUE),
    })
}

/// Renders `answer`. With `share`, an answered reply gets a "Share in channel" button.
pub fn render(answer: &Answer, engine: &Engine, share: bool) -> SlackMessage {
    let mut blocks: Vec<Value> = Vec::new();
    let head = match (&answer.topic, answer.answered) {
        (Some(topic), true) => format!("*{}*\n{}", escape(topic), escape(&answer.direct)),
        _ => escape(&answer.direct),
    };
    blocks.push(json!({ "type": "section", "text": mrkdwn(&head) }));

    if !answer.facts.is_empty() {
        let facts: Vec<String> = answer
            .facts
            .iter()
            .map(|f| format!("• {}{}", escape(&f.text), f.markers_text()))
            .collect();
        // Split facts over sections so none exceeds the text limit.
        let mut chunk = String::new();
        for line in facts {
            if !chunk.is_empty() && chunk.chars().count() + line.chars().count() + 1 > MAX_TEXT {
                blocks.push(json!({ "type": "section", "text": mrkdwn(&chunk) }));
                chunk.clear();
            }
            if !chunk.is_empty() {
                chunk.push('\n');
            }
            chunk.push_str(&line);
        }
        if !chunk.is_empty() {
            blocks.push(json!({ "type": "section", "text": mrkdwn(&chunk) }));
        }
    }

    for conflict in &answer.conflicts {
        let name = engine
            .source(&conflict.source)
            .map_or(conflict.source.as_str(), |s| s.name());
        let text = format!(
            ":warning: *The sources disagree.* {}\n_{} ({})_: “{}”",
            escape(&conflict.note),
            escape(crate::engine::data::short_id(&conflict.source)),
            escape(name),
            escape(&truncate(&one_line(&conflict.quote), MAX_QUOTE)),
        );
        blocks.push(json!({ "type": "section", "text": mrkdwn(&text) }));
    }

    let mut actions: Vec<Value> = Vec::new();
    if !answer.answered {
        for (i, s) in answer.suggestions.iter().enumerate() {
            actions.push(button(s, format!("{SUGGEST_ACTION}_{i}"), s));
        }
    } else if share {
        actions.push(button(
            "Share in channel",
            SHARE_ACTION.to_owned(),
            &answer.question,
        ));
    }
    // Leave room for the action block.
    let room = MAX_BLOCKS - usize::from(!actions.is_empty());
    for (i, c) in answer.citations.iter().enumerate() {
        if blocks.len() >= room {
            break;
        }
        let name = engine
            .source(&c.source)
            .map_or(c.source.as_str(), |s| s.name());
        let text = format!(
            "[{}] *{} · {}*: “{}”",
            i + 1,
            escape(crate::engine::data::short_id(&c.source)),
            escape(name),
            escape(&truncate(&one_line(&c.quote), MAX_QUOTE)),
        );
        blocks.push(json!({ "type": "context", "elements": [mrkdwn(&text)] }));
    }
    blocks.truncate(room);
    if !actions.is_empty() {
        blocks.push(json!({ "type": "actions", "elements": actions }));
    }
    SlackMessage {
        text: truncate(&escape(&answer.direct), MAX_TEXT),
        blocks,
    }
}

/// A short plain reply (errors, rate limits), as a message.
pub fn notice(text: &str) -> SlackMessage {
    SlackMessage {
        text: escape(text),
        blocks: vec![json!({ "type": "section", "text": mrkdwn(&escape(text)) })],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_that_could_ping() {
        assert_eq!(
            escape("<!channel> & <@U1>"),
            "&lt;!channel&gt; &amp; &lt;@U1&gt;"
        );
    }
}
