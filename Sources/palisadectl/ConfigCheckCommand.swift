import FoundationEssentials
import PalisadeConfig
import PosixSupport

/// `palisadectl config check FILE...`: validates configuration files exactly as the daemons do at
/// start and on reload (the same parser and catalogue), without a daemon.
enum ConfigCheckCommand {
    struct Report: Encodable {
        struct Problem: Encodable {
            var code: String
            var key: String?
            var line: Int?
            var column: Int?
            var message: String
        }

        var file: String
        var valid: Bool
        /// Why the file could not be read at all.
        var unreadable: String?
        var errors: [Problem]
    }

    /// Prints each file's verdict (every error on its own line, naming key and line) and returns
    /// the exit code: 0 when every file is valid, 1 otherwise.
    static func run(files: [String], json: Bool) -> Int32 {
        let reports = files.map(check)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: (try? encoder.encode(reports)) ?? Data(), as: UTF8.self))
        } else {
            for report in reports {
                if report.valid {
                    print("\(report.file): configuration is valid")
                } else if let reason = report.unreadable {
                    print("\(report.file): unreadable: \(reason)")
                } else {
                    print("\(report.file): \(report.errors.count) error\(report.errors.count == 1 ? "" : "s")")
                    for error in report.errors { print("  " + line(error, in: report.file)) }
                }
            }
        }
        return reports.allSatisfy(\.valid) ? 0 : 1
    }

    static func check(_ file: String) -> Report {
        let text: String
        do {
            text = try TextFile.read(file)
        } catch {
            return Report(file: file, valid: false, unreadable: error.message, errors: [])
        }
        do {
            _ = try PalisadeConfiguration.parse(text, source: file)
            return Report(file: file, valid: true, errors: [])
        } catch {
            return Report(file: file, valid: false, errors: error.errors.map {
                Report.Problem(code: $0.code.rawValue, key: $0.key, line: $0.line, column: $0.column,
                               message: $0.message)
            })
        }
    }

    /// `line 12: signal.media_reconnect_max_ms: 70000 is out of range 10...60000`.
    static func line(_ problem: Report.Problem, in file: String) -> String {
        var text = problem.line.map { "line \($0)" } ?? file
        if let column = problem.column { text += ":\(column)" }
        if let key = problem.key, problem.code != ConfigurationError.Code.syntax.rawValue { text += ": \(key)" }
        return text + ": " + problem.message
    }
}
