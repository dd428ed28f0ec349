/* SPDX-License-Identifier: MIT
 * The request handlers besides permissions and tools: user input (the agent's ask_user
 * tool), hooks, elicitation (session.ui.elicitation) and exit plan mode. Each C callback
 * receives the request, and its answer has an effect the test observes (in the model
 * requests the stand-in recorded, or in an RPC result); a callback returning NULL does not
 * hang anything; argument errors; user_data is destroyed once. */
#include "test_common.h"

typedef struct {
    pthread_mutex_t mu;
    pthread_t main_thread;
    int calls;
    int on_main_thread;
    int destroyed;
    char *last;         /* the last request JSON */
    test_buf seen;      /* hooks: the hook types seen, space-separated */
    const char *answer; /* NULL: return NULL (failure) */
    int literal;        /* return `answer` itself instead of a copilot_string_dup copy */
} cb_state;

static void state_init(cb_state *st, const char *answer) {
    memset(st, 0, sizeof *st);
    pthread_mutex_init(&st->mu, NULL);
    st->main_thread = pthread_self();
    st->answer = answer;
}

static void state_set_answer(cb_state *st, const char *answer, int literal) {
    pthread_mutex_lock(&st->mu);
    st->answer = answer;
    st->literal = literal;
    pthread_mutex_unlock(&st->mu);
}

static int state_calls(cb_state *st) {
    pthread_mutex_lock(&st->mu);
    int n = st->calls;
    pthread_mutex_unlock(&st->mu);
    return n;
}

static int state_destroyed(cb_state *st) {
    pthread_mutex_lock(&st->mu);
    int n = st->destroyed;
    pthread_mutex_unlock(&st->mu);
    return n;
}

/* Every callback of this test: records the request, returns the state's answer. */
static char *answer_cb(void *user_data, const char *request_json) {
    cb_state *st = user_data;
    pthread_mutex_lock(&st->mu);
    st->calls++;
    if (pthread_equal(pthread_self(), st->main_thread)) {
        st->on_main_thread = 1;
    }
    free(st->last);
    st->last = strdup(request_json);
    char *hook_type = json_string(request_json, "hookType");
    if (hook_type != NULL) {
        test_buf_append(&st->seen, hook_type);
        test_buf_append(&st->seen, " ");
    }
    const char *answer = st->answer;
    int literal = st->literal;
    pthread_mutex_unlock(&st->mu);
    /* Hooks: only userPromptSubmitted gets the scripted answer; NULL mode fails them all. */
    int other_hook = hook_type != NULL && strcmp(hook_type, "userPromptSubmitted") != 0;
    free(hook_type);
    if (answer == NULL) {
        return NULL;
    }
    if (other_hook) {
        return "{}";
    }
    return literal ? (char *)answer : copilot_string_dup(answer);
}

static void destroy_cb(void *user_data) {
    cb_state *st = user_data;
    pthread_mutex_lock(&st->mu);
    st->destroyed++;
    pthread_mutex_unlock(&st->mu);
}

static void state_free(cb_state *st) {
    free(st->last);
    test_buf_free(&st->seen);
    pthread_mutex_destroy(&st->mu);
}

/* How often the model requests the stand-in recorded (in every run so far) contain `needle`. */
static int model_count(const char *needle) {
    char *records = standin_get("/_standin/requests?path=/chat/completions");
    int n = 0;
    for (const char *p = strstr(records, needle); p != NULL; p = strstr(p + 1, needle)) {
        n++;
    }
    free(records);
    return n;
}

/* Fails unless the recorded model requests contain `needle_fmt` formatted with this run's pid
 * (the answers carry it, so that the records show this run's effects). */
static void expect_model_saw(const char *what, const char *needle_fmt) {
    char *needle = test_format(needle_fmt, (long)getpid());
    EXPECT(model_count(needle) > 0, "%s: no model request contains %s", what, needle);
    free(needle);
}

/* Runs a turn; fails unless the reply is `expected`. */
static void expect_reply(copilot_session *session, const char *message_json, const char *expected) {
    char *reply = test_reply(session, message_json, 90000);
    EXPECT(strcmp(reply, expected) == 0, "reply to %s: %s", message_json, reply);
    free(reply);
}

/* The request's string member `key` is `expected` (fails the test otherwise). */
static void expect_member(const char *request_json, const char *key, const char *expected) {
    char *value = json_string(request_json, key);
    EXPECT(value && strcmp(value, expected) == 0, "%s is %s, expected %s, in %s", key, value ? value : "-", expected,
           request_json);
    free(value);
}

typedef copilot_result (*setter)(copilot_handlers *, copilot_user_input_callback, void *, copilot_destroy_callback);

