/* SPDX-License-Identifier: MIT
 * A tool implemented in C: called with the scripted arguments on a library thread, its
 * result reaches the model; failing and denied tools; handler/config mismatches. */
#include "test_common.h"

typedef struct {
    pthread_mutex_t mu;
    pthread_t main_thread;
    int calls;
    int on_main_thread;
    char *last_invocation;
    int destroyed;
    const char *answer; /* NULL: return NULL (failure) */
    int dup_answer;     /* return a copilot_string_dup copy instead of the literal */
} tool_state;

static copilot_client *the_client;

static char *weather_tool(void *user_data, const char *invocation_json) {
    tool_state *t = user_data;
    /* A blocking call from inside the tool callback must not deadlock. */
    char *models = NULL;
    CHECK(copilot_client_list_models(the_client, &models));
    copilot_string_free(models);
    pthread_mutex_lock(&t->mu);
    t->calls++;
    if (pthread_equal(pthread_self(), t->main_thread)) {
        t->on_main_thread = 1;
    }
    free(t->last_invocation);
    t->last_invocation = strdup(invocation_json);
    const char *answer = t->answer;
    int dup = t->dup_answer;
    pthread_mutex_unlock(&t->mu);
    if (answer == NULL) {
        return NULL;
    }
    /* Both ownership modes: a library string is taken over, a literal is copied. */
    return dup ? copilot_string_dup(answer) : (char *)answer;
}

static void tool_destroy(void *user_data) {
    tool_state *t = user_data;
    pthread_mutex_lock(&t->mu);
    t->destroyed++;
    pthread_mutex_unlock(&t->mu);
}

int main(void) {
    tool_state t;
    memset(&t, 0, sizeof t);
    pthread_mutex_init(&t.mu, NULL);
    t.main_thread = pthread_self();
    /* Unique per run, so that the stand-in's records show this run's result. */
    char answer[96];
    snprintf(answer, sizeof answer, "sunny, 21 degrees (run %ld)", (long)getpid());
    t.answer = answer;
    t.dup_answer = 1;

    copilot_client *client = test_start_client();
    the_client = client;
    copilot_handlers *handlers = NULL;
    CHECK(copilot_handlers_new(&handlers));
    CHECK(copilot_handlers_add_tool(handlers, "get_weather", weather_tool, &t, tool_destroy));

    /* 1. The tool runs with the scripted arguments and the model sees its result. */
    char *config = test_session_config(WEATHER_TOOL("true"));
    copilot_session *session = NULL;
    CHECK(copilot_client_create_session(client, config, handlers, &session));
    free(config);
    char *content = test_reply(session, "\"what is the weather?\"", 90000);
    EXPECT(strcmp(content, "It is sunny in Paris.") == 0, "reply: %s", content);
    free(content);
    pthread_mutex_lock(&t.mu);
    EXPECT(t.calls == 1, "calls: %d", t.calls);
    EXPECT(!t.on_main_thread, "the tool runs on a library thread");
    EXPECT(strstr(t.last_invocation, "\"arguments\":{\"city\":\"Paris\"}") != NULL, "%s", t.last_invocation);
    EXPECT(strstr(t.last_invocation, "\"toolName\":\"get_weather\"") != NULL, "%s", t.last_invocation);
    char *sid = NULL;
    CHECK(copilot_session_id(session, &sid));
    char *inv_sid = json_string(t.last_invocation, "sessionId");
    EXPECT(inv_sid && strcmp(inv_sid, sid) == 0, "session id %s vs %s", inv_sid ? inv_sid : "-", sid);
    free(inv_sid);
    copilot_string_free(sid);
    /* The tool's result reached the model: the stand-in recorded it in a model request. */
    char *records = standin_get("/_standin/requests?path=/chat/completions");
    EXPECT(strstr(records, answer) != NULL, "no model request carries the tool result %s", answer);
    free(records);
    /* 2. A literal answer works the same; 3. a NULL answer is a failure the model sees. */
    t.dup_answer = 0;
    pthread_mutex_unlock(&t.mu);
    content = test_reply(session, "\"weather again\"", 90000);
    EXPECT(strcmp(content, "It is sunny in Paris.") == 0, "reply: %s", content);
    free(content);
    pthread_mutex_lock(&t.mu);
    t.answer = NULL;
    pthread_mutex_unlock(&t.mu);
    content = test_reply(session, "\"weather once more\"", 90000);
    EXPECT(strcmp(content, "I could not get the weather.") == 0, "reply: %s", content);
    free(content);
    pthread_mutex_lock(&t.mu);
    EXPECT(t.calls == 3, "calls: %d", t.calls);
    t.answer = "sunny";
    pthread_mutex_unlock(&t.mu);
    CHECK(copilot_session_disconnect(session));
    CHECK(copilot_session_free(session));

    /* 4. Without skip_permission the default policy (deny-all) rejects the tool call: the
     *    handler is never invoked. */
    config = test_session_config(WEATHER_TOOL("false"));
    CHECK(copilot_client_create_session(client, config, handlers, &session));
    free(config);
    content = test_reply(session, "\"weather, denied\"", 90000);
    EXPECT(strcmp(content, "I could not get the weather.") == 0, "reply: %s", content);
    free(content);
    pthread_mutex_lock(&t.mu);
    EXPECT(t.calls == 3, "a denied tool is not called: %d", t.calls);
    pthread_mutex_unlock(&t.mu);
    CHECK(copilot_session_free(session));

    /* 5. A handler for a tool the config does not declare is a configuration error. */
    config = test_session_config("");
    session = (copilot_session *)1;
    EXPECT_RC(COPILOT_RESULT_INVALID_CONFIG, copilot_client_create_session(client, config, handlers, &session));
    EXPECT(session == NULL, "out parameter cleared on failure");
    EXPECT(strstr(copilot_last_error_message(), "get_weather") != NULL, "%s", copilot_last_error_message());
    free(config);

    /* The handlers object can go before the sessions; destroy runs once everything is gone. */
    CHECK(copilot_handlers_free(handlers));
    pthread_mutex_lock(&t.mu);
    int destroyed_early = t.destroyed;
    pthread_mutex_unlock(&t.mu);
    CHECK(copilot_client_free(client));
    for (int i = 0; i < 100; i++) {
        pthread_mutex_lock(&t.mu);
        int d = t.destroyed;
        pthread_mutex_unlock(&t.mu);
        if (d == 1) {
            break;
        }
        test_sleep_ms(50);
    }
    pthread_mutex_lock(&t.mu);
    EXPECT(t.destroyed == 1, "tool user_data destroyed once (early %d, now %d)", destroyed_early, t.destroyed);
    pthread_mutex_unlock(&t.mu);
    free(t.last_invocation);
    pthread_mutex_destroy(&t.mu);
    printf("tools: ok\n");
    return 0;
}
