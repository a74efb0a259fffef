//! `smes history STREAM`: a stream's events, one readable block per event.

use std::fmt::Write as _;

use anyhow::{Result, bail};
use jiff::tz::TimeZone;
use serde_json::Value;
use smes_app::Sealer;
use smes_app::personal_data::Opened;
use smes_domain::personal_data::SealedPersonalData;
use smes_eventlog::{EventStore, RecordedEvent, StreamName};

/// Renders every event of `stream`.
pub async fn render(store: &dyn EventStore, sealer: &Sealer, stream: &str) -> Result<String> {
    let stream = StreamName::new(stream)?;
    let mut out = String::new();
    let mut next = 1u64;
    loop {
        let page = store
            .read_stream(&stream, next, smes_eventlog::DEFAULT_PAGE_SIZE)
            .await?;
        let Some(last) = page.last() else { break };
        next = last.version + 1;
        for event in &page {
            render_event(&mut out, sealer, event).await?;
        }
    }
    if out.is_empty() {
        bail!("stream {stream} has no events");
    }
    Ok(visible_controls(&format!("{stream}\n{out}")))
}

/// `text` with every control character other than newline and tab written out as `\u{1b}`:
/// events recorded before text fields refused them still print, but cannot move the cursor,
/// ring the bell or recolour the terminal.
fn visible_controls(text: &str) -> String {
    let mut shown = String::with_capacity(text.len());
    for character in text.chars() {
        if smes_domain::values::is_refused_control(character) {
            // Writing to a String cannot fail.
            let _ = write!(shown, "\\u{{{:x}}}", u32::from(character));
        } else {
            shown.push(character);
        }
    }
    shown
}

async fn render_event(out: &mut String, sealer: &Sealer, event: &RecordedEvent) -> Result<()> {
    let warning = if event.event_type.ends_with("DuplicateWarningOverridden") {
        "  [duplicate warning overridden]"
    } else if event.event_type.ends_with("DuplicateOverrideNoted") {
        "  [duplicate override reason kept as a note]"
    } else {
        ""
    };
    writeln!(out)?;
    writeln!(
        out,
        "#{} {} (schema v{}){warning}",
        event.version, event.event_type, event.schema_version
    )?;
    let business = TimeZone::UTC.to_datetime(event.occurred_at);
    let business = if business.time() == jiff::civil::Time::midnight() {
        business.date().to_string()
    } else {
        event.occurred_at.to_string()
    };
    writeln!(out, "  business date  {business}")?;
    writeln!(out, "  recorded at    {}", event.recorded_at)?;
    let metadata = &event.metadata;
    let actor_name = match sealer.actor_name(&metadata.actor).await? {
        Some(name) => format!(" ({name})"),
        None => String::new(),
    };
    writeln!(
        out,
        "  by             {}{actor_name}, {}, via {}",
        metadata.actor, metadata.role, metadata.source
    )?;
    if let Some(command_id) = metadata.command_id {
        writeln!(out, "  command        {command_id}")?;
    }
    if let Some(reason) = &metadata.reason {
        writeln!(out, "  reason         {reason}")?;
    }
    let payload: Value = serde_json::from_str(event.payload.get())?;
    if let Value::Object(fields) = &payload {
        for (key, value) in fields {
            render_field(out, sealer, 2, key, value).await?;
        }
    }
    Ok(())
}

/// Writes `key: value`, nested objects and lists indented below their key. Sealed personal
/// data is opened for display ("[erased]" once its key is forgotten).
async fn render_field(out: &mut String, sealer: &Sealer, indent: usize, key: &str, value: &Value) -> Result<()> {
    let pad = " ".repeat(indent);
    let label = key.replace('_', " ");
    if let Some(sealed) = sealed(value) {
        let opened = sealer.open(&sealed).await?;
        let shown = match opened {
            Opened::Readable(data) => format!("{data} (sealed)"),
            Opened::Erased => opened.to_string(),
        };
        writeln!(out, "{pad}{label}: {shown}")?;
        return Ok(());
    }
    if let Some(shown) = compact(value) {
        writeln!(out, "{pad}{label}: {shown}")?;
        return Ok(());
    }
    match value {
        Value::Object(fields) => {
            writeln!(out, "{pad}{label}:")?;
            for (key, value) in fields {
                Box::pin(render_field(out, sealer, indent + 2, key, value)).await?;
            }
        }
        Value::Array(items) if items.iter().all(is_scalar) => {
            let items: Vec<String> = items.iter().map(scalar).collect();
            let shown = if items.is_empty() {
                "none".to_owned()
            } else {
                items.join(", ")
            };
            writeln!(out, "{pad}{label}: {shown}")?;
        }
        Value::Array(items) => {
            writeln!(out, "{pad}{label}:")?;
            for item in items {
                match item {
                    Value::Object(fields) => {
                        let line: Vec<String> = fields
                            .iter()
                            .map(|(key, value)| format!("{}: {}", key.replace('_', " "), inline(value)))
                            .collect();
                        writeln!(out, "{pad}  - {}", line.join("; "))?;
                    }
                    other => writeln!(out, "{pad}  - {}", inline(other))?,
                }
            }
        }
        scalar_value => writeln!(out, "{pad}{label}: {}", scalar(scalar_value))?,
    }
    Ok(())
}

/// Money and periods on one line: `USD 8000 (value date 2013-03-19)`, `2013-04-11 to 2013-04-12`.
fn compact(value: &Value) -> Option<String> {
    let object = value.as_object()?;
    let text = |key: &str| object.get(key).and_then(Value::as_str);
    match object.len() {
        3 => Some(format!(
            "{} {} (value date {})",
            text("currency")?,
            text("amount")?,
            text("value_date")?
        )),
        2 => Some(format!("{} to {}", text("start")?, text("end")?)),
        _ => None,
    }
}

fn sealed(value: &Value) -> Option<SealedPersonalData> {
    let object = value.as_object()?;
    if object.len() == 4 && object.contains_key("ciphertext") && object.contains_key("key_id") {
        serde_json::from_value(value.clone()).ok()
    } else {
        None
    }
}

fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::Object(_) | Value::Array(_))
}

fn scalar(value: &Value) -> String {
    match value {
        Value::Null => "none".to_owned(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn inline(value: &Value) -> String {
    match value {
        Value::Object(fields) => {
            if let Some(shown) = compact(value) {
                return shown;
            }
            let parts: Vec<String> = fields
                .iter()
                .map(|(key, value)| format!("{}: {}", key.replace('_', " "), inline(value)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::Array(items) => items.iter().map(inline).collect::<Vec<_>>().join(", "),
        other => scalar(other),
    }
}

#[cfg(test)]
mod tests {
    use super::visible_controls;

    #[test]
    fn control_characters_are_shown_escaped_and_newlines_and_tabs_kept() {
        assert_eq!(
            visible_controls("Lima\u{1b}[2J\u{7}\0\r\u{9b}\n\tnext"),
            "Lima\\u{1b}[2J\\u{7}\\u{0}\\u{d}\\u{9b}\n\tnext"
        );
        assert_eq!(visible_controls("Asunción"), "Asunción");
    }
}
