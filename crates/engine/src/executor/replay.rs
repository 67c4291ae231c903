//! Replays: results recorded in an earlier run, given back instead of running the nodes that
//! call out or wait, so a run can be repeated without touching the outside world.

use std::collections::HashMap;

use super::*;

/// What one run of a node gave: an output sent to some ports, or a failure.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Output(Arc<Pin>),
    Failed(NodeError),
}

/// What a node gave in the run being replayed: once outside For each loops, per item inside.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recorded {
    pub run: Option<Outcome>,
    pub items: HashMap<u32, Outcome>,
}

impl Run<'_> {
    /// The recorded outcome to give instead of running `node` in frame `fid`, if this run is a
    /// replay of it; `not_recorded` when the node did not run there in the original.
    pub(super) fn replayed(&self, fid: FrameId, node: usize) -> Option<Outcome> {
        let recorded = self.req.recorded.get(&self.plan.nodes[node].id)?;
        let found = match self.item(fid) {
            None => recorded.run.clone(),
            Some(i) => recorded.items.get(&i).cloned(),
        };
        Some(found.unwrap_or_else(|| {
            Outcome::Failed(NodeError::new(
                "not_recorded",
                "this node did not run here in the original run, and a replay calls nothing outside",
            ))
        }))
    }
}
