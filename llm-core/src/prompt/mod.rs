//! Prompts: their identity ([`PromptInfo`], name and hash), the registry of every prompt in a
//! program ([`all`]), and the rendering of template arguments ([`Render`]).
//!
//! `#[llm_fn]` parses and checks templates at compile time; this module holds only what the
//! generated code needs at run time. It does not send anything.

mod render;

use std::fmt;

pub use render::{Render, Rendered, Renderer};

use crate::provider::Mode;

/// The identity of one `#[llm_fn]` prompt: what it is, and a hash of everything that shapes the
/// model's answer.
///
/// Every `#[llm_fn]` has one, as `NAME::PROMPT`, and registers it for [`all`].
#[derive(Debug)]
#[non_exhaustive]
pub struct PromptInfo {
    /// The prompt's name: the function's name, or its `name = "..."` option.
    pub name: &'static str,
    /// The `version = "..."` label, when given.
    pub version: Option<&'static str>,
    /// A hash of the system prompt, the template, the model settings and the output type's
    /// [`SCHEMA_HASH`](crate::LlmOutput::SCHEMA_HASH), and in prompt mode the
    /// [`FORMAT_VERSION`](crate::output::FORMAT_VERSION) of the instructions sent with it.
    /// Stable across builds and machines.
    pub hash: u64,
    /// The template, as written.
    pub template: &'static str,
    /// The system prompt, when given.
    pub system: Option<&'static str>,
    /// The model, when the function fixes one.
    pub model: Option<&'static str>,
    /// The sampling temperature, when given.
    pub temperature: Option<f32>,
    /// The token limit, when given.
    pub max_tokens: Option<u32>,
    /// How many times a failed answer is re-asked.
    pub retries: u32,
    /// How structured output is asked for.
    pub mode: Mode,
    /// The output type, as written in the function's signature.
    pub output_type: &'static str,
    /// The function's path, `my_crate::module::function`.
    pub fn_path: &'static str,
}

/// The parts of a [`PromptInfo`] that identify it; written by `#[llm_fn]`.
#[doc(hidden)]
#[derive(Debug)]
pub struct PromptIdentity {
    pub name: &'static str,
    pub hash: u64,
    pub output_type: &'static str,
    pub fn_path: &'static str,
}

/// The options of an `#[llm_fn]`; written by the macro.
#[doc(hidden)]
#[derive(Debug)]
pub struct PromptSettings {
    pub template: &'static str,
    pub system: Option<&'static str>,
    pub model: Option<&'static str>,
    pub temperature: Option<f32>,
    pub max_tokens: Option<u32>,
    pub retries: u32,
    pub mode: Mode,
    pub version: Option<&'static str>,
}

impl PromptInfo {
    /// The `PromptInfo` of an `#[llm_fn]`; called by the generated code.
    #[doc(hidden)]
    pub const fn generated(id: PromptIdentity, settings: PromptSettings) -> Self {
        Self {
            name: id.name,
            version: settings.version,
            hash: id.hash,
            template: settings.template,
            system: settings.system,
            model: settings.model,
            temperature: settings.temperature,
            max_tokens: settings.max_tokens,
            retries: settings.retries,
            mode: settings.mode,
            output_type: id.output_type,
            fn_path: id.fn_path,
        }
    }

    /// The hash as 16 hex digits, the form shown in logs and recordings.
    pub fn hash_hex(&self) -> String {
        format!("{:016x}", self.hash)
    }
}

impl fmt::Display for PromptInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)?;
        if let Some(version) = self.version {
            write!(f, "@{version}")?;
        }
        write!(f, " ({:016x})", self.hash)
    }
}

/// A registry entry; `#[llm_fn]` submits one per function.
#[doc(hidden)]
#[derive(Debug)]
pub struct Registered(pub &'static PromptInfo);

inventory::collect!(Registered);

/// Every `#[llm_fn]` prompt linked into this program, sorted by name then module.
///
/// ```
/// for prompt in llm_core::prompt::all() {
///     println!("{:<30} {}", prompt.name, prompt.hash_hex());
/// }
/// ```
pub fn all() -> Vec<&'static PromptInfo> {
    let mut prompts: Vec<&'static PromptInfo> = inventory::iter::<Registered>
        .into_iter()
        .map(|r| r.0)
        .collect();
    prompts.sort_by_key(|p| (p.name, p.fn_path));
    prompts
}

/// The prompt named `name`, when exactly one is registered under it.
pub fn find(name: &str) -> Option<&'static PromptInfo> {
    let mut found = inventory::iter::<Registered>
        .into_iter()
        .filter(|r| r.0.name == name);
    let first = found.next()?;
    found.next().is_none().then_some(first.0)
}
