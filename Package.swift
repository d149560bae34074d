// swift-tools-version:6.2
//
// Palisade: a session border controller with a media relay.
// Targets sit in tiers (docs/ARCHITECTURE.md); imports only point down, which
// scripts/check-layering enforces.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .treatAllWarnings(as: .error),
]

// The SIP and SDP libraries on palisade-signal's message path, in release builds, also export their
// function bodies (cross-module optimisation), so the generic byte views they hand out are
// specialised in the modules that use them instead of running through witness tables.
let messagePath: [SwiftSetting] = strict + [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]

let nioCore = Target.Dependency.product(name: "NIOCore", package: "swift-nio")
let nioPosix = Target.Dependency.product(name: "NIOPosix", package: "swift-nio")
let nioHTTP1 = Target.Dependency.product(name: "NIOHTTP1", package: "swift-nio")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let lifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let nioSSL = Target.Dependency.product(name: "NIOSSL", package: "swift-nio-ssl")
let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let unixSignals = Target.Dependency.product(name: "UnixSignals", package: "swift-service-lifecycle")

let package = Package(
    name: "Palisade",
    products: [
        .executable(name: "palisade-signal", targets: ["palisade-signal"]),
        .executable(name: "palisade-media", targets: ["palisade-media"]),
        .executable(name: "palisadectl", targets: ["palisadectl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
    ],
    targets: [
        // Tier 0: C bridges. Imported only by their one wrapper target (and the bridge tests).
        .systemLibrary(name: "CLibSRTP", pkgConfig: "libsrtp2", providers: [.apt(["libsrtp2-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CLibNFTNL", pkgConfig: "libnftnl", providers: [.apt(["libnftnl-dev", "libmnl-dev"])]),
        .target(name: "CPalisadeShims"),
        .target(name: "CPosixShims"),
        // BoringSSL calls swift-nio-ssl keeps to itself; its symbols come from swift-nio-ssl.
        .target(name: "CBoringSSLShims"),

        // Tier 1: pure. No I/O, no NIO, no clock.
        .target(name: "PalisadeConfig", swiftSettings: strict),
        .target(name: "ControlFraming", swiftSettings: strict),
        .target(name: "MediaControlProtocol", dependencies: ["ControlFraming"], swiftSettings: strict),
        .target(name: "AdminProtocol", dependencies: ["ControlFraming"], swiftSettings: strict),
        .target(name: "MetricsExposition", swiftSettings: strict),
        .target(name: "SIPMessage", swiftSettings: messagePath),
        .target(name: "SDP", swiftSettings: messagePath),
        .target(name: "NFTRules", swiftSettings: strict),
        .target(name: "RTP", swiftSettings: strict),
        .target(name: "SIPAuth", swiftSettings: strict),

        // Tier 2: sans-I/O state machines and policy. No I/O, no NIO, no clock reads.
        .target(name: "SIPCore", dependencies: ["SIPMessage"], swiftSettings: messagePath),
        .target(name: "B2BUA", dependencies: ["SDP", "SIPMessage", "SIPCore", "MediaControlProtocol"], swiftSettings: messagePath),
        .target(name: "Registration", dependencies: ["SIPMessage", "SIPAuth", "SIPCore"], swiftSettings: strict),

        // Tier 3: adapters (I/O).
        .target(name: "PosixSupport", dependencies: ["ControlFraming", "CPosixShims"], swiftSettings: strict),
        .target(name: "DaemonSupport", dependencies: [logging, argumentParser, "PalisadeConfig", "PosixSupport"],
                swiftSettings: strict),
        .target(name: "NIOFraming", dependencies: ["ControlFraming", nioCore], swiftSettings: strict),
        .target(name: "SIPTransport",
                dependencies: ["SIPMessage", "CBoringSSLShims", nioCore, nioPosix, nioSSL, .product(name: "NIOTLS", package: "swift-nio")], swiftSettings: strict),
        .target(name: "MediaControlServer",
                dependencies: ["MediaControlProtocol", "ControlFraming", "PosixSupport", logging],
                swiftSettings: strict),
        .target(name: "Signalling",
                dependencies: ["AdminProtocol", "B2BUA", "ControlFraming", "MediaControlProtocol", "MetricsExposition", "NIOFraming",
                               "PosixSupport", "SDP", "SIPCore",
                               "SIPMessage", "SIPTransport", "Registration", "SIPAuth", nioCore, nioPosix, logging, lifecycle],
                swiftSettings: strict),
        .target(name: "AdminServer",
                dependencies: ["AdminProtocol", "NIOFraming", "PosixSupport", nioCore, nioPosix, logging, lifecycle],
                swiftSettings: strict),
        .target(name: "MetricsServer",
                dependencies: ["MetricsExposition", nioCore, nioPosix, nioHTTP1, logging, lifecycle],
                swiftSettings: strict),
        .target(name: "TestSupport", swiftSettings: strict),
        .target(name: "SRTP", dependencies: ["CLibSRTP"], swiftSettings: strict),
        .target(name: "NFTables", dependencies: ["NFTRules", "CLibNFTNL"], swiftSettings: strict),
        .target(name: "MediaEngine", dependencies: ["RTP", "SRTP", "CPalisadeShims"], swiftSettings: strict),
        .target(name: "MediaSessions", dependencies: ["MediaEngine", "SRTP", "NFTables", "NFTRules", "MediaControlServer",
                                                    "MediaControlProtocol"],
                swiftSettings: strict),

        // Tier 4: executables, wiring only.
        .executableTarget(name: "palisade-signal",
                          dependencies: ["PalisadeConfig", "DaemonSupport", "Signalling", "AdminServer", "B2BUA", "SDP",
                                         "MetricsServer", "MetricsExposition", "AdminProtocol",
                                         "MediaControlProtocol", "PosixSupport", "SIPCore", "SIPTransport",
                                         "Registration", "SIPAuth", nioCore, nioPosix, unixSignals,
                                         argumentParser, lifecycle, logging],
                          swiftSettings: strict),
        .executableTarget(name: "palisade-media",
                          dependencies: ["PalisadeConfig", "DaemonSupport", "MediaControlServer", "MediaSessions",
                                         "MediaEngine", "CPalisadeShims", "MediaControlProtocol", "NFTables", "NFTRules", "PosixSupport",
                                         argumentParser, lifecycle, logging],
                          swiftSettings: strict),
        .executableTarget(name: "palisadectl", dependencies: ["AdminProtocol", "PalisadeConfig", "PosixSupport", "SIPMessage"],
                          swiftSettings: strict),

        // Tests.
        .testTarget(name: "CBridgeTests", dependencies: ["CLibSRTP", "COpenSSL", "CLibNFTNL"], swiftSettings: strict),
        .testTarget(name: "PalisadeConfigTests", dependencies: ["PalisadeConfig"], resources: [.copy("Fixtures")],
                    swiftSettings: strict),
        .testTarget(name: "SIPMessageTests", dependencies: ["SIPMessage", "TestSupport"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "SIPCoreTests", dependencies: ["SIPCore", "SIPMessage"], swiftSettings: strict),
        .testTarget(name: "B2BUATests", dependencies: ["B2BUA", "SDP", "SIPMessage", "MediaControlProtocol"],
                    exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "SIPAuthTests", dependencies: ["SIPAuth"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "RegistrationTests", dependencies: ["Registration", "SIPAuth", "SIPMessage"],
                    swiftSettings: strict),
        .testTarget(name: "SDPTests", dependencies: ["SDP"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "SRTPTests", dependencies: ["SRTP", "COpenSSL", "TestSupport"], exclude: ["Fixtures", "Tools"],
                    swiftSettings: strict),
        .testTarget(name: "ControlFramingTests", dependencies: ["ControlFraming"], swiftSettings: strict),
        .testTarget(name: "MediaControlProtocolTests", dependencies: ["MediaControlProtocol", "TestSupport"],
                    exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "AdminProtocolTests", dependencies: ["AdminProtocol"], swiftSettings: strict),
        // palisadectl's tables, rendered from fixed replies (an executable target, @testable).
        .testTarget(name: "PalisadectlTests", dependencies: ["palisadectl", "AdminProtocol"], swiftSettings: strict),
        .testTarget(name: "DaemonSupportTests", dependencies: ["DaemonSupport", "PosixSupport", logging], swiftSettings: strict),
        .testTarget(name: "MetricsExpositionTests", dependencies: ["MetricsExposition"], swiftSettings: strict),
        .testTarget(name: "SignallingTests",
                    dependencies: ["Signalling", "B2BUA", "SIPCore", "SIPMessage", "SIPTransport", "MediaControlProtocol",
                                   "NIOFraming", "PosixSupport", nioCore, nioPosix, logging], swiftSettings: strict),
        .testTarget(name: "SIPTransportTests",
                    dependencies: ["SIPTransport", "SIPMessage", "TestSupport", nioCore, nioPosix, nioSSL], swiftSettings: strict),
        .testTarget(name: "MediaControlServerTests",
                    dependencies: ["MediaControlServer", "MediaControlProtocol", "MediaSessions", "MediaEngine",
                                   "SRTP", "NFTables", "NFTRules", "CPalisadeShims", "PosixSupport", "TestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "RTPTests", dependencies: ["RTP"], swiftSettings: strict),
        .testTarget(name: "MediaEngineTests", dependencies: ["MediaEngine", "RTP", "SRTP", "CPalisadeShims"],
                    swiftSettings: strict),
        .testTarget(name: "NFTRulesTests", dependencies: ["NFTRules"], exclude: ["Fixtures"],
                    swiftSettings: strict),
        .testTarget(name: "NFTablesTests", dependencies: ["NFTables", "NFTRules", "CLibNFTNL", "TestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "AdminProtocol", "PosixSupport", "NFTRules",
                                                        "MediaControlProtocol", "SRTP", "SIPAuth"],
                    exclude: ["Scenarios"],
                    swiftSettings: strict),
    ]
)
