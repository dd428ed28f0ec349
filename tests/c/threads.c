/* SPDX-License-Identifier: MIT
 * One client used from several threads at once: each thread creates a session and runs
 * turns while other threads poll one shared session and query the client. */
#include "test_common.h"

#define WORKERS 4

static copilot_client *client;
static copilot_session *shared;
static char *config;

static void *worker(void *arg) {
    long i = (long)arg;
    copilot_session *s = NULL;
    CHECK(copilot_client_create_session(client, config, NULL, &s));
    for (int turn = 0; turn < 2; turn++) {
        char *msg = NULL;
        CHECK(copilot_session_send_and_wait(s, turn ? "\"second turn\"" : "\"first turn\"", 90000, &msg));
        EXPECT(strstr(msg, turn ? "second answer" : "first answer") != NULL, "worker %ld: %s", i, msg);
        copilot_string_free(msg);
        char *models = NULL;
        CHECK(copilot_client_list_models(client, &models));
        copilot_string_free(models);
    }
    CHECK(copilot_session_disconnect(s));
    CHECK(copilot_session_free(s));
    return NULL;
}

static int polled_idle = 0;
static void *poller(void *arg) {
    (void)arg;
    for (;;) {
        char *ev = NULL;
        copilot_result rc = copilot_session_next_event(shared, 90000, &ev);
        if (rc != COPILOT_RESULT_OK) {
            /* The handle is freed by main once the turn is done. */
            EXPECT(rc == COPILOT_RESULT_INVALID_HANDLE || rc == COPILOT_RESULT_EVENT_STREAM_CLOSED, "%s",
                   copilot_result_name(rc));
            return NULL;
        }
        if (event_is(ev, "session.idle")) {
            __atomic_store_n(&polled_idle, 1, __ATOMIC_SEQ_CST);
        }
        copilot_string_free(ev);
    }
}

int main(void) {
    CHECK(copilot_runtime_init(0));
    client = test_start_client();
    config = test_session_config("");
    CHECK(copilot_client_create_session(client, config, NULL, &shared));

    pthread_t pollers[2], workers[WORKERS];
    for (long i = 0; i < 2; i++) {
        pthread_create(&pollers[i], NULL, poller, NULL);
    }
    for (long i = 0; i < WORKERS; i++) {
        pthread_create(&workers[i], NULL, worker, (void *)i);
    }
    CHECK(copilot_session_send(shared, "\"third turn\"", NULL));
    for (int i = 0; i < WORKERS; i++) {
        pthread_join(workers[i], NULL);
    }
    for (int i = 0; i < 600 && !__atomic_load_n(&polled_idle, __ATOMIC_SEQ_CST); i++) {
        test_sleep_ms(100);
    }
    EXPECT(__atomic_load_n(&polled_idle, __ATOMIC_SEQ_CST), "a poller saw the shared session's idle");
    /* Freeing the handle wakes the pollers still blocked in next_event. */
    CHECK(copilot_session_free(shared));
    for (int i = 0; i < 2; i++) {
        pthread_join(pollers[i], NULL);
    }
    CHECK(copilot_client_free(client));
    free(config);
    printf("threads: ok\n");
    return 0;
}
