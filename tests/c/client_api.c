/* SPDX-License-Identifier: MIT
 * Client-level calls: models, the generic call, session-scoped calls, list / resume / delete
 * stored sessions, and everything after stop returning error codes. */
#include "test_common.h"

int main(void) {
    copilot_client *client = test_start_client();

    char *out = NULL;
    CHECK(copilot_client_list_models(client, &out));
    EXPECT(out[0] == '[' && strstr(out, "\"id\":\"claude-sonnet-4.5\"") != NULL, "models: %.200s", out);
    copilot_string_free(out);

    CHECK(copilot_client_call(client, "status.get", NULL, &out));
    EXPECT(strstr(out, "\"protocolVersion\":3") != NULL, "status: %s", out);
    copilot_string_free(out);
    CHECK(copilot_client_call(client, "ping", "{\"message\":\"from C\"}", &out));
    EXPECT(strstr(out, "pong: from C") != NULL, "ping: %s", out);
    copilot_string_free(out);
    EXPECT_RC(COPILOT_RESULT_RPC, copilot_client_call(client, "no.such.method", NULL, &out));
    EXPECT(out == NULL, "no result on error");
    EXPECT_RC(COPILOT_RESULT_INVALID_JSON, copilot_client_call(client, "ping", "{not json", &out));

    /* A session, one turn, then disconnect and resume it by id. */
    char *config = test_session_config("");
    copilot_session *s = NULL;
    CHECK(copilot_client_create_session(client, config, NULL, &s));
    CHECK(copilot_session_send_and_wait(s, "\"first turn\"", 60000, NULL));
    char *id = NULL;
    CHECK(copilot_session_id(s, &id));
    CHECK(copilot_session_call(s, "session.model.getCurrent", NULL, &out));
    EXPECT(out[0] == '{', "getCurrent: %s", out);
    copilot_string_free(out);
    EXPECT_RC(COPILOT_RESULT_INVALID_CONFIG, copilot_session_call(s, "session.model.getCurrent", "[1]", &out));

    CHECK(copilot_client_list_sessions(client, &out));
    EXPECT(strstr(out, id) != NULL, "%s not in %s", id, out);
    copilot_string_free(out);

    CHECK(copilot_session_disconnect(s));
    CHECK(copilot_session_free(s));
    CHECK(copilot_client_resume_session(client, id, config, NULL, &s));
    char *msg = NULL;
    CHECK(copilot_session_send_and_wait(s, "\"second turn\"", 60000, &msg));
    EXPECT(strstr(msg, "second answer") != NULL, "%s", msg);
    copilot_string_free(msg);
    char *resumed_id = NULL;
    CHECK(copilot_session_id(s, &resumed_id));
    EXPECT(strcmp(id, resumed_id) == 0, "resumed %s vs %s", resumed_id, id);
    copilot_string_free(resumed_id);
    CHECK(copilot_session_disconnect(s));
    CHECK(copilot_session_free(s));
    EXPECT_RC(COPILOT_RESULT_RPC, copilot_client_resume_session(client, "no-such-session", NULL, NULL, &s));
    EXPECT(s == NULL, "no session handle on failure");
    EXPECT_RC(COPILOT_RESULT_INVALID_CONFIG,
              copilot_client_resume_session(client, id, "{\"cloud\":{}}", NULL, &s));

    /* Delete: the session disappears from the list. */
    CHECK(copilot_client_delete_session(client, id));
    CHECK(copilot_client_list_sessions(client, &out));
    EXPECT(strstr(out, id) == NULL, "%s still in %s", id, out);
    copilot_string_free(out);
    EXPECT_RC(COPILOT_RESULT_RPC, copilot_client_delete_session(client, id)); /* deleting twice */

    /* Freeing a connected session disconnects it: the CLI no longer knows it. */
    CHECK(copilot_client_create_session(client, config, NULL, &s));
    char *loose = NULL;
    CHECK(copilot_session_id(s, &loose));
    CHECK(copilot_session_free(s));
    char *params = test_format("{\"sessionId\":\"%s\",\"prompt\":\"anyone?\"}", loose);
    EXPECT_RC(COPILOT_RESULT_RPC, copilot_client_call(client, "session.send", params, &out));
    EXPECT(strstr(copilot_last_error_message(), "not found") != NULL, "%s", copilot_last_error_message());
    free(params);
    copilot_string_free(loose);

    /* After stop: error codes, never a crash; stop is idempotent; the handle stays valid. */
    CHECK(copilot_client_create_session(client, config, NULL, &s));
    CHECK(copilot_client_stop(client));
    CHECK(copilot_client_stop(client));
    EXPECT_RC(COPILOT_RESULT_CLIENT_STOPPED, copilot_client_list_models(client, &out));
    EXPECT_RC(COPILOT_RESULT_CLIENT_STOPPED, copilot_client_call(client, "ping", NULL, &out));
    copilot_session *s2 = NULL;
    EXPECT_RC(COPILOT_RESULT_CLIENT_STOPPED, copilot_client_create_session(client, config, NULL, &s2));
    copilot_result rc = copilot_session_send(s, "\"hello?\"", NULL);
    EXPECT(rc == COPILOT_RESULT_CONNECTION_LOST || rc == COPILOT_RESULT_SESSION_CLOSED, "send after stop: %s",
           copilot_result_name(rc));
    char *ev = NULL;
    while ((rc = copilot_session_next_event(s, 1000, &ev)) == COPILOT_RESULT_OK) {
        copilot_string_free(ev);
    }
    EXPECT_RC(COPILOT_RESULT_EVENT_STREAM_CLOSED, rc);
    CHECK(copilot_session_free(s));
    CHECK(copilot_client_free(client));
    copilot_string_free(id);
    free(config);
    printf("client_api: ok\n");
    return 0;
}
