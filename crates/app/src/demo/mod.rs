//! `smes demo`: a realistic sample of the programme's first year, written to a fresh log.
//!
//! The sample follows the 2012 proposal (SP/CL/XXXVIII.O/DT N° 10): the Member States as
//! recorded in the domain's membership file; a 2013 work programme of about US$ 200,000;
//! counterparts from several Member States with their focal points (sealed); three
//! consultations and the needs they identified; a dozen activities across thematic areas,
//! approved by a Council Decision or by the Secretariat, funded from SELA's regular budget, a
//! development bank and in-kind host contributions; some held with results, one rejected, one
//! deferred, and one possible duplicate recorded with the reason it was not one. Names of
//! people, decision numbers and document references are invented for the sample.
//!
//! Every id and business date is fixed, and the commands go through the same line format as
//! `smes import` ([`CommandLine`]), so two runs write the same events except for record times
//! and the sealed envelopes (whose keys and nonces are random by design: a key that anyone
//! could recompute could not be forgotten).

mod summary;

use std::sync::atomic::{AtomicU64, Ordering};

use jiff::civil::{Date, date};
use serde_json::{Value, json};
use smes_domain::ids::PersonId;
use smes_eventlog::IdSource;
use uuid::Uuid;

pub use self::summary::{Summary, WorkProgrammeTotals, summarise};
use crate::app::App;
use crate::commands::CommandLine;
use crate::error::{Error, Result};
use crate::service::{CommandContext, Source};

/// The demo's actor: a pseudonymous id whose name is kept sealed in the key store.
pub const DEMO_ACTOR_PERSON: u128 = 0x5e1a_0001_0000_4000_8000_0000_0000_0001;

/// The demo actor's name (sealed; never in the log).
pub const DEMO_ACTOR_NAME: &str = "María Fernanda Rojas";

/// The demo actor's role.
pub const DEMO_ROLE: &str = "secretariat";

/// Event ids for the demo: fixed, so that two runs write the same events.
#[derive(Debug, Default)]
pub struct DemoIds {
    next: AtomicU64,
}

impl IdSource for DemoIds {
    fn next_id(&self) -> Uuid {
        let n = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        uuid(0xE0, n)
    }
}

/// A fixed id of the sample: a kind byte and a number, laid out as a version-4 UUID.
fn uuid(kind: u8, n: u64) -> Uuid {
    Uuid::from_u128((0x5e1a_0000_0000_4000_8000_0000_0000_0000u128) | (u128::from(kind) << 80) | u128::from(n))
}

fn id(kind: u8, n: u64) -> String {
    uuid(kind, n).to_string()
}

const COUNTERPART: u8 = 0xC0;
const PERSON: u8 = 0xF0;
const CONSULTATION: u8 = 0xC5;
const NEED: u8 = 0x4E;
const ACTIVITY: u8 = 0xAC;
const SOURCE: u8 = 0xB0;
const OFFER: u8 = 0x0F;
const COMMITMENT: u8 = 0xC1;
const CONTRIBUTION: u8 = 0x1C;
const COMMAND: u8 = 0xCD;

/// One step of the sample: a command line and the business date of its undated events.
#[derive(Debug, Clone)]
pub struct DemoStep {
    /// The command, with its fixed command id.
    pub line: CommandLine,
    /// The business date of the step.
    pub on: Date,
}

fn usd(amount: i64, value_date: &str) -> Value {
    json!({"amount": amount.to_string(), "currency": "USD", "value_date": value_date})
}

fn period(start: &str, end: &str) -> Value {
    json!({"start": start, "end": end})
}

fn secretariat_approval(reference: &str, rationale: &str, on: &str) -> Value {
    json!({"body": {"body": "permanent-secretariat"}, "reference": reference, "rationale": rationale, "decided_on": on})
}

