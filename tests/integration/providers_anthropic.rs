//! The Anthropic provider against a mock server: the forced tool and its input schema, headers,
//! text replies, usage and stop reasons, typed errors (429 and 529 told apart), refusals,
//! malformed bodies, timeouts, the re-ask loop over HTTP, and a key that never leaks.

use std::time::Duration;

use llm_core::call::AttemptError;
use llm_core::parse::FixKind;
use llm_core::prelude::*;
use llm_core::provider::anthropic::{Anthropic, tool_input_schema};
use llm_core::provider::{
    ConfigError, FinishReason, Mode, Provider, ProviderErrorKind, Request, Usage,
};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{
    CANARY, INVOICE_JSON, Invoice, Item, assert_no_canary, bodies, closed_url, invoice,
    json_request, provider_error, rejected, schema_of,
};

const ENDPOINT: &str = "/v1/messages";

fn client(server: &MockServer) -> Anthropic {
    Anthropic::new(server.uri())
        .expect("a valid base URL")
        .model("claude-test")
        .api_key(CANARY)
}

fn message(content: Value, stop_reason: &str) -> Value {
    json!({
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-test-20250101",
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": null,
        "usage": { "input_tokens": 30, "output_tokens": 9 }
    })
}

fn text(text: &str) -> Value {
    message(json!([{ "type": "text", "text": text }]), "end_turn")
}

fn tool_use(input: Value) -> Value {
    message(
        json!([{ "type": "tool_use", "id": "toolu_1", "name": "extract", "input": input }]),
        "tool_use",
    )
}

fn error(status: u16, error_type: &str, text: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "type": "error",
        "error": { "type": error_type, "message": text }
    }))
}

async fn serve(reply: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(ENDPOINT))
        .and(header("anthropic-version", "2023-06-01"))
        .and(header("x-api-key", CANARY))
        .respond_with(reply)
        .mount(&server)
        .await;
    server
}

async fn serve_json(body: Value) -> MockServer {
    serve(ResponseTemplate::new(200).set_body_json(body)).await
}

#[tokio::test]
async fn native_and_tool_modes_force_the_tool_and_return_its_input() {
    let input: Value = serde_json::from_str(INVOICE_JSON).unwrap();
    let server = serve_json(tool_use(input.clone())).await;
    let provider = client(&server);
    for mode in [Mode::Native, Mode::Tool] {
        let response = provider
            .complete(&json_request::<Invoice>(mode))
            .await
            .unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(&response.text).unwrap(),
            input
        );
        assert_eq!(Invoice::parse(&response.text).unwrap().value, invoice());
        assert_eq!(response.usage, Usage::new(30, 9));
        assert_eq!(response.finish, FinishReason::Stop);
        assert_eq!(response.model.as_deref(), Some("claude-test-20250101"));
    }

    let bodies = bodies(&server).await;
    assert_eq!(bodies.len(), 2, "the mock matched both requests' headers");
    assert_eq!(bodies[0], bodies[1]);
    let input_schema = tool_input_schema(&schema_of::<Invoice>());
    assert_eq!(
        bodies[0],
        json!({
            "model": "claude-test",
            "max_tokens": 200,
            "system": "You extract data.",
            "messages": [
                { "role": "user", "content": "Extract it from: ACME Corp, 3 bolts, $12.50" }
            ],
            "temperature": 0.5,
            "tools": [{
                "name": "extract",
                "description": "An invoice.",
                "input_schema": input_schema
            }],
            "tool_choice": { "type": "tool", "name": "extract" }
        })
    );
    // Constraints Anthropic does not enforce are described, not sent as keywords.
    let schema = &bodies[0]["tools"][0]["input_schema"];
    assert_eq!(
        schema["properties"]["vendor"],
        json!({ "type": "string", "description": "pattern: ^[A-Z][A-Za-z ]+$" })
    );
    assert!(schema["properties"]["total"].get("minimum").is_none());
    assert!(
        schema["$defs"]["Item"]["properties"]["qty"]
            .get("minimum")
            .is_none()
    );
    assert!(!schema.to_string().contains("x-llm"));
    assert!(schema.get("$schema").is_none());
}

