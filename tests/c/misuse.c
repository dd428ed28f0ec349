/* SPDX-License-Identifier: MIT
 * Misuse must give result codes, never a crash (also checked under valgrind): NULL
 * pointers, invalid JSON, invalid UTF-8, double free, use after free, foreign and mistyped
 * handles, foreign strings, calls after stop. */
#include "test_common.h"

static char *never_called_tool(void *user_data, const char *invocation_json) {
    (void)user_data;
    (void)invocation_json;
    return NULL;
}

static int destroyed = 0;
static void count_destroy(void *user_data) {
    (void)user_data;
    destroyed++;
}

static void *fresh_thread(void *arg) {
    (void)arg;
    /* The last error is per thread: nothing failed on this one. */
    EXPECT(copilot_last_error_code() == COPILOT_RESULT_OK, "fresh thread");
    EXPECT(strcmp(copilot_last_error_message(), "") == 0, "fresh thread message");
    return NULL;
}

int main(void) {
    copilot_client *client = (copilot_client *)1;
    char *out = (char *)1;

    /* NULL pointers. */
    EXPECT_RC(COPILOT_RESULT_NULL_PARAMETER, copilot_client_start("{}", NULL));
    EXPECT_RC(COPILOT_RESULT_NULL_PARAMETER, copilot_client_stop(NULL));
    EXPECT_RC(COPILOT_RESULT_NULL_PARAMETER, copilot_client_list_models(NULL, &out));
    EXPECT(out == NULL, "out parameter cleared");
    EXPECT_RC(COPILOT_RESULT_NULL_PARAMETER, copilot_client_call(NULL, "ping", NULL, &out));
    EXPECT_RC(COPILOT_RESULT_NULL_PARAMETER, copilot_session_send(NULL, "\"hi\"", NULL));
    EXPECT_RC(COPILOT_RESULT_NULL_PARAMETER, copilot_session_next_event(NULL, 0, &out));
    EXPECT_RC(COPILOT_RESULT_NULL_PARAMETER, copilot_session_set_event_callback(NULL, NULL, NULL, NULL));
    EXPECT_RC(COPILOT_RESULT_NULL_PARAMETER, copilot_handlers_new(NULL));
    EXPECT(strstr(copilot_last_error_message(), "out_handlers") != NULL, "%s", copilot_last_error_message());
    EXPECT(copilot_last_error_code() == COPILOT_RESULT_NULL_PARAMETER, "last code");
    CHECK(copilot_client_free(NULL));
    CHECK(copilot_session_free(NULL));
    CHECK(copilot_handlers_free(NULL));
    CHECK(copilot_string_free(NULL));
    EXPECT(copilot_last_error_code() == COPILOT_RESULT_OK && strcmp(copilot_last_error_message(), "") == 0,
           "success clears the last error");
    EXPECT(copilot_string_dup(NULL) == NULL, "dup(NULL)");

    /* Invalid JSON, wrong shapes, unknown keys, invalid UTF-8. */
    EXPECT_RC(COPILOT_RESULT_INVALID_JSON, copilot_client_start("{not json", &client));
    EXPECT(client == NULL, "no client on failure");
    EXPECT_RC(COPILOT_RESULT_INVALID_JSON, copilot_client_options_validate("[1, 2]"));
    EXPECT_RC(COPILOT_RESULT_INVALID_CONFIG, copilot_client_options_validate("{\"github_tokn\": \"x\"}"));
    EXPECT(strstr(copilot_last_error_message(), "github_tokn") != NULL, "%s", copilot_last_error_message());
    EXPECT_RC(COPILOT_RESULT_INVALID_CONFIG, copilot_client_options_validate("{\"enable_remote_sessions\": \"yes\"}"));
    EXPECT_RC(COPILOT_RESULT_INVALID_UTF8, copilot_client_options_validate("{\"cwd\": \"\xff\xfe\"}"));
    EXPECT_RC(COPILOT_RESULT_INVALID_UTF8, copilot_client_start("{\"cwd\": \"\xc3\x28\"}", &client));
    CHECK(copilot_client_options_validate(NULL));
    EXPECT_RC(COPILOT_RESULT_CLI_NOT_FOUND,
              copilot_client_start("{\"cli_path\": \"/nonexistent/copilot\", \"startup_timeout_ms\": 5000}", &client));

    /* Handlers: double free, use after free, foreign and mistyped handles. */
    copilot_handlers *h = NULL;
    CHECK(copilot_handlers_new(&h));
    EXPECT_RC(COPILOT_RESULT_NULL_PARAMETER, copilot_handlers_add_tool(h, "t", NULL, NULL, NULL));
    EXPECT_RC(COPILOT_RESULT_INVALID_ARGUMENT, copilot_handlers_add_tool(h, "", never_called_tool, NULL, NULL));
    EXPECT_RC(COPILOT_RESULT_NULL_PARAMETER, copilot_handlers_add_tool(h, NULL, never_called_tool, NULL, NULL));
    EXPECT_RC(COPILOT_RESULT_INVALID_UTF8, copilot_handlers_set_permission_preset(h, "\xff"));
    CHECK(copilot_handlers_add_tool(h, "t", never_called_tool, NULL, count_destroy));
    EXPECT_RC(COPILOT_RESULT_WRONG_HANDLE_TYPE, copilot_client_stop((copilot_client *)h));
    EXPECT_RC(COPILOT_RESULT_WRONG_HANDLE_TYPE, copilot_session_free((copilot_session *)h));
    CHECK(copilot_handlers_free(h));
    EXPECT(destroyed == 1, "destroy ran when the handlers were freed: %d", destroyed);
    EXPECT_RC(COPILOT_RESULT_INVALID_HANDLE, copilot_handlers_free(h));
    EXPECT_RC(COPILOT_RESULT_INVALID_HANDLE, copilot_handlers_set_permission_preset(h, "approve-all"));
    EXPECT_RC(COPILOT_RESULT_INVALID_HANDLE, copilot_handlers_add_tool(h, "t", never_called_tool, NULL, count_destroy));
    EXPECT(destroyed == 1, "nothing taken over on failure");
    /* A new handle reusing the slot does not revive the old one. */
    copilot_handlers *h2 = NULL;
    CHECK(copilot_handlers_new(&h2));
    EXPECT(h2 != h, "fresh handle value");
    EXPECT_RC(COPILOT_RESULT_INVALID_HANDLE, copilot_handlers_free(h));
    CHECK(copilot_handlers_free(h2));
    int local = 42;
    EXPECT_RC(COPILOT_RESULT_INVALID_HANDLE, copilot_client_stop((copilot_client *)&local));
    EXPECT_RC(COPILOT_RESULT_INVALID_HANDLE, copilot_session_abort((copilot_session *)(uintptr_t)0xdeadbeef));
    EXPECT_RC(COPILOT_RESULT_INVALID_HANDLE, copilot_client_free((copilot_client *)(uintptr_t)0xA1)); /* forged */
    void *heap = malloc(64);
    EXPECT_RC(COPILOT_RESULT_INVALID_HANDLE, copilot_session_free((copilot_session *)heap));
    free(heap);

    /* Strings: double free and foreign strings. */
    char *dup = copilot_string_dup("hello");
    EXPECT(dup && strcmp(dup, "hello") == 0, "dup");
    CHECK(copilot_string_free(dup));
    EXPECT_RC(COPILOT_RESULT_INVALID_ARGUMENT, copilot_string_free(dup));
    char literal[] = "not ours";
    EXPECT_RC(COPILOT_RESULT_INVALID_ARGUMENT, copilot_string_free(literal));

    /* Result names, the runtime, the per-thread last error. */
    EXPECT(strcmp(copilot_result_name(COPILOT_RESULT_TIMEOUT), "COPILOT_RESULT_TIMEOUT") == 0, "name");
    EXPECT(strcmp(copilot_result_name(12345), "COPILOT_RESULT_UNKNOWN") == 0, "unknown name");
    CHECK(copilot_runtime_init(0));
    EXPECT_RC(COPILOT_RESULT_INVALID_ARGUMENT, copilot_runtime_init(17));
    pthread_t t;
    pthread_create(&t, NULL, fresh_thread, NULL);
    pthread_join(t, NULL);
    EXPECT(copilot_last_error_code() == COPILOT_RESULT_INVALID_ARGUMENT, "this thread keeps its error");

    /* With a real client: sessions. */
    client = test_start_client();
    copilot_session *s = NULL;
    EXPECT_RC(COPILOT_RESULT_INVALID_JSON, copilot_client_create_session(client, "[]", NULL, &s));
    EXPECT_RC(COPILOT_RESULT_INVALID_JSON, copilot_client_create_session(client, "{", NULL, &s));
    EXPECT_RC(COPILOT_RESULT_INVALID_CONFIG, copilot_client_create_session(client, "{\"streeming\":true}", NULL, &s));
    EXPECT_RC(COPILOT_RESULT_INVALID_CONFIG,
              copilot_client_create_session(client, "{\"working_directory\":\"/no/such/dir\"}", NULL, &s));
    EXPECT_RC(COPILOT_RESULT_INVALID_HANDLE, copilot_client_create_session(client, NULL, h, &s));
    EXPECT_RC(COPILOT_RESULT_NULL_PARAMETER, copilot_client_create_session(client, NULL, NULL, NULL));
    char *config = test_session_config("\"streaming\":true");
    CHECK(copilot_client_create_session(client, config, NULL, &s));
    free(config);
    EXPECT_RC(COPILOT_RESULT_NULL_PARAMETER, copilot_session_send(s, NULL, NULL));
    EXPECT_RC(COPILOT_RESULT_INVALID_JSON, copilot_session_send(s, "hello without quotes", NULL));
    EXPECT_RC(COPILOT_RESULT_INVALID_CONFIG, copilot_session_send(s, "{\"text\":\"no prompt key\"}", NULL));
    EXPECT_RC(COPILOT_RESULT_INVALID_UTF8, copilot_session_send(s, "\"\xff\"", NULL));
    EXPECT_RC(COPILOT_RESULT_WRONG_HANDLE_TYPE, copilot_client_list_models((copilot_client *)s, &out));
    EXPECT_RC(COPILOT_RESULT_WRONG_HANDLE_TYPE, copilot_session_abort((copilot_session *)client));
    EXPECT_RC(COPILOT_RESULT_WRONG_HANDLE_TYPE, copilot_handlers_free((copilot_handlers *)client));
    EXPECT_RC(COPILOT_RESULT_TIMEOUT, copilot_session_send_and_wait(s, "\"slow turn\"", 300, NULL));
    CHECK(copilot_session_abort(s));

    CHECK(copilot_session_free(s));
    EXPECT_RC(COPILOT_RESULT_INVALID_HANDLE, copilot_session_free(s));
    EXPECT_RC(COPILOT_RESULT_INVALID_HANDLE, copilot_session_send(s, "\"hi\"", NULL));
    EXPECT_RC(COPILOT_RESULT_INVALID_HANDLE, copilot_session_next_event(s, 0, &out));
    EXPECT_RC(COPILOT_RESULT_INVALID_HANDLE, copilot_session_remote_enable(s, &out));

    /* After stop and after free. */
    CHECK(copilot_client_stop(client));
    EXPECT_RC(COPILOT_RESULT_CLIENT_STOPPED, copilot_client_create_session(client, NULL, NULL, &s));
    CHECK(copilot_client_free(client));
    EXPECT_RC(COPILOT_RESULT_INVALID_HANDLE, copilot_client_free(client));
    EXPECT_RC(COPILOT_RESULT_INVALID_HANDLE, copilot_client_list_sessions(client, &out));
    EXPECT(out == NULL, "no output");
    printf("misuse: ok\n");
    return 0;
}
