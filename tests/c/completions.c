/*
 * completions.c — the completion recorder shared by async.c and
 * async_callbacks.c (completions.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "completions.h"

/* Every call counted, the last one kept until a test takes it. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    long count;
    uint64_t token;
    int32_t status;
    FerryBox out;
    void *context;
    bool on_caller;
    bool have_caller;
    pthread_t caller;
} done = {.lock = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER};

void completions_from(pthread_t thread) {
    pthread_mutex_lock(&done.lock);
    done.caller = thread;
    done.have_caller = true;
    pthread_mutex_unlock(&done.lock);
}

void complete(void *context, uint64_t token, int32_t status, FerryBox *out) {
    pthread_mutex_lock(&done.lock);
    if (done.out.ptr != NULL) {
        /* An earlier completion nobody took: a test bug, but not a leak. */
        fprintf(stderr, "completions.c: completion %llu arrived before the previous one was read\n",
                (unsigned long long)token);
    }
    done.count++;
    done.token = token;
    done.status = status;
    done.out = *out;
    done.context = context;
    done.on_caller = done.have_caller && pthread_equal(pthread_self(), done.caller);
    pthread_cond_broadcast(&done.changed);
    pthread_mutex_unlock(&done.lock);
}

long completions(void) {
    pthread_mutex_lock(&done.lock);
    long n = done.count;
    pthread_mutex_unlock(&done.lock);
    return n;
}

bool await_completion(long seen, Outcome *o, uint64_t *token, int seconds) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += seconds;
    pthread_mutex_lock(&done.lock);
    int rc = 0;
    while (done.count <= seen && rc != ETIMEDOUT) rc = pthread_cond_timedwait(&done.changed, &done.lock, &until);
    bool arrived = done.count > seen;
    if (arrived) {
        o->status = done.status;
        o->out = done.out;
        *token = done.token;
        done.out = EMPTY;
    }
    pthread_mutex_unlock(&done.lock);
    return arrived;
}

void *last_completion_context(void) {
    pthread_mutex_lock(&done.lock);
    void *context = done.context;
    pthread_mutex_unlock(&done.lock);
    return context;
}

bool last_completion_on_caller(void) {
    pthread_mutex_lock(&done.lock);
    bool on_caller = done.on_caller;
    pthread_mutex_unlock(&done.lock);
    return on_caller;
}

uint64_t be(const uint8_t *p, int n) {
    uint64_t v = 0;
    for (int k = 0; k < n; k++) v = (v << 8) | p[k];
    return v;
}