#[tokio::test]
async fn text_and_prompt_mode_read_the_text_blocks_with_the_default_token_limit() {
    let blocks = json!([
        { "type": "thinking", "thinking": "hmm", "signature": "sig" },
        { "type": "text", "text": "Hello, " },
        { "type": "text", "text": "world." }
    ]);
    let server = serve_json(message(blocks, "end_turn")).await;
    let provider = client(&server);
    let response = provider.complete(&Request::user("Hi")).await.unwrap();
    assert_eq!(response.text, "Hello, world.");
    let mut request = json_request::<Invoice>(Mode::Prompt);
    request.model = Some("claude-override".into());
    provider.complete(&request).await.unwrap();

    let bodies = bodies(&server).await;
    assert_eq!(
        bodies[0],
        json!({
            "model": "claude-test",
            "max_tokens": 4096,
            "messages": [{ "role": "user", "content": "Hi" }]
        })
    );
    assert_eq!(bodies[1]["model"], "claude-override");
    assert!(bodies[1].get("tools").is_none() && bodies[1].get("tool_choice").is_none());
    let limited = client(&server).max_tokens(64);
    limited.complete(&Request::user("Hi")).await.unwrap();
    assert_eq!(crate::support::bodies(&server).await[2]["max_tokens"], 64);
}

#[tokio::test]
async fn a_fenced_reply_with_prose_is_repaired_by_the_parser() {
    let reply = format!("Here you go:\n\n```json\n{INVOICE_JSON}\n```");
    let server = serve_json(text(&reply)).await;
    let response = client(&server)
        .complete(&json_request::<Invoice>(Mode::Prompt))
        .await
        .unwrap();
    let parsed = Invoice::parse(&response.text).unwrap();
    assert_eq!(parsed.value, invoice());
    assert_eq!(parsed.fixes[0].kind, FixKind::ExtractedFromFence);
}

#[tokio::test]
async fn a_list_answer_is_wrapped_in_the_tool_input_and_unwrapped_by_the_parser() {
    let server = serve_json(tool_use(
        json!({ "value": [{ "name": "bolts", "qty": 3 }] }),
    ))
    .await;
    let response = client(&server)
        .complete(&json_request::<Vec<Item>>(Mode::Native))
        .await
        .unwrap();
    let items = Vec::<Item>::parse(&response.text).unwrap().value;
    assert_eq!(
        items,
        [Item {
            name: "bolts".into(),
            qty: 3
        }]
    );
    let body = &bodies(&server).await[0];
    assert_eq!(
        body["tools"][0]["input_schema"]["required"],
        json!(["value"])
    );
    assert_eq!(body["tools"][0]["input_schema"]["type"], "object");
}

#[tokio::test]
async fn bad_request_and_unauthorized_are_typed_and_not_retryable() {
    for (status, error_type) in [
        (400, "invalid_request_error"),
        (401, "authentication_error"),
    ] {
        let server = serve(error(status, error_type, "Nope.")).await;
        let err = client(&server)
            .complete(&Request::user("hi"))
            .await
            .unwrap_err();
        assert!(!err.is_retryable());
        let err = provider_error(err);
        assert_eq!(err.provider(), "anthropic");
        assert_eq!(err.status(), Some(status));
        assert_eq!(
            err.to_string(),
            format!("anthropic returned HTTP {status} ({error_type}): Nope.")
        );
    }
}

#[tokio::test]
async fn rate_limits_and_overload_are_retryable_and_told_apart_by_type() {
    let server =
        serve(error(429, "rate_limit_error", "Too many.").insert_header("retry-after", "12")).await;
    let err = client(&server)
        .complete(&Request::user("hi"))
        .await
        .unwrap_err();
    assert!(err.is_retryable());
    let limited = provider_error(err);
    assert_eq!(limited.retry_after(), Some(Duration::from_secs(12)));
    assert!(matches!(
        limited.kind(),
        ProviderErrorKind::Http { status: 429, error_type: Some(t), .. } if t == "rate_limit_error"
    ));

    let server = serve(error(529, "overloaded_error", "Overloaded")).await;
    let err = client(&server)
        .complete(&Request::user("hi"))
        .await
        .unwrap_err();
    assert!(err.is_retryable());
    let overloaded = provider_error(err);
    assert_eq!(overloaded.retry_after(), None);
    assert!(matches!(
        overloaded.kind(),
        ProviderErrorKind::Http { status: 529, error_type: Some(t), .. } if t == "overloaded_error"
    ));
    assert_eq!(
        overloaded.to_string(),
        "anthropic returned HTTP 529 (overloaded_error): Overloaded"
    );
}

#[tokio::test]
async fn server_errors_are_retryable() {
    let server = serve(error(500, "api_error", "Internal server error")).await;
    let err = client(&server)
        .complete(&Request::user("hi"))
        .await
        .unwrap_err();
    assert!(err.is_retryable());
    assert_eq!(provider_error(err).status(), Some(500));
}

#[tokio::test]
async fn a_reply_cut_off_at_max_tokens_is_a_typed_truncation_with_the_partial_text() {
    let partial = r#"{"vendor": "ACME Corp", "total": 12.5, "items": [{"na"#;
    let cut = message(json!([{ "type": "text", "text": partial }]), "max_tokens");
    let server = serve_json(cut).await;
    let response = client(&server)
        .complete(&json_request::<Invoice>(Mode::Prompt))
        .await
        .unwrap();
    assert_eq!(response.finish, FinishReason::Length);
    assert_eq!(response.text, partial);

    let llm = Llm::new(client(&server));
    let err = extract_text(&llm, "ACME Corp, 3 bolts").await.unwrap_err();
    let rejected = rejected(&err);
    assert!(matches!(
        rejected.last_error(),
        Some(AttemptError::Truncated { max_tokens: Some(50), partial: p }) if p == partial
    ));
}

