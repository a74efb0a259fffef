//! One subcommand per domain command (`smes counterpart join ...`, `smes activity approve
//! ...`). Each takes the command as JSON (`--json '{...}'`, the line format of `smes import`
//! without `kind`) and, for the most used ones, as flags too; flags override JSON fields.

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use serde_json::{Map, Value, json};
use smes_app::{App, CommandLine, Executed, Source};
use smes_domain::values::{CounterpartKind, MemberStateCode, Priority, ThematicArea};
use uuid::Uuid;

use crate::flags;
use crate::wiring::Actor;

/// Options every command subcommand takes.
#[derive(Debug, Clone, Args)]
pub struct CommandArgs {
    /// The command's fields as a JSON object (the `smes import` line format; `kind` is implied).
    #[arg(long)]
    json: Option<String>,
    /// The command's id: running the same command id again applies nothing twice.
    #[arg(long, value_parser = flags::command_id)]
    command_id: Option<Uuid>,
    /// Why the command is issued (kept with the events as their metadata reason).
    #[arg(long)]
    why: Option<String>,
}

/// The domain's commands, one subcommand group per aggregate.
#[derive(Debug, Subcommand)]
pub enum DomainCommand {
    /// Member States: join, leave.
    #[command(subcommand)]
    MemberState(MemberStateCommand),
    /// Work programmes: open, adopt, revise, close.
    #[command(subcommand)]
    WorkProgramme(WorkProgrammeCommand),
    /// Counterparts: join, change-focal-point, withdraw, correct-details.
    #[command(subcommand)]
    Counterpart(CounterpartCommand),
    /// Cooperation sources: register, request-assistance, answer.
    #[command(subcommand)]
    CooperationSource(CooperationSourceCommand),
    /// Organisations that are both counterpart and cooperation source: link.
    #[command(subcommand)]
    Organisation(OrganisationCommand),
    /// Consultations: schedule, hold, evaluate, close.
    #[command(subcommand)]
    Consultation(ConsultationCommand),
    /// Needs: identify.
    #[command(subcommand)]
    Need(NeedCommand),
    /// Activities: propose, approve, reject, defer, hold, cancel, define-indicator, reschedule,
    /// record-result.
    #[command(subcommand)]
    Activity(ActivityCommand),
    /// Cooperation offers: record, commit, disburse, spend.
    #[command(subcommand)]
    Offer(OfferCommand),
    /// In-kind contributions: value, revalue.
    #[command(subcommand)]
    InKind(InKindCommand),
    /// Exchange rates: record.
    #[command(subcommand)]
    ExchangeRate(ExchangeRateCommand),
    /// National and subregional requests for support: receive, link, close.
    #[command(subcommand)]
    Request(RequestCommand),
    /// Programme reviews: open, record-findings, close. Parsed by `smes review`, which also
    /// makes the review pack.
    #[command(skip)]
    Review(ReviewCommand),
}

impl DomainCommand {
    /// Runs the command and returns what to print.
    pub async fn run(&self, app: &App, actor: &Actor) -> Result<String> {
        match self.invocation(app) {
            Some(invocation) => invocation.run(app, actor).await,
            None => {
                let loaded = smes_app::membership::load(app, &actor.context(Source::Cli)).await?;
                Ok(format!(
                    "membership history: {} changes recorded, {} already in the log\n",
                    loaded.recorded, loaded.already_recorded
                ))
            }
        }
    }

    /// The command, reduced to its kind, fields and options; `None` for `member-state load`,
    /// which records many commands.
    fn invocation<'a>(&'a self, app: &App) -> Option<Invocation<'a>> {
        Some(match self {
            DomainCommand::MemberState(command) => Invocation::member_state(command)?,
            DomainCommand::WorkProgramme(command) => Invocation::work_programme(command),
            DomainCommand::Counterpart(command) => Invocation::counterpart(command, app),
            DomainCommand::CooperationSource(command) => Invocation::cooperation_source(command),
            DomainCommand::Organisation(command) => Invocation::organisation(command),
            DomainCommand::Consultation(command) => Invocation::consultation(command),
            DomainCommand::Need(command) => Invocation::need(command, app),
            DomainCommand::Activity(command) => Invocation::activity(command),
            DomainCommand::Offer(command) => Invocation::offer(command),
            DomainCommand::InKind(command) => Invocation::in_kind(command),
            DomainCommand::ExchangeRate(command) => Invocation::exchange_rate(command),
            DomainCommand::Request(command) => Invocation::request(command),
            DomainCommand::Review(command) => Invocation::review(command),
        })
    }
}

