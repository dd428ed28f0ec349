#!/usr/bin/env bash
# The UniFFI binding's test command; installs what it needs on a fresh machine.
#   1. installs kotlinc (npm kotlin-compiler) + JNA (Debian libjna-java) and the pinned CLI;
#   2. builds the cdylib + uniffi-bindgen, generates Kotlin and Swift, builds the Kotlin jar
#      (build.sh);
#   3. checks the generated Swift (no Swift compiler here): generation succeeded and the
#      expected types and functions, and every symbol the hand-written Swift uses, exist;
#   4. runs the binding crate's Rust unit tests;
#   5. compiles the Kotlin tests and the README's Kotlin examples against the jar, starts the
#      stand-in for GitHub's services, runs the tests on the JVM against the real CLI.
# Exits non-zero on any failure; the last line is "N passed, M failed".
# Usage: bindings/uniffi/test.sh [kotlin test name filters...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target/uniffi}"
out="$CARGO_TARGET_DIR/bindings"
started=$SECONDS
step() { echo "== $* ($((SECONDS - started)) s)" >&2; }

step "setup: Kotlin compiler, JNA, Copilot CLI"
kotlin_home="$("$root/scripts/setup-kotlin.sh")"
cli="$("$root/scripts/setup-cli.sh")"
jna=/usr/share/java/jna.jar
klib="$kotlin_home/lib"

step "build: cdylib, bindgen, generated Kotlin + Swift, Kotlin jar"
jar="$("$here/build.sh" | tail -1)"
[ -f "$jar" ] || { echo "build.sh produced no jar" >&2; exit 1; }

step "check the generated Kotlin and Swift"
checks=0
check_fail=0
need() { # need <file> <extended regex> <what>
  checks=$((checks + 1))
  if ! grep -Eq -- "$2" "$1"; then
    echo "MISSING in $(basename "$1"): $3  (/$2/)" >&2
    check_fail=$((check_fail + 1))
  fi
}
kt="$out/kotlin/copilot/core/copilot_uniffi.kt"
need "$kt" '^package copilot\.core$' "Kotlin package from uniffi.toml"
swift="$out/swift/CopilotCore.swift"
header="$out/swift/CopilotCoreFFI.h"
modmap="$out/swift/CopilotCoreFFI.modulemap"
for f in "$swift" "$header" "$modmap"; do
  [ -s "$f" ] || { echo "Swift generation did not produce $f" >&2; exit 1; }
