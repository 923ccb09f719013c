//! Framework overhead per call: an `#[llm_fn]` call through the OpenAI-compatible provider versus
//! a plain reqwest POST of the same request (decoded into the same type), against a local HTTP
//! server that answers at once. Concurrency 1 (latency) and 64 (throughput).
//!
//! Run with `cargo bench -p llm-core --bench overhead`. Every verdict is a ratio measured in the
//! same process; absolute times are for scale. Two baselines: the plain POST with the same
//! per-request time limit the provider sets (the verdict), and without any (for reference: what
//! reqwest's timer costs). At concurrency 1 the arms alternate call by call on a runtime worker
//! and each round compares the median latency of single calls (a stalled call does not move a
//! median); at concurrency 64 the arms alternate batch by batch and each round compares the
//! time to finish a batch. The verdict is the median of the per-round ratios.
//! `LLM_BENCH_ROUNDS` (default 41) and `LLM_BENCH_CALLS` (calls per batch at concurrency 64,
//! default 2048; an eighth of it per arm and round at concurrency 1) trade time for precision.
//! `LLM_BENCH_PROFILE` runs one arm alone, for a profiler (see `main`).

#![allow(missing_docs)]

use std::alloc::System;
use std::sync::Arc;
use std::time::{Duration, Instant};

use llm_core::LlmOutput;
use llm_core::prelude::*;
use llm_core::provider::openai::{OpenAi, StrictSchema};
use serde_json::{Value, json};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Counts allocations, for the allocations-per-call line of the report.
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// A line item.
#[derive(Debug, Serialize, Deserialize, JsonSchema, LlmOutput)]
struct Line {
    #[llm(len(min = 1, max = 40))]
    name: String,
    #[llm(range(min = 1))]
    qty: u32,
}

#[llm_fn(
    system = "You extract line items.",
    prompt = "Extract the line item from: {text}",
    model = "bench-model",
    max_tokens = 200
)]
async fn extract_line(llm: &Llm, text: &str) -> Result<Line, LlmError>;

const TEXT: &str = "Please send 3 boxes of bolts to the Berlin office by Friday.";

/// The body every reply carries: a chat completion holding a valid `Line`.
fn reply_body() -> String {
    json!({
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "model": "bench-model",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": "{\"name\": \"bolts\", \"qty\": 3}"},
            "finish_reason": "stop"
        }],
        "usage": {"prompt_tokens": 60, "completion_tokens": 12, "total_tokens": 72}
    })
    .to_string()
}

/// A minimal keep-alive HTTP/1.1 server answering every request with `body`, on its own thread
/// and runtime so that it does not share the client's scheduler.
fn start_server() -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
            .expect("server runtime");
        runtime.block_on(async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            tx.send(listener.local_addr().expect("addr")).expect("send addr");
            let body = reply_body();
            let response: Arc<[u8]> = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            )
            .into_bytes()
            .into();
            loop {
                let Ok((mut socket, _)) = listener.accept().await else { continue };
                let response = Arc::clone(&response);
                tokio::spawn(async move {
                    let mut buf = Vec::with_capacity(16 * 1024);
                    loop {
                        // Read one request: headers, then content-length bytes of body.
                        let Some((head_end, body_len)) = read_request(&mut socket, &mut buf).await else {
                            return;
                        };
                        buf.drain(..head_end + body_len);
                        if socket.write_all(&response).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
    });
    let addr = rx.recv().expect("server address");
    format!("http://{addr}")
}

async fn read_request(
    socket: &mut tokio::net::TcpStream,
    buf: &mut Vec<u8>,
) -> Option<(usize, usize)> {
    loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..pos]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            let head_end = pos + 4;
            while buf.len() < head_end + len {
                if read_more(socket, buf).await == 0 {
                    return None;
                }
            }
            return Some((head_end, len));
        }
        if read_more(socket, buf).await == 0 {
            return None;
        }
    }
}

async fn read_more(socket: &mut tokio::net::TcpStream, buf: &mut Vec<u8>) -> usize {
    let mut chunk = [0u8; 8192];
    match socket.read(&mut chunk).await {
        Ok(n) => {
            buf.extend_from_slice(&chunk[..n]);
            n
        }
        Err(_) => 0,
    }
}

/// The baseline: what a careful hand-written call does: the same body the provider sends, built
/// once and serialized per call by `RequestBuilder::json`, with the provider's time limit when
/// `timeout` is set, the reply decoded into the same type with serde.
#[derive(Clone)]
struct Plain {
    client: reqwest::Client,
    url: String,
    body: Arc<Value>,
    timeout: Option<Duration>,
}

