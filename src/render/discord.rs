//! Discord embeds for answers.
//!
//! Short by default (issue 11). Title: the topic. Description: the direct answer, the conflict
//! notes, each fact with its strongest quote (every source named once, linked when it has a
//! link), and suggestions when not answered. A **Sources** button ([`components`]) brings every
//! citation as an ephemeral follow-up ([`render_sources`]). Footer: how the bot answers. Discord's limits are enforced here: title 256,
//! description 4,096, 25 fields, field name 256, field value 1,024, footer 2,048, 6,000 in all.
//! Mentions are neutralised by sending every message with allowed mentions that parse nothing
//! ([`no_mentions`]); the renderer never puts the question text in the embed.

use serde_json::{Value, json};

use super::truncate;
use crate::engine::data::IntentKind;
use crate::engine::{Answer, Engine, Outcome};
use crate::store::{AnswerId, Vote};

/// Embed title limit.
pub const MAX_TITLE: usize = 256;
/// Embed description limit.
pub const MAX_DESCRIPTION: usize = 4096;
/// Fields per embed.
pub const MAX_FIELDS: usize = 25;
/// Field name limit.
pub const MAX_FIELD_NAME: usize = 256;
/// Field value limit.
pub const MAX_FIELD_VALUE: usize = 1024;
/// Footer limit.
pub const MAX_FOOTER: usize = 2048;
/// Total characters over title, description, field names and values, and footer.
pub const MAX_TOTAL: usize = 6000;
/// Message content limit.
pub const MAX_CONTENT: usize = 2000;
/// Characters of a quote shown in a field.
pub const MAX_QUOTE: usize = 300;
/// Autocomplete choice name and value limit.
pub const MAX_CHOICE: usize = 100;

const COLOR_ANSWERED: u32 = 0x2456C9;
const COLOR_NOT_ANSWERED: u32 = 0x8A8F9E;
/// No footer: every character counts in a short reply, and the Sources button says the rest.
const FOOTER: &str = "";

/// `custom_id` prefix of the Sources button: `dealbot_sources:<question>`, or
/// `dealbot_sources#<intent id>` when the question does not fit Discord's 100 characters.
pub const SOURCES_ID: &str = "dealbot_sources";
/// Most characters of a component's `custom_id`.
pub const MAX_CUSTOM_ID: usize = 100;
/// `custom_id` prefix of the 👍 button: `dealbot_feedback_up:<answer id>`.
pub const FEEDBACK_UP_ID: &str = "dealbot_feedback_up";
/// `custom_id` prefix of the 👎 button: `dealbot_feedback_down:<answer id>`, then `:<intent id>`
/// when it fits, so that the suggestions offered after a 👎 can leave that topic out.
pub const FEEDBACK_DOWN_ID: &str = "dealbot_feedback_down";
/// Most suggestions offered after a 👎.
pub const MAX_ALTERNATIVES: usize = 3;

/// How to use dealbot in Discord, added under `help`.
pub const USAGE: &str = "Ask with `/deal question:<your question>` or by mentioning me; `/deal question:sources` lists my sources.";

const MARKUP: super::Markup = super::Markup {
    escape: |t| t.to_owned(),
    italic: |t| format!("*{t}*"),
    bold: |t| format!("**{t}**"),
    link: |url, label| format!("[{label}](<{url}>)"),
};

/// One embed field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Field name.
    pub name: String,
    /// Field value.
    pub value: String,
}

/// A rendered embed, within Discord's limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embed {
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Fields.
    pub fields: Vec<Field>,
    /// Footer text.
    pub footer: String,
    /// Colour.
    pub color: u32,
}

impl Embed {
    /// Characters counted against the 6,000 total.
    pub fn total_len(&self) -> usize {
        let n = |s: &str| s.chars().count();
        n(&self.title)
            + n(&self.description)
            + n(&self.footer)
            + self
                .fields
                .iter()
                .map(|f| n(&f.name) + n(&f.value))
                .sum::<usize>()
    }

    /// The embed as Discord API JSON.
    pub fn to_json(&self) -> Value {
        let mut embed = json!({
            "title": self.title,
            "description": self.description,
            "color": self.color,
            "fields": self.fields.iter().map(|f| json!({ "name": f.name, "value": f.value, "inline": false })).collect::<Vec<_>>(),
        });
        if !self.footer.is_empty() {
            embed["footer"] = json!({ "text": self.footer });
        }
        embed
    }

    /// The embed as a serenity builder.
    pub fn to_serenity(&self) -> serenity::builder::CreateEmbed {
        let mut embed = serenity::builder::CreateEmbed::new()
            .title(&self.title)
            .description(&self.description)
            .colour(self.color);
        if !self.footer.is_empty() {
            embed = embed.footer(serenity::builder::CreateEmbedFooter::new(&self.footer));
        }
        for f in &self.fields {
            embed = embed.field(&f.name, &f.value, false);
        }
        embed
    }

