//! Framework overhead per call: an `#[llm_fn]` call through the OpenAI-compatible provider versus
//! a plain reqwest POST of the same request (decoded into the same type), against a local HTTP
//! server that answers at once. Concurrency 1 (latency) and 64 (throughput).
//!
//! Run with `cargo bench -p llm-core --bench overhead`. The two arms alternate in rounds and
//! every verdict is a ratio of medians measured in the same process; absolute times are for scale.
//! `LLM_BENCH_ROUNDS` (default 15) and `LLM_BENCH_CALLS` (calls per round and arm at
//! concurrency 1, default 400) trade time for precision.

#![allow(missing_docs)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use llm_core::LlmOutput;
use llm_core::prelude::*;
use llm_core::provider::openai::{OpenAi, StrictSchema};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

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
/// once and serialized per call by `RequestBuilder::json`, the reply decoded into the same type
/// with serde.
#[derive(Clone)]
struct Plain {
    client: reqwest::Client,
    url: String,
    body: Arc<Value>,
}

impl Plain {
    fn new(base: &str) -> Self {
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
        }
    }

    async fn call(&self) -> Line {
        let response = self
            .client
            .post(&self.url)
            .json(self.body.as_ref())
            .send()
            .await
            .expect("send");
        let reply: Value = response.json().await.expect("json");
        let content = reply["choices"][0]["message"]["content"]
            .as_str()
            .expect("content");
        serde_json::from_str(content).expect("line")
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

/// Runs `calls` calls at `concurrency` and returns the elapsed time.
async fn run_arm<F, Fut>(concurrency: usize, calls: usize, f: F) -> Duration
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let started = Instant::now();
    let per_task = calls / concurrency;
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let f = f.clone();
            tokio::spawn(async move {
                for _ in 0..per_task {
                    f().await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    started.elapsed()
}

fn main() {
    // `cargo test --benches` runs bench targets with `--test`: keep that quick.
    let quick = std::env::args().any(|a| a == "--test" || a == "--list");
    let rounds = if quick {
        1
    } else {
        env_usize("LLM_BENCH_ROUNDS", 15)
    };
    let calls_c1 = if quick {
        20
    } else {
        env_usize("LLM_BENCH_CALLS", 400)
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let base = start_server();
    let llm = Llm::new(OpenAi::new(format!("{base}/v1")).expect("provider"));
    let plain = Plain::new(&base);

    println!("framework overhead per call, local server, {rounds} rounds");
    println!(
        "| concurrency | calls/round | plain reqwest | #[llm_fn] | latency ratio (median [min-max]) | throughput ratio | target |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    runtime.block_on(async {
        // Warm up connections and caches on both arms.
        for _ in 0..50 {
            plain.call().await;
            extract_line(&llm, TEXT).await.expect("call");
        }
        for (concurrency, calls) in [(1, calls_c1), (64, calls_c1 * 8)] {
            let mut ratios = Vec::new();
            let (mut plain_times, mut fn_times) = (Vec::new(), Vec::new());
            for round in 0..rounds {
                let p = plain.clone();
                let plain_arm = move || {
                    let p = p.clone();
                    async move {
                        std::hint::black_box(p.call().await);
                    }
                };
                let l = llm.clone();
                let fn_arm = move || {
                    let l = l.clone();
                    async move {
                        std::hint::black_box(extract_line(&l, TEXT).await.expect("call"));
                    }
                };
                // Alternate which arm goes first, so drift favours neither.
                let (t_plain, t_fn) = if round % 2 == 0 {
                    let a = run_arm(concurrency, calls, plain_arm).await;
                    (a, run_arm(concurrency, calls, fn_arm).await)
                } else {
                    let b = run_arm(concurrency, calls, fn_arm).await;
                    (run_arm(concurrency, calls, plain_arm).await, b)
                };
                ratios.push(t_fn.as_secs_f64() / t_plain.as_secs_f64());
                plain_times.push(t_plain.as_secs_f64());
                fn_times.push(t_fn.as_secs_f64());
            }
            let (lo, hi) = ratios
                .iter()
                .fold((f64::MAX, f64::MIN), |(lo, hi), r| (lo.min(*r), hi.max(*r)));
            let ratio = median(&mut ratios);
            #[allow(clippy::cast_precision_loss)]
            let per_call = |t: f64| t / calls as f64 * 1e6;
            let (tp, tf) = (median(&mut plain_times), median(&mut fn_times));
            let verdict = if ratio <= 1.05 { "pass" } else { "miss" };
            println!(
                "| {concurrency} | {calls} | {:.1} µs/call | {:.1} µs/call | {ratio:.3}x [{lo:.3}-{hi:.3}] | {:.3}x | ≤ 1.05x latency, ≥ 0.95x throughput: {verdict} |",
                per_call(tp),
                per_call(tf),
                1.0 / ratio,
            );
        }
    });
}
