// Kotlin tests of the UniFFI binding, on the JVM, against the real Copilot CLI and our
// stand-in for GitHub's services. A small self-contained runner: each test is a function;
// the last line printed is "N passed, M failed"; the exit code is non-zero on failure.
//
// Environment (set by bindings/uniffi/test.sh):
//   COPILOT_CLI_PATH     the pinned CLI binary
//   COPILOT_STANDIN_URL  a running stand-in (tests reconfigure it through /_standin/*)
// Arguments: optional test names (substrings) to run only those.

import copilot.core.*
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.flow.transformWhile
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.withTimeoutOrNull
import java.io.File
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicReference
import kotlin.system.exitProcess

class TestFailure(message: String) : AssertionError(message)

fun check(cond: Boolean, message: () -> String) {
    if (!cond) throw TestFailure(message())
}

fun <T> checkEq(actual: T, expected: T, what: String) {
    if (actual != expected) throw TestFailure("$what: expected <$expected>, got <$actual>")
}

/** Inline, so [block] may suspend when the caller does. */
inline fun <reified E : Throwable> expectThrows(what: String, block: () -> Unit): E {
    try {
        block()
    } catch (e: Throwable) {
        if (e is E) return e
        throw TestFailure("$what: expected ${E::class.simpleName}, got $e")
    }
    throw TestFailure("$what: expected ${E::class.simpleName}, nothing was thrown")
}

const val TURN_MS = 60_000L

/** The stand-in, driven over its control endpoints. */
object StandIn {
    val url: String = System.getenv("COPILOT_STANDIN_URL") ?: error("COPILOT_STANDIN_URL is not set")
    private val http = HttpClient.newHttpClient()

    private fun call(method: String, path: String, body: String? = null): String {
        val b = HttpRequest.newBuilder(URI.create(url + path)).header("Content-Type", "application/json")
        val req = if (body == null) b.GET() else b.method(method, HttpRequest.BodyPublishers.ofString(body))
        val resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString())
        check(resp.statusCode() == 200) { "stand-in $method $path: ${resp.statusCode()} ${resp.body()}" }
        return resp.body()
    }

    fun reset() {
        call("POST", "/_standin/reset", "{}")
        config("""{"mc_mode": "ok", "worker_delay": 0, "task_start_delay": 0}""")
    }

    fun config(json: String) {
        call("POST", "/_standin/config", json)
    }

    /** Recorded requests whose path starts with [prefix], as JSON strings. */
    fun requests(prefix: String): List<String> {
        val all = call("GET", "/_standin/requests", null)
        val out = mutableListOf<String>()
        var i = 0
        while (true) {
            val r = jsonPointer(all, "/$i") ?: break
            if (jsonPointer(r, "/path")?.startsWith(prefix) == true) out += r
            i++
        }
        return out
    }
}

/** Fresh CLI state directories and a working directory, pointed at the stand-in. */
class Hermetic {
    val home: File = Files.createTempDirectory("copilot-kt-home").toFile()
    val workdir: File = Files.createTempDirectory("copilot-kt-work").toFile()
    val cli: String = System.getenv("COPILOT_CLI_PATH") ?: error("COPILOT_CLI_PATH is not set")

    val env: Map<String, String> = run {
        fun sub(n: String) = File(home, n).also { it.mkdirs() }.absolutePath
        mapOf(
            "COPILOT_HOME" to sub("copilot"),
            "XDG_CONFIG_HOME" to sub("config"),
            "XDG_STATE_HOME" to sub("state"),
            "GH_CONFIG_DIR" to sub("gh"),
            "COPILOT_CACHE_HOME" to sub("cache"),
            "COPILOT_API_URL" to StandIn.url,
            "COPILOT_DEBUG_GITHUB_API_URL" to StandIn.url,
            "COPILOT_MC_BASE_URL" to StandIn.url + "/agents",
        )
    }

    fun options(enableRemote: Boolean = false) = ClientOptions(
        cliPath = cli,
        cwd = workdir.absolutePath,
        env = env,
        envRemove = listOf("GH_TOKEN", "GITHUB_TOKEN", "COPILOT_GITHUB_TOKEN"),
        githubToken = "test-token",
        enableRemoteSessions = enableRemote,
    )

    fun cleanup() {
        home.deleteRecursively()
        workdir.deleteRecursively()
    }
}

/** Collects events up to and including the first of type [type]. */
suspend fun Flow<SessionEvent>.until(
    type: String,
    timeoutMs: Long = TURN_MS,
    onEach: suspend (SessionEvent) -> Unit = {},
): List<SessionEvent> =
    withTimeout(timeoutMs) {
        transformWhile {
            onEach(it)
            emit(it)
            it.eventType != type
        }.toList()
    }

fun types(evs: List<SessionEvent>) = evs.map { it.eventType }

