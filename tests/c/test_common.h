/* SPDX-License-Identifier: MIT
 *
 * Helpers shared by the C tests of the copilot_core C ABI. bindings/c/test.sh runs every
 * test against the real Copilot CLI and our stand-in for GitHub's services, passing:
 *   COPILOT_TEST_OPTIONS  client options JSON (CLI path, hermetic env, stand-in URLs, token)
 *   COPILOT_TEST_WORKDIR  an empty working directory for sessions
 *   COPILOT_STANDIN_URL   the stand-in's base URL
 */
#ifndef COPILOT_TEST_COMMON_H
#define COPILOT_TEST_COMMON_H

#define _POSIX_C_SOURCE 200809L

#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "copilot_core.h"

/* Fails the test when a call does not return COPILOT_RESULT_OK. */
#define CHECK(call)                                                                          \
    do {                                                                                     \
        copilot_result check_rc_ = (call);                                                   \
        if (check_rc_ != COPILOT_RESULT_OK) {                                                \
            fprintf(stderr, "%s:%d: %s -> %s: %s\n", __FILE__, __LINE__, #call,              \
                    copilot_result_name(check_rc_), copilot_last_error_message());           \
            exit(1);                                                                         \
        }                                                                                    \
    } while (0)

/* Fails the test when a call does not return the expected code. */
#define EXPECT_RC(expected, call)                                                            \
    do {                                                                                     \
        copilot_result expect_rc_ = (call);                                                  \
        if (expect_rc_ != (expected)) {                                                      \
            fprintf(stderr, "%s:%d: %s -> %s, expected %s (%s)\n", __FILE__, __LINE__, #call, \
                    copilot_result_name(expect_rc_), copilot_result_name(expected),          \
                    copilot_last_error_message());                                           \
            exit(1);                                                                         \
        }                                                                                    \
    } while (0)

#define EXPECT(cond, ...)                                                                    \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            fprintf(stderr, "%s:%d: expectation failed: %s: ", __FILE__, __LINE__, #cond);   \
            fprintf(stderr, __VA_ARGS__);                                                    \
            fprintf(stderr, "\n");                                                           \
            exit(1);                                                                         \
        }                                                                                    \
    } while (0)

static inline const char *test_env(const char *name) {
    const char *v = getenv(name);
    if (v == NULL || *v == '\0') {
        fprintf(stderr, "missing environment variable %s (run the tests with bindings/c/test.sh)\n", name);
        exit(2);
    }
    return v;
}

/* The options JSON for copilot_client_start. */
static inline const char *test_options(void) { return test_env("COPILOT_TEST_OPTIONS"); }

static inline const char *test_workdir(void) { return test_env("COPILOT_TEST_WORKDIR"); }

/* A heap string formatted like printf (free with free()). */
static inline char *test_format(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *buf = malloc((size_t)n + 1);
    if (buf == NULL) {
        exit(3);
    }
    va_start(ap, fmt);
    vsnprintf(buf, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return buf;
}

/* A session config JSON with the test working directory and extra members (may be ""). */
static inline char *test_session_config(const char *extra_members) {
    return test_format("{\"working_directory\":\"%s\"%s%s}", test_workdir(),
                       (extra_members && *extra_members) ? "," : "", extra_members ? extra_members : "");
}

/* The first string value of "key" in compact JSON (as the library produces it), unescaped
 * for the simple escapes. Returns a heap string (free with free()) or NULL. Good enough for
 * test assertions; not a JSON parser. */
static inline char *json_string(const char *json, const char *key) {
    char *pattern = test_format("\"%s\":\"", key);
    const char *p = strstr(json, pattern);
    size_t plen = strlen(pattern);
    free(pattern);
    if (p == NULL) {
        return NULL;
    }
    p += plen;
    char *out = malloc(strlen(p) + 1);
    size_t n = 0;
    for (; *p && *p != '"'; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            switch (*p) {
            case 'n': out[n++] = '\n'; break;
            case 't': out[n++] = '\t'; break;
            default: out[n++] = *p; break;
            }
        } else {
            out[n++] = *p;
        }
    }
    out[n] = '\0';
    return out;
}

