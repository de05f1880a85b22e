//! Question forms (issue 10): yes/no verdicts and leads, unreported details, aspects, compound
//! questions and follow-ups, through the engine, `dealbot ask --jsonl` and `POST /v1/ask`.

use std::io::Write;
use std::process::{Command, Stdio};

use dealbot::engine::eval::{self, KindsReport};
use dealbot::engine::{Context, Verdict};
use serde_json::{Value, json};

use crate::engine;

fn kinds(file: &str) -> KindsReport {
    let path = format!("{}/tests/data/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("test data");
    let rows = eval::parse_rows(&text).expect("valid rows");
    eval::evaluate_rows(engine(), &rows)
}

fn at_least(file: &str, what: &str, tally: eval::Tally, min: f64) {
    assert!(
        tally.rate() >= min,
        "{file}: {what} {}/{} below {min}",
        tally.right,
        tally.total
    );
}

#[test]
fn yes_no_questions_lead_with_the_verdict_and_negation_is_read() {
    let cases = [
        ("Is Microsoft still paying OpenAI?", Verdict::No, "No — "),
        ("Is OpenAI still paying Microsoft?", Verdict::Yes, "Yes — "),
        ("Did the percentage change?", Verdict::No, "No — "),
        (
            "Has the FTC approved the new deal?",
            Verdict::NotSaid,
            "The sources don't",
        ),
        (
            "Is the cap set at $40 billion?",
            Verdict::NotSaid,
            "The sources don't",
        ),
        (
            "Did Microsoft invest $3 billion in 2019?",
            Verdict::No,
            "No — ",
        ),
        // "True or false: …" and "fact check: …" ask to check what follows.
        (
            "true or false: new oai products now launch on aws first",
            Verdict::No,
            "No — ",
        ),
        (
            "fact check: oai keeps paying msft a rev share through 2030",
            Verdict::Yes,
            "Yes — ",
        ),
        // Claims the sources deny in other words.
        (
            "the total cap on payouts got scrapped, yeah?",
            Verdict::No,
            "No — ",
        ),
        ("did they lift the cap?", Verdict::No, "No — "),
        (
            "so the AGI clause got tightened up in the new deal?",
            Verdict::No,
            "No — ",
        ),
    ];
    for (q, verdict, lead) in cases {
        let answer = engine().answer(q);
        assert_eq!(answer.verdict, Some(verdict), "{q}: {}", answer.text);
        assert!(answer.text.starts_with(lead), "{q}: {}", answer.text);
    }
    // The verdict's claim is not said again by the answer after it.
    let removed = engine().answer("is the agi clause gone?");
    assert_eq!(
        removed.text.matches("the AGI clause was removed").count()
            + removed.text.matches("The AGI clause was removed").count(),
        1,
        "{}",
        removed.text
    );
}

#[test]
fn predicates_the_sources_never_state_are_not_said_and_paraphrases_are_read() {
    let cases = [
        // A predicate no source speaks of, on a topic whose default verdict is "yes".
        (
            "Will Microsoft's stake in OpenAI shrink?",
            Verdict::NotSaid,
            "The sources don't",
        ),
        // A time the sources never give, on a claim they do make.
        (
            "Will OpenAI's models be on Google Cloud before the summer?",
            Verdict::NotSaid,
            "The sources don't",
        ),
        // An editor's check ("fair to call it …?", "is it accurate to write that …?") is a
        // yes/no question about the claim, not about the check's own words.
        (
            "is it accurate to write that the payments to msft are capped?",
            Verdict::Yes,
            "Yes — OpenAI's revenue-share payments to Microsoft are subject to a total cap",
        ),
        (
            "fair to call it the end of exclusivity?",
            Verdict::Yes,
            "Yes — the exclusive partnership is over",
        ),
        // Dropping OpenAI's models is never said; dropping its own is denied; the percentage
        // staying the same is said by one source.
        (
            "Microsoft will drop OpenAI models from Copilot in favour of Phi — is that what \
             they're saying?",
            Verdict::NotSaid,
            "The sources don't say Microsoft is dropping",
        ),
        (
            "msft is ditching its own models to double down on openai?",
            Verdict::No,
            "No — the sources say Microsoft is investing in its own models",
        ),
        (
            "the rev share percentage stays the same, is that right?",
            Verdict::Yes,
            "Yes — One source says the percentage stays the same",
        ),
        // Claims the sources don't make, as data.
        (
            "Has the EU launched a formal probe into the agreement?",
            Verdict::NotSaid,
            "The sources don't",
        ),
        (
            "was microsoft paid extra to end exclusivity?",
            Verdict::NotSaid,
            "The sources don't",
        ),
        // Phrasal verbs read as the verb a claim uses.
        (
            "did they do away with the agi clause?",
            Verdict::Yes,
            "Yes — ",
        ),
        // A statement asked with a question mark, negated: the claim's opposite.
        (
            "so openai doesn't pay microsoft anymore?",
            Verdict::No,
            "No — ",
        ),
        (
            "am I right that microsoft is using anthropic models as well?",
            Verdict::Yes,
            "Yes — ",
        ),
        // Two alternatives: the first is answered.
        (
            "is azure still the primary cloud, or has google taken over?",
            Verdict::Yes,
            "Yes — ",
        ),
        // British slang for selling ("flog"), and selling to anyone is what the sources say.
        (
            "Does OpenAI get to flog its models to whoever it likes now?",
            Verdict::Yes,
            "Yes — OpenAI may now license its models",
        ),
        // A hedge on a figure the sources give is no predicate of its own.
        (
            "Does Microsoft hold somewhere around 27% of OpenAI?",
            Verdict::Yes,
            "Yes — ",
        ),
        // "… or not?" offers an alternative; it does not negate the statement.
        (
            "> OpenAI products still ship on Azure first\nlegit or not?",
            Verdict::Yes,
            "Yes — ",
        ),
        // "MS" is Microsoft, which no longer pays OpenAI.
        (
            "MS still pays openai a cut of revenue, right?",
            Verdict::No,
            "No — ",
        ),
        // Barred from what the sources say it may now do.
        (
            "Is OpenAI still barred from licensing its models to third parties?",
            Verdict::No,
            "No — ",
        ),
        // An outlet none of the sources comes from.
        (
            "Did CNBC report the premarket drop in Microsoft shares?",
            Verdict::NotSaid,
            "The sources don't say: none of them comes from CNBC",
        ),
        // An amount asked within a yes/no question, on a topic that gives none.
        (
            "Has Microsoft disclosed how much it's spending on its Phi models?",
            Verdict::NotSaid,
            "The sources don't give that amount",
        ),
    ];
    for (q, verdict, lead) in cases {
        let answer = engine().answer(q);
        assert_eq!(answer.verdict, Some(verdict), "{q}: {}", answer.text);
        assert!(answer.text.starts_with(lead), "{q}: {}", answer.text);
    }
    for (q, intent) in [
        // "in bed with" is partnering.
        (
            "who else is oai in bed with besides microsoft",
            "openai_partners",
        ),
        // Reuters, the outlet two sources cite, is no organisation an answer must be about.
        (
            "what does the Reuters write-up say about how long the revenue share lasts?",
            "revenue_share_end",
        ),
        // "free to" is leave to do something, not a price.
        (
            "is openai free to license its models to rivals?",
            "exclusivity",
        ),
        // "… is fine" is no fine.
        (
            "OpenAI can use any cloud now, Oracle too. Paraphrase is fine",
            "other_clouds",
        ),
        // "sorted" is thanks, not a question about what dealbot can do.
        ("cheers, that's sorted it", "smalltalk"),
    ] {
        let answer = engine().answer(q);
        assert_eq!(
            answer.intent.as_deref(),
            Some(intent),
            "{q}: {}",
            answer.text
        );
    }
}

#[test]
fn refused_yes_no_questions_about_an_unreported_detail_are_not_said_on_their_topic() {
    // Below the matcher's threshold, but its best guess has a `not_said` claim the question
    // makes.
    let answer = engine().answer("did amazon and openai sign a contract already?");
    assert!(answer.answered, "{}", answer.text);
    assert_eq!(answer.intent.as_deref(), Some("amazon_bedrock"));
    assert_eq!(answer.verdict, Some(Verdict::NotSaid), "{}", answer.text);
    assert!(
        answer.text.starts_with("The sources don't"),
        "{}",
        answer.text
    );
    // Another deal altogether stays refused.
    let other = engine().answer("Did the CMA clear Microsoft's Activision purchase?");
    assert!(!other.answered, "{}", other.text);
    // A move at the close, which no source reports, is not said (not "a different figure"
    // from the opening moves), also when the matcher ranks the stock topic low ("close the
    // day" lifts its guard).
    for question in [
        "MSFT closed the day down 2.3%, correct?",
        "did msft close the day down 4%",
    ] {
        let answer = engine().answer(question);
        assert_eq!(
            answer.intent.as_deref(),
            Some("stock_reaction"),
            "{question}"
        );
        assert_eq!(
            answer.verdict,
            Some(Verdict::NotSaid),
            "{question}: {}",
            answer.text
        );
        assert!(answer.text.contains("closing price"), "{}", answer.text);
    }
    // A statement with a verb of its own, asked, is a yes/no question; a claim the sources
    // never make (a renewal) is not said, not the topic's default "yes".
    let rallied = engine().answer("msft shares rallied on the announcement?");
    assert_eq!(rallied.verdict, Some(Verdict::No), "{}", rallied.text);
    let renewed = engine().answer("Microsoft's licence can be renewed after 2032?");
    assert_eq!(renewed.intent.as_deref(), Some("ip_license"));
    assert_eq!(renewed.verdict, Some(Verdict::NotSaid), "{}", renewed.text);
    // A not-covered topic refused these ("royalty" is a pricing word, "a fee" too), but each
    // makes a `not_said` claim of a topic the question is about.
    for (question, intent) in [
        (
            "Is Microsoft's licence to the models through 2032 royalty-free?",
            "ip_license",
        ),
        (
            "Did OpenAI have to pay Microsoft a fee to get out of the exclusivity?",
            "exclusivity",
        ),
    ] {
        let answer = engine().answer(question);
        assert_eq!(answer.intent.as_deref(), Some(intent), "{}", answer.text);
        assert_eq!(answer.verdict, Some(Verdict::NotSaid), "{}", answer.text);
    }
    // Topics that keep their yes/no questions (`keeps_yes_no`): another company's investment,
    // people the sources never quote, lawsuits, a change of Microsoft's stake.
    for question in [
        "did amazon invest in openai",
        "is microsoft selling its openai stake",
        "Did Satya Nadella say the revenue share ending was a win for Microsoft?",
        "did the EU fine msft over the oai partnership?",
    ] {
        let answer = engine().answer(question);
        assert!(!answer.answered, "{question}: {}", answer.text);
        assert_eq!(answer.verdict, None, "{question}");
    }
}

#[test]
fn other_forms_never_lead_with_yes_and_give_what_was_asked_first() {
    let cap = engine().answer("how big is the cap?");
    assert_eq!(cap.verdict, None);
    assert!(!cap.text.starts_with("Yes"), "{}", cap.text);
    assert!(
        cap.text.starts_with("The sources give no amount"),
        "{}",
        cap.text
    );
    // In a message of several parts, the cap's amount is still the cap's answer.
    let both = engine().answer("when does the revenue share end, and how big is the cap?");
    let parts: Vec<Option<&str>> = both.parts.iter().map(|p| p.intent.as_deref()).collect();
    assert_eq!(
        parts,
        [Some("revenue_share_end"), Some("revenue_share_cap")]
    );
    let primary = engine().answer("until when is azure the primary cloud partner?");
    assert!(!primary.text.starts_with("Yes"), "{}", primary.text);
    assert!(primary.direct.contains("2032"), "{}", primary.direct);
    let close = engine().answer("how much did microsoft stock close at that day?");
    assert_eq!(close.intent.as_deref(), Some("stock_reaction"));
    assert!(
        close.text.starts_with("The sources don't report"),
        "{}",
        close.text
    );
}

#[test]
fn a_false_premise_is_corrected_first() {
    let answer =
        engine().answer("now that microsoft pays openai a revenue share, how big is the cap?");
    assert!(
        answer.text.starts_with("Not so: Microsoft no longer pays"),
        "{}",
        answer.text
    );
}

#[test]
fn aspects_choose_the_lead_for_who_is_asked_about() {
    let microsoft = engine().answer("why did they change the deal, from microsoft's side?");
    let openai = engine().answer("why did they change the deal for openai?");
    assert_eq!(microsoft.intent.as_deref(), Some("reasons"));
    assert!(
        microsoft.direct.starts_with("For Microsoft"),
        "{}",
        microsoft.direct
    );
    assert!(openai.direct.starts_with("For OpenAI"), "{}", openai.direct);
}

#[test]
fn compound_questions_answer_every_part_in_order() {
    let answer = engine().answer("When does the revenue share end and can OpenAI use AWS?");
    let parts: Vec<Option<&str>> = answer.parts.iter().map(|p| p.intent.as_deref()).collect();
    assert_eq!(parts, [Some("revenue_share_end"), Some("other_clouds")]);
    assert_eq!(answer.intent.as_deref(), Some("revenue_share_end"));
    assert!(
        answer.text.contains("2030") && answer.text.contains("1. ") && answer.text.contains("2. ")
    );

    let uncovered = engine().answer("who pays whom now, and what is satya nadella's salary?");
    assert_eq!(uncovered.parts.len(), 2, "{}", uncovered.text);
    assert!(uncovered.parts[0].answered);
    assert!(!uncovered.parts[1].answered);
    assert!(uncovered.text.contains("2. "), "{}", uncovered.text);

    let json = serde_json::to_value(&answer).unwrap();
    assert_eq!(json["parts"].as_array().map(Vec::len), Some(2));
    assert!(json["parts"][0]["citations"].is_array() && json["verdict"].is_null());
    let single = serde_json::to_value(engine().answer("what is the agi clause")).unwrap();
    assert_eq!(single["parts"], json!([]));
}

/// Issue 10, item 4: lists, greetings, a sources part and "its" in a later part.
#[test]
fn compound_parts_of_every_shape_are_answered() {
    let intents = |q: &str| -> Vec<Option<String>> {
        engine()
            .answer(q)
            .parts
            .iter()
            .map(|p| p.intent.clone().filter(|_| p.answered))
            .collect()
    };
    let some = |ids: &[&str]| -> Vec<Option<String>> {
        ids.iter().map(|i| Some((*i).to_owned())).collect()
    };
    assert_eq!(
        intents("things:\n- is azure still primary\n- when was it announced"),
        some(&["primary_cloud", "announcement_date"])
    );
    // Items joined by "+", one not covered: said to be uncovered, never dropped.
    assert_eq!(
        intents("market impact for enterprises + microsoft's stake + anthropic's valuation"),
        [
            Some("market_impact".to_owned()),
            Some("microsoft_stake".to_owned()),
            None
        ]
    );
    // A greeting is answered in kind only when nothing is asked about the deal.
    let greeted = engine().answer("hey! what can I ask you");
    assert_eq!(
        greeted
            .parts
            .iter()
            .map(|p| p.intent.as_deref())
            .collect::<Vec<_>>(),
        [Some("smalltalk"), Some("help")]
    );
    assert_eq!(greeted.intent.as_deref(), Some("help"));
    assert_eq!(
        intents("hi! who pays whom, and is the agi clause gone?"),
        some(&["revenue_share_direction", "agi_clause"])
    );
    // "… and what sources do you use" asks for the sources, not where a part comes from.
    assert_eq!(
        intents("who covered this and what sources do you use"),
        some(&["reporting", "sources"])
    );
    // "its" in a later part is the organisation an earlier part names.
    let its = engine().answer("What did MSFT put in back in 2019, and how big is its stake today?");
    assert_eq!(
        its.parts
            .iter()
            .map(|p| p.intent.as_deref())
            .collect::<Vec<_>>(),
        [Some("original_investment"), Some("microsoft_stake")]
    );
    assert_eq!(its.parts[1].question, "how big is its stake today?");
    // A bare aspect is a part of its own when it asks another topic: through the earlier
    // topic's `follow` map ("until when" of a milestone is the end date), or by its own words
    // ("why now" is the reasons).
    assert_eq!(
        intents("is it tied to AGI milestones, and until when"),
        some(&["revenue_share_milestones", "revenue_share_end"])
    );
    assert_eq!(
        intents("when was it announced, why now, and what did the stock do"),
        some(&["announcement_date", "reasons", "stock_reaction"])
    );
    // Numbered in markdown bold, lettered inline, or added with "also" after a request; a
    // lettered item opening with "whether" asks, it is no filler.
    assert_eq!(
        intents("**Q1** is the Bedrock thing real?\n**Q2** who pays whom now?"),
        some(&["amazon_bedrock", "revenue_share_direction"])
    );
    assert_eq!(
        intents("I need (a) how the stock moved (b) what stake they hold (c) whether the agi clause is gone")
            .len(),
        3
    );
    assert_eq!(
        intents("timeline pls, and also list the sources you're using"),
        some(&["timeline", "sources"])
    );
    assert_eq!(
        intents(
            "Could you summarise the reasons behind the change? Additionally, please indicate \
             whether Azure customers are affected."
        ),
        some(&["reasons", "azure_customers"])
    );
    // "…, until when OpenAI pays, …" names what it asks about: a part of its own.
    assert_eq!(
        intents("What's changed on exclusivity, until when OpenAI pays, what did Satya say"),
        vec![
            Some("exclusivity".to_owned()),
            Some("revenue_share_end".to_owned()),
            None
        ]
    );
    // Keyword queries are read each on its own; one too vague to place is said to be
    // uncovered, not dropped.
    assert_eq!(
        intents("/dealbot agi clause, ipo, msft stake"),
        some(&["agi_clause", "ipo", "microsoft_stake"])
    );
    assert_eq!(intents("/dealbot exclusivity, aws, msft stake").len(), 3);
    // The last of three items may be a question after "and".
    assert_eq!(
        intents("stake size, stock reaction, and what altman said"),
        some(&["microsoft_stake", "stock_reaction", "altman_statement"])
    );
    // A short piece naming a thing asked for is a part, full stop or not.
    assert_eq!(
        intents("key dates. also whats anthropic valued at"),
        vec![Some("timeline".to_owned()), None]
    );
    for (question, expected) in [
        // A question asked of each of the things named before it is a part per thing.
        (
            "the revenue share vs the licence: when does each end?",
            &["revenue_share_end", "ip_license"][..],
        ),
        // "vs" before a question of its own joins two parts.
        (
            "azure still primary vs can they go to AWS now?",
            &["primary_cloud", "other_clouds"],
        ),
        // "as well as" before a thing of its own joins two parts.
        (
            "the cap as well as the end date of the payments?",
            &["revenue_share_cap", "revenue_share_end"],
        ),
        // "until which year" asks "until when"; a request after a question mark asks ("… ? and
        // give me …").
        (
            "who pays who, and until which year?",
            &["revenue_share_direction", "revenue_share_end"],
        ),
        (
            "what can you do? and give me the short version of the deal",
            &["help", "summary"],
        ),
    ] {
        assert_eq!(intents(question), some(expected), "{question}");
    }
    // Between two companies "as well as" joins no parts.
    assert!(
        engine()
            .answer("did microsoft as well as openai comment?")
            .parts
            .is_empty()
    );
    // A sentence saying what follows ("… and have three things I can't nail down.") asks
    // nothing; the three questions after it are the parts, none lost.
    assert_eq!(
        intents(
            "hey, writing the explainer for tomorrow and have three things I can't nail down.\n\n\
             First — is the AGI clause actually gone, or just reworded? Two pieces say different \
             things in my notes.\n\nSecond, what's Microsoft doing on its own models now?\n\n\
             And lastly is there any antitrust angle I should flag for the legal desk? thanks!!"
        ),
        some(&["agi_clause", "microsoft_strategy", "antitrust"])
    );
    // One it asks of the same topic stays with its part.
    let aspect = engine().answer("when was the deal announced, and what day exactly?");
    assert!(aspect.parts.is_empty(), "{:?}", aspect.parts);
}

#[test]
fn refused_yes_no_questions_plainly_about_one_topic_are_not_said_on_it() {
    // Refused by the matcher (below its threshold), no claim of the topic made: "the sources
    // don't say that", never a verdict of the topic's default.
    let answer = engine().answer("Did the UK's CMA look at this deal too?");
    assert!(answer.answered, "{}", answer.text);
    assert_eq!(answer.intent.as_deref(), Some("antitrust"));
    assert_eq!(answer.verdict, Some(Verdict::NotSaid), "{}", answer.text);
    assert!(answer.text.starts_with("The sources don't say that."));
    // The same question outside the deal stays refused.
    let other = engine().answer("did it rain in london yesterday?");
    assert!(!other.answered, "{}", other.text);
}

#[test]
fn a_statement_with_a_request_to_confirm_gets_a_verdict_and_is_not_split() {
    let e = engine();
    for (q, verdict) in [
        (
            "the total cap is $38 billion, can I print that?",
            Verdict::NotSaid,
        ),
        (
            "Microsoft owns 49% of OpenAI, right? that's the number I always see",
            Verdict::No,
        ),
        (
            "OpenAI keeps paying Microsoft through 2030, is that in the articles?",
            Verdict::Yes,
        ),
        (
            "copy says the 2019 investment was $10 billion. fine?",
            Verdict::No,
        ),
    ] {
        let answer = e.answer(q);
        assert!(answer.answered, "{q}: {}", answer.text);
        assert!(
            answer.parts.is_empty(),
            "{q}: split into {:?}",
            answer.parts.len()
        );
        assert_eq!(answer.verdict, Some(verdict), "{q}: {}", answer.text);
        assert_eq!(answer.question, q);
    }
    // Alone, after an answer: where that answer comes from.
    let (_, ctx) = e.answer_in("is microsoft's licence exclusive?", &Context::default());
    let (confirmed, _) = e.answer_in("is that confirmed?", &ctx);
    assert_eq!(confirmed.intent.as_deref(), Some("ip_license"));
    assert!(!confirmed.citations.is_empty());
}

#[test]
fn a_yes_no_question_denying_a_named_value_is_no() {
    let answer = engine().answer("so after this OpenAI can't put its models on Google Cloud?");
    assert_eq!(answer.intent.as_deref(), Some("other_clouds"));
    assert_eq!(answer.verdict, Some(Verdict::No), "{}", answer.text);
    let answer = engine().answer("so after this OpenAI can put its models on Google Cloud?");
    assert_eq!(answer.verdict, Some(Verdict::Yes), "{}", answer.text);
    let answer = engine().answer("Was it announced in April?");
    assert_eq!(answer.verdict, Some(Verdict::Yes), "{}", answer.text);
    // Another cloud first is the opposite of Azure first; "stop supplying" the opposite of
    // Altman's "continue to provide".
    for (question, intent) in [
        (
            "New OpenAI products will launch on AWS first from now on, yeah?",
            "primary_cloud",
        ),
        (
            "Did Sam Altman say OpenAI will stop supplying models to Microsoft?",
            "altman_statement",
        ),
        // Refused by the matcher, placed on its topic as plainly about it: a claim the topic
        // denies is still "no".
        (
            "so basically oai can still only sell via azure, just with a bit more wiggle room?",
            "other_clouds",
        ),
        // Another day of the month the sources give; "there's" states what is asked.
        (
            "the amendment was announced on April 1? no joke?",
            "announcement_date",
        ),
        (
            "So there's no ceiling at all on the payments OpenAI makes to Microsoft now?",
            "revenue_share_cap",
        ),
        // One reporter alone, where the sources credit three.
        (
            "the reuters story was by stephen nellis on his own, yeah?",
            "reporting",
        ),
        // "can" is no removal word ("canned" would stem to it).
        (
            "can OpenAI still walk away from Microsoft if it builds AGI?",
            "agi_clause",
        ),
        // A figure in words.
        (
            "msft's original 2019 cheque was ten billion, right?",
            "original_investment",
        ),
        // Barred from another cloud: a restriction the sources lifted.
        (
            "Isn't OpenAI still barred from Google Cloud?",
            "other_clouds",
        ),
    ] {
        let answer = engine().answer(question);
        assert_eq!(answer.intent.as_deref(), Some(intent), "{question}");
        assert_eq!(
            answer.verdict,
            Some(Verdict::No),
            "{question}: {}",
            answer.text
        );
    }
}

#[test]
fn follow_ups_resolve_against_the_context_and_topic_changes_are_noticed() {
    let e = engine();
    let (first, ctx) = e.answer_in("can openai use aws now?", &Context::default());
    assert_eq!(first.intent.as_deref(), Some("other_clouds"));
    let (google, ctx) = e.answer_in("and google?", &ctx);
    assert_eq!(google.intent.as_deref(), Some("other_clouds"));
    assert!(google.direct.contains("Google"), "{}", google.direct);
    let (source, ctx) = e.answer_in("source?", &ctx);
    assert_eq!(source.intent.as_deref(), Some("other_clouds"));
    assert!(!source.citations.is_empty());
    let (confirmed, ctx) = e.answer_in("is that confirmed anywhere?", &ctx);
    assert_eq!(confirmed.intent.as_deref(), Some("other_clouds"));
    assert!(
        confirmed
            .text
            .starts_with("Here is where the last answer comes from"),
        "{}",
        confirmed.text
    );
    let (stock, _) = e.answer_in("different question: did microsoft's shares drop?", &ctx);
    assert_eq!(stock.intent.as_deref(), Some("stock_reaction"));

    let (_, ctx) = e.answer_in("who pays whom under the new deal?", &Context::default());
    let (when, ctx) = e.answer_in("until when?", &ctx);
    assert_eq!(when.intent.as_deref(), Some("revenue_share_end"));
    let (capped, _) = e.answer_in("is that capped?", &ctx);
    assert_eq!(capped.intent.as_deref(), Some("revenue_share_cap"));
    assert_eq!(capped.verdict, Some(Verdict::Yes));

    // "How sure are we?" and "who do I attribute it to?" ask where the last answer comes from;
    // "and before the deal?" and "compare that to the old terms" ask for the 2019 terms, which
    // a full question keeps its own topic ("what did microsoft build before?").
    let (_, ctx) = e.answer_in("what's microsoft's stake?", &Context::default());
    for asked in [
        "how sure are we on that number?",
        "who do I attribute it to?",
        "which source says that?",
    ] {
        let (sure, _) = e.answer_in(asked, &ctx);
        assert_eq!(sure.intent.as_deref(), Some("microsoft_stake"), "{asked}");
        assert!(
            sure.text
                .starts_with("Here is where the last answer comes from"),
            "{asked}: {}",
            sure.text
        );
    }
    let (_, ctx) = e.answer_in("can openai sell through aws now?", &Context::default());
    for asked in ["and before the deal?", "compare that to the old terms"] {
        let (before, _) = e.answer_in(asked, &ctx);
        assert_eq!(
            before.intent.as_deref(),
            Some("original_investment"),
            "{asked}"
        );
    }
    let (who, _) = e.answer_in("who reported this originally?", &ctx);
    assert_eq!(who.intent.as_deref(), Some("reporting"));
    let (_, ctx) = e.answer_in("what did microsoft build with openai?", &Context::default());
    let (built, _) = e.answer_in("what did microsoft build before?", &ctx);
    assert_eq!(built.intent.as_deref(), Some("azure_history"));

    // Without the context, the same follow-up is not understood.
    assert!(
        !e.answer("and google?")
            .direct
            .contains("Google Cloud is one")
    );
}

#[test]
fn an_unrelated_question_mid_conversation_does_not_borrow_the_previous_topic() {
    let e = engine();
    let after = |first: &str, next: &str| {
        let (_, ctx) = e.answer_in(first, &Context::default());
        e.answer_in(next, &ctx).0
    };
    // A complete question naming a detail no source gives stays refused.
    let talks = after(
        "how much did microsoft first invest in openai?",
        "who led the talks for openai back then?",
    );
    assert!(!talks.answered, "{}", talks.direct);
    // The previous topic asked of an organisation it never covers.
    let shares = after(
        "did msft shares fall after the news?",
        "and what about google's shares?",
    );
    assert!(!shares.answered, "{}", shares.direct);
    // "ok. unrelated, but …": the acknowledgement is cut, the topic change noticed.
    let weather = after(
        "is azure still openai's main cloud?",
        "ok. unrelated, but what's the weather in seattle?",
    );
    assert!(!weather.answered, "{}", weather.direct);
    // A thing no topic names, asked after a determiner and nothing else.
    for next in ["what about the pizza?", "and the weather"] {
        let other = after("how big is msft's stake?", next);
        assert!(!other.answered, "{next}: {}", other.direct);
    }
    // Today's price after the stock's reaction: live market data no source gives (its
    // `follow` key `now`); "and now?" after the clouds still leans on them.
    for next in ["what's it at now?", "and where's it trading today"] {
        let live = after("did msft stock fall?", next);
        assert!(!live.answered, "{next}: {}", live.direct);
        assert!(live.direct.contains("live"), "{next}: {}", live.direct);
    }
    let clouds = after("can openai use aws?", "and now?");
    assert_eq!(clouds.intent.as_deref(), Some("other_clouds"));
    // The bot's own view or advice is asked: no detail of a topic, refused; a polite "do you
    // think …" still asks a fact.
    let polite = e.answer("do you think openai can use aws now?");
    assert_eq!(polite.intent.as_deref(), Some("other_clouds"));
    for q in [
        "will openai actually hit agi before 2030 in your opinion",
        "Is AGI actually going to be achieved by 2030, in your view?",
        "should I buy msft shares after this news or wait",
    ] {
        let opinion = e.answer(q);
        assert!(!opinion.answered, "{q}: {}", opinion.direct);
    }
    // Pushback before the question ("wait really?") is no part of it.
    let much = after("did msft stock fall?", "wait really? how much");
    assert_eq!(much.intent.as_deref(), Some("stock_reaction"));
    let catch = after("can oai sell on aws now?", "what's the catch?");
    assert_eq!(catch.intent.as_deref(), Some("other_clouds"));
    let reporters = after(
        "what happened to microsoft's share price?",
        "thanks. who wrote the reuters piece?",
    );
    assert_eq!(reporters.intent.as_deref(), Some("reporting"));
    // Follow-ups that lean on the topic with its own words still do.
    let amount = after(
        "when did microsoft first invest in openai?",
        "how much did they put in at first?",
    );
    assert_eq!(amount.intent.as_deref(), Some("original_investment"));
    // Nothing but the name of a form: that form of the topic, or its `follow` neighbour.
    let dates = after(
        "give me the short version of the deal",
        "and the dates, roughly?",
    );
    assert_eq!(dates.intent.as_deref(), Some("timeline"));
    let figure = after("who pays whom now?", "and the figure?");
    assert_eq!(figure.intent.as_deref(), Some("revenue_share_cap"));
}

#[test]
fn attributions_months_premises_and_topic_changes_are_read() {
    let e = engine();
    // A statement attributed to a quoted person is that person's topic; anyone else's is not
    // reported.
    let altman = e.answer("did Sam Altman ever say Azure stays the primary cloud?");
    assert_eq!(altman.intent.as_deref(), Some("altman_statement"));
    assert_eq!(altman.verdict, Some(Verdict::Yes));
    assert!(
        !e.answer("did Nadella say Azure stays the primary cloud?")
            .answered
    );
    // A month no fact gives is a date the sources don't state.
    let month = e.answer("Will OpenAI models be in Bedrock by September?");
    assert_eq!(month.intent.as_deref(), Some("amazon_bedrock"));
    assert_eq!(month.verdict, Some(Verdict::NotSaid));
    // The question before a trailing premise is what is asked.
    let strategy = e.answer("what is microsoft planning now that the exclusivity ended?");
    assert_eq!(strategy.intent.as_deref(), Some("microsoft_strategy"));
    // "plus" joins two requests.
    let both = e.answer("the gist plus the key dates please");
    let parts: Vec<_> = both.parts.iter().map(|p| p.intent.as_deref()).collect();
    assert_eq!(parts, [Some("summary"), Some("timeline")]);
    // A follow-up leans on every turn of the topic, not only the last elliptical one.
    let (_, ctx) = e.answer_in("how much of openai does msft hold?", &Context::default());
    let (_, ctx) = e.answer_in("what was openai valued at?", &ctx);
    let (when, ctx) = e.answer_in("and when was that?", &ctx);
    assert_eq!(when.intent.as_deref(), Some("microsoft_stake"));
    assert!(when.direct.contains("October 2023"), "{}", when.direct);
    // An opener announcing a new topic.
    let (shares, _) = e.answer_in("new topic: did microsoft shares move?", &ctx);
    assert_eq!(shares.intent.as_deref(), Some("stock_reaction"));
}

#[test]
fn context_is_serialisable_and_bounded() {
    let mut ctx = Context::default();
    for i in 0..50 {
        ctx = engine()
            .answer_in(
                &format!("{} when does the revenue share end?", "x".repeat(i * 40)),
                &ctx,
            )
            .1;
    }
    assert!(ctx.turns.len() <= dealbot::engine::conversation::MAX_TURNS);
    assert!(
        ctx.turns
            .iter()
            .all(|t| t.question.len() <= dealbot::engine::conversation::MAX_TURN_QUESTION)
    );
    let text = serde_json::to_string(&ctx).unwrap();
    let back: Context = serde_json::from_str(&text).unwrap();
    assert_eq!(back, ctx);
    assert!(text.len() < 4096, "{}", text.len());
}

#[test]
fn own_forms_set_meets_its_thresholds() {
    let r = kinds("forms.jsonl");
    at_least("forms.jsonl", "verdicts", r.verdicts, 0.95);
    at_least("forms.jsonl", "compound", r.compound, 0.85);
    at_least("forms.jsonl", "follow-ups", r.follow_ups, 0.95);
}

#[test]
fn held_out_sets_meet_their_thresholds_per_row_kind() {
    // A few points below the figures measured 2026-11-27 (`dealbot eval tests/data/FILE`), after
    // fresh-1's single, must-not-answer and verdict rows became training data: fresh-1 (compound
    // and conversation rows only) 30/30 compound, 27/27 follow-ups; fresh-2 92.3 / 100 / 96.2 /
    // 100 / 100 %; fresh-3 97.6 / 100 / 90.5 / 100 / 93.3 % (single / refused / verdicts /
    // compound / follow-ups).
    for (file, single, refused, verdicts, compound, follow_ups) in [
        ("fresh-1.jsonl", 1.0, 1.0, 1.0, 0.93, 0.95),
        ("fresh-2.jsonl", 0.88, 0.95, 0.90, 0.93, 0.94),
        ("fresh-3.jsonl", 0.92, 0.95, 0.85, 0.92, 0.88),
        // fresh-4 (132 of its 139 rows; 7 repeat training questions): 96.3 / 95.2 / 96.2 /
        // 81.2 / 100 %, measured 2026-11-27 after its first-sight scoring (BENCHMARKS.md);
        // compound 100 % (16/16) once lists, greetings and sources parts split.
        ("fresh-4.jsonl", 0.92, 0.9, 0.9, 0.93, 0.93),
        // fresh-5 (174 of its 180 rows; 6 repeat training questions), at first sight: 94.3 /
        // 93.8 / 67.6 / 73.1 / 69.4 % (BENCHMARKS.md); compound 96.2 % (25/26) once lists,
        // sentences, capitals, greetings, sources parts and "its" split and resolve; refused
        // 96.9 % and follow-ups 91.7 % once follow-ups stopped lending their topic to
        // unrelated questions; verdicts 34/37 = 91.9 % after the unspoken-predicate rule,
        // negation, alternatives and phrasal verbs (2026-11-27).
        // Singles 48/53 = 90.6 % since `intents/questions/refusal-styles.jsonl` (75 must-not-
        // answer questions sharing the deal's words) trained the refusal class (fourth
        // session): two singles lost here, refusals gained on fresh-6 to fresh-9.
        ("fresh-5.jsonl", 0.88, 0.93, 0.88, 0.9, 0.88),
        // fresh-6 (166 of its 180 rows; 14 repeat training questions), at first sight on the
        // merged engine (ac6f75c): 94.9 / 96.0 / 60.9 / 65.6 / 71.4 % (BENCHMARKS.md). Nothing
        // has been tuned on it; these floors only catch regressions.
        // Follow-ups 28/42 = 66.7 % since the refusal training (fourth session).
        ("fresh-6.jsonl", 0.9, 0.92, 0.58, 0.62, 0.64),
        // fresh-7 (171 of 180 rows), fresh-8 (170) and fresh-9 (171; rows repeating training
        // questions removed), written by helpers from the articles and catalogue alone in the
        // fourth session; first-sight figures are in BENCHMARKS.md. Measured at the end of that
        // session, with the refusal training (single / refused / verdicts / compound /
        // follow-ups): fresh-7 95.3 / 93.8 / 75.9 / 73.3 / 76.9 % (its failures were read and
        // worked on); fresh-8 97.4 / 96.8 / 53.8 / 78.1 / 84.4 %; fresh-9 89.7 / 90.3 / 68.4 /
        // 60.0 / 87.5 %. At the end of the fifth session: fresh-7 95.3 / 93.8 / 81.5 / 83.3 /
        // 80.8 %; fresh-8 97.4 / 96.8 / 75.0 / 90.6 / 93.8 %; fresh-9 89.7 / 90.3 / 75.4 /
        // 73.3 / 91.7 %.
        ("fresh-7.jsonl", 0.9, 0.9, 0.76, 0.78, 0.74),
        ("fresh-8.jsonl", 0.92, 0.92, 0.7, 0.85, 0.88),
        ("fresh-9.jsonl", 0.85, 0.86, 0.7, 0.68, 0.86),
        // fresh-10 (172 of 180 rows; 8 repeating training questions removed), written by a
        // helper from the articles and catalogue alone in the fifth session. At first sight
        // (`789611c`): 90.5 / 100 / 68.5 / 74.2 / 86.1 %; measured after that session's form,
        // verdict, split and follow-up work, which read its failures: 90.5 / 100 / 86.8 / 87.1
        // / 90.6 %.
        ("fresh-10.jsonl", 0.86, 0.95, 0.82, 0.82, 0.85),
        // fresh-11 (174 of 180 rows; 6 repeating training questions removed), written at the
        // same time and scored only once the fifth session's engine work was finished (its
        // failures were not worked on): 85.7 / 96.8 / 71.7 / 68.8 / 90.6 %.
        ("fresh-11.jsonl", 0.82, 0.93, 0.68, 0.64, 0.85),
        // fresh-12 and fresh-13 (175 of 180 rows each; rows repeating training questions
        // removed), written by helpers from the articles and catalogue alone at the start of the
        // sixth session. fresh-12's failures were read and worked on; fresh-13 was scored only
        // at the start and at the end (BENCHMARKS.md). At the end of that session: fresh-12
        // 97.6 / 93.1 / 83.3 / 71.9 / 81.6 %, fresh-13 86.0 / 93.8 / 76.9 / 65.6 / 87.5 %.
        ("fresh-12.jsonl", 0.92, 0.89, 0.78, 0.68, 0.76),
        ("fresh-13.jsonl", 0.82, 0.9, 0.66, 0.6, 0.82),
        // fresh-14 (172 of 180 rows) and fresh-15 (176; rows repeating training questions
        // removed), written by helpers from the articles and catalogue alone at the start of the
        // seventh session; first-sight figures are in BENCHMARKS.md. fresh-14's failures were
        // read and worked on; fresh-15 was scored only at the start and at the end. At the end
        // of that session: fresh-14 95.1 / 100 / 94.4 / 84.4 / 92.6 %, fresh-15 88.1 / 96.9 /
        // 81.5 / 62.5 / 90.0 %.
        ("fresh-14.jsonl", 0.9, 0.95, 0.88, 0.8, 0.85),
        ("fresh-15.jsonl", 0.84, 0.93, 0.76, 0.58, 0.85),
        // fresh-16 (172 of 180 rows) and fresh-17 (176), written the same way at the start of
        // the eighth session. fresh-16's failures were read and worked on; fresh-17 was scored
        // only at the start and at the end. At the end of that session: fresh-16 97.5 / 90.6 /
        // 84.9 / 87.1 / 85.7 %, fresh-17 92.9 / 96.7 / 78.2 / 74.2 / 65.8 %.
        ("fresh-16.jsonl", 0.92, 0.87, 0.82, 0.83, 0.8),
        ("fresh-17.jsonl", 0.88, 0.93, 0.72, 0.6, 0.6),
        // fresh-18 (172 of 180 rows) and fresh-19 (173), written the same way at the start of
        // the ninth session. fresh-18's failures were read and worked on; fresh-19 was scored
        // only at the start and once more before its failures were read (unchanged then). At
        // the end of that session: fresh-18 94.7 / 100 / 83.3 / 77.4 / 85.3 %, fresh-19 87.8 /
        // 96.4 / 77.8 / 65.6 / 79.3 %.
        ("fresh-18.jsonl", 0.9, 0.93, 0.78, 0.7, 0.76),
        ("fresh-19.jsonl", 0.82, 0.85, 0.72, 0.6, 0.7),
        // fresh-20 (170 of 180 rows) and fresh-21 (177), written the same way at the start of
        // the tenth session. fresh-20's failures were read and worked on; fresh-21 was scored
        // only at the start and once more before its failures were read. At the end of that
        // session: fresh-20 95.1 / 96.6 / 85.5 / 87.5 / 70.4 %, fresh-21 90.9 / 93.3 / 78.2 /
        // 78.1 / 78.1 %.
        ("fresh-20.jsonl", 0.92, 0.93, 0.82, 0.84, 0.66),
        ("fresh-21.jsonl", 0.86, 0.9, 0.74, 0.74, 0.74),
        // fresh-22 (170 of 180 rows) and fresh-23 (170), written the same way at the start of
        // the eleventh session. fresh-22's failures were read and worked on; fresh-23 was scored
        // only at the start and once more before its failures were read. At the end of that
        // session: fresh-22 97.7 / 100 / 87.3 / 75.0 / 93.1 %, fresh-23 81.0 / 96.3 / 80.0 /
        // 75.0 / 71.0 %.
        ("fresh-22.jsonl", 0.95, 0.96, 0.84, 0.72, 0.88),
        ("fresh-23.jsonl", 0.78, 0.92, 0.76, 0.72, 0.68),
        // fresh-24 (171 of 180 rows), fresh-25 (168) and fresh-26 (169), written the same way in
        // the twelfth session. fresh-24's and fresh-26's failures were read and worked on;
        // fresh-25 was scored only at the start and once more before its failures were read.
        // At the end of that session: fresh-24 95.6 / 96.2 / 94.5 / 100 / 92.0 %, fresh-25
        // 97.6 / 92.6 / 89.1 / 78.1 / 72.0 %, fresh-26 96.9 / 83.3 / 80.0 / 71.1 / 81.2 %.
        ("fresh-24.jsonl", 0.93, 0.92, 0.9, 0.96, 0.88),
        ("fresh-25.jsonl", 0.95, 0.88, 0.85, 0.74, 0.68),
        ("fresh-26.jsonl", 0.93, 0.8, 0.76, 0.68, 0.75),
    ] {
        let r = kinds(file);
        at_least(file, "single", r.single, single);
        at_least(file, "refused", r.refused, refused);
        at_least(file, "verdicts", r.verdicts, verdicts);
        at_least(file, "compound", r.compound, compound);
        at_least(file, "follow-ups", r.follow_ups, follow_ups);
    }
}

#[test]
fn ask_jsonl_keeps_one_context_per_conversation_and_survives_bad_lines() {
    let input = [
        json!({"question": "can openai use aws now?", "conversation": "a"}).to_string(),
        json!({"question": "who pays whom under the new deal?", "conversation": "b"}).to_string(),
        "this is not json".to_owned(),
        json!({"question": "and google?", "conversation": "a"}).to_string(),
        json!({"question": "until when?", "conversation": "b"}).to_string(),
        json!({"question": "until when?"}).to_string(),
    ]
    .join("\n");
    let mut child = Command::new(env!("CARGO_BIN_EXE_dealbot"))
        .args(["ask", "--json", "--jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run dealbot");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let answers: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), 6);
    assert_eq!(answers[2]["answered"], false);
    assert!(
        answers[2]["text"]
            .as_str()
            .unwrap()
            .contains("not a question object")
    );
    assert_eq!(answers[3]["intent"], "other_clouds");
    assert!(answers[3]["text"].as_str().unwrap().contains("Google"));
    assert_eq!(answers[4]["intent"], "revenue_share_end");
    assert_ne!(answers[5]["intent"], "revenue_share_end");
    for a in &answers {
        assert!(a.get("verdict").is_some() && a["parts"].is_array(), "{a}");
    }
}

