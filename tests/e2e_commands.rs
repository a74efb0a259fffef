//! End-to-end tests of the one-subcommand-per-command interface, with flags and with JSON.

mod support;

use std::path::Path;

use support::{smes, stderr, stdout};

fn id(n: u32) -> String {
    format!("5e1a0000-0000-4000-8000-{n:012x}")
}

fn run(dir: &Path, args: &[&str]) -> String {
    let output = smes(dir, args);
    assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    stdout(&output)
}

#[test]
fn a_programme_is_recorded_through_subcommands_with_flags_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    run(dir, &["init"]);
    // The countries the commands name are checked against the membership history: 31 events.
    run(dir, &["member-state", "load"]);
    let (counterpart, consultation, need, activity) = (id(1), id(2), id(3), id(4));
    let command_id = id(100);
    let join_args: Vec<&str> = vec![
        "counterpart",
        "join",
        "--id",
        &counterpart,
        "--name",
        "Corporación de Fomento de la Producción",
        "--kind",
        "public",
        "--member-state",
        "CL",
        "--area",
        "financing",
        "--area",
        "innovation-icts-competitiveness",
        "--focal-point-name",
        "Felipe Araya",
        "--focal-point-email",
        "felipe@corfo.example",
        "--joined-on",
        "2012-11-06",
        "--command-id",
        &command_id,
    ];
    let joined = run(dir, &join_args);
    assert_eq!(
        joined,
        format!(
            "join-counterpart: CounterpartJoined written to counterpart-{counterpart} (version 1, position 32), command {}\n",
            id(100)
        )
    );
    // The same command again under the same command id: applied once.
    let again = smes(dir, &join_args);
    assert_eq!(
        stdout(&again),
        format!(
            "join-counterpart: command {} was already applied to counterpart-{counterpart} (versions 1-1); nothing written\n",
            id(100)
        )
    );
    // Another command under the same id (another name for the same counterpart): refused.
    let mut other = join_args.clone();
    other[5] = "Corfo";
    let refused = smes(dir, &other);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).starts_with(&format!(
            "error: command id {} was already used for a different command (applied to stream counterpart-{counterpart})",
            id(100)
        )),
        "{}",
        stderr(&refused)
    );
    run(
        dir,
        &[
            "consultation",
            "schedule",
            "--json",
            &format!(
                r#"{{"consultation":"{consultation}","title":"Consultation on SME financing","scheduled_for":"2012-11-22","venue":"Santiago"}}"#
            ),
        ],
    );
    run(
        dir,
        &[
            "consultation",
            "hold",
            "--id",
            &consultation,
            "--held-on",
            "2012-11-22",
            "--venue",
            "Santiago",
            "--participant",
            &counterpart,
            "--minutes",
            "Acta 1-12",
        ],
    );
    run(
        dir,
        &[
            "need",
            "identify",
            "--consultation",
            &consultation,
            "--id",
            &need,
            "--raised-by",
            &counterpart,
            "--area",
            "financing",
            "--member-state",
            "CL",
            "--priority",
            "high",
            "--description",
            "Guarantee systems for SMEs without collateral",
        ],
    );
    let evaluated = run(
        dir,
        &[
            "consultation",
            "evaluate",
            "--consultation",
            &consultation,
            "--findings",
            "The 2012 seminars reached their audience",
            "--rating",
            "relevance=Satisfactory",
            "--rating",
            "reach=3",
        ],
    );
    assert!(
        evaluated.starts_with("evaluate-achievements: AchievementsEvaluated written"),
        "{evaluated}"
    );
    let consultation_history = run(dir, &["history", &format!("consultation-{consultation}")]);
    assert!(
        consultation_history.contains("subject: programme"),
        "{consultation_history}"
    );
    assert!(consultation_history.contains("score: 4"), "{consultation_history}");
    assert!(consultation_history.contains("score: 3"), "{consultation_history}");
    run(
        dir,
        &[
            "work-programme",
            "open",
            "--json",
            r#"{"year":2013,"estimated_budget":{"amount":"200000","currency":"USD","value_date":"2012-10-17"},"opened_on":"2012-10-17"}"#,
        ],
    );
    run(
        dir,
        &[
            "activity",
            "propose",
            "--json",
            &format!(
                r#"{{"activity":"{activity}","activity_kind":"seminar","title":"Seminar on guarantee systems","thematic_area":"financing","answers_needs":["{need}"],"host":"CL","proposed_by":{{"proposer":"counterpart","counterpart":"{counterpart}"}},"planned":{{"start":"2013-04-10","end":"2013-04-11"}},"estimated_cost":{{"amount":"30000","currency":"USD","value_date":"2012-12-03"}},"proposed_on":"2012-12-03"}}"#
            ),
        ],
    );
    let approved = run(
        dir,
        &[
            "activity",
            "approve",
            "--id",
            &activity,
            "--year",
            "2013",
            "--reference",
            "SP/Di N° 2-12",
            "--rationale",
            "Answers the guarantee-systems need",
            "--decided-on",
            "2012-12-14",
            "--why",
            "approved at the December coordination meeting",
        ],
    );
    assert!(
        approved.starts_with(&format!(
            "approve-activity: ActivityApproved written to activity-{activity} (version 2"
        )),
        "{approved}"
    );
    let history = run(dir, &["history", &format!("activity-{activity}")]);
    assert!(history.contains("#2 ActivityApproved (schema v1)"), "{history}");
    assert!(
        history.contains("  reason         approved at the December coordination meeting\n"),
        "{history}"
    );
    assert!(history.contains("      body: permanent-secretariat\n"), "{history}");
    let verify = run(dir, &["verify"]);
    assert!(verify.starts_with("verified 39 events"), "{verify}");
}

#[test]
fn bad_input_to_a_subcommand_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    run(dir, &["init"]);
    let cases: [(&[&str], &str); 4] = [
        (
            &["counterpart", "join", "--name", "x"],
            "error: join-counterpart: counterpart_kind is missing\n",
        ),
        (
            &["consultation", "close", "--json", "[1]"],
            "error: --json must be a JSON object\n",
        ),
        (
            &["consultation", "close", "--json", "{"],
            "error: --json is not JSON: EOF while parsing an object at line 1 column 1\n",
        ),
        (
            &["consultation", "close", "--json", r#"{"kind":"close-request"}"#],
            "error: --json names kind \"close-request\", but this subcommand is close-consultation\n",
        ),
    ];
    for (args, expected) in cases {
        let output = smes(dir, args);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert_eq!(stderr(&output), expected, "{args:?}");
    }
    assert!(stdout(&smes(dir, &["log"])).is_empty(), "nothing written");
}

#[test]
fn an_actor_is_registered_under_a_pseudonym_and_named_only_outside_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    run(dir, &["init"]);
    let actor = run(dir, &["actor", "register", "Ana Lucía Pérez"]).trim().to_owned();
    assert!(
        actor.starts_with("actor-") && actor.len() == "actor-".len() + 36,
        "{actor}"
    );
    run(
        dir,
        &[
            "--actor",
            &actor,
            "work-programme",
            "open",
            "--json",
            r#"{"year":2013,"estimated_budget":{"amount":"200000","currency":"USD","value_date":"2012-10-17"},"opened_on":"2012-10-17"}"#,
        ],
    );
    let history = run(dir, &["history", "work-programme-2013"]);
    assert!(
        history.contains(&format!(
            "  by             {actor} (Ana Lucía Pérez), secretariat, via cli\n"
        )),
        "{history}"
    );
    let log = run(dir, &["log"]);
    assert!(log.contains(&actor) && !log.contains("Pérez"), "{log}");
}
