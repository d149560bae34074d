// swift-tools-version:6.2
//
// libFuzzer targets for the message layer. Built by scripts/fuzz with
// `-sanitize=fuzzer,address -parse-as-library`; libFuzzer supplies main().
// The library sources are the main package's own, reached through symlinks in Sources/.
import PackageDescription

let package = Package(
    name: "PalisadeFuzz",
    targets: [
        .target(name: "SIPMessage", path: "Sources/SIPMessage"),
        .target(name: "SDP", path: "Sources/SDP"),
        .executableTarget(name: "FuzzSIPParser", dependencies: ["SIPMessage"]),
        .executableTarget(name: "FuzzStreamFramer", dependencies: ["SIPMessage"]),
        .executableTarget(name: "FuzzSDP", dependencies: ["SDP"]),
    ]
)
