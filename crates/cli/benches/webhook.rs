//! Webhook throughput with durable acknowledgement: `switchyard serve` pinned to one core,
//! 16 concurrent connections posting leads to the lead-scoring workflow (tests/fixtures) from the other core.
//! Every 202 is sent only after the event is committed; at the end the bench checks that every
//! acknowledged event and its run are in the database.
//!
//! `cargo bench -p switchyard --bench webhook` (make bench). Options through the environment:
//! SWITCHYARD_BENCH_SECS (default 10), SWITCHYARD_BENCH_DURABILITY (full | normal, default both),
//! SWITCHYARD_BENCH_WORKFLOW=minimal (a webhook trigger alone: the pipeline's own cost),
//! SWITCHYARD_BENCH_BIN=path/to/switchyard (measure another build, for A/B comparisons),
//! SWITCHYARD_BENCH_CONNECTIONS (default 16: the issue's figure; more requests in flight make
//! bigger commit groups, which is what `full` durability is bound by).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const TARGET_EVENTS_PER_SEC: f64 = 10_000.0;
const TARGET_P99_MS: f64 = 10.0;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        println!("webhook: bench");
        return;
    }
    let secs: u64 = std::env::var("SWITCHYARD_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    // Concurrent connections, each posting its next lead once the last was answered.
    let connections: usize =
        match std::env::var("SWITCHYARD_BENCH_CONNECTIONS") {
            Ok(n) => n.parse().ok().filter(|&n| n > 0).unwrap_or_else(|| {
                panic!("SWITCHYARD_BENCH_CONNECTIONS={n}: give a number above 0")
            }),
            Err(_) => 16,
        };
    let modes: Vec<String> = match std::env::var("SWITCHYARD_BENCH_DURABILITY") {
        Ok(m) => vec![m],
        Err(_) => vec!["full".into(), "normal".into()],
    };
    // The load generator gets the second core; the server gets the first.
    let _ = Command::new("taskset")
        .args(["-cp", "1", &std::process::id().to_string()])
        .stdout(Stdio::null())
        .status();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for mode in modes {
        rt.block_on(run(&mode, Duration::from_secs(secs), connections));
    }
}

