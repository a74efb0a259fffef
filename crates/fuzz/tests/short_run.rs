//! The short fuzz run of CI: every target over its whole corpus and a bounded number of mutated
//! inputs with a fixed seed, without a finding; and the harness itself catches, saves and
//! reports an input that breaks a property.

use std::path::Path;

use smes_fuzz::runner::{Budget, load_corpus, run};
use smes_fuzz::targets::{TARGETS, Target};

/// Mutated inputs per target: a couple of seconds each in a debug build.
const EXECUTIONS: u64 = 10_000;

fn corpus(target: &str) -> Vec<Vec<u8>> {
    load_corpus(&Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target)).unwrap()
}

#[test]
fn every_target_runs_its_corpus_and_mutations_without_a_finding() {
    let findings = tempfile::tempdir().unwrap();
    for target in TARGETS {
        let corpus = corpus(target.name);
        assert!(!corpus.is_empty(), "{} has no corpus", target.name);
        let budget = Budget {
            time: None,
            executions: Some(corpus.len() as u64 + EXECUTIONS),
        };
        let report = run(target, &corpus, budget, 20_131_017, findings.path()).unwrap();
        assert_eq!(report.executions, corpus.len() as u64 + EXECUTIONS, "{}", target.name);
        if let Some(finding) = report.finding {
            panic!(
                "{}: {} (input {:?})",
                target.name,
                finding.message,
                String::from_utf8_lossy(&finding.input)
            );
        }
    }
}

#[test]
fn every_corpus_entry_of_the_real_data_is_accepted() {
    // The corpus is real data (a demo log's records, checkpoints and proofs, the import
    // examples): each entry must reach past the parser, or the target tests nothing.
    for target in TARGETS {
        for (index, entry) in corpus(target.name).iter().enumerate() {
            assert!(
                (target.check)(entry),
                "{} refuses its corpus entry {index}: {:?}",
                target.name,
                String::from_utf8_lossy(entry)
            );
        }
    }
}

fn breaks_on_a_digit(input: &[u8]) -> bool {
    assert!(!input.contains(&b'7'), "a seven was read");
    true
}

#[test]
fn an_input_that_breaks_a_property_is_saved_and_reported() {
    let findings = tempfile::tempdir().unwrap();
    let target = Target {
        name: "planted",
        description: "panics on the digit seven",
        check: breaks_on_a_digit,
    };
    let corpus = vec![b"{\"a\":1}".to_vec(), b"123456".to_vec()];
    let budget = Budget {
        time: None,
        executions: Some(100_000),
    };
    let report = run(&target, &corpus, budget, 1, findings.path()).unwrap();
    let finding = report.finding.expect("mutation reaches a seven");
    assert!(finding.input.contains(&b'7'));
    assert!(finding.message.contains("a seven was read"), "{}", finding.message);
    assert!(
        finding.message.contains("short_run.rs"),
        "the place is kept: {}",
        finding.message
    );
    assert_eq!(std::fs::read(&finding.saved).unwrap(), finding.input);
    let message = std::fs::read_to_string(finding.saved.with_extension("txt")).unwrap();
    assert!(message.contains("a seven was read"));
    assert!(report.executions < 100_000, "the run stops at the finding");
}
