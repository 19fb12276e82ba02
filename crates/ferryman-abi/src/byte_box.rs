/// The only value that crosses the boundary: a run of bytes and who may free it.
///
/// As C:
///
/// ```c
/// typedef struct FerryBox {
///     uint8_t *ptr;  /* first byte, or NULL when cap == 0 */
///     size_t   len;  /* initialised bytes */
///     size_t   cap;  /* bytes allocated at ptr */
/// } FerryBox;
/// ```
///
/// A box is owned either by the host or by the library, and only its owner frees it.
/// A box the library allocated is a `Vec<u8>` taken apart, freed by
/// `ferryman_box_free`; see `ferryman-buffer` for the safe conversions.
///
/// Invariants the other side must keep: `len <= cap`; `ptr` is NULL exactly when
/// `cap == 0`; the first `len` bytes are initialised.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FerryBox {
    /// First byte, or null for the empty box.
    pub ptr: *mut u8,
    /// Number of initialised bytes.
    pub len: usize,
    /// Number of bytes allocated at `ptr`.
    pub cap: usize,
}

impl FerryBox {
    /// The empty box `{NULL, 0, 0}`: owns nothing, frees to nothing.
    pub const EMPTY: FerryBox = FerryBox {
        ptr: std::ptr::null_mut(),
        len: 0,
        cap: 0,
    };

    /// Whether this is the empty box.
    pub fn is_empty(&self) -> bool {
        self.ptr.is_null()
    }
}

impl Default for FerryBox {
    fn default() -> Self {
        Self::EMPTY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_three_machine_words_in_c_order() {
        use std::mem::{align_of, offset_of, size_of};
        assert_eq!(size_of::<FerryBox>(), 3 * size_of::<usize>());
        assert_eq!(align_of::<FerryBox>(), align_of::<usize>());
        assert_eq!(offset_of!(FerryBox, ptr), 0);
        assert_eq!(offset_of!(FerryBox, len), size_of::<usize>());
        assert_eq!(offset_of!(FerryBox, cap), 2 * size_of::<usize>());
    }

    #[test]
    fn default_is_the_empty_box() {
        assert!(FerryBox::default().is_empty());
        assert_eq!(FerryBox::default(), FerryBox::EMPTY);
    }
}
