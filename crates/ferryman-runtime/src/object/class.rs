//! What `#[ferryman::export]` on a struct or enum registers: a [`ClassDef`]
//! (how describe lists the class) and an impl of [`Class`].

use ferryman_wire::TypeDesc;
use std::any::Any;
use std::sync::atomic::{AtomicU32, AtomicU8, Ordering};
use std::sync::OnceLock;

/// A type exported as a class. Implemented by `#[ferryman::export]` on the
/// type's definition; not meant to be implemented by hand.
pub trait Class: Any + Send + Sync {
    /// The class's registration (one `static` per class).
    fn class_def() -> &'static ClassDef;
}

/// Exported classes must be `Send + Sync + 'static`: hosts call their methods
/// from any thread, several at a time.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an exported class: it is not `Send + Sync + 'static`",
    label = "hosts call methods of this type from any thread, several at a time",
    note = "wrap state that is not `Sync` in a `std::sync::Mutex` or `RwLock`, or use atomics \
            (`AtomicU64`); `Rc` and `RefCell` become `Arc` and `Mutex`"
)]
pub trait ThreadSafeClass {}

impl<T: Send + Sync + 'static> ThreadSafeClass for T {}

/// One exported class, as describe's `classes` lists it.
#[derive(Debug)]
pub struct ClassDef {
    /// The name hosts know it by.
    pub name: &'static str,
    /// `module::path::Type`.
    pub rust_path: &'static str,
    pub doc: &'static str,
    pub file: &'static str,
    pub line: u32,
    /// The protocols opted into: `display`, `debug`, `eq`, `hash`, `ord`, `iter`.
    pub protocols: &'static [&'static str],
    /// The class id once computed (`u32::MAX` before).
    id: AtomicU32,
    /// Whether the class has `&mut self` methods: 0 unknown, 1 no, 2 yes.
    exclusive: AtomicU8,
}

impl ClassDef {
    /// A class registration, for generated `static`s.
    pub const fn new(
        name: &'static str,
        rust_path: &'static str,
        doc: &'static str,
        file: &'static str,
        line: u32,
        protocols: &'static [&'static str],
    ) -> ClassDef {
        ClassDef {
            name,
            rust_path,
            doc,
            file,
            line,
            protocols,
            id: AtomicU32::new(u32::MAX),
            exclusive: AtomicU8::new(0),
        }
    }

    /// Whether any method takes `&mut self`. Objects of a class without one
    /// are never entered exclusively, so their calls skip the guard.
    #[inline]
    pub(crate) fn has_mut_methods(&'static self) -> bool {
        match self.exclusive.load(Ordering::Relaxed) {
            1 => false,
            2 => true,
            _ => self.find_mut_methods(),
        }
    }

    /// The first look for [`ClassDef::has_mut_methods`], remembered. (Apart,
    /// so that the look-up above inlines into every method's shim.)
    #[cold]
    #[inline(never)]
    fn find_mut_methods(&'static self) -> bool {
        let any = crate::exports().iter().any(|e| {
            e.member.class == Some(self.name)
                && e.member.kind == "method"
                && e.params
                    .first()
                    .is_some_and(|p| p.rust.starts_with("&mut "))
        });
        self.exclusive
            .store(if any { 2 } else { 1 }, Ordering::Relaxed);
        any
    }

    /// The class id: its index in [`classes`].
    #[inline]
    pub fn id(&'static self) -> u32 {
        let id = self.id.load(Ordering::Relaxed);
        if id != u32::MAX {
            return id;
        }
        let id = classes()
            .iter()
            .position(|c| std::ptr::eq(*c, self))
            .map_or(u32::MAX - 1, |i| i as u32);
        self.id.store(id, Ordering::Relaxed);
        id
    }
}

/// The `inventory` item a class registers: its `static` [`ClassDef`].
#[derive(Debug)]
pub struct ClassEntry(pub &'static ClassDef);

inventory::collect!(ClassEntry);

/// Every exported class, sorted by name (then Rust path): the index is the id.
pub fn classes() -> &'static [&'static ClassDef] {
    static SORTED: OnceLock<Vec<&'static ClassDef>> = OnceLock::new();
    SORTED.get_or_init(|| {
        let mut all: Vec<&'static ClassDef> = inventory::iter::<ClassEntry>
            .into_iter()
            .map(|entry| entry.0)
            .collect();
        all.sort_by_key(|c| (c.name, c.rust_path));
        all
    })
}