/// `smes counterpart ...`
#[derive(Debug, Subcommand)]
pub enum CounterpartCommand {
    /// Register a counterpart and its focal point.
    Join(JoinCounterpartArgs),
    /// Name a counterpart's new focal point.
    ChangeFocalPoint(CommandArgs),
    /// Record that a counterpart withdrew.
    Withdraw(CommandArgs),
    /// Correct a counterpart's details, naming the event corrected.
    CorrectDetails(CommandArgs),
}

/// Flags of `smes counterpart join`.
#[derive(Debug, Args)]
pub struct JoinCounterpartArgs {
    #[command(flatten)]
    common: CommandArgs,
    /// The counterpart's id (a new one when absent).
    #[arg(long, value_parser = flags::id("join-counterpart"))]
    id: Option<Uuid>,
    /// The body's name.
    #[arg(long)]
    name: Option<String>,
    /// public, private, mixed, regional or international.
    #[arg(long, value_parser = flags::word::<CounterpartKind>("join-counterpart"))]
    kind: Option<String>,
    /// The Member State (ISO 3166-1 alpha-2) of a national counterpart.
    #[arg(long, value_parser = flags::word::<MemberStateCode>("join-counterpart"))]
    member_state: Option<String>,
    /// A thematic area it works on (repeat for several).
    #[arg(long = "area", value_parser = flags::word::<ThematicArea>("join-counterpart"))]
    areas: Vec<String>,
    /// The focal point's name.
    #[arg(long)]
    focal_point_name: Option<String>,
    /// The focal point's e-mail address.
    #[arg(long)]
    focal_point_email: Option<String>,
    /// When it joined (YYYY-MM-DD).
    #[arg(long, value_parser = flags::date("join-counterpart"))]
    joined_on: Option<String>,
}

/// `smes consultation ...`
#[derive(Debug, Subcommand)]
pub enum ConsultationCommand {
    /// Plan a consultation.
    Schedule(CommandArgs),
    /// Record that a consultation took place.
    Hold(HoldConsultationArgs),
    /// Record an evaluation of achievements.
    Evaluate(EvaluateArgs),
    /// Close a consultation.
    Close(CommandArgs),
}

/// Flags of `smes consultation hold`.
#[derive(Debug, Args)]
pub struct HoldConsultationArgs {
    #[command(flatten)]
    common: CommandArgs,
    /// The consultation's id.
    #[arg(long, value_parser = flags::id("hold-consultation"))]
    id: Option<Uuid>,
    /// When it took place (YYYY-MM-DD).
    #[arg(long, value_parser = flags::date("hold-consultation"))]
    held_on: Option<String>,
    /// Where.
    #[arg(long)]
    venue: Option<String>,
    /// A participating counterpart's id (repeat for several).
    #[arg(long = "participant", value_parser = flags::id("hold-consultation"))]
    participants: Vec<Uuid>,
    /// The reference of the minutes.
    #[arg(long)]
    minutes: Option<String>,
}

/// Flags of `smes consultation evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    #[command(flatten)]
    common: CommandArgs,
    /// The consultation.
    #[arg(long)]
    consultation: Option<Uuid>,
    /// The activity evaluated (without it, the programme as a whole).
    #[arg(long)]
    activity: Option<Uuid>,
    /// The findings.
    #[arg(long)]
    findings: Option<String>,
    /// A rating as CRITERION=SCORE, the score by number (1 to 5) or label (highly
    /// unsatisfactory, unsatisfactory, moderately satisfactory, satisfactory, highly
    /// satisfactory), such as `relevance=satisfactory` (repeat for several).
    #[arg(long = "rating", value_parser = parse_rating)]
    ratings: Vec<(String, String)>,
}

