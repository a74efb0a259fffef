//! The forms themselves: for each, its page, the command kind it sends, its fields, and how the
//! fields become the command's JSON line (docs/import.md), the same line the API and
//! `smes import` take.

use serde_json::{Map, Value, json};
use smes_domain::DomainError;
use smes_domain::values::{ActivityKind, Currency, Money, Period, Priority, ThematicArea};

use super::Values;

/// What a field holds, which says how it is drawn and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A new record's id, drawn when the form is opened.
    NewId,
    /// An existing record's id.
    Id,
    /// Several ids, separated by commas or spaces.
    Ids,
    /// A business date.
    Date,
    /// One line of text.
    Text,
    /// Several lines of text.
    LongText,
    /// One of a closed set of slugs.
    Choice(&'static [&'static str]),
    /// A Member State's two-letter code.
    Code,
    /// Several Member State codes.
    Codes,
    /// An amount of money (its currency and value date are other fields).
    Amount,
    /// A currency code.
    Currency,
    /// A work programme's year.
    Year,
}

/// One field of a form.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
}

const fn required(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: true,
    }
}

const fn optional(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: false,
    }
}

/// One form: its page, the command it sends and its fields, in order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spec {
    /// The page's path (GET shows the form, POST sends it).
    pub path: &'static str,
    /// The command's kind, as in docs/import.md.
    pub kind: &'static str,
    pub fields: &'static [Field],
    /// Builds the command's fields from the checked values (errors of composed values, such as
    /// a period that ends before it starts, are recorded on their field).
    pub build: fn(&mut Values) -> Map<String, Value>,
    /// Which form field a refusal naming a domain field or record is shown beside.
    pub errors: &'static [(&'static str, &'static str)],
}

const AREAS: &[&str] = &[
    "public-policies",
    "productive-articulation",
    "internationalization",
    "innovation-icts-competitiveness",
    "financing",
    "entrepreneurship",
    "gender-equality",
    "corporate-social-responsibility",
    "bilateral-technical-assistance",
    "dissemination",
];
const ACTIVITY_KINDS: &[&str] = &[
    "seminar",
    "training-workshop",
    "business-meeting",
    "business-mission",
    "business-fair",
    "technical-assistance",
    "study-or-publication",
    "dissemination",
];
const PRIORITIES: &[&str] = &["high", "medium", "low"];
const BODIES: &[&str] = &["permanent-secretariat", "latin-american-council"];

