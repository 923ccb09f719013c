//! What the HTTP providers ([`openai`](super::openai), [`anthropic`](super::anthropic)) share:
//! reading their settings, posting one JSON request, and turning error statuses, error bodies
//! and transport failures into [`ProviderError`]s.
//!
//! Keys travel as [`SecretString`]s and leave only as header values marked sensitive; every
//! message or body excerpt taken from a reply is scrubbed of the key before an error keeps it.
//! This module knows no provider's wire format beyond the error-body shapes they share.

pub(crate) mod schema;

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde_json::Value;
use url::Url;

use super::{ConfigError, ProviderError, ProviderErrorKind};
use crate::LlmError;

/// The per-request time limit when none is configured.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The variable holding the per-request time limit, in seconds.
pub(crate) const TIMEOUT_VARIABLE: &str = "LLM_TIMEOUT_SECS";

/// A setting read through `lookup`, trimmed; `None` when unset or blank.
pub(crate) fn setting(lookup: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    lookup(name)
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The first of `names` that is set, with its name.
pub(crate) fn first_setting(
    lookup: &dyn Fn(&str) -> Option<String>,
    names: &[&'static str],
) -> Option<(&'static str, String)> {
    names
        .iter()
        .find_map(|name| setting(lookup, name).map(|v| (*name, v)))
}

/// `value` as an `http` or `https` base URL; the error names `variable`, never the value.
pub(crate) fn base_url(value: &str, variable: &'static str) -> Result<Url, ConfigError> {
    let url = Url::parse(value.trim()).map_err(|err| ConfigError::Invalid {
        variable,
        problem: format!("not a URL ({err})"),
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(ConfigError::Invalid {
            variable,
            problem: "must be an http or https URL".to_owned(),
        });
    }
    Ok(url)
}

/// `base` with `path` appended (`https://host/v1` + `chat/completions`), parsed once so that a
/// request does not parse it again. `variable` names the setting `base` came from, for errors.
pub(crate) fn endpoint(base: &Url, path: &str, variable: &'static str) -> Result<Url, ConfigError> {
    let joined = format!("{}/{path}", base.as_str().trim_end_matches('/'));
    Url::parse(&joined).map_err(|err| ConfigError::Invalid {
        variable,
        problem: format!("does not make a URL with `/{path}` appended ({err})"),
    })
}

/// `base` for `Debug` output: a password in it is replaced.
pub(crate) fn display_url(base: &Url) -> String {
    let mut shown = base.clone();
    if shown.password().is_some() {
        // Only fails for URLs that cannot have credentials, which had none to hide.
        let _ = shown.set_password(Some("redacted"));
    }
    shown.to_string()
}

/// The time limit from [`TIMEOUT_VARIABLE`], when set.
pub(crate) fn timeout_setting(
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Duration>, ConfigError> {
    let Some(value) = setting(lookup, TIMEOUT_VARIABLE) else {
        return Ok(None);
    };
    let invalid = || ConfigError::Invalid {
        variable: TIMEOUT_VARIABLE,
        problem: "must be a positive number of seconds".to_owned(),
    };
    let secs: f64 = value.parse().map_err(|_| invalid())?;
    if !secs.is_finite() || secs <= 0.0 {
        return Err(invalid());
    }
    Duration::try_from_secs_f64(secs)
        .map(Some)
        .map_err(|_| invalid())
}

/// A key from `variable`, checked to fit in an HTTP header.
pub(crate) fn api_key(value: String, variable: &'static str) -> Result<SecretString, ConfigError> {
    let key = SecretString::from(value);
    secret_header(&key, "", variable)?;
    Ok(key)
}

/// The header value `prefix` + `key`, marked sensitive so that `http` never prints it.
pub(crate) fn secret_header(
    key: &SecretString,
    prefix: &str,
    variable: &'static str,
) -> Result<HeaderValue, ConfigError> {
    let mut value =
        HeaderValue::from_str(&format!("{prefix}{}", key.expose_secret())).map_err(|_| {
            ConfigError::Invalid {
                variable,
                problem: "contains characters that cannot be sent in an HTTP header".to_owned(),
            }
        })?;
    value.set_sensitive(true);
    Ok(value)
}

/// The client every provider builds unless given one: no overall timeout (each request sets its
/// own), so that a client passed in by the user gets the provider's limit too.
pub(crate) fn client() -> Result<reqwest::Client, ConfigError> {
    reqwest::Client::builder()
        .build()
        .map_err(ConfigError::Client)
}

/// What every HTTP provider holds: where it posts, with which key, default model, time limit and
/// client. The providers add their wire format and headers.
#[derive(Clone)]
pub(crate) struct Endpoint {
    /// The base URL, as configured (shown in `Debug`, password masked).
    pub(crate) base_url: Url,
    /// The URL requests go to: `base_url` with the provider's path, parsed once.
    pub(crate) url: Url,
    pub(crate) api_key: Option<SecretString>,
    /// The model asked when a request names none.
    pub(crate) model: String,
    /// The time limit of each request.
    pub(crate) timeout: Duration,
    pub(crate) client: reqwest::Client,
}

impl Endpoint {
    /// `path` under `base_url` (from the setting `variable`), asking `model`, without a key, with
    /// the default time limit and a client of its own.
    pub(crate) fn new(
        base_url: Url,
        path: &str,
        variable: &'static str,
        model: &str,
    ) -> Result<Self, ConfigError> {
        Ok(Self {
            url: endpoint(&base_url, path, variable)?,
            base_url,
            api_key: None,
            model: model.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            client: client()?,
        })
    }

    /// Applies the settings every provider reads: `LLM_MODEL` and [`TIMEOUT_VARIABLE`].
    pub(crate) fn read_settings(
        &mut self,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        if let Some(model) = setting(lookup, "LLM_MODEL") {
            self.model = model;
        }
        if let Some(timeout) = timeout_setting(lookup)? {
            self.timeout = timeout;
        }
        Ok(())
    }

    /// A POST to this endpoint with `headers`, for `provider`.
    pub(crate) fn post(&self, provider: &'static str, headers: HeaderMap) -> Post<'_> {
        Post {
            provider,
            client: &self.client,
            url: &self.url,
            headers,
            timeout: self.timeout,
            key: self.api_key.as_ref(),
        }
    }

    /// The `Debug` fields every provider shows; never the key.
    pub(crate) fn debug_fields(&self, f: &mut std::fmt::DebugStruct<'_, '_>) {
        f.field("base_url", &display_url(&self.base_url))
            .field("model", &self.model)
            .field("timeout", &self.timeout)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"));
    }
}

/// One JSON POST to a provider.
#[derive(Debug)]
pub(crate) struct Post<'a> {
    /// The provider's name, for errors.
    provider: &'static str,
    /// The client to send with.
    client: &'a reqwest::Client,
    /// The full URL.
    url: &'a Url,
    /// Headers, credentials included (marked sensitive).
    headers: HeaderMap,
    /// The time limit, from connecting to the end of the body.
    timeout: Duration,
    /// The key, to scrub from anything kept from the reply.
    key: Option<&'a SecretString>,
}

impl Post<'_> {
    /// Sends `body` and returns the body of a 2xx reply; any other status is a
    /// [`ProviderErrorKind::Http`] error with the provider's error type, message and wait.
    pub(crate) async fn send(self, body: &impl Serialize) -> Result<Bytes, ProviderError> {
        let started = std::time::Instant::now();
        let response = self
            .client
            .post(self.url.clone())
            .headers(self.headers)
            .timeout(self.timeout)
            .json(body)
            .send()
            .await
            .map_err(|err| transport(self.provider, err, self.timeout))?;
        let status = response.status();
        // Only an error reply needs its headers (for `retry-after`).
        let retry = (!status.is_success())
            .then(|| retry_after(response.headers()))
            .flatten();
        let bytes = response
            .bytes()
            .await
            .map_err(|err| transport(self.provider, err, self.timeout))?;
        tracing::debug!(
            provider = self.provider,
            status = status.as_u16(),
            bytes = bytes.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "provider replied"
        );
        if status.is_success() {
            return Ok(bytes);
        }
        let text = scrub(&String::from_utf8_lossy(&bytes), self.key);
        let (error_type, message) = error_body(&text);
        Err(ProviderError::http(
            self.provider,
            status.as_u16(),
            error_type,
            &message,
            retry,
        ))
    }
}

/// A transport failure; a timeout carries the limit that was exceeded.
fn transport(provider: &'static str, err: reqwest::Error, limit: Duration) -> ProviderError {
    if err.is_timeout() {
        return ProviderError::new(provider, ProviderErrorKind::Timeout { after: Some(limit) });
    }
    ProviderError::transport(provider, err)
}

/// A 2xx body that is not what the protocol promises, scrubbed of the key.
pub(crate) fn decode_error(
    provider: &'static str,
    expected: &'static str,
    body: &[u8],
    key: Option<&SecretString>,
) -> LlmError {
    let text = scrub(&String::from_utf8_lossy(body), key);
    ProviderError::decode(provider, expected, &text).into()
}

/// The model refused; its explanation, scrubbed of the key.
pub(crate) fn refusal(
    provider: &'static str,
    message: &str,
    key: Option<&SecretString>,
) -> LlmError {
    ProviderError::new(
        provider,
        ProviderErrorKind::Refusal {
            message: scrub(message, key),
        },
    )
    .into()
}

/// `text` with every occurrence of the key replaced.
pub(crate) fn scrub(text: &str, key: Option<&SecretString>) -> String {
    match key.map(ExposeSecret::expose_secret) {
        Some(key) if !key.is_empty() && text.contains(key) => text.replace(key, "[redacted]"),
        _ => text.to_owned(),
    }
}

/// The error type and message of an error body, in the shapes providers use:
/// `{"error": {"type", "code", "message"}}` (OpenAI, Anthropic, llama.cpp), `{"error": "..."}`
/// (Ollama), `{"type", "message"}` (vLLM). Without one, the message is the body itself.
pub(crate) fn error_body(text: &str) -> (Option<String>, String) {
    let Ok(body) = serde_json::from_str::<Value>(text) else {
        return (None, text.trim().to_owned());
    };
    let error = match body.get("error") {
        Some(Value::String(message)) => return (None, message.clone()),
        Some(error @ Value::Object(_)) => error,
        _ => &body,
    };
    let text_of = |key: &str| match error.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let error_type = text_of("type")
        .filter(|t| t != "error")
        .or_else(|| text_of("code"));
    let message = error
        .get("message")
        .and_then(Value::as_str)
        .map_or_else(|| text.trim().to_owned(), str::to_owned);
    (error_type, message)
}

/// How long the provider asked to wait: `retry-after-ms` (milliseconds), then `retry-after`
/// (seconds). An HTTP-date `retry-after` is ignored: the APIs served here send seconds, and a
/// retry layer falls back to its own backoff.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let number = |name: &'static str| {
        headers
            .get(HeaderName::from_static(name))?
            .to_str()
            .ok()?
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && *n >= 0.0)
    };
    if let Some(ms) = number("retry-after-ms") {
        return Duration::try_from_secs_f64(ms / 1000.0).ok();
    }
    number("retry-after").and_then(|secs| Duration::try_from_secs_f64(secs).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        map
    }

    #[test]
    fn retry_after_prefers_milliseconds_and_ignores_dates() {
        let both = headers(&[("retry-after-ms", "1500"), ("retry-after", "7")]);
        assert_eq!(retry_after(&both), Some(Duration::from_millis(1500)));
        let secs = headers(&[("retry-after", "7")]);
        assert_eq!(retry_after(&secs), Some(Duration::from_secs(7)));
        let date = headers(&[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")]);
        assert_eq!(retry_after(&date), None);
        let negative = headers(&[("retry-after", "-3")]);
        assert_eq!(retry_after(&negative), None);
    }

    #[test]
    fn error_bodies_in_every_shape_give_type_and_message() {
        let openai =
            r#"{"error": {"message": "Bad", "type": "invalid_request_error", "code": null}}"#;
        assert_eq!(
            error_body(openai),
            (Some("invalid_request_error".into()), "Bad".into())
        );
        let anthropic =
            r#"{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}"#;
        assert_eq!(
            error_body(anthropic),
            (Some("overloaded_error".into()), "Overloaded".into())
        );
        let llama = r#"{"error": {"code": 500, "message": "boom"}}"#;
        assert_eq!(error_body(llama), (Some("500".into()), "boom".into()));
        let ollama = r#"{"error": "model not found"}"#;
        assert_eq!(error_body(ollama), (None, "model not found".into()));
        let vllm = r#"{"object": "error", "type": "BadRequestError", "message": "no"}"#;
        assert_eq!(
            error_body(vllm),
            (Some("BadRequestError".into()), "no".into())
        );
        assert_eq!(
            error_body(" upstream down \n"),
            (None, "upstream down".into())
        );
    }

    #[test]
    fn the_key_is_scrubbed_and_settings_name_the_variable_not_the_value() {
        let key = SecretString::from("sk-canary-123456");
        assert_eq!(
            scrub("Incorrect API key: sk-canary-123456.", Some(&key)),
            "Incorrect API key: [redacted]."
        );
        let err = base_url("sk-canary-123456", "LLM_BASE_URL").unwrap_err();
        assert!(err.to_string().starts_with("LLM_BASE_URL is invalid"));
        assert!(!err.to_string().contains("canary"));
        let err = api_key("sk-canary\n123456".into(), "OPENAI_API_KEY").unwrap_err();
        assert!(!format!("{err} {err:?}").contains("canary"));
    }

    #[test]
    fn timeouts_must_be_positive_seconds() {
        let lookup = |value: &'static str| {
            move |name: &str| (name == TIMEOUT_VARIABLE).then(|| value.to_owned())
        };
        assert_eq!(
            timeout_setting(&lookup("2.5")).unwrap(),
            Some(Duration::from_millis(2500))
        );
        assert!(timeout_setting(&lookup("0")).is_err());
        assert!(timeout_setting(&lookup("soon")).is_err());
        assert!(timeout_setting(&lookup("inf")).is_err());
    }
}