/// `--rating CRITERION=SCORE`; the score is checked with the rest of the command.
fn parse_rating(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((criterion, score)) => Ok((criterion.trim().to_owned(), score.trim().to_owned())),
        None => Err(format!(
            "expected CRITERION=SCORE, such as relevance=satisfactory or relevance=4, not {text:?}"
        )),
    }
}

/// `smes need ...`
#[derive(Debug, Subcommand)]
pub enum NeedCommand {
    /// Record a need identified in a consultation.
    Identify(IdentifyNeedArgs),
}

/// Flags of `smes need identify`.
#[derive(Debug, Args)]
pub struct IdentifyNeedArgs {
    #[command(flatten)]
    common: CommandArgs,
    /// The consultation.
    #[arg(long, value_parser = flags::id("identify-need"))]
    consultation: Option<Uuid>,
    /// The need's id (a new one when absent).
    #[arg(long, value_parser = flags::id("identify-need"))]
    id: Option<Uuid>,
    /// A counterpart that raised it (repeat for several).
    #[arg(long = "raised-by", value_parser = flags::id("identify-need"))]
    raised_by: Vec<Uuid>,
    /// Its thematic area.
    #[arg(long, value_parser = flags::word::<ThematicArea>("identify-need"))]
    area: Option<String>,
    /// A Member State it concerns (repeat for several).
    #[arg(long = "member-state", value_parser = flags::word::<MemberStateCode>("identify-need"))]
    member_states: Vec<String>,
    /// high, medium or low.
    #[arg(long, value_parser = flags::word::<Priority>("identify-need"))]
    priority: Option<String>,
    /// What is needed.
    #[arg(long)]
    description: Option<String>,
    /// When it was identified (YYYY-MM-DD): the day the consultation was held unless given.
    #[arg(long = "identified-on")]
    identified_on: Option<String>,
}

/// `smes activity ...`
#[derive(Debug, Subcommand)]
pub enum ActivityCommand {
    /// Propose an activity.
    Propose(CommandArgs),
    /// Approve an activity into a work programme.
    Approve(ApproveActivityArgs),
    /// Reject a proposed activity.
    Reject(CommandArgs),
    /// Defer the decision on a proposed activity.
    Defer(CommandArgs),
    /// Record that an approved activity took place.
    Hold(CommandArgs),
    /// Call off an activity.
    Cancel(CommandArgs),
    /// Define a results indicator.
    DefineIndicator(CommandArgs),
    /// Move an activity to new dates.
    Reschedule(CommandArgs),
    /// Record (or correct) an indicator's result for a period.
    RecordResult(CommandArgs),
}

/// Flags of `smes activity approve`.
#[derive(Debug, Args)]
pub struct ApproveActivityArgs {
    #[command(flatten)]
    common: CommandArgs,
    /// The activity.
    #[arg(long, value_parser = flags::id("approve-activity"))]
    id: Option<Uuid>,
    /// The work programme's year.
    #[arg(long, value_parser = flags::year("approve-activity"))]
    year: Option<i16>,
    /// A Latin American Council Decision number (otherwise a Secretariat approval).
    #[arg(long)]
    council_decision: Option<String>,
    /// The decision's document reference.
    #[arg(long)]
    reference: Option<String>,
    /// Why it was approved.
    #[arg(long)]
    rationale: Option<String>,
    /// When it was decided (YYYY-MM-DD).
    #[arg(long, value_parser = flags::date("approve-activity"))]
    decided_on: Option<String>,
}

/// `smes member-state ...`
#[derive(Debug, Subcommand)]
pub enum MemberStateCommand {
    /// Record that a state joined SELA.
    Join(CommandArgs),
    /// Record that a state left SELA.
    Leave(CommandArgs),
    /// Record the Member States' sourced membership history (joined, left, with "date unknown"
    /// where no source gives one); loading it again records nothing.
    Load,
}