/// The sample's commands after the Member States, in business order.
pub fn script() -> Result<Vec<DemoStep>> {
    let mut raw: Vec<(Date, Value)> = Vec::new();
    let mut add = |on: Date, value: Value| raw.push((on, value));

    // The work programme, opened and adopted at the Council's XXXVIII Regular Meeting.
    add(
        date(2012, 10, 17),
        json!({"kind": "open-work-programme", "year": 2013,
               "estimated_budget": usd(200_000, "2012-10-17"), "opened_on": "2012-10-17"}),
    );
    add(
        date(2012, 10, 19),
        json!({"kind": "adopt-work-programme", "year": 2013, "decision": {
            "body": {"body": "latin-american-council", "decision_number": "N° 540 (sample)"},
            "reference": "SP/CL/XXXVIII.O/DT N° 10",
            "rationale": "Adopts the SELA-SMEs Programme for 2013 as proposed by the Permanent Secretariat",
            "decided_on": "2012-10-19"}}),
    );

    // Counterparts and their focal points.
    // (n, name, kind, Member State, thematic areas, focal point, e-mail, joined on).
    type Counterpart<'a> = (u64, &'a str, &'a str, &'a str, &'a [&'a str], &'a str, &'a str, &'a str);
    let counterparts: [Counterpart; 8] = [
        (
            1,
            "Ministerio de la Producción",
            "public",
            "PE",
            &["financing", "public-policies"],
            "Rosa Quispe Mamani",
            "rosa.quispe@produce.example",
            "2012-11-05",
        ),
        (
            2,
            "Servicio Brasileiro de Apoio às Micro e Pequenas Empresas (SEBRAE)",
            "private",
            "BR",
            &["entrepreneurship", "gender-equality"],
            "João Carlos Pereira",
            "joao.pereira@sebrae.example",
            "2012-11-05",
        ),
        (
            3,
            "Instituto Nacional del Emprendedor",
            "public",
            "MX",
            &["public-policies", "entrepreneurship"],
            "Laura Hernández Ortiz",
            "laura.hernandez@inadem.example",
            "2012-11-06",
        ),
        (
            4,
            "Corporación de Fomento de la Producción (CORFO)",
            "public",
            "CL",
            &["financing", "innovation-icts-competitiveness"],
            "Felipe Araya Soto",
            "felipe.araya@corfo.example",
            "2012-11-06",
        ),
        (
            5,
            "Banco de Desarrollo Productivo",
            "public",
            "BO",
            &["financing"],
            "Carmen Vargas Rojas",
            "carmen.vargas@bdp.example",
            "2012-11-07",
        ),
        (
            6,
            "Cámara de Comercio de Bogotá",
            "private",
            "CO",
            &["internationalization", "productive-articulation"],
            "Andrés Gómez Restrepo",
            "andres.gomez@ccb.example",
            "2012-11-07",
        ),
        (
            7,
            "National Entrepreneurship Development Company",
            "public",
            "TT",
            &["entrepreneurship", "bilateral-technical-assistance"],
            "Keisha Baptiste",
            "keisha.baptiste@nedco.example",
            "2012-11-08",
        ),
        (
            8,
            "Fondo Nacional de Garantías",
            "mixed",
            "CO",
            &["financing"],
            "Marta Lucía Salazar",
            "marta.salazar@fng.example",
            "2012-11-08",
        ),
    ];
    for (n, name, kind, state, areas, person, email, on) in counterparts {
        add(
            on.parse().expect("a fixed date"),
            json!({"kind": "join-counterpart", "counterpart": id(COUNTERPART, n), "name": name,
                   "counterpart_kind": kind, "member_state": state, "thematic_areas": areas,
                   "focal_point": {"person": id(PERSON, n), "name": person, "email": email},
                   "joined_on": on}),
        );
    }
    add(
        date(2012, 11, 9),
        json!({"kind": "register-cooperation-source", "cooperation_source": id(SOURCE, 1),
               "name": "CAF – Development Bank of Latin America", "source_kind": "regional",
               "country": "VE", "registered_on": "2012-11-09"}),
    );
    // A national development bank already a counterpart takes the cooperation source role too:
    // one organisation, registered once, with two roles.
    add(
        date(2012, 11, 20),
        json!({"kind": "register-cooperation-source", "cooperation_source": id(SOURCE, 2),
               "counterpart": id(COUNTERPART, 5), "source_kind": "local", "country": "BO",
               "registered_on": "2012-11-20"}),
    );

    // Funding: SELA's regular budget and the development bank.
    add(
        date(2012, 11, 12),
        json!({"kind": "record-offer", "offer": id(OFFER, 1), "source": {"source": "sela-regular-budget"},
               "offer_kind": "money", "amount": usd(120_000, "2012-11-12"),
               "purpose": "SELA regular budget 2013 for the SELA-SMEs Programme", "recorded_on": "2012-11-12"}),
    );
    add(
        date(2012, 12, 10),
        json!({"kind": "record-offer", "offer": id(OFFER, 2),
               "source": {"source": "cooperation-source", "id": id(SOURCE, 1)},
               "offer_kind": "money", "amount": usd(60_000, "2012-12-10"),
               "purpose": "Co-financing of financing and internationalization activities in 2013",
               "recorded_on": "2012-12-10"}),
    );

    // Consultations and the needs they identified.
    // (n, title, held on, venue, minutes, participants).
    type Consultation<'a> = (u64, &'a str, &'a str, &'a str, &'a str, &'a [u64]);
    let consultations: [Consultation; 3] = [
        (
            1,
            "Regional consultation on SME financing and guarantee systems",
            "2012-11-22",
            "Lima, Peru",
            "SP/CR-PYMES/Acta 1-12 (sample)",
            &[1, 4, 5, 8],
        ),
        (
            2,
            "Consultation on public policies and entrepreneurship",
            "2013-01-31",
            "Mexico City, Mexico",
            "SP/CR-PYMES/Acta 1-13 (sample)",
            &[2, 3, 7],
        ),
        (
            3,
            "Consultation on internationalization and productive articulation",
            "2013-03-14",
            "Bogotá, Colombia",
            "SP/CR-PYMES/Acta 2-13 (sample)",
            &[2, 6, 8],
        ),
    ];
    // (n, consultation, raised by, thematic area, Member States, priority, description).
    type Need<'a> = (u64, u64, &'a [u64], &'a str, &'a [&'a str], &'a str, &'a str);
    let needs: [Need; 7] = [
        (
            1,
            1,
            &[5, 8],
            "financing",
            &["PE", "BO", "CO"],
            "high",
            "Strengthen national guarantee systems so that SMEs without collateral reach bank credit",
        ),
        (
            2,
            1,
            &[1, 4],
            "financing",
            &["PE", "CL"],
            "medium",
            "Train credit officers of development banks in SME risk assessment",
        ),
        (
            3,
            2,
            &[3, 7],
            "public-policies",
            &["MX", "TT", "BR"],
            "high",
            "Exchange best practice in the design and evaluation of SME public policies",
        ),
        (
            4,
            2,
            &[7],
            "entrepreneurship",
            &["TT"],
            "medium",
            "Support the national business-incubation system of Trinidad and Tobago",
        ),
        (
            5,
            2,
            &[2, 3],
            "gender-equality",
            &["BR", "MX"],
            "medium",
            "Financial and training instruments for women entrepreneurs",
        ),
        (
            6,
            3,
            &[2, 6],
            "internationalization",
            &["CO", "BR"],
            "high",
            "Business missions and meetings to open regional markets to SMEs",
        ),
        (
            7,
            3,
            &[6],
            "productive-articulation",
            &["CO"],
            "low",
            "Methodologies for cluster development",
        ),
    ];
    for (n, title, held_on, venue, minutes, participants) in consultations {
        let held: Date = held_on.parse().expect("a fixed date");
        let scheduled = held.checked_sub(jiff::Span::new().days(2)).expect("in range");
        add(
            scheduled,
            json!({"kind": "schedule-consultation", "consultation": id(CONSULTATION, n), "title": title,
                   "scheduled_for": held_on, "venue": venue}),
        );
        add(
            held,
            json!({"kind": "hold-consultation", "consultation": id(CONSULTATION, n), "held_on": held_on,
                   "venue": venue, "minutes_reference": minutes,
                   "participants": participants.iter().map(|p| id(COUNTERPART, *p)).collect::<Vec<_>>()}),
        );
        for (need, consultation, raised_by, area, states, priority, description) in needs {
            if consultation != n {
                continue;
            }
            add(
                held,
                json!({"kind": "identify-need", "consultation": id(CONSULTATION, n), "need": id(NEED, need),
                       "raised_by": raised_by.iter().map(|p| id(COUNTERPART, *p)).collect::<Vec<_>>(),
                       "thematic_area": area, "member_states": states, "priority": priority,
                       "description": description, "identified_on": held_on}),
            );
        }
    }

    // Activities: (n, kind, title, area, needs, host, proposer, planned, cost, proposed_on).
    type Activity<'a> = (
        u64,
        &'a str,
        &'a str,
        &'a str,
        &'a [u64],
        &'a str,
        Option<u64>,
        (&'a str, &'a str),
        i64,
        &'a str,
    );
    let activities: [Activity; 12] = [
        (
            1,
            "dissemination",
            "SELA-SMEs web site with the presentations, reports and videos of every event",
            "dissemination",
            &[],
            "VE",
            None,
            ("2013-01-15", "2013-12-15"),
            12_000,
            "2012-10-15",
        ),
        (
            2,
            "seminar",
            "Regional seminar on guarantee systems for SMEs",
            "financing",
            &[1],
            "PE",
            Some(1),
            ("2013-04-10", "2013-04-11"),
            30_000,
            "2012-12-03",
        ),
        (
            3,
            "training-workshop",
            "Training workshop on SME credit risk assessment",
            "financing",
            &[2],
            "CL",
            None,
            ("2013-06-05", "2013-06-07"),
            18_000,
            "2012-12-03",
        ),
        (
            4,
            "training-workshop",
            "Workshop on public policies for SMEs: exchange of best practice",
            "public-policies",
            &[3],
            "MX",
            Some(3),
            ("2013-05-20", "2013-05-21"),
            25_000,
            "2013-02-11",
        ),
        (
            5,
            "technical-assistance",
            "Technical assistance to the national business-incubation system",
            "entrepreneurship",
            &[4],
            "TT",
            Some(7),
            ("2013-07-01", "2013-09-30"),
            15_000,
            "2013-02-11",
        ),
        (
            6,
            "seminar",
            "Seminar on financial instruments for women entrepreneurs",
            "gender-equality",
            &[5],
            "BR",
            Some(2),
            ("2013-09-16", "2013-09-17"),
            20_000,
            "2013-02-12",
        ),
        (
            7,
            "business-mission",
            "Business mission of Andean and Brazilian SMEs to Panama",
            "internationalization",
            &[6],
            "PA",
            Some(6),
            ("2013-08-12", "2013-08-16"),
            22_000,
            "2013-03-18",
        ),
        (
            8,
            "training-workshop",
            "Workshop on cluster development methodologies",
            "productive-articulation",
            &[7],
            "CO",
            Some(6),
            ("2013-10-08", "2013-10-09"),
            14_000,
            "2013-03-18",
        ),
        (
            9,
            "seminar",
            "Seminar on counter-guarantees and reinsurance for guarantee funds",
            "financing",
            &[1],
            "PE",
            Some(8),
            ("2013-04-11", "2013-04-12"),
            8_000,
            "2013-03-19",
        ),
        (
            10,
            "business-meeting",
            "Business meeting on SME internationalization",
            "internationalization",
            &[6],
            "CO",
            Some(6),
            ("2013-11-05", "2013-11-06"),
            16_000,
            "2013-03-19",
        ),
        (
            11,
            "study-or-publication",
            "Study of SME financing instruments in Latin America and the Caribbean",
            "financing",
            &[2],
            "VE",
            None,
            ("2013-03-01", "2013-09-30"),
            10_000,
            "2012-12-04",
        ),
        (
            12,
            "business-fair",
            "Caribbean SME business fair",
            "internationalization",
            &[],
            "BB",
            None,
            ("2013-11-20", "2013-11-22"),
            35_000,
            "2013-03-20",
        ),
    ];
    for (n, kind, title, area, answers, host, proposer, (start, end), cost, proposed_on) in activities {
        let proposed_by = match proposer {
            Some(counterpart) => json!({"proposer": "counterpart", "counterpart": id(COUNTERPART, counterpart)}),
            None => json!({"proposer": "secretariat"}),
        };
        let mut line = json!({"kind": "propose-activity", "activity": id(ACTIVITY, n), "activity_kind": kind,
            "title": title, "thematic_area": area,
            "answers_needs": answers.iter().map(|need| id(NEED, *need)).collect::<Vec<_>>(),
            "host": host, "proposed_by": proposed_by, "planned": period(start, end),
            "estimated_cost": usd(cost, proposed_on), "proposed_on": proposed_on});
        if n == 9 {
            line["duplicate_override"] = json!(
                "Not a duplicate: addressed to guarantee-fund managers, not policy makers, and held back to back with the regional seminar to share travel costs"
            );
        }
        add(proposed_on.parse().expect("a fixed date"), line);
    }

    // Decisions on the activities.
    add(
        date(2012, 10, 19),
        json!({"kind": "approve-activity", "activity": id(ACTIVITY, 1), "work_programme": 2013, "decision": {
            "body": {"body": "latin-american-council", "decision_number": "N° 540 (sample)"},
            "reference": "SP/CL/XXXVIII.O/DT N° 10",
            "rationale": "Thematic area 10: a web site disseminating every event of the programme",
            "decided_on": "2012-10-19"}}),
    );
    let approvals: [(u64, &str, &str); 9] = [
        (
            2,
            "2012-12-14",
            "Answers the high-priority need for guarantee systems raised in Lima",
        ),
        (
            3,
            "2012-12-14",
            "Answers the need to train credit officers raised in Lima",
        ),
        (11, "2012-12-14", "Evidence base for the financing workshops"),
        (
            4,
            "2013-02-15",
            "Answers the need for best practice in SME policy raised in Mexico City",
        ),
        (
            5,
            "2013-02-15",
            "Bilateral technical assistance requested by Trinidad and Tobago",
        ),
        (
            6,
            "2013-02-15",
            "Answers the need for instruments for women entrepreneurs",
        ),
        (
            7,
            "2013-03-28",
            "Answers the high-priority internationalization need raised in Bogotá",
        ),
        (
            9,
            "2013-03-28",
            "Complements the regional seminar for guarantee-fund managers",
        ),
        (
            10,
            "2013-03-28",
            "Answers the internationalization need raised in Bogotá",
        ),
    ];
    for (n, on, rationale) in approvals {
        add(
            on.parse().expect("a fixed date"),
            json!({"kind": "approve-activity", "activity": id(ACTIVITY, n), "work_programme": 2013,
                   "decision": secretariat_approval(&format!("SP/Di N° {n}-13 (sample)"), rationale, on)}),
        );
    }
    add(
        date(2013, 3, 28),
        json!({"kind": "reject-activity", "activity": id(ACTIVITY, 8), "decided_on": "2013-03-28",
               "rationale": "Low-priority need already covered by a national cluster programme; resources go to higher priorities"}),
    );
    add(
        date(2013, 4, 2),
        json!({"kind": "defer-activity", "activity": id(ACTIVITY, 12), "decided_on": "2013-04-02",
               "rationale": "Awaiting a host-country contribution for the venue before deciding"}),
    );

    // Commitments: (n, offer, activity, amount, date).
    let commitments: [(u64, u64, u64, i64, &str); 10] = [
        (1, 1, 1, 12_000, "2013-01-10"),
        (2, 2, 2, 30_000, "2013-01-10"),
        (3, 1, 3, 18_000, "2013-01-10"),
        (4, 1, 11, 10_000, "2013-01-10"),
        (5, 1, 4, 25_000, "2013-02-20"),
        (6, 1, 5, 15_000, "2013-02-20"),
        (7, 1, 6, 20_000, "2013-02-20"),
        (8, 2, 7, 22_000, "2013-04-01"),
        (9, 2, 9, 8_000, "2013-04-01"),
        (10, 1, 10, 16_000, "2013-04-01"),
    ];
    for (n, offer, activity, amount, on) in commitments {
        add(
            on.parse().expect("a fixed date"),
            json!({"kind": "commit-to-activity", "offer": id(OFFER, offer), "commitment": id(COMMITMENT, n),
                   "activity": id(ACTIVITY, activity), "amount": usd(amount, on), "committed_on": on}),
        );
    }

    // Activities held, with participants and outputs, and the hosts' in-kind contributions.
    type Held<'a> = (
        u64,
        (&'a str, &'a str),
        (u32, u32),
        &'a [(&'a str, u32)],
        &'a [(&'a str, &'a str)],
    );
    let held: [Held; 4] = [
        (
            2,
            ("2013-04-10", "2013-04-11"),
            (38, 41),
            &[("PE", 30), ("BO", 12), ("CO", 15), ("CL", 10), ("MX", 6), ("BR", 6)],
            &[
                ("report", "Final report of the regional seminar on guarantee systems"),
                ("video", "Opening panel: guarantee systems in the region"),
            ],
        ),
        (
            9,
            ("2013-04-11", "2013-04-12"),
            (14, 17),
            &[("PE", 12), ("CO", 9), ("BO", 5), ("CL", 5)],
            &[("presentation", "Counter-guarantees and reinsurance: presentations")],
        ),
        (
            4,
            ("2013-05-20", "2013-05-21"),
            (27, 22),
            &[("MX", 25), ("TT", 8), ("BR", 9), ("GT", 7)],
            &[("report", "Best practice in SME public policies: workshop report")],
        ),
        (
            3,
            ("2013-06-05", "2013-06-07"),
            (19, 16),
            &[("CL", 21), ("PE", 14)],
            &[("presentation", "SME credit risk assessment: course materials")],
        ),
    ];
    for (n, (start, end), (women, men), by_state, outputs) in held {
        let end_date: Date = end.parse().expect("a fixed date");
        add(
            end_date,
            json!({"kind": "hold-activity", "activity": id(ACTIVITY, n), "held": period(start, end),
                   "participants": {
                       "by_sex": [{"sex": "female", "value": women}, {"sex": "male", "value": men}],
                       "by_member_state": by_state.iter().map(|(state, value)| json!({"member_state": state, "value": value})).collect::<Vec<_>>()},
                   "outputs": outputs.iter().enumerate().map(|(index, (kind, title))| json!({"kind": kind, "title": title,
                       "link": format!("https://sela-smes.example/events/{n}/{}", index + 1)})).collect::<Vec<_>>()}),
        );
    }
    let in_kind: [(u64, u64, &str, &str, i64, &str); 4] = [
        (
            1,
            2,
            "PE",
            "Conference venue, interpretation and local transport",
            9_000,
            "2013-04-12",
        ),
        (2, 9, "PE", "Meeting room and coffee breaks", 1_500, "2013-04-12"),
        (3, 4, "MX", "Venue and simultaneous interpretation", 6_000, "2013-05-22"),
        (4, 3, "CL", "Training rooms and course materials", 4_500, "2013-06-07"),
    ];
    for (n, activity, host, what, value, on) in in_kind {
        // CORFO, a counterpart, lends its own training rooms in Chile: given by the organisation,
        // not by the Member State.
        let contributor = if n == 4 {
            json!({"contributor": "counterpart", "id": id(COUNTERPART, 4)})
        } else {
            json!({"contributor": "member-state", "member_state": host})
        };
        add(
            on.parse().expect("a fixed date"),
            json!({"kind": "value-in-kind-contribution", "contribution": id(CONTRIBUTION, n),
                   "activity": id(ACTIVITY, activity), "contributor": contributor, "what": what,
                   "value": usd(value, on), "valued_on": on}),
        );
    }
    add(
        date(2013, 3, 20),
        json!({"kind": "close-consultation", "consultation": id(CONSULTATION, 1), "closed_on": "2013-03-20"}),
    );

    // Business order; the sort is stable, so steps of one day keep the order written above.
    raw.sort_by_key(|(on, _)| *on);
    raw.into_iter()
        .enumerate()
        .map(|(index, (on, mut value))| {
            value["command_id"] = json!(id(COMMAND, index as u64 + 1));
            let line = CommandLine::from_value(value).map_err(Error::InvalidCommand)?;
            Ok(DemoStep { line, on })
        })
        .collect()
}

