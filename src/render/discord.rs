//! Discord embeds for answers.
//!
//! Title: the topic. Description: the direct answer, the facts with `[n]` markers, the conflict
//! note, and suggestions when not answered. One field per cited quote (source title and trimmed
//! quote). Footer: how the bot answers. Discord's limits are enforced here: title 256,
//! description 4,096, 25 fields, field name 256, field value 1,024, footer 2,048, 6,000 in all.
//! Mentions are neutralised by sending every message with allowed mentions that parse nothing
//! ([`no_mentions`]); the renderer never puts the question text in the embed.

use serde_json::{Value, json};

use super::{one_line, truncate};
use crate::engine::{Answer, Engine, Outcome};

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
const FOOTER: &str = "dealbot · answers only from its five sources, quoted verbatim";

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
        json!({
            "title": self.title,
            "description": self.description,
            "color": self.color,
            "fields": self.fields.iter().map(|f| json!({ "name": f.name, "value": f.value, "inline": false })).collect::<Vec<_>>(),
            "footer": { "text": self.footer },
        })
    }

    /// The embed as a serenity builder.
    pub fn to_serenity(&self) -> serenity::builder::CreateEmbed {
        let mut embed = serenity::builder::CreateEmbed::new()
            .title(&self.title)
            .description(&self.description)
            .colour(self.color)
            .footer(serenity::builder::CreateEmbedFooter::new(&self.footer));
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
pub fn render(answer: &Answer, engine: &Engine) -> Embed {
    let title = match (answer.outcome, &answer.topic) {
        (Outcome::Answered, Some(topic)) => topic.clone(),
        (Outcome::Ambiguous, _) => "Which did you mean?".to_owned(),
        (Outcome::Empty, _) => "Ask me about the Microsoft–OpenAI deal".to_owned(),
        _ => "Not covered by my sources".to_owned(),
    };
    let mut description = answer.direct_and_facts();
    for c in &answer.conflicts {
        let name = engine
            .source(&c.source)
            .map_or(c.source.as_str(), |s| s.name());
        description.push_str(&format!(
            "\n\n⚠️ **The sources disagree.** {} — {} ({}): “{}”",
            c.note,
            crate::engine::data::short_id(&c.source),
            name,
            truncate(&one_line(&c.quote), MAX_QUOTE)
        ));
    }
    if !answer.suggestions.is_empty() {
        description.push('\n');
        for s in &answer.suggestions {
            description.push_str(&format!("\n• {s}"));
        }
    }
    let fields = answer
        .citations
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let name = engine
                .source(&c.source)
                .map_or(c.source.as_str(), |s| s.name());
            Field {
                name: format!(
                    "[{}] {} · {}",
                    i + 1,
                    crate::engine::data::short_id(&c.source),
                    name
                ),
                value: format!("“{}”", truncate(&one_line(&c.quote), MAX_QUOTE)),
            }
        })
        .collect();
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