/* True when the event's (top-level) type is `type`. The library writes the envelope's
 * "type" before "data", so the first "type" key is the event type. */
static inline int event_is(const char *event_json, const char *type) {
    char *t = json_string(event_json, "type");
    int same = t != NULL && strcmp(t, type) == 0;
    free(t);
    return same;
}

static inline void test_sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* A growable string buffer (for collecting deltas and event types). */
typedef struct {
    char *data;
    size_t len;
    size_t cap;
} test_buf;

static inline void test_buf_append(test_buf *b, const char *s) {
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n + 1) {
            cap *= 2;
        }
        b->data = realloc(b->data, cap);
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n + 1);
    b->len += n;
}

static inline void test_buf_free(test_buf *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* Milliseconds on the monotonic clock. */
static inline long long test_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* GET `path` from the stand-in (COPILOT_STANDIN_URL, "http://127.0.0.1:PORT"); returns the
 * response body as a heap string (free with free()). Fails the test on any error. */
static inline char *standin_get(const char *path) {
    const char *url = test_env("COPILOT_STANDIN_URL");
    const char *hostport = strstr(url, "://");
    hostport = hostport ? hostport + 3 : url;
    const char *colon = strrchr(hostport, ':');
    EXPECT(colon != NULL, "stand-in URL %s has a port", url);
    char host[64];
    snprintf(host, sizeof host, "%.*s", (int)(colon - hostport), hostport);
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    EXPECT(getaddrinfo(host, colon + 1, &hints, &ai) == 0 && ai != NULL, "resolve %s", url);
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    EXPECT(fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0, "connect to %s", url);
    freeaddrinfo(ai);
    char *req = test_format("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, host);
    EXPECT(write(fd, req, strlen(req)) == (ssize_t)strlen(req), "send the request");
    free(req);
    test_buf b = {0};
    test_buf_append(&b, "");
    char chunk[4096];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk - 1)) > 0) {
        chunk[n] = '\0';
        test_buf_append(&b, chunk);
    }
    close(fd);
    char *body = strstr(b.data, "\r\n\r\n");
    EXPECT(body != NULL && strncmp(b.data, "HTTP/1.", 7) == 0 && strstr(b.data, " 200 ") != NULL, "response: %.200s",
           b.data);
    char *out = strdup(body + 4);
    test_buf_free(&b);
    return out;
}

/* The "tools" member of a session config declaring get_weather(city), the tool the stand-in's
 * scenario calls for prompts containing "weather"; skip: true or false (skip_permission). */
#define WEATHER_TOOL(skip)                                                                       \
    "\"tools\":[{\"name\":\"get_weather\",\"description\":\"Current weather for a city\","       \
    "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"       \
    "\"required\":[\"city\"]},\"skip_permission\":" skip "}]"

/* Sends a prompt and waits for the turn; returns the reply's text, the "content" of the last
 * assistant.message (free with free()). Fails the test on an error or a turn without reply. */
static inline char *test_reply(copilot_session *session, const char *message_json, int64_t timeout_ms) {
    char *msg = NULL;
    CHECK(copilot_session_send_and_wait(session, message_json, timeout_ms, &msg));
    EXPECT(msg != NULL, "an assistant message for %s", message_json);
    char *content = json_string(msg, "content");
    EXPECT(content != NULL, "content in %s", msg);
    copilot_string_free(msg);
    return content;
}

/* Starts a client with the test options, failing the test on error. */
static inline copilot_client *test_start_client(void) {
    copilot_client *client = NULL;
    CHECK(copilot_client_start(test_options(), &client));
    EXPECT(client != NULL, "client handle");
    return client;
}

#endif /* COPILOT_TEST_COMMON_H */
