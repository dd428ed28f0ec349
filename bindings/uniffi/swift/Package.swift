// swift-tools-version:5.9
// The Swift package of copilot-core (UniFFI bindings), for iOS and macOS.
//
// Before `swift build`, run ./build-xcframework.sh (macOS with Xcode and rustup): it builds
// CopilotCoreFFI.xcframework (the Rust static library + C header, per Apple platform) and
// writes the generated Sources/CopilotCore/CopilotCore.swift. Neither is committed.
//
// Not compiled on the machine that wrote it (no Swift toolchain there); see README.md.
import PackageDescription

let package = Package(
    name: "CopilotCore",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "CopilotCore", targets: ["CopilotCore"]),
    ],
    targets: [
        // The Rust library and the C declarations the generated Swift calls.
        .binaryTarget(name: "CopilotCoreFFI", path: "CopilotCoreFFI.xcframework"),
        // Generated CopilotCore.swift + the hand-written CopilotCore+Async.swift.
        .target(
            name: "CopilotCore",
            dependencies: ["CopilotCoreFFI"],
            path: "Sources/CopilotCore"
        ),
        .testTarget(
            name: "CopilotCoreTests",
            dependencies: ["CopilotCore"],
            path: "Tests/CopilotCoreTests"
        ),
    ]
)
