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
    /// The home page's heading of the registers and the review pack.
    pub registers: &'static str,
    /// The needs register's title.
    pub needs_register: &'static str,
    /// What the needs register shows.
    pub needs_intro: &'static str,
    /// The counterpart directory's title.
    pub counterpart_directory: &'static str,
    /// What the counterpart directory shows.
    pub counterparts_intro: &'static str,
    /// The evaluation history's title.
    pub evaluation_history: &'static str,
    /// What the evaluation history shows.
    pub history_intro: &'static str,
    /// The review pack's title.
    pub review_pack: &'static str,
    /// What the review page asks for.
    pub review_intro: &'static str,
    /// The review form's legend of the period.
    pub period: &'static str,
    /// The first day of the period.
    pub period_from: &'static str,
    /// The last day of the period.
    pub period_to: &'static str,
    /// The review form's legend of the record's bounds.
    pub record_bounds: &'static str,
    /// The needs form's filter legend.
    pub which_needs: &'static str,
    /// The directory form's filter legend.
    pub which_counterparts: &'static str,
    /// The directory's heading of counterparts by Member State.
    pub by_state: &'static str,
    /// A membership change whose date no source gives.
    pub date_not_given: &'static str,
    /// The heading of the overall count of needs.
    pub all_needs: &'static str,
    /// The needs form's status field and what it takes.
    pub need_statuses: &'static str,
    /// The member-state field of the needs and directory forms.
    pub member_states: &'static str,
    /// Table headings and labels of the registers.
    pub status: &'static str,
    /// The priority heading.
    pub priority: &'static str,
    /// The identified-on heading.
    pub identified: &'static str,
    /// The thematic-area heading.
    pub thematic_area: &'static str,
    /// The need heading.
    pub need: &'static str,
    /// The raised-by heading.
    pub raised_by: &'static str,
    /// The consultation heading.
    pub consultation: &'static str,
    /// The heading of the activities citing a need.
    pub citing_activities: &'static str,
    /// No need listed.
    pub no_need: &'static str,
    /// The heading of the needs by status.
    pub needs_total: &'static str,
    /// The heading of the counts by thematic area.
    pub by_thematic_area: &'static str,
    /// The heading of the counts by Member State.
    pub by_member_state: &'static str,
    /// The count headings.
    pub needs: &'static str,
    /// Answered needs.
    pub answered: &'static str,
    /// Open needs.
    pub open: &'static str,
    /// Unanswered needs.
    pub unanswered: &'static str,
    /// None, in a table cell.
    pub none: &'static str,
    /// The organisation heading.
    pub organisation: &'static str,
    /// The kind heading.
    pub kind: &'static str,
    /// The Member State heading.
    pub member_state: &'static str,
    /// The joined heading.
    pub joined: &'static str,
    /// The withdrew heading.
    pub withdrew: &'static str,
    /// The corrections heading.
    pub corrections: &'static str,
    /// No counterpart listed.
    pub no_counterpart: &'static str,
    /// The roles heading: counterpart and cooperation source, with their dates.
    pub roles: &'static str,
    /// The heading of the cooperation sources' list.
    pub cooperation_sources: &'static str,
    /// No cooperation source listed.
    pub no_cooperation_source: &'static str,
    /// The country heading (of a cooperation source: any country).
    pub country: &'static str,
    /// The heading of the counterpart a cooperation source is the role of.
    pub same_organisation_as: &'static str,
    /// The registered heading.
    pub registered: &'static str,
    /// Before the date two registrations were linked.
    pub linked: &'static str,
    /// The heading of regional and international counterparts.
    pub regional_or_international: &'static str,
    /// The heading of counterparts recorded with a country that is not a Member State.
    pub not_member_states: &'static str,
    /// The heading of the Member States' membership history.
    pub membership_history: &'static str,
    /// A member now.
    pub member: &'static str,
    /// Not a member now.
    pub not_member: &'static str,
    /// The source label.
    pub source: &'static str,
    /// Nothing in the evaluation history.
    pub no_history: &'static str,
    /// A programme review in the history.
    pub programme_review: &'static str,
    /// An undated item.
    pub undated: &'static str,
    /// Labels of a consultation.
    pub scheduled_for: &'static str,
    /// The held-on label.
    pub held_on: &'static str,
    /// The venue label.
    pub venue: &'static str,
    /// The participants label.
    pub participants: &'static str,
    /// The minutes label.
    pub minutes: &'static str,
    /// The closed-on label.
    pub closed_on: &'static str,
    /// The evaluations label.
    pub evaluations: &'static str,
    /// The needs-raised label.
    pub needs_raised: &'static str,
    /// The reviewed-period label.
    pub period_reviewed: &'static str,
    /// The opened-on label.
    pub opened_on: &'static str,
    /// The findings label.
    pub findings: &'static str,
    /// The recommendations label.
    pub recommendations: &'static str,
    /// The whole programme as what was evaluated.
    pub the_programme: &'static str,
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
    /// The words of the command forms.
    pub forms: FormText,
}

