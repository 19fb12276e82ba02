use crate::owned::into_box;
use ferryman_abi::FerryBox;
use std::io;
use std::mem::MaybeUninit;

/// An `io::Write` for one result: fills the host's buffer first and moves to a
/// library-owned `Vec` only when the result outgrows it.
///
/// When the host passes the empty box, every result goes to a library box.
#[derive(Debug)]
pub struct Sink<'h> {
    host: &'h mut [MaybeUninit<u8>],
    len: usize,
    spill: Option<Vec<u8>>,
}

impl<'h> Sink<'h> {
    /// A sink over the buffer the host put in `out` (none, for the empty box).
    ///
    /// # Safety
    /// When `out.ptr` is not null it must point to `out.cap` writable bytes that
    /// nothing else reads or writes for `'h`.
    #[inline]
    pub unsafe fn over(out: &FerryBox) -> Sink<'h> {
        let host: &'h mut [MaybeUninit<u8>] = if out.ptr.is_null() || out.cap == 0 {
            &mut []
        } else {
            // SAFETY: the caller guarantees `cap` writable bytes, exclusively ours for
            // 'h; `MaybeUninit` makes no claim that they are initialised.
            unsafe { std::slice::from_raw_parts_mut(out.ptr.cast::<MaybeUninit<u8>>(), out.cap) }
        };
        Sink {
            host,
            len: 0,
            spill: None,
        }
    }

    /// A sink that always produces a library box (for tests and internal use).
    pub fn library() -> Sink<'static> {
        Sink {
            host: &mut [],
            len: 0,
            spill: None,
        }
    }

    /// Forgets everything written so far (an error replaces a half-written result).
    #[inline]
    pub fn clear(&mut self) {
        self.len = 0;
        if let Some(spill) = &mut self.spill {
            spill.clear();
        }
    }

    /// Whether the output has left the host's buffer.
    pub fn spilled(&self) -> bool {
        self.spill.is_some()
    }

    /// Bytes written so far.
    pub fn written(&self) -> &[u8] {
        match &self.spill {
            Some(spill) => spill,
            // SAFETY: the first `len` bytes of `host` were written by `write`.
            None => unsafe {
                std::slice::from_raw_parts(self.host.as_ptr().cast::<u8>(), self.len)
            },
        }
    }

    /// Publishes the output into `out`: either the host's buffer with its new
    /// length, or a library box the host must free.
    #[inline]
    pub fn finish(self, out: &mut FerryBox) {
        match self.spill {
            Some(spill) => *out = into_box(spill),
            None => out.len = self.len,
        }
    }

    /// Writes the first `len` (at most 9) bytes of `word`: one fixed-size
    /// store when the host's buffer has 9 bytes to spare, so a scalar result
    /// costs no `memcpy` call of a variable length.
    #[inline(always)]
    pub fn write_word(&mut self, word: &[u8; 9], len: usize) {
        let len = len.min(word.len());
        if self.spill.is_none() && self.host.len() - self.len >= word.len() {
            let dest = self.host[self.len..].as_mut_ptr().cast::<[u8; 9]>();
            // SAFETY: `dest` has 9 writable bytes (checked above), exclusively
            // ours (see `over`); only the first `len` are counted as written.
            unsafe { dest.write_unaligned(*word) };
            self.len += len;
        } else {
            // A sink never fails: what does not fit the host's buffer spills.
            let _ = io::Write::write_all(self, &word[..len]);
        }
    }

    /// Writes the word `word(item)` gives for each item, the first `len` (at
    /// most 9) of its bytes: when the host's buffer has 9 bytes to spare for
    /// every item, one fixed-size store each, with no check between them.
    #[inline(always)]
    pub fn write_words<T: Copy>(&mut self, items: &[T], word: impl Fn(T) -> ([u8; 9], usize)) {
        let spare = self.host.len() - self.len;
        if self.spill.is_some() || items.len() > spare / 9 {
            for &item in items {
                let (bytes, len) = word(item);
                self.write_word(&bytes, len);
            }
            return;
        }
        let start = self.host[self.len..].as_mut_ptr().cast::<u8>();
        let mut at = 0;
        for &item in items {
            let (bytes, len) = word(item);
            // SAFETY: each word before this one moved `at` by 9 at most, so
            // the 9 bytes at `at` lie within the `9 * items.len()` spare bytes
            // after `self.len` (checked above), exclusively ours (see `over`).
            unsafe { start.add(at).cast::<[u8; 9]>().write_unaligned(bytes) };
            at += len.min(bytes.len());
        }
        self.len += at;
    }

    fn spill(&mut self, extra: &[u8]) {
        let mut spill = Vec::with_capacity((self.len + extra.len()).max(64) * 2);
        spill.extend_from_slice(self.written());
        spill.extend_from_slice(extra);
        self.spill = Some(spill);
    }
}

