import Foundation

/// Where SwiftPM put the built executables: beside the running test binary.
public enum Products {
    public static var directory: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (exe as NSString).deletingLastPathComponent
    }

    public static func path(_ name: String) throws -> String {
        let path = directory + "/" + name
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestSupportError("\(name) is not built at \(path); run `swift build` first (scripts/test does)")
        }
        return path
    }
}

public struct TestSupportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A daemon started by a test: its output goes to a log file the test can show on failure.
public final class Daemon: @unchecked Sendable {
    public let name: String
    public let logPath: String
    private let process: Process

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    public convenience init(_ product: String, _ arguments: [String], logPath: String) throws {
        try self.init(executable: try Products.path(product), arguments, logPath: logPath)
    }

    /// Any program, not one of ours (a Prometheus server, a softphone), held the same way.
    public init(executable: String, _ arguments: [String], logPath: String) throws {
        name = (executable as NSString).lastPathComponent
        self.logPath = logPath
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !FileManager.default.fileExists(atPath: logPath) {
            guard FileManager.default.createFile(atPath: logPath, contents: nil) else {
                throw TestSupportError("cannot create \(logPath)")
            }
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        // The child has its own copy once started: the test process keeps no descriptor per daemon.
        defer { try? log.close() }
        try log.seekToEnd()
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    /// A daemon outlives no test: when the test lets go of it, it is killed if still running, so
    /// a failing or returning test never leaves a process behind (cleanup in a detached task at
    /// the end of a test may never run).
    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Sends a signal to this daemon only, by its PID.
    public func send(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Waits for the daemon to exit; returns its exit status, or nil if it is still running at the deadline.
    public func waitForExit(seconds: Double) async -> Int32? {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while process.isRunning {
            if ContinuousClock.now > deadline { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    /// SIGTERM, then SIGKILL if it does not stop in time. Safe to call twice.
    public func stop() async {
        send(SIGTERM)
        if await waitForExit(seconds: 5) == nil {
            send(SIGKILL)
            _ = await waitForExit(seconds: 5)
        }
    }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
}

/// A finished command's exit status and output.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

public enum Command {
    /// Runs a program to completion (bounded by `timeoutSeconds`), feeding `input` on stdin.
    public static func run(_ executable: String, _ arguments: [String], input: String? = nil,
                           environment: [String: String] = [:], timeoutSeconds: Double = 30) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe(), err = Pipe(), stdin = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        // SIGKILL: SIGTERM is blocked in the test process's threads, and children inherit the mask.
        // The watchdog holds the process weakly: Dispatch keeps a cancelled item until its deadline,
        // and with it the process's pipes, two descriptors per command for `timeoutSeconds`.
        let watchdog = DispatchWorkItem { [weak process] in
            if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds, execute: watchdog)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        try? out.fileHandleForReading.close()
        try? err.fileHandleForReading.close()
        return CommandResult(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                             stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// The absolute path of a program on PATH, or nil.
    public static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// A directory under /tmp (short: socket paths must fit in 107 bytes), removed on deinit.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(prefix: String = "palisade-test") throws {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestSupportError("mkdtemp failed: \(errno)") }
        path = String(cString: made)
    }

    public func file(_ name: String, contents: String) throws -> String {
        let file = path + "/" + name
        try contents.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Polls `condition` until it returns a value or `seconds` pass. For end-to-end tests only:
/// unit tests drive a manual clock instead.
public func eventually<T>(seconds: Double, every milliseconds: Int = 25,
                          _ condition: () async throws -> T?) async rethrows -> T? {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    repeat {
        if let value = try await condition() { return value }
        try? await Task.sleep(for: .milliseconds(milliseconds))
    } while ContinuousClock.now < deadline
    return try await condition()
}