/// The words of the command forms: titles, labels, hints, option names and messages.
///
/// Labels, hints and option names are tables keyed by the form field's name or the option's
/// slug, so every form shares them and a translation is one more set of tables.
#[derive(Debug, Clone, Copy)]
pub struct FormText {
    /// The home page's heading of the forms.
    pub heading: &'static str,
    /// What a role other than the Secretariat is told on a form.
    pub secretariat_only: &'static str,
    /// The forms' titles, by path.
    pub titles: &'static [(&'static str, &'static str)],
    /// What each form records, by path.
    pub intros: &'static [(&'static str, &'static str)],
    /// The fields' labels, by field name.
    pub labels: &'static [(&'static str, &'static str)],
    /// Hints under fields, by field name.
    pub hints: &'static [(&'static str, &'static str)],
    /// The names of options (thematic areas, kinds, priorities, approving bodies), by slug.
    pub options: &'static [(&'static str, &'static str)],
    /// The submit button.
    pub submit: &'static str,
    /// A required field left empty.
    pub required: &'static str,
    /// A field that is not a UUID.
    pub not_an_id: &'static str,
    /// A field that is not a date.
    pub not_a_date: &'static str,
    /// A field that is not an amount.
    pub not_an_amount: &'static str,
    /// A field that is not a year.
    pub not_a_year: &'static str,
    /// The form's hidden command id is missing or wrong.
    pub bad_command_id: &'static str,
    /// Above the form when something could not be placed beside a field.
    pub form_error: &'static str,
    /// Beside the title when the proposal may duplicate recorded activities.
    pub possible_duplicate: &'static str,
    /// A duplicate's planned period and host, before the period.
    pub planned: &'static str,
    /// Between a period's first and last day.
    pub period_to: &'static str,
    /// Before a duplicate's host Member State.
    pub hosted_by: &'static str,
    /// How to record the proposal anyway.
    pub override_hint: &'static str,
    /// The confirmation page's title.
    pub recorded: &'static str,
    /// Before the log position of what was recorded.
    pub recorded_at_position: &'static str,
    /// A command id applied before (the form was sent again).
    pub applied_before: &'static str,
    /// A command that recorded no event.
    pub nothing_recorded: &'static str,
    /// A command id the log does not know.
    pub unknown_command: &'static str,
    /// The heading of an event's fields on the confirmation page.
    pub what_was_recorded: &'static str,
    /// The stream label.
    pub stream: &'static str,
    /// The link to an activity's trace.
    pub see_trace: &'static str,
    /// The link back to the forms.
    pub record_another: &'static str,
    /// The thousands separator of amounts.
    pub thousands_separator: char,
    /// The decimal separator of amounts.
    pub decimal_separator: char,
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
    registers: "Registers and reviews",
    needs_register: "Needs register",
    needs_intro: "Every need identified in a consultation: answered when an approved or held activity cites it, open when only activities awaiting a decision cite it, unanswered otherwise.",
    counterpart_directory: "Counterpart directory",
    counterparts_intro: "The programme's counterparts, by organisation, and each Member State's membership history. Focal points are personal data and are not shown.",
    evaluation_history: "Evaluation history",
    history_intro: "Consultations and programme reviews over time, their findings, and what became of each need raised.",
    review_pack: "Programme review pack",
    review_intro: "Choose the period reviewed. The pack is made as of the period's last day; it may be bounded by a record time or a log position.",
    period: "Period reviewed",
    period_from: "First day",
    period_to: "Last day",
    record_bounds: "Which part of the record",
    which_needs: "Which needs",
    which_counterparts: "Which counterparts",
    all_needs: "needs listed",
    by_state: "By Member State",
    date_not_given: "(date not given by the sources)",
    need_statuses: "Statuses (answered, open, unanswered)",
    member_states: "Member States",
    status: "status",
    priority: "priority",
    identified: "identified",
    thematic_area: "thematic area",
    need: "need",
    raised_by: "raised by",
    consultation: "consultation",
    citing_activities: "activities citing it",
    no_need: "No need is listed.",
    needs_total: "Needs by status",
    by_thematic_area: "By thematic area",
    by_member_state: "By Member State concerned",
    needs: "needs",
    answered: "answered",
    open: "open",
    unanswered: "unanswered",
    none: "none",
    organisation: "organisation",
    kind: "kind",
    member_state: "Member State",
    joined: "joined",
    withdrew: "withdrew",
    corrections: "corrections",
    no_counterpart: "No counterpart is listed.",
    roles: "roles",
    cooperation_sources: "Cooperation sources",
    no_cooperation_source: "No cooperation source is listed.",
    country: "country",
    same_organisation_as: "counterpart of the same organisation",
    registered: "registered",
    linked: "linked on",
    regional_or_international: "Regional and international",
    not_member_states: "Recorded with a country that is not a Member State of SELA",
    membership_history: "Membership history of the Member States",
    member: "member",
    not_member: "not a member",
    source: "source",
    no_history: "No consultation and no programme review is recorded.",
    programme_review: "Programme review",
    undated: "undated",
    scheduled_for: "planned for",
    held_on: "held on",
    venue: "venue",
    participants: "participants",
    minutes: "minutes",
    closed_on: "closed on",
    evaluations: "Evaluations of achievements",
    needs_raised: "Needs raised",
    period_reviewed: "period reviewed",
    opened_on: "opened on",
    findings: "Findings",
    recommendations: "Recommendations",
    the_programme: "the programme",
    made_from: "Made from log position",
    tree_root: "Merkle tree root",
    refused: "Refused",
    not_found: "Not found",
    invalid: "Not allowed",
    failed: "The server failed to answer; the failure is logged on the server.",
    no_rule: "This page has no access rule, so nobody may see it.",
    forms: ENGLISH_FORMS,
};

