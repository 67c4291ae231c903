//! The log lines of a run: a `tracing` layer that keeps the events logged while a run's future
//! is being polled (the runner wraps each run in [`capture`]), in a bounded buffer per run that
//! the app takes when the run ends and stores with it, scrubbed of secret values.
//!
//! Install [`layer`] in the process's subscriber (the CLI and the desktop shell do); without it
//! runs simply have no captured lines. Log nodes' lines are not captured here: the run's
//! journal has them already.
//!
//! The run is known from a thread-local set around each poll, not from a `tracing` span: a span
//! per run costs the subscriber's registry a slot, its extensions and per-layer filter state on
//! every poll, about 3% of the server's time per webhook. The runner still opens a `run` span,
//! which costs nothing unless the console asks for it (`SWITCHYARD_LOG=switchyard_app::run=info`
//! prints each line with its run's id).

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::future::Future;
use std::sync::{Arc, LazyLock, Mutex};

use switchyard_engine::Secrets;
use switchyard_store::{now_ms, RunLogLine};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{filter_fn, FilterExt, Targets};
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
static BUFFERS: LazyLock<Mutex<HashMap<Arc<str>, Buffer>>> = LazyLock::new(Default::default);

#[derive(Default)]
struct Buffer {
    lines: Vec<RunLogLine>,
    dropped: usize,
}

thread_local! {
    /// The run whose future this thread is polling, if any (set by [`capture`]).
    static CURRENT: RefCell<Option<Arc<str>>> = const { RefCell::new(None) };
}

/// Runs `run` with the lines logged while it is polled kept for `run_id` (see [`take`]). A
/// capture inside another (a run started by a run) keeps its own lines; the outer one's resume
/// when the inner future returns from its poll.
pub async fn capture<F: Future>(run_id: Arc<str>, run: F) -> F::Output {
    let mut run = std::pin::pin!(run);
    std::future::poll_fn(|cx| {
        let _polling = Polling::start(&run_id);
        run.as_mut().poll(cx)
    })
    .await
}

/// Marks the thread as polling a run until dropped, then restores what it was polling before
/// (also when the poll panics).
struct Polling(Option<Arc<str>>);

impl Polling {
    fn start(run_id: &Arc<str>) -> Self {
        Polling(CURRENT.with(|c| c.replace(Some(run_id.clone()))))
    }
}

impl Drop for Polling {
    fn drop(&mut self) {
        let outer = self.0.take();
        let _ = CURRENT.try_with(|c| *c.borrow_mut() = outer);
    }
}

/// The layer to add to the subscriber: Switchyard's own events from `info`, others from `warn`
/// (sqlx's slow-statement warnings excepted, as on the console). It asks for no spans.
pub fn layer<S>() -> impl Layer<S> + Send + Sync + 'static
where
    S: Subscriber + for<'a> LookupSpan<'a> + 'static,
{
    RunLogLayer.with_filter(default_filter())
}

fn default_filter<S: 'static>() -> impl Filter<S> + Send + Sync + 'static {
    Targets::new()
        .with_default(Level::WARN)
        .with_target("switchyard", Level::INFO)
        .with_target("sqlx::query", Level::ERROR)
        .and(filter_fn(|meta| meta.is_event()))
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

struct RunLogLayer;

impl<S: Subscriber> Layer<S> for RunLogLayer {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() == WORKFLOW_LOG {
            return;
        }
        let Some(run_id) = CURRENT.try_with(|c| c.borrow().clone()).ok().flatten() else {
            return;
        };
        let mut buffers = BUFFERS.lock().expect("run logs lock");
        let buffer = buffers.entry(run_id).or_default();
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

    #[tokio::test(flavor = "current_thread")]
    async fn lines_logged_while_a_run_is_polled_are_kept_for_that_run_bounded_and_scrubbed() {
        let subscriber = tracing_subscriber::registry().with(layer());
        let _default = tracing::subscriber::set_default(subscriber);
        let secrets = Secrets::new([("api".to_string(), "sk-live-42424242".to_string())]);
        tracing::info!(target: "switchyard_app::run", "outside any run");
        capture("run_a".into(), async {
            let inner = tracing::info_span!("step");
            let _entered = inner.enter();
            tracing::warn!(target: "switchyard_app::run", node = "call", key = "sk-live-42424242",
                           "sent sk-live-42424242");
            tracing::debug!(target: "switchyard_app::run", "below the level");
            tracing::info!(target: WORKFLOW_LOG, "a Log node's line");
        })
        .await;
        tracing::warn!(target: "switchyard_app::run", "after the run: not its line");
        capture("run_b".into(), async {
            for i in 0..MAX_LINES + 3 {
                tracing::info!(target: "switchyard_engine", i, "line");
            }
        })
        .await;
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

    /// Two runs taking turns on one thread (as runs do on the server's one core) each keep only
    /// the lines logged during their own polls, and a run started inside a run keeps its own.
    #[tokio::test(flavor = "current_thread")]
    async fn runs_polled_in_turn_or_nested_keep_their_own_lines() {
        let subscriber = tracing_subscriber::registry().with(layer());
        let _default = tracing::subscriber::set_default(subscriber);
        let secrets = Secrets::new([]);
        let (to_c, from_d) = tokio::sync::oneshot::channel::<()>();
        let c = capture("run_c".into(), async {
            tracing::warn!(target: "switchyard_engine", "c before");
            from_d.await.unwrap();
            tracing::warn!(target: "switchyard_engine", "c after");
        });
        let d = capture("run_d".into(), async {
            tracing::warn!(target: "switchyard_engine", "d before");
            to_c.send(()).unwrap();
            capture("run_e".into(), async {
                tracing::warn!(target: "switchyard_engine", "e");
            })
            .await;
            tracing::warn!(target: "switchyard_engine", "d after");
        });
        tokio::join!(c, d);
        let messages =
            |run| -> Vec<String> { take(run, &secrets).into_iter().map(|l| l.message).collect() };
        assert_eq!(messages("run_c"), ["c before", "c after"]);
        assert_eq!(messages("run_d"), ["d before", "d after"]);
        assert_eq!(messages("run_e"), ["e"]);
    }
}