static void argument_errors(copilot_client *client) {
    /* The four setters share one signature (the callback types are the same C type). */
    setter setters[] = {copilot_handlers_set_user_input_callback, copilot_handlers_set_hook_callback,
                        copilot_handlers_set_elicitation_callback, copilot_handlers_set_exit_plan_mode_callback};
    cb_state st;
    state_init(&st, "{}");
    copilot_handlers *freed = NULL;
    CHECK(copilot_handlers_new(&freed));
    CHECK(copilot_handlers_free(freed));
    copilot_handlers *h = NULL;
    CHECK(copilot_handlers_new(&h));
    for (size_t i = 0; i < sizeof setters / sizeof setters[0]; i++) {
        /* A failed registration takes nothing over: destroy is not called. */
        EXPECT_RC(COPILOT_RESULT_NULL_PARAMETER, setters[i](NULL, answer_cb, &st, destroy_cb));
        EXPECT_RC(COPILOT_RESULT_INVALID_HANDLE, setters[i](freed, answer_cb, &st, destroy_cb));
        EXPECT_RC(COPILOT_RESULT_WRONG_HANDLE_TYPE, setters[i]((copilot_handlers *)client, answer_cb, &st, destroy_cb));
        EXPECT(state_destroyed(&st) == (int)i, "setter %zu: destroy ran after a failed registration", i);
        /* A NULL callback removes the registered one, whose user_data is then released. */
        CHECK(setters[i](h, answer_cb, &st, destroy_cb));
        CHECK(setters[i](h, NULL, NULL, NULL));
        EXPECT(state_destroyed(&st) == (int)i + 1, "setter %zu: destroyed %d", i, state_destroyed(&st));
        CHECK(setters[i](h, NULL, NULL, NULL)); /* removing nothing is fine too */
    }
    /* Without any callback left, a session still works (nothing advertised to the CLI). */
    char *config = test_session_config("");
    copilot_session *s = NULL;
    CHECK(copilot_client_create_session(client, config, h, &s));
    free(config);
    CHECK(copilot_session_free(s));
    CHECK(copilot_handlers_free(h));
    EXPECT(state_calls(&st) == 0, "no calls: %d", state_calls(&st));
    state_free(&st);
}

