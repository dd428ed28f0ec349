/* SPDX-License-Identifier: MIT
 * Permissions: the default denies, the approve-safety preset approves reads and rejects
 * shell commands, a C callback approves (and makes a blocking call from inside), and the
 * approve-all preset selected on the handlers object. */
#include "test_common.h"

typedef struct {
    pthread_mutex_t mu;
    copilot_client *client;
    int calls;
    int nested_rc;
    test_buf kinds;
    char *last_request;
} perm_state;

static char *approve(void *user_data, const char *request_json) {
    perm_state *p = user_data;
    /* A blocking call from inside the permission callback must not deadlock. */
    char *status = NULL;
    int rc = copilot_client_call(p->client, "status.get", NULL, &status);
    copilot_string_free(status);
    char *kind = json_string(request_json, "kind");
    pthread_mutex_lock(&p->mu);
    p->calls++;
    p->nested_rc = rc;
    test_buf_append(&p->kinds, kind ? kind : "?");
    test_buf_append(&p->kinds, " ");
    free(p->last_request);
    p->last_request = strdup(request_json);
    pthread_mutex_unlock(&p->mu);
    free(kind);
    return copilot_string_dup("{\"kind\":\"approve-once\"}");
}

/* Runs one turn and returns the reply text plus the permission outcomes ("approved",
 * "denied-...") seen in permission.completed events, space-separated. */
static char *turn(copilot_session *session, const char *prompt, test_buf *outcomes) {
    CHECK(copilot_session_send(session, prompt, NULL));
    char *content = NULL;
    for (;;) {
        char *ev = NULL;
        copilot_result rc = copilot_session_next_event(session, 90000, &ev);
        EXPECT(rc == COPILOT_RESULT_OK, "%s: %s", copilot_result_name(rc), copilot_last_error_message());
        if (event_is(ev, "permission.completed")) {
            const char *result = strstr(ev, "\"result\":");
            char *kind = result ? json_string(result, "kind") : NULL;
            test_buf_append(outcomes, kind ? kind : "?");
            test_buf_append(outcomes, " ");
            free(kind);
        } else if (event_is(ev, "assistant.message")) {
            free(content);
            content = json_string(ev, "content");
        } else if (event_is(ev, "session.error")) {
            fprintf(stderr, "session.error: %s\n", ev);
        }
        int idle = event_is(ev, "session.idle");
        copilot_string_free(ev);
        if (idle) {
            break;
        }
    }
    EXPECT(content != NULL, "a reply to %s", prompt);
    return content;
}

static copilot_session *session_with(copilot_client *client, const char *extra, copilot_handlers *h) {
    char *config = test_session_config(extra);
    copilot_session *s = NULL;
    CHECK(copilot_client_create_session(client, config, h, &s));
    free(config);
    return s;
}

int main(void) {
    copilot_client *client = test_start_client();
    test_buf out = {0};

    /* 1. Default: deny-all. The shell command is rejected and never runs. */
    copilot_session *s = session_with(client, "", NULL);
    char *reply = turn(s, "\"run the shell\"", &out);
    EXPECT(strcmp(reply, "The shell step did not run.") == 0, "reply: %s (outcomes %s)", reply, out.data);
    EXPECT(out.data && strstr(out.data, "denied") && !strstr(out.data, "approved"), "outcomes: %s", out.data);
    free(reply);
    test_buf_free(&out);
    CHECK(copilot_session_free(s));

    /* 2. approve-safety: a read outside the workspace is approved, the shell is rejected. */
    s = session_with(client, "\"permission\":\"approve-safety\"", NULL);
    reply = turn(s, "\"read the file\"", &out);
    EXPECT(strcmp(reply, "I looked at the file.") == 0, "reply: %s", reply);
    EXPECT(out.data && strstr(out.data, "approved") && !strstr(out.data, "denied"), "read outcomes: %s", out.data);
    free(reply);
    test_buf_free(&out);
    reply = turn(s, "\"run the shell\"", &out);
    EXPECT(strcmp(reply, "The shell step did not run.") == 0, "reply: %s", reply);
    EXPECT(out.data && strstr(out.data, "denied") && !strstr(out.data, "approved"), "shell outcomes: %s", out.data);
    free(reply);
    test_buf_free(&out);
    CHECK(copilot_session_free(s));

    /* 3. A C callback approving; the command really runs. */
    perm_state p;
    memset(&p, 0, sizeof p);
    pthread_mutex_init(&p.mu, NULL);
    p.client = client;
    p.nested_rc = -1;
    copilot_handlers *h = NULL;
    CHECK(copilot_handlers_new(&h));
    CHECK(copilot_handlers_set_permission_callback(h, approve, &p, NULL));
    s = session_with(client, "", h);
    reply = turn(s, "\"run the shell\"", &out);
    EXPECT(strcmp(reply, "The shell printed hi.") == 0, "reply: %s (outcomes %s)", reply, out.data);
    EXPECT(out.data && strstr(out.data, "approved"), "outcomes: %s", out.data);
    free(reply);
    test_buf_free(&out);
    pthread_mutex_lock(&p.mu);
    EXPECT(p.calls >= 1, "the callback was asked");
    EXPECT(strstr(p.kinds.data, "shell") != NULL, "kinds: %s", p.kinds.data);
    EXPECT(strstr(p.last_request, "\"requestId\":\"") != NULL, "request: %s", p.last_request);
    EXPECT(strstr(p.last_request, "hi-from-bash") != NULL, "the request carries the command: %s", p.last_request);
    EXPECT(p.nested_rc == COPILOT_RESULT_OK, "nested call in the permission callback: %d", p.nested_rc);
    pthread_mutex_unlock(&p.mu);
    CHECK(copilot_session_free(s));

    /* 4. The approve-all preset, chosen on the handlers object (replacing the callback). */
    CHECK(copilot_handlers_set_permission_preset(h, "approve-all"));
    EXPECT_RC(COPILOT_RESULT_INVALID_CONFIG, copilot_handlers_set_permission_preset(h, "yolo"));
    s = session_with(client, "", h);
    reply = turn(s, "\"run the shell\"", &out);
    EXPECT(strcmp(reply, "The shell printed hi.") == 0, "reply: %s (outcomes %s)", reply, out.data);
    free(reply);
    test_buf_free(&out);
    CHECK(copilot_session_free(s));
    CHECK(copilot_handlers_free(h));

    /* An unknown preset name in the config JSON is rejected before anything is sent. */
    char *bad = test_session_config("\"permission\":\"yolo\"");
    s = NULL;
    EXPECT_RC(COPILOT_RESULT_INVALID_CONFIG, copilot_client_create_session(client, bad, NULL, &s));
    free(bad);

    CHECK(copilot_client_free(client));
    free(p.last_request);
    test_buf_free(&p.kinds);
    pthread_mutex_destroy(&p.mu);
    printf("permissions: ok\n");
    return 0;
}
