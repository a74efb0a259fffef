//! Every word the web pages show, in one table per language, so a translation is one more
//! table: [`ENGLISH`] is the only one so far. The reports embedded in the pages (the snapshot's
//! own tables) and the messages of the option parsers are the CLI's, in English.

/// The words of the pages in one language.
#[derive(Debug, Clone, Copy)]
pub struct Text {
    /// The language's tag, for `<html lang>`.
    pub lang: &'static str,
    /// The site's name, in every title.
    pub site: &'static str,
    /// The link to the home page.
    pub home: &'static str,
    /// The sign-in page's title and button.
    pub sign_in: &'static str,
    /// What the sign-in page asks for.
    pub sign_in_intro: &'static str,
    /// The token field's label.
    pub token: &'static str,
    /// A token that is unknown or revoked.
    pub bad_token: &'static str,
    /// A form posted without this site's form token, or with an old one.
    pub forged: &'static str,
    /// A form that could not be read.
    pub unreadable_form: &'static str,
    /// The sign-out button.
    pub sign_out: &'static str,
    /// Before the signed-in token's name and role.
    pub signed_in_as: &'static str,
    /// The home page's heading of the work programmes.
    pub work_programmes: &'static str,
    /// No work programme in the log.
    pub no_work_programme: &'static str,
    /// What an observer is shown.
    pub nothing_published: &'static str,
    /// The heading of the published snapshots on an observer's home page.
    pub published_snapshots: &'static str,
    /// No snapshot published yet.
    pub none_published: &'static str,
    /// The link to the public pages.
    pub public_pages: &'static str,
    /// Before a publication's date.
    pub published_on: &'static str,
    /// The heading of a work-programme page without its snapshot.
    pub work_programme: &'static str,
    /// The filter form's legend.
    pub filter: &'static str,
    /// The cut fields' legend.
    pub cut: &'static str,
    /// The thematic-area field.
    pub areas: &'static str,
    /// The host-country field.
    pub countries: &'static str,
    /// The status field.
    pub statuses: &'static str,
    /// The business-date field.
    pub as_of: &'static str,
    /// The record-time field.
    pub known_at: &'static str,
    /// The log-position field.
    pub at_position: &'static str,
    /// A hint under the list fields.
    pub list_hint: &'static str,
    /// The forms' button.
    pub show: &'static str,
    /// The heading of the links to the listed activities' traces.
    pub activity_traces: &'static str,
    /// An activity without a title under the cut.
    pub untitled: &'static str,
    /// The heading of an activity's page.
    pub activity_trace: &'static str,
    /// Before the cut in words.
    pub cut_is: &'static str,
    /// The trace in words.
    pub trace_intro: &'static str,
    /// A trace without a step.
    pub no_step: &'static str,
    /// Labels of a step.
    pub actor: &'static str,
    /// The role label.
    pub role: &'static str,
    /// The reason label.
    pub reason: &'static str,
    /// The business-time label.
    pub occurred_at: &'static str,
    /// The record-time label.
    pub recorded_at: &'static str,
    /// The hash label.
    pub hash: &'static str,
    /// The position label.
    pub position: &'static str,
    /// The footer: before the log position.
    pub made_from: &'static str,
    /// The footer: before the tree root.
    pub tree_root: &'static str,
    /// The title of a page that refuses a request.
    pub refused: &'static str,
    /// The title of a page that found nothing.
    pub not_found: &'static str,
    /// The title of a page whose request was wrong.
    pub invalid: &'static str,
    /// The server failed.
    pub failed: &'static str,
    /// The pages' layer found no rule for a page.
    pub no_rule: &'static str,
}

/// The pages in English.
pub const ENGLISH: Text = Text {
    lang: "en",
    site: "SELA-SMEs Programme record",
    home: "Home",
    sign_in: "Sign in",
    sign_in_intro: "Paste the token you were given (made with smes token create). The browser keeps only a session cookie; the token is not stored in it.",
    token: "Token",
    bad_token: "This token is unknown or revoked.",
    forged: "This form did not come from this site's page, or the page is too old: open the page again and send the form from there.",
    unreadable_form: "The form could not be read.",
    sign_out: "Sign out",
    signed_in_as: "Signed in as",
    work_programmes: "Work programmes",
    no_work_programme: "No work programme is recorded yet.",
    nothing_published: "Observers may read only what is published: the published snapshots and the events held, on the public pages.",
    published_snapshots: "Published work-programme snapshots",
    none_published: "No snapshot is published yet.",
    public_pages: "The public pages: published snapshots and events held",
    published_on: "published",
    work_programme: "Work programme",
    filter: "Which activities",
    cut: "Which state of the record",
    areas: "Thematic areas",
    countries: "Host Member States",
    statuses: "Statuses",
    as_of: "As of the end of (business date)",
    known_at: "As known at (record time, RFC 3339)",
    at_position: "At log position",
    list_hint: "Several values may be separated by commas.",
    show: "Show",
    activity_traces: "Decision traces of the activities listed",
    untitled: "(untitled under this cut)",
    activity_trace: "Decision trace of activity",
    cut_is: "Cut:",
    trace_intro: "The chain of steps that led to the activity and followed it, by stage, then log position.",
    no_step: "No step.",
    actor: "actor",
    role: "role",
    reason: "reason",
    occurred_at: "occurred at",
    recorded_at: "recorded at",
    hash: "hash",
    position: "log position",
    made_from: "Made from log position",
    tree_root: "Merkle tree root",
    refused: "Refused",
    not_found: "Not found",
    invalid: "Not allowed",
    failed: "The server failed to answer; the failure is logged on the server.",
    no_rule: "This page has no access rule, so nobody may see it.",
};
