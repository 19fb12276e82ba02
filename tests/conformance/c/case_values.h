/*
 * case_values.h — a case's JSON value (cases.json, parsed by cJSON) as the
 * MessagePack a host sends, with the tagged forms of
 * tests/conformance/README.md: {"$bytes": base64} → bin, {"$int": decimal}
 * → int or extension 4, {"$float": "nan"|"inf"|"-inf"|decimal} → float 64,
 * {"$tuple": [...]} → array, {"$map": [[k, v], ...]} → map. A JSON number
 * that is an integer of at most 2^53 is sent as an int, any other as a
 * float 64.
 */
#ifndef FERRYMAN_CONFORMANCE_CASE_VALUES_H
#define FERRYMAN_CONFORMANCE_CASE_VALUES_H

#include <stdbool.h>
#include <stddef.h>

#include "cJSON.h"
#include "msgpack.h"

/* Appends the value to out. False, with why in `problem`, for a value the
 * format does not allow (an unknown tag, bad base64, an integer beyond 17
 * bytes of two's complement). */
bool encode_value(const cJSON *value, Buf *out, char *problem, size_t problem_len);

#endif