/// Writes the sample to an empty log. Refuses a log that holds events.
pub async fn run(app: &App, location: &str) -> Result<Summary> {
    let head = app.service().store().head().await?;
    if head.position > 0 {
        return Err(Error::LogNotEmpty {
            location: location.to_owned(),
            events: head.position,
        });
    }
    let actor = app
        .sealer()
        .register_actor(PersonId::new(Uuid::from_u128(DEMO_ACTOR_PERSON))?, DEMO_ACTOR_NAME)
        .await?;
    let base = CommandContext::new(actor, DEMO_ROLE, Source::Demo);

    crate::membership::load_with(app, &base, |index, _| uuid(0xAB, index as u64 + 1)).await?;
    for step in script()? {
        let mut context = base.clone();
        context.command_id = step.line.command_id;
        context.reason = step.line.reason.clone();
        context.business_date = Some(step.on);
        app.run(&context, &step.line.command).await?;
    }
    summarise(app).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_parses_and_every_command_id_is_distinct() {
        let steps = script().unwrap();
        let ids: std::collections::BTreeSet<Uuid> = steps.iter().filter_map(|step| step.line.command_id).collect();
        assert_eq!(ids.len(), steps.len());
        assert!(steps.windows(2).all(|pair| pair[0].on <= pair[1].on));
    }

    #[test]
    fn demo_ids_are_fixed() {
        let ids = DemoIds::default();
        assert_eq!(ids.next_id().to_string(), "5e1a0000-00e0-4000-8000-000000000001");
        assert_eq!(uuid(COUNTERPART, 3).to_string(), "5e1a0000-00c0-4000-8000-000000000003");
    }
}