impl Plain {
    fn new(base: &str, timeout: Option<Duration>) -> Self {
        let strict = StrictSchema::from_canonical(&Line::schema().to_value());
        let body = json!({
            "model": "bench-model",
            "messages": [
                {"role": "system", "content": "You extract line items."},
                {"role": "user", "content": format!("Extract the line item from: {TEXT}")}
            ],
            "max_tokens": 200,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "extract_line", "schema": strict.schema, "strict": strict.strict}
            }
        });
        Self {
            client: reqwest::Client::new(),
            url: format!("{base}/v1/chat/completions"),
            body: Arc::new(body),
            timeout,
        }
    }

    async fn call(&self) -> Line {
        let mut request = self.client.post(&self.url);
        if let Some(timeout) = self.timeout {
            request = request.timeout(timeout);
        }
        let response = request.json(self.body.as_ref()).send().await.expect("send");
        let reply: Value = response.json().await.expect("json");
        let content = reply["choices"][0]["message"]["content"]
            .as_str()
            .expect("content");
        serde_json::from_str(content).expect("line")
    }
}

/// One side of the comparison.
#[derive(Clone)]
enum Arm {
    /// A hand-written POST.
    Plain(Plain),
    /// The `#[llm_fn]` call.
    Framework(Llm),
}

