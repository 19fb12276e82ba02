//! A `Vec` of numbers read without serde: given as a lent slice of the
//! same number type (`spec/wire.md`, "Lent slices"), copied in one piece;
//! given as an array of MessagePack numbers in their usual forms, read in
//! one loop ([`crate::Direct`]). serde has no way to say "this visitor
//! builds a `Vec<i64>`", so [`take`] asks the type itself: `typeid` compares
//! `T` with each `Vec<N>` (it works for types that borrow, which `Any` does
//! not), a comparison the compiler settles for each `T`. Anything else —
//! another form, a value out of range — is left to serde, which owns the
//! error messages.

use std::mem::ManuallyDrop;

use ferryman_abi::{EXT_LENT_BYTES, LENT_SLICE_PAYLOAD};

use crate::lent_items::{whole_items, ItemType, Lent};
use crate::{Direct, Lending};

/// The numbers a lent slice's items can be copied into.
trait Number: Copy + 'static {
    const ITEM: ItemType;
}

macro_rules! number {
    ($($ty:ty => $item:ident),* $(,)?) => {$(
        impl Number for $ty {
            const ITEM: ItemType = ItemType::$item;
        }
    )*};
}

number!(
    f64 => F64, f32 => F32, i64 => I64, i32 => I32, u64 => U64,
    u32 => U32, i16 => I16, u16 => U16, i8 => I8,
);

/// When `T` is `Vec<N>` and the next argument in `rest` is a lent slice of
/// `N` that `lending` lets this reader use, or an array of `N`'s direct
/// forms: the items, and `rest` moved past the argument. `None` (nothing
/// read) for anything else, which the serde path reads or explains as before.
#[inline]
pub(crate) fn take<T>(rest: &mut &[u8], lending: Lending) -> Option<T> {
    macro_rules! try_numbers {
        ($($ty:ty => $read:expr),*) => {$(
            if typeid::of::<T>() == typeid::of::<Vec<$ty>>() {
                let items: Vec<$ty> = $read(rest)?;
                // SAFETY: `T` is `Vec<$ty>`: their type ids are equal, and
                // ids differ only in lifetimes, which `Vec<$ty>` has none of.
                // The vector is moved, not dropped: `T` owns it now.
                return Some(unsafe { std::mem::transmute_copy(&ManuallyDrop::new(items)) });
            }
        )*};
    }
    fn lent_or_array<N: Number + Direct>(rest: &mut &[u8], lending: Lending) -> Option<Vec<N>> {
        copy_items::<N>(rest, lending).or_else(|| read_array::<N>(rest))
    }
    // (Not u8: a `Vec<u8>` is bytes, `bin` on the wire. f32 has no direct form.)
    try_numbers!(
        f64 => |rest| lent_or_array::<f64>(rest, lending),
        f32 => |rest| copy_items::<f32>(rest, lending),
        i64 => |rest| lent_or_array::<i64>(rest, lending),
        i32 => |rest| lent_or_array::<i32>(rest, lending),
        u64 => |rest| lent_or_array::<u64>(rest, lending),
        u32 => |rest| lent_or_array::<u32>(rest, lending),
        i16 => |rest| lent_or_array::<i16>(rest, lending),
        u16 => |rest| lent_or_array::<u16>(rest, lending),
        i8 => |rest| lent_or_array::<i8>(rest, lending)
    );
    None
}