#[tokio::test]
async fn http_ask_keeps_context_per_conversation_id() {
    let mut settings = dealbot::settings::Settings::default();
    settings.limits.per_user_per_minute = 1000;
    settings.limits.global_per_second = 1000;
    let served = crate::Served::start(settings).await;
    let client = reqwest::Client::new();
    let ask = |body: Value| {
        let client = client.clone();
        let url = served.url("/v1/ask");
        async move {
            let response = client.post(url).json(&body).send().await.unwrap();
            let status = response.status();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let (_, first) =
        ask(json!({"question": "who pays whom under the new deal?", "conversation": "c1"})).await;
    assert_eq!(first["intent"], "revenue_share_direction");
    let (_, follow) = ask(json!({"question": "until when?", "conversation": "c1"})).await;
    assert_eq!(follow["intent"], "revenue_share_end");
    let (_, other) = ask(json!({"question": "until when?", "conversation": "c2"})).await;
    assert_ne!(other["intent"], "revenue_share_end");
    let (status, _) = ask(json!({"question": "until when?", "conversation": 7})).await;
    assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    served.stop().await;
}

/// Issue 10: a statement the sources attribute to one person, credited to another, is `no`
/// and the lead names who said it, with the quote; the right person is `yes`.
#[test]
fn misattributed_statements_are_no_and_name_the_real_speaker() {
    let cases = [
        (
            "was it Satya who said 'Microsoft remains our primary cloud partner'?",
            Verdict::No,
            "No — that was Sam Altman (OpenAI)",
            "altman_statement",
        ),
        (
            "Altman said 'we look forward to bringing OpenAI models directly into Bedrock', didn't he?",
            Verdict::No,
            "No — that was Andy Jassy (Amazon)",
            "amazon_bedrock",
        ),
        (
            "Jassy said “we look forward to bringing OpenAI models directly into Bedrock”, right?",
            Verdict::Yes,
            "Yes — Andy Jassy (Amazon) said it",
            "amazon_bedrock",
        ),
        // The right speaker, but the question denies what he said.
        (
            "Did Altman say Microsoft is no longer their primary cloud partner?",
            Verdict::No,
            "No — that is not what Sam Altman (OpenAI) said",
            "altman_statement",
        ),
    ];
    for (q, verdict, lead, intent) in cases {
        let answer = engine().answer(q);
        assert_eq!(answer.verdict, Some(verdict), "{q}: {}", answer.text);
        assert!(answer.text.starts_with(lead), "{q}: {}", answer.text);
        assert_eq!(answer.intent.as_deref(), Some(intent), "{q}");
        assert!(answer.parts.is_empty(), "{q}: one question, not split");
        assert!(
            answer.citations.iter().any(|c| c.quote.starts_with("We ")),
            "{q}: cites the statement"
        );
    }
}

/// Issue 10: regulator approvals are not reported, whichever regulator is named.
#[test]
fn numbers_written_in_words_are_read_as_numbers() {
    for (question, intent, verdict) in [
        (
            "they've been partners since twenty nineteen, right?",
            "original_investment",
            Verdict::Yes,
        ),
        (
            "someone said OAI pays twenty per cent of its revenue to MS — is that in the sources?",
            "revenue_share_cap",
            Verdict::NotSaid,
        ),
        (
            "so oai keeps paying msft until twenty thirty-two?",
            "revenue_share_end",
            Verdict::No,
        ),
    ] {
        let answer = engine().answer(question);
        assert_eq!(answer.intent.as_deref(), Some(intent), "{question}");
        assert_eq!(answer.verdict, Some(verdict), "{question}: {}", answer.text);
    }
}

#[test]
fn a_question_buried_among_statements_is_what_is_asked() {
    let answer = engine().answer(
        "ok so I was listening to some podcast this morning, half of it about whether anyone \
         makes money. anyway — does MS still get new launches on azure first? that was the one \
         thing I wanted to know",
    );
    assert_eq!(
        answer.intent.as_deref(),
        Some("primary_cloud"),
        "{}",
        answer.text
    );
    // Statements naming another company keep the question about it, and refused.
    let answer = engine().answer(
        "Forget the Microsoft deal, I'm asking about Apple and Google here. Is it exclusive?",
    );
    assert!(!answer.answered, "{}", answer.text);
}

#[test]
fn regulator_approval_is_not_said() {
    for q in [
        "did the FTC sign off on it?",
        "did regulators give it the green light?",
        "has the doj blessed the new agreement?",
    ] {
        let answer = engine().answer(q);
        assert!(answer.answered, "{q}: {}", answer.text);
        assert_eq!(
            answer.verdict,
            Some(Verdict::NotSaid),
            "{q}: {}",
            answer.text
        );
        assert!(answer.text.starts_with("The sources don't"), "{q}");
    }
}

/// Tenth session: list items and requests the splitter used to join or drop.
#[test]
fn parts_after_also_oh_and_or_plus_are_answered_not_dropped() {
    let intents = |q: &str| -> Vec<Option<String>> {
        engine()
            .answer(q)
            .parts
            .iter()
            .map(|p| p.intent.clone().filter(|_| p.answered))
            .collect()
    };
    let some = |id: &str| Some(id.to_owned());
    // ", also …" before a thing of its own; "…, also for Google?" stays one question.
    assert_eq!(
        intents("history with GPT-3/GPT-4 on Azure, also 2019 investment amount"),
        [some("azure_history"), some("original_investment")]
    );
    assert!(
        engine()
            .answer("can openai sell on aws now, also for google?")
            .parts
            .is_empty()
    );
    // "? oh and …" adds a request; a topic whose every claim is unreported keeps its topic.
    assert_eq!(
        intents("ipo plans? oh and microsoft's stake"),
        [some("ipo"), some("microsoft_stake")]
    );
    // A named detail after "+" is an uncovered part, said so, not dropped as filler.
    assert_eq!(
        intents("what Microsoft does now + Satya's comment"),
        [some("microsoft_strategy"), None]
    );
    // Thanks stay filler.
    assert!(
        engine()
            .answer("who pays whom now? thanks for the quote")
            .parts
            .is_empty()
    );
}

#[test]
fn an_opening_ellipsis_belongs_to_the_question_after_it() {
    let ctx = engine()
        .answer_in("what does microsoft get out of it", &Default::default())
        .1;
    let (answer, _) = engine().answer_in("and for openai? who are they working with", &ctx);
    assert!(answer.parts.is_empty(), "{}", answer.text);
    assert_eq!(
        answer.intent.as_deref(),
        Some("openai_partners"),
        "{}",
        answer.text
    );
}

#[test]
fn tags_and_details_the_sources_never_give_are_read() {
    let verdict = |q: &str| engine().answer(q).verdict;
    assert_eq!(
        verdict("the AGI clause got removed, true or false"),
        Some(Verdict::Yes)
    );
    // Another provider's statement or contract, a dropped probe, a time credited to a quote.
    for q in [
        "Google has confirmed it'll host OpenAI models on Google Cloud, right?",
        "did the european commission drop its probe after this",
        "jassy said oai models land on bedrock by june, right?",
    ] {
        let answer = engine().answer(q);
        assert_eq!(
            answer.verdict,
            Some(Verdict::NotSaid),
            "{q}: {}",
            answer.text
        );
        assert!(
            answer.text.starts_with("The sources don't"),
            "{q}: {}",
            answer.text
        );
    }
    // What the quote does say is still yes.
    assert_eq!(
        verdict("did jassy say he looks forward to bringing openai models into bedrock?"),
        Some(Verdict::Yes)
    );
    // A topic far likelier than any other overrules a not-covered topic's refusal.
    let answer = engine().answer("oai pays the rev share to msft quarterly, is that right?");
    assert_eq!(
        answer.intent.as_deref(),
        Some("revenue_share_direction"),
        "{}",
        answer.text
    );
    assert_eq!(answer.verdict, Some(Verdict::NotSaid));
}

#[test]
fn a_figure_of_one_topic_stated_of_another_is_a_false_premise_on_that_other() {
    for (q, intent) in [
        ("rev share runs to 2032 right?", "revenue_share_end"),
        ("the licence runs through 2030, right?", "ip_license"),
        // Torn between two topics that both say no: answered, not "which do you mean".
        (
            "oai's payments to msft go through 2032, yeah?",
            "revenue_share_end",
        ),
    ] {
        assert_eq!(answered_on(q, intent).verdict, Some(Verdict::No), "{q}");
    }
    // The figure on its own topic is still yes.
    assert_eq!(
        engine().answer("does the licence run to 2032?").verdict,
        Some(Verdict::Yes)
    );
}

#[test]
fn a_figure_alone_asks_about_the_topic_giving_it() {
    for (q, intent) in [
        ("27%??", "microsoft_stake"),
        ("april 27 or 28?", "announcement_date"),
        ("what about 1%?", "stock_reaction"),
    ] {
        answered_on(q, intent);
    }
    // A figure no topic gives, or one two topics give alike, stays unanswered.
    assert!(!engine().answer("2031?").answered);
    assert!(!engine().answer("$7bn?").answered);
}

#[test]
fn a_negation_in_another_clause_does_not_deny_the_claim() {
    for q in [
        "Drafting a headline and want to be sure I'm not overselling it. Can OpenAI now license its models and products to basically anyone it likes?",
        "wouldn't be wrong to say the AGI clause is gone, would it?",
    ] {
        assert_eq!(engine().answer(q).verdict, Some(Verdict::Yes), "{q}");
    }
    assert_eq!(
        engine().answer("so the AGI clause isn't gone?").verdict,
        Some(Verdict::No)
    );
}

#[test]
fn a_closing_negated_tag_asks_for_agreement() {
    for q in [
        "the payments to msft are capped, aren't they?",
        "the revenue share is capped, isn't it?",
    ] {
        assert_eq!(engine().answer(q).verdict, Some(Verdict::Yes), "{q}");
    }
    assert_eq!(
        engine()
            .answer("the payments to msft aren't capped?")
            .verdict,
        Some(Verdict::No)
    );
}

#[test]
fn claims_the_sources_deny_or_never_make_get_their_verdict() {
    for (q, intent, verdict) in [
        (
            "Microsoft is scaling back on its own Phi models now, isn't it?",
            "microsoft_strategy",
            Verdict::No,
        ),
        (
            "Is Microsoft going to swap OpenAI's models out of Copilot for Phi?",
            "microsoft_strategy",
            Verdict::NotSaid,
        ),
        (
            "Did Microsoft's status as primary cloud partner change with the amendment?",
            "primary_cloud",
            Verdict::No,
        ),
        (
            "the original 2019 deal let openai run on whatever cloud it liked, didn't it?",
            "original_investment",
            Verdict::No,
        ),
        (
            "the 2019 billion was all cash, no Azure credits, right?",
            "original_investment",
            Verdict::NotSaid,
        ),
        (
            "Microsoft's stake will drop below 20% because of this, yeah?",
            "microsoft_stake",
            Verdict::NotSaid,
        ),
        (
            "did Microsoft's stake drop below 20%?",
            "microsoft_stake",
            Verdict::No,
        ),
        (
            "openai has signed a hosting contract with google cloud, right?",
            "other_clouds",
            Verdict::NotSaid,
        ),
    ] {
        assert_verdict(q, intent, verdict);
    }
    // Only a yes/no question asks whether it was cash: "how much cash" asks the amount.
    let answer = answered_on(
        "how much cash did msft put in originally",
        "original_investment",
    );
    assert!(answer.text.contains("$1 billion"), "{}", answer.text);
}

#[test]
fn a_statement_of_a_move_asked_with_a_question_mark_is_a_yes_no_question() {
    for q in [
        "msft opened about 1% lower after the news?",
        "msft shares opened down about 1% on the news?",
    ] {
        assert_verdict(q, "stock_reaction", Verdict::Yes);
    }
}

#[test]
fn an_amount_the_chosen_topic_never_gives_is_read_on_the_topic_that_does() {
    let q = "the recap valued openai at ~$500bn?";
    assert_verdict(q, "microsoft_stake", Verdict::No);
}

#[test]
fn a_figure_credited_to_altman_is_checked_against_what_it_is_the_figure_of() {
    for q in [
        "Altman said the revenue share runs until 2032, right?",
        "my draft: \"Altman said the revenue-share arrangement would continue until 2032.\" ok?",
    ] {
        assert_verdict(q, "altman_statement", Verdict::No);
    }
    let q = "Did Altman say they'll keep providing models to Microsoft through 2032?";
    assert_verdict(q, "altman_statement", Verdict::Yes);
    // Read as a claim of his topic, not as a quote: the year is checked all the same.
    let q = "Altman said the revenue share arrangement ends in 2032 — can I quote that?";
    assert_verdict(q, "altman_statement", Verdict::No);
    // Only years: the stock's answer gives two figures of one move.
    let q = "did microsoft's share price go down 4%";
    assert_verdict(q, "stock_reaction", Verdict::Yes);
}

#[test]
fn since_when_and_when_follow_ups_go_where_the_topic_sends_them() {
    let e = engine();
    for (first, then) in [
        ("is the partnership still exclusive", "since when not?"),
        ("what did altman say", "when?"),
    ] {
        let (_, ctx) = e.answer_in(first, &Context::default());
        let (answer, _) = e.answer_in(then, &ctx);
        assert_eq!(
            answer.intent.as_deref(),
            Some("announcement_date"),
            "{first} / {then}"
        );
    }
    // "until when?" still asks how long the licence runs.
    let (_, ctx) = e.answer_in("is the partnership still exclusive", &Context::default());
    let (answer, _) = e.answer_in("until when?", &ctx);
    assert_eq!(answer.intent.as_deref(), Some("ip_license"));
}

#[test]
fn an_organisation_the_last_topic_names_keeps_the_topic() {
    let e = engine();
    let (_, ctx) = e.answer_in("what's msft's plan now", &Context::default());
    let (answer, _) = e.answer_in("anthropic too?", &ctx);
    assert_eq!(answer.intent.as_deref(), Some("microsoft_strategy"));
}

#[test]
fn a_claim_stated_in_so_many_words_keeps_its_yes_when_the_matcher_hesitates() {
    for q in [
        "the percentage stays the same as before, right?",
        "> the percentage stays the same as before\nis that accurate?",
    ] {
        assert_verdict(q, "revenue_share_cap", Verdict::Yes);
    }
    // A comparison the sources never make is not a "yes" about the strategy.
    let q = "microsoft's own models are better than openai's now, right?";
    assert_verdict(q, "microsoft_strategy", Verdict::NotSaid);
}

#[test]
fn details_of_partners_and_of_what_jassy_said_are_not_said() {
    for (q, intent) in [
        (
            "Did Jassy say when the models hit Bedrock — like Q3?",
            "amazon_bedrock",
        ),
        (
            "did andy jassy take a dig at microsoft in his comments?",
            "amazon_bedrock",
        ),
        (
            "Did Jassy say AWS would get the new models before Azure does?",
            "amazon_bedrock",
        ),
        (
            "does oracle host chatgpt now as part of its tie-up with openai",
            "openai_partners",
        ),
        (
            "Is Oracle paying OpenAI for access to its models?",
            "other_clouds",
        ),
        (
            "The cap on OpenAI's payments was set at a percentage of Microsoft's investment — true?",
            "revenue_share_cap",
        ),
    ] {
        assert_verdict(q, intent, Verdict::NotSaid);
    }
    let q = "did jassy say amazon will bring openai models to bedrock?";
    assert_verdict(q, "amazon_bedrock", Verdict::Yes);
}

/// Asserts that `q` is answered on `intent` with `verdict`.
fn assert_verdict(q: &str, intent: &str, verdict: Verdict) {
    assert_eq!(answered_on(q, intent).verdict, Some(verdict), "{q}");
}

/// The answer to `q`, asserted to be on `intent`.
fn answered_on(q: &str, intent: &str) -> dealbot::engine::Answer {
    let answer = engine().answer(q);
    assert_eq!(
        answer.intent.as_deref(),
        Some(intent),
        "{q}: {}",
        answer.text
    );
    answer
}

/// The topics of an answer's parts, in order.
fn part_intents(q: &str) -> Vec<Option<String>> {
    let answer = engine().answer(q);
    answer.parts.iter().map(|p| p.intent.clone()).collect()
}

#[test]
fn lead_in_phrases_do_not_hide_the_questions_after_them() {
    let two = |a: &str, b: &str| vec![Some(a.to_owned()), Some(b.to_owned())];
    assert_eq!(
        part_intents("in simple terms who pays whom and is there a cap on it"),
        two("revenue_share_direction", "revenue_share_cap")
    );
    assert_eq!(
        part_intents(
            "For my thesis: when did the partnership begin, and what did they build on Azure?"
        ),
        two("original_investment", "azure_history")
    );
    let aside = part_intents("who pays whom, and by the way what is msft trading at today");
    assert_eq!(aside.len(), 2, "{aside:?}");
    assert_eq!(aside[1], None);
    let short = part_intents("why now and also what does larry ellison think");
    assert_eq!(short, vec![Some("reasons".to_owned()), None]);
}

#[test]
fn parts_on_one_topic_are_parts_when_each_asks_its_own_thing() {
    let ipo = engine().answer("will openai go public and when is the ipo date");
    assert_eq!(ipo.parts.len(), 2, "{}", ipo.text);
    assert_eq!(ipo.parts[0].verdict, Some(Verdict::NotSaid));
    assert_eq!(ipo.parts[1].verdict, None);
    // The topic's facts are listed once.
    assert_eq!(ipo.text.matches("• ").count(), ipo.parts[0].facts.len());
    // A restatement, a tag or small talk is one question.
    for q in [
        "why now? what made them rewrite the deal",
        "the AGI clause is gone, isn't it?",
        "hey there, good morning!",
    ] {
        assert!(engine().answer(q).parts.is_empty(), "{q}");
    }
}

#[test]
fn a_year_on_a_topic_that_names_none_is_read_on_the_topic_that_gives_it() {
    assert_verdict(
        "back in 2019 openai could use whichever cloud it liked, correct?",
        "original_investment",
        Verdict::No,
    );
    // A year a topic's note of disagreement names stays on that topic.
    let q = "is azure the primary cloud till 2032 as well?";
    assert_eq!(
        engine().answer(q).intent.as_deref(),
        Some("primary_cloud"),
        "{q}"
    );
}

#[test]
fn new_products_first_on_another_cloud_is_denied_and_azure_first_confirmed() {
    assert_verdict(
        "openai's new products debut first on google cloud now?",
        "primary_cloud",
        Verdict::No,
    );
    assert_verdict(
        "new models still come out on azure first, before aws?",
        "primary_cloud",
        Verdict::Yes,
    );
}

#[test]
fn an_aspect_after_a_single_question_is_a_part_asked_of_it() {
    let licence = engine().answer("does microsoft keep its licence, and till when");
    let parts: Vec<_> = licence
        .parts
        .iter()
        .map(|p| (p.intent.as_deref(), p.verdict))
        .collect();
    assert_eq!(
        parts,
        [
            (Some("ip_license"), Some(Verdict::Yes)),
            (Some("ip_license"), None)
        ],
        "{}",
        licence.text
    );
    assert!(licence.parts[1].text.contains("2032"), "{}", licence.text);
    // In a message asking several things, the aspect stays with its question.
    let several = engine()
        .answer("is azure still primary? and does microsoft keep its licence, and till when?");
    assert_eq!(several.parts.len(), 2, "{}", several.text);
}

#[test]
fn run_on_questions_are_answered_part_by_part() {
    assert_eq!(
        part_intents("when does the revenue share stop is it capped"),
        [
            Some("revenue_share_end".to_owned()),
            Some("revenue_share_cap".to_owned())
        ]
    );
    // A later part that leans on the one before for its claim is no part of its own.
    let leaning = engine().answer("why did they remove the AGI clause, is there a reason given");
    assert!(leaning.parts.is_empty(), "{}", leaning.text);
}

#[test]
fn kept_exclusivity_a_stronger_agi_clause_and_a_stock_that_rose_are_denied() {
    for (q, intent) in [
        (
            "did microsoft retain its exclusivity in the end?",
            "exclusivity",
        ),
        (
            "the AGI clause got tighter in the new deal, right?",
            "agi_clause",
        ),
        ("msft stock surged on the announcement?", "stock_reaction"),
        ("msft opened 4% higher after the news?", "stock_reaction"),
    ] {
        assert_verdict(q, intent, Verdict::No);
    }
}

#[test]
fn a_follow_up_refused_alone_goes_to_the_likeliest_topic_whose_words_it_uses() {
    let e = engine();
    let (_, ctx) = e.answer_in(
        "what does the deal mean for the cloud market",
        &Context::default(),
    );
    let (answer, _) = e.answer_in("and what about the stock", &ctx);
    assert_eq!(
        answer.intent.as_deref(),
        Some("stock_reaction"),
        "{}",
        answer.text
    );
}
