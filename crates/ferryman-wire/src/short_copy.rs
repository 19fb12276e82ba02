//! Copies of a few bytes without a `memcpy` call: a small argument or result
//! (`echo(b"16 bytes")`) is copied on both sides of every call, and a call to
//! the C library's `memcpy` of a variable length costs more than the copy.

/// Copies `len` bytes from `src` to `dst` with at most four loads and
/// stores when `len <= 16`; longer copies go to `ptr::copy_nonoverlapping`.
///
/// # Safety
/// As `ptr::copy_nonoverlapping::<u8>(src, dst, len)`: `src` readable and
/// `dst` writable for `len` bytes, not overlapping.
#[inline(always)]
pub unsafe fn copy_short(src: *const u8, dst: *mut u8, len: usize) {
    // SAFETY: every access below lies within the first `len` bytes of `src`
    // or `dst` (the two halves overlap when `len` is not a power of two).
    unsafe {
        if len >= 8 {
            if len > 16 {
                std::ptr::copy_nonoverlapping(src, dst, len);
                return;
            }
            let head = src.cast::<u64>().read_unaligned();
            let tail = src.add(len - 8).cast::<u64>().read_unaligned();
            dst.cast::<u64>().write_unaligned(head);
            dst.add(len - 8).cast::<u64>().write_unaligned(tail);
        } else if len >= 4 {
            let head = src.cast::<u32>().read_unaligned();
            let tail = src.add(len - 4).cast::<u32>().read_unaligned();
            dst.cast::<u32>().write_unaligned(head);
            dst.add(len - 4).cast::<u32>().write_unaligned(tail);
        } else if len > 0 {
            // 1 to 3 bytes: first, middle and last (some of them the same).
            *dst = *src;
            *dst.add(len / 2) = *src.add(len / 2);
            *dst.add(len - 1) = *src.add(len - 1);
        }
    }
}

/// `out.extend_from_slice(bytes)`, through [`copy_short`].
#[inline(always)]
pub fn extend_short(out: &mut Vec<u8>, bytes: &[u8]) {
    out.reserve(bytes.len());
    let len = out.len();
    // SAFETY: `reserve` made room for `bytes.len()` bytes after `len`, which
    // cannot overlap `bytes` (a shared borrow while `out` is borrowed mutably);
    // they are all written before the length covers them.
    unsafe {
        copy_short(bytes.as_ptr(), out.as_mut_ptr().add(len), bytes.len());
        out.set_len(len + bytes.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_short_length_copies_exactly_its_bytes() {
        let source: Vec<u8> = (1..=40).collect();
        for len in 0..=40 {
            let mut out = vec![0xee];
            extend_short(&mut out, &source[..len]);
            assert_eq!(out[0], 0xee);
            assert_eq!(&out[1..], &source[..len], "{len}");
            let mut target = [0u8; 48];
            // SAFETY: 40 readable bytes, 48 writable, separate arrays.
            unsafe { copy_short(source.as_ptr(), target.as_mut_ptr(), len) };
            assert_eq!(&target[..len], &source[..len], "{len}");
            assert!(
                target[len..].iter().all(|&b| b == 0),
                "{len}: wrote past the end"
            );
        }
    }
}
