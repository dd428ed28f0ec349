// Hand-written Kotlin conveniences over the generated bindings (copilot_uniffi.kt, same
// package). Everything here is sugar: the generated API works without it.
package copilot.core

import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.consumeAsFlow
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
 * Back-pressure: at most [capacity] events wait in the channel; beyond that the SDK's own
 * queue holds them, and a consumer that falls behind its bound loses the oldest events and is
 * told through [onLagged]. A flow that is never collected keeps its subscription until the
 * session closes.
 */
fun CopilotSession.events(
    capacity: Int = Channel.BUFFERED,
    onLagged: (skipped: ULong) -> Unit = {},
): Flow<SessionEvent> {
    val channel = Channel<SessionEvent>(capacity)
    val handle = subscribe(object : SessionEventListener {
        override suspend fun onEvent(event: SessionEvent) {
            channel.send(event)
        }

        override fun onLagged(skipped: ULong) = onLagged(skipped)

        override fun onClosed() {
            channel.close()
        }
    })
    return channel.consumeAsFlow().onCompletion {
        handle.cancel()
        handle.close()
    }
}

/** A tool whose handler is a Kotlin lambda. `parametersJson` is the arguments' JSON Schema. */
fun tool(
    name: String,
    description: String,
    parametersJson: String? = null,
    skipPermission: Boolean = false,
    handler: suspend (ToolInvocation) -> ToolResult,
): Tool = Tool(
    name = name,
    description = description,
    parametersJson = parametersJson,
    handler = object : ToolHandler {
        override suspend fun call(invocation: ToolInvocation): ToolResult = handler(invocation)
    },
    skipPermission = skipPermission,
)

/** A permission handler from a Kotlin lambda. */
fun permissionHandler(
    decide: suspend (PermissionRequest, PermissionInvocation) -> PermissionDecision,
): PermissionHandler = object : PermissionHandler {
    override suspend fun handle(request: PermissionRequest, invocation: PermissionInvocation): PermissionDecision =
        decide(request, invocation)
}

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
    try {
        return block(this)
    } finally {
        kotlinx.coroutines.withContext(kotlinx.coroutines.NonCancellable) { stop() }
        close()
    }
}
