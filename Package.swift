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

        // Tier 3: adapters.
        .target(name: "SRTP", dependencies: ["CLibSRTP"], swiftSettings: strict),

        .testTarget(name: "CBridgeTests", dependencies: ["CLibSRTP", "COpenSSL", "CLibNFTNL"], swiftSettings: strict),
        .testTarget(
            name: "SRTPTests",
            dependencies: ["SRTP", "COpenSSL"],
            exclude: ["Fixtures", "Tools"],
            swiftSettings: strict
        ),
    ]
)