/// Every form, in the order the home page lists them.
pub(crate) const FORMS: [Spec; 6] = [
    Spec {
        path: "/record/schedule-consultation",
        kind: "schedule-consultation",
        fields: &[
            required("consultation", Kind::NewId),
            required("title", Kind::Text),
            required("scheduled_for", Kind::Date),
            required("venue", Kind::Text),
        ],
        build: schedule_consultation,
        errors: &[
            ("consultation", "consultation"),
            ("consultation title", "title"),
            ("venue", "venue"),
        ],
    },
    Spec {
        path: "/record/hold-consultation",
        kind: "hold-consultation",
        fields: &[
            required("consultation", Kind::Id),
            required("held_on", Kind::Date),
            required("venue", Kind::Text),
            required("participants", Kind::Ids),
            required("minutes_reference", Kind::Text),
        ],
        build: hold_consultation,
        errors: &[
            ("consultation", "consultation"),
            ("venue", "venue"),
            ("participants", "participants"),
            ("counterpart", "participants"),
            ("minutes reference", "minutes_reference"),
            ("date", "held_on"),
        ],
    },
    Spec {
        path: "/record/identify-need",
        kind: "identify-need",
        fields: &[
            required("consultation", Kind::Id),
            required("need", Kind::NewId),
            required("raised_by", Kind::Ids),
            required("thematic_area", Kind::Choice(AREAS)),
            required("member_states", Kind::Codes),
            required("priority", Kind::Choice(PRIORITIES)),
            required("description", Kind::LongText),
        ],
        build: identify_need,
        errors: &[
            ("consultation", "consultation"),
            ("need", "need"),
            ("raised_by", "raised_by"),
            ("raised by", "raised_by"),
            ("member states", "member_states"),
            ("need description", "description"),
        ],
    },
    Spec {
        path: "/record/propose-activity",
        kind: "propose-activity",
        fields: &[
            required("activity", Kind::NewId),
            required("activity_kind", Kind::Choice(ACTIVITY_KINDS)),
            required("title", Kind::Text),
            required("thematic_area", Kind::Choice(AREAS)),
            optional("answers_needs", Kind::Ids),
            required("host", Kind::Code),
            optional("proposed_by", Kind::Id),
            required("planned_start", Kind::Date),
            required("planned_end", Kind::Date),
            required("estimated_cost", Kind::Amount),
            required("currency", Kind::Currency),
            required("proposed_on", Kind::Date),
        ],
        build: propose_activity,
        errors: &[
            ("activity", "activity"),
            ("activity title", "title"),
            ("duplicate", "title"),
            ("duplicate override reason", "duplicate_override"),
            ("needs answered", "answers_needs"),
            ("period", "planned_end"),
            ("amount", "estimated_cost"),
        ],
    },
    Spec {
        path: "/record/approve-activity",
        kind: "approve-activity",
        fields: &[
            required("activity", Kind::Id),
            required("work_programme", Kind::Year),
            required("body", Kind::Choice(BODIES)),
            optional("decision_number", Kind::Text),
            required("reference", Kind::Text),
            required("rationale", Kind::LongText),
            required("decided_on", Kind::Date),
        ],
        build: approve_activity,
        errors: &[
            ("activity", "activity"),
            ("work programme", "work_programme"),
            ("work programme year", "work_programme"),
            ("decision number", "decision_number"),
            ("decision reference", "reference"),
            ("decision rationale", "rationale"),
            ("date", "decided_on"),
        ],
    },
    Spec {
        path: "/record/commit-to-activity",
        kind: "commit-to-activity",
        fields: &[
            required("offer", Kind::Id),
            required("commitment", Kind::NewId),
            required("activity", Kind::Id),
            required("amount", Kind::Amount),
            required("currency", Kind::Currency),
            required("committed_on", Kind::Date),
        ],
        build: commit_to_activity,
        errors: &[
            ("offer", "offer"),
            ("commitment", "commitment"),
            ("activity", "activity"),
            ("amount", "amount"),
            ("date", "committed_on"),
        ],
    },
];

/// The form served at `path`.
pub(crate) fn spec(path: &str) -> Option<&'static Spec> {
    FORMS.iter().find(|spec| spec.path == path)
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn schedule_consultation(values: &mut Values) -> Map<String, Value> {
    object(json!({
        "consultation": values.json("consultation"),
        "title": values.json("title"),
        "scheduled_for": values.json("scheduled_for"),
        "venue": values.json("venue"),
    }))
}

fn hold_consultation(values: &mut Values) -> Map<String, Value> {
    object(json!({
        "consultation": values.json("consultation"),
        "held_on": values.json("held_on"),
        "venue": values.json("venue"),
        "participants": values.json("participants"),
        "minutes_reference": values.json("minutes_reference"),
    }))
}

fn identify_need(values: &mut Values) -> Map<String, Value> {
    object(json!({
        "consultation": values.json("consultation"),
        "need": values.json("need"),
        "raised_by": values.json("raised_by"),
        "thematic_area": values.json("thematic_area"),
        "member_states": values.json("member_states"),
        "priority": values.json("priority"),
        "description": values.json("description"),
    }))
}

fn propose_activity(values: &mut Values) -> Map<String, Value> {
    let planned = values.period("planned_start", "planned_end");
    let cost = values.money("estimated_cost", "currency", "proposed_on");
    let proposed_by = match values.json("proposed_by") {
        Value::Null => json!({"proposer": "secretariat"}),
        counterpart => json!({"proposer": "counterpart", "counterpart": counterpart}),
    };
    let mut command = object(json!({
        "activity": values.json("activity"),
        "activity_kind": values.json("activity_kind"),
        "title": values.json("title"),
        "thematic_area": values.json("thematic_area"),
        "host": values.json("host"),
        "proposed_by": proposed_by,
        "planned": planned,
        "estimated_cost": cost,
        "proposed_on": values.json("proposed_on"),
    }));
    if let Value::Array(needs) = values.json("answers_needs") {
        command.insert("answers_needs".to_owned(), Value::Array(needs));
    }
    // The override the domain offers: a reason, given once a warning was shown.
    let reason = values.value("duplicate_override").trim().to_owned();
    if !reason.is_empty() {
        command.insert("duplicate_override".to_owned(), Value::String(reason));
    }
    command
}