int main(void) {
    copilot_client *client = test_start_client();
    argument_errors(client);

    /* Answers unique per run, so that the stand-in's records show this run's effects. */
    long pid = (long)getpid();
    char *ui_answer = test_format("{\"answer\":\"blue, definitely (run %ld)\",\"wasFreeform\":true}", pid);
    char *hook_context = test_format("{\"additionalContext\":\"HOOK-CONTEXT-%ld\"}", pid);
    char *hook_prompt = test_format("{\"modifiedPrompt\":\"MODIFIED-PROMPT-%ld\"}", pid);
    char *plan_answer = test_format("{\"approved\":false,\"feedback\":\"needs tests (run %ld)\"}", pid);
    cb_state ui, hook, elicit, plan;
    state_init(&ui, ui_answer);
    state_init(&hook, hook_context);
    state_init(&elicit, "{\"action\":\"accept\",\"content\":{\"confirmed\":true}}");
    state_init(&plan, plan_answer);

    copilot_handlers *h = NULL;
    CHECK(copilot_handlers_new(&h));
    CHECK(copilot_handlers_set_user_input_callback(h, answer_cb, &ui, destroy_cb));
    CHECK(copilot_handlers_set_hook_callback(h, answer_cb, &hook, destroy_cb));
    CHECK(copilot_handlers_set_elicitation_callback(h, answer_cb, &elicit, destroy_cb));
    CHECK(copilot_handlers_set_exit_plan_mode_callback(h, answer_cb, &plan, destroy_cb));
    char *config = test_session_config("");
    copilot_session *s = NULL;
    CHECK(copilot_client_create_session(client, config, h, &s));
    free(config);
    CHECK(copilot_handlers_free(h)); /* the session keeps its callbacks */
    char *sid = NULL;
    CHECK(copilot_session_id(s, &sid));

    /* 1. Hooks: userPromptSubmitted carries the prompt; its additionalContext reaches the
     *    model, then a modifiedPrompt replaces the prompt the model sees. */
    expect_reply(s, "\"hello hooks\"", "OK");
    pthread_mutex_lock(&hook.mu);
    EXPECT(strstr(hook.seen.data, "userPromptSubmitted") != NULL, "hook types: %s", hook.seen.data);
    pthread_mutex_unlock(&hook.mu);
    expect_model_saw("the hook's additionalContext", "HOOK-CONTEXT-%ld");
    state_set_answer(&hook, hook_prompt, 1);
    expect_reply(s, "\"hello hooks, again\"", "OK");
    expect_model_saw("the hook's modifiedPrompt", "MODIFIED-PROMPT-%ld");
    pthread_mutex_lock(&hook.mu);
    EXPECT(strstr(hook.last, "\"hookType\":\"") != NULL && strstr(hook.last, "\"input\":{") != NULL, "%s", hook.last);
    expect_member(hook.last, "sessionId", sid);
    pthread_mutex_unlock(&hook.mu);
    state_set_answer(&hook, "{}", 1);

    /* 2. User input: the agent's ask_user question reaches the callback, the answer the model. */
    expect_reply(s, "\"ask me something\"", "Noted.");
    pthread_mutex_lock(&ui.mu);
    EXPECT(ui.calls == 1, "user input calls: %d", ui.calls);
    expect_member(ui.last, "question", "Which colour?");
    EXPECT(strstr(ui.last, "\"choices\":[\"red\",\"blue\"]") != NULL, "request: %s", ui.last);
    expect_member(ui.last, "sessionId", sid);
    pthread_mutex_unlock(&ui.mu);
    expect_model_saw("the answer", "blue, definitely (run %ld)");

    /* 3. Elicitation: session.ui.elicitation asks this client; the answer is the RPC result. */
    const char *deploy = "{\"message\":\"Deploy?\",\"requestedSchema\":{\"type\":\"object\","
                         "\"properties\":{\"confirmed\":{\"type\":\"boolean\"}}}}";
    char *result = NULL;
    CHECK(copilot_session_call(s, "session.ui.elicitation", deploy, &result));
    EXPECT(strstr(result, "\"action\":\"accept\"") && strstr(result, "\"confirmed\":true"), "result: %s", result);
    copilot_string_free(result);
    pthread_mutex_lock(&elicit.mu);
    expect_member(elicit.last, "message", "Deploy?");
    EXPECT(strstr(elicit.last, "\"requestedSchema\":{") && strstr(elicit.last, "\"confirmed\""), "%s", elicit.last);
    expect_member(elicit.last, "sessionId", sid);
    pthread_mutex_unlock(&elicit.mu);
    state_set_answer(&elicit, "decline", 1); /* a bare action, returned as a literal */
    CHECK(copilot_session_call(s, "session.ui.elicitation", deploy, &result));
    EXPECT(strstr(result, "\"action\":\"decline\"") != NULL, "result: %s", result);
    copilot_string_free(result);

    /* 4. Callbacks returning NULL: nothing hangs. The agent is told the user could not
     *    answer, the hooks are ignored, the elicitation is cancelled. */
    state_set_answer(&ui, NULL, 0);
    state_set_answer(&hook, NULL, 0);
    state_set_answer(&elicit, NULL, 0);
    int unable_before = model_count("unable to respond"); /* the CLI's text has no run id */
    expect_reply(s, "\"ask me again\"", "Noted.");
    EXPECT(state_calls(&ui) == 2, "user input calls: %d", state_calls(&ui));
    EXPECT(model_count("unable to respond") > unable_before, "the failed answer was not reported to the model");
    CHECK(copilot_session_call(s, "session.ui.elicitation", deploy, &result));
    EXPECT(strstr(result, "\"action\":\"cancel\"") != NULL, "result: %s", result);
    copilot_string_free(result);
    EXPECT(state_calls(&elicit) == 3, "elicitation calls: %d", state_calls(&elicit));
    state_set_answer(&hook, "{}", 1);

    /* 5. Exit plan mode: in plan mode the agent's exit_plan_mode reaches the callback; a
     *    refusal's feedback reaches the model. */
    CHECK(copilot_session_call(s, "session.mode.set", "{\"mode\":\"plan\"}", &result));
    copilot_string_free(result);
    expect_reply(s, "\"plan a README\"", "Done planning.");
    pthread_mutex_lock(&plan.mu);
    EXPECT(plan.calls == 1, "exit plan mode calls: %d", plan.calls);
    expect_member(plan.last, "summary", "Add a README");
    EXPECT(strstr(plan.last, "\"autopilot\"") && strstr(plan.last, "\"interactive\"") &&
               strstr(plan.last, "\"exit_only\""),
           "actions: %s", plan.last);
    expect_member(plan.last, "recommendedAction", "interactive");
    expect_member(plan.last, "sessionId", sid);
    pthread_mutex_unlock(&plan.mu);
    expect_model_saw("the plan feedback", "needs tests (run %ld)");
    /* A NULL answer: the CLI takes it as not approved, the turn ends normally. */
    state_set_answer(&plan, NULL, 0);
    expect_reply(s, "\"plan a README, again\"", "Done planning.");
    EXPECT(state_calls(&plan) == 2, "exit plan mode calls: %d", state_calls(&plan));

    /* Every callback ran on a library thread. */
    cb_state *all[] = {&ui, &hook, &elicit, &plan};
    for (size_t i = 0; i < 4; i++) {
        pthread_mutex_lock(&all[i]->mu);
        EXPECT(!all[i]->on_main_thread, "callback %zu ran on the calling thread", i);
        pthread_mutex_unlock(&all[i]->mu);
    }

    /* Each user_data is destroyed exactly once, after the session is gone. */
    copilot_string_free(sid);
    CHECK(copilot_session_free(s));
    CHECK(copilot_client_free(client));
    for (size_t i = 0; i < 4; i++) {
        for (int n = 0; n < 100 && state_destroyed(all[i]) == 0; n++) {
            test_sleep_ms(50);
        }
        EXPECT(state_destroyed(all[i]) == 1, "callback %zu destroyed %d times", i, state_destroyed(all[i]));
        state_free(all[i]);
    }
    free(ui_answer);
    free(hook_context);
    free(hook_prompt);
    free(plan_answer);
    printf("handlers: ok\n");
    return 0;
}