/// `smes work-programme ...`
#[derive(Debug, Subcommand)]
pub enum WorkProgrammeCommand {
    /// Open a year's work programme with its estimated budget.
    Open(CommandArgs),
    /// Adopt a work programme by a decision.
    Adopt(CommandArgs),
    /// Revise a work programme's budget.
    Revise(CommandArgs),
    /// Close a work programme.
    Close(CommandArgs),
}

/// `smes cooperation-source ...`
#[derive(Debug, Subcommand)]
pub enum CooperationSourceCommand {
    /// Register a cooperation source.
    Register(CommandArgs),
    /// Record a request for assistance made to a source.
    RequestAssistance(CommandArgs),
    /// Record a source's answer to a request for assistance.
    Answer(CommandArgs),
}

/// `smes organisation ...`
#[derive(Debug, Subcommand)]
pub enum OrganisationCommand {
    /// Tie a cooperation source registered on its own to the counterpart registration of the
    /// same organisation; the counterpart stays the organisation, the source becomes its
    /// cooperation-source role.
    Link(LinkOrganisationArgs),
}

/// Flags of `smes organisation link`.
#[derive(Debug, Args)]
pub struct LinkOrganisationArgs {
    #[command(flatten)]
    common: CommandArgs,
    /// The counterpart registration.
    #[arg(long, value_parser = flags::id("link-organisation"))]
    counterpart: Option<Uuid>,
    /// The cooperation source registration.
    #[arg(long, value_parser = flags::id("link-organisation"))]
    cooperation_source: Option<Uuid>,
    /// From when the two are known to be one organisation (YYYY-MM-DD): the day it is recorded
    /// unless given.
    #[arg(long, value_parser = flags::date("link-organisation"))]
    linked_on: Option<String>,
    /// Why they are one organisation (kept in the event).
    #[arg(long)]
    reason: Option<String>,
}

/// `smes offer ...`
#[derive(Debug, Subcommand)]
pub enum OfferCommand {
    /// Record a cooperation offer.
    Record(CommandArgs),
    /// Commit part of an offer to an activity.
    Commit(CommandArgs),
    /// Record a payment made under a commitment.
    Disburse(CommandArgs),
    /// Record money spent under a commitment.
    Spend(CommandArgs),
}

/// `smes in-kind ...`
#[derive(Debug, Subcommand)]
pub enum InKindCommand {
    /// Value an in-kind contribution to an activity.
    Value(CommandArgs),
    /// Correct the value of an in-kind contribution.
    Revalue(CommandArgs),
}

/// `smes request ...`
#[derive(Debug, Subcommand)]
pub enum RequestCommand {
    /// Record a national or subregional request for support.
    Receive(CommandArgs),
    /// Link a request to the need or activity that follows it up.
    Link(CommandArgs),
    /// Close a request.
    Close(CommandArgs),
}

/// `smes review ...`
#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Open a programme review for a period.
    Open(CommandArgs),
    /// Record a review's findings and recommendations.
    RecordFindings(CommandArgs),
    /// Close a programme review.
    Close(CommandArgs),
}

/// `smes exchange-rate ...`
#[derive(Debug, Subcommand)]
pub enum ExchangeRateCommand {
    /// Record an exchange rate with its date and source.
    Record(CommandArgs),
}

/// A command subcommand, reduced to its kind, its flags as JSON fields and the common options.
pub struct Invocation<'a> {
    kind: &'static str,
    common: &'a CommandArgs,
    fields: Map<String, Value>,
    /// Fields filled in only when neither the JSON nor a flag gives them (new ids).
    defaults: Map<String, Value>,
}

fn set(fields: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        fields.insert(key.to_owned(), value);
    }
}

fn list<T: ToString>(items: &[T]) -> Option<Value> {
    (!items.is_empty()).then(|| json!(items.iter().map(ToString::to_string).collect::<Vec<_>>()))
}

fn text<T: ToString>(value: &Option<T>) -> Option<Value> {
    value.as_ref().map(|value| Value::String(value.to_string()))
}