fn approve_activity(values: &mut Values) -> Map<String, Value> {
    let body = match values.json("body") {
        Value::String(body) if body == "latin-american-council" => {
            json!({"body": body, "decision_number": values.value("decision_number").trim()})
        }
        other => json!({"body": other}),
    };
    object(json!({
        "activity": values.json("activity"),
        "work_programme": values.json("work_programme"),
        "decision": {
            "body": body,
            "reference": values.json("reference"),
            "rationale": values.json("rationale"),
            "decided_on": values.json("decided_on"),
        },
    }))
}

fn commit_to_activity(values: &mut Values) -> Map<String, Value> {
    let amount = values.money("amount", "currency", "committed_on");
    object(json!({
        "offer": values.json("offer"),
        "commitment": values.json("commitment"),
        "activity": values.json("activity"),
        "amount": amount,
        "committed_on": values.json("committed_on"),
    }))
}

/// Checks a slug of a choice field with the domain's own parser, for its message.
pub(crate) fn check_choice(name: &str, text: &str) -> Result<(), DomainError> {
    match name {
        "thematic_area" => text.parse::<ThematicArea>().map(drop),
        "activity_kind" => text.parse::<ActivityKind>().map(drop),
        "priority" => text.parse::<Priority>().map(drop),
        _ if BODIES.contains(&text) => Ok(()),
        _ => Err(DomainError::InvalidValue {
            field: "approving body",
            value: text.to_owned(),
            reason: format!("expected one of {}", BODIES.join(", ")),
        }),
    }
}

/// A period from two dates, or the domain's refusal.
pub(crate) fn period(start: jiff::civil::Date, end: jiff::civil::Date) -> Result<Value, DomainError> {
    let period = Period::new(start, end)?;
    Ok(serde_json::to_value(period).unwrap_or(Value::Null))
}

/// An amount of money (its amount already checked to be digits), or the domain's refusal.
pub(crate) fn money(amount: &str, currency: Currency, value_date: jiff::civil::Date) -> Result<Value, String> {
    let fields = json!({"amount": amount, "currency": currency, "value_date": value_date});
    let money: Money = smes_app::commands::read_fields("", &fields).map_err(|error| error.message)?;
    Ok(serde_json::to_value(money).unwrap_or(Value::Null))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_names_a_command_and_distinct_fields() {
        for spec in FORMS {
            assert!(
                smes_app::AppCommand::KINDS.contains(&spec.kind),
                "{}: {}",
                spec.path,
                spec.kind
            );
            assert_eq!(spec.path, format!("/record/{}", spec.kind));
            let mut names: Vec<&str> = spec.fields.iter().map(|field| field.name).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), spec.fields.len(), "{}", spec.path);
            for (_, field) in spec.errors {
                assert!(
                    spec.fields.iter().any(|known| known.name == *field) || *field == "duplicate_override",
                    "{}: {field}",
                    spec.path
                );
            }
        }
    }

    #[test]
    fn choices_are_the_domains_slugs() {
        assert_eq!(
            AREAS.to_vec(),
            ThematicArea::ALL.iter().map(|area| area.slug()).collect::<Vec<_>>()
        );
        assert_eq!(
            ACTIVITY_KINDS.to_vec(),
            ActivityKind::ALL.iter().map(|kind| kind.slug()).collect::<Vec<_>>()
        );
        assert_eq!(
            PRIORITIES.to_vec(),
            Priority::ALL.iter().map(|priority| priority.slug()).collect::<Vec<_>>()
        );
    }
}
