use ferryman_abi::FerryBox;
use std::mem::ManuallyDrop;

/// Hands a vector over as a library-owned box; [`free_box`] takes it back.
pub fn into_box(bytes: Vec<u8>) -> FerryBox {
    if bytes.capacity() == 0 {
        return FerryBox::EMPTY;
    }
    let mut bytes = ManuallyDrop::new(bytes);
    FerryBox {
        ptr: bytes.as_mut_ptr(),
        len: bytes.len(),
        cap: bytes.capacity(),
    }
}

/// Frees a box made by [`into_box`] and leaves the empty box in its place, so a
/// second free of the same place does nothing.
///
/// # Safety
/// `*boxed` must be the empty box or a box returned by [`into_box`] in this same
/// library (same allocator), not freed since, with `ptr` and `cap` unchanged.
pub unsafe fn free_box(boxed: &mut FerryBox) {
    let taken = std::mem::replace(boxed, FerryBox::EMPTY);
    if taken.ptr.is_null() || taken.cap == 0 {
        return;
    }
    // SAFETY: per this function's contract, `ptr`/`cap` came from a `Vec<u8>`
    // allocated by this allocator; `u8` needs no drop, so length 0 is always valid.
    drop(unsafe { Vec::from_raw_parts(taken.ptr, 0, taken.cap) });
}

/// The bytes of a host-owned input box, borrowed for as long as the box reference.
///
/// # Safety
/// When `boxed.len > 0`, `boxed.ptr` must point to `boxed.len` initialised bytes
/// that stay valid and unmodified while `boxed` is borrowed.
#[inline]
pub unsafe fn borrow(boxed: &FerryBox) -> &[u8] {
    if boxed.ptr.is_null() || boxed.len == 0 {
        return &[];
    }
    // SAFETY: non-null and `len` readable initialised bytes for the borrow, per the contract.
    unsafe { std::slice::from_raw_parts(boxed.ptr, boxed.len) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn empty_vec_becomes_the_empty_box() {
        assert_eq!(into_box(Vec::new()), FerryBox::EMPTY);
    }

    #[test]
    fn freeing_twice_is_harmless() {
        let mut b = into_box(vec![1, 2, 3]);
        // SAFETY: `b` came from `into_box` just above.
        unsafe { free_box(&mut b) };
        assert!(b.is_empty());
        // SAFETY: `b` is now the empty box.
        unsafe { free_box(&mut b) };
    }

    proptest! {
        #[test]
        fn round_trip_keeps_every_byte(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
            let mut b = into_box(bytes.clone());
            prop_assert!(b.len <= b.cap);
            // SAFETY: `b` came from `into_box` and is still alive.
            prop_assert_eq!(unsafe { borrow(&b) }, &bytes[..]);
            // SAFETY: as above; freed exactly once.
            unsafe { free_box(&mut b) };
        }
    }
}
