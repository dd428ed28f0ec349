// Hand-written Kotlin conveniences over the generated bindings (copilot_uniffi.kt, same
// package). Everything here is sugar: the generated API works without it.
package copilot.core

import com.sun.jna.CallbackThreadInitializer
import com.sun.jna.Native
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.flow.onCompletion

/**
 * The session's events as a [Flow].
 *
 * The subscription starts when this is called, not when the flow is collected, so
 * `val events = session.events(); session.send("...")` misses nothing even if the collector
 * starts later. Collect it once. The flow completes when the session is disconnected or the
 * client stopped; cancelling the collector (or `take`, `first`, `takeWhile`, ...) ends the
 * subscription.
 *
 * Events are pulled from an [EventStream] in batches: one suspending call returns every event
 * already queued (at most [maxBatch]), so the FFI cost is per batch, not per event.
 * Back-pressure: nothing is pulled while the collector is busy; meanwhile events wait in the
 * SDK's per-subscriber queue, and a consumer that falls more than its bound behind loses the
 * oldest events and is told through [onLagged] (called just before the events that follow
 * the gap). A flow that is never collected keeps its subscription until the session closes
 * or the flow is garbage-collected.
 */
fun CopilotSession.events(
    maxBatch: Int = 1024,
    onLagged: (skipped: ULong) -> Unit = {},
): Flow<SessionEvent> {
    CopilotCallbackThreads.install()
    val stream = eventStream()
    val max = maxBatch.coerceAtLeast(1).toUInt()
    return flow {
        while (true) {
            val batch = stream.nextBatch(max)
            if (batch.lagged > 0uL) onLagged(batch.lagged)
            for (event in batch.events) emit(event)
            if (batch.closed) break
        }
    }.onCompletion {
        stream.cancel()
        stream.close()
    }
}

/**
 * Keeps the native threads that call into Kotlin attached to the JVM.
 *
 * JNA attaches a native (tokio) thread to the JVM for every callback into Kotlin and, by
 * default, detaches it afterwards: each callback then creates and tears down a
 * `java.lang.Thread`. With [install] the SDK's callbacks (async-call wake-ups, handlers,
 * listeners) leave their thread attached, as a daemon thread named `copilot-callback`, until
 * the native thread exits. The helpers here ([events], [tool], [permissionHandler],
 * [hookHandler], [elicitationHandler], [exitPlanModeHandler], [useThenStop]) install it;
 * code that uses only the generated API can call it once itself.
 */
object CopilotCallbackThreads {
    private val installed: Unit by lazy {
        val attached = CallbackThreadInitializer(true, false, "copilot-callback")
        val callbacks: List<com.sun.jna.Callback> = listOf(
            uniffiRustFutureContinuationCallbackImpl,
            uniffiForeignFutureDroppedCallbackImpl,
            uniffiCallbackInterfaceSessionEventListener.`onEvent`,
            uniffiCallbackInterfaceSessionEventListener.`onLagged`,
            uniffiCallbackInterfaceSessionEventListener.`onClosed`,
            uniffiCallbackInterfaceSessionEventListener.uniffiFree,
            uniffiCallbackInterfaceSessionEventListener.uniffiClone,
            uniffiCallbackInterfaceToolHandler.`call`,
            uniffiCallbackInterfaceToolHandler.uniffiFree,
            uniffiCallbackInterfaceToolHandler.uniffiClone,
            uniffiCallbackInterfacePermissionHandler.`handle`,
            uniffiCallbackInterfacePermissionHandler.uniffiFree,
            uniffiCallbackInterfacePermissionHandler.uniffiClone,
            uniffiCallbackInterfaceUserInputHandler.`handle`,
            uniffiCallbackInterfaceUserInputHandler.uniffiFree,
            uniffiCallbackInterfaceUserInputHandler.uniffiClone,
            uniffiCallbackInterfaceHookHandler.`handle`,
            uniffiCallbackInterfaceHookHandler.uniffiFree,
            uniffiCallbackInterfaceHookHandler.uniffiClone,
            uniffiCallbackInterfaceElicitationHandler.`handle`,
            uniffiCallbackInterfaceElicitationHandler.uniffiFree,
            uniffiCallbackInterfaceElicitationHandler.uniffiClone,
            uniffiCallbackInterfaceExitPlanModeHandler.`handle`,
            uniffiCallbackInterfaceExitPlanModeHandler.uniffiFree,
            uniffiCallbackInterfaceExitPlanModeHandler.uniffiClone,
        )
        for (cb in callbacks) Native.setCallbackThreadInitializer(cb, attached)
    }

    /** Idempotent and cheap after the first call. */
    fun install() = installed
}

