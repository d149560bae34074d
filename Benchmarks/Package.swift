// swift-tools-version:6.2
//
// Palisade benchmarks, kept out of the main package so its build and CI don't pay for them.
// The library sources are the main package's own, reached through symlinks in Sources/.
import PackageDescription

let package = Package(
    name: "PalisadeBenchmarks",
    dependencies: [
        // The same pins as the main package: the load client speaks TLS the way the daemon does.
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
    ],
    targets: [
        .target(name: "SIPMessage", path: "Sources/SIPMessage"),
        .target(name: "SDP", path: "Sources/SDP"),
        // Counts malloc-family calls by interposing them; only this benchmark links it.
        .target(name: "MallocCounter"),
        .executableTarget(
            name: "MessageBench",
            dependencies: ["SIPMessage", "SDP", "MediaControlProtocol", "MallocCounter"],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
        // Declarations of the few BoringSSL session calls swift-nio-ssl does not expose
        // (client-side resumption); the symbols come from swift-nio-ssl's own BoringSSL.
        .target(name: "BoringSSLSessions"),
        // The TLS load client of `scripts/bench transport`: idle connections and reconnect storms.
        .executableTarget(
            name: "TransportBench",
            dependencies: [
                "BoringSSLSessions",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
            ],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
        // `palisade-bench media` (scripts/bench media): the main package's own sources, symlinked.
        .target(name: "CPalisadeShims", path: "Sources/CPalisadeShims"),
        .target(name: "CPosixShims", path: "Sources/CPosixShims"),
        .systemLibrary(name: "CLibSRTP", path: "Sources/CLibSRTP", pkgConfig: "libsrtp2"),
        .target(name: "SRTP", dependencies: ["CLibSRTP"], path: "Sources/SRTP"),
        .target(name: "ControlFraming", path: "Sources/ControlFraming"),
        .target(name: "MediaControlProtocol", dependencies: ["ControlFraming"], path: "Sources/MediaControlProtocol"),
        .target(name: "PosixSupport", dependencies: ["ControlFraming", "CPosixShims"], path: "Sources/PosixSupport"),
        .target(name: "RTP", path: "Sources/RTP"),
        .target(name: "MediaEngine", dependencies: ["RTP", "SRTP", "CPalisadeShims"], path: "Sources/MediaEngine"),
        // The media load generator: RTP/SRTP built before the window, paced sendmmsg from real sockets,
        // every payload checked after it.
        // The generator's preplanned sendmmsg/recvmmsg stores (mmsghdr needs _GNU_SOURCE: C).
        .target(name: "CLoadShims"),
        .target(
            name: "MediaLoad",
            dependencies: ["CLoadShims", "SRTP", "MediaControlProtocol", "PosixSupport"],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
        .executableTarget(
            name: "palisade-bench",
            dependencies: ["MediaLoad", "MediaControlProtocol", "SRTP"],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
        // The generator's packet builder and checker, and 1,000 packets through a real MediaEngine.
        .testTarget(
            name: "MediaLoadTests",
            dependencies: ["MediaLoad", "MediaEngine", "SRTP"],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
    ]
)
