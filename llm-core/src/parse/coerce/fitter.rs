//! Fitting single values for the text path and the lenient reader, which walk the text rather
//! than a tree and meet the same few schemas again and again (every line item's `quantity`).

use std::cell::Cell;

use serde_json::{Map, Value};

use super::{CoerceError, Coercer, Keywords, kw, resolve};
use crate::parse::Fix;
use crate::path::FieldPath;

/// How many schemas a fitter remembers something about (see [`Fitter::remembered`]).
const SHAPES: usize = 32;

/// What a scalar read with a schema is fitted to: the schema past its `$ref`s and unions, with
/// its keywords; `None` when the caller gives up on it.
pub(in crate::parse) type Shape<'a> = Option<(&'a Value, Keywords<'a>)>;

/// The schema an object or array read with a schema is read with (see
/// [`retype::container`](crate::parse::retype::container)).
pub(in crate::parse) type Layout<'a> = Option<Option<&'a Value>>;

/// What a fitter remembers about a schema.
#[derive(Clone, Copy)]
pub(in crate::parse) enum Memo<'a> {
    Scalar(Shape<'a>),
    Container(Layout<'a>),
}

// A schema's address has its low bits clear: they tell apart what is remembered about it.
const _: () = assert!(std::mem::align_of::<Value>() >= 4);

/// What fitters find about every schema inside a root schema, found once: for a type's schema,
/// kept for the life of the process, so that a read does not find it again (a small reply meets
/// most of its schemas once).
pub(in crate::parse) struct Shapes<'a> {
    /// By the key [`Fitter::slot`] gives, in an open-addressed table at most half full.
    slots: Vec<Option<(usize, Memo<'a>)>>,
}

impl<'a> Shapes<'a> {
    /// What `ask` gives for each schema (an object) inside `root`, root included, by a fitter
    /// for `root`: the memos of a fitter that was asked everything once.
    pub(in crate::parse) fn of(
        root: &'a Value,
        ask: impl Fn(&Fitter<'a>, &'a Value) -> [Memo<'a>; 3],
    ) -> Self {
        let fit = Fitter::new(root);
        let mut memos = Vec::new();
        let mut todo = vec![root];
        while let Some(schema) = todo.pop() {
            match schema {
                Value::Object(map) => {
                    let base = std::ptr::from_ref(schema).addr();
                    memos.extend(
                        (0..)
                            .zip(ask(&fit, schema))
                            .map(|(what, m)| (base | what, m)),
                    );
                    todo.extend(map.values());
                }
                Value::Array(items) => todo.extend(items),
                _ => {}
            }
        }
        let mut shapes = Self {
            slots: vec![None; (memos.len() * 2).max(4).next_power_of_two()],
        };
        for (key, memo) in memos {
            let at = shapes.find(key);
            shapes.slots[at] = Some((key, memo));
        }
        shapes
    }

    /// Where `key` is in the table, or the free slot where it would go.
    fn find(&self, key: usize) -> usize {
        let mask = self.slots.len() - 1;
        let mut at = slot_of(key, self.slots.len());
        while let Some((seen, _)) = self.slots[at]
            && seen != key
        {
            at = (at + 1) & mask;
        }
        at
    }

    fn get(&self, key: usize) -> Option<Memo<'a>> {
        self.slots[self.find(key)].map(|(_, memo)| memo)
    }
}

/// A key's slot in a table of `len` slots (a power of two, at least 2): Fibonacci hashing, which
/// spreads keys that sit a fixed stride apart (schemas in maps and lists) over the table.
fn slot_of(key: usize, len: usize) -> usize {
    let hash = (key as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - len.ilog2());
    usize::try_from(hash).unwrap_or_default() & (len - 1)
}

/// Fitting single values: what [`coerce`](super::coerce) does to a value, given its path.
pub(in crate::parse) struct Fitter<'a> {
    root: &'a Value,
    defs: Option<&'a Map<String, Value>>,
    /// What was found about schemas, by their address (and what was asked): a small table
    /// where one may push out another, which is then found again when asked for.
    memos: [Cell<Option<(usize, Memo<'a>)>>; SHAPES],
    /// What is known already about `root`'s schemas, if found before.
    shapes: Option<&'a Shapes<'a>>,
}

impl<'a> Fitter<'a> {
    /// A fitter for the root schema `root`.
    pub(in crate::parse) fn new(root: &'a Value) -> Self {
        Self::with_shapes(root, None)
    }

    /// A fitter for the root schema `root` that looks up what `shapes` (found for `root`) knows
    /// before finding it.
    pub(in crate::parse) fn with_shapes(root: &'a Value, shapes: Option<&'a Shapes<'a>>) -> Self {
        Self {
            root,
            defs: kw(root, "$defs").and_then(Value::as_object),
            memos: std::array::from_fn(|_| Cell::new(None)),
            shapes,
        }
    }

    /// `schema` with its `$ref`s followed.
    pub(in crate::parse) fn resolve(&self, schema: &'a Value) -> &'a Value {
        resolve(self.root, self.defs, schema)
    }

    /// The slot for what is remembered about `schema` (`what`: 0 to 3), and its key.
    fn slot(&self, schema: &'a Value, what: usize) -> (usize, &Cell<Option<(usize, Memo<'a>)>>) {
        let key = std::ptr::from_ref(schema).addr() | what;
        (key, &self.memos[slot_of(key, SHAPES)])
    }

    /// What is remembered about `schema` (`what`: which question), which `find` gives: found once
    /// for each (the schemas live as long as the fitter and do not change, so the same address is
    /// the same schema).
    #[inline]
    fn remember(
        &self,
        schema: &'a Value,
        what: usize,
        find: impl FnOnce() -> Memo<'a>,
    ) -> Memo<'a> {
        let (key, slot) = self.slot(schema, what);
        if let Some((seen, memo)) = slot.get()
            && seen == key
        {
            return memo;
        }
        let memo = self
            .shapes
            .and_then(|shapes| shapes.get(key))
            .unwrap_or_else(find);
        slot.set(Some((key, memo)));
        memo
    }

    /// The shape of `schema`, which `find` gives (see [`remember`](Self::remember)).
    #[inline]
    pub(in crate::parse) fn remembered(
        &self,
        schema: &'a Value,
        find: impl FnOnce() -> Shape<'a>,
    ) -> Shape<'a> {
        // The key tells the questions apart: a scalar's slot holds a shape.
        match self.remember(schema, 0, || Memo::Scalar(find())) {
            Memo::Scalar(shape) => shape,
            Memo::Container(_) => None,
        }
    }

    /// The layout of an object (`object`) or array read with `schema`, which `find` gives (see
    /// [`remember`](Self::remember)).
    pub(in crate::parse) fn remembered_layout(
        &self,
        schema: &'a Value,
        object: bool,
        find: impl FnOnce() -> Layout<'a>,
    ) -> Layout<'a> {
        match self.remember(schema, if object { 1 } else { 2 }, || {
            Memo::Container(find())
        }) {
            Memo::Container(layout) => layout,
            Memo::Scalar(_) => None,
        }
    }

    /// `value`, found at `path`, fitted to `schema`, whose keywords are `keys`; fixes are added
    /// to `fixes`.
    pub(in crate::parse) fn fit_with(
        &self,
        value: Value,
        schema: &'a Value,
        keys: Keywords<'a>,
        path: FieldPath,
        fixes: &mut Vec<Fix>,
    ) -> Result<Value, CoerceError> {
        self.coerce_at(path, fixes, |cx| {
            if keys.refers() {
                // Not resolved: a cycle of refs that resolving again takes further.
                return cx.fit(value, schema);
            }
            cx.fit_resolved(value, schema, keys)
        })
    }

    /// The string `text` fitted to a schema that [`Keywords::lone_number`] says takes only a
    /// number: what [`fit_with`](Self::fit_with) makes of it, without making it a `Value`
    /// first; `None` where that fails.
    pub(in crate::parse) fn number_text(
        &self,
        text: &str,
        integer: bool,
        path: FieldPath,
        fixes: &mut Vec<Fix>,
    ) -> Option<Value> {
        self.coerce_at(path, fixes, |cx| cx.number_text(text, integer))
    }

    /// `coerce` run by a coercer at `path`. The fixes it records at `path` itself (all of them,
    /// for a scalar) are given `path` afterwards: moved into the last, copied into the others,
    /// where the coercer would copy it into each.
    fn coerce_at<R>(
        &self,
        path: FieldPath,
        fixes: &mut Vec<Fix>,
        coerce: impl FnOnce(&mut Coercer<'a, '_>) -> R,
    ) -> R {
        let start = fixes.len();
        let mut cx = Coercer {
            root: self.root,
            defs: self.defs,
            deferred: Some(path.segments().len()),
            path,
            fixes,
        };
        let result = coerce(&mut cx);
        let Coercer { path, fixes, .. } = cx;
        if !path.is_root() {
            // A fix recorded below `path` has its own path, never the root.
            let mut at_path = fixes[start..].iter_mut().filter(|f| f.path.is_root());
            if let Some(last) = at_path.next_back() {
                for fix in at_path {
                    fix.path = path.clone();
                }
                last.path = path;
            }
        }
        result
    }
}