done
need "$modmap" '^module CopilotCoreFFI \{' "module name from uniffi.toml"
need "$swift" 'import CopilotCoreFFI' "imports the FFI module"
need "$header" 'uniffi_copilot_uniffi_fn_constructor_copilotclient_start' "C declaration of CopilotClient.start"
# The public API, as Swift spells it.
need "$swift" '^open class CopilotClient: CopilotClientProtocol' "class CopilotClient"
need "$swift" 'public static func start\(options: ClientOptions\) *async throws +-> CopilotClient' "CopilotClient.start"
need "$swift" 'func createSession\(config: SessionConfig\) *async throws +-> CopilotSession' "createSession"
need "$swift" 'func resumeSession\(sessionId: String, config: SessionConfig, disableResume: Bool = false\) *async throws' "resumeSession"
need "$swift" 'open func stop\(\) *async throws' "stop"
need "$swift" 'func listSessions\(\) *async throws +-> \[SessionMetadata\]' "listSessions"
need "$swift" 'func listModels\(\) *async throws +-> \[ModelInfo\]' "listModels"
need "$swift" 'func deleteSession\(sessionId: String\) *async throws' "deleteSession"
need "$swift" '^open class CopilotSession: CopilotSessionProtocol' "class CopilotSession"
need "$swift" 'open func send\(prompt: String, options: SendOptions\? = nil\) *async throws +-> String' "send"
need "$swift" 'open func sendAndWait\(prompt: String, options: SendOptions\? = nil\) *async throws +-> SessionEvent\?' "sendAndWait"
need "$swift" 'open func abort\(\) *async throws' "abort"
need "$swift" 'open func disconnect\(\) *async throws' "disconnect"
need "$swift" 'open func subscribe\(listener: SessionEventListener\) +-> TaskHandle' "subscribe"
need "$swift" 'open func eventStream\(\) +-> EventStream' "eventStream"
need "$swift" '^open class EventStream: EventStreamProtocol' "class EventStream"
need "$swift" 'open func nextBatch\(max: UInt32\) *async +-> EventBatch' "EventStream.nextBatch"
need "$swift" 'open func isClosed\(\) +-> Bool' "EventStream.isClosed"
need "$swift" '^public struct EventBatch' "struct EventBatch"
need "$swift" 'public var events: \[SessionEvent\]' "EventBatch.events"
need "$swift" 'public var lagged: UInt64' "EventBatch.lagged"
need "$swift" 'public var closed: Bool' "EventBatch.closed"
need "$swift" 'open func rpc\(\) +-> SessionRpc' "rpc()"
need "$swift" 'open func remote\(\) +-> RemoteRpc' "rpc().remote()"
need "$swift" 'open func enable\(mode: RemoteSessionMode\? = nil\) *async throws +-> RemoteEnableResult' "remote enable"
need "$swift" 'open func disable\(\) *async throws' "remote disable"
need "$swift" 'open func remoteUrl\(\) +-> String\?' "remoteUrl"
need "$swift" 'open func remoteQrSvg\(\) *throws +-> String' "remoteQrSvg"
need "$swift" 'open func isCloud\(\) +-> Bool' "isCloud"
need "$swift" 'open func isReady\(\) +-> Bool' "isReady"
need "$swift" 'open func waitUntilReady\(timeoutMs: UInt64\) *async throws' "waitUntilReady"
need "$swift" 'open func cancel\(\)' "TaskHandle.cancel"
need "$swift" '^public protocol PermissionHandler: AnyObject, Sendable' "protocol PermissionHandler"
need "$swift" 'func handle\(request: PermissionRequest, invocation: PermissionInvocation\) async throws +-> PermissionDecision' "PermissionHandler.handle"
need "$swift" '^public protocol ToolHandler: AnyObject, Sendable' "protocol ToolHandler"
need "$swift" 'func call\(invocation: ToolInvocation\) async throws +-> ToolResult' "ToolHandler.call"
need "$swift" '^public protocol UserInputHandler: AnyObject, Sendable' "protocol UserInputHandler"
need "$swift" 'func handle\(sessionId: String, request: UserInputRequest\) async throws +-> UserInputResponse' "UserInputHandler.handle"
need "$swift" '^public protocol HookHandler: AnyObject, Sendable' "protocol HookHandler"
need "$swift" 'func handle\(invocation: HookInvocation\) async throws +-> String\?' "HookHandler.handle"
need "$swift" '^public protocol ElicitationHandler: AnyObject, Sendable' "protocol ElicitationHandler"
need "$swift" 'func handle\(sessionId: String, request: ElicitationRequest\) async throws +-> ElicitationResult' "ElicitationHandler.handle"
need "$swift" '^public protocol ExitPlanModeHandler: AnyObject, Sendable' "protocol ExitPlanModeHandler"
need "$swift" 'func handle\(sessionId: String, request: ExitPlanModeRequest\) async throws +-> ExitPlanModeResponse' "ExitPlanModeHandler.handle"
need "$swift" 'hookHandler: HookHandler\? = nil' "SessionConfig(hookHandler:)"
need "$swift" 'elicitationHandler: ElicitationHandler\? = nil' "SessionConfig(elicitationHandler:)"
need "$swift" 'exitPlanModeHandler: ExitPlanModeHandler\? = nil' "SessionConfig(exitPlanModeHandler:)"
need "$swift" 'case accept$' "ElicitationAction.accept"
need "$swift" 'contentJson: String\? = nil' "ElicitationResult(contentJson:)"
need "$swift" 'selectedAction: String\? = nil' "ExitPlanModeResponse(selectedAction:)"
need "$swift" '^public protocol SessionEventListener: AnyObject, Sendable' "protocol SessionEventListener"
need "$swift" 'func onEvent\(event: SessionEvent\) async throws' "SessionEventListener.onEvent"
need "$swift" 'func onLagged\(skipped: UInt64\)' "SessionEventListener.onLagged"
need "$swift" 'func onClosed\(\)' "SessionEventListener.onClosed"
need "$swift" 'enum CopilotError: Swift.Error' "error type CopilotError"
need "$swift" 'case PolicyBlocked\(' "CopilotError.PolicyBlocked"
need "$swift" 'case Handler\(' "CopilotError.Handler"
need "$swift" 'public func kindName\(\) +-> String' "CopilotError.kindName"
need "$swift" 'case external\(' "Transport.external (mobile mode)"
need "$swift" 'case assistantMessageDelta\(' "EventData.assistantMessageDelta"
need "$swift" 'case assistantMessage\(' "EventData.assistantMessage"
need "$swift" '^public struct SessionConfig' "struct SessionConfig"
need "$swift" '^public struct ClientOptions' "struct ClientOptions"
need "$swift" 'public func permissionPresetFromName\(name: String\) *throws +-> PermissionPreset' "permissionPresetFromName"
need "$swift" 'public func eventDataValue\(event: SessionEvent, pointer: String\) +-> String\?' "eventDataValue"
# Every generated symbol the hand-written Swift helper uses (it cannot be compiled here).
need "$swift" 'textResultForLlm: String' "ToolResult(textResultForLlm:)"
need "$swift" 'success: Bool = true' "ToolResult.success default"
need "$swift" 'parametersJson: String\? = nil' "Tool(parametersJson:)"
need "$swift" 'handler: ToolHandler\? = nil' "Tool(handler:)"
need "$swift" 'skipPermission: Bool = false' "Tool(skipPermission:)"
need "$swift" 'detail: String' "CopilotError.Handler(detail:)"
need "$swift" 'public protocol TaskHandleProtocol' "TaskHandle"
helper="$here/swift/Sources/CopilotCore/CopilotCore+Async.swift"
for sym in 'eventStream()' 'nextBatch(max:' 'batch.lagged' 'batch.events' 'batch.closed' 'stream.cancel()' '.assistantMessageDelta(' 'eventDataValue(event:' 'permissionPresetFromName(name:'; do
  checks=$((checks + 1))
  grep -qF -- "$sym" "$helper" || { echo "the Swift helper no longer uses $sym: update test.sh" >&2; check_fail=$((check_fail + 1)); }
