//! Objects as values: extension 5 out (a new handle per object written) and
//! in (a handle the caller holds, looked up, class-checked and entered).

use crate::call::{Call, Reported};
use crate::object::class::Class;
use crate::object::entry::Entry;
use crate::object::guard::Conflict;
use crate::object::table::Pinned;
use crate::object::{registry, table};
use ferryman_abi::{Status, EXT_OBJECT, OBJECT_PAYLOAD};
use ferryman_error::{ErrorValue, Frame};
use serde::de::{self, Deserializer, Visitor};
use serde::ser::{Error as _, Serializer};
use serde::{Deserialize, Serialize};
use std::any::TypeId;
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

/// A handle written into a result: extension 5, owned by the host it goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectHandle {
    pub class: u32,
    pub handle: u64,
}

impl ObjectHandle {
    /// A new handle to `entry`, for a host.
    pub(crate) fn new(entry: Arc<Entry>) -> ObjectHandle {
        let class = entry.class.id();
        ObjectHandle {
            class,
            handle: table::insert(entry),
        }
    }

    fn payload(&self) -> [u8; OBJECT_PAYLOAD] {
        let mut payload = [0u8; OBJECT_PAYLOAD];
        payload[..4].copy_from_slice(&self.class.to_be_bytes());
        payload[4..].copy_from_slice(&self.handle.to_be_bytes());
        payload
    }
}

/// A handle result goes straight into the output: `c7 0c 05` and 12 bytes.
impl crate::kind::DirectOut for ObjectHandle {
    #[inline]
    fn write_direct(&self, sink: &mut ferryman_buffer::Sink<'_>) -> bool {
        let mut bytes = [0u8; 3 + OBJECT_PAYLOAD];
        bytes[..3].copy_from_slice(&[0xc7, OBJECT_PAYLOAD as u8, EXT_OBJECT as u8]);
        bytes[3..].copy_from_slice(&self.payload());
        // A sink never fails: what does not fit the host's buffer spills.
        let _ = std::io::Write::write_all(sink, &bytes);
        true
    }
}

impl Serialize for ObjectHandle {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let payload = self.payload();
        crate::callback::ExtOut((EXT_OBJECT, serde_bytes::Bytes::new(&payload))).serialize(s)
    }
}

/// Objects by value, as the values a function may return hold them: `T`,
/// `Arc<T>`, and `Option`s and `Vec`s of those.
pub trait IntoObjects {
    /// What is written: handles in place of objects.
    type Wire: Serialize;
    /// Hands the objects to the table.
    fn into_objects(self) -> Self::Wire;

    /// Writes `self` as a result.
    #[doc(hidden)]
    #[inline]
    fn ok(self, call: &mut Call<'_>) -> Result<(), Reported>
    where
        Self: Sized,
    {
        call.ok(&self.into_objects())
    }
}

impl<T: Class> IntoObjects for T {
    type Wire = ObjectHandle;
    fn into_objects(self) -> ObjectHandle {
        ObjectHandle::new(Entry::unique(self))
    }
    #[inline]
    fn ok(self, call: &mut Call<'_>) -> Result<(), Reported> {
        call.ok_direct(&self.into_objects())
    }
}

impl<T: Class> IntoObjects for Arc<T> {
    type Wire = ObjectHandle;
    fn into_objects(self) -> ObjectHandle {
        ObjectHandle::new(Entry::of(self))
    }
    #[inline]
    fn ok(self, call: &mut Call<'_>) -> Result<(), Reported> {
        call.ok_direct(&self.into_objects())
    }
}

impl<X: IntoObjects> IntoObjects for Option<X> {
    type Wire = Option<X::Wire>;
    fn into_objects(self) -> Self::Wire {
        self.map(X::into_objects)
    }
}

impl<X: IntoObjects> IntoObjects for Vec<X> {
    type Wire = Vec<X::Wire>;
    fn into_objects(self) -> Self::Wire {
        self.into_iter().map(X::into_objects).collect()
    }
}

/// What the `Serialize` impl `#[export]` generates for a class does: an
/// `Arc<T>` (serde's `rc`) inside a serde value, found among the objects hosts
/// hold, is written as a new handle to that object.
pub fn serialize_object<T: Class, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    let address = value as *const T as *const () as usize;
    match registry::find(TypeId::of::<T>(), address) {
        Some(entry) => ObjectHandle::new(entry).serialize(s),
        None => Err(S::Error::custom(format_args!(
            "a {name} inside a value can only be sent as an `Arc<{name}>` that a host \
             already holds (one the library returned or was passed); return new objects \
             by value or as `Arc<{name}>` from the function itself",
            name = T::class_def().name
        ))),
    }
}

