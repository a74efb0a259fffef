//! The decision trace of an activity, need, counterpart or decision, under a cut, in Markdown,
//! JSON or Graphviz `dot`.
//!
//! The steps come from `smes-projections` ([`DecisionTrace::trace`]) and carry no personal
//! data: counterparts by organisation, actors by pseudonymous id and role, focal points only as
//! "changed".

use std::fmt::Write as _;

use serde::Serialize;
use smes_domain::ids::{ActivityId, CounterpartId, NeedId};
use smes_projections::trace::{Stage, Step, Subject};
use smes_projections::{Anchor, Cut, DecisionTrace, LogSlice, fold_cut};

use crate::error::{Error, Result};
use crate::format::{cell, describe_cut};
use crate::options::Format;

/// The formats a trace can be written in.
pub const FORMATS: [Format; 3] = [Format::Markdown, Format::Json, Format::Dot];

/// The kinds of subject, as given on the command line.
pub const KINDS: [&str; 4] = ["activity", "need", "counterpart", "decision"];

/// Parses a subject: its kind and id (or, for a decision, its document reference).
pub fn parse_subject(kind: &str, id: &str) -> Result<Subject> {
    let invalid_id = |what: &'static str| Error::InvalidOption {
        option: "ID",
        value: id.to_owned(),
        allowed: format!("expected the {what}'s id, a UUID such as 5e1a0000-00ac-4000-8000-000000000002"),
    };
    match kind {
        "activity" => id
            .parse::<ActivityId>()
            .map(Subject::Activity)
            .map_err(|_| invalid_id("activity")),
        "need" => id.parse::<NeedId>().map(Subject::Need).map_err(|_| invalid_id("need")),
        "counterpart" => id
            .parse::<CounterpartId>()
            .map(Subject::Counterpart)
            .map_err(|_| invalid_id("counterpart")),
        "decision" => Ok(Subject::Decision(id.to_owned())),
        other => Err(Error::InvalidOption {
            option: "KIND",
            value: other.to_owned(),
            allowed: format!("expected one of {}", KINDS.join(", ")),
        }),
    }
}

/// A trace with what it was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TraceReport {
    /// Always `decision-trace`.
    pub report: &'static str,
    /// What it is about.
    pub subject: Subject,
    /// The cut in words.
    pub cut: String,
    /// The log prefix it was made from.
    pub anchor: Anchor,
    /// The steps, by stage, then log position.
    pub steps: Vec<Step>,
}

/// A subject's kind and id (or document reference), as given on the command line.
pub fn subject_parts(subject: &Subject) -> (&'static str, String) {
    match subject {
        Subject::Activity(id) => ("activity", id.to_string()),
        Subject::Need(id) => ("need", id.to_string()),
        Subject::Counterpart(id) => ("counterpart", id.to_string()),
        Subject::Decision(reference) => ("decision", reference.clone()),
    }
}

fn is_known(model: &DecisionTrace, subject: &Subject) -> bool {
    match subject {
        Subject::Activity(id) => model.activities.get(id).is_some_and(|links| !links.steps.is_empty()),
        Subject::Need(id) => model.needs.get(id).is_some_and(|links| links.step.is_some()),
        Subject::Counterpart(id) => model.counterparts.get(id).is_some_and(|links| !links.steps.is_empty()),
        Subject::Decision(reference) => model.decisions.contains_key(reference),
    }
}

/// The trace of a subject in a log prefix under a cut. A subject with no event under the cut is
/// an error.
pub fn build(log: &LogSlice, subject: Subject, cut: &Cut) -> Result<TraceReport> {
    let model: DecisionTrace = fold_cut(&log.envelopes, cut);
    if !is_known(&model, &subject) {
        let (kind, id) = subject_parts(&subject);
        let described = describe_cut(cut);
        return Err(Error::UnknownSubject {
            kind,
            id,
            cut: if cut == &Cut::everything() {
                String::new()
            } else {
                format!(" ({described})")
            },
        });
    }
    let trace = model.trace(subject, &log.envelopes);
    Ok(TraceReport {
        report: "decision-trace",
        subject: trace.subject,
        cut: describe_cut(cut),
        anchor: log.anchor.clone(),
        steps: trace.steps,
    })
}

/// A stage's name as the trace's Markdown and `dot` forms head it.
pub fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Need => "need",
        Stage::Consultation => "consultation",
        Stage::Counterpart => "counterparts",
        Stage::Proposal => "proposal",
        Stage::DuplicateWarning => "duplicate warnings and overrides",
        Stage::Decision => "decision",
        Stage::Funding => "funding",
        Stage::Results => "results",
    }
}