/** A tool whose handler is a Kotlin lambda. `parametersJson` is the arguments' JSON Schema. */
fun tool(
    name: String,
    description: String,
    parametersJson: String? = null,
    skipPermission: Boolean = false,
    handler: suspend (ToolInvocation) -> ToolResult,
): Tool = CopilotCallbackThreads.install().let { Tool(
    name = name,
    description = description,
    parametersJson = parametersJson,
    handler = object : ToolHandler {
        override suspend fun call(invocation: ToolInvocation): ToolResult = handler(invocation)
    },
    skipPermission = skipPermission,
) }

/** A permission handler from a Kotlin lambda. */
fun permissionHandler(
    decide: suspend (PermissionRequest, PermissionInvocation) -> PermissionDecision,
): PermissionHandler = CopilotCallbackThreads.install().let {
    object : PermissionHandler {
        override suspend fun handle(request: PermissionRequest, invocation: PermissionInvocation): PermissionDecision =
            decide(request, invocation)
    }
}

/**
 * A hook handler from a Kotlin lambda: one lambda for every hook type, told apart by
 * `invocation.hookType`. Return the hook's output object as JSON
 * (`{"additionalContext": "..."}`), or null for no effect. A lambda that throws is ignored by
 * the CLI (the hook has no effect, the turn goes on).
 */
fun hookHandler(
    hook: suspend (HookInvocation) -> String?,
): HookHandler = CopilotCallbackThreads.install().let {
    object : HookHandler {
        override suspend fun handle(invocation: HookInvocation): String? = hook(invocation)
    }
}

/**
 * An elicitation handler from a Kotlin lambda (`sessionId`, request). A lambda that throws
 * answers [ElicitationAction.CANCEL].
 */
fun elicitationHandler(
    answer: suspend (String, ElicitationRequest) -> ElicitationResult,
): ElicitationHandler = CopilotCallbackThreads.install().let {
    object : ElicitationHandler {
        override suspend fun handle(sessionId: String, request: ElicitationRequest): ElicitationResult =
            answer(sessionId, request)
    }
}

/**
 * An exit-plan-mode handler from a Kotlin lambda (`sessionId`, request). A lambda that throws
 * counts as not approved.
 */
fun exitPlanModeHandler(
    decide: suspend (String, ExitPlanModeRequest) -> ExitPlanModeResponse,
): ExitPlanModeHandler = CopilotCallbackThreads.install().let {
    object : ExitPlanModeHandler {
        override suspend fun handle(sessionId: String, request: ExitPlanModeRequest): ExitPlanModeResponse =
            decide(sessionId, request)
    }
}

/** An accepted elicitation; [contentJson] is the answer object (`{"confirmed": true}`). */
fun ElicitationResult.Companion.accept(contentJson: String): ElicitationResult =
    ElicitationResult(ElicitationAction.ACCEPT, contentJson)

/** A declined elicitation. */
fun ElicitationResult.Companion.decline(): ElicitationResult = ElicitationResult(ElicitationAction.DECLINE)

/** A dismissed elicitation. */
fun ElicitationResult.Companion.cancel(): ElicitationResult = ElicitationResult(ElicitationAction.CANCEL)

/**
 * A preset by the name configuration files use (`deny-all`, `approve-all`, `approve-safety`);
 * throws [CopilotException.InvalidConfig] for any other name.
 */
fun PermissionPreset.Companion.fromName(name: String): PermissionPreset = permissionPresetFromName(name)

/** A successful tool result. */
fun ToolResult.Companion.success(text: String): ToolResult = ToolResult(textResultForLlm = text)

/** A failed tool result; the model sees [text]. */
fun ToolResult.Companion.failure(text: String): ToolResult =
    ToolResult(textResultForLlm = text, success = false, error = text)

/** A value of the event's payload by JSON pointer (`/deltaContent`), strings unquoted. */
fun SessionEvent.dataValue(pointer: String): String? = eventDataValue(this, pointer)

/** The streamed text of an `assistant.message_delta` event, else null. */
val SessionEvent.deltaContent: String?
    get() = (data as? EventData.AssistantMessageDelta)?.deltaContent

/** The text of an `assistant.message` event, else null. */
val SessionEvent.content: String?
    get() = (data as? EventData.AssistantMessage)?.content

/** The full message of any SDK error (the same as `detail()`). */
val CopilotException.detailMessage: String
    get() = detail()

/**
 * Runs [block] with this client and always stops it afterwards (also on failure or
 * cancellation), the suspend counterpart of `use {}`.
 */
suspend inline fun <R> CopilotClient.useThenStop(block: (CopilotClient) -> R): R {
    CopilotCallbackThreads.install()
    try {
        return block(this)
    } finally {
        kotlinx.coroutines.withContext(kotlinx.coroutines.NonCancellable) { stop() }
        close()
    }
}
