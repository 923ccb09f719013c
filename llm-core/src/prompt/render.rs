//! Rendering template arguments into prompt text.
//!
//! A placeholder `{x}` renders `x` through [`Render`]: text and numbers as themselves, lists one
//! item per line (`- item`), maps one `- key: value` per line, `None` as nothing. A format after a
//! colon picks another rendering: `{x:json}` and `{x:pretty}` (serde), `{x:inline}` (a list on one
//! line, comma-separated), `{x:debug}` (`Debug`).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::{self, Debug, Write as _};
use std::rc::Rc;
use std::sync::Arc;

use serde::Serialize;

use crate::provider::Arg;

/// How a value appears in a prompt when a placeholder names it.
///
/// Implemented for text, numbers, `bool`, `char`, lists, sets, ordered maps, `Option` and
/// references. Implement it for your own types, or use `{x:json}` for anything `Serialize`.
///
/// ```
/// use llm_core::prompt::Render;
///
/// let mut out = String::new();
/// vec!["bolts", "nuts"].render(&mut out);
/// assert_eq!(out, "- bolts\n- nuts");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be rendered into a prompt",
    label = "used in a `{{placeholder}}` of the prompt",
    note = "implement `llm_core::prompt::Render` for it, or write the placeholder as `{{name:json}}` (serde) or `{{name:debug}}`"
)]
pub trait Render {
    /// Appends the value's text to `out`.
    fn render(&self, out: &mut String);

    /// Appends the value as one item of an inline list; the same as [`render`](Self::render)
    /// unless a type needs otherwise.
    fn render_inline(&self, out: &mut String) {
        self.render(out);
    }
}

macro_rules! render_display {
    ($($ty:ty),*) => {$(
        impl Render for $ty {
            fn render(&self, out: &mut String) {
                let _ = write!(out, "{self}");
            }
        }
    )*};
}

render_display!(
    bool, char, u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, f32, f64
);

impl Render for str {
    fn render(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Render for String {
    fn render(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Render for Cow<'_, str> {
    fn render(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl<T: Render + ?Sized> Render for &T {
    fn render(&self, out: &mut String) {
        (**self).render(out);
    }
    fn render_inline(&self, out: &mut String) {
        (**self).render_inline(out);
    }
}

impl<T: Render + ?Sized> Render for Box<T> {
    fn render(&self, out: &mut String) {
        (**self).render(out);
    }
}

impl<T: Render + ?Sized> Render for Rc<T> {
    fn render(&self, out: &mut String) {
        (**self).render(out);
    }
}

impl<T: Render + ?Sized> Render for Arc<T> {
    fn render(&self, out: &mut String) {
        (**self).render(out);
    }
}

impl<T: Render> Render for Option<T> {
    fn render(&self, out: &mut String) {
        if let Some(value) = self {
            value.render(out);
        }
    }
}

/// One `- item` line per element.
fn render_lines<'a, T: Render + 'a>(items: impl IntoIterator<Item = &'a T>, out: &mut String) {
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str("- ");
        item.render_inline(out);
    }
}

impl<T: Render> Render for [T] {
    fn render(&self, out: &mut String) {
        render_lines(self, out);
    }
}

impl<T: Render, const N: usize> Render for [T; N] {
    fn render(&self, out: &mut String) {
        render_lines(self, out);
    }
}

impl<T: Render> Render for Vec<T> {
    fn render(&self, out: &mut String) {
        render_lines(self, out);
    }
}

impl<T: Render> Render for VecDeque<T> {
    fn render(&self, out: &mut String) {
        render_lines(self, out);
    }
}

impl<T: Render> Render for BTreeSet<T> {
    fn render(&self, out: &mut String) {
        render_lines(self, out);
    }
}

impl<K: Render, V: Render> Render for BTreeMap<K, V> {
    fn render(&self, out: &mut String) {
        for (i, (key, value)) in self.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str("- ");
            key.render_inline(out);
            out.push_str(": ");
            value.render_inline(out);
        }
    }
}

/// A rendered prompt: its text and the value each placeholder rendered to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    /// The prompt's text.
    pub text: String,
    /// Each placeholder's rendering, in template order.
    pub args: Vec<Arg>,
}

/// Builds a [`Rendered`] prompt piece by piece; the code `#[llm_fn]` generates drives it.
#[derive(Debug, Default)]
pub struct Renderer {
    rendered: Rendered,
    scratch: String,
}

impl Renderer {
    /// A renderer for a template of about `capacity` bytes.
    pub fn new(capacity: usize) -> Self {
        Self {
            rendered: Rendered {
                text: String::with_capacity(capacity),
                args: Vec::new(),
            },
            scratch: String::new(),
        }
    }

    /// Appends template text.
    pub fn text(&mut self, text: &str) {
        self.rendered.text.push_str(text);
    }

    /// Appends `{name}`.
    pub fn arg<T: Render + ?Sized>(&mut self, name: &'static str, value: &T) {
        self.scratch.clear();
        value.render(&mut self.scratch);
        self.push_scratch(name);
    }

    /// Appends `{name:inline}`: the items on one line, comma-separated.
    pub fn arg_inline<'a, T, I>(&mut self, name: &'static str, items: I)
    where
        T: Render + ?Sized + 'a,
        I: IntoIterator<Item = &'a T>,
    {
        self.scratch.clear();
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                self.scratch.push_str(", ");
            }
            item.render_inline(&mut self.scratch);
        }
        self.push_scratch(name);
    }

    /// Appends `{name:json}` (`pretty = false`) or `{name:pretty}`.
    pub fn arg_json<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
        pretty: bool,
    ) -> Result<(), serde_json::Error> {
        let text = if pretty {
            serde_json::to_string_pretty(value)?
        } else {
            serde_json::to_string(value)?
        };
        self.scratch = text;
        self.push_scratch(name);
        Ok(())
    }

    /// Appends `{name:debug}`.
    pub fn arg_debug<T: Debug + ?Sized>(&mut self, name: &'static str, value: &T) {
        self.scratch.clear();
        let _ = write!(self.scratch, "{value:?}");
        self.push_scratch(name);
    }

    fn push_scratch(&mut self, name: &'static str) {
        self.rendered.text.push_str(&self.scratch);
        self.rendered.args.push(Arg {
            name,
            value: std::mem::take(&mut self.scratch),
        });
    }

    /// The rendered prompt.
    pub fn finish(self) -> Rendered {
        self.rendered
    }
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_each_kind_of_argument() {
        let mut r = Renderer::new(64);
        r.text("Items:\n");
        r.arg("items", &vec!["bolt", "nut"]);
        r.text("\nTags: ");
        r.arg_inline("tags", &["a", "b"]);
        r.text("\nMeta: ");
        r.arg_json("meta", &BTreeMap::from([("k", 1)]), false)
            .unwrap();
        r.text("\nNone: [");
        r.arg("none", &None::<String>);
        r.text("]");
        let rendered = r.finish();
        assert_eq!(
            rendered.text,
            "Items:\n- bolt\n- nut\nTags: a, b\nMeta: {\"k\":1}\nNone: []"
        );
        assert_eq!(rendered.args[1].value, "a, b");
        assert_eq!(rendered.args.len(), 4);
    }
}