impl Arm {
    async fn call(&self) {
        match self {
            Arm::Plain(plain) => {
                std::hint::black_box(plain.call().await);
            }
            Arm::Framework(llm) => {
                std::hint::black_box(extract_line(llm, TEXT).await.expect("call"));
            }
        }
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// CPU time the process's threads (client runtime and server) have used so far, in seconds,
/// from each thread's `/proc/self/task/<tid>/schedstat` (nanoseconds on a CPU). Unlike elapsed
/// time it barely moves with what other processes do; `None` where `/proc` is missing.
fn cpu_seconds() -> Option<f64> {
    let mut total: u64 = 0;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    #[allow(clippy::cast_precision_loss)]
    Some(total as f64 / 1e9)
}

/// Runs `calls` calls of `arm` at `concurrency` and returns the elapsed time and the CPU time
/// used, in seconds.
async fn batch(arm: &Arm, concurrency: usize, calls: usize) -> (f64, Option<f64>) {
    let cpu = cpu_seconds();
    let started = Instant::now();
    let per_task = calls / concurrency;
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let arm = arm.clone();
            tokio::spawn(async move {
                for _ in 0..per_task {
                    arm.call().await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    let elapsed = started.elapsed().as_secs_f64();
    (elapsed, cpu.zip(cpu_seconds()).map(|(a, b)| b - a))
}

/// One round at concurrency 1: `calls` calls of each arm, interleaved one by one in an order that
/// rotates, each timed on its own. Returns the median latency of each arm, in seconds, which a
/// few stalled calls do not move.
async fn latency_round(arms: &[Arm], calls: usize) -> Vec<f64> {
    let mut times = vec![Vec::with_capacity(calls); arms.len()];
    for i in 0..calls {
        for k in 0..arms.len() {
            let which = (i + k) % arms.len();
            let started = Instant::now();
            arms[which].call().await;
            times[which].push(started.elapsed().as_secs_f64());
        }
    }
    times.iter_mut().map(|t| median(t)).collect()
}

/// One round at concurrency `concurrency`: a batch of `calls` calls of each arm, in an order that
/// rotates with `round`. Returns each arm's elapsed and CPU time, in seconds.
async fn throughput_round(
    arms: &[Arm],
    concurrency: usize,
    calls: usize,
    round: usize,
) -> Vec<(f64, Option<f64>)> {
    let mut times = vec![(0.0, None); arms.len()];
    for k in 0..arms.len() {
        let which = (round + k) % arms.len();
        times[which] = batch(&arms[which], concurrency, calls).await;
    }
    times
}

/// The median of `ratios` and their range.
fn summary(ratios: &mut [f64]) -> (f64, f64, f64) {
    let (lo, hi) = ratios
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), r| (lo.min(*r), hi.max(*r)));
    (median(ratios), lo, hi)
}

/// Prints one table row per baseline: the framework (the last column of `elapsed` and `cpu`)
/// against each baseline, from per-round times per call in seconds; `cpu` is empty when not
/// measured.
fn report(
    concurrency: usize,
    calls: usize,
    elapsed: &[Vec<f64>],
    cpu: &[Vec<f64>],
    baselines: &[&str],
) {
    let framework = baselines.len();
    let ratios = |times: &[Vec<f64>], b: usize| {
        let mut ratios: Vec<f64> = times.iter().map(|t| t[framework] / t[b]).collect();
        summary(&mut ratios)
    };
    for (b, name) in baselines.iter().enumerate() {
        let (ratio, lo, hi) = ratios(elapsed, b);
        let mut base: Vec<f64> = elapsed.iter().map(|t| t[b]).collect();
        let mut fw: Vec<f64> = elapsed.iter().map(|t| t[framework]).collect();
        let verdict = match (b, ratio <= 1.05) {
            (0, true) => "pass",
            (0, false) => "miss",
            _ => "reference",
        };
        let throughput = if concurrency == 1 {
            "—".to_owned()
        } else {
            format!("{:.3}x", 1.0 / ratio)
        };
        let cpu = if cpu.is_empty() {
            "—".to_owned()
        } else {
            let (ratio, lo, hi) = ratios(cpu, b);
            format!("{ratio:.3}x [{lo:.3}-{hi:.3}]")
        };
        println!(
            "| {concurrency} | {calls} | {name} | {:.1} µs | {:.1} µs | {ratio:.3}x [{lo:.3}-{hi:.3}] | {throughput} | {cpu} | {verdict} |",
            median(&mut base) * 1e6,
            median(&mut fw) * 1e6,
        );
    }
}

fn main() {
    // `cargo bench` passes `--bench`; anything else (`cargo test --benches`, a run by hand) gets a
    // quick check that every arm works.
    let quick = !std::env::args().any(|a| a == "--bench");
    let rounds = if quick {
        1
    } else {
        env_usize("LLM_BENCH_ROUNDS", 41)
    };
    let calls = if quick {
        64
    } else {
        env_usize("LLM_BENCH_CALLS", 2048)
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let base = start_server();
    let provider = OpenAi::new(format!("{base}/v1")).expect("provider");
    // The baselines: with the provider's per-request time limit (the verdict), and without one.
    let baselines = ["reqwest + timeout", "reqwest, no timeout"];
    let arms: Arc<[Arm]> = Arc::new([
        Arm::Plain(Plain::new(&base, Some(Duration::from_secs(60)))),
        Arm::Plain(Plain::new(&base, None)),
        Arm::Framework(Llm::new(provider)),
    ]);

    // `LLM_BENCH_PROFILE=<arm>:<calls>` (arm 0, 1 or 2, in the order of `arms`) only makes that
    // many calls of one arm at concurrency 1, for a profiler: run it for two call counts and
    // take the difference to remove start-up costs.
    if let Some((arm, n)) = std::env::var("LLM_BENCH_PROFILE")
        .ok()
        .and_then(|v| {
            v.split_once(':')
                .map(|(a, n)| (a.parse::<usize>(), n.parse::<usize>()))
        })
        .and_then(|(a, n)| Some((a.ok()?, n.ok()?)))
    {
        let calls = runtime.spawn(async move {
            for _ in 0..n {
                arms[arm].call().await;
            }
        });
        runtime.block_on(calls).expect("profiled calls");
        return;
    }

    println!("framework overhead per call, local server, {rounds} rounds");
    println!(
        "| concurrency | calls/round/arm | baseline | baseline per call | #[llm_fn] per call | time ratio, median [min-max] | throughput ratio | CPU time ratio, median [min-max] | ≤ 1.05x |"
    );
    println!("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |");
    let allocations = runtime.block_on(async {
        // Warm up connections and caches on every arm.
        latency_round(&arms, 50).await;

        // Allocations per call (whole process: client, runtime and server), one arm at a time.
        let counted = 200;
        let allocations: Vec<String> = {
            let mut counts = Vec::new();
            for arm in arms.iter() {
                let before = GLOBAL.stats();
                for _ in 0..counted {
                    arm.call().await;
                }
                let after = GLOBAL.stats();
                let n = (after.allocations + after.reallocations)
                    - (before.allocations + before.reallocations);
                #[allow(clippy::cast_precision_loss)]
                counts.push(format!("{:.1}", n as f64 / f64::from(counted)));
            }
            counts
        };

        // Concurrency 1: latency, the median of single calls.
        let latency_calls = calls / 8;
        let mut per_round = Vec::new();
        for _ in 0..rounds {
            // On a worker, as a server's request handler would be, not on the blocked main thread.
            let arms = arms.clone();
            let round = tokio::spawn(async move { latency_round(&arms, latency_calls).await });
            per_round.push(round.await.expect("latency round"));
        }
        report(1, latency_calls, &per_round, &[], &baselines);

        // Concurrency 64: throughput, the time to complete a batch of calls.
        let concurrency = 64;
        let (mut elapsed, mut cpu) = (Vec::new(), Vec::new());
        #[allow(clippy::cast_precision_loss)]
        let per_call = |t: f64| t / calls as f64;
        for round in 0..rounds {
            let times = throughput_round(&arms, concurrency, calls, round).await;
            elapsed.push(times.iter().map(|t| per_call(t.0)).collect());
            if let Some(used) = times.iter().map(|t| t.1.map(per_call)).collect() {
                cpu.push(used);
            }
        }
        report(concurrency, calls, &elapsed, &cpu, &baselines);
        allocations
    });
    println!(
        "\nallocations per call (process-wide, concurrency 1): {}; #[llm_fn] {}",
        baselines
            .iter()
            .zip(&allocations)
            .map(|(name, n)| format!("{name} {n}"))
            .collect::<Vec<_>>()
            .join(", "),
        allocations[baselines.len()],
    );
}