    /// Cuts every part to its limit, then drops fields (last first) and shortens the
    /// description until the total fits.
    fn enforce_limits(mut self) -> Embed {
        self.title = truncate(&self.title, MAX_TITLE);
        self.description = truncate(&self.description, MAX_DESCRIPTION);
        self.footer = truncate(&self.footer, MAX_FOOTER);
        self.fields.truncate(MAX_FIELDS);
        for f in &mut self.fields {
            f.name = truncate(&f.name, MAX_FIELD_NAME);
            f.value = truncate(&f.value, MAX_FIELD_VALUE);
        }
        while self.total_len() > MAX_TOTAL && !self.fields.is_empty() {
            self.fields.pop();
        }
        if self.total_len() > MAX_TOTAL {
            let over = self.total_len() - MAX_TOTAL;
            let keep = self.description.chars().count().saturating_sub(over);
            self.description = truncate(&self.description, keep);
        }
        self
    }
}

/// Allowed mentions that parse nothing: no user, role, `@everyone` or `@here` ping, and no reply
/// ping.
pub fn no_mentions() -> Value {
    json!({ "parse": [], "users": [], "roles": [], "replied_user": false })
}

/// Renders `answer` as an embed.
pub fn render(answer: &Answer, _engine: &Engine) -> Embed {
    let title = match (answer.outcome, &answer.topic) {
        (Outcome::Answered, Some(topic)) => topic.clone(),
        (Outcome::Ambiguous, _) => "Which did you mean?".to_owned(),
        (Outcome::Empty, _) => "Ask me about the Microsoft–OpenAI deal".to_owned(),
        _ => "Not covered by my sources".to_owned(),
    };
    let mut description = answer.short_direct().to_owned();
    for line in super::short_body(answer, &MARKUP) {
        description.push_str("\n\n");
        description.push_str(&line);
    }
    if answer.intent.as_deref() == Some("help") {
        description.push_str(&format!("\n\n{USAGE}"));
    }
    if !answer.suggestions.is_empty() {
        description.push('\n');
        for s in &answer.suggestions {
            description.push_str(&format!("\n• {s}"));
        }
    }
    let fields = Vec::new();
    Embed {
        title,
        description,
        fields,
        footer: FOOTER.to_owned(),
        color: if answer.answered {
            COLOR_ANSWERED
        } else {
            COLOR_NOT_ANSWERED
        },
    }
    .enforce_limits()
}

/// The `custom_id` of the Sources button for `answer`.
pub fn sources_custom_id(answer: &Answer) -> String {
    let by_question = format!("{SOURCES_ID}:{}", answer.question.trim());
    if by_question.chars().count() <= MAX_CUSTOM_ID {
        by_question
    } else {
        format!(
            "{SOURCES_ID}#{}",
            answer.intent.as_deref().unwrap_or_default()
        )
    }
}

/// The question to answer again for a Sources button's `custom_id`, or `None` when the id is
/// not one of ours. A long question was replaced by its topic's catalogue question.
pub fn sources_question(custom_id: &str, engine: &Engine) -> Option<String> {
    if let Some(question) = custom_id.strip_prefix(&format!("{SOURCES_ID}:")) {
        return Some(question.to_owned());
    }
    let intent = custom_id.strip_prefix(&format!("{SOURCES_ID}#"))?;
    let intent = engine.knowledge().intent(intent)?;
    Some(crate::engine::answer::suggestion(intent))
}

/// The message components under an answer: a Sources button when it quotes anything.
pub fn components(answer: &Answer) -> Vec<Value> {
    if !answer.answered || answer.citations.is_empty() {
        return Vec::new();
    }
    vec![json!({
        "type": 1,
        "components": [{
            "type": 2,
            "style": 2,
            "label": "Sources",
            "custom_id": sources_custom_id(answer),
        }],
    })]
}

/// The components under an answer sent by the bot, as serenity builders: the Sources button
/// when it quotes anything, then 👍 and 👎 tied to the answer's id (issue 12).
pub fn serenity_components(
    answer: &Answer,
    id: &AnswerId,
) -> Vec<serenity::builder::CreateActionRow> {
    use serenity::all::ButtonStyle;
    use serenity::builder::CreateButton;
    let mut buttons = Vec::new();
    if answer.answered && !answer.citations.is_empty() {
        buttons.push(
            CreateButton::new(sources_custom_id(answer))
                .label("Sources")
                .style(ButtonStyle::Secondary),
        );
    }
    let intent = answer.intent.as_deref();
    for (vote, emoji) in [(Vote::Up, '👍'), (Vote::Down, '👎')] {
        buttons.push(
            CreateButton::new(feedback_custom_id(vote, id, intent))
                .emoji(emoji)
                .style(ButtonStyle::Secondary),
        );
    }
    vec![serenity::builder::CreateActionRow::Buttons(buttons)]
}

