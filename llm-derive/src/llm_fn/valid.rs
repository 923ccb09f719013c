//! Checks across the options, the signature and the template: each a compile error on the
//! offending tokens.

use super::LlmFn;
use super::template::Piece;
use crate::llm_output::attr::Rule;
use crate::llm_output::valid::check_rule;
use crate::ty::Shape;

const MODES: &str = "\"native\", \"tool\" or \"prompt\"";

impl LlmFn {
    pub(crate) fn validate(&mut self) -> syn::Result<()> {
        let mut errors = std::mem::take(&mut self.errors);
        let sig = &self.decl.sig;

        match (&self.options.prompt, &self.options.prompt_file) {
            (Some(_), Some(file)) => errors.at(
                file,
                "`prompt` and `prompt_file` both give the template; keep one",
            ),
            (None, None) if self.read_ok => errors.at(
                &sig.ident,
                "`#[llm_fn]` needs a template: `#[llm_fn(prompt = \"...\")]` or `#[llm_fn(prompt_file = \"prompts/x.md\")]`",
            ),
            _ => {}
        }
        if sig.asyncness.is_none() {
            errors.at(
                sig.fn_token,
                "`#[llm_fn]` needs an `async fn`: the call awaits the model",
            );
        }
        if let Some(body) = &self.decl.body {
            errors.at(
                body,
                "`#[llm_fn]` writes the body: end the signature with `;`",
            );
        }
        if !sig
            .generics
            .params
            .iter()
            .all(|p| matches!(p, syn::GenericParam::Lifetime(_)))
        {
            errors.at(
                &sig.generics,
                "`#[llm_fn]` functions cannot be generic over types or consts: the prompt and its hash are fixed at compile time",
            );
        }
        if let Some(variadic) = &sig.variadic {
            errors.at(variadic, "`#[llm_fn]` functions cannot be variadic");
        }
        if self.output.is_none() {
            let message = "`#[llm_fn]` must return `Result<T, LlmError>`, where `T: LlmOutput` (or `String` for free text)";
            match &sig.output {
                syn::ReturnType::Type(_, ty) => errors.at(ty, message),
                syn::ReturnType::Default => {
                    errors.push(syn::Error::new(sig.paren_token.span.close(), message))
                }
            }
        }
        let client_ok = self.check_client(&mut errors);
        self.check_options(&mut errors);
        self.check_params(&mut errors);
        // With a malformed template or no client handle, placeholders and parameters cannot be
        // matched up: their errors would only repeat the first one.
        if self.read_ok && client_ok {
            self.check_unused(&mut errors);
            self.check_placeholders(&mut errors);
        }
        errors.finish()
    }

    /// Checks the client handle; `false` when it is missing or wrong.
    fn check_client(&self, errors: &mut crate::errors::Errors) -> bool {
        let sig = &self.decl.sig;
        let expected = "the first parameter of an `#[llm_fn]` is the client handle: `llm: &Llm`";
        match sig.inputs.first() {
            None => {
                errors.push(syn::Error::new(sig.paren_token.span.join(), expected));
                false
            }
            Some(syn::FnArg::Receiver(receiver)) => {
                errors.at(
                    receiver,
                    "`#[llm_fn]` goes on a free function, not a method: take the client as `llm: &Llm`",
                );
                false
            }
            Some(syn::FnArg::Typed(arg)) => {
                let is_llm_ref = match &*arg.ty {
                    syn::Type::Reference(r) if r.mutability.is_none() => match &*r.elem {
                        syn::Type::Path(p) => {
                            p.path.segments.last().is_some_and(|s| s.ident == "Llm")
                        }
                        _ => false,
                    },
                    _ => false,
                };
                if !is_llm_ref {
                    errors.at(&arg.ty, expected);
                } else if !matches!(&*arg.pat, syn::Pat::Ident(_)) {
                    errors.at(&arg.pat, expected);
                }
                is_llm_ref && matches!(&*arg.pat, syn::Pat::Ident(_))
            }
        }
    }

    fn check_options(&self, errors: &mut crate::errors::Errors) {
        let o = &self.options;
        if let Some((value, tokens)) = &o.temperature
            && !(0.0..=2.0).contains(value)
        {
            errors.at(tokens, "`temperature` is a number from 0 to 2");
        }
        if let Some((0, lit)) = &o.max_tokens {
            errors.at(lit, "`max_tokens` must be at least 1");
        }
        if let Some((n, lit)) = &o.retries
            && *n > 10
        {
            errors.at(
                lit,
                "`retries` above 10 re-asks a model that is not going to get it right; use at most 10",
            );
        }
        if let Some(mode) = &o.mode
            && !matches!(mode.value().as_str(), "native" | "tool" | "prompt")
        {
            errors.at(
                mode,
                format_args!("unknown mode `{}`; modes are {MODES}", mode.value()),
            );
        }
        if let Some(name) = &o.name {
            let value = name.value();
            let ok = !value.is_empty()
                && value.len() <= 64
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !ok {
                errors.at(
                    name,
                    "`name` must be 1 to 64 ASCII letters, digits, `_` or `-` (providers use it as a schema or tool name)",
                );
            }
        }
    }

    fn check_params(&self, errors: &mut crate::errors::Errors) {
        for param in &self.params {
            let shape = Shape::of(&param.ty);
            let what = format!("the parameter `{}`", param.ident);
            for (key, rule) in &param.attrs.rules {
                if matches!(rule, Rule::Grounded) {
                    errors.at(
                        key,
                        "`grounded` goes on a field of the output type: it checks the answer against the inputs",
                    );
                    continue;
                }
                if matches!(rule, Rule::Confidence { .. }) {
                    errors.at(
                        key,
                        "`confidence` goes on a field of the output type, where the model reports it",
                    );
                    continue;
                }
                check_rule(key, rule, shape, &what, errors);
            }
            if let Some(opaque) = &param.attrs.opaque {
                errors.at(opaque, "`opaque` goes on a field of an `LlmOutput` type");
            }
        }
    }

    fn check_unused(&self, errors: &mut crate::errors::Errors) {
        let fn_name = &self.decl.sig.ident;
        for param in &self.params {
            let used = self
                .pieces
                .iter()
                .any(|piece| matches!(piece, Piece::Placeholder(p) if param.ident == p.path[0]));
            if !used && param.attrs.context.is_none() && self.template.is_some() {
                errors.at(
                    &param.ident,
                    format_args!(
                        "the parameter `{}` is not used in the prompt of `{fn_name}`; use it as `{{{}}}` or mark it `#[llm(context)]`",
                        param.ident, param.ident
                    ),
                );
            }
        }
    }

    fn check_placeholders(&self, errors: &mut crate::errors::Errors) {
        let Some(lit) = &self.template_lit else {
            return;
        };
        let names: Vec<String> = self.params.iter().map(|p| p.ident.to_string()).collect();
        let client = self.client().map(ToString::to_string);
        for piece in &self.pieces {
            let Piece::Placeholder(p) = piece else {
                continue;
            };
            let root = &p.path[0];
            if client.as_ref() == Some(root) {
                errors.at(
                    lit,
                    format_args!(
                        "`{{{}}}` names the client handle; the prompt can use only the other parameters",
                        p.name()
                    ),
                );
            } else if !names.contains(root) {
                let known = if names.is_empty() {
                    "it has no other parameters".to_owned()
                } else {
                    format!("parameters: {}", names.join(", "))
                };
                errors.at(
                    lit,
                    format_args!(
                        "`{{{}}}` in the prompt names no parameter of `{}`; {known}",
                        p.name(),
                        self.decl.sig.ident
                    ),
                );
            }
        }
    }
}