/// The handle of an argument: extension 5 with 12 bytes.
#[derive(Debug, Clone, Copy)]
pub struct RawObject {
    pub class: u32,
    pub handle: u64,
}

impl<'de> Deserialize<'de> for RawObject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Ext;
        impl<'de> Visitor<'de> for Ext {
            type Value = RawObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object (MessagePack extension 5)")
            }
            fn visit_newtype_struct<D: Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<RawObject, D::Error> {
                d.deserialize_tuple(2, self)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<RawObject, A::Error> {
                let tag: i8 = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::custom("extension without a type"))?;
                let payload: Payload = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::custom("extension without a payload"))?;
                match (tag, payload.0) {
                    (EXT_OBJECT, Some(p)) => Ok(RawObject {
                        class: u32::from_be_bytes(p[..4].try_into().expect("4 bytes")),
                        handle: u64::from_be_bytes(p[4..].try_into().expect("8 bytes")),
                    }),
                    (tag, _) => Err(de::Error::custom(format_args!(
                        "expected an object (MessagePack extension 5 with 12 bytes), \
                         but found extension {tag}"
                    ))),
                }
            }
        }
        d.deserialize_newtype_struct("_ExtStruct", Ext)
    }
}

/// The usual encoding, read without serde: `c7 0c 05` and 12 bytes.
impl ferryman_wire::Direct for RawObject {
    #[inline(always)]
    fn read(bytes: &[u8]) -> Option<(Self, usize)> {
        match bytes.get(..3 + OBJECT_PAYLOAD)? {
            [0xc7, 0x0c, tag, payload @ ..] if *tag == EXT_OBJECT as u8 => Some((
                RawObject {
                    class: u32::from_be_bytes(payload[..4].try_into().ok()?),
                    handle: u64::from_be_bytes(payload[4..].try_into().ok()?),
                },
                3 + OBJECT_PAYLOAD,
            )),
            _ => None,
        }
    }
}

/// 12 payload bytes, or `None` for another length.
struct Payload(Option<[u8; OBJECT_PAYLOAD]>);

impl<'de> Deserialize<'de> for Payload {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Bytes;
        impl Visitor<'_> for Bytes {
            type Value = Payload;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("extension bytes")
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Payload, E> {
                Ok(Payload(v.try_into().ok()))
            }
        }
        d.deserialize_bytes(Bytes)
    }
}

/// An object a call is inside, shared (`&self`, `&T`): derefs to the value.
pub struct ObjectRef<T: Class> {
    entry: Pinned,
    value: *const T,
    /// Whether the guard was entered (classes with `&mut self` methods).
    guarded: bool,
}

impl<T: Class> Deref for ObjectRef<T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: `value` points into the value the pinned `entry` keeps alive, and the
        // guard entered shared in `enter` is held until `drop` (or the class
        // has no `&mut self` method: nothing ever writes the value).
        unsafe { &*self.value }
    }
}

impl<T: Class> ObjectRef<T> {
    /// Another `Arc` of the value (for a parameter of type `Arc<T>`, or an
    /// iterator that borrows the object).
    pub fn arc(&self) -> Arc<T> {
        if !self.entry.registered() {
            Entry::escape(&self.entry.arc());
        }
        // SAFETY: as in `deref`: the guard is held, or nothing ever writes the value.
        let value = Arc::clone(unsafe { self.entry.value() });
        Arc::downcast::<T>(value).unwrap_or_else(|_| unreachable!("class checked on entry"))
    }
}

impl<T: Class> fmt::Debug for ObjectRef<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ObjectRef({})", self.entry.class.name)
    }
}

impl<T: Class> fmt::Debug for ObjectMut<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ObjectMut({})", self.entry.class.name)
    }
}

impl<T: Class> Drop for ObjectRef<T> {
    #[inline(always)]
    fn drop(&mut self) {
        if self.guarded {
            leave_shared(&self.entry);
        }
    }
}

/// Leaves an object entered shared. Apart: dropping an `ObjectRef` of a
/// class without `&mut self` methods (no guard) is then small enough to
/// inline into the shim.
#[inline(never)]
fn leave_shared(entry: &Entry) {
    entry.guard.exit();
}

/// An object a call is inside exclusively (`&mut self`): derefs mutably.
pub struct ObjectMut<T: Class> {
    entry: Pinned,
    value: *mut T,
}

impl<T: Class> Deref for ObjectMut<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: as `deref_mut`.
        unsafe { &*self.value }
    }
}

