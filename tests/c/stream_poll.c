/* SPDX-License-Identifier: MIT
 * A streamed reply read by polling (copilot_session_next_event), then send-and-wait, a
 * scripted model error, and the closed stream after disconnect. */
#include "test_common.h"

/* An event callback registered next to the poller: both see every event. */
static int callback_deltas = 0;
static int callback_idle = 0;
static void count_events(void *user_data, const char *event_json) {
    (void)user_data;
    if (event_is(event_json, "assistant.message_delta")) {
        __atomic_add_fetch(&callback_deltas, 1, __ATOMIC_SEQ_CST);
    } else if (event_is(event_json, "session.idle")) {
        __atomic_store_n(&callback_idle, 1, __ATOMIC_SEQ_CST);
    }
}

int main(void) {
    EXPECT(strcmp(copilot_version(), COPILOT_CORE_VERSION) == 0, "library %s vs header %s", copilot_version(),
           COPILOT_CORE_VERSION);
    copilot_client *client = test_start_client();

    char *info = NULL;
    CHECK(copilot_client_info(client, &info));
    EXPECT(strstr(info, "\"protocolVersion\":3") != NULL, "%s", info);
    copilot_string_free(info);

    char *config = test_session_config("\"streaming\":true");
    copilot_session *session = NULL;
    CHECK(copilot_client_create_session(client, config, NULL, &session));
    free(config);

    /* The poll subscription starts with the first next_event call. Made before the callback is
     * registered and before the first prompt, it also gets the events sent during create. */
    char *first = NULL;
    CHECK(copilot_session_next_event(session, 10000, &first));
    EXPECT(event_is(first, "session.start"), "the first event: %s", first);
    copilot_string_free(first);
    CHECK(copilot_session_set_event_callback(session, count_events, NULL, NULL));
    char *message_id = NULL;
    CHECK(copilot_session_send(session, "\"please greet me\"", &message_id));
    EXPECT(message_id != NULL && *message_id, "a message id");
    copilot_string_free(message_id);

    test_buf deltas = {0}, types = {0};
    int n_deltas = 0, saw_message = 0, order_ok = 1;
    char *final = NULL;
    for (;;) {
        char *ev = NULL;
        copilot_result rc = copilot_session_next_event(session, 60000, &ev);
        EXPECT(rc == COPILOT_RESULT_OK, "next_event: %s %s", copilot_result_name(rc), copilot_last_error_message());
        char *type = json_string(ev, "type");
        test_buf_append(&types, type);
        test_buf_append(&types, " ");
        if (strcmp(type, "assistant.message_delta") == 0) {
            char *d = json_string(ev, "deltaContent");
            test_buf_append(&deltas, d);
            free(d);
            n_deltas++;
            if (saw_message) {
                order_ok = 0;
            }
        } else if (strcmp(type, "assistant.message") == 0) {
            saw_message = 1;
            final = json_string(ev, "content");
        }
        int idle = strcmp(type, "session.idle") == 0;
        free(type);
        copilot_string_free(ev);
        if (idle) {
            break;
        }
    }
    EXPECT(n_deltas >= 2, "deltas: %s", types.data);
    EXPECT(order_ok && saw_message, "deltas before the message: %s", types.data);
    EXPECT(strcmp(deltas.data, "Hello from the stand-in model!") == 0, "deltas joined: %s", deltas.data);
    EXPECT(final && strcmp(final, "Hello from the stand-in model!") == 0, "message: %s", final ? final : "(none)");
    free(final);
    for (int i = 0; i < 100 && !__atomic_load_n(&callback_idle, __ATOMIC_SEQ_CST); i++) {
        test_sleep_ms(50);
    }
    EXPECT(__atomic_load_n(&callback_deltas, __ATOMIC_SEQ_CST) == n_deltas, "the callback saw %d deltas, the poller %d",
           __atomic_load_n(&callback_deltas, __ATOMIC_SEQ_CST), n_deltas);
    CHECK(copilot_session_set_event_callback(session, NULL, NULL, NULL));
    test_buf_free(&deltas);
    test_buf_free(&types);

    /* Nothing is queued any more: a zero timeout returns at once, a short one times out. */
    char *none = NULL;
    copilot_result rc = copilot_session_next_event(session, 0, &none);
    while (rc == COPILOT_RESULT_OK) { /* late ephemeral events may still trickle in */
        copilot_string_free(none);
        rc = copilot_session_next_event(session, 0, &none);
    }
    EXPECT_RC(COPILOT_RESULT_TIMEOUT, rc);
    EXPECT(none == NULL, "no event on timeout");

    /* send-and-wait returns the assistant message. */
    char *content = test_reply(session, "{\"prompt\":\"first turn\"}", 60000);
    EXPECT(strcmp(content, "first answer") == 0, "reply: %s", content);
    free(content);

    /* A scripted model failure is a session error with a message. */
    char *msg = NULL;
    EXPECT_RC(COPILOT_RESULT_SESSION_ERROR, copilot_session_send_and_wait(session, "\"break it\"", 60000, &msg));
    EXPECT(msg == NULL, "no message on failure");
    EXPECT(strstr(copilot_last_error_message(), "400") || strstr(copilot_last_error_message(), "scripted"), "%s",
           copilot_last_error_message());
    /* ...and the session stays usable. */
    CHECK(copilot_session_send_and_wait(session, "\"second turn\"", 60000, NULL));

    /* A turn longer than the bound times out. */
    EXPECT_RC(COPILOT_RESULT_TIMEOUT, copilot_session_send_and_wait(session, "\"slow turn\"", 500, NULL));
    CHECK(copilot_session_abort(session));

    /* After disconnect the poll drains and then reports the closed stream. */
    CHECK(copilot_session_disconnect(session));
    char *ev = NULL;
    while ((rc = copilot_session_next_event(session, 5000, &ev)) == COPILOT_RESULT_OK) {
        copilot_string_free(ev);
    }
    EXPECT_RC(COPILOT_RESULT_EVENT_STREAM_CLOSED, rc);
    EXPECT_RC(COPILOT_RESULT_SESSION_CLOSED, copilot_session_send(session, "\"again\"", NULL));

    CHECK(copilot_session_free(session));
    CHECK(copilot_client_stop(client));
    CHECK(copilot_client_free(client));
    printf("stream_poll: ok\n");
    return 0;
}
