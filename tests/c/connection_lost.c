/* SPDX-License-Identifier: MIT
 * The CLI is killed (SIGKILL): mid-turn, while a C tool runs, and while a C permission
 * callback runs. Each time the pending blocking call returns COPILOT_RESULT_CONNECTION_LOST
 * within 1 s of the kill, the poller and the event callback get their final signal, later
 * calls fail with a code, and stop reaps the process (no zombie). */
#include "test_common.h" /* first: it selects the POSIX feature level */

#include <signal.h>

/* How long a pending call may take to fail after the kill. 1 s is the requirement; under
 * valgrind (COPILOT_TEST_SLOW=1) the library runs ~30x slower, so only memory errors count. */
static long long bound_ms(void) {
    const char *slow = getenv("COPILOT_TEST_SLOW");
    return (slow && *slow == '1') ? 5000 : 1000;
}

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int pid;
    long long killed_at; /* monotonic ms; 0 = not yet */
    int deltas;
    int callback_destroyed;
    long long callback_destroyed_at;
    copilot_result poll_rc;
    long long poll_done_at;
    copilot_session *session;
} fault;

static fault f;

static int cli_pid(copilot_client *client) {
    char *info = NULL;
    CHECK(copilot_client_info(client, &info));
    const char *p = strstr(info, "\"cliPid\":");
    EXPECT(p != NULL, "cliPid in %s", info);
    int pid = atoi(p + strlen("\"cliPid\":"));
    copilot_string_free(info);
    EXPECT(pid > 0, "a CLI pid");
    return pid;
}

static void kill_cli(void) {
    pthread_mutex_lock(&f.mu);
    if (f.killed_at == 0) {
        EXPECT(kill(f.pid, SIGKILL) == 0, "kill %d", f.pid);
        f.killed_at = test_now_ms();
    }
    pthread_cond_broadcast(&f.cv);
    pthread_mutex_unlock(&f.mu);
}

/* The process is gone and reaped: no /proc entry, or at least not a zombie. */
static int reaped(int pid) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        return 1;
    }
    char buf[512] = {0};
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    const char *rp = n ? strrchr(buf, ')') : NULL;
    return rp == NULL || (rp[1] == ' ' && rp[2] != 'Z');
}

static void on_event(void *user_data, const char *event_json) {
    (void)user_data;
    if (event_is(event_json, "assistant.message_delta")) {
        pthread_mutex_lock(&f.mu);
        int n = ++f.deltas;
        pthread_mutex_unlock(&f.mu);
        if (n == 1) {
            kill_cli(); /* mid-turn: the first delta of a slow reply has arrived */
        }
    }
}

static void on_destroy(void *user_data) {
    (void)user_data;
    pthread_mutex_lock(&f.mu);
    f.callback_destroyed++;
    f.callback_destroyed_at = test_now_ms();
    pthread_cond_broadcast(&f.cv);
    pthread_mutex_unlock(&f.mu);
}

/* A second pending call: a poller blocked without a bound. It drains, then sees the end. */
static void *poller(void *arg) {
    (void)arg;
    copilot_result rc;
    char *ev = NULL;
    while ((rc = copilot_session_next_event(f.session, -1, &ev)) == COPILOT_RESULT_OK) {
        copilot_string_free(ev);
    }
    pthread_mutex_lock(&f.mu);
    f.poll_rc = rc;
    f.poll_done_at = test_now_ms();
    pthread_cond_broadcast(&f.cv);
    pthread_mutex_unlock(&f.mu);
    return NULL;
}

static char *killing_tool(void *user_data, const char *invocation_json) {
    (void)user_data;
    (void)invocation_json;
    kill_cli();
    test_sleep_ms(200); /* the handler is still running when the connection drops */
    return "sunny";     /* answered into a dead connection: dropped, never a crash */
}

static char *killing_permission(void *user_data, const char *request_json) {
    (void)user_data;
    (void)request_json;
    kill_cli();
    test_sleep_ms(200);
    return "approve-once";
}

static void reset(copilot_client *client) {
    f.pid = cli_pid(client);
    f.killed_at = 0;
    f.deltas = 0;
    f.callback_destroyed = 0;
    f.poll_rc = (copilot_result)-1;
}

/* Runs a turn that the kill interrupts; checks the blocking call's code and latency. */
static void expect_lost_turn(copilot_session *s, const char *prompt, const char *what) {
    copilot_result rc = copilot_session_send_and_wait(s, prompt, 60000, NULL);
    long long returned = test_now_ms();
    pthread_mutex_lock(&f.mu);
    long long killed = f.killed_at;
    pthread_mutex_unlock(&f.mu);
    EXPECT(killed != 0, "%s: the CLI was killed during the turn (rc %s: %s)", what, copilot_result_name(rc),
           copilot_last_error_message());
    EXPECT_RC(COPILOT_RESULT_CONNECTION_LOST, rc);
    printf("connection_lost: %s: send_and_wait failed %lld ms after SIGKILL\n", what, returned - killed);
    EXPECT(returned - killed <= bound_ms(), "%s: %lld ms after the kill (bound %lld)", what, returned - killed,
           bound_ms());
}