impl<T: Class> DerefMut for ObjectMut<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: `value` came from `Arc::get_mut` under the exclusive guard,
        // held until `drop`; `entry` keeps the allocation alive.
        unsafe { &mut *self.value }
    }
}

impl<T: Class> Drop for ObjectMut<T> {
    fn drop(&mut self) {
        self.entry.guard.exit();
    }
}

/// A decoded parameter and the objects it entered, left when the call ends.
#[derive(Debug)]
pub struct Held<V> {
    pub value: V,
    pub guards: Guards,
}

/// Objects entered (shared) for a call's parameters.
#[derive(Default)]
pub struct Guards(Vec<Pinned>);

impl fmt::Debug for Guards {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Guards({})", self.0.len())
    }
}

impl Drop for Guards {
    fn drop(&mut self) {
        for entry in self.0.iter().rev() {
            entry.guard.exit();
        }
    }
}

impl<V> Held<V> {
    fn plain(value: V) -> Held<V> {
        Held {
            value,
            guards: Guards::default(),
        }
    }
}

/// Looks `raw` up for parameter `index`, checks its class and enters it
/// (shared entry only for classes with `&mut self` methods: without one,
/// nothing is ever exclusive). Returns the entry and whether it was entered.
/// Inlined into each method's shim; the errors are out of line.
#[inline(always)]
fn enter<T: Class>(
    call: &mut Call<'_>,
    index: usize,
    raw: RawObject,
    exclusive: bool,
    item: Option<usize>,
) -> Result<(Pinned, bool), Reported> {
    let expected = T::class_def();
    let Some(entry) = table::get(raw.handle) else {
        return Err(released_error(call, index, expected.name, raw.handle, item));
    };
    if !std::ptr::eq(entry.class, expected) {
        return Err(class_error(
            call,
            index,
            expected.name,
            entry.class.name,
            item,
        ));
    }
    if !exclusive && !expected.has_mut_methods() {
        return Ok((entry, false));
    }
    if let Err(conflict) = entry.guard.enter(exclusive) {
        return Err(borrow_error(call, index, expected.name, conflict));
    }
    Ok((entry, true))
}

/// The `type` error for a handle that is not live (`item`: its place in a
/// list parameter).
#[cold]
#[inline(never)]
fn released_error(
    call: &mut Call<'_>,
    index: usize,
    expected: &str,
    handle: u64,
    item: Option<usize>,
) -> Reported {
    let found = format!(
        "object {handle}, which was already released{}",
        at_item(item)
    );
    type_error(call, index, expected, found)
}

