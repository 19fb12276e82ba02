//! Where the encoder writes: any `io::Write`, plus a fixed-size store for
//! the short scalars and headers most values are made of.
//!
//! Written through `write_all`, each of them is a `memcpy` call of a
//! variable length (a tenth of a record's encoding went to `memmove`); an
//! [`Encoded`](crate::scalar::Encoded) is stored as its whole 9-byte word
//! instead, when the writer has room, and counted for the bytes it uses.

use crate::scalar::Encoded;
use ferryman_buffer::Sink;
use std::io::{self, Write};

/// A writer the encoder can hand a 9-byte word of which the first `len`
/// bytes count.
pub trait Out: Write {
    /// Writes `word[..len]` (`len` ≤ 9).
    #[inline(always)]
    fn put_word(&mut self, word: &[u8; 9], len: usize) -> io::Result<()> {
        self.write_all(&word[..len.min(word.len())])
    }

    /// Writes the encoding `encoded(item)` gives for each item.
    #[inline(always)]
    fn put_all<T: Copy>(&mut self, items: &[T], encoded: impl Fn(T) -> Encoded) -> io::Result<()> {
        for &item in items {
            let encoded = encoded(item);
            let (word, len) = encoded.word();
            self.put_word(word, len)?;
        }
        Ok(())
    }
}

impl Out for &mut Sink<'_> {
    #[inline(always)]
    fn put_word(&mut self, word: &[u8; 9], len: usize) -> io::Result<()> {
        self.write_word(word, len);
        Ok(())
    }

    #[inline(always)]
    fn put_all<T: Copy>(&mut self, items: &[T], encoded: impl Fn(T) -> Encoded) -> io::Result<()> {
        self.write_words(items, |item| {
            let encoded = encoded(item);
            let (word, len) = encoded.word();
            (*word, len)
        });
        Ok(())
    }
}

impl Out for Vec<u8> {
    #[inline(always)]
    fn put_word(&mut self, word: &[u8; 9], len: usize) -> io::Result<()> {
        append_word(self, word, len);
        Ok(())
    }
}

impl Out for &mut Vec<u8> {
    #[inline(always)]
    fn put_word(&mut self, word: &[u8; 9], len: usize) -> io::Result<()> {
        append_word(self, word, len);
        Ok(())
    }
}

/// Appends `word[..len]` with one fixed 9-byte store into spare capacity.
#[inline(always)]
fn append_word(out: &mut Vec<u8>, word: &[u8; 9], len: usize) {
    let len = len.min(word.len());
    out.reserve(word.len());
    let at = out.len();
    // SAFETY: `reserve` made room for all 9 bytes after `at`; they are all
    // written (initialised), and only the first `len` are counted.
    unsafe {
        out.as_mut_ptr()
            .add(at)
            .cast::<[u8; 9]>()
            .write_unaligned(*word);
        out.set_len(at + len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferryman_abi::FerryBox;

    #[test]
    fn a_word_counts_only_its_first_len_bytes() {
        let word = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        let mut vec = vec![0xaa];
        for len in [0, 1, 5, 9] {
            vec.put_word(&word, len).unwrap();
        }
        assert_eq!(vec, [0xaa, 1, 1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

        // Into a sink: the host's buffer while 9 bytes are spare, then a spill.
        let mut storage = [0u8; 12];
        let mut out = FerryBox {
            ptr: storage.as_mut_ptr(),
            len: 0,
            cap: storage.len(),
        };
        // SAFETY: `storage` outlives the sink and nothing else touches it meanwhile.
        let mut sink = unsafe { Sink::over(&out) };
        let mut writer = &mut sink;
        for len in [3, 2, 4, 9] {
            writer.put_word(&word, len).unwrap();
        }
        assert!(sink.spilled());
        assert_eq!(
            sink.written(),
            [1, 2, 3, 1, 2, 1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8, 9]
        );
        sink.finish(&mut out);
        assert_ne!(out.ptr, storage.as_mut_ptr());
        // SAFETY: a library box `finish` made, freed once, as the host would.
        unsafe { ferryman_buffer::free_box(&mut out) };
    }
}