impl<'a> Invocation<'a> {
    fn plain(kind: &'static str, common: &'a CommandArgs) -> Self {
        Invocation {
            kind,
            common,
            fields: Map::new(),
            defaults: Map::new(),
        }
    }

    /// `smes counterpart ...`
    pub fn counterpart(command: &'a CounterpartCommand, app: &App) -> Self {
        match command {
            CounterpartCommand::Join(args) => {
                let mut invocation = Self::plain("join-counterpart", &args.common);
                let fields = &mut invocation.fields;
                set(fields, "counterpart", text(&args.id));
                invocation
                    .defaults
                    .insert("counterpart".to_owned(), json!(app.service().new_id()));
                let fields = &mut invocation.fields;
                set(fields, "name", text(&args.name));
                set(fields, "counterpart_kind", text(&args.kind));
                set(fields, "member_state", text(&args.member_state));
                set(fields, "thematic_areas", list(&args.areas));
                set(fields, "joined_on", text(&args.joined_on));
                if args.focal_point_name.is_some() || args.focal_point_email.is_some() {
                    let mut focal_point = Map::new();
                    set(&mut focal_point, "name", text(&args.focal_point_name));
                    set(&mut focal_point, "email", text(&args.focal_point_email));
                    fields.insert("focal_point".to_owned(), Value::Object(focal_point));
                }
                invocation
            }
            CounterpartCommand::ChangeFocalPoint(common) => Self::plain("change-focal-point", common),
            CounterpartCommand::Withdraw(common) => Self::plain("withdraw-counterpart", common),
            CounterpartCommand::CorrectDetails(common) => Self::plain("correct-counterpart-details", common),
        }
    }

    /// `smes consultation ...`
    pub fn consultation(command: &'a ConsultationCommand) -> Self {
        match command {
            ConsultationCommand::Schedule(common) => Self::plain("schedule-consultation", common),
            ConsultationCommand::Hold(args) => {
                let mut invocation = Self::plain("hold-consultation", &args.common);
                let fields = &mut invocation.fields;
                set(fields, "consultation", text(&args.id));
                set(fields, "held_on", text(&args.held_on));
                set(fields, "venue", text(&args.venue));
                set(fields, "participants", list(&args.participants));
                set(fields, "minutes_reference", text(&args.minutes));
                invocation
            }
            ConsultationCommand::Evaluate(args) => {
                let mut invocation = Self::plain("evaluate-achievements", &args.common);
                let fields = &mut invocation.fields;
                set(fields, "consultation", text(&args.consultation));
                if let Some(activity) = args.activity {
                    fields.insert(
                        "subject".to_owned(),
                        json!({"subject": "activity", "activity": activity}),
                    );
                }
                set(fields, "findings", text(&args.findings));
                let ratings: Vec<Value> = args
                    .ratings
                    .iter()
                    .map(|(criterion, score)| json!({"criterion": criterion, "score": score}))
                    .collect();
                if !ratings.is_empty() {
                    fields.insert("ratings".to_owned(), Value::Array(ratings));
                }
                invocation
                    .defaults
                    .insert("subject".to_owned(), json!({"subject": "programme"}));
                invocation
            }
            ConsultationCommand::Close(common) => Self::plain("close-consultation", common),
        }
    }

    /// `smes need ...`
    pub fn need(command: &'a NeedCommand, app: &App) -> Self {
        match command {
            NeedCommand::Identify(args) => {
                let mut invocation = Self::plain("identify-need", &args.common);
                let fields = &mut invocation.fields;
                set(fields, "consultation", text(&args.consultation));
                set(fields, "need", text(&args.id));
                invocation
                    .defaults
                    .insert("need".to_owned(), json!(app.service().new_id()));
                let fields = &mut invocation.fields;
                set(fields, "raised_by", list(&args.raised_by));
                set(fields, "thematic_area", text(&args.area));
                set(fields, "member_states", list(&args.member_states));
                set(fields, "priority", text(&args.priority));
                set(fields, "description", text(&args.description));
                set(fields, "identified_on", text(&args.identified_on));
                invocation
            }
        }
    }

