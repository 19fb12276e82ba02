/* case_values.c — see case_values.h. */
#include "case_values.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LARGEST_EXACT 9007199254740992.0 /* 2^53 */

static bool fail(char *problem, size_t len, const char *what, const char *detail) {
    snprintf(problem, len, "%s%s", what, detail ? detail : "");
    return false;
}

/* "-123..." → WIDE bytes of two's complement; false beyond them. */
static bool decimal_wide(const char *s, uint8_t wide[WIDE]) {
    bool negative = *s == '-';
    s += negative;
    if (*s == '\0') {
        return false;
    }
    memset(wide, 0, WIDE);
    for (; *s; s++) {
        if (*s < '0' || *s > '9') {
            return false;
        }
        unsigned carry = (unsigned)(*s - '0');
        for (int j = WIDE - 1; j >= 0; j--) {
            unsigned v = wide[j] * 10u + carry;
            wide[j] = (uint8_t)v;
            carry = v >> 8;
        }
        if (carry || (wide[0] & 0x80)) {
            return false; /* the magnitude needs the sign bit: beyond 17 bytes */
        }
    }
    if (negative) {
        unsigned carry = 1;
        for (int j = WIDE - 1; j >= 0; j--) {
            unsigned v = (uint8_t)~wide[j] + carry;
            wide[j] = (uint8_t)v;
            carry = v >> 8;
        }
    }
    return true;
}

static int base64_digit(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Standard base64 with padding → bin. */
static bool base64_bin(const char *s, Buf *out) {
    size_t n = strlen(s);
    if (n % 4 != 0) {
        return false;
    }
    uint8_t *bytes = malloc(n / 4 * 3 + 1);
    size_t len = 0;
    bool ok = bytes != NULL;
    for (size_t i = 0; ok && i < n; i += 4) {
        int d[4];
        for (int k = 0; k < 4; k++) {
            d[k] = s[i + k] == '=' && i + 4 == n && k >= 2 ? 0 : base64_digit(s[i + k]);
            ok = ok && d[k] >= 0;
        }
        uint32_t v = (uint32_t)d[0] << 18 | (uint32_t)d[1] << 12 | (uint32_t)d[2] << 6 | (uint32_t)d[3];
        size_t keep = i + 4 == n ? 3 - (s[n - 1] == '=') - (s[n - 2] == '=') : 3;
        for (size_t k = 0; ok && k < keep; k++) {
            bytes[len++] = (uint8_t)(v >> (16 - 8 * k));
        }
    }
    if (ok) {
        mp_bin(out, bytes, len);
    }
    free(bytes);
    return ok;
}

static bool encode_tag(const cJSON *tag, Buf *out, char *problem, size_t plen) {
    const char *name = tag->string;
    if (strcmp(name, "$bytes") == 0) {
        return cJSON_IsString(tag) && base64_bin(tag->valuestring, out)
                   ? true
                   : fail(problem, plen, "$bytes is not base64: ", cJSON_IsString(tag) ? tag->valuestring : "?");
    }
    if (strcmp(name, "$int") == 0) {
        uint8_t wide[WIDE];
        if (!cJSON_IsString(tag) || !decimal_wide(tag->valuestring, wide)) {
            return fail(problem, plen, "$int is not a decimal of at most 17 bytes: ",
                        cJSON_IsString(tag) ? tag->valuestring : "?");
        }
        mp_wide(out, wide);
        return true;
    }
    if (strcmp(name, "$float") == 0) {
        const char *s = cJSON_IsString(tag) ? tag->valuestring : "";
        char *end = NULL;
        double v = strcmp(s, "nan") == 0 ? NAN
                   : strcmp(s, "inf") == 0 ? INFINITY
                   : strcmp(s, "-inf") == 0 ? -INFINITY
                   : strtod(s, &end);
        if (end != NULL && (end == s || *end != '\0')) {
            return fail(problem, plen, "$float is not nan, inf, -inf or a decimal: ", s);
        }
        mp_f64(out, v);
        return true;
    }
    if (strcmp(name, "$tuple") == 0 && cJSON_IsArray(tag)) {
        mp_array(out, (uint32_t)cJSON_GetArraySize(tag));
        for (const cJSON *e = tag->child; e; e = e->next) {
            if (!encode_value(e, out, problem, plen)) {
                return false;
            }
        }
        return true;
    }
    if (strcmp(name, "$map") == 0 && cJSON_IsArray(tag)) {
        mp_map(out, (uint32_t)cJSON_GetArraySize(tag));
        for (const cJSON *pair = tag->child; pair; pair = pair->next) {
            if (!cJSON_IsArray(pair) || cJSON_GetArraySize(pair) != 2) {
                return fail(problem, plen, "$map holds something other than [key, value] pairs", NULL);
            }
            if (!encode_value(pair->child, out, problem, plen) ||
                !encode_value(pair->child->next, out, problem, plen)) {
                return false;
            }
        }
        return true;
    }
    return fail(problem, plen, "unknown or malformed tag ", name);
}

bool encode_value(const cJSON *value, Buf *out, char *problem, size_t plen) {
    if (cJSON_IsNull(value)) {
        mp_nil(out);
    } else if (cJSON_IsBool(value)) {
        mp_bool(out, cJSON_IsTrue(value));
    } else if (cJSON_IsNumber(value)) {
        double d = value->valuedouble;
        if (isfinite(d) && d == trunc(d) && fabs(d) <= LARGEST_EXACT) {
            mp_int(out, (int64_t)d);
        } else {
            mp_f64(out, d);
        }
    } else if (cJSON_IsString(value)) {
        mp_str(out, value->valuestring, strlen(value->valuestring));
    } else if (cJSON_IsArray(value)) {
        mp_array(out, (uint32_t)cJSON_GetArraySize(value));
        for (const cJSON *e = value->child; e; e = e->next) {
            if (!encode_value(e, out, problem, plen)) {
                return false;
            }
        }
    } else if (cJSON_IsObject(value)) {
        const cJSON *only = value->child;
        if (only != NULL && only->next == NULL && only->string[0] == '$') {
            return encode_tag(only, out, problem, plen);
        }
        mp_map(out, (uint32_t)cJSON_GetArraySize(value));
        for (const cJSON *e = value->child; e; e = e->next) {
            mp_str(out, e->string, strlen(e->string));
            if (!encode_value(e, out, problem, plen)) {
                return false;
            }
        }
    } else {
        return fail(problem, plen, "a JSON value of no known type", NULL);
    }
    return true;
}