#[tokio::test]
async fn a_tool_call_cut_off_mid_input_is_a_truncation_even_when_its_input_looks_whole() {
    // Anthropic hands over a cut-off tool call's input as parsed JSON, closed whatever the
    // model wrote: the text cannot show the cut, so the call must not accept it.
    let input: Value = serde_json::from_str(INVOICE_JSON).unwrap();
    let cut = message(
        json!([{ "type": "tool_use", "id": "toolu_1", "name": "extract", "input": input }]),
        "max_tokens",
    );
    let server = serve_json(cut).await;
    let response = client(&server)
        .complete(&json_request::<Invoice>(Mode::Tool))
        .await
        .unwrap();
    assert!(response.rebuilt);
    assert_eq!(response.finish, FinishReason::Length);

    let llm = Llm::new(client(&server));
    let err = extract(&llm, "ACME Corp, 3 bolts").await.unwrap_err();
    let rejected = rejected(&err);
    assert_eq!(rejected.attempts().len(), 2);
    assert!(matches!(
        rejected.last_error(),
        Some(AttemptError::Truncated { partial, .. }) if *partial == serde_json::to_string(&input).unwrap()
    ));

    // The same input with a normal stop is the answer.
    server.reset().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(tool_use(input)))
        .mount(&server)
        .await;
    assert_eq!(
        extract(&llm, "ACME Corp, 3 bolts").await.unwrap(),
        invoice()
    );
}

#[tokio::test]
async fn a_tool_call_cut_off_before_it_began_is_re_asked_without_an_empty_turn() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(message(json!([]), "max_tokens")))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let input: Value = serde_json::from_str(INVOICE_JSON).unwrap();
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(tool_use(input)))
        .mount(&server)
        .await;
    let llm = Llm::new(client(&server));
    let answer = extract(&llm, "ACME Corp, 3 bolts").await.unwrap();
    assert_eq!(answer, invoice());
    let bodies = bodies(&server).await;
    let roles: Vec<&str> = bodies[1]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["role"].as_str())
        .collect();
    assert_eq!(roles, ["user", "user"]);
}

#[tokio::test]
async fn a_refusal_is_a_typed_error() {
    let refused = message(
        json!([{ "type": "text", "text": "I can't help with that." }]),
        "refusal",
    );
    let server = serve_json(refused).await;
    let err = client(&server)
        .complete(&json_request::<Invoice>(Mode::Native))
        .await
        .unwrap_err();
    assert!(!err.is_retryable());
    let err = provider_error(err);
    assert!(matches!(
        err.kind(),
        ProviderErrorKind::Refusal { message } if message == "I can't help with that."
    ));
}

