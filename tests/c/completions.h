/*
 * completions.h — the C host's completion function for the async tests
 * (spec/abi.md, "Futures"): it records every completion it is given, and a
 * test waits on a condition variable for the next one.
 */
#ifndef FERRYMAN_TEST_COMPLETIONS_H
#define FERRYMAN_TEST_COMPLETIONS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "harness.h"

/* The function to connect with ferryman_completion_connect. */
void complete(void *context, uint64_t token, int32_t status, FerryBox *out);

/* How many completions have arrived so far. */
long completions(void);

/* Waits (at most `seconds`) until the count passes `seen`, then takes the
 * last completion's box into `o` and its token; false on a timeout. */
bool await_completion(long seen, Outcome *o, uint64_t *token, int seconds);

/* The context the last completion came with, and whether it ran on the
 * thread that called completions_from(). */
void *last_completion_context(void);
bool last_completion_on_caller(void);

/* Names the thread last_completion_on_caller() compares with. */
void completions_from(pthread_t thread);

/* The big-endian unsigned integer in p[0..n]. */
uint64_t be(const uint8_t *p, int n);

#endif
