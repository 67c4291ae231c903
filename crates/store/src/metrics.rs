//! Metrics over a time window: runs per bucket, success rate, duration percentiles, failures
//! by node. A few aggregate queries over the window's range of the `runs_workflow` (or
//! `runs_started`) index; percentiles by rank with window functions. Replays are not counted:
//! they repeat a run without calling anything.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Row, Sqlite};

use crate::{Result, Store};

/// What to measure: `[since, until)` in Unix milliseconds, cut into buckets of `bucket_ms`.
#[derive(Debug, Clone)]
pub struct MetricsQuery {
    /// One workflow, or all of them.
    pub workflow: Option<String>,
    pub since: i64,
    pub until: i64,
    pub bucket_ms: i64,
}

/// Runs over a time window.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Metrics {
    pub workflow: Option<String>,
    pub since: i64,
    pub until: i64,
    pub bucket_ms: i64,
    pub runs: i64,
    pub succeeded: i64,
    pub failed: i64,
    pub cancelled: i64,
    /// succeeded / runs (none without runs).
    pub success_rate: Option<f64>,
    /// Run durations, nearest rank.
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    /// Every bucket of the window, oldest first, empty ones included.
    pub buckets: Vec<MetricsBucket>,
    /// Failed runs by the node that failed them, most first (`node` none: the workflow could
    /// not run at all).
    pub failures_by_node: Vec<NodeFailures>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MetricsBucket {
    /// Unix milliseconds.
    pub start: i64,
    pub runs: i64,
    pub succeeded: i64,
    pub failed: i64,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NodeFailures {
    pub node: Option<String>,
    pub failures: i64,
}

impl MetricsQuery {
    /// `WITH w AS (the window's runs, with their bucket)`.
    fn window(&self) -> QueryBuilder<'_, Sqlite> {
        let mut q = QueryBuilder::new("WITH w AS (SELECT (started_at - ");
        q.push_bind(self.since)
            .push(") / ")
            .push_bind(self.bucket_ms.max(1))
            .push(" AS b, status, duration_ms, failed_node FROM runs WHERE started_at >= ")
            .push_bind(self.since)
            .push(" AND started_at < ")
            .push_bind(self.until)
            .push(" AND origin != 'replay'");
        if let Some(w) = &self.workflow {
            q.push(" AND workflow_id = ").push_bind(w);
        }
        q.push(") ");
        q
    }
}

/// `count`, successes, failures and the two percentiles over `r` (rows ranked `rn` of `n`).
const AGGREGATES: &str = "count(*), coalesce(sum(status = 'succeeded'), 0), \
    coalesce(sum(status = 'failed'), 0), coalesce(sum(status = 'cancelled'), 0), \
    max(CASE WHEN rn = (n * 50 + 99) / 100 THEN duration_ms END), \
    max(CASE WHEN rn = (n * 95 + 99) / 100 THEN duration_ms END)";

impl Store {
    pub async fn metrics(&self, query: &MetricsQuery) -> Result<Metrics> {
        let mut q = query.window();
        q.push(
            "SELECT b, ".to_string()
                + AGGREGATES
                + " FROM (SELECT b, status, duration_ms,
                      row_number() OVER (PARTITION BY b ORDER BY duration_ms) AS rn,
                      count(*) OVER (PARTITION BY b) AS n FROM w) GROUP BY b ORDER BY b",
        );
        let rows = q.build().fetch_all(&self.inner.reads).await?;
        let count = ((query.until - query.since + query.bucket_ms - 1) / query.bucket_ms.max(1))
            .clamp(0, 10_000);
        let mut buckets: Vec<MetricsBucket> = (0..count)
            .map(|i| MetricsBucket {
                start: query.since + i * query.bucket_ms,
                runs: 0,
                succeeded: 0,
                failed: 0,
                p50_ms: None,
                p95_ms: None,
            })
            .collect();
        for row in rows {
            let b: i64 = row.get(0);
            if let Some(bucket) = usize::try_from(b).ok().and_then(|b| buckets.get_mut(b)) {
                bucket.runs = row.get(1);
                bucket.succeeded = row.get(2);
                bucket.failed = row.get(3);
                bucket.p50_ms = row.get(5);
                bucket.p95_ms = row.get(6);
            }
        }

        let mut q = query.window();
        q.push(
            "SELECT ".to_string()
                + AGGREGATES
                + " FROM (SELECT status, duration_ms,
                      row_number() OVER (ORDER BY duration_ms) AS rn,
                      count(*) OVER () AS n FROM w)",
        );
        let total = q.build().fetch_one(&self.inner.reads).await?;
        let runs: i64 = total.get(0);
        let succeeded: i64 = total.get(1);

        let mut q = query.window();
        q.push(
            "SELECT failed_node, count(*) FROM w WHERE status = 'failed'
             GROUP BY failed_node ORDER BY 2 DESC, 1 LIMIT 50",
        );
        let failures_by_node = q
            .build()
            .fetch_all(&self.inner.reads)
            .await?
            .iter()
            .map(|r| NodeFailures {
                node: r.get(0),
                failures: r.get(1),
            })
            .collect();

        Ok(Metrics {
            workflow: query.workflow.clone(),
            since: query.since,
            until: query.until,
            bucket_ms: query.bucket_ms,
            runs,
            succeeded,
            failed: total.get(2),
            cancelled: total.get(3),
            success_rate: (runs > 0).then(|| succeeded as f64 / runs as f64),
            p50_ms: total.get(4),
            p95_ms: total.get(5),
            buckets,
            failures_by_node,
        })
    }
}