    /// `smes activity ...`
    pub fn activity(command: &'a ActivityCommand) -> Self {
        match command {
            ActivityCommand::Propose(common) => Self::plain("propose-activity", common),
            ActivityCommand::Approve(args) => {
                let mut invocation = Self::plain("approve-activity", &args.common);
                let fields = &mut invocation.fields;
                set(fields, "activity", text(&args.id));
                set(fields, "work_programme", args.year.map(|year| json!(year)));
                let flags_given = args.council_decision.is_some()
                    || args.reference.is_some()
                    || args.rationale.is_some()
                    || args.decided_on.is_some();
                if flags_given {
                    let mut decision = Map::new();
                    let body = match &args.council_decision {
                        Some(number) => json!({"body": "latin-american-council", "decision_number": number}),
                        None => json!({"body": "permanent-secretariat"}),
                    };
                    decision.insert("body".to_owned(), body);
                    set(&mut decision, "reference", text(&args.reference));
                    set(&mut decision, "rationale", text(&args.rationale));
                    set(&mut decision, "decided_on", text(&args.decided_on));
                    fields.insert("decision".to_owned(), Value::Object(decision));
                }
                invocation
            }
            ActivityCommand::Reject(common) => Self::plain("reject-activity", common),
            ActivityCommand::Defer(common) => Self::plain("defer-activity", common),
            ActivityCommand::Hold(common) => Self::plain("hold-activity", common),
            ActivityCommand::Cancel(common) => Self::plain("cancel-activity", common),
            ActivityCommand::DefineIndicator(common) => Self::plain("define-indicator", common),
            ActivityCommand::Reschedule(common) => Self::plain("reschedule-activity", common),
            ActivityCommand::RecordResult(common) => Self::plain("record-result", common),
        }
    }

    /// `smes member-state ...` (`None` for `load`).
    pub fn member_state(command: &'a MemberStateCommand) -> Option<Self> {
        match command {
            MemberStateCommand::Join(common) => Some(Self::plain("join-system", common)),
            MemberStateCommand::Leave(common) => Some(Self::plain("leave-system", common)),
            MemberStateCommand::Load => None,
        }
    }

    /// `smes work-programme ...`
    pub fn work_programme(command: &'a WorkProgrammeCommand) -> Self {
        match command {
            WorkProgrammeCommand::Open(common) => Self::plain("open-work-programme", common),
            WorkProgrammeCommand::Adopt(common) => Self::plain("adopt-work-programme", common),
            WorkProgrammeCommand::Revise(common) => Self::plain("revise-work-programme", common),
            WorkProgrammeCommand::Close(common) => Self::plain("close-work-programme", common),
        }
    }

    /// `smes cooperation-source ...`
    pub fn cooperation_source(command: &'a CooperationSourceCommand) -> Self {
        match command {
            CooperationSourceCommand::Register(common) => Self::plain("register-cooperation-source", common),
            CooperationSourceCommand::RequestAssistance(common) => Self::plain("request-assistance", common),
            CooperationSourceCommand::Answer(common) => Self::plain("answer-assistance-request", common),
        }
    }

    /// `smes organisation ...`
    pub fn organisation(command: &'a OrganisationCommand) -> Self {
        match command {
            OrganisationCommand::Link(args) => {
                let mut invocation = Self::plain("link-organisation", &args.common);
                let fields = &mut invocation.fields;
                set(fields, "counterpart", text(&args.counterpart));
                set(fields, "cooperation_source", text(&args.cooperation_source));
                set(fields, "linked_on", text(&args.linked_on));
                set(fields, "reason", text(&args.reason));
                invocation
            }
        }
    }

    /// `smes offer ...`
    pub fn offer(command: &'a OfferCommand) -> Self {
        match command {
            OfferCommand::Record(common) => Self::plain("record-offer", common),
            OfferCommand::Commit(common) => Self::plain("commit-to-activity", common),
            OfferCommand::Disburse(common) => Self::plain("record-disbursement", common),
            OfferCommand::Spend(common) => Self::plain("record-expenditure", common),
        }
    }

