//! One object the library keeps for hosts: its class, its guard and the
//! `Arc` of its value. Every handle to the object points to the same `Entry`.

use crate::object::class::{Class, ClassDef};
use crate::object::guard::Guard;
use crate::object::registry;
use std::any::Any;
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The value, type-erased.
pub(crate) type Value = Arc<dyn Any + Send + Sync>;

/// One object.
pub(crate) struct Entry {
    pub(crate) class: &'static ClassDef,
    pub(crate) guard: Guard,
    /// The value's type, for the registry.
    type_id: std::any::TypeId,
    /// Whether the registry knows this entry: from the start when it was made
    /// for an `Arc` Rust handed over, otherwise once an `Arc` of the value
    /// leaves for Rust code (`escape`). A value no `Arc` of which ever left
    /// cannot come back, so most objects never touch the registry.
    registered: AtomicBool,
    /// Read under the guard, shared or exclusive; `Arc::get_mut` on it under
    /// the exclusive guard.
    value: UnsafeCell<Value>,
}

// SAFETY: the value is `Send + Sync`; the `UnsafeCell` is only accessed under
// `guard` (shared for `&`, exclusive for `&mut`), see `value` and `value_mut`.
unsafe impl Sync for Entry {}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Entry({})", self.class.name)
    }
}

impl Entry {
    /// The entry for `value`: the live one when hosts already hold it (an
    /// `Arc` Rust got from a host and hands back), a new one otherwise.
    pub(crate) fn of<T: Class>(value: Arc<T>) -> Arc<Entry> {
        let address = Arc::as_ptr(&value) as *const () as usize;
        registry::find_or_insert(std::any::TypeId::of::<T>(), address, || Entry {
            class: T::class_def(),
            guard: Guard::new(),
            type_id: std::any::TypeId::of::<T>(),
            registered: AtomicBool::new(true),
            value: UnsafeCell::new(value),
        })
    }

    /// The entry for a new value, which no `Arc` outside the entry holds:
    /// not registered until one leaves (`escape`).
    pub(crate) fn unique<T: Class>(value: T) -> Arc<Entry> {
        Arc::new(Entry {
            class: T::class_def(),
            guard: Guard::new(),
            type_id: std::any::TypeId::of::<T>(),
            registered: AtomicBool::new(false),
            value: UnsafeCell::new(Arc::new(value)),
        })
    }

    /// An `Arc` of the value is leaving for Rust code: register the entry so
    /// that the `Arc`, handed back, finds it.
    #[inline]
    pub(crate) fn escape(entry: &Arc<Entry>) {
        if !entry.registered.swap(true, Ordering::AcqRel) {
            registry::insert(entry.type_id, entry.address(), entry);
        }
    }

    /// Whether [`Entry::escape`] is still to do.
    #[inline]
    pub(crate) fn registered(&self) -> bool {
        self.registered.load(Ordering::Acquire)
    }

    /// The value's address (the registry's key).
    pub(crate) fn address(&self) -> usize {
        // SAFETY: reading the `Arc` pointer, which never changes after
        // construction (`value_mut` changes only what it points to, through
        // `Arc::get_mut`, which leaves the pointer as it is).
        unsafe { Arc::as_ptr(&*self.value.get()) as *const () as usize }
    }

    /// The value.
    ///
    /// # Safety
    /// The caller holds this entry's guard (shared or exclusive) for as long
    /// as the reference lives, or the class has no `&mut self` method (then
    /// nothing ever writes the cell).
    #[inline]
    pub(crate) unsafe fn value(&self) -> &Value {
        // SAFETY: the guard is held (contract), so no `&mut` to it exists.
        unsafe { &*self.value.get() }
    }

    /// The value as a `T`, without the `Any` vtable call a `downcast_ref`
    /// makes: the entry's `type_id` is the value's (set with it, never
    /// changed). Panics when the value is not a `T` (callers checked its class).
    ///
    /// # Safety
    /// As [`Entry::value`].
    #[inline]
    pub(crate) unsafe fn value_of<T: Class>(&self) -> &T {
        assert!(
            self.type_id == std::any::TypeId::of::<T>(),
            "the class was checked"
        );
        // SAFETY: the cell is read under the guard (contract above); the value
        // behind the `Arc` is a `T` (its type id, checked above), so the data
        // pointer, without its `dyn Any` metadata, points to a live `T`.
        unsafe { &*Arc::as_ptr(&*self.value.get()).cast::<T>() }
    }

    /// The value to itself, when no other `Arc` of it exists.
    ///
    /// # Safety
    /// The caller holds this entry's guard exclusively for as long as the
    /// reference lives.
    #[inline]
    #[allow(clippy::mut_from_ref)]
    pub(crate) unsafe fn value_mut(&self) -> Option<&mut (dyn Any + Send + Sync)> {
        // SAFETY: the exclusive guard is held (contract): nothing else reads
        // or writes the cell meanwhile.
        let value = unsafe { &mut *self.value.get() };
        Arc::get_mut(value)
    }
}

impl Drop for Entry {
    fn drop(&mut self) {
        if self.registered.load(Ordering::Acquire) {
            registry::remove(self.type_id, self.address(), self);
        }
    }
}