/** Runs [block] with a started client and an environment, stopping both afterwards. */
suspend fun withClient(enableRemote: Boolean = false, block: suspend (CopilotClient, Hermetic) -> Unit) {
    val env = Hermetic()
    try {
        CopilotClient.start(env.options(enableRemote)).useThenStop { block(it, env) }
    } finally {
        env.cleanup()
    }
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

suspend fun startCreateSessionAndSendAndWait() = withClient { client, env ->
    checkEq(client.protocolVersion(), 3uL, "protocol version")
    check(!client.serverVersion().isNullOrEmpty()) { "server version missing" }
    check(client.cliPid() != null) { "a spawned CLI has a pid" }
    val session = client.createSession(SessionConfig(workingDirectory = env.workdir.absolutePath))
    check(session.id().isNotEmpty()) { "session id" }
    check(session.isReady() && !session.isCloud()) { "a local session is ready at once" }
    val reply = session.sendAndWait("hello there")
    checkEq(reply?.content, "Hello! I am the Copilot stand-in.", "reply")
    checkEq(reply?.eventType, "assistant.message", "event type")
    check(session.getMessages().any { it.eventType == "user.message" }) { "history has the prompt" }
    session.disconnect()
    session.disconnect() // idempotent
    val e = expectThrows<CopilotException>("send after disconnect") { session.send("again") }
    checkEq(e.kindName(), "session_closed", "kind after disconnect")
}

suspend fun streamedReplyArrivesAsAFlow() = withClient { client, env ->
    val session = client.createSession(SessionConfig(workingDirectory = env.workdir.absolutePath, streaming = true))
    val events = session.events()
    val id = session.send("hello, stream please")
    check(id.isNotEmpty()) { "message id" }
    val evs = events.until("session.idle")
    val deltas = evs.mapNotNull { it.deltaContent }
    check(deltas.size >= 2) { "expected several deltas, got $deltas in ${types(evs)}" }
    checkEq(deltas.joinToString(""), "Hello! I am the Copilot stand-in.", "streamed text")
    val full = evs.firstNotNullOfOrNull { it.content }
    checkEq(full, "Hello! I am the Copilot stand-in.", "assistant.message")
    check(evs.any { it.data is EventData.UserMessage }) { "user.message missing: ${types(evs)}" }
    check(evs.first().eventType == "session.start" || evs.any { it.eventType == "session.start" }) {
        "the backlog from create (session.start) reaches the first subscriber: ${types(evs)}"
    }
    val idle = evs.last().data
    check(idle is EventData.SessionIdle && !idle.aborted) { "ends with a non-aborted idle: $idle" }
    // The raw payload is there too.
    checkEq(evs.first { it.deltaContent != null }.dataValue("/messageId")?.isNotEmpty(), true, "data_json pointer")
}

/** What the stand-in streams for "count to three hundred": 300 deltas "0001 " ... "0300 ". */
val COUNT_TEXT = (1..300).joinToString("") { "%04d ".format(it) }

suspend fun hundredsOfStreamedDeltasArriveInOrderThroughTheFlow() = withClient { client, env ->
    val session = client.createSession(SessionConfig(workingDirectory = env.workdir.absolutePath, streaming = true))
    var lagged = 0uL
    // Small batches, so the turn takes many nextBatch calls.
    val events = session.events(maxBatch = 16, onLagged = { lagged += it })
    session.send("count to three hundred")
    val evs = events.until("session.idle")
    val deltas = evs.mapNotNull { it.deltaContent }
    checkEq(lagged, 0uL, "events lost to lag")
    checkEq(deltas.size, 300, "delta count")
    checkEq(deltas.joinToString(""), COUNT_TEXT, "every delta, in order")
    checkEq(evs.firstNotNullOfOrNull { it.content }, COUNT_TEXT, "assistant.message")
    val ids = evs.map { it.id }
    checkEq(ids.toSet().size, ids.size, "no event delivered twice")
}

suspend fun eventStreamBatchesReportLagAndTheEnd() {
    val env = Hermetic()
    try {
        // A bound of 8 events: a stream nobody pulls during the turn must lag.
        CopilotClient.start(env.options().copy(subscriberBound = 8u)).useThenStop { client -> coroutineScope {
            val session = client.createSession(SessionConfig(workingDirectory = env.workdir.absolutePath, streaming = true))
            val stream = session.eventStream()
            session.sendAndWait("count to three hundred")
            val batch = stream.nextBatch(1000u)
            check(batch.lagged > 0uL) { "the lag is reported, got ${batch.lagged}" }
            check(batch.events.isNotEmpty() && batch.events.size <= 8) { "at most the bound: ${types(batch.events)}" }
            check(batch.events.any { it.eventType == "session.idle" }) { "the newest events survive: ${types(batch.events)}" }
            check(!batch.closed) { "not closed yet" }
            // cancel() wakes a waiting nextBatch with the end.
            val other = session.eventStream()
            val waiting = async { other.nextBatch(10u) }
            delay(200)
            other.cancel()
            val end = within(1_000, "nextBatch after cancel()") { waiting.await() }
            check(end.closed && end.events.isEmpty()) { "cancel() ends the stream: $end" }
            check(other.isClosed()) { "isClosed after cancel" }
            // Disconnecting ends the first stream: a closed batch, and closed ones after it.
            session.disconnect()
            val last = within(5_000, "the end of the stream after disconnect") {
                var b = stream.nextBatch(1000u)
                while (!b.closed) b = stream.nextBatch(1000u)
                b
            }
            check(last.closed) { "closed" }
            val after = stream.nextBatch(10u)
            check(after.closed && after.events.isEmpty() && after.lagged == 0uL) { "stays closed: $after" }
            stream.close()
            other.close()
        } }
    } finally {
        env.cleanup()
    }
}

suspend fun abortEndsTheRunningTurn() = withClient { client, env ->
    val session = client.createSession(SessionConfig(workingDirectory = env.workdir.absolutePath, streaming = true))
    val events = session.events()
    session.send("a slow answer please")
    var abortedAt = 0L
    // Abort at the first delta; the turn then ends with an aborted idle, well before the 5 s
    // the whole answer takes.
    val evs = events.until("session.idle") {
        if (it.deltaContent != null && abortedAt == 0L) {
            abortedAt = System.nanoTime()
            session.abort()
        }
    }
    check(abortedAt != 0L) { "no delta before the idle: ${types(evs)}" }
    check(msSince(abortedAt) < 4_000) { "the idle came ${msSince(abortedAt)} ms after abort()" }
    val idle = evs.last().data
    check(idle is EventData.SessionIdle && idle.aborted) { "an aborted idle: $idle" }
}

suspend fun toolImplementedInKotlinGetsTheScriptedArguments() = withClient { client, env ->
    val calls = CopyOnWriteArrayList<ToolInvocation>()
    val weather = tool(
        name = "get_weather",
        description = "Current weather for a city",
        parametersJson = """{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string"}},"required":["city"]}""",
        skipPermission = true,
    ) { inv ->
        calls += inv
        delay(50) // a real suspension inside the handler
        ToolResult.success("sunny, 21 degrees in ${jsonPointer(inv.argumentsJson, "/city")}")
    }
    val session = client.createSession(SessionConfig(workingDirectory = env.workdir.absolutePath, tools = listOf(weather)))
    val reply = session.sendAndWait("what is the weather in Paris?")
    checkEq(reply?.content, "It is sunny in Paris.", "reply after the tool")
    checkEq(calls.size, 1, "tool calls")
    val inv = calls[0]
    checkEq(inv.toolName, "get_weather", "tool name")
    checkEq(jsonPointer(inv.argumentsJson, "/city"), "Paris", "city argument")
    checkEq(jsonPointer(inv.argumentsJson, "/unit"), "celsius", "unit argument")
    checkEq(inv.sessionId, session.id(), "session id")
    check(inv.toolCallId.isNotEmpty()) { "tool call id" }
    // The model saw the Kotlin result, and the tool was declared with its schema.
    val chats = StandIn.requests("/chat/completions")
    check(chats.any { it.contains("sunny, 21 degrees in Paris") }) { "the tool result never reached the model" }
    check(chats.any { it.contains("Current weather for a city") }) { "the tool was not declared" }
}

suspend fun toolThatThrowsBecomesAFailedResult() = withClient { client, env ->
    val failing = tool("get_weather", "Current weather", skipPermission = true) {
        throw IllegalStateException("weather service unreachable")
    }
    val session = client.createSession(SessionConfig(workingDirectory = env.workdir.absolutePath, tools = listOf(failing)))
    val events = session.events()
    val reply = session.sendAndWait("weather in Paris please")
    checkEq(reply?.content, "I could not get the weather.", "reply after a failed tool")
    val complete = events.until("session.idle").map { it.data }.filterIsInstance<EventData.ToolExecutionComplete>()
    check(complete.isNotEmpty() && !complete[0].success) { "a failed tool.execution_complete: $complete" }
    val chats = StandIn.requests("/chat/completions")
    check(chats.any { it.contains("weather service unreachable") }) { "the failure text reached the model" }
}

suspend fun permissionHandlerInKotlinDecides() = withClient { client, env ->
    val seen = CopyOnWriteArrayList<Pair<PermissionRequest, PermissionInvocation>>()
    val session = client.createSession(
        SessionConfig(
            workingDirectory = env.workdir.absolutePath,
            permissionHandler = permissionHandler { req, inv ->
                seen += req to inv
                delay(20)
                if (req.kind == "shell") PermissionDecision.ApproveOnce else PermissionDecision.Reject("only shell")
            },
        ),
    )
    val events = session.events()
    val reply = session.sendAndWait("run the shell for me")
    checkEq(reply?.content, "The shell step is done.", "reply")
    val shell = seen.firstOrNull { it.first.kind == "shell" } ?: throw TestFailure("no shell request: $seen")
    checkEq(shell.second.sessionId, session.id(), "invocation session id")
    check(shell.second.requestId.isNotEmpty()) { "request id" }
    check(jsonPointer(shell.first.dataJson, "/fullCommandText")?.contains("echo hi") == true) {
        "command text in the request: ${shell.first.dataJson}"
    }
    val evs = events.until("session.idle")
    val complete = evs.map { it.data }.filterIsInstance<EventData.ToolExecutionComplete>()
    check(complete.any { it.success }) { "the approved shell tool ran: $complete" }
    val completed = evs.map { it.data }.filterIsInstance<EventData.PermissionCompleted>()
    check(completed.any { it.resultKind.startsWith("approved") }) { "permission.completed approved: $completed" }
}

suspend fun permissionsDenyAllByDefault() = withClient { client, env ->
    val session = client.createSession(SessionConfig(workingDirectory = env.workdir.absolutePath))
    val events = session.events()
    val reply = session.sendAndWait("run the shell for me")
    checkEq(reply?.content, "The shell step is done.", "the turn still finishes")
    val complete = events.until("session.idle").map { it.data }.filterIsInstance<EventData.ToolExecutionComplete>()
    check(complete.isNotEmpty()) { "no tool.execution_complete" }
    check(complete.none { it.success }) { "the shell ran without permission: $complete" }
    check(complete.any { it.errorJson?.contains("denied") == true }) { "denied error: $complete" }
}

suspend fun hookHandlerInKotlinChangesWhatTheModelSees() = withClient { client, env ->
    val seen = CopyOnWriteArrayList<HookInvocation>()
    val mode = AtomicReference("context")
    val session = client.createSession(
        SessionConfig(
            workingDirectory = env.workdir.absolutePath,
            hookHandler = hookHandler { inv ->
                seen += inv
                delay(20) // a real suspension inside the handler
                when {
                    inv.hookType != "userPromptSubmitted" -> null
                    mode.get() == "context" -> """{"additionalContext": "HOOK-CONTEXT-KT-4412"}"""
                    mode.get() == "modify" -> """{"modifiedPrompt": "hello MODIFIED-PROMPT-KT-2291"}"""
                    else -> throw IllegalStateException("hook bug")
                }
            },
        ),
    )
    // 1. additionalContext reaches the model.
    check(session.sendAndWait("hello hooks") != null) { "a reply to the first turn" }
    val submitted = seen.filter { it.hookType == "userPromptSubmitted" }
    checkEq(submitted.size, 1, "userPromptSubmitted invocations after one turn (all hooks: ${seen.map { it.hookType }})")
    checkEq(submitted[0].sessionId, session.id(), "invocation session id")
    check(jsonPointer(submitted[0].inputJson, "/prompt")?.contains("hello hooks") == true) {
        "the hook input has the prompt: ${submitted[0].inputJson}"
    }
    check(StandIn.requests("/chat/completions").any { it.contains("HOOK-CONTEXT-KT-4412") }) {
        "the hook's additionalContext did not reach the model"
    }
    // 2. modifiedPrompt replaces the prompt the model sees.
    mode.set("modify")
    check(session.sendAndWait("hello again, original") != null) { "a reply to the second turn" }
    val last = StandIn.requests("/chat/completions").last()
    check(last.contains("MODIFIED-PROMPT-KT-2291")) { "the modified prompt did not reach the model: $last" }
    // 3. A hook that throws is ignored: the turn still ends, with the prompt unchanged.
    mode.set("throw")
    val before = seen.size
    val reply = within(TURN_MS, "the turn after a throwing hook") { session.sendAndWait("hello once more") }
    check(reply != null) { "a reply after a throwing hook" }
    check(seen.drop(before).any { it.hookType == "userPromptSubmitted" }) { "the throwing hook ran" }
    check(StandIn.requests("/chat/completions").last().contains("hello once more")) { "the prompt reached the model" }
}

suspend fun elicitationHandlerInKotlinAnswersUiRequests() = withClient { client, env ->
    val seen = CopyOnWriteArrayList<Pair<String, ElicitationRequest>>()
    val session = client.createSession(
        SessionConfig(
            workingDirectory = env.workdir.absolutePath,
            elicitationHandler = elicitationHandler { sessionId, req ->
                seen += sessionId to req
                delay(20)
                when (req.message) {
                    "Deploy?" -> ElicitationResult.accept("""{"confirmed": true}""")
                    "Crash?" -> throw IllegalStateException("ui bug")
                    "Bad content?" -> ElicitationResult.accept("[1, 2]") // not an object
                    else -> ElicitationResult.decline()
                }
            },
        ),
    )
    val schema = """{"type":"object","properties":{"confirmed":{"type":"boolean"}}}"""
    fun ask(message: String) = """{"message": "$message", "requestedSchema": $schema}"""
    val deploy = session.call("session.ui.elicitation", ask("Deploy?"))
    checkEq(jsonPointer(deploy, "/action"), "accept", "action of an accepted elicitation ($deploy)")
    checkEq(jsonPointer(deploy, "/content/confirmed"), "true", "content of an accepted elicitation ($deploy)")
    val (sessionId, req) = seen.firstOrNull() ?: throw TestFailure("the handler was not called")
    checkEq(sessionId, session.id(), "session id")
    checkEq(req.message, "Deploy?", "message")
    checkEq(jsonPointer(req.requestedSchemaJson ?: "", "/properties/confirmed/type"), "boolean", "requested schema")
    check(req.requestId.isNotEmpty()) { "request id" }
    checkEq(jsonPointer(req.dataJson, "/message"), "Deploy?", "the whole request as JSON")
    val where = session.call("session.ui.elicitation", ask("Where?"))
    checkEq(jsonPointer(where, "/action"), "decline", "a declined elicitation ($where)")
    checkEq(jsonPointer(where, "/content"), null, "no content when declined")
    // A handler that throws, or answers content that is not an object, cancels; the session
    // goes on.
    val crash = within(TURN_MS, "the answer of a throwing handler") { session.call("session.ui.elicitation", ask("Crash?")) }
    checkEq(jsonPointer(crash, "/action"), "cancel", "a throwing handler cancels ($crash)")
    val bad = session.call("session.ui.elicitation", ask("Bad content?"))
    checkEq(jsonPointer(bad, "/action"), "cancel", "content that is not an object cancels ($bad)")
    checkEq(seen.size, 4, "handler calls")
    checkEq(session.sendAndWait("hello after the dialogs")?.content, "Hello! I am the Copilot stand-in.", "a turn afterwards")
}

suspend fun exitPlanModeHandlerInKotlinDecides() = withClient { client, env ->
    val seen = CopyOnWriteArrayList<Pair<String, ExitPlanModeRequest>>()
    val session = client.createSession(
        SessionConfig(
            workingDirectory = env.workdir.absolutePath,
            exitPlanModeHandler = exitPlanModeHandler { sessionId, req ->
                seen += sessionId to req
                delay(20)
                ExitPlanModeResponse(approved = false, feedback = "needs tests")
            },
        ),
    )
    session.call("session.mode.set", """{"mode": "plan"}""")
    val events = session.events()
    checkEq(session.sendAndWait("plan a README")?.content, "Done planning.", "reply after the plan tool")
    checkEq(seen.size, 1, "handler calls")
    val (sessionId, req) = seen[0]
    checkEq(sessionId, session.id(), "session id")
    checkEq(req.summary, "Add a README", "summary")
    check(req.actions.containsAll(listOf("autopilot", "interactive"))) { "actions: ${req.actions}" }
    checkEq(req.recommendedAction, "interactive", "recommended action")
    val done = events.until("session.idle").firstOrNull { it.eventType == "exit_plan_mode.completed" }
        ?: throw TestFailure("no exit_plan_mode.completed")
    checkEq(done.dataValue("/approved"), "false", "exit_plan_mode.completed approved")
    // The model saw the rejection and its feedback in the tool result.
    val toolTurn = StandIn.requests("/chat/completions").lastOrNull { jsonPointer(it, "/standin/tool_name") == "exit_plan_mode" }
        ?: throw TestFailure("no model request after the exit_plan_mode tool")
    check(toolTurn.contains("needs tests")) { "the feedback did not reach the model: $toolTurn" }

    // A handler that throws: not approved, and the turn still ends.
    val throwing = client.createSession(
        SessionConfig(
            workingDirectory = env.workdir.absolutePath,
            exitPlanModeHandler = exitPlanModeHandler { _, _ -> throw IllegalStateException("plan UI bug") },
        ),
    )
    throwing.call("session.mode.set", """{"mode": "plan"}""")
    val events2 = throwing.events()
    val reply = within(TURN_MS, "the turn after a throwing exit-plan handler") { throwing.sendAndWait("plan a README please") }
    checkEq(reply?.content, "Done planning.", "reply after a throwing handler")
    val done2 = events2.until("session.idle").firstOrNull { it.eventType == "exit_plan_mode.completed" }
        ?: throw TestFailure("no exit_plan_mode.completed after a throwing handler")
    checkEq(done2.dataValue("/approved"), "false", "a throwing handler does not approve")
    val toolTurn2 = StandIn.requests("/chat/completions").lastOrNull { jsonPointer(it, "/standin/tool_name") == "exit_plan_mode" }
        ?: throw TestFailure("no model request after the second exit_plan_mode tool")
    check(toolTurn2.contains("did not respond")) { "the CLI's not-approved feedback reaches the model: $toolTurn2" }
}

suspend fun remoteEnableGivesTheUrlAndQr() = withClient { client, env ->
    val session = client.createSession(SessionConfig(workingDirectory = env.workdir.absolutePath))
    checkEq(session.remoteUrl(), null, "no URL before enable")
    val noUrl = expectThrows<CopilotException.InvalidConfig>("QR without URL") { session.remoteQrSvg() }
    check(noUrl.detail.contains("remote")) { noUrl.detail }
    val events = session.events()
    val result = session.rpc().remote().enable()
    val url = result.url ?: throw TestFailure("enable returned no URL")
    check(url.startsWith("https://github.com/copilot/tasks/")) { url }
    check(result.remoteSteerable) { "steerable after enable" }
    checkEq(session.remoteUrl(), url, "kept URL")
    check(session.remoteSteerable()) { "remoteSteerable()" }
    val svg = session.remoteQrSvg()
    check(svg.contains("<svg") && svg.contains("</svg>")) { "SVG QR code" }
    check(session.remoteQrText().isNotBlank()) { "text QR code" }
    val changed = events.until("session.remote_steerable_changed").last().data
    checkEq(changed, EventData.RemoteSteerableChanged(true), "steerable event")
    session.rpc().remote().disable()
    check(!session.remoteSteerable()) { "not steerable after disable" }
    checkEq(session.remoteUrl(), url, "URL kept after disable")
    check(StandIn.requests("/agents/sessions").any { jsonPointer(it, "/body/id") == session.id() }) {
        "Mission Control saw the export"
    }
}

suspend fun cloudSessionCreateAndFirstSend() {
    // The cloud worker starts late: the first send must wait for it, not be dropped.
    StandIn.config("""{"worker_delay": 1.5}""")
    withClient { client, _ ->
        val session = client.createSession(
            SessionConfig(
                streaming = true,
                cloud = CloudSessionOptions(CloudSessionRepository("octo", "hello-world", "main")),
            ),
        )
        check(session.isCloud()) { "isCloud" }
        check(session.id().isNotEmpty()) { "the server assigned an id" }
        val events = session.events()
        session.send("status report please")
        check(session.isReady()) { "ready after the first send" }
        session.waitUntilReady(1_000uL)
        val evs = events.until("session.idle")
        val starts = evs.map { it.data }.filterIsInstance<EventData.SessionStart>()
        check(starts.any { it.producer == "copilot-agent" }) { "the cloud agent announced itself: $starts" }
        checkEq(evs.mapNotNull { it.deltaContent }.joinToString(""), "All systems nominal in the cloud.", "cloud reply")
        val steers = StandIn.requests("/agents/tasks")
        check(steers.any { jsonPointer(it, "/path")!!.endsWith("/steer") && it.contains("status report") }) {
            "the prompt reached the worker"
        }
        val task = steers.first { jsonPointer(it, "/method") == "POST" && jsonPointer(it, "/path") == "/agents/tasks" }
        checkEq(jsonPointer(task, "/body/repositories/0/owner"), "octo", "repository owner")
    }
}

suspend fun cloudPolicyRefusalIsATypedError() {
    StandIn.config("""{"mc_mode": "policy_blocked"}""")
    withClient { client, _ ->
        val e = expectThrows<CopilotException.PolicyBlocked>("policy") {
            client.createSession(SessionConfig(cloud = CloudSessionOptions()))
        }
        checkEq(e.kindName(), "policy_blocked", "kind")
    }
}

/** Starts `copilot --headless --port 0` as an external server would run; returns it and its port. */
fun externalServer(env: Hermetic, token: String): Pair<Process, Int> {
    val pb = ProcessBuilder(env.cli, "--headless", "--port", "0", "--no-auto-update")
        .directory(env.workdir)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
    pb.environment().apply {
        remove("GITHUB_TOKEN"); remove("COPILOT_GITHUB_TOKEN")
        putAll(env.env)
        put("COPILOT_CONNECTION_TOKEN", token)
        put("GH_TOKEN", "external-token")
    }
    val proc = pb.start()
    val reader = proc.inputStream.bufferedReader()
    val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30)
    while (System.nanoTime() < deadline) {
        val line = reader.readLine() ?: break
        val port = line.substringAfter("listening on port ", "").trim()
        if (port.isNotEmpty()) {
            Thread { reader.forEachLine { } }.apply { isDaemon = true }.start()
            return proc to port.toInt()
        }
    }
    proc.destroyForcibly()
    throw TestFailure("the external CLI server did not report its port")
}

