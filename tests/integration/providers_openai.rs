//! The OpenAI-compatible provider against a mock server: the request in each mode, the reply's
//! text, usage and finish reason, typed HTTP errors, refusals, malformed bodies, timeouts, the
//! re-ask loop over HTTP, and a key that never leaks.

use std::time::Duration;

use llm_core::call::AttemptError;
use llm_core::parse::FixKind;
use llm_core::prelude::*;
use llm_core::provider::openai::{OpenAi, StrictSchema};
use llm_core::provider::{
    ConfigError, FinishReason, Mode, Provider, ProviderErrorKind, Request, Usage,
};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{
    CANARY, INVOICE_JSON, Invoice, Item, Priority, Shape, assert_no_canary, bodies, closed_url,
    header, invoice, json_request, provider_error, rejected, schema_of,
};

const ENDPOINT: &str = "/v1/chat/completions";

fn client(server: &MockServer) -> OpenAi {
    OpenAi::new(format!("{}/v1", server.uri()))
        .expect("a valid base URL")
        .model("test-model")
        .api_key(CANARY)
}

fn completion(message: Value, finish: &str) -> Value {
    json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "test-model-2024",
        "choices": [{ "index": 0, "message": message, "finish_reason": finish }],
        "usage": { "prompt_tokens": 42, "completion_tokens": 7, "total_tokens": 49 }
    })
}

fn content(text: &str) -> Value {
    completion(json!({ "role": "assistant", "content": text }), "stop")
}

async fn serve(body: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(ENDPOINT))
        .respond_with(body)
        .mount(&server)
        .await;
    server
}

async fn serve_json(body: Value) -> MockServer {
    serve(ResponseTemplate::new(200).set_body_json(body)).await
}

#[tokio::test]
async fn native_mode_sends_the_strict_schema_and_reads_the_content() {
    let server = serve_json(content(INVOICE_JSON)).await;
    let response = client(&server)
        .complete(&json_request::<Invoice>(Mode::Native))
        .await
        .unwrap();
    assert_eq!(response.text, INVOICE_JSON);
    assert_eq!(response.usage, Usage::new(42, 7));
    assert_eq!(response.finish, FinishReason::Stop);
    assert_eq!(response.model.as_deref(), Some("test-model-2024"));
    assert_eq!(Invoice::parse(&response.text).unwrap().value, invoice());

    let auth = header(&server, "authorization").await;
    assert_eq!(auth.as_deref(), Some("Bearer sk-canary-123456"));
    let body = &bodies(&server).await[0];
    let strict = StrictSchema::from_canonical(&schema_of::<Invoice>());
    assert!(strict.strict);
    assert_eq!(
        body,
        &json!({
            "model": "test-model",
            "messages": [
                { "role": "system", "content": "You extract data." },
                { "role": "user", "content": "Extract it from: ACME Corp, 3 bolts, $12.50" }
            ],
            "temperature": 0.5,
            "max_tokens": 200,
            "response_format": {
                "type": "json_schema",
                "json_schema": {
                    "name": "extract",
                    "description": "An invoice.",
                    "schema": strict.schema,
                    "strict": true
                }
            }
        })
    );
    // The strict subset: closed objects, every property required, the optional one nullable.
    let schema = &body["response_format"]["json_schema"]["schema"];
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(
        schema["required"],
        json!(["vendor", "total", "items", "note"])
    );
    assert_eq!(
        schema["properties"]["note"]["type"],
        json!(["string", "null"])
    );
    assert_eq!(
        schema["properties"]["vendor"]["pattern"],
        "^[A-Z][A-Za-z ]+$"
    );
    assert_eq!(schema["$defs"]["Item"]["additionalProperties"], false);
    assert!(!body.to_string().contains("x-llm"));
}