    /// `smes in-kind ...`
    pub fn in_kind(command: &'a InKindCommand) -> Self {
        match command {
            InKindCommand::Value(common) => Self::plain("value-in-kind-contribution", common),
            InKindCommand::Revalue(common) => Self::plain("revalue-in-kind-contribution", common),
        }
    }

    /// `smes request ...`
    pub fn request(command: &'a RequestCommand) -> Self {
        match command {
            RequestCommand::Receive(common) => Self::plain("receive-request", common),
            RequestCommand::Link(common) => Self::plain("link-request", common),
            RequestCommand::Close(common) => Self::plain("close-request", common),
        }
    }

    /// `smes review ...`
    pub fn review(command: &'a ReviewCommand) -> Self {
        match command {
            ReviewCommand::Open(common) => Self::plain("open-review", common),
            ReviewCommand::RecordFindings(common) => Self::plain("record-review-findings", common),
            ReviewCommand::Close(common) => Self::plain("close-review", common),
        }
    }

    /// `smes exchange-rate ...`
    pub fn exchange_rate(command: &'a ExchangeRateCommand) -> Self {
        match command {
            ExchangeRateCommand::Record(common) => Self::plain("record-exchange-rate", common),
        }
    }

    /// Builds the command line (JSON, then flags over it) and runs it.
    pub async fn run(self, app: &App, actor: &Actor) -> Result<String> {
        let mut object = match &self.common.json {
            Some(text) => match serde_json::from_str::<Value>(text).context("--json is not JSON")? {
                Value::Object(object) => object,
                _ => bail!("--json must be a JSON object"),
            },
            None => Map::new(),
        };
        if let Some(kind) = object.get("kind")
            && kind != self.kind
        {
            bail!("--json names kind {kind}, but this subcommand is {}", self.kind);
        }
        object.insert("kind".to_owned(), json!(self.kind));
        object.extend(self.fields);
        // Under a given command id, a record the caller did not name gets an id made from it, so
        // the command run again under that id is the same command (a retry).
        let given_command_id = self.common.command_id.or_else(|| {
            object
                .get("command_id")
                .and_then(Value::as_str)
                .and_then(|text| Uuid::parse_str(text).ok())
        });
        for (key, value) in self.defaults {
            let value = given_command_id.map_or(value, |command_id| {
                json!(smes_app::id_from_command_id(command_id, &key))
            });
            object.entry(key).or_insert(value);
        }
        if let Some(command_id) = self.common.command_id {
            object.insert("command_id".to_owned(), json!(command_id));
        }
        if let Some(reason) = &self.common.why {
            object.insert("why".to_owned(), json!(reason));
        }
        let line = CommandLine::from_value(Value::Object(object)).map_err(|reason| anyhow::anyhow!(reason))?;
        let mut context = actor.context(Source::Cli);
        context.command_id = Some(line.command_id.unwrap_or_else(|| app.service().new_id()));
        context.reason = line.reason.clone();
        context.correlation_id = line.correlation_id;
        context.causation_id = line.causation_id;
        let executed = app.run(&context, &line.command).await?;
        Ok(describe(self.kind, &executed, context.command_id.unwrap_or_default()))
    }
}

fn describe(kind: &str, executed: &Executed, command_id: Uuid) -> String {
    let outcome = &executed.outcome;
    if executed.already_applied {
        format!(
            "{kind}: command {command_id} was already applied to {} (versions {}-{}); nothing written\n",
            executed.stream, outcome.first_version, outcome.last_version
        )
    } else {
        // Decided more than once: another command changed the stream between load and append.
        let retried = match executed.attempts {
            0 | 1 => String::new(),
            2 => "; decided again after 1 version conflict".to_owned(),
            attempts => format!("; decided again after {} version conflicts", attempts - 1),
        };
        format!(
            "{kind}: {} written to {} (version {}, position {}), command {command_id}{retried}\n",
            executed.event_types.join(", "),
            executed.stream,
            outcome.last_version,
            outcome.last_position
        )
    }
}
