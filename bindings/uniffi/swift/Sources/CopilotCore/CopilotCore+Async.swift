// Hand-written Swift conveniences over the generated bindings (CopilotCore.swift, produced by
// build-xcframework.sh next to this file). Everything here is sugar: the generated API works
// without it.
//
// NOT COMPILED ON THE MACHINE THAT WROTE IT: it has no Swift toolchain. CI checks that every
// generated symbol this file uses exists (bindings/uniffi/test.sh); compile it with
// `swift build` on macOS before relying on it.

import Foundation

extension CopilotSession {
    /// The session's events as an `AsyncStream`.
    ///
    /// The subscription starts when this is called, so
    /// `let events = session.events(); try await session.send(prompt: "...")` misses nothing.
    /// The stream finishes when the session is disconnected or the client stopped; cancelling
    /// the iterating task cancels the subscription, and so does releasing the stream (after a
    /// `break`).
    ///
    /// Events are pulled from an `EventStream` in batches: one `nextBatch(max:)` call returns
    /// every event already queued (at most `maxBatch`), so the FFI cost is per batch, not per
    /// event. Back-pressure: nothing is pulled while the consumer is busy; meanwhile events wait
    /// in the SDK's per-subscriber queue, and a consumer that falls more than its bound behind
    /// loses the oldest events and is told through `onLagged` (called just before the events
    /// that follow the gap).
    public func events(
        maxBatch: UInt32 = 1024,
        onLagged: @escaping @Sendable (UInt64) -> Void = { _ in }
    ) -> AsyncStream<SessionEvent> {
        let puller = BatchPuller(stream: eventStream(), maxBatch: max(maxBatch, 1), onLagged: onLagged)
        return AsyncStream(unfolding: { await puller.next() }, onCancel: { puller.cancel() })
    }
}

/// Hands out the events of `EventStream.nextBatch(max:)` one at a time. `AsyncStream`
/// calls `next()` from one iteration at a time, never concurrently.
final class BatchPuller: @unchecked Sendable {
    private let stream: EventStream
    private let maxBatch: UInt32
    private let lagged: @Sendable (UInt64) -> Void
    private var buffer: [SessionEvent] = []
    private var index = 0
    private var closed = false

    init(stream: EventStream, maxBatch: UInt32, onLagged: @escaping @Sendable (UInt64) -> Void) {
        self.stream = stream
        self.maxBatch = maxBatch
        self.lagged = onLagged
    }

    func next() async -> SessionEvent? {
        while index == buffer.count {
            if closed { return nil }
            let batch = await stream.nextBatch(max: maxBatch)
            if batch.lagged > 0 { lagged(batch.lagged) }
            buffer = batch.events
            index = 0
            closed = batch.closed
        }
        let event = buffer[index]
        index += 1
        return event
    }

    /// Ends the subscription; a waiting `nextBatch` returns at once (closed).
    func cancel() {
        stream.cancel()
    }

    deinit {
        stream.cancel()
    }
}

/// A tool handler from a Swift closure.
public final class ClosureToolHandler: ToolHandler, @unchecked Sendable {
    private let body: @Sendable (ToolInvocation) async throws -> ToolResult

    public init(_ body: @escaping @Sendable (ToolInvocation) async throws -> ToolResult) {
        self.body = body
    }

    public func call(invocation: ToolInvocation) async throws -> ToolResult {
        try await body(invocation)
    }
}

/// A permission handler from a Swift closure.
public final class ClosurePermissionHandler: PermissionHandler, @unchecked Sendable {
    private let body: @Sendable (PermissionRequest, PermissionInvocation) async throws -> PermissionDecision

    public init(_ body: @escaping @Sendable (PermissionRequest, PermissionInvocation) async throws -> PermissionDecision) {
        self.body = body
    }

    public func handle(request: PermissionRequest, invocation: PermissionInvocation) async throws -> PermissionDecision {
        try await body(request, invocation)
    }
}

/// A hook handler from a Swift closure: one closure for every hook type, told apart by
/// `invocation.hookType`. Return the hook's output object as JSON
/// (`{"additionalContext": "..."}`), or nil for no effect. A closure that throws is ignored by
/// the CLI (the hook has no effect, the turn goes on).
public final class ClosureHookHandler: HookHandler, @unchecked Sendable {
    private let body: @Sendable (HookInvocation) async throws -> String?

    public init(_ body: @escaping @Sendable (HookInvocation) async throws -> String?) {
        self.body = body
    }

    public func handle(invocation: HookInvocation) async throws -> String? {
        try await body(invocation)
    }
}

/// An elicitation handler from a Swift closure (session id, request). A closure that throws
/// answers `.cancel`.
public final class ClosureElicitationHandler: ElicitationHandler, @unchecked Sendable {
    private let body: @Sendable (String, ElicitationRequest) async throws -> ElicitationResult

    public init(_ body: @escaping @Sendable (String, ElicitationRequest) async throws -> ElicitationResult) {
        self.body = body
    }

    public func handle(sessionId: String, request: ElicitationRequest) async throws -> ElicitationResult {
        try await body(sessionId, request)
    }
}

/// An exit-plan-mode handler from a Swift closure (session id, request). A closure that throws
/// counts as not approved.
public final class ClosureExitPlanModeHandler: ExitPlanModeHandler, @unchecked Sendable {
    private let body: @Sendable (String, ExitPlanModeRequest) async throws -> ExitPlanModeResponse

    public init(_ body: @escaping @Sendable (String, ExitPlanModeRequest) async throws -> ExitPlanModeResponse) {
        self.body = body
    }

    public func handle(sessionId: String, request: ExitPlanModeRequest) async throws -> ExitPlanModeResponse {
        try await body(sessionId, request)
    }
}

extension Tool {
    /// A tool whose handler is a Swift closure. `parametersJson` is the arguments' JSON Schema.
    public init(
        name: String,
        description: String,
        parametersJson: String? = nil,
        skipPermission: Bool = false,
        handler: @escaping @Sendable (ToolInvocation) async throws -> ToolResult
    ) {
        self.init(
            name: name,
            description: description,
            parametersJson: parametersJson,
            handler: ClosureToolHandler(handler),
            skipPermission: skipPermission
        )
    }
}

extension PermissionPreset {
    /// A preset by the name configuration files use (`deny-all`, `approve-all`,
    /// `approve-safety`); throws `CopilotError.InvalidConfig` for any other name.
    public init(name: String) throws {
        self = try permissionPresetFromName(name: name)
    }
}

extension ToolResult {
    /// A successful result.
    public static func success(_ text: String) -> ToolResult {
        ToolResult(textResultForLlm: text)
    }

    /// A failed result; the model sees `text`.
    public static func failure(_ text: String) -> ToolResult {
        ToolResult(textResultForLlm: text, success: false, error: text)
    }
}

extension SessionEvent {
    /// The streamed text of an `assistant.message_delta` event, else nil.
    public var deltaContent: String? {
        if case let .assistantMessageDelta(_, delta) = data { return delta }
        return nil
    }

    /// The text of an `assistant.message` event, else nil.
    public var content: String? {
        if case let .assistantMessage(_, content) = data { return content }
        return nil
    }

    /// A value of the payload by JSON pointer (`/deltaContent`), strings unquoted.
    public func dataValue(_ pointer: String) -> String? {
        eventDataValue(event: self, pointer: pointer)
    }
}
