/* Benchmark driver for the C ABI (libcopilot_core): consumes the firehose through the event
 * callback (--delivery callback) or by polling copilot_session_next_event (--delivery poll).
 * Modes: throughput, latency, sessions. Prints one `BENCH_RESULT {json}` line.
 * Events are JSON strings; the driver finds the type and the send stamp with strstr, as a C
 * application that only routes events would. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "copilot_core.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t wall_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double cpu_s(void) {
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return (double)r.ru_utime.tv_sec + (double)r.ru_utime.tv_usec / 1e6 + (double)r.ru_stime.tv_sec +
           (double)r.ru_stime.tv_usec / 1e6;
}

static long rss_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = 0;
    if (!f) return 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) v = strtol(line + 6, NULL, 10);
    fclose(f);
    return v;
}

static void die(const char *what, copilot_result r) {
    fprintf(stderr, "%s failed: %s: %s\n", what, copilot_result_name((uint32_t)r), copilot_last_error_message());
    exit(1);
}

static const char *arg(int argc, char **argv, const char *name, const char *dflt) {
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0) return argv[i + 1];
    return dflt;
}

struct counter {
    atomic_ulong deltas;
    atomic_int idle;
    int latency;
    double *lat_us;
    size_t lat_cap;
    atomic_ulong lat_n;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

/* Returns 1 when the event is session.idle. */
static int on_event_json(struct counter *c, const char *ev) {
    const char *t = strstr(ev, "\"type\":\"");
    if (!t) return 0;
    t += 8;
    if (strncmp(t, "assistant.message_delta\"", 24) == 0) {
        atomic_fetch_add(&c->deltas, 1);
        if (c->latency) {
            const char *d = strstr(ev, "\"deltaContent\":\"");
            if (d) {
                uint64_t sent = strtoull(d + 16, NULL, 10);
                unsigned long i = atomic_fetch_add(&c->lat_n, 1);
                if (i < c->lat_cap) c->lat_us[i] = (double)(wall_ns() - sent) / 1000.0;
            }
        }
    } else if (strncmp(t, "session.idle\"", 13) == 0) {
        return 1;
    }
    return 0;
}

static void callback(void *user_data, const char *event_json) {
    struct counter *c = user_data;
    if (on_event_json(c, event_json)) {
        pthread_mutex_lock(&c->mu);
        atomic_store(&c->idle, 1);
        pthread_cond_signal(&c->cv);
        pthread_mutex_unlock(&c->mu);
    }
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(double *v, size_t n, double p) {
    if (n == 0) return 0;
    qsort(v, n, sizeof *v, cmp_double);
    size_t i = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

static copilot_client *start(const char *cli) {
    char opts[4096];
    snprintf(opts, sizeof opts, "{\"cli_path\":\"%s\",\"request_timeout_ms\":600000}", cli);
    copilot_client *client = NULL;
    copilot_result r = copilot_client_start(opts, &client);
    if (r != COPILOT_RESULT_OK) die("copilot_client_start", r);
    return client;
}

int main(int argc, char **argv) {
    const char *mode = arg(argc, argv, "--mode", "throughput");
    const char *cli = arg(argc, argv, "--cli", NULL);
    const char *delivery = arg(argc, argv, "--delivery", "callback");
    int count = atoi(arg(argc, argv, "--count", "1000"));
    if (!cli) {
        fprintf(stderr, "--cli PATH required\n");
        return 2;
    }
    if (strcmp(mode, "sessions") == 0) {
        long before = rss_kib();
        copilot_client *client = start(cli);
        copilot_session **s = calloc((size_t)count, sizeof *s);
        for (int i = 0; i < count; i++) {
            copilot_result r = copilot_client_create_session(client, "{\"permission\":\"approve-all\"}", NULL, &s[i]);
            if (r != COPILOT_RESULT_OK) die("create_session", r);
            char *ev = NULL; /* starts the poll subscription, as a polling host would */
            copilot_session_next_event(s[i], 0, &ev);
            copilot_string_free(ev);
        }
        struct timespec ts = {0, 200000000};
        nanosleep(&ts, NULL);
        printf("BENCH_RESULT {\"sessions\":%d,\"rss_kib\":%ld,\"rss_before_kib\":%ld}\n", count, rss_kib(), before);
        fflush(stdout);
        copilot_client_stop(client);
        for (int i = 0; i < count; i++) copilot_session_free(s[i]);
        free(s);
        copilot_client_free(client);
        return 0;
    }
    int latency = strcmp(mode, "latency") == 0;
    struct counter c = {.latency = latency, .lat_cap = 2000000};
    if (latency) c.lat_us = malloc(c.lat_cap * sizeof(double));
    pthread_mutex_init(&c.mu, NULL);
    pthread_cond_init(&c.cv, NULL);
    copilot_client *client = start(cli);
    copilot_session *session = NULL;
    copilot_result r = copilot_client_create_session(client, "{\"permission\":\"approve-all\"}", NULL, &session);
    if (r != COPILOT_RESULT_OK) die("create_session", r);
    int poll = strcmp(delivery, "poll") == 0;
    if (!poll) {
        r = copilot_session_set_event_callback(session, callback, &c, NULL);
        if (r != COPILOT_RESULT_OK) die("set_event_callback", r);
    } else {
        char *ev = NULL;
        copilot_session_next_event(session, 0, &ev); /* subscribe before sending */
        if (ev) on_event_json(&c, ev);
        copilot_string_free(ev);
    }
    double cpu0 = cpu_s(), t0 = now_s();
    r = copilot_session_send(session, "\"go\"", NULL);
    if (r != COPILOT_RESULT_OK) die("send", r);
    if (poll) {
        for (;;) {
            char *ev = NULL;
            r = copilot_session_next_event(session, 60000, &ev);
            if (r != COPILOT_RESULT_OK) die("next_event", r);
            int idle = on_event_json(&c, ev);
            copilot_string_free(ev);
            if (idle) break;
        }
    } else {
        pthread_mutex_lock(&c.mu);
        while (!atomic_load(&c.idle)) pthread_cond_wait(&c.cv, &c.mu);
        pthread_mutex_unlock(&c.mu);
    }
    double wall = now_s() - t0, cpu = cpu_s() - cpu0;
    unsigned long n = atomic_load(&c.deltas);
    printf("BENCH_RESULT {\"events\":%lu,\"wall_s\":%.6f,\"cpu_s\":%.4f,\"events_per_s\":%.1f", n, wall, cpu, (double)n / wall);
    if (latency) {
        size_t ln = atomic_load(&c.lat_n);
        if (ln > c.lat_cap) ln = c.lat_cap;
        double p50 = pct(c.lat_us, ln, 50), p99 = pct(c.lat_us, ln, 99);
        printf(",\"p50_us\":%.1f,\"p99_us\":%.1f", p50, p99);
    }
    printf("}\n");
    fflush(stdout);
    copilot_session_set_event_callback(session, NULL, NULL, NULL);
    copilot_client_stop(client);
    copilot_session_free(session);
    copilot_client_free(client);
    free(c.lat_us);
    return 0;
}