static void expect_dead_client(copilot_client *client, copilot_session *s, int pid) {
    char *out = NULL;
    copilot_result rc = copilot_session_send(s, "\"anyone?\"", NULL);
    EXPECT(rc == COPILOT_RESULT_CONNECTION_LOST, "send after the kill: %s", copilot_result_name(rc));
    rc = copilot_client_call(client, "ping", NULL, &out);
    EXPECT(rc == COPILOT_RESULT_CONNECTION_LOST || rc == COPILOT_RESULT_CLIENT_STOPPED, "call after the kill: %s",
           copilot_result_name(rc));
    EXPECT(out == NULL, "no result");
    long long t0 = test_now_ms();
    rc = copilot_client_stop(client);
    EXPECT(rc == COPILOT_RESULT_OK || rc == COPILOT_RESULT_CONNECTION_LOST, "stop after the kill: %s: %s",
           copilot_result_name(rc), copilot_last_error_message());
    EXPECT(test_now_ms() - t0 < 10000, "stop is bounded");
    int ok = 0;
    for (int i = 0; i < 50 && !(ok = reaped(pid)); i++) {
        test_sleep_ms(100);
    }
    EXPECT(ok, "the killed CLI %d was reaped (no zombie)", pid);
    CHECK(copilot_session_free(s));
    CHECK(copilot_client_free(client));
}

int main(void) {
    pthread_mutex_init(&f.mu, NULL);
    pthread_cond_init(&f.cv, NULL);

    /* 1. Mid-turn, with a poller and an event callback also waiting. */
    copilot_client *client = test_start_client();
    reset(client);
    char *config = test_session_config("\"streaming\":true");
    CHECK(copilot_client_create_session(client, config, NULL, &f.session));
    free(config);
    CHECK(copilot_session_set_event_callback(f.session, on_event, NULL, on_destroy));
    pthread_t t;
    pthread_create(&t, NULL, poller, NULL);
    expect_lost_turn(f.session, "\"slow turn\"", "mid-turn");
    pthread_join(t, NULL);
    pthread_mutex_lock(&f.mu);
    EXPECT(f.poll_rc == COPILOT_RESULT_EVENT_STREAM_CLOSED, "the poller's final signal: %s",
           copilot_result_name(f.poll_rc));
    printf("connection_lost: poller closed %lld ms after SIGKILL\n", f.poll_done_at - f.killed_at);
    EXPECT(f.poll_done_at - f.killed_at <= bound_ms(), "poller: %lld ms", f.poll_done_at - f.killed_at);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 5;
    while (f.callback_destroyed == 0 && pthread_cond_timedwait(&f.cv, &f.mu, &deadline) == 0) {
    }
    EXPECT(f.callback_destroyed == 1, "the event callback ended (destroy ran once): %d", f.callback_destroyed);
    EXPECT(f.callback_destroyed_at - f.killed_at <= bound_ms(), "callback end: %lld ms",
           f.callback_destroyed_at - f.killed_at);
    pthread_mutex_unlock(&f.mu);
    expect_dead_client(client, f.session, f.pid);

    /* 2. While a C tool handler is running. */
    client = test_start_client();
    reset(client);
    copilot_handlers *h = NULL;
    CHECK(copilot_handlers_new(&h));
    CHECK(copilot_handlers_add_tool(h, "get_weather", killing_tool, NULL, NULL));
    config = test_session_config(WEATHER_TOOL("true"));
    copilot_session *s = NULL;
    CHECK(copilot_client_create_session(client, config, h, &s));
    free(config);
    CHECK(copilot_handlers_free(h));
    expect_lost_turn(s, "\"weather\"", "during a tool call");
    expect_dead_client(client, s, f.pid);

    /* 3. While a C permission callback is running. */
    client = test_start_client();
    reset(client);
    CHECK(copilot_handlers_new(&h));
    CHECK(copilot_handlers_set_permission_callback(h, killing_permission, NULL, NULL));
    config = test_session_config("");
    CHECK(copilot_client_create_session(client, config, h, &s));
    free(config);
    CHECK(copilot_handlers_free(h));
    expect_lost_turn(s, "\"run the shell\"", "during a permission request");
    expect_dead_client(client, s, f.pid);

    pthread_mutex_destroy(&f.mu);
    pthread_cond_destroy(&f.cv);
    printf("connection_lost: ok\n");
    return 0;
}