/// The items of the array of `N`s at the start of `rest`, each in one of its
/// direct forms; `None` (`rest` unmoved) at the first that is not.
pub(crate) fn read_array<N: Direct>(rest: &mut &[u8]) -> Option<Vec<N>> {
    let (count, header) = match **rest {
        [marker @ 0x90..=0x9f, ..] => (usize::from(marker & 0x0f), 1),
        [0xdc, a, b, ..] => (usize::from(u16::from_be_bytes([a, b])), 3),
        [0xdd, a, b, c, d, ..] => (u32::from_be_bytes([a, b, c, d]) as usize, 5),
        _ => return None,
    };
    let mut bytes = &rest[header..];
    // Each item takes at least one byte: a longer count is a lie for serde to report.
    if count > bytes.len() {
        return None;
    }
    let mut items = Vec::with_capacity(count);
    // Written into the reserved room, the length set once (`push` checked
    // and stored it per item).
    let room = &mut items.spare_capacity_mut()[..count];
    let mut fixints = 0;
    if N::from_fixint(0).is_some() {
        // The run of positive fixints first (small non-negative numbers, one
        // byte each: the commonest ints), without the general read's branches.
        for (slot, &byte) in room.iter_mut().zip(bytes) {
            match N::from_fixint(byte) {
                Some(item) if byte <= 0x7f => slot.write(item),
                _ => break,
            };
            fixints += 1;
        }
        bytes = &bytes[fixints..];
    }
    for slot in &mut room[fixints..] {
        let (item, len) = N::read(bytes)?;
        slot.write(item);
        bytes = &bytes[len..];
    }
    // SAFETY: the loop ran to its end (`?` returns earlier with the length
    // still 0), so the first `count` items are written.
    unsafe { items.set_len(count) };
    *rest = bytes;
    Some(items)
}

