//! The questions of each form that issue 10's cost target compares (a compound or follow-up
//! question against a single one): shared by `benches/engine.rs` (the `question_forms` group)
//! and `examples/prof_forms.rs` (instruction counts per form under callgrind).
//!
//! Ten questions of each form, asked in turn: the engine remembers the words of the last few
//! messages it read (one message is read many times over), so asking one question again and
//! again would flatter every form.

pub const SINGLE: [&str; 10] = [
    "when does the revenue share end?",
    "who pays whom under the new deal?",
    "how big is microsoft's stake in openai?",
    "what happened to the agi clause?",
    "how did the stock react?",
    "what did altman say?",
    "until when does microsoft keep the ip licence?",
    "which clouds can openai use now?",
    "who reported the story?",
    "what is microsoft's strategy now?",
];
pub const YES_NO: [&str; 10] = [
    "is microsoft still paying openai a revenue share?",
    "can openai use aws?",
    "is the revenue share capped?",
    "did the agi clause survive?",
    "is azure still the primary cloud?",
    "did microsoft stock fall?",
    "does microsoft still own 27% of openai?",
    "is the partnership still exclusive?",
    "has the ftc approved the deal?",
    "will openai go public?",
];
pub const COMPOUND_2: [&str; 10] = [
    "when does the revenue share end and can openai use aws?",
    "who pays whom now, and is it capped?",
    "how big is microsoft's stake and what happened to the agi clause?",
    "how did the stock react? what did altman say?",
    "until when does microsoft keep the ip licence and is azure still the primary cloud?",
    "which clouds can openai use now and who reported the story?",
    "what is microsoft's strategy now, and is the partnership still exclusive?",
    "is the revenue share capped and when does it end?",
    "did microsoft stock fall and has the ftc approved the deal?",
    "will openai go public, and what did altman say?",
];
pub const COMPOUND_3: [&str; 10] = [
    "what happened to the agi clause, what did altman say, and how did the stock react?",
    "when does the revenue share end, is it capped, and who pays whom?",
    "how big is microsoft's stake, will openai go public, and who reported it?",
    "can openai use aws, is azure still primary, and what did jassy say?",
    "what is microsoft's strategy, is the deal still exclusive, and when was it announced?",
    "who reported the story, what are your sources, and how did the stock react?",
    "did microsoft stock fall, has the ftc approved it, and what did altman say?",
    "until when is the ip licensed, what happened to the agi clause, and who pays whom?",
    "which clouds can openai use, does amazon sell its models, and is azure primary?",
    "how much did microsoft invest originally, how big is its stake now, and is it a majority?",
];

/// Follow-ups, each asked after every one of [`SINGLE`] in turn: a bare aspect ("until when?")
/// and a full question of its own.
pub const FOLLOW_UPS: [(&str, &str); 2] = [
    ("follow_up", "until when?"),
    (
        "follow_up_full_question",
        "how far down did the shares go at worst?",
    ),
];
