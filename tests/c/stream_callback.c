/* SPDX-License-Identifier: MIT
 * A streamed reply delivered to a registered event callback, on a library thread; blocking
 * calls made from inside the callback (send-and-wait, list sessions, unregistering itself)
 * must not deadlock; destroy callbacks run exactly once. */
#include "test_common.h"

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t main_thread;
    copilot_client *client;
    copilot_session *session;
    test_buf deltas;
    int n_deltas;
    int idles;
    int on_main_thread;
    int nested_rc;
    char *nested_reply;
    int nested_list_rc;
    int unregistered_rc;
    int destroyed;
    int events_after_unregister;
} state;

static void lock(state *s) { pthread_mutex_lock(&s->mu); }
static void unlock(state *s) {
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

static void on_destroy(void *user_data) {
    state *s = user_data;
    lock(s);
    s->destroyed++;
    unlock(s);
}

static void on_event(void *user_data, const char *event_json) {
    state *s = user_data;
    lock(s);
    if (pthread_equal(pthread_self(), s->main_thread)) {
        s->on_main_thread = 1;
    }
    if (s->unregistered_rc != -1) {
        s->events_after_unregister++;
    }
    if (event_is(event_json, "assistant.message_delta")) {
        char *d = json_string(event_json, "deltaContent");
        test_buf_append(&s->deltas, d);
        free(d);
        s->n_deltas++;
    }
    int idle = event_is(event_json, "session.idle");
    int turn = idle ? ++s->idles : 0;
    unlock(s);

    if (turn == 1) {
        /* Blocking calls from inside the callback, on the callback's own thread. While this
         * waits, the events of the nested turn queue up for this callback. */
        char *reply = NULL;
        int rc = copilot_session_send_and_wait(s->session, "\"second turn\"", 60000, &reply);
        char *list = NULL;
        int list_rc = copilot_client_list_sessions(s->client, &list);
        copilot_string_free(list);
        lock(s);
        s->nested_rc = rc;
        s->nested_reply = reply;
        s->nested_list_rc = list_rc;
        unlock(s);
    } else if (turn == 2) {
        /* Unregistering from inside the callback must not wait for itself. */
        int rc = copilot_session_set_event_callback(s->session, NULL, NULL, NULL);
        lock(s);
        s->unregistered_rc = rc;
        unlock(s);
    }
}

/* Waits (bounded) until pred(s) holds. */
static int wait_for(state *s, int (*pred)(state *), int seconds) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += seconds;
    lock(s);
    int ok = 1;
    while (!pred(s)) {
        if (pthread_cond_timedwait(&s->cv, &s->mu, &deadline) != 0) {
            ok = pred(s);
            break;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return ok;
}

static int unregistered_and_destroyed(state *s) { return s->unregistered_rc != -1 && s->destroyed > 0; }

static int count_destroy = 0;
static void counting_destroy(void *user_data) {
    (void)user_data;
    __atomic_add_fetch(&count_destroy, 1, __ATOMIC_SEQ_CST);
}
static void ignore_event(void *user_data, const char *event_json) {
    (void)user_data;
    (void)event_json;
}

int main(void) {
    state s;
    memset(&s, 0, sizeof s);
    pthread_mutex_init(&s.mu, NULL);
    pthread_cond_init(&s.cv, NULL);
    s.main_thread = pthread_self();
    s.unregistered_rc = -1;
    s.nested_rc = -1;

    s.client = test_start_client();
    char *config = test_session_config("\"streaming\":true");
    CHECK(copilot_client_create_session(s.client, config, NULL, &s.session));
    free(config);

    /* Replacing a callback from another thread: the old one's destroy has run on return. */
    CHECK(copilot_session_set_event_callback(s.session, ignore_event, NULL, counting_destroy));
    CHECK(copilot_session_set_event_callback(s.session, ignore_event, NULL, counting_destroy));
    EXPECT(__atomic_load_n(&count_destroy, __ATOMIC_SEQ_CST) == 1, "first destroy ran on replace");
    CHECK(copilot_session_set_event_callback(s.session, NULL, NULL, NULL));
    EXPECT(__atomic_load_n(&count_destroy, __ATOMIC_SEQ_CST) == 2, "second destroy ran on unregister");

    CHECK(copilot_session_set_event_callback(s.session, on_event, &s, on_destroy));
    CHECK(copilot_session_send(s.session, "\"please greet me\"", NULL));

    EXPECT(wait_for(&s, unregistered_and_destroyed, 120), "the callback ran both turns and unregistered itself "
           "(idles=%d nested_rc=%d unregistered_rc=%d destroyed=%d)", s.idles, s.nested_rc, s.unregistered_rc,
           s.destroyed);
    lock(&s);
    EXPECT(!s.on_main_thread, "callbacks run on a library thread");
    EXPECT(s.n_deltas >= 2, "deltas: %d", s.n_deltas);
    EXPECT(strncmp(s.deltas.data, "Hello from the stand-in model!", 30) == 0, "deltas: %s", s.deltas.data);
    EXPECT(s.nested_rc == COPILOT_RESULT_OK, "nested send_and_wait: %s", copilot_result_name((uint32_t)s.nested_rc));
    EXPECT(s.nested_reply && strstr(s.nested_reply, "second answer"), "nested reply: %s",
           s.nested_reply ? s.nested_reply : "(none)");
    EXPECT(s.nested_list_rc == COPILOT_RESULT_OK, "nested list_sessions");
    EXPECT(s.unregistered_rc == COPILOT_RESULT_OK, "unregister from inside the callback");
    /* The deltas of the nested turn reached the callback after the nested call returned. */
    EXPECT(strstr(s.deltas.data, "second answer") != NULL, "deltas: %s", s.deltas.data);
    EXPECT(s.destroyed == 1, "destroy ran once: %d", s.destroyed);
    pthread_mutex_unlock(&s.mu);

    /* No callback after unregistering, even with more traffic. */
    int before = s.events_after_unregister;
    CHECK(copilot_session_send_and_wait(s.session, "\"third turn\"", 60000, NULL));
    test_sleep_ms(200);
    lock(&s);
    EXPECT(s.events_after_unregister == before, "no events after unregistering");
    unlock(&s);

    /* A callback left registered ends (and is destroyed) when the client stops. */
    CHECK(copilot_session_set_event_callback(s.session, ignore_event, NULL, counting_destroy));
    CHECK(copilot_client_stop(s.client));
    for (int i = 0; i < 100 && __atomic_load_n(&count_destroy, __ATOMIC_SEQ_CST) < 3; i++) {
        test_sleep_ms(50);
    }
    EXPECT(__atomic_load_n(&count_destroy, __ATOMIC_SEQ_CST) == 3, "destroy after stop");

    copilot_string_free(s.nested_reply);
    test_buf_free(&s.deltas);
    CHECK(copilot_session_free(s.session));
    CHECK(copilot_client_free(s.client));
    pthread_mutex_destroy(&s.mu);
    pthread_cond_destroy(&s.cv);
    printf("stream_callback: ok\n");
    return 0;
}