suspend fun externalServerOverTcpWithConnectionToken() {
    val env = Hermetic()
    val (server, port) = externalServer(env, "s3cret-token")
    try {
        fun ext(token: String?) = ClientOptions(transport = Transport.External("127.0.0.1", port.toUShort(), token))
        val wrong = expectThrows<CopilotException>("wrong token") { CopilotClient.start(ext("wrong")) }
        check(wrong.detail().contains("token")) { wrong.detail() }
        CopilotClient.start(ext("s3cret-token").copy(enableRemoteSessions = true)).useThenStop { client ->
            checkEq(client.cliPid(), null, "no process of our own")
            check(client.warnings().any { it.contains("enable_remote_sessions") }) { "warning: ${client.warnings()}" }
            val session = client.createSession(SessionConfig(workingDirectory = env.workdir.absolutePath))
            val reply = session.sendAndWait("external hello")
            checkEq(reply?.content, "Hello from the external server.", "reply over TCP")
        }
        // stop() disconnects from an external server; it does not shut the server down.
        delay(1000)
        check(server.isAlive) { "the external server must survive a client's stop()" }
        CopilotClient.start(ext("s3cret-token")).useThenStop { again ->
            checkEq(again.ping().message.startsWith("pong"), true, "a second client on the same server")
        }
    } finally {
        server.destroy()
        if (!server.waitFor(5, TimeUnit.SECONDS)) server.destroyForcibly()
        env.cleanup()
    }
}