/// Describe's signatures with every `{"named": N}` that is an exported class
/// as `{"object": N}` (the macro cannot tell a class from a serde type by its
/// name; the registry can). Computed once.
pub(crate) fn objectify(
    signatures: &'static [(Vec<&'static TypeDesc>, &'static TypeDesc)],
) -> &'static [(Vec<&'static TypeDesc>, &'static TypeDesc)] {
    static DONE: OnceLock<Vec<(Vec<&'static TypeDesc>, &'static TypeDesc)>> = OnceLock::new();
    DONE.get_or_init(|| {
        let class_of = |written: &str| {
            classes()
                .iter()
                .find(|c| c.name == written || c.rust_path.rsplit("::").next() == Some(written))
        };
        signatures
            .iter()
            .map(|(params, returns)| {
                (
                    params.iter().map(|p| object_desc(p, &class_of)).collect(),
                    object_desc(returns, &class_of),
                )
            })
            .collect()
    })
}

fn object_desc<'c>(
    desc: &'static TypeDesc,
    class_of: &dyn Fn(&str) -> Option<&'c &'static ClassDef>,
) -> &'static TypeDesc {
    match object_value(desc, class_of) {
        Some(changed) => Box::leak(Box::new(changed)),
        None => desc,
    }
}

/// `desc` with its classes as objects, `None` when nothing changes (so that
/// only what changes is allocated, each once, and stays reachable).
fn object_value<'c>(
    desc: &'static TypeDesc,
    class_of: &dyn Fn(&str) -> Option<&'c &'static ClassDef>,
) -> Option<TypeDesc> {
    let inner = |desc: &'static TypeDesc| object_desc(desc, class_of);
    let all = |items: &'static [TypeDesc]| -> Option<&'static [TypeDesc]> {
        if !items.iter().any(|item| mentions_class(item, class_of)) {
            return None;
        }
        let items: Vec<TypeDesc> = items
            .iter()
            .map(|item| object_value(item, class_of).unwrap_or(*item))
            .collect();
        Some(Box::leak(items.into_boxed_slice()))
    };
    let changes = |desc: &'static TypeDesc| mentions_class(desc, class_of);
    match desc {
        TypeDesc::Named(written) => class_of(written).map(|class| TypeDesc::Object(class.name)),
        TypeDesc::List(item) if changes(item) => Some(TypeDesc::List(inner(item))),
        TypeDesc::Option(item) if changes(item) => Some(TypeDesc::Option(inner(item))),
        TypeDesc::Iter(item) if changes(item) => Some(TypeDesc::Iter(inner(item))),
        TypeDesc::Stream(item) if changes(item) => Some(TypeDesc::Stream(inner(item))),
        TypeDesc::Map(key, value) if changes(key) || changes(value) => {
            Some(TypeDesc::Map(inner(key), inner(value)))
        }
        TypeDesc::Tuple(items) => all(items).map(TypeDesc::Tuple),
        TypeDesc::Callback(params, returns) => {
            let params_changed = all(params);
            if params_changed.is_none() && !changes(returns) {
                return None;
            }
            Some(TypeDesc::Callback(
                params_changed.unwrap_or(params),
                inner(returns),
            ))
        }
        TypeDesc::AsyncCallback(params, returns) => {
            let params_changed = all(params);
            if params_changed.is_none() && !changes(returns) {
                return None;
            }
            Some(TypeDesc::AsyncCallback(
                params_changed.unwrap_or(params),
                inner(returns),
            ))
        }
        _ => None,
    }
}

/// Whether `desc` names a class anywhere (allocates nothing).
fn mentions_class<'c>(
    desc: &TypeDesc,
    class_of: &dyn Fn(&str) -> Option<&'c &'static ClassDef>,
) -> bool {
    match desc {
        TypeDesc::Named(written) => class_of(written).is_some(),
        TypeDesc::List(item)
        | TypeDesc::Option(item)
        | TypeDesc::Iter(item)
        | TypeDesc::Stream(item) => mentions_class(item, class_of),
        TypeDesc::Map(key, value) => {
            mentions_class(key, class_of) || mentions_class(value, class_of)
        }
        TypeDesc::Tuple(items) => items.iter().any(|item| mentions_class(item, class_of)),
        TypeDesc::Callback(params, returns) | TypeDesc::AsyncCallback(params, returns) => {
            params.iter().any(|item| mentions_class(item, class_of))
                || mentions_class(returns, class_of)
        }
        _ => false,
    }
}

/// A class member's own frame in a panic's backtrace is named as the member
/// (`Counter.boom`), like its error values, not as debug info names the
/// method (`boom`): the outermost frame of that name.
pub(crate) fn name_member_frame(export: &crate::Export, frames: &mut [ferryman_error::Frame]) {
    if export.member.class.is_none() {
        return;
    }
    let method = export.rust_path.rsplit("::").next().unwrap_or_default();
    if let Some(frame) = frames.iter_mut().find(|f| f.function == method) {
        frame.function = export.name.to_owned();
    }
}