/// The command forms in English.
pub const ENGLISH_FORMS: FormText = FormText {
    heading: "Record",
    secretariat_only: "Only the Secretariat records commands; nothing was written.",
    titles: &[
        ("/record/schedule-consultation", "Schedule a consultation"),
        ("/record/hold-consultation", "Record a consultation held"),
        ("/record/identify-need", "Identify a need"),
        ("/record/propose-activity", "Propose an activity"),
        ("/record/approve-activity", "Approve an activity"),
        ("/record/commit-to-activity", "Record funding for an activity"),
    ],
    intros: &[
        (
            "/record/schedule-consultation",
            "Plans a regular consultation with the counterparts.",
        ),
        (
            "/record/hold-consultation",
            "Records that a scheduled consultation took place, with the counterparts that took part.",
        ),
        (
            "/record/identify-need",
            "Records a need raised by participants of a consultation that was held.",
        ),
        (
            "/record/propose-activity",
            "Proposes an activity; activities in the same thematic area and host Member State planned over overlapping dates are shown as possible duplicates.",
        ),
        (
            "/record/approve-activity",
            "Approves a proposed activity into an open work programme.",
        ),
        (
            "/record/commit-to-activity",
            "Commits part of a recorded offer to an activity.",
        ),
    ],
    labels: &[
        ("consultation", "Consultation id"),
        ("title", "Title"),
        ("scheduled_for", "Planned date"),
        ("venue", "Venue"),
        ("held_on", "Held on"),
        ("participants", "Participating counterparts (ids)"),
        ("minutes_reference", "Minutes reference"),
        ("need", "Need id"),
        ("raised_by", "Raised by counterparts (ids)"),
        ("thematic_area", "Thematic area"),
        ("member_states", "Member States concerned (codes)"),
        ("priority", "Priority"),
        ("description", "Description"),
        ("activity", "Activity id"),
        ("activity_kind", "Kind of activity"),
        ("answers_needs", "Needs answered (ids)"),
        ("host", "Host Member State (code)"),
        ("proposed_by", "Proposed by counterpart (id)"),
        ("planned_start", "Planned from"),
        ("planned_end", "Planned to"),
        ("estimated_cost", "Estimated cost"),
        ("currency", "Currency"),
        ("proposed_on", "Proposed on"),
        ("duplicate_override", "Record it anyway, because"),
        ("work_programme", "Work programme (year)"),
        ("body", "Approved by"),
        ("decision_number", "Council Decision number"),
        ("reference", "Document reference"),
        ("rationale", "Rationale"),
        ("decided_on", "Decided on"),
        ("offer", "Offer id"),
        ("commitment", "Commitment id"),
        ("amount", "Amount committed"),
        ("committed_on", "Committed on"),
        ("why", "Why (kept with the record; optional)"),
    ],
    hints: &[
        ("consultation", "As in the log (smes log), a UUID."),
        ("participants", "Several ids may be separated by commas or spaces."),
        (
            "raised_by",
            "Counterparts that took part; several ids may be separated by commas or spaces.",
        ),
        (
            "member_states",
            "Two-letter codes such as PE, BO; several may be separated by commas.",
        ),
        (
            "answers_needs",
            "Optional; several ids may be separated by commas or spaces.",
        ),
        ("host", "A two-letter code such as PE."),
        ("proposed_by", "Leave empty when the Permanent Secretariat proposes it."),
        (
            "estimated_cost",
            "An amount such as 30000 or 30000.50, without separators.",
        ),
        (
            "amount",
            "An amount such as 30000 or 30000.50, without separators, in the currency below.",
        ),
        (
            "currency",
            "An ISO 4217 code such as USD; an amount in another currency than the offer's needs a recorded exchange rate.",
        ),
        ("decision_number", "Only for a Decision of the Latin American Council."),
        ("need", "A new id, drawn for this form."),
        ("commitment", "A new id, drawn for this form."),
    ],
    options: &[
        ("public-policies", "1. Public policies"),
        ("productive-articulation", "2. Productive articulation"),
        ("internationalization", "3. Internationalization"),
        (
            "innovation-icts-competitiveness",
            "4. Innovation, ICTs and competitiveness",
        ),
        ("financing", "5. Financing"),
        ("entrepreneurship", "6. Entrepreneurship"),
        ("gender-equality", "7. Gender equality"),
        ("corporate-social-responsibility", "8. Corporate social responsibility"),
        ("bilateral-technical-assistance", "9. Bilateral technical assistance"),
        ("dissemination", "Dissemination"),
        ("seminar", "Seminar"),
        ("training-workshop", "Training workshop"),
        ("business-meeting", "Business meeting"),
        ("business-mission", "Business mission"),
        ("business-fair", "Business fair"),
        ("technical-assistance", "Technical assistance"),
        ("study-or-publication", "Study or publication"),
        ("high", "High"),
        ("medium", "Medium"),
        ("low", "Low"),
        ("permanent-secretariat", "The Permanent Secretariat"),
        ("latin-american-council", "The Latin American Council"),
    ],
    submit: "Record",
    required: "This field is required.",
    not_an_id: "is not an id; expected a UUID such as 5e1a0000-0000-4000-8000-000000000001",
    not_a_date: "is not a date; expected YYYY-MM-DD",
    not_an_amount: "is not an amount; expected digits with an optional decimal point, such as 30000.50",
    not_a_year: "is not a year; expected four digits such as 2013",
    bad_command_id: "The form's command id is missing or not a UUID: open the form again and send it from there.",
    form_error: "Nothing was recorded:",
    possible_duplicate: "Nothing was recorded: this proposal may duplicate activities in the same thematic area and host Member State planned over overlapping dates:",
    planned: "planned",
    period_to: "to",
    hosted_by: "hosted by",
    override_hint: "If it is not a duplicate, say why here and send the form again: the proposal is then recorded with the warning and the reason.",
    recorded: "Recorded",
    recorded_at_position: "Recorded at log position",
    applied_before: "This form had already been sent and recorded; it was not recorded again.",
    nothing_recorded: "The command recorded no event.",
    unknown_command: "No command with this id is recorded in the log.",
    what_was_recorded: "What was recorded",
    stream: "stream",
    see_trace: "Decision trace of the activity",
    record_another: "Record something else",
    thousands_separator: ',',
    decimal_separator: '.',
};