suspend fun errorsSurfaceAsCopilotException() {
    val missing = expectThrows<CopilotException.CliNotFound>("missing CLI") {
        CopilotClient.start(ClientOptions(cliPath = "/nonexistent/copilot"))
    }
    checkEq(missing.kindName(), "cli_not_found", "kind")
    check(missing.detail.contains("npm install")) { missing.detail }
    check(missing is Exception && missing.message!!.isNotEmpty()) { "a Kotlin exception with a message" }

    val bad = expectThrows<CopilotException.InvalidConfig>("bad log level") {
        CopilotClient.start(ClientOptions(logLevel = "chatty"))
    }
    check(bad.detail.contains("chatty")) { bad.detail }

    withClient { client, env ->
        val session = client.createSession(SessionConfig(workingDirectory = env.workdir.absolutePath))
        val e = expectThrows<CopilotException.Session>("HTTP 400 turn") { session.sendAndWait("bad request") }
        checkEq(e.statusCode, 400.toUShort(), "status code")
        check(e.errorMessage.contains("refuses")) { e.errorMessage }
        checkEq(e.kindName(), "session", "kind")
        // The session stays usable after a failed turn.
        checkEq(session.sendAndWait("hello again")?.content, "Hello! I am the Copilot stand-in.", "next turn")

        expectThrows<CopilotException.Json>("malformed JSON") {
            client.createSession(SessionConfig(extraJson = "{not json"))
        }
        expectThrows<CopilotException.InvalidConfig>("handler and preset") {
            client.createSession(
                SessionConfig(
                    permissionHandler = permissionHandler { _, _ -> PermissionDecision.ApproveOnce },
                    permissionPreset = PermissionPreset.APPROVE_ALL,
                ),
            )
        }
        val rpc = expectThrows<CopilotException.Rpc>("unknown method") { client.call("no.such.method") }
        check(rpc.code != 0L) { "rpc code" }
        client.stop()
        val stopped = expectThrows<CopilotException.ClientStopped>("after stop") {
            client.createSession(SessionConfig())
        }
        check(stopped.isConnectionLost()) { "isConnectionLost" }
    }
}

