/* SPDX-License-Identifier: MIT
 * A cloud session (GitHub-hosted compute through Mission Control): create, then the first
 * prompt, which must wait for the cloud agent instead of being dropped. */
#include "test_common.h"

int main(void) {
    copilot_client *client = test_start_client();
    copilot_session *s = NULL;
    CHECK(copilot_client_create_session(
        client, "{\"streaming\":true,\"cloud\":{\"repository\":{\"owner\":\"octo-org\",\"name\":\"hello-world\",\"branch\":\"main\"}}}",
        NULL, &s));
    char *info = NULL;
    CHECK(copilot_session_info(s, &info));
    EXPECT(strstr(info, "\"isCloud\":true") != NULL, "%s", info);
    copilot_string_free(info);

    /* A cloud session cannot carry a client-chosen id: rejected before anything is sent. */
    copilot_session *bad = NULL;
    EXPECT_RC(COPILOT_RESULT_INVALID_CONFIG,
              copilot_client_create_session(client, "{\"session_id\":\"x\",\"cloud\":{}}", NULL, &bad));

    char *content = test_reply(s, "\"hello cloud\"", 120000);
    EXPECT(strcmp(content, "Hello from the cloud worker.") == 0, "reply: %s", content);
    free(content);

    CHECK(copilot_session_info(s, &info));
    EXPECT(strstr(info, "\"ready\":true") != NULL, "%s", info);
    copilot_string_free(info);
    char *url = NULL;
    CHECK(copilot_session_remote_url(s, &url));
    EXPECT(strncmp(url, "https://github.com/octo-org/hello-world/tasks/", 46) == 0, "url: %s", url);
    copilot_string_free(url);

    CHECK(copilot_session_free(s));
    CHECK(copilot_client_free(client));
    printf("cloud: ok\n");
    return 0;
}
