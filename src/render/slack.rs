//! Slack Block Kit for answers.
//!
//! Short by default (issue 11): the topic and direct answer, then the conflict notes and each
//! fact with its strongest quote, every source named once (linked when it has a link), within
//! about 700 visible characters for a typical question. Buttons: **Sources** (every citation, as
//! an ephemeral follow-up: [`render_sources`]), "Share in channel" on ephemeral answers, and
//! suggestions when not answered. `help` adds Slack's own usage line. Every piece of
//! text from users or sources is escaped for mrkdwn (`&`, `<`, `>`), so no reply can contain
//! `<!channel>`, `<!here>`, `<!everyone>` or a user mention. The adapter adds 👍 / 👎 buttons
//! tied to the stored answer ([`with_feedback`]) to every answer it sends. Slack's limits are enforced: 3,000
//! characters per text object, 50 blocks, 2,000 characters per button value, 75 per button label.

use serde_json::Value;
use slack_morphism::prelude::{
    SlackActionBlockElement, SlackActionId, SlackActionsBlock, SlackBlock, SlackBlockButtonElement,
    SlackBlockMarkDownText, SlackBlockPlainText, SlackBlockText, SlackContextBlock,
    SlackSectionBlock,
};

use super::{one_line, truncate};
use crate::engine::{Answer, Engine};
use crate::store::{AnswerId, Vote};

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
/// Elements in one actions block.
pub const MAX_ACTIONS: usize = 25;

/// `action_id` of the "Share in channel" button; its value is the question.
pub const SHARE_ACTION: &str = "dealbot_share";
/// `action_id` of the "Sources" button; its value is the question.
pub const SOURCES_ACTION: &str = "dealbot_sources";
/// `action_id` prefix of suggestion buttons; their value is the suggested question.
pub const SUGGEST_ACTION: &str = "dealbot_suggest";
/// `action_id` of the 👍 button; its value is [`feedback_value`].
pub const FEEDBACK_UP: &str = "dealbot_feedback_up";
/// `action_id` of the 👎 button; its value is [`feedback_value`].
pub const FEEDBACK_DOWN: &str = "dealbot_feedback_down";

/// A rendered Slack message.
#[derive(Debug, Clone, PartialEq)]
pub struct SlackMessage {
    /// Plain-text fallback (notifications, screen readers); always set.
    pub text: String,
    /// Block Kit blocks, in slack-morphism's model.
    pub blocks: Vec<SlackBlock>,
}

impl SlackMessage {
    /// The message as a JSON object with `text` and `blocks`, as Slack receives it.
    pub fn to_json(&self) -> Value {
        serde_json::json!({ "text": self.text, "blocks": self.blocks })
    }
}

/// Escapes text for Slack mrkdwn: `&`, `<` and `>` become entities, so nothing in it can be a
/// mention, a channel ping or a link.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn mrkdwn(text: &str) -> SlackBlockMarkDownText {
    SlackBlockMarkDownText::new(truncate(text, MAX_TEXT))
}

/// A section of one mrkdwn text object.
fn section(text: &str) -> SlackBlock {
    SlackSectionBlock::new()
        .with_text(SlackBlockText::MarkDown(mrkdwn(text)))
        .into()
}

fn button(label: &str, action_id: String, value: &str) -> SlackActionBlockElement {
    let label = SlackBlockPlainText::new(truncate(label, MAX_BUTTON_TEXT)).with_emoji(false);
    SlackBlockButtonElement::new(label.into())
        .with_action_id(SlackActionId::new(action_id))
        .with_value(truncate(&escape(value), MAX_BUTTON_VALUE))
        .into()
}

const MARKUP: super::Markup = super::Markup {
    escape,
    italic: |t| format!("_{t}_"),
    bold: |t| format!("*{t}*"),
    link: |url, label| format!("<{}|{label}>", url.replace(['|', '>', '<'], "")),
};

/// How to use dealbot in Slack, added under `help`.
pub const USAGE: &str =
    "Ask with `/deal <question>` or by mentioning @dealbot; `/deal sources` lists my sources.";

/// Sections of `lines`, none over the text limit.
fn sections(lines: &[String], blocks: &mut Vec<SlackBlock>) {
    let mut chunk = String::new();
    for line in lines {
        if !chunk.is_empty() && chunk.chars().count() + line.chars().count() + 1 > MAX_TEXT {
            blocks.push(section(&chunk));
            chunk.clear();
        }
        if !chunk.is_empty() {
            chunk.push('\n');
        }
        chunk.push_str(line);
    }
    if !chunk.is_empty() {
        blocks.push(section(&chunk));
    }
}