fun pidAlive(pid: UInt?): Boolean =
    pid != null && ProcessHandle.of(pid.toLong()).map { it.isAlive }.orElse(false)

suspend fun waitDead(pid: UInt?, ms: Long): Boolean {
    val end = System.currentTimeMillis() + ms
    while (System.currentTimeMillis() < end) {
        if (!pidAlive(pid)) return true
        delay(100)
    }
    return !pidAlive(pid)
}

suspend fun droppingObjectsWithoutStopDoesNotCrash() {
    val env = Hermetic()
    try {
        // 1. Explicit close() (the Rust drop) on a bare JVM thread, no stop(), with a live
        //    listener and a pending Flow nobody collects.
        var client: CopilotClient? = CopilotClient.start(env.options())
        var session: CopilotSession? = client!!.createSession(SessionConfig(workingDirectory = env.workdir.absolutePath, streaming = true))
        session!!.events()
        checkEq(session.sendAndWait("hello")?.content, "Hello! I am the Copilot stand-in.", "turn before the drop")
        val pid1 = client.cliPid()
        val c = client
        val s = session
        val t = Thread {
            s.close()
            c.close()
        }
        t.start()
        t.join(10_000)
        check(!t.isAlive) { "close() on a bare thread returned" }
        client = null
        session = null
        check(waitDead(pid1, 15_000)) { "the CLI of a dropped client should be killed" }

        // 2. No close() at all: the garbage collector's cleaner thread drops them.
        var pid2: UInt? = null
        run {
            val c2 = CopilotClient.start(env.options())
            val s2 = c2.createSession(SessionConfig(workingDirectory = env.workdir.absolutePath))
            s2.rpc().remote() // extra objects holding the session
            s2.subscribe(object : SessionEventListener {
                override suspend fun onEvent(event: SessionEvent) {}
                override fun onLagged(skipped: ULong) {}
                override fun onClosed() {}
            })
            pid2 = c2.cliPid()
        }
        var dead = false
        for (i in 0 until 50) {
            System.gc()
            delay(200)
            if (!pidAlive(pid2)) {
                dead = true
                break
            }
        }
        check(dead) { "the CLI of a garbage-collected client should be killed" }

        // 3. The binding still works afterwards.
        CopilotClient.start(env.options()).useThenStop { c3 ->
            val s3 = c3.createSession(SessionConfig(workingDirectory = env.workdir.absolutePath))
            checkEq(s3.sendAndWait("hello after drops")?.content, "Hello! I am the Copilot stand-in.", "turn after drops")
        }
    } finally {
        env.cleanup()
    }
}

