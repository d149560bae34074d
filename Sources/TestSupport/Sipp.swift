import Foundation

/// sipp (Debian `sip-tester`) as a real SIP peer. It has no TLS: over TLS the tests use
/// `openssl s_client` instead.
public enum Sipp {
    public struct Outcome: Sendable {
        /// sipp's exit status: 0 when every call succeeded, 1 when some failed, 99 on a usage error.
        public var status: Int32
        public var output: String
        public var successfulCalls: Int?
        public var failedCalls: Int?
        /// Requests sipp sent again for want of an answer (over UDP).
        public var retransmissions: Int?
    }

    public static var isInstalled: Bool { Command.which("sipp") != nil }

    /// Runs `scenario` against `target` ("127.0.0.1:5060") for `calls` calls at `rate` per
    /// second over `transport` ("u1" UDP, "t1" TCP), bounded by `timeoutSeconds`.
    /// `extra` holds further sipp options, e.g. ["-lost", "10"].
    public static func run(scenario: String, target: String, transport: String = "u1", calls: Int, rate: Int = 50,
                           localIP: String = "127.0.0.1", timeoutSeconds: Int = 60,
                           extra: [String] = [], workDirectory: String) throws -> Outcome {
        guard let sipp = Command.which("sipp") else {
            throw TestSupportError("sipp missing: scripts/setup installs sip-tester")
        }
        let stats = workDirectory + "/sipp-stats.csv"
        // sipp's -p 0 means 5060, where tests running side by side would collide: a free port
        // instead, unless the caller names one.
        let port = extra.contains("-p") ? [] : ["-p", "\(try LoopbackPort.reserved())"]
        let arguments = ["-sf", scenario, "-t", transport, "-i", localIP] + port + ["-m", "\(calls)",
                         "-r", "\(rate)", "-timeout", "\(timeoutSeconds)s", "-timeout_error", "-nostdin",
                         "-trace_err", "-error_file", workDirectory + "/sipp-errors.log",
                         "-trace_stat", "-stf", stats, "-fd", "1"] + extra + [target]
        // In the foreground (no -bg), so the test owns the process and its exit status.
        let result = try Command.run(sipp, arguments, timeoutSeconds: Double(timeoutSeconds + 10))
        let csv = (try? String(contentsOfFile: stats, encoding: .utf8)) ?? ""
        return Outcome(status: result.status, output: result.stdout + result.stderr,
                       successfulCalls: lastColumn(csv, named: "SuccessfulCall(C)"),
                       failedCalls: lastColumn(csv, named: "FailedCall(C)"),
                       retransmissions: lastColumn(csv, named: "Retransmissions(C)"))
    }

    /// The value of a cumulative column in the last row of sipp's statistics file.
    static func lastColumn(_ csv: String, named name: String) -> Int? {
        let rows = csv.split(separator: "\n")
        guard let header = rows.first?.split(separator: ";", omittingEmptySubsequences: false),
              let column = header.firstIndex(where: { $0 == name }),
              let last = rows.last?.split(separator: ";", omittingEmptySubsequences: false),
              rows.count > 1, column < last.count else { return nil }
        return Int(last[column])
    }
}