/// Renders `answer` short: the lead, conflict notes, and each fact with its strongest quote,
/// with a Sources button that shows every citation. With `share`, an answered reply also gets
/// a "Share in channel" button.
pub fn render(answer: &Answer, _engine: &Engine, share: bool) -> SlackMessage {
    let mut blocks: Vec<SlackBlock> = Vec::new();
    let head = match (&answer.topic, answer.answered) {
        (Some(topic), true) => format!("*{}*\n{}", escape(topic), escape(answer.short_direct())),
        _ => escape(answer.short_direct()),
    };
    blocks.push(section(&head));
    sections(&super::short_body(answer, &MARKUP), &mut blocks);
    if answer.intent.as_deref() == Some("help") {
        blocks.push(SlackContextBlock::new(vec![mrkdwn(USAGE).into()]).into());
    }

    let mut actions: Vec<SlackActionBlockElement> = Vec::new();
    if !answer.answered {
        for (i, s) in answer.suggestions.iter().enumerate() {
            actions.push(button(s, format!("{SUGGEST_ACTION}_{i}"), s));
        }
    } else {
        if !answer.citations.is_empty() {
            actions.push(button(
                "Sources",
                SOURCES_ACTION.to_owned(),
                &answer.question,
            ));
        }
        if share {
            actions.push(button(
                "Share in channel",
                SHARE_ACTION.to_owned(),
                &answer.question,
            ));
        }
    }
    blocks.truncate(MAX_BLOCKS - usize::from(!actions.is_empty()));
    if !actions.is_empty() {
        blocks.push(SlackActionsBlock::new(actions).into());
    }
    SlackMessage {
        text: truncate(&escape(answer.short_direct()), MAX_TEXT),
        blocks,
    }
}

/// The Sources follow-up: every citation of `answer`, grouped by source, and the words of any
/// source that disagrees. Sent as an ephemeral message to whoever pressed the button.
pub fn render_sources(answer: &Answer) -> SlackMessage {
    let body = super::sources_body(answer, &MARKUP);
    let mut blocks = Vec::new();
    let lines: Vec<String> = body.split("\n\n").map(str::to_owned).collect();
    sections(&lines, &mut blocks);
    blocks.truncate(MAX_BLOCKS);
    let title = answer.topic.as_deref().unwrap_or("this answer");
    SlackMessage {
        text: truncate(&format!("Sources for {}", escape(title)), MAX_TEXT),
        blocks,
    }
}

/// The value of a feedback button: the answer's id, a space, and the question (for 👎's
/// suggestions), within Slack's limit on button values.
pub fn feedback_value(id: &AnswerId, question: &str) -> String {
    truncate(&format!("{id} {}", one_line(question)), MAX_BUTTON_VALUE)
}

/// The answer id and question a feedback button's value carries; `None` for a value this
/// renderer did not make.
pub fn parse_feedback_value(value: &str) -> Option<(AnswerId, &str)> {
    let (id, question) = value.split_once(' ').unwrap_or((value, ""));
    Some((AnswerId::parse(id)?, question))
}

/// `message` with 👍 / 👎 buttons for answer `id` to `question`, in its last actions block (or
/// a new one, within the block limit).
pub fn with_feedback(mut message: SlackMessage, id: &AnswerId, question: &str) -> SlackMessage {
    let value = feedback_value(id, question);
    let buttons = [
        button("👍", FEEDBACK_UP.to_owned(), &value),
        button("👎", FEEDBACK_DOWN.to_owned(), &value),
    ];
    if let Some(SlackBlock::Actions(actions)) = message.blocks.last_mut()
        && actions.elements.len() + buttons.len() <= MAX_ACTIONS
    {
        actions.elements.extend(buttons);
        return message;
    }
    message.blocks.truncate(MAX_BLOCKS - 1);
    message
        .blocks
        .push(SlackActionsBlock::new(buttons.into()).into());
    message
}

/// The acknowledgement of a feedback click, for the one who clicked: thanks, and after a 👎 the
/// suggestions (as buttons that ask them).
pub fn feedback_ack(vote: Vote, repeated: bool, suggestions: &[String]) -> SlackMessage {
    let text = match (vote, repeated) {
        (_, true) => "Your feedback on this answer was already noted.",
        (Vote::Up, false) => "Thanks for the feedback.",
        (Vote::Down, false) if suggestions.is_empty() => {
            "Thanks, noted: this answer missed. The maintainers review these."
        }
        (Vote::Down, false) => {
            "Thanks, noted: this answer missed. The maintainers review these. You could ask:"
        }
    };
    let mut blocks = vec![section(&escape(text))];
    if vote == Vote::Down && !repeated && !suggestions.is_empty() {
        let actions = suggestions
            .iter()
            .take(MAX_ACTIONS)
            .enumerate()
            .map(|(i, s)| button(s, format!("{SUGGEST_ACTION}_{i}"), s))
            .collect();
        blocks.push(SlackActionsBlock::new(actions).into());
    }
    SlackMessage {
        text: escape(text),
        blocks,
    }
}

/// A short plain reply (errors, rate limits), as a message.
pub fn notice(text: &str) -> SlackMessage {
    SlackMessage {
        text: escape(text),
        blocks: vec![section(&escape(text))],
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
