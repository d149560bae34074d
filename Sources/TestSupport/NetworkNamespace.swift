import Foundation

/// A network namespace made for one test and removed when it ends, failure or not. Names are
/// unique per process and call, so tests running in parallel never share one; nothing here ever
/// touches the host's own ruleset. Loopback is up inside.
public struct NetworkNamespace: Sendable {
    public let name: String
    public var path: String { "/run/netns/\(name)" }

    public static let isAvailable = getuid() == 0
        && FileManager.default.isExecutableFile(atPath: "/usr/sbin/nft")
        && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip")

    static let prefix = "palisade-ns-"

    public static func with<T>(_ body: (NetworkNamespace) throws -> T) throws -> T {
        let namespace = try create()
        defer { namespace.delete() }
        return try body(namespace)
    }

    public static func with<T>(_ body: (NetworkNamespace) async throws -> T) async throws -> T {
        let namespace = try create()
        defer { namespace.delete() }
        return try await body(namespace)
    }

    /// `with` on a thread of its own (see `offPool`), for synchronous netlink and nft work that
    /// would otherwise hold a thread of the cooperative pool for seconds.
    public static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable (NetworkNamespace) throws -> T) async throws -> T {
        try await offPool { try with(body) }
    }

    private static func create() throws -> NetworkNamespace {
        _ = sweptStaleNamespaces
        let name = "\(prefix)\(getpid())-\(UUID().uuidString.prefix(8).lowercased())"
        try run("/usr/sbin/ip", ["netns", "add", name])
        _ = try? run("/usr/sbin/ip", ["-n", name, "link", "set", "lo", "up"])
        return NetworkNamespace(name: name)
    }

    private func delete() { _ = try? Self.run("/usr/sbin/ip", ["netns", "delete", name]) }

    /// `defer` removes a namespace when a test fails, but not when the test process dies; once per
    /// run, remove namespaces left by test processes that no longer exist.
    private static let sweptStaleNamespaces: Void = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []
        for name in names where name.hasPrefix(prefix) {
            guard let pid = name.dropFirst(prefix.count).split(separator: "-").first.flatMap({ Int32($0) }),
                  kill(pid, 0) != 0, errno == ESRCH else { continue }
            _ = try? run("/usr/sbin/ip", ["netns", "delete", name])
        }
    }()

    /// Runs `nft` inside the namespace and returns its standard output.
    public func nft(_ arguments: String...) throws -> String {
        try Self.run("/usr/sbin/ip", ["netns", "exec", name, "/usr/sbin/nft"] + arguments)
    }

    /// The elements of one set, as nft prints them: "30000", "192.0.2.10 . 5004 . 30000".
    public func elements(of set: String) throws -> [String] {
        let json = try nft("-j", "list", "set", "inet", "palisade", set)
        let root = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let objects = root?["nftables"] as? [[String: Any]] ?? []
        let elements = objects.compactMap { ($0["set"] as? [String: Any])?["elem"] as? [Any] }.first ?? []
        return elements.map(Self.text).sorted()
    }

    private static func text(_ value: Any) -> String {
        if let number = value as? NSNumber { return number.stringValue }
        if let string = value as? String { return string }
        if let object = value as? [String: Any] {
            if let concat = object["concat"] as? [Any] { return concat.map(text).joined(separator: " . ") }
            if let element = object["elem"] as? [String: Any], let inner = element["val"] { return text(inner) }
        }
        return "\(value)"
    }

    public struct CommandFailed: Error, CustomStringConvertible {
        var command: String
        var status: Int32
        var output: String
        public var description: String { "\(command) exited \(status): \(output)" }
    }

    @discardableResult
    public static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailed(command: ([executable] + arguments).joined(separator: " "),
                                status: process.terminationStatus,
                                output: String(decoding: errorData, as: UTF8.self))
        }
        return String(decoding: data, as: UTF8.self)
    }
}