/// The items of the lent slice of `N` at the start of `rest`, if it is one.
fn copy_items<N: Number>(rest: &mut &[u8], lending: Lending) -> Option<Vec<N>> {
    const EXT_LEN: usize = 3 + LENT_SLICE_PAYLOAD;
    let ext = rest.get(..EXT_LEN)?;
    if !lending.is_trusted() || ext[..3] != [0xc7, LENT_SLICE_PAYLOAD as u8, EXT_LENT_BYTES as u8] {
        return None;
    }
    let Ok(Lent::Slice(slice)) = Lent::parse(&ext[3..]) else {
        return None;
    };
    if slice.item != N::ITEM {
        return None;
    }
    // SAFETY: `lending` is trusted: by `Lending::trusted`'s contract every
    // extension 3 in these argument bytes names memory readable and unchanged
    // for the call, which outlives this copy.
    let bytes = unsafe { slice.bytes.slice() }.ok()?;
    whole_items(slice.item, bytes).ok()?;
    let count = bytes.len() / std::mem::size_of::<N>();
    let mut items = Vec::<N>::with_capacity(count);
    // SAFETY: `items` has room for `count` items, `bytes.len()` bytes, and
    // cannot overlap the host's memory; `N` is a number type, for which every
    // bit pattern is a value, so the bytes (in this process's order, as a lent
    // slice's are) are `count` valid items once copied; u8 needs no alignment.
    unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), items.as_mut_ptr().cast::<u8>(), bytes.len());
        items.set_len(count);
    }
    *rest = &rest[EXT_LEN..];
    Some(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LentPayload, LentSlice};

    fn lent(item: ItemType, bytes: &[u8]) -> Vec<u8> {
        let slice = LentSlice {
            bytes: LentPayload {
                host_id: 0,
                handle: 0,
                ptr: bytes.as_ptr() as u64,
                len: bytes.len() as u64,
            },
            item,
        };
        let mut out = slice.to_ext().to_vec();
        out.push(0xc0); // what follows stays
        out
    }

    #[test]
    fn a_vec_of_the_lent_item_type_is_copied_and_nothing_else_is_taken() {
        let values: Vec<i64> = vec![3, -4, i64::MAX];
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_ne_bytes()).collect();
        let arg = lent(ItemType::I64, &bytes[1..]);
        // SAFETY: the payloads below name `bytes`, alive and unchanged throughout.
        let trusted = unsafe { Lending::trusted() };

        let mut rest = &arg[..];
        // A whole number of items is checked: 23 bytes are not.
        assert_eq!(take::<Vec<i64>>(&mut rest, trusted), None);
        let arg = lent(ItemType::I64, &bytes);
        let mut rest = &arg[..];
        assert_eq!(take::<Vec<i64>>(&mut rest, trusted), Some(values.clone()));
        assert_eq!(rest, &[0xc0]);

        for (name, got) in [
            (
                "another item type",
                take::<Vec<f64>>(&mut &arg[..], trusted).is_some(),
            ),
            ("not a Vec", take::<i64>(&mut &arg[..], trusted).is_some()),
            (
                "refused",
                take::<Vec<i64>>(&mut &arg[..], Lending::REFUSED).is_some(),
            ),
        ] {
            assert!(!got, "{name}");
        }
        // Unaligned memory is fine: the items are copied.
        let mut shifted = vec![0u8; bytes.len() + 1];
        shifted[1..].copy_from_slice(&bytes);
        let arg = lent(ItemType::I64, &shifted[1..]);
        assert_eq!(take::<Vec<i64>>(&mut &arg[..], trusted), Some(values));
    }

    #[test]
    fn an_array_of_direct_forms_is_read_and_anything_else_left_to_serde() {
        // [1, -1, 300, i64::MIN] then nil.
        let mut bytes = vec![0x94, 0x01, 0xff, 0xcd, 0x01, 0x2c, 0xd3];
        bytes.extend_from_slice(&i64::MIN.to_be_bytes());
        bytes.push(0xc0);
        let mut rest = &bytes[..];
        let got = take::<Vec<i64>>(&mut rest, Lending::REFUSED);
        assert_eq!(got, Some(vec![1, -1, 300, i64::MIN]));
        assert_eq!(rest, &[0xc0]);
        let mut rest = &bytes[..];
        // -1 is out of range for u32, 300 for i8: serde explains.
        assert_eq!(take::<Vec<u32>>(&mut rest, Lending::REFUSED), None);
        assert_eq!(take::<Vec<i8>>(&mut rest, Lending::REFUSED), None);
        assert_eq!(rest.len(), bytes.len());
        for other in [
            &[0x92, 0x01][..],       // fewer items than the header says
            &[0x91, 0xa1, b'x'][..], // not a number
            &[0xc4, 0x01, 0x01][..], // bin
        ] {
            assert_eq!(take::<Vec<i64>>(&mut &other[..], Lending::REFUSED), None);
        }
        assert_eq!(
            take::<Vec<f64>>(
                &mut &[0x91, 0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0][..],
                Lending::REFUSED
            ),
            Some(vec![1.5])
        );
        assert_eq!(
            take::<Vec<u8>>(&mut &[0x91, 0x01][..], Lending::REFUSED),
            None
        );
    }

    proptest::proptest! {
        /// Ints of every form, runs of fixints among them: read as written,
        /// and into a narrower type exactly when every item fits (else left
        /// to serde).
        #[test]
        fn an_array_of_ints_reads_as_it_was_written(
            values in proptest::collection::vec(
                proptest::prop_oneof![0i64..=0x7f, -40i64..300, proptest::num::i64::ANY],
                0..40,
            )
        ) {
            let mut bytes = rmp_serde::to_vec(&values).unwrap();
            bytes.push(0xc0);
            let mut rest = &bytes[..];
            proptest::prop_assert_eq!(take::<Vec<i64>>(&mut rest, Lending::REFUSED), Some(values.clone()));
            proptest::prop_assert_eq!(rest, &[0xc0][..]);
            let fits: Option<Vec<i8>> = values.iter().map(|&v| i8::try_from(v).ok()).collect();
            proptest::prop_assert_eq!(take::<Vec<i8>>(&mut &bytes[..], Lending::REFUSED), fits);
            let fits: Option<Vec<u16>> = values.iter().map(|&v| u16::try_from(v).ok()).collect();
            proptest::prop_assert_eq!(take::<Vec<u16>>(&mut &bytes[..], Lending::REFUSED), fits);
        }
    }
}
