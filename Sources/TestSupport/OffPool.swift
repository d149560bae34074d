import Foundation

/// Runs blocking work (waiting for a process, a socket with a timeout) on a thread of its own and
/// awaits it.
///
/// Swift Testing runs every test on the cooperative pool, which has one thread per core: two on
/// this machine. A test that blocks one of them for seconds (sipp running a call, a receive loop)
/// stalls every other test's `await`, so that deadlines pass while nothing ran — calls ended
/// before the test looked at their media. End-to-end tests therefore await these instead.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.stackSize = 1 << 20
        thread.start()
    }
}

extension Command {
    /// `run` on a thread of its own (see `offPool`): for async tests.
    public static func run(_ executable: String, _ arguments: [String], input: String? = nil,
                           environment: [String: String] = [:], timeoutSeconds: Double = 30) async throws -> CommandResult {
        try await offPool {
            try run(executable, arguments, input: input, environment: environment, timeoutSeconds: timeoutSeconds) as CommandResult
        }
    }
}

extension Sipp {
    /// `run` on a thread of its own (see `offPool`): for async tests.
    public static func run(scenario: String, target: String, transport: String = "u1", calls: Int, rate: Int = 50,
                           localIP: String = "127.0.0.1", timeoutSeconds: Int = 60,
                           extra: [String] = [], workDirectory: String) async throws -> Outcome {
        try await offPool {
            try run(scenario: scenario, target: target, transport: transport, calls: calls, rate: rate, localIP: localIP,
                    timeoutSeconds: timeoutSeconds, extra: extra, workDirectory: workDirectory) as Outcome
        }
    }
}

extension UDPExchange {
    /// `send` on a thread of its own (see `offPool`): for async tests.
    public static func send(_ text: String, to address: String, timeoutSeconds: Int = 5) async throws -> String {
        try await offPool { try send(text, to: address, timeoutSeconds: timeoutSeconds) as String }
    }

    /// `responses` on a thread of its own.
    public static func responses(_ text: String, to address: String, timeoutSeconds: Int = 5) async throws -> [Received] {
        try await offPool { try responses(text, to: address, timeoutSeconds: timeoutSeconds) as [Received] }
    }
}
