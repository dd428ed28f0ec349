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
    /// The stream finishes when the session is disconnected or the client stopped; ending the
    /// iteration (or `break`) cancels the subscription.
    ///
    /// Back-pressure: `onEvent` returns once the event is buffered, so with a bounded
    /// `bufferingPolicy` the oldest or newest events are dropped by the stream itself; with
    /// the default (unbounded) the SDK's own per-subscriber bound applies and `onLagged`
    /// reports what was dropped.
    public func events(
        bufferingPolicy: AsyncStream<SessionEvent>.Continuation.BufferingPolicy = .unbounded,
        onLagged: @escaping @Sendable (UInt64) -> Void = { _ in }
    ) -> AsyncStream<SessionEvent> {
        let (stream, continuation) = AsyncStream<SessionEvent>.makeStream(bufferingPolicy: bufferingPolicy)
        let handle = subscribe(listener: StreamListener(continuation: continuation, onLagged: onLagged))
        continuation.onTermination = { _ in handle.cancel() }
        return stream
    }
}

/// Feeds an `AsyncStream` continuation from the SDK's listener callbacks.
final class StreamListener: SessionEventListener, @unchecked Sendable {
    private let continuation: AsyncStream<SessionEvent>.Continuation
    private let lagged: @Sendable (UInt64) -> Void

    init(continuation: AsyncStream<SessionEvent>.Continuation, onLagged: @escaping @Sendable (UInt64) -> Void) {
        self.continuation = continuation
        self.lagged = onLagged
    }

    func onEvent(event: SessionEvent) async throws {
        if case .terminated = continuation.yield(event) {
            // Nobody iterates any more: throwing ends the SDK-side subscription.
            throw CopilotError.Handler(detail: "the event stream was terminated")
        }
    }

    func onLagged(skipped: UInt64) {
        lagged(skipped)
    }

    func onClosed() {
        continuation.finish()
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