#[tokio::test]
async fn the_token_limit_is_sent_under_the_name_the_endpoint_reads() {
    // A local or compatible server: `max_tokens`.
    let server = serve_json(content(INVOICE_JSON)).await;
    let request = json_request::<Invoice>(Mode::Native);
    client(&server).complete(&request).await.unwrap();
    client(&server)
        .max_completion_tokens(true)
        .complete(&request)
        .await
        .unwrap();
    let bodies = bodies(&server).await;
    assert_eq!(bodies[0]["max_tokens"], 200);
    assert!(bodies[0].get("max_completion_tokens").is_none());
    // OpenAI's current name, which its reasoning models require.
    assert_eq!(bodies[1]["max_completion_tokens"], 200);
    assert!(bodies[1].get("max_tokens").is_none());

    // The default follows the endpoint: OpenAI's own uses the new name.
    let openai = OpenAi::new(OpenAi::DEFAULT_BASE_URL).unwrap();
    assert!(format!("{openai:?}").contains("max_completion_tokens: true"));
    assert!(format!("{:?}", client(&server)).contains("max_completion_tokens: false"));
}

#[tokio::test]
async fn tool_mode_forces_one_strict_function_and_returns_its_arguments() {
    let arguments =
        r#"{"vendor":"ACME Corp","total":12.5,"items":[{"name":"bolts","qty":3}],"note":null}"#;
    let message = json!({
        "role": "assistant",
        "content": null,
        "tool_calls": [{
            "id": "call_1",
            "type": "function",
            "function": { "name": "extract", "arguments": arguments }
        }]
    });
    let server = serve_json(completion(message, "tool_calls")).await;
    let response = client(&server)
        .complete(&json_request::<Invoice>(Mode::Tool))
        .await
        .unwrap();
    assert_eq!(response.text, arguments);
    assert_eq!(response.finish, FinishReason::Stop);
    assert_eq!(Invoice::parse(&response.text).unwrap().value, invoice());

    let body = &bodies(&server).await[0];
    let strict = StrictSchema::from_canonical(&schema_of::<Invoice>());
    assert_eq!(
        body["tools"],
        json!([{
            "type": "function",
            "function": {
                "name": "extract",
                "description": "An invoice.",
                "parameters": strict.schema,
                "strict": true
            }
        }])
    );
    assert_eq!(
        body["tool_choice"],
        json!({ "type": "function", "function": { "name": "extract" } })
    );
    assert_eq!(body["parallel_tool_calls"], false);
    assert!(body.get("response_format").is_none());
}

#[tokio::test]
async fn prompt_mode_and_text_send_no_schema_and_the_request_model_wins() {
    let server = serve_json(content(INVOICE_JSON)).await;
    let provider = client(&server);
    let mut request = json_request::<Invoice>(Mode::Prompt);
    request.model = Some("override-model".into());
    provider.complete(&request).await.unwrap();
    provider.complete(&Request::user("Hello")).await.unwrap();

    let bodies = bodies(&server).await;
    assert_eq!(bodies[0]["model"], "override-model");
    assert_eq!(
        bodies[1],
        json!({ "model": "test-model", "messages": [{ "role": "user", "content": "Hello" }] })
    );
    for body in &bodies {
        for key in ["response_format", "tools", "tool_choice"] {
            assert!(body.get(key).is_none(), "{key} in {body}");
        }
    }
}

#[tokio::test]
async fn a_fenced_reply_with_prose_is_repaired_by_the_parser() {
    let reply = format!("Sure! Here is the invoice:\n```json\n{INVOICE_JSON}\n```\nAnything else?");
    let server = serve_json(content(&reply)).await;
    let response = client(&server)
        .complete(&json_request::<Invoice>(Mode::Prompt))
        .await
        .unwrap();
    let parsed = Invoice::parse(&response.text).unwrap();
    assert_eq!(parsed.value, invoice());
    assert_eq!(parsed.fixes[0].kind, FixKind::ExtractedFromFence);
}

