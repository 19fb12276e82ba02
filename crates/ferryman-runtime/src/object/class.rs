//! What `#[ferryman::export]` on a struct or enum registers: a [`ClassDef`]
//! (how describe lists the class) and an impl of [`Class`].

use ferryman_wire::TypeDesc;
use std::any::Any;
use std::sync::atomic::{AtomicU32, Ordering};
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
        }
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
    let leak = |desc: TypeDesc| &*Box::leak(Box::new(desc));
    let all = |items: &'static [TypeDesc]| -> &'static [TypeDesc] {
        let items: Vec<TypeDesc> = items
            .iter()
            .map(|item| *object_desc(item, class_of))
            .collect();
        Box::leak(items.into_boxed_slice())
    };
    match desc {
        TypeDesc::Named(written) => match class_of(written) {
            Some(class) => leak(TypeDesc::Object(class.name)),
            None => desc,
        },
        TypeDesc::List(item) => leak(TypeDesc::List(object_desc(item, class_of))),
        TypeDesc::Option(inner) => leak(TypeDesc::Option(object_desc(inner, class_of))),
        TypeDesc::Iter(item) => leak(TypeDesc::Iter(object_desc(item, class_of))),
        TypeDesc::Map(key, value) => leak(TypeDesc::Map(
            object_desc(key, class_of),
            object_desc(value, class_of),
        )),
        TypeDesc::Tuple(items) => leak(TypeDesc::Tuple(all(items))),
        TypeDesc::Callback(params, returns) => leak(TypeDesc::Callback(
            all(params),
            object_desc(returns, class_of),
        )),
        _ => desc,
    }
}