/** [block] bounded by [ms], failing with [what] in the message. */
suspend fun <T> within(ms: Long, what: String, block: suspend () -> T): T =
    withTimeoutOrNull(ms) { block() } ?: throw TestFailure("$what: nothing after $ms ms")

/** SIGKILLs [pid] (Process.destroyForcibly is SIGKILL on Unix); returns the kill time. */
fun sigkill(pid: UInt): Long {
    val h = ProcessHandle.of(pid.toLong()).orElseThrow { TestFailure("no process $pid") }
    check(h.destroyForcibly()) { "could not kill $pid" }
    return System.nanoTime()
}

fun msSince(t0: Long) = (System.nanoTime() - t0) / 1_000_000

suspend fun cliKilledMidTurnIsATypedConnectionLostWithinOneSecond() = coroutineScope {
    val env = Hermetic()
    try {
        val client = CopilotClient.start(env.options())
        val toolStarted = CompletableDeferred<Unit>()
        val toolEnded = CompletableDeferred<Throwable?>()
        // A Kotlin tool that never returns: the turn is in flight, a handler running, when the
        // CLI dies.
        val slow = tool("slow_tool", "Takes forever", skipPermission = true) {
            toolStarted.complete(Unit)
            try {
                awaitCancellation()
            } catch (e: Throwable) {
                toolEnded.complete(e)
                throw e
            }
        }
        val session = client.createSession(SessionConfig(workingDirectory = env.workdir.absolutePath, tools = listOf(slow)))
        val closed = CompletableDeferred<Unit>()
        val seen = CopyOnWriteArrayList<String>()
        val listening = session.subscribe(object : SessionEventListener {
            override suspend fun onEvent(event: SessionEvent) { seen += event.eventType }
            override fun onLagged(skipped: ULong) {}
            override fun onClosed() { closed.complete(Unit) }
        })
        val flowEnds = async { session.events().toList() } // completes on the closed signal
        val turn = async { runCatching { session.sendAndWait("slow tool please") } }
        withTimeout(TURN_MS) { toolStarted.await() }
        val pid = client.cliPid() ?: throw TestFailure("a spawned CLI has a pid")
        val killedAt = sigkill(pid)
        val r = within(5_000, "sendAndWait after the kill") { turn.await() }
        val ms = msSince(killedAt)
        val e = r.exceptionOrNull()
        check(e is CopilotException.ConnectionLost) { "sendAndWait after the kill: expected ConnectionLost, got $r" }
        check(ms < 1_000) { "the pending sendAndWait failed ${ms} ms after the kill (bound 1000 ms)" }
        println("   sendAndWait failed with ConnectionLost $ms ms after the SIGKILL")
        check((e as CopilotException).isConnectionLost()) { "isConnectionLost()" }
        within(5_000, "the listener's onClosed") { closed.await() }
        check(listening.isFinished()) { "the listener task ended" }
        within(5_000, "the end of the events() Flow") { flowEnds.await() }
        check(seen.contains("tool.execution_start")) { "events before the kill were delivered: $seen" }
        // Later calls fail at once with a typed error, and stop() still returns and reaps.
        val later = expectThrows<CopilotException>("send after the kill") { session.send("again") }
        check(later.isConnectionLost() || later is CopilotException.SessionClosed) { "typed: $later" }
        val stopAt = System.nanoTime()
        client.stop()
        check(msSince(stopAt) < 10_000) { "stop() after the kill took ${msSince(stopAt)} ms" }
        check(!pidAlive(pid)) { "the killed CLI was reaped" }
        client.close()
        val ended = withTimeoutOrNull(2_000) { toolEnded.await() }
        println("   the Kotlin tool's coroutine after stop(): $ended")
        check(ended != null) { "the running Kotlin tool was not cancelled when its session closed" }
    } finally {
        env.cleanup()
    }
}

