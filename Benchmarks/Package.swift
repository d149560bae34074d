// swift-tools-version:6.2
//
// Palisade benchmarks, kept out of the main package so its build and CI don't pay for them.
// The library sources are the main package's own, reached through symlinks in Sources/.
import PackageDescription

let package = Package(
    name: "PalisadeBenchmarks",
    targets: [
        .target(name: "SIPMessage", path: "Sources/SIPMessage"),
        .target(name: "SDP", path: "Sources/SDP"),
        // Counts malloc-family calls by interposing them; only this benchmark links it.
        .target(name: "MallocCounter"),
        .executableTarget(
            name: "MessageBench",
            dependencies: ["SIPMessage", "SDP", "MallocCounter"],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
    ]
)
