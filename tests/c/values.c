/*
 * values.c — values on the wire (spec/wire.md, "Big integers" and "Byte
 * sequences at any depth"): extension 4 both ways, and bin for byte
 * sequences nested in other values.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"

/* spec/wire.md, "Big integers" and "Byte sequences at any depth". */
static void wide_ints_and_nested_bytes(const Lib *lib) {
    /* [2**64] as extension 4 with a 16-byte payload, and the same value back. */
    uint8_t two_64[2 + 2 + 16] = {0x91, 0xd8, FERRYMAN_EXT_BIG_INT};
    two_64[3 + 7] = 0x01; /* bytes 3..19 hold 2**64, big-endian */
    expect_result(lib, "echo_i128(2**64) takes and returns extension 4", "echo_i128", two_64, 19, two_64 + 1, 18);
    expect_error(lib, "echo_i64(2**64 as extension 4)", function_id(lib, "echo_i64"), two_64, 19, FERRY_BAD_ARGS,
                 "overflow");
    static const uint8_t small[] = {0x91, 0xd4, FERRYMAN_EXT_BIG_INT, 0x07};
    static const uint8_t seven[] = {0x07};
    expect_result(lib, "echo_i128(7 as a 1-byte extension 4) returns the int 7", "echo_i128", small, sizeof small,
                  seven, sizeof seven);
    /* [[bin "ab", bin ""]] and the same back: nested Vec<u8> is bin. */
    static const uint8_t lists[] = {0x91, 0x92, 0xc4, 0x02, 'a', 'b', 0xc4, 0x00};
    expect_result(lib, "echo_byte_lists([b\"ab\", b\"\"]) is bin both ways", "echo_byte_lists", lists, sizeof lists,
                  lists + 1, sizeof lists - 1);
    static const uint8_t text[] = {0x91, 0xa1, 'x'};
    expect_error(lib, "echo_bytes(\"x\"): a str is not bytes", function_id(lib, "echo_bytes"), text, sizeof text,
                 FERRY_BAD_ARGS, "type");
}

void feature(const Lib *lib, const char *second_path) {
    (void)second_path;
    wide_ints_and_nested_bytes(lib);
}
