/* SPDX-License-Identifier: MIT
 * Remote sessions: enabling remote access returns the Mission Control URL, the session keeps
 * it, QR codes render it; disable; and the client-level always-on mode (--remote). */
#include "test_common.h"

static void expect_mc_url(const char *url) {
    EXPECT(url != NULL, "a URL");
    EXPECT(strncmp(url, "https://github.com/", 19) == 0 && strstr(url, "/tasks/") != NULL, "url: %s", url);
}

int main(void) {
    copilot_client *client = test_start_client();
    char *config = test_session_config("");
    copilot_session *s = NULL;
    CHECK(copilot_client_create_session(client, config, NULL, &s));

    char *url = NULL;
    EXPECT_RC(COPILOT_RESULT_NO_REMOTE_URL, copilot_session_remote_url(s, &url));
    EXPECT_RC(COPILOT_RESULT_NO_REMOTE_URL, copilot_session_remote_qr_text(s, &url));
    EXPECT(url == NULL, "no output on failure");

    CHECK(copilot_session_remote_enable(s, &url));
    expect_mc_url(url);
    char *kept = NULL;
    CHECK(copilot_session_remote_url(s, &kept));
    EXPECT(strcmp(url, kept) == 0, "kept URL %s vs %s", kept, url);
    copilot_string_free(kept);

    char *qr = NULL;
    CHECK(copilot_session_remote_qr_text(s, &qr));
    EXPECT(strlen(qr) > 200 && strstr(qr, "\xe2\x96\x88") != NULL, "QR text: %s", qr); /* U+2588 full block */
    copilot_string_free(qr);
    CHECK(copilot_session_remote_qr_svg(s, &qr));
    EXPECT(strstr(qr, "<svg") != NULL, "SVG: %.80s", qr);
    copilot_string_free(qr);

    char *info = NULL;
    CHECK(copilot_session_info(s, &info));
    EXPECT(strstr(info, "\"remoteSteerable\":true") != NULL, "%s", info);
    char *info_url = json_string(info, "remoteUrl");
    EXPECT(info_url && strcmp(info_url, url) == 0, "%s", info);
    free(info_url);
    copilot_string_free(info);

    CHECK(copilot_session_remote_disable(s));
    CHECK(copilot_session_info(s, &info));
    EXPECT(strstr(info, "\"remoteSteerable\":false") != NULL, "%s", info);
    copilot_string_free(info);
    /* The URL stays known after disabling steering. */
    CHECK(copilot_session_remote_url(s, &kept));
    copilot_string_free(kept);
    copilot_string_free(url);
    CHECK(copilot_session_free(s));
    CHECK(copilot_client_free(client));

    /* Client-level: every new session is exported; the URL arrives in session.info. */
    const char *opts = test_options();
    size_t n = strlen(opts);
    char *remote_opts = test_format("%.*s,\"enable_remote_sessions\":true}", (int)(n - 1), opts);
    CHECK(copilot_client_start(remote_opts, &client));
    free(remote_opts);
    CHECK(copilot_client_create_session(client, config, NULL, &s));
    copilot_result rc = COPILOT_RESULT_NO_REMOTE_URL;
    for (int i = 0; i < 300 && rc == COPILOT_RESULT_NO_REMOTE_URL; i++) {
        rc = copilot_session_remote_url(s, &url);
        if (rc == COPILOT_RESULT_NO_REMOTE_URL) {
            test_sleep_ms(100);
        }
    }
    CHECK(rc);
    expect_mc_url(url);
    copilot_string_free(url);
    CHECK(copilot_session_send_and_wait(s, "\"first turn\"", 60000, NULL));
    CHECK(copilot_session_free(s));
    CHECK(copilot_client_free(client));
    free(config);
    printf("remote: ok\n");
    return 0;
}