suspend fun cliKilledDuringCreateIsATypedConnectionLostWithinOneSecond() = coroutineScope {
    // The stand-in holds back the cloud task's first session.start, so createSession waits.
    StandIn.config("""{"task_start_delay": 8}""")
    val env = Hermetic()
    try {
        val client = CopilotClient.start(env.options())
        val create = async { runCatching { client.createSession(SessionConfig(cloud = CloudSessionOptions())) } }
        delay(1_500)
        check(!create.isCompleted) { "createSession should still wait for the cloud task" }
        val pid = client.cliPid() ?: throw TestFailure("pid")
        val killedAt = sigkill(pid)
        val r = within(5_000, "createSession after the kill") { create.await() }
        val ms = msSince(killedAt)
        check(r.exceptionOrNull() is CopilotException.ConnectionLost) { "expected ConnectionLost, got $r" }
        check(ms < 1_000) { "createSession failed ${ms} ms after the kill (bound 1000 ms)" }
        println("   createSession failed with ConnectionLost $ms ms after the SIGKILL")
        client.stop()
        client.close()
    } finally {
        env.cleanup()
    }
}

suspend fun badInputIsATypedError() {
    // Presets by name, as configuration files spell them.
    checkEq(permissionPresetFromName("approve-safety"), PermissionPreset.APPROVE_SAFETY, "preset by name")
    checkEq(PermissionPreset.fromName("deny_all"), PermissionPreset.DENY_ALL, "underscores accepted")
    val unknown = expectThrows<CopilotException.InvalidConfig>("unknown preset") { PermissionPreset.fromName("yolo") }
    check(unknown.detail.contains("yolo")) { unknown.detail }
    // Options and configurations the SDK cannot use: typed errors, and the client survives.
    withClient { client, env ->
        val dir = env.workdir.absolutePath
        expectThrows<CopilotException.InvalidConfig>("tool parameters not an object") {
            client.createSession(SessionConfig(workingDirectory = dir, tools = listOf(tool("t", "d", parametersJson = "[1, 2]") { ToolResult.success("x") })))
        }
        expectThrows<CopilotException.Json>("tool parameters not JSON") {
            client.createSession(SessionConfig(workingDirectory = dir, tools = listOf(tool("t", "d", parametersJson = "{") { ToolResult.success("x") })))
        }
        expectThrows<CopilotException.InvalidConfig>("extra_json not an object") {
            client.createSession(SessionConfig(workingDirectory = dir, extraJson = "\"text\""))
        }
        val session = client.createSession(SessionConfig(workingDirectory = dir))
        expectThrows<CopilotException.InvalidConfig>("attachment not an object") {
            session.send("hi", SendOptions(attachments = listOf(Attachment.Json("42"))))
        }
        expectThrows<CopilotException.Json>("params_json not JSON") { session.call("session.getMessages", "nope") }
        // The client is still fine after all that.
        checkEq(session.sendAndWait("hello")?.content, "Hello! I am the Copilot stand-in.", "turn after bad input")
    }
}