#[tokio::test]
async fn non_object_answers_are_wrapped_in_the_schema_and_unwrapped_by_the_parser() {
    let schema = StrictSchema::from_canonical(&schema_of::<Vec<Item>>()).schema;
    assert_eq!(schema["required"], json!(["value"]));
    assert_eq!(schema["properties"]["value"]["type"], "array");
    let items = Vec::<Item>::parse(r#"{"value": [{"name": "bolts", "qty": 3}]}"#).unwrap();
    assert_eq!(items.value.len(), 1);

    let schema = StrictSchema::from_canonical(&schema_of::<Priority>()).schema;
    assert_eq!(
        schema["properties"]["value"]["enum"],
        json!(["low", "high"])
    );
    assert_eq!(
        Priority::parse(r#"{"value": "high"}"#).unwrap().value,
        Priority::High
    );

    let schema = StrictSchema::from_canonical(&schema_of::<Shape>()).schema;
    assert!(schema["properties"]["value"]["anyOf"].is_array());
    let shape = Shape::parse(r#"{"value": {"kind": "circle", "r": 2.0}}"#).unwrap();
    assert_eq!(shape.value, Shape::Circle { r: 2.0 });

    // And over the wire: the request carries the wrapper, the reply goes through as sent.
    let server = serve_json(content(r#"{"value": "low"}"#)).await;
    let response = client(&server)
        .complete(&json_request::<Priority>(Mode::Native))
        .await
        .unwrap();
    assert_eq!(
        Priority::parse(&response.text).unwrap().value,
        Priority::Low
    );
    let body = &bodies(&server).await[0];
    assert_eq!(
        body["response_format"]["json_schema"]["schema"]["properties"]["value"]["enum"],
        json!(["low", "high"])
    );
}

#[tokio::test]
async fn bad_request_and_unauthorized_are_typed_and_not_retryable() {
    for (status, error_type) in [(400, "invalid_request_error"), (401, "invalid_api_key")] {
        let body = json!({
            "error": { "message": "Nope.", "type": error_type, "param": null, "code": null }
        });
        let server = serve(ResponseTemplate::new(status).set_body_json(body)).await;
        let err = client(&server)
            .complete(&Request::user("hi"))
            .await
            .unwrap_err();
        assert!(!err.is_retryable());
        let err = provider_error(err);
        assert_eq!(err.provider(), "openai");
        assert_eq!(err.status(), Some(status));
        assert!(matches!(
            err.kind(),
            ProviderErrorKind::Http { error_type: Some(t), message, .. }
                if t == error_type && message == "Nope."
        ));
        assert_eq!(
            err.to_string(),
            format!("openai returned HTTP {status} ({error_type}): Nope.")
        );
    }
}

#[tokio::test]
async fn rate_limits_surface_the_wait_asked_for() {
    let body = json!({ "error": { "message": "Slow down.", "type": "requests", "code": "rate_limit_exceeded" } });
    let server = serve(
        ResponseTemplate::new(429)
            .insert_header("retry-after", "2")
            .insert_header("retry-after-ms", "1500")
            .set_body_json(body),
    )
    .await;
    let err = client(&server)
        .complete(&Request::user("hi"))
        .await
        .unwrap_err();
    assert!(err.is_retryable());
    let err = provider_error(err);
    assert_eq!(err.status(), Some(429));
    assert_eq!(err.retry_after(), Some(Duration::from_millis(1500)));

    let server = serve(ResponseTemplate::new(429).insert_header("retry-after", "7")).await;
    let err = provider_error(
        client(&server)
            .complete(&Request::user("hi"))
            .await
            .unwrap_err(),
    );
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(
        err.to_string(),
        "openai returned HTTP 429; retry after 7.000 s"
    );
}

#[tokio::test]
async fn server_errors_are_retryable_and_keep_the_body() {
    let server =
        serve(ResponseTemplate::new(500).set_body_string("upstream connect error\n")).await;
    let err = client(&server)
        .complete(&Request::user("hi"))
        .await
        .unwrap_err();
    assert!(err.is_retryable());
    let err = provider_error(err);
    assert_eq!(err.status(), Some(500));
    assert!(matches!(
        err.kind(),
        ProviderErrorKind::Http { error_type: None, message, retry_after: None, .. }
            if message == "upstream connect error"
    ));
}

#[tokio::test]
async fn a_reply_cut_off_at_the_limit_is_a_typed_truncation_with_the_partial_text() {
    let partial = r#"{"vendor": "ACME Corp", "total": 12.5, "items": [{"name": "bo"#;
    let server = serve_json(completion(
        json!({ "role": "assistant", "content": partial }),
        "length",
    ))
    .await;
    let response = client(&server)
        .complete(&json_request::<Invoice>(Mode::Native))
        .await
        .unwrap();
    assert_eq!(response.finish, FinishReason::Length);
    assert_eq!(response.text, partial);

    // Through a call: the truncation is typed, with the token limit and the partial text.
    let llm = Llm::new(client(&server));
    let err = extract(&llm, "ACME Corp, 3 bolts").await.unwrap_err();
    let rejected = rejected(&err);
    assert!(matches!(
        rejected.last_error(),
        Some(AttemptError::Truncated { max_tokens: Some(300), partial: p }) if p == partial
    ));
}

#[tokio::test]
async fn a_refusal_is_a_typed_error_and_a_content_filter_stop_is_reported() {
    let message =
        json!({ "role": "assistant", "content": null, "refusal": "I can't help with that." });
    let server = serve_json(completion(message, "stop")).await;
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

    let filtered = completion(
        json!({ "role": "assistant", "content": "" }),
        "content_filter",
    );
    let server = serve_json(filtered).await;
    let response = client(&server)
        .complete(&Request::user("hi"))
        .await
        .unwrap();
    assert_eq!(response.finish, FinishReason::ContentFilter);
}

#[tokio::test]
async fn malformed_bodies_are_decode_errors() {
    let cases = [
        ResponseTemplate::new(200).set_body_string("<html>gateway</html>"),
        ResponseTemplate::new(200).set_body_json(json!({ "id": "x", "object": "chat.completion" })),
        ResponseTemplate::new(200).set_body_json(json!({ "choices": [] })),
    ];
    for template in cases {
        let server = serve(template).await;
        let err = client(&server)
            .complete(&Request::user("hi"))
            .await
            .unwrap_err();
        assert!(!err.is_retryable());
        let err = provider_error(err);
        assert!(
            matches!(
                err.kind(),
                ProviderErrorKind::Decode {
                    expected: "a chat completion",
                    ..
                }
            ),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn a_slow_server_times_out_with_the_limit() {
    let server = serve(
        ResponseTemplate::new(200)
            .set_body_json(content("late"))
            .set_delay(Duration::from_secs(5)),
    )
    .await;
    let limit = Duration::from_millis(200);
    let err = client(&server)
        .timeout(limit)
        .complete(&Request::user("hi"))
        .await
        .unwrap_err();
    assert!(err.is_retryable());
    let err = provider_error(err);
    assert!(
        matches!(err.kind(), ProviderErrorKind::Timeout { after: Some(after) } if *after == limit)
    );
    assert_eq!(err.to_string(), "openai did not answer within 0.200 s");
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error() {
    let provider = OpenAi::new(format!("{}/v1", closed_url())).unwrap();
    let err = provider_error(provider.complete(&Request::user("hi")).await.unwrap_err());
    assert!(err.is_retryable());
    assert!(matches!(err.kind(), ProviderErrorKind::Transport { .. }));
    assert_eq!(err.to_string(), "request to openai failed");
}

#[tokio::test]
async fn the_key_never_appears_in_debug_output_or_errors() {
    let server = MockServer::start().await;
    let provider = client(&server);
    assert!(!format!("{provider:?}").contains(CANARY));
    assert!(!format!("{:?}", Llm::new(provider.clone())).contains(CANARY));
    let echo = format!("Incorrect API key provided: {CANARY}.");
    let replies = [
        ResponseTemplate::new(401).set_body_json(
            json!({ "error": { "message": echo, "type": "invalid_request_error" } }),
        ),
        ResponseTemplate::new(500).set_body_string(format!("auth {CANARY} failed")),
        ResponseTemplate::new(200).set_body_string(format!("not json {CANARY}")),
        ResponseTemplate::new(200).set_body_json(completion(json!({ "refusal": echo }), "stop")),
        ResponseTemplate::new(200)
            .set_body_json(content("x"))
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
            .timeout(Duration::from_millis(200))
            .complete(&Request::user("hi"))
            .await
            .unwrap_err();
        assert_no_canary(&err);
    }
    let closed = OpenAi::new(closed_url()).unwrap().api_key(CANARY);
    let err = closed.complete(&Request::user("hi")).await.unwrap_err();
    assert_no_canary(&err);
    // A key that cannot go in a header fails as configuration, still without its value.
    let bad = provider.api_key(format!("{CANARY}\n"));
    let err = bad.complete(&Request::user("hi")).await.unwrap_err();
    assert!(matches!(
        err,
        LlmError::Config(ConfigError::Invalid {
            variable: "OPENAI_API_KEY",
            ..
        })
    ));
    assert_no_canary(&err);
}

#[tokio::test]
async fn settings_come_from_the_lookup_and_errors_name_the_variable() {
    let server = serve_json(content("hi")).await;
    let base = format!("{}/v1", server.uri());
    let vars = |name: &str| match name {
        "LLM_BASE_URL" => Some(base.clone()),
        "OPENAI_BASE_URL" => Some("not a url".to_owned()),
        "OPENAI_API_KEY" => Some(CANARY.to_owned()),
        "LLM_MODEL" => Some("from-env".to_owned()),
        "LLM_TIMEOUT_SECS" => Some("5".to_owned()),
        _ => None,
    };
    let provider = OpenAi::from_lookup(&vars).unwrap();
    assert_eq!(provider.name(), "openai");
    assert!(!format!("{provider:?}").contains(CANARY));
    provider.complete(&Request::user("hi")).await.unwrap();
    assert_eq!(bodies(&server).await[0]["model"], "from-env");
    assert_eq!(
        header(&server, "authorization").await.as_deref(),
        Some("Bearer sk-canary-123456")
    );

    // A local server needs no key.
    let local =
        |name: &str| (name == "OPENAI_BASE_URL").then(|| "http://127.0.0.1:8080/v1".to_owned());
    assert!(OpenAi::from_lookup(&local).is_ok());
    let err = OpenAi::from_lookup(&|name| (name == "LLM_BASE_URL").then(|| CANARY.to_owned()))
        .unwrap_err();
    assert!(matches!(
        err,
        ConfigError::Invalid {
            variable: "LLM_BASE_URL",
            ..
        }
    ));
    assert_no_canary(&err);
    let err =
        OpenAi::from_lookup(&|name| (name == "LLM_MODEL").then(|| "m".to_owned())).unwrap_err();
    assert!(matches!(
        err,
        ConfigError::Missing {
            variable: "OPENAI_API_KEY",
            ..
        }
    ));
    let llm = Llm::from_lookup(&local).unwrap();
    assert_eq!(llm.provider().name(), "openai");
}

#[llm_fn(
    system = "You extract invoices.",
    prompt = "Extract the invoice from: {email}",
    max_tokens = 300
)]
async fn extract(llm: &Llm, email: &str) -> Result<Invoice, LlmError>;

#[llm_fn(
    prompt = "Extract the invoice from: {email}",
    retries = 1,
    mode = "tool"
)]
async fn extract_twice(llm: &Llm, email: &str) -> Result<Invoice, LlmError>;

#[tokio::test]
async fn a_reply_that_breaks_a_rule_is_re_asked_over_http_until_it_passes() {
    let bad = r#"{"vendor": "ACME Corp", "total": 12.5, "items": [{"name": "bolts", "qty": 0}], "note": null}"#;
    let tool_reply = |arguments: &str| {
        completion(
            json!({ "tool_calls": [{ "type": "function", "function": { "name": "extract_twice", "arguments": arguments } }] }),
            "tool_calls",
        )
    };
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(tool_reply(bad)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(tool_reply(INVOICE_JSON)))
        .mount(&server)
        .await;
    let llm = Llm::new(client(&server));
    let answer = extract_twice::with_provenance(&llm, "ACME Corp, 3 bolts")
        .await
        .unwrap();
    assert_eq!(answer.value, invoice());
    assert_eq!(answer.provenance.attempt_count(), 2);
    assert_eq!(answer.provenance.usage, Usage::new(84, 14));

    let bodies = bodies(&server).await;
    assert_eq!(bodies.len(), 2);
    let messages = bodies[1]["messages"].as_array().unwrap();
    assert_eq!(messages[1], json!({ "role": "assistant", "content": bad }));
    let reask = messages[2]["content"].as_str().unwrap();
    assert!(reask.contains("items[0].qty"), "{reask}");
    assert_eq!(
        bodies[1]["tool_choice"]["function"]["name"],
        "extract_twice"
    );

    // With every attempt used, the call is rejected with each attempt's error.
    server.reset().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(tool_reply(bad)))
        .mount(&server)
        .await;
    let err = extract_twice(&llm, "ACME Corp, 3 bolts").await.unwrap_err();
    let rejected = rejected(&err);
    assert!(matches!(
        rejected.last_error(),
        Some(AttemptError::Validation(_))
    ));
    assert_eq!(
        server.received_requests().await.unwrap_or_default().len(),
        2
    );
}
