//! Holding back what reaches outside a run until its caller lets it pass.
//!
//! A webhook's run may start before its event is stored, so that a run needing nothing outside
//! the process is stored in the same commit as its event. Such a run carries a [`Gate`]: a node
//! that calls out or waits (HTTP, AI, email, SQL, Delay; see `NodeKind::is_recorded`) and a
//! retry's backoff first pass it. Passing asks the caller to store the event and waits until
//! the caller opens the gate; nothing leaves the process before that.

use std::sync::Arc;

use tokio::sync::watch;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Closed,
    /// A node is waiting to pass.
    Asked,
    Open,
}

/// Shared by a run and its caller; cheap to clone.
#[derive(Debug, Clone)]
pub struct Gate {
    state: Arc<watch::Sender<State>>,
}

impl Default for Gate {
    fn default() -> Self {
        Gate {
            state: Arc::new(watch::channel(State::Closed).0),
        }
    }
}

impl Gate {
    pub fn new() -> Gate {
        Gate::default()
    }

    /// Waits until the gate is open, asking for it first (called by the engine).
    pub async fn pass(&self) {
        self.state.send_if_modified(|s| {
            let ask = *s == State::Closed;
            if ask {
                *s = State::Asked;
            }
            ask
        });
        let mut rx = self.state.subscribe();
        // The sender lives as long as `self`: waiting ends only when the gate opens.
        let _ = rx.wait_for(|s| *s == State::Open).await;
    }

    /// Resolves once something in the run waits to pass (or the gate is open already).
    pub async fn asked(&self) {
        let mut rx = self.state.subscribe();
        let _ = rx.wait_for(|s| *s != State::Closed).await;
    }

    /// Lets everything waiting, and everything after, pass.
    pub fn open(&self) {
        self.state.send_replace(State::Open);
    }

    pub fn is_open(&self) -> bool {
        *self.state.borrow() == State::Open
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::FutureExt;

    #[tokio::test]
    async fn passing_waits_for_the_caller_to_open() {
        let gate = Gate::new();
        assert!(gate.asked().now_or_never().is_none(), "nobody asked yet");
        let runner = gate.clone();
        let mut passing = Box::pin(async move { runner.pass().await });
        assert!((&mut passing).now_or_never().is_none(), "closed: must wait");
        assert!(gate.asked().now_or_never().is_some(), "the caller is told");
        assert!(!gate.is_open());
        gate.open();
        assert!(gate.is_open());
        assert!(passing.now_or_never().is_some(), "open: goes on");
        assert!(gate.pass().now_or_never().is_some(), "stays open");
    }
}
