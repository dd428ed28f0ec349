/* SPDX-License-Identifier: MIT
 * Asynchronous operations: completion callbacks run once on a library thread (and may make
 * blocking calls), errors arrive through the callback, cancellation, argument errors are
 * reported synchronously without a completion. */
#include "test_common.h"

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t main_thread;
    copilot_client *client;
    int calls;
    int on_main_thread;
    copilot_result rc;
    char *value;
    char *error;
    int nested_rc;
} completion;

static void on_complete(void *user_data, copilot_result rc, const char *value_json, const char *error_message) {
    completion *c = user_data;
    /* A blocking call from inside the completion. */
    char *status = NULL;
    int nested = copilot_client_call(c->client, "status.get", NULL, &status);
    copilot_string_free(status);
    pthread_mutex_lock(&c->mu);
    c->calls++;
    c->on_main_thread |= pthread_equal(pthread_self(), c->main_thread);
    c->rc = rc;
    c->value = value_json ? strdup(value_json) : NULL;
    c->error = strdup(error_message);
    c->nested_rc = nested;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

static void init(completion *c, copilot_client *client) {
    memset(c, 0, sizeof *c);
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    c->main_thread = pthread_self();
    c->client = client;
    c->rc = (copilot_result)-1;
}

static void wait_done(completion *c) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 120;
    pthread_mutex_lock(&c->mu);
    while (c->calls == 0) {
        EXPECT(pthread_cond_timedwait(&c->cv, &c->mu, &deadline) == 0, "the completion arrives");
    }
    pthread_mutex_unlock(&c->mu);
    test_sleep_ms(100); /* a second completion would show up here */
    pthread_mutex_lock(&c->mu);
    EXPECT(c->calls == 1, "exactly one completion: %d", c->calls);
    EXPECT(!c->on_main_thread, "completion on a library thread");
    EXPECT(c->nested_rc == COPILOT_RESULT_OK, "nested blocking call in the completion: %d", c->nested_rc);
    pthread_mutex_unlock(&c->mu);
}

static void done(completion *c) {
    free(c->value);
    free(c->error);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv);
}

int main(void) {
    copilot_client *client = test_start_client();
    char *config = test_session_config("\"streaming\":true"); /* the stand-in delays chunks only when streaming */
    copilot_session *s = NULL;
    CHECK(copilot_client_create_session(client, config, NULL, &s));
    free(config);

    completion c;
    init(&c, client);
    uint64_t op = 0;
    CHECK(copilot_session_send_and_wait_async(s, "\"first turn\"", 60000, on_complete, &c, &op));
    EXPECT(op != 0, "an operation id");
    wait_done(&c);
    EXPECT(c.rc == COPILOT_RESULT_OK, "%s: %s", copilot_result_name(c.rc), c.error);
    EXPECT(c.value && strstr(c.value, "first answer"), "value: %s", c.value ? c.value : "(null)");
    EXPECT(strcmp(c.error, "") == 0, "no error message on success");
    EXPECT_RC(COPILOT_RESULT_INVALID_ARGUMENT, copilot_operation_cancel(op)); /* finished */
    done(&c);

    init(&c, client);
    CHECK(copilot_client_call_async(client, "status.get", NULL, on_complete, &c, NULL));
    wait_done(&c);
    EXPECT(c.rc == COPILOT_RESULT_OK && strstr(c.value, "\"protocolVersion\":3"), "%s", c.value);
    done(&c);

    init(&c, client);
    CHECK(copilot_client_call_async(client, "no.such.method", "{}", on_complete, &c, NULL));
    wait_done(&c);
    EXPECT(c.rc == COPILOT_RESULT_RPC, "%s", copilot_result_name(c.rc));
    EXPECT(c.value == NULL && strlen(c.error) > 0, "error: %s", c.error);
    done(&c);

    /* Cancel a turn that is still running; the completion reports the cancellation. */
    init(&c, client);
    CHECK(copilot_session_send_and_wait_async(s, "\"slow turn\"", -1, on_complete, &c, &op));
    test_sleep_ms(300);
    copilot_result cancel_rc = copilot_operation_cancel(op);
    pthread_mutex_lock(&c.mu);
    EXPECT(cancel_rc == COPILOT_RESULT_OK, "cancel: %s (completion so far: %d %s %s)", copilot_result_name(cancel_rc),
           c.calls, copilot_result_name(c.rc), c.error ? c.error : "");
    pthread_mutex_unlock(&c.mu);
    wait_done(&c);
    EXPECT(c.rc == COPILOT_RESULT_CANCELLED, "%s", copilot_result_name(c.rc));
    done(&c);
    CHECK(copilot_session_abort(s));

    /* Argument errors are synchronous: no operation, no completion. */
    init(&c, client);
    EXPECT_RC(COPILOT_RESULT_NULL_PARAMETER, copilot_session_send_and_wait_async(s, "\"x\"", 0, NULL, &c, &op));
    EXPECT_RC(COPILOT_RESULT_INVALID_JSON, copilot_session_send_and_wait_async(s, "{", 0, on_complete, &c, &op));
    EXPECT_RC(COPILOT_RESULT_WRONG_HANDLE_TYPE,
              copilot_client_call_async((copilot_client *)s, "ping", NULL, on_complete, &c, NULL));
    EXPECT_RC(COPILOT_RESULT_INVALID_ARGUMENT, copilot_operation_cancel(0));
    test_sleep_ms(200);
    EXPECT(c.calls == 0, "no completion for rejected calls");
    done(&c);

    CHECK(copilot_session_free(s));
    CHECK(copilot_client_free(client));
    printf("async_ops: ok\n");
    return 0;
}
