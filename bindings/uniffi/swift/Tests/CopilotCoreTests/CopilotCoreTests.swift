// XCTest smoke tests for the Swift package. NOT COMPILED OR RUN on the machine that wrote
// them (Linux, no Swift toolchain); the Kotlin suite (../../kotlin/tests) covers the same
// Rust code end to end. On macOS: ./build-xcframework.sh && swift test
//
// The end-to-end test needs a CLI server started the mobile way:
//   COPILOT_CONNECTION_TOKEN=secret copilot --headless --port 4321 --no-auto-update
//   COPILOT_TEST_PORT=4321 COPILOT_TEST_TOKEN=secret swift test
import XCTest
@testable import CopilotCore

final class CopilotCoreTests: XCTestCase {
    func testMissingCliIsATypedError() async {
        do {
            _ = try await CopilotClient.start(options: ClientOptions(cliPath: "/nonexistent/copilot"))
            XCTFail("expected an error")
        } catch let error as CopilotError {
            XCTAssertEqual(error.kindName(), "cli_not_found")
        } catch {
            XCTFail("unexpected \(error)")
        }
    }

    func testHandlerClosuresFitTheSessionConfig() {
        let config = SessionConfig(
            hookHandler: ClosureHookHandler { invocation in
                invocation.hookType == "userPromptSubmitted" ? #"{"additionalContext": "x"}"# : nil
            },
            elicitationHandler: ClosureElicitationHandler { _, _ in
                ElicitationResult(action: .accept, contentJson: #"{"confirmed": true}"#)
            },
            exitPlanModeHandler: ClosureExitPlanModeHandler { _, request in
                ExitPlanModeResponse(approved: request.actions.contains("autopilot"), selectedAction: "autopilot")
            }
        )
        XCTAssertNotNil(config.hookHandler)
        XCTAssertNotNil(config.elicitationHandler)
        XCTAssertNotNil(config.exitPlanModeHandler)
    }

    func testExternalServerTurn() async throws {
        let env = ProcessInfo.processInfo.environment
        guard let portText = env["COPILOT_TEST_PORT"], let port = UInt16(portText) else {
            throw XCTSkip("set COPILOT_TEST_PORT (and COPILOT_TEST_TOKEN) to run against a CLI server")
        }
        let client = try await CopilotClient.start(options: ClientOptions(
            transport: .external(host: "127.0.0.1", port: port, connectionToken: env["COPILOT_TEST_TOKEN"])
        ))
        let session = try await client.createSession(config: SessionConfig(streaming: true))
        let events = session.events()
        _ = try await session.send(prompt: "hello")
        var text = ""
        for await event in events {
            text += event.deltaContent ?? ""
            if event.eventType == "session.idle" { break }
        }
        XCTAssertFalse(text.isEmpty)
        try await session.disconnect()
        try await client.stop()
    }
}