impl TraceReport {
    /// Writes the trace in a format (md, json or dot).
    pub fn render(&self, format: Format) -> Result<String> {
        match format {
            Format::Json => crate::format_json(self),
            Format::Dot => Ok(self.dot()),
            Format::Markdown => Ok(self.markdown()),
            Format::Csv | Format::Html => Err(Error::InvalidOption {
                option: "--format",
                value: format.name().to_owned(),
                allowed: "expected one of md, json, dot".to_owned(),
            }),
        }
    }

    fn markdown(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = self.write_markdown(&mut out);
        out
    }

    fn write_markdown(&self, out: &mut String) -> std::fmt::Result {
        let (kind, id) = subject_parts(&self.subject);
        writeln!(out, "# Decision trace of {kind} {}", cell(&id))?;
        writeln!(out)?;
        writeln!(out, "Cut: {}.", self.cut)?;
        writeln!(out)?;
        writeln!(out, "| made from | |")?;
        writeln!(out, "|---|---|")?;
        writeln!(out, "| log position | {} |", self.anchor.log_position)?;
        writeln!(out, "| head hash | `{}` |", self.anchor.head_hash)?;
        writeln!(out, "| Merkle tree size | {} |", self.anchor.tree_size)?;
        writeln!(out, "| Merkle tree root | `{}` |", self.anchor.tree_root)?;
        let mut current: Option<Stage> = None;
        for step in &self.steps {
            if current != Some(step.stage) {
                current = Some(step.stage);
                writeln!(out)?;
                writeln!(out, "## {}", stage_name(step.stage))?;
                writeln!(out)?;
                writeln!(
                    out,
                    "| position | event | what | actor | role | reason | occurred at | recorded at | hash |"
                )?;
                writeln!(out, "|---|---|---|---|---|---|---|---|---|")?;
            }
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | `{}` |",
                step.position,
                step.event_type,
                cell(&step.summary),
                cell(&step.actor),
                cell(&step.role),
                step.reason.as_deref().map_or_else(|| "–".to_owned(), cell),
                step.occurred_at,
                step.recorded_at,
                step.hash
            )?;
        }
        if self.steps.is_empty() {
            writeln!(out)?;
            writeln!(out, "No step.")?;
        }
        Ok(())
    }

    fn dot(&self) -> String {
        let (kind, id) = subject_parts(&self.subject);
        let mut out = String::new();
        out.push_str("digraph trace {\n");
        out.push_str("  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n");
        out.push_str(&format!(
            "  label={};\n  labelloc=t;\n",
            dot_string(&format!(
                "Decision trace of {kind} {id}, {}; log position {}, tree root {}",
                self.cut, self.anchor.log_position, self.anchor.tree_root
            ))
        ));
        let mut stages: Vec<Stage> = self.steps.iter().map(|step| step.stage).collect();
        stages.dedup();
        for (index, stage) in stages.iter().enumerate() {
            out.push_str(&format!(
                "  subgraph cluster_{index} {{\n    label={};\n",
                dot_string(stage_name(*stage))
            ));
            for step in self.steps.iter().filter(|step| step.stage == *stage) {
                let label = format!(
                    "#{} {}\n{}\n{} ({}), {}\n{}",
                    step.position,
                    step.event_type,
                    wrap(&step.summary, 60),
                    step.actor,
                    step.role,
                    step.occurred_at,
                    &step.hash[..step.hash.len().min(16)]
                );
                out.push_str(&format!("    p{} [label={}];\n", step.position, dot_string(&label)));
            }
            out.push_str("  }\n");
        }
        for pair in self.steps.windows(2) {
            out.push_str(&format!("  p{} -> p{};\n", pair[0].position, pair[1].position));
        }
        out.push_str("}\n");
        out
    }
}

/// A DOT string literal: quotes and backslashes escaped, line breaks as `\n`.
fn dot_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for character in text.chars() {
        match character {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            other => out.push(other),
        }
    }
    out.push('"');
    out
}

/// Breaks text into lines of about `width` characters at spaces.
fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_strings_escape_quotes_backslashes_and_line_breaks() {
        assert_eq!(dot_string("a \"b\"\\\nc"), "\"a \\\"b\\\"\\\\\\nc\"");
    }

    #[test]
    fn subjects_parse_or_name_what_is_expected() {
        assert!(matches!(
            parse_subject("decision", "SP/Di N° 2-13"),
            Ok(Subject::Decision(_))
        ));
        let error = parse_subject("project", "x").unwrap_err().to_string();
        assert!(error.contains("activity, need, counterpart, decision"), "{error}");
        let error = parse_subject("activity", "42").unwrap_err().to_string();
        assert!(error.contains("UUID"), "{error}");
    }

    #[test]
    fn long_text_wraps_at_spaces() {
        assert_eq!(wrap("one two three", 7), "one two\nthree");
    }
}