impl io::Write for Sink<'_> {
    #[inline]
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    #[inline]
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        if let Some(spill) = &mut self.spill {
            spill.extend_from_slice(buf);
        } else if buf.len() <= self.host.len() - self.len {
            let dest = &mut self.host[self.len..self.len + buf.len()];
            // SAFETY: `dest` and `buf` have the same length and cannot overlap:
            // `dest` is exclusively ours (see `over`), `buf` is a shared borrow.
            unsafe {
                std::ptr::copy_nonoverlapping(
                    buf.as_ptr(),
                    dest.as_mut_ptr().cast::<u8>(),
                    buf.len(),
                )
            };
            self.len += buf.len();
        } else {
            self.spill(buf);
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{borrow, free_box};
    use std::io::Write;

    #[test]
    fn small_output_stays_in_the_host_buffer() {
        let mut storage = [0u8; 16];
        let mut out = FerryBox {
            ptr: storage.as_mut_ptr(),
            len: 0,
            cap: storage.len(),
        };
        // SAFETY: `storage` outlives the sink and nothing else touches it meanwhile.
        let mut sink = unsafe { Sink::over(&out) };
        sink.write_all(b"hello").unwrap();
        assert!(!sink.spilled());
        sink.finish(&mut out);
        assert_eq!(out.ptr, storage.as_mut_ptr());
        assert_eq!(&storage[..out.len], b"hello");
    }

    #[test]
    fn large_output_spills_into_a_library_box_keeping_the_prefix() {
        let mut storage = [0u8; 4];
        let mut out = FerryBox {
            ptr: storage.as_mut_ptr(),
            len: 0,
            cap: storage.len(),
        };
        // SAFETY: as above.
        let mut sink = unsafe { Sink::over(&out) };
        sink.write_all(b"abc").unwrap();
        sink.write_all(b"defgh").unwrap();
        assert!(sink.spilled());
        sink.finish(&mut out);
        assert_ne!(out.ptr, storage.as_mut_ptr());
        // SAFETY: `out` is a library box made by `finish`.
        assert_eq!(unsafe { borrow(&out) }, b"abcdefgh");
        // SAFETY: freed once.
        unsafe { free_box(&mut out) };
    }

    #[test]
    fn a_word_is_written_in_place_or_spills_when_the_buffer_is_short() {
        let word = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        let mut storage = [0u8; 12];
        let mut out = FerryBox {
            ptr: storage.as_mut_ptr(),
            len: 0,
            cap: storage.len(),
        };
        // SAFETY: `storage` outlives the sink and nothing else touches it meanwhile.
        let mut sink = unsafe { Sink::over(&out) };
        sink.write_word(&word, 2);
        sink.write_word(&word, 3);
        assert!(!sink.spilled());
        // 7 bytes left: fewer than 9, so the next word goes the general way.
        sink.write_word(&word, 9);
        assert!(sink.spilled());
        sink.finish(&mut out);
        // SAFETY: `out` is a library box made by `finish`.
        let written = unsafe { borrow(&out) };
        assert_eq!(
            written,
            b"\x01\x02\x01\x02\x03\x01\x02\x03\x04\x05\x06\x07\x08\x09"
        );
        // SAFETY: freed once.
        unsafe { free_box(&mut out) };
    }

    #[test]
    fn words_are_written_in_place_when_all_fit_and_one_by_one_otherwise() {
        let word = |n: u8| ([n, n, n, n, n, n, n, n, n], usize::from(n));
        let mut storage = [0u8; 30];
        let mut out = FerryBox {
            ptr: storage.as_mut_ptr(),
            len: 0,
            cap: storage.len(),
        };
        // SAFETY: `storage` outlives the sink and nothing else touches it meanwhile.
        let mut sink = unsafe { Sink::over(&out) };
        // 27 bytes are room for three words (of 1, 2 and 9 bytes used).
        sink.write_words(&[1, 2, 9], word);
        assert!(!sink.spilled());
        assert_eq!(sink.written(), [1, 2, 2, 9, 9, 9, 9, 9, 9, 9, 9, 9]);
        // 18 bytes are left: not room for three more words at once.
        sink.write_words(&[3, 0, 9], word);
        assert_eq!(sink.written().len(), 24);
        sink.write_words(&[9], word);
        assert!(sink.spilled());
        sink.finish(&mut out);
        // SAFETY: `out` is a library box made by `finish`.
        let written = unsafe { borrow(&out) };
        assert_eq!(written.len(), 33);
        assert_eq!(
            &written[12..],
            [3, 3, 3, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]
        );
        // SAFETY: freed once.
        unsafe { free_box(&mut out) };
    }

    #[test]
    fn clear_discards_a_half_written_result() {
        let mut out = FerryBox::EMPTY;
        let mut sink = Sink::library();
        sink.write_all(b"partial").unwrap();
        sink.clear();
        sink.write_all(b"err").unwrap();
        sink.finish(&mut out);
        // SAFETY: `out` is a library box made by `finish`.
        assert_eq!(unsafe { borrow(&out) }, b"err");
        // SAFETY: freed once.
        unsafe { free_box(&mut out) };
    }
}