async fn run(durability: &str, length: Duration, connections: usize) {
    let data = tempfile::tempdir().unwrap();
    let workflows = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    if std::env::var("SWITCHYARD_BENCH_WORKFLOW").as_deref() == Ok("minimal") {
        // The same webhook path with nothing behind it: the cost of the pipeline alone.
        std::fs::write(
            workflows.path().join("lead-processing.json"),
            r#"{"schema_version": 1, "id": "lead-processing", "name": "minimal",
                "nodes": [{"id": "lead_form", "kind": "webhook_trigger", "params": {"path": "lead-form"}}],
                "edges": []}"#,
        )
        .unwrap();
    } else {
        // The rule-based lead flow (tidy, score, route; no email or database).
        std::fs::copy(
            root.join("tests/fixtures/workflows/lead-scoring.json"),
            workflows.path().join("lead-scoring.json"),
        )
        .unwrap();
    }
    let sync = fsync_latency(data.path());
    // Another build of the server (an A/B comparison on the same machine, minutes apart).
    let server = std::env::var("SWITCHYARD_BENCH_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_switchyard").to_string());
    let mut child = Command::new("taskset")
        .args(["-c", "0", &server, "serve", "--listen", "127.0.0.1:0"])
        .args(["--durability", durability])
        .arg("--data-dir")
        .arg(data.path())
        .arg("--workflows")
        .arg(workflows.path())
        .env("SWITCHYARD_LOG", "error")
        .stdout(Stdio::piped())
        .spawn()
        .expect("taskset and the switchyard binary run");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = format!(
        "http://{}",
        line.split("http://")
            .nth(1)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
    );
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()
        .unwrap();
    let url = format!("{base}/hooks/lead-form");
    // Warm-up, then the measured window.
    let _ = load(&http, &url, Duration::from_secs(1), connections).await;
    let cpu_before = cpu_seconds(child.id());
    let started = Instant::now();
    let (mut latencies, acked) = load(&http, &url, length, connections).await;
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds(child.id()).zip(cpu_before).map(|(b, a)| b - a);

    // Every acknowledged event has its run stored (wait for the workers to drain).
    let health = loop {
        let h: Value = http
            .get(format!("{base}/api/health"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if h["queue"]["open_jobs"] == 0 {
            break h;
        }
        tokio::time::sleep(Duration::from_millis(200)).await; // polling a drain, not a test
    };
    let warmup_and_measured = health["queue"]["events"].as_u64().unwrap();
    let runs = health["queue"]["runs"].as_u64().unwrap();
    let commits = health["queue"]["commits"].as_u64().unwrap_or(0);
    let _ = child.kill();
    let _ = child.wait();

    latencies.sort_unstable();
    let pct = |p: f64| {
        let i = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        latencies[i].as_secs_f64() * 1000.0
    };
    let rate = acked as f64 / elapsed;
    println!(
        "webhook -> lead-scoring, durability={durability}, {connections} connections, server on 1 core"
    );
    println!(
        "  {acked} events in {elapsed:.1} s = {rate:.0} events/s ({:.2}x the {TARGET_EVENTS_PER_SEC:.0}/s target)",
        rate / TARGET_EVENTS_PER_SEC
    );
    // The server's own CPU time per event: less sensitive than events/s to what else this
    // machine runs (the core may be shared), so A/B comparisons can read both.
    if let Some(cpu) = cpu {
        println!(
            "  server CPU: {:.0} µs per event ({:.0} events per CPU-second; its core {:.0}% busy)",
            cpu * 1e6 / acked as f64,
            acked as f64 / cpu,
            100.0 * cpu / elapsed
        );
    }
    println!(
        "  latency p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms ({:.2}x the {TARGET_P99_MS} ms target), max {:.2} ms",
        pct(0.5),
        pct(0.9),
        pct(0.99),
        pct(0.99) / TARGET_P99_MS,
        pct(1.0)
    );
    // With `full`, each acknowledgement waits for at least one fsync of the WAL, and one commit
    // can carry at most the requests in flight: the disk alone bounds the rate.
    println!(
        "  this disk: fsync p50 {:.2} ms, p99 {:.2} ms (4 KiB appends); {} events per fsync at most = {:.0} events/s ceiling with `full`",
        sync.0,
        sync.1,
        connections,
        connections as f64 * 1000.0 / sync.0
    );
    println!("  stored: {warmup_and_measured} events and {runs} runs (warm-up included); every event has its run: {}", warmup_and_measured == runs);
    println!(
        "  group commit: {commits} commits, {:.1} events per commit",
        warmup_and_measured as f64 / commits.max(1) as f64
    );
    assert_eq!(
        warmup_and_measured, runs,
        "an acknowledged event is missing its run"
    );
}

/// User and system CPU time of a process and all its threads so far (Linux `/proc`, in the
/// kernel's 100 Hz ticks).
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    let fields: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// 16 connections posting as fast as answers come back, for `length`.
async fn load(
    http: &reqwest::Client,
    url: &str,
    length: Duration,
    connections: usize,
) -> (Vec<Duration>, usize) {
    let deadline = Instant::now() + length;
    let mut tasks = Vec::new();
    for c in 0..connections {
        let (http, url) = (http.clone(), url.to_string());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(200_000);
            let mut i = 0usize;
            while Instant::now() < deadline {
                i += 1;
                let warm = i.is_multiple_of(2);
                let body = json!({
                    "name": format!("Lead {c}-{i}"),
                    "email": format!("lead{c}.{i}@example.com"),
                    "company": "Example Ltd",
                    "budget": if warm { 5000 } else { 0 },
                    "message": if warm { "send me the pricing" } else { "just browsing, student project" },
                });
                let t = Instant::now();
                let r = http.post(&url).json(&body).send().await.expect("the server answers");
                assert_eq!(r.status().as_u16(), 202);
                let _ = r.bytes().await;
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let n = all.len();
    (all, n)
}

/// p50 and p99 in ms of appending 4 KiB to a file in `dir` and syncing it (what a WAL commit
/// with `full` durability waits for at least), over 200 appends.
fn fsync_latency(dir: &std::path::Path) -> (f64, f64) {
    use std::io::Write;
    let path = dir.join("fsync-probe");
    let mut file = std::fs::File::create(&path).unwrap();
    let page = [0u8; 4096];
    let mut times: Vec<f64> = (0..200)
        .map(|_| {
            let t = Instant::now();
            file.write_all(&page).unwrap();
            file.sync_data().unwrap();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    drop(file);
    let _ = std::fs::remove_file(path);
    times.sort_by(f64::total_cmp);
    (times[100], times[198])
}