#[tokio::test]
async fn malformed_bodies_are_decode_errors() {
    let cases = [
        ResponseTemplate::new(200).set_body_string("upstream timeout"),
        ResponseTemplate::new(200).set_body_json(json!({ "type": "message", "role": "assistant" })),
    ];
    for template in cases {
        let server = serve(template).await;
        let err = client(&server)
            .complete(&Request::user("hi"))
            .await
            .unwrap_err();
        let err = provider_error(err);
        assert!(
            matches!(
                err.kind(),
                ProviderErrorKind::Decode {
                    expected: "a message",
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(!err.is_retryable());
    }
}

#[tokio::test]
async fn a_slow_server_times_out_with_the_limit() {
    let server = serve(
        ResponseTemplate::new(200)
            .set_body_json(text("late"))
            .set_delay(Duration::from_secs(5)),
    )
    .await;
    let err = client(&server)
        .timeout(Duration::from_millis(150))
        .complete(&Request::user("hi"))
        .await
        .unwrap_err();
    assert!(err.is_retryable());
    let err = provider_error(err);
    assert_eq!(err.to_string(), "anthropic did not answer within 0.150 s");
}

#[tokio::test]
async fn the_key_never_appears_in_debug_output_or_errors() {
    let server = MockServer::start().await;
    let provider = client(&server);
    assert!(!format!("{provider:?}").contains(CANARY));
    assert!(!format!("{:?}", Llm::new(provider.clone())).contains(CANARY));
    let echo = format!("invalid x-api-key: {CANARY}");
    let replies = [
        error(401, "authentication_error", &echo),
        error(529, "overloaded_error", &echo),
        ResponseTemplate::new(200).set_body_string(echo.clone()),
        ResponseTemplate::new(200).set_body_json(message(
            json!([{ "type": "text", "text": echo }]),
            "refusal",
        )),
        ResponseTemplate::new(200)
            .set_body_json(text("x"))
            .set_delay(Duration::from_secs(5)),
    ];
    for reply in replies {
        server.reset().await;
        Mock::given(method("POST"))
            .respond_with(reply)
            .mount(&server)
            .await;
        let err = provider
            .clone()
            .timeout(Duration::from_millis(150))
            .complete(&Request::user("hi"))
            .await
            .unwrap_err();
        assert_no_canary(&err);
    }
    let closed = Anthropic::new(closed_url()).unwrap().api_key(CANARY);
    let err = closed.complete(&Request::user("hi")).await.unwrap_err();
    assert!(
        matches!(&err, LlmError::Provider(e) if matches!(e.kind(), ProviderErrorKind::Transport { .. }))
    );
    assert_no_canary(&err);
    let err = provider
        .api_key(format!("{CANARY}\r\n"))
        .complete(&Request::user("hi"))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        LlmError::Config(ConfigError::Invalid {
            variable: "ANTHROPIC_API_KEY",
            ..
        })
    ));
    assert_no_canary(&err);
}

#[tokio::test]
async fn settings_come_from_the_lookup_and_select_anthropic() {
    let server = serve_json(text("hi")).await;
    let base = server.uri();
    let vars = |name: &str| match name {
        "ANTHROPIC_API_KEY" => Some(CANARY.to_owned()),
        "ANTHROPIC_BASE_URL" => Some(base.clone()),
        "LLM_MODEL" => Some("claude-from-env".to_owned()),
        "LLM_TIMEOUT_SECS" => Some("30".to_owned()),
        _ => None,
    };
    let provider = Anthropic::from_lookup(&vars).unwrap();
    assert!(!format!("{provider:?}").contains(CANARY));
    provider.complete(&Request::user("hi")).await.unwrap();
    assert_eq!(bodies(&server).await[0]["model"], "claude-from-env");

    let llm = Llm::from_lookup(&vars).unwrap();
    assert_eq!(llm.provider().name(), "anthropic");
    let bad_timeout = |name: &str| match name {
        "LLM_TIMEOUT_SECS" => Some("-1".to_owned()),
        other => vars(other),
    };
    let err = Anthropic::from_lookup(&bad_timeout).unwrap_err();
    assert!(matches!(
        err,
        ConfigError::Invalid {
            variable: "LLM_TIMEOUT_SECS",
            ..
        }
    ));
}

#[llm_fn(
    prompt = "Extract the invoice from: {email}",
    mode = "prompt",
    max_tokens = 50,
    retries = 0
)]
async fn extract_text(llm: &Llm, email: &str) -> Result<Invoice, LlmError>;

#[llm_fn(prompt = "Extract the invoice from: {email}", retries = 1)]
async fn extract(llm: &Llm, email: &str) -> Result<Invoice, LlmError>;

#[tokio::test]
async fn a_reply_that_breaks_a_rule_is_re_asked_over_http_until_it_passes() {
    let bad = json!({ "vendor": "acme", "total": 12.5, "items": [{ "name": "bolts", "qty": 3 }], "note": null });
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(tool_use(bad.clone())))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let good: Value = serde_json::from_str(INVOICE_JSON).unwrap();
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(tool_use(good)))
        .mount(&server)
        .await;
    let llm = Llm::new(client(&server));
    let answer = extract::with_provenance(&llm, "ACME Corp, 3 bolts")
        .await
        .unwrap();
    assert_eq!(answer.value, invoice());
    assert_eq!(answer.provenance.attempt_count(), 2);
    assert_eq!(answer.provenance.usage, Usage::new(60, 18));
    assert_eq!(answer.provenance.provider, "anthropic");

    let bodies = bodies(&server).await;
    let messages = bodies[1]["messages"].as_array().unwrap();
    assert_eq!(messages[1]["role"], "assistant");
    assert_eq!(
        serde_json::from_str::<Value>(messages[1]["content"].as_str().unwrap()).unwrap(),
        bad
    );
    assert!(messages[2]["content"].as_str().unwrap().contains("vendor"));
    assert_eq!(
        bodies[1]["tool_choice"],
        json!({ "type": "tool", "name": "extract" })
    );

    // Every attempt used: the call is rejected with each attempt's error.
    server.reset().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(tool_use(bad)))
        .mount(&server)
        .await;
    let err = extract(&llm, "ACME Corp, 3 bolts").await.unwrap_err();
    let rejected = rejected(&err);
    assert_eq!(rejected.attempts().len(), 2);
    assert!(matches!(
        rejected.last_error(),
        Some(AttemptError::Validation(_))
    ));
}