/// The `type` error for an object of another class.
#[cold]
#[inline(never)]
fn class_error(
    call: &mut Call<'_>,
    index: usize,
    expected: &str,
    found: &str,
    item: Option<usize>,
) -> Reported {
    let article = if found.starts_with(['A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    };
    let found = format!("{article} {found} object{}", at_item(item));
    type_error(call, index, expected, found)
}

/// " at item [2]" for an object in a list parameter, as hosts say it.
fn at_item(item: Option<usize>) -> String {
    item.map(|i| format!(" at item [{i}]")).unwrap_or_default()
}

/// Enters the receiver or a `&T` parameter, shared.
#[inline(always)]
pub fn object_ref<T: Class>(call: &mut Call<'_>, index: usize) -> Result<ObjectRef<T>, Reported> {
    let raw = call.arg_direct::<RawObject>(index)?;
    object_ref_of(call, index, raw, None)
}

#[inline(always)]
fn object_ref_of<T: Class>(
    call: &mut Call<'_>,
    index: usize,
    raw: RawObject,
    item: Option<usize>,
) -> Result<ObjectRef<T>, Reported> {
    let (entry, guarded) = enter::<T>(call, index, raw, false, item)?;
    // SAFETY: the guard is held (entered above), or the class has no
    // `&mut self` method, so nothing ever writes the value.
    let value: *const T = unsafe { entry.value_of::<T>() };
    Ok(ObjectRef {
        entry,
        value,
        guarded,
    })
}

/// Enters the receiver of a `&mut self` method, exclusively; a `borrow` error
/// when Rust holds another `Arc` of the value.
pub fn object_mut<T: Class>(call: &mut Call<'_>, index: usize) -> Result<ObjectMut<T>, Reported> {
    let raw = call.arg_direct::<RawObject>(index)?;
    let (entry, _) = enter::<T>(call, index, raw, true, None)?;
    // SAFETY: the exclusive guard is held (entered above) until `ObjectMut` drops.
    let value = match unsafe { entry.value_mut() } {
        Some(value) => value.downcast_mut::<T>().expect("the class was checked") as *mut T,
        None => {
            entry.guard.exit();
            return Err(shared_elsewhere(call, index, T::class_def().name));
        }
    };
    Ok(ObjectMut { entry, value })
}

/// An `Arc<T>` parameter: the object entered (shared) for the call.
fn arc_of<T: Class>(
    call: &mut Call<'_>,
    index: usize,
    raw: RawObject,
    guards: &mut Guards,
    item: Option<usize>,
) -> Result<Arc<T>, Reported> {
    let object = object_ref_of::<T>(call, index, raw, item)?;
    let arc = object.arc();
    if object.guarded {
        // The guard moves to `guards`; `object` must not exit it too.
        let object = std::mem::ManuallyDrop::new(object);
        // SAFETY: `object` is never used or dropped again; its `entry` is moved out once.
        guards.0.push(unsafe { std::ptr::read(&object.entry) });
    }
    Ok(arc)
}

/// The marker autoref specialisation dispatches on for parameters and results
/// that may hold objects: `(&ObjKind::<T>::new()).arg(call, i)` /
/// `(&ObjKind::<T>::new()).ok(call, value)`.
#[derive(Debug)]
pub struct ObjKind<T: ?Sized>(PhantomData<T>);

impl<T: ?Sized> ObjKind<T> {
    /// The marker for `T`.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> ObjKind<T> {
        ObjKind(PhantomData)
    }
}

/// Parameters holding objects.
pub trait ArgObject<'a> {
    /// What the function is given (`ObjectRef<T>` for `&T`).
    type Out;
    /// Decodes parameter `index`.
    fn arg(&self, call: &mut Call<'a>, index: usize) -> Result<Held<Self::Out>, Reported>;
}

impl<'a, T: Class> ArgObject<'a> for ObjKind<T> {
    type Out = ObjectRef<T>;
    #[inline]
    fn arg(&self, call: &mut Call<'a>, index: usize) -> Result<Held<ObjectRef<T>>, Reported> {
        object_ref(call, index).map(Held::plain)
    }
}

impl<'a, T: Class> ArgObject<'a> for ObjKind<Option<T>> {
    type Out = Option<ObjectRef<T>>;
    fn arg(&self, call: &mut Call<'a>, index: usize) -> Result<Held<Self::Out>, Reported> {
        let raw = call.arg::<Option<RawObject>>(index)?;
        let value = match raw {
            Some(raw) => Some(object_ref_of(call, index, raw, None)?),
            None => None,
        };
        Ok(Held::plain(value))
    }
}

impl<'a, T: Class> ArgObject<'a> for ObjKind<Arc<T>> {
    type Out = Arc<T>;
    fn arg(&self, call: &mut Call<'a>, index: usize) -> Result<Held<Arc<T>>, Reported> {
        let raw = call.arg_direct::<RawObject>(index)?;
        let mut guards = Guards::default();
        let value = arc_of(call, index, raw, &mut guards, None)?;
        Ok(Held { value, guards })
    }
}

impl<'a, T: Class> ArgObject<'a> for ObjKind<Option<Arc<T>>> {
    type Out = Option<Arc<T>>;
    fn arg(&self, call: &mut Call<'a>, index: usize) -> Result<Held<Self::Out>, Reported> {
        let raw = call.arg::<Option<RawObject>>(index)?;
        let mut guards = Guards::default();
        let value = match raw {
            Some(raw) => Some(arc_of(call, index, raw, &mut guards, None)?),
            None => None,
        };
        Ok(Held { value, guards })
    }
}

impl<'a, T: Class> ArgObject<'a> for ObjKind<Vec<Arc<T>>> {
    type Out = Vec<Arc<T>>;
    fn arg(&self, call: &mut Call<'a>, index: usize) -> Result<Held<Self::Out>, Reported> {
        let raws = call.arg::<Vec<RawObject>>(index)?;
        let mut guards = Guards::default();
        let mut value = Vec::with_capacity(raws.len());
        for (item, raw) in raws.into_iter().enumerate() {
            value.push(arc_of(call, index, raw, &mut guards, Some(item))?);
        }
        Ok(Held { value, guards })
    }
}

/// Any other parameter (one autoref further, so [`ArgObject`] wins when it applies).
/// (The bound is on the method, so that a type that is neither a class nor
/// `Deserialize` is reported as "not `Deserialize`".)
pub trait ArgPlain<'a, T> {
    /// Decodes parameter `index`.
    fn arg(&self, call: &mut Call<'a>, index: usize) -> Result<Held<T>, Reported>
    where
        T: Deserialize<'a>;
}

impl<'a, T> ArgPlain<'a, T> for &ObjKind<T> {
    #[inline]
    fn arg(&self, call: &mut Call<'a>, index: usize) -> Result<Held<T>, Reported>
    where
        T: Deserialize<'a>,
    {
        call.arg(index).map(Held::plain)
    }
}

/// Results holding objects.
pub trait OkObject<T> {
    /// Writes the result.
    fn ok(&self, call: &mut Call<'_>, value: T) -> Result<(), Reported>;
}

impl<T: IntoObjects> OkObject<T> for ObjKind<T> {
    #[inline]
    fn ok(&self, call: &mut Call<'_>, value: T) -> Result<(), Reported> {
        IntoObjects::ok(value, call)
    }
}

/// Any other result.
/// (The bound is on the method, as for [`ArgPlain`].)
pub trait OkPlain<T> {
    /// Writes the result.
    fn ok(&self, call: &mut Call<'_>, value: T) -> Result<(), Reported>
    where
        T: Serialize;
}

impl<T> OkPlain<T> for &ObjKind<T> {
    #[inline]
    fn ok(&self, call: &mut Call<'_>, value: T) -> Result<(), Reported>
    where
        T: Serialize,
    {
        call.ok(&value)
    }
}

/// Iterator items holding objects: handles in place of objects.
pub trait WireObject<T> {
    /// What is written.
    type Wire;
    /// Hands the item's objects to the table.
    fn wire(&self, value: T) -> Self::Wire;
}

impl<T: IntoObjects> WireObject<T> for ObjKind<T> {
    type Wire = T::Wire;
    #[inline]
    fn wire(&self, value: T) -> T::Wire {
        value.into_objects()
    }
}

/// Any other iterator item, as it is.
pub trait WirePlain<T> {
    /// The item itself.
    fn wire(&self, value: T) -> T;
}

impl<T> WirePlain<T> for &ObjKind<T> {
    #[inline]
    fn wire(&self, value: T) -> T {
        value
    }
}

/// "`Counter.add()` argument `self`: expected Counter, but found …".
#[cold]
fn type_error(call: &mut Call<'_>, index: usize, expected: &str, found: String) -> Reported {
    let export = call.export();
    let param = export.params.get(index).map_or("?", |p| p.name);
    let mut value = argument_error(call, "type", index);
    value.message = format!(
        "`{}()` argument `{param}`: expected {expected}, but found {found}",
        export.name
    );
    value.expected = Some(expected.to_owned());
    value.found = Some(found);
    call.fail_args(Status::BadArgs, &value)
}

#[cold]
fn borrow_error(call: &mut Call<'_>, index: usize, class: &str, conflict: Conflict) -> Reported {
    let export = call.export();
    let param = export.params.get(index).map_or("?", |p| p.name);
    let mut value = argument_error(call, "borrow", index);
    value.type_name = "BorrowError".to_owned();
    value.message = match conflict {
        Conflict::InsideExclusive => format!(
            "`{}()` argument `{param}`: this {class} is being changed by a `&mut self` call \
             on this thread (this call came from inside it, e.g. from a callback); \
             calling it here would deadlock",
            export.name
        ),
        Conflict::ExclusiveInsideShared => format!(
            "`{}()` argument `{param}`: needs this {class} to itself (`&mut self`), but this \
             thread is inside another call on it (this call came from inside it, e.g. from a \
             callback); calling it here would deadlock",
            export.name
        ),
    };
    call.fail_args(Status::BadArgs, &value)
}

#[cold]
fn shared_elsewhere(call: &mut Call<'_>, index: usize, class: &str) -> Reported {
    let export = call.export();
    let param = export.params.get(index).map_or("?", |p| p.name);
    let mut value = argument_error(call, "borrow", index);
    value.type_name = "BorrowError".to_owned();
    value.message = format!(
        "`{}()` argument `{param}`: needs this {class} to itself (`&mut self`), but Rust \
         still holds another reference to it (an `Arc<{class}>` stored by the library, or a \
         live iterator over it); drop those first",
        export.name
    );
    call.fail_args(Status::BadArgs, &value)
}

fn argument_error(call: &Call<'_>, kind: &str, index: usize) -> ErrorValue {
    let export = call.export();
    let mut value = ErrorValue::bridge(kind, String::new());
    value.type_name = "ArgumentError".to_owned();
    value.function = Some(export.name.to_owned());
    value
        .frames
        .push(Frame::rust(export.name, export.file, export.line, 1));
    value.index = Some(index);
    value.param = export.params.get(index).map(|p| p.name.to_owned());
    value
}