val tests: List<Pair<String, suspend () -> Unit>> = listOf(
    "startCreateSessionAndSendAndWait" to ::startCreateSessionAndSendAndWait,
    "streamedReplyArrivesAsAFlow" to ::streamedReplyArrivesAsAFlow,
    "hundredsOfStreamedDeltasArriveInOrderThroughTheFlow" to ::hundredsOfStreamedDeltasArriveInOrderThroughTheFlow,
    "eventStreamBatchesReportLagAndTheEnd" to ::eventStreamBatchesReportLagAndTheEnd,
    "abortEndsTheRunningTurn" to ::abortEndsTheRunningTurn,
    "toolImplementedInKotlinGetsTheScriptedArguments" to ::toolImplementedInKotlinGetsTheScriptedArguments,
    "toolThatThrowsBecomesAFailedResult" to ::toolThatThrowsBecomesAFailedResult,
    "permissionHandlerInKotlinDecides" to ::permissionHandlerInKotlinDecides,
    "permissionsDenyAllByDefault" to ::permissionsDenyAllByDefault,
    "hookHandlerInKotlinChangesWhatTheModelSees" to ::hookHandlerInKotlinChangesWhatTheModelSees,
    "elicitationHandlerInKotlinAnswersUiRequests" to ::elicitationHandlerInKotlinAnswersUiRequests,
    "exitPlanModeHandlerInKotlinDecides" to ::exitPlanModeHandlerInKotlinDecides,
    "remoteEnableGivesTheUrlAndQr" to ::remoteEnableGivesTheUrlAndQr,
    "cloudSessionCreateAndFirstSend" to ::cloudSessionCreateAndFirstSend,
    "cloudPolicyRefusalIsATypedError" to ::cloudPolicyRefusalIsATypedError,
    "externalServerOverTcpWithConnectionToken" to ::externalServerOverTcpWithConnectionToken,
    "errorsSurfaceAsCopilotException" to ::errorsSurfaceAsCopilotException,
    "badInputIsATypedError" to ::badInputIsATypedError,
    "cliKilledMidTurnIsATypedConnectionLostWithinOneSecond" to ::cliKilledMidTurnIsATypedConnectionLostWithinOneSecond,
    "cliKilledDuringCreateIsATypedConnectionLostWithinOneSecond" to ::cliKilledDuringCreateIsATypedConnectionLostWithinOneSecond,
    "droppingObjectsWithoutStopDoesNotCrash" to ::droppingObjectsWithoutStopDoesNotCrash,
)

fun main(args: Array<String>) {
    val selected = tests.filter { (name, _) -> args.isEmpty() || args.any { name.contains(it) } }
    var passed = 0
    var failed = 0
    for ((name, test) in selected) {
        val start = System.nanoTime()
        try {
            StandIn.reset()
            runBlocking { withTimeout(180_000) { test() } }
            passed++
            println("PASS $name (${(System.nanoTime() - start) / 1_000_000} ms)")
        } catch (e: Throwable) {
            failed++
            println("FAIL $name (${(System.nanoTime() - start) / 1_000_000} ms): $e")
            e.printStackTrace(System.out)
        }
        System.out.flush()
    }
    println("$passed passed, $failed failed")
    System.out.flush()
    exitProcess(if (failed == 0 && passed > 0) 0 else 1)
}