/// The `custom_id` of a feedback button: `dealbot_feedback_up:<id>` or
/// `dealbot_feedback_down:<id>[:<intent>]` (the intent only when it fits in 100 characters).
pub fn feedback_custom_id(vote: Vote, id: &AnswerId, intent: Option<&str>) -> String {
    let base = match vote {
        Vote::Up => format!("{FEEDBACK_UP_ID}:{id}"),
        Vote::Down => format!("{FEEDBACK_DOWN_ID}:{id}"),
    };
    match intent {
        Some(intent)
            if vote == Vote::Down
                && !intent.is_empty()
                && base.chars().count() + 1 + intent.chars().count() <= MAX_CUSTOM_ID =>
        {
            format!("{base}:{intent}")
        }
        _ => base,
    }
}

/// A click on a feedback button, read back from its `custom_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackClick {
    /// 👍 or 👎.
    pub vote: Vote,
    /// The answer voted on.
    pub id: AnswerId,
    /// The intent that answer was for, when the button carries it.
    pub intent: Option<String>,
}

/// The feedback click behind `custom_id`; `None` unless it is one of our feedback buttons with
/// a well-formed answer id.
pub fn parse_feedback(custom_id: &str) -> Option<FeedbackClick> {
    let (vote, rest) = if let Some(rest) = custom_id.strip_prefix(&format!("{FEEDBACK_UP_ID}:")) {
        (Vote::Up, rest)
    } else {
        (
            Vote::Down,
            custom_id.strip_prefix(&format!("{FEEDBACK_DOWN_ID}:"))?,
        )
    };
    let (id, intent) = match rest.split_once(':') {
        Some((id, intent)) => (id, Some(intent)),
        None => (rest, None),
    };
    Some(FeedbackClick {
        vote,
        id: AnswerId::parse(id)?,
        intent: intent.filter(|i| !i.is_empty()).map(str::to_owned),
    })
}

/// Questions to offer after a 👎 on the answer to `question` (which was about `answered`): the
/// topics the matcher ranks next for it, the answered one left out; the catalogue's default
/// questions when none is close. At most [`MAX_ALTERNATIVES`].
pub fn alternatives(engine: &Engine, question: &str, answered: Option<&str>) -> Vec<String> {
    let kb = engine.knowledge();
    let matcher = engine.matcher();
    let mut out: Vec<String> = Vec::new();
    for (index, _) in matcher.ranked(&matcher.analyze(question), MAX_ALTERNATIVES * 3) {
        let Some(intent) = kb.intents.get(index) else {
            continue;
        };
        if Some(intent.id.as_str()) == answered || intent.kind != IntentKind::Facts {
            continue;
        }
        let s = crate::engine::answer::suggestion(intent);
        if !out.contains(&s) {
            out.push(s);
        }
        if out.len() == MAX_ALTERNATIVES {
            break;
        }
    }
    if out.is_empty() {
        out = engine.answer("").suggestions;
        out.retain(|s| {
            answered
                .and_then(|a| kb.intent(a))
                .is_none_or(|a| *s != crate::engine::answer::suggestion(a))
        });
        out.truncate(MAX_ALTERNATIVES);
    }
    out
}

/// The ephemeral acknowledgement of a feedback click: thanks, and after a 👎 the questions in
/// `alternatives`.
pub fn feedback_ack(vote: Vote, first: bool, alternatives: &[String]) -> String {
    let mut text = match (vote, first) {
        (Vote::Up, true) => "Thanks, noted: this answer helped.".to_owned(),
        (Vote::Down, true) => "Thanks, noted: this answer missed.".to_owned(),
        (_, false) => "Already noted, thanks.".to_owned(),
    };
    if vote == Vote::Down && !alternatives.is_empty() {
        text.push_str(" You could ask instead:");
        for s in alternatives {
            text.push_str(&format!("\n• {s}"));
        }
    }
    truncate(&text, MAX_CONTENT)
}

/// The question a message of ours answered, read back from its Sources button, if it has one.
pub fn answered_question(
    components: &[serenity::all::ActionRow],
    engine: &Engine,
) -> Option<String> {
    use serenity::all::{ActionRowComponent, ButtonKind};
    components
        .iter()
        .flat_map(|row| &row.components)
        .find_map(|c| match c {
            ActionRowComponent::Button(button) => match &button.data {
                ButtonKind::NonLink { custom_id, .. } => sources_question(custom_id, engine),
                _ => None,
            },
            _ => None,
        })
}

/// The Sources follow-up as an embed: every citation grouped by source, and the words of any
/// source that disagrees.
pub fn render_sources(answer: &Answer) -> Embed {
    Embed {
        title: format!(
            "Sources: {}",
            answer.topic.as_deref().unwrap_or("this answer")
        ),
        description: super::sources_body(answer, &MARKUP),
        fields: Vec::new(),
        footer: FOOTER.to_owned(),
        color: COLOR_ANSWERED,
    }
    .enforce_limits()
}

/// Autocomplete choices for what the user has typed: catalogue questions, at most 25, each within
/// 100 characters.
pub fn choices(engine: &Engine, typed: &str) -> Vec<Value> {
    engine
        .complete(typed, 25)
        .into_iter()
        .map(|q| {
            let q = truncate(&q, MAX_CHOICE);
            json!({ "name": q, "value": q })
        })
        .collect()
}