done
# Android flavour: generation with `android = true` (the AAR itself needs the NDK and SDK).
android_kt="$("$here/android/prepare.sh" --generate-only | tail -1)"
need "$android_kt" 'android\.system\.SystemCleaner' "Android object cleaner in the Android Kotlin"
need "$android_kt" '^package copilot\.core$' "Android Kotlin package"
echo "generated-code checks: $((checks - check_fail)) of $checks passed" >&2
[ "$check_fail" = 0 ] || { echo "0 passed, $check_fail failed"; exit 1; }

step "Rust unit tests of the binding crate"
(cd "$root" && cargo test -q -p copilot-uniffi --lib 2>&1 | tail -3)

step "compile the Kotlin tests and the README's Kotlin examples"
tests_jar="$CARGO_TARGET_DIR/kotlin-tests.jar"
snippets="$out/ReadmeSnippets.kt"
python3 "$here/kotlin/readme_snippets.py" "$here/README.md" "$snippets"
stamp="$(cat "$jar" "$here/kotlin/tests/CopilotTests.kt" "$snippets" | sha256sum | cut -d' ' -f1)"
if [ -f "$tests_jar" ] && [ "$(cat "$tests_jar.stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "   (test jar up to date)" >&2
else
  "$kotlin_home/bin/kotlinc" -nowarn -cp "$jar:$jna:$klib/kotlinx-coroutines-core-jvm.jar" \
    -d "$tests_jar" "$here/kotlin/tests/CopilotTests.kt" "$snippets"
  echo "$stamp" > "$tests_jar.stamp"
fi

step "start the stand-in"
tmp="$(mktemp -d)"
standin_pid=""
cleanup() {
  if [ -n "$standin_pid" ]; then kill "$standin_pid" 2>/dev/null || true; wait "$standin_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
python3 "$root/tests/standin/copilot_standin.py" --port 0 --log-level WARNING \
  --scenario "$here/kotlin/tests/scenario.json" >"$tmp/standin.out" 2>"$tmp/standin.err" &
standin_pid=$!
url=""
for _ in $(seq 1 100); do
  url="$(sed -n 's/^COPILOT_STANDIN_URL=//p' "$tmp/standin.out")"
  [ -n "$url" ] && break
  kill -0 "$standin_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$url" ] || { echo "the stand-in did not start:" >&2; cat "$tmp/standin.err" >&2; exit 1; }

step "Kotlin tests (JVM, real CLI, stand-in at $url)"
set +e
# No -Djna.library.path: the native library comes from the jar, as it does for users.
COPILOT_STANDIN_URL="$url" COPILOT_CLI_PATH="$cli" \
  java -cp "$tests_jar:$jar:$jna:$klib/kotlinx-coroutines-core-jvm.jar:$klib/kotlin-stdlib.jar" \
  CopilotTestsKt "$@" | tee "$tmp/kotlin.out"
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" != 0 ]; then
  echo "--- stand-in log (last 40 lines)" >&2
  tail -40 "$tmp/standin.err" >&2
fi
echo "uniffi test.sh took $((SECONDS - started)) s" >&2
summary="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$tmp/kotlin.out" | tail -1)"
[ -n "$summary" ] || summary="0 passed, 1 failed"
echo "$summary"
[ "$rc" = 0 ] && exit 0 || exit 1
