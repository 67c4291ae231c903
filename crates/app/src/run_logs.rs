//! The log lines of a run: a `tracing` layer that keeps the events logged inside a `run` span
//! (each run executes in one, with its `run_id`), in a bounded buffer per run that the app takes
//! when the run ends and stores with it, scrubbed of secret values.
//!
//! Install [`layer`] in the process's subscriber (the CLI and the desktop shell do); without it
//! runs simply have no captured lines. Log nodes' lines are not captured here: the run's
//! journal has them already.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::{LazyLock, Mutex};

use switchyard_engine::Secrets;
use switchyard_store::{now_ms, RunLogLine};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::{Context, Filter};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// Lines kept per run; later ones are counted, not kept.
pub const MAX_LINES: usize = 200;
/// Characters kept of one message or field.
pub const MAX_TEXT: usize = 2_000;
/// The Log node's own lines, which the journal keeps.
const WORKFLOW_LOG: &str = "switchyard::workflow_log";

/// Lines waiting for their run to end, by run id.
static BUFFERS: LazyLock<Mutex<HashMap<String, Buffer>>> = LazyLock::new(Default::default);

#[derive(Default)]
struct Buffer {
    lines: Vec<RunLogLine>,
    dropped: usize,
}

/// The layer to add to the subscriber: Switchyard's own events from `info`, others from `warn`
/// (sqlx's slow-statement warnings excepted, as on the console).
pub fn layer<S>() -> impl Layer<S> + Send + Sync + 'static
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    RunLogLayer.with_filter(default_filter())
}

fn default_filter<S>() -> impl Filter<S> + Send + Sync + 'static {
    Targets::new()
        .with_default(Level::WARN)
        .with_target("switchyard", Level::INFO)
        .with_target("sqlx::query", Level::ERROR)
}

/// Takes the lines captured for `run_id`, with every secret value replaced by its name.
pub fn take(run_id: &str, secrets: &Secrets) -> Vec<RunLogLine> {
    let Some(mut buffer) = BUFFERS.lock().expect("run logs lock").remove(run_id) else {
        return Vec::new();
    };
    if buffer.dropped > 0 {
        buffer.lines.push(RunLogLine {
            at: now_ms(),
            level: "warn".into(),
            target: "switchyard_app::run_logs".into(),
            message: format!(
                "{} more lines were logged and not kept (at most {MAX_LINES} per run)",
                buffer.dropped
            ),
            fields: BTreeMap::new(),
        });
    }
    for line in &mut buffer.lines {
        if let Some(s) = secrets.scrub(&line.message) {
            line.message = s;
        }
        for v in line.fields.values_mut() {
            if let Some(s) = secrets.scrub(v) {
                *v = s;
            }
        }
    }
    buffer.lines
}

/// The run a span belongs to (kept in the span's extensions).
struct RunTag(String);

struct RunLogLayer;

impl<S> Layer<S> for RunLogLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != "run" {
            return;
        }
        let mut v = RunIdVisitor(None);
        attrs.record(&mut v);
        if let (Some(run_id), Some(span)) = (v.0, ctx.span(id)) {
            span.extensions_mut().insert(RunTag(run_id));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        if event.metadata().target() == WORKFLOW_LOG {
            return;
        }
        let Some(scope) = ctx.event_scope(event) else {
            return;
        };
        for span in scope {
            let ext = span.extensions();
            let Some(RunTag(run_id)) = ext.get::<RunTag>() else {
                continue;
            };
            let mut buffers = BUFFERS.lock().expect("run logs lock");
            let buffer = buffers.entry(run_id.clone()).or_default();
            if buffer.lines.len() >= MAX_LINES {
                buffer.dropped += 1;
                return;
            }
            let mut fields = FieldVisitor::default();
            event.record(&mut fields);
            buffer.lines.push(RunLogLine {
                at: now_ms(),
                level: event.metadata().level().as_str().to_ascii_lowercase(),
                target: event.metadata().target().to_string(),
                message: fields.message,
                fields: fields.fields,
            });
            return;
        }
    }
}

struct RunIdVisitor(Option<String>);

impl Visit for RunIdVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "run_id" {
            self.0 = Some(value.to_string());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "run_id" {
            // `%run_id` records through Display, which reaches here as Debug of a Display.
            self.0 = Some(format!("{value:?}"));
        }
    }
}

#[derive(Default)]
struct FieldVisitor {
    message: String,
    fields: BTreeMap<String, String>,
}

impl Visit for FieldVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, value.to_string());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let mut text = String::new();
        let _ = write!(text, "{value:?}");
        self.put(field, text);
    }
}

impl FieldVisitor {
    fn put(&mut self, field: &Field, mut text: String) {
        if text.len() > MAX_TEXT {
            text.truncate(text.floor_char_boundary(MAX_TEXT));
            text.push('…');
        }
        if field.name() == "message" {
            self.message = text;
        } else {
            self.fields.insert(field.name().to_string(), text);
        }
    }
}

#[cfg(test)]
mod tests {
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    #[test]
    fn lines_inside_a_run_span_are_kept_for_that_run_bounded_and_scrubbed() {
        let subscriber = tracing_subscriber::registry().with(layer());
        let secrets = Secrets::new([("api".to_string(), "sk-live-42424242".to_string())]);
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(target: "switchyard_app::run", "outside any run");
            let a = tracing::info_span!(target: "switchyard_app::run", "run", run_id = %"run_a");
            let b = tracing::info_span!(target: "switchyard_app::run", "run", run_id = "run_b");
            a.in_scope(|| {
                let inner = tracing::info_span!("step");
                inner.in_scope(|| {
                    tracing::warn!(target: "switchyard_app::run", node = "call", key = "sk-live-42424242",
                                   "sent sk-live-42424242");
                    tracing::debug!(target: "switchyard_app::run", "below the level");
                    tracing::info!(target: WORKFLOW_LOG, "a Log node's line");
                });
            });
            b.in_scope(|| {
                for i in 0..MAX_LINES + 3 {
                    tracing::info!(target: "switchyard_engine", i, "line");
                }
            });
        });
        let a = take("run_a", &secrets);
        assert_eq!(a.len(), 1, "{a:?}");
        assert_eq!(a[0].level, "warn");
        assert_eq!(a[0].message, "sent [secret api]");
        assert_eq!(a[0].fields["node"], "call");
        assert_eq!(a[0].fields["key"], "[secret api]");
        assert!(take("run_a", &secrets).is_empty(), "taken once");
        let b = take("run_b", &secrets);
        assert_eq!(b.len(), MAX_LINES + 1);
        assert!(
            b[MAX_LINES].message.starts_with("3 more lines"),
            "{:?}",
            b[MAX_LINES]
        );
    }
}
