// swift-tools-version:6.2
//
// Palisade: a session border controller with a media relay.
// Targets sit in tiers (docs/ARCHITECTURE.md); imports only point down.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "Palisade",
    targets: [
        // Tier 0: C bridges. Imported only by their one wrapper target (and the bridge tests).
        .systemLibrary(name: "CLibSRTP", pkgConfig: "libsrtp2", providers: [.apt(["libsrtp2-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CLibNFTNL", pkgConfig: "libnftnl", providers: [.apt(["libnftnl-dev", "libmnl-dev"])]),

        // Tier 1: pure. Bytes in, bytes out; no I/O, no Foundation, no clock.
        .target(name: "SIPMessage", swiftSettings: strict),
        .target(name: "SDP", swiftSettings: strict),

        .testTarget(name: "CBridgeTests", dependencies: ["CLibSRTP", "COpenSSL", "CLibNFTNL"], swiftSettings: strict),
        .testTarget(name: "SIPMessageTests", dependencies: ["SIPMessage"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "SDPTests", dependencies: ["SDP"], exclude: ["Fixtures"], swiftSettings: strict),
    ]
)
