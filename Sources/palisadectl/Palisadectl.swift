import AdminProtocol
import PosixSupport
#if canImport(Glibc)
import Glibc
#endif

/// `palisadectl [--json] [--socket PATH] COMMAND`: talks to palisade-signal's admin socket.
@main
enum Palisadectl {
    static let defaultSocket = "/run/palisade/admin.sock"

    struct Invocation {
        var json = false
        var socket = Palisadectl.defaultSocket
        var words: [String] = []
    }

    static func main() {
        let invocation: Invocation
        do {
            invocation = try parse(Array(CommandLine.arguments.dropFirst()))
        } catch {
            fail("\(error.message); try 'palisadectl help'", code: 2)
        }
        guard !invocation.words.isEmpty else {
            print(helpText())
            exit(2)
        }
        guard let (command, arguments) = CtlCommand.resolve(invocation.words) else {
            fail("unknown command '\(invocation.words.joined(separator: " "))'; try 'palisadectl help'", code: 2)
        }
        if let option = arguments.first(where: { word in
            word.hasPrefix("--") && !command.options.contains { word == $0 || word.hasPrefix($0 + "=") }
        }) {
            fail("'\(command.rawValue)' takes no option \(option); try 'palisadectl help'", code: 2)
        }
        switch command {
        case .help:
            print(invocation.json ? helpJSON() : helpText())
        case .sipCheck:
            guard !arguments.isEmpty else { fail("usage: palisadectl \(command.usage)", code: 2) }
            exit(SIPCheckCommand.run(files: arguments, json: invocation.json))
        case .configCheck:
            guard !arguments.isEmpty else { fail("usage: palisadectl \(command.usage)", code: 2) }
            exit(ConfigCheckCommand.run(files: arguments, json: invocation.json))
        case .status, .configReload, .logLevel, .drain, .undrain, .callsList, .callsShow, .callsHangup,
             .registrationsList, .registrationsShow, .registrationsRemove, .flowsList, .mediaSessions, .mediaStreams,
             .tlsCertificates:
            guard let admin = command.adminCommand else { fail("'\(command.rawValue)' is not a daemon command", code: 2) }
            let body = ask(admin, arguments: arguments, invocation)
            if invocation.json {
                print(AdminCodec.resultJSON(body))
            } else {
                switch body {
                case .status(let status): print(StatusTable.render(status, now: WallClock.now()))
                case .logLevel(let report):
                    print(report.previous == report.current ? "log level \(report.current)"
                          : "log level \(report.previous) → \(report.current)")
                case .reload(let report): print(render(report))
                case .traffic(let traffic): print(StatusTable.render(traffic))
                case .calls(let calls): print(ListTables.render(calls))
                case .hungUp(let call):
                    print("call \(call.id) (\(call.state)) hung up: "
                          + (call.state == "confirmed" ? "BYE on both legs" : "CANCEL and 487"))
                case .registrations(let bindings): print(ListTables.render(bindings))
                case .mediaStreams(let legs): print(ListTables.render(legs))
                case .callDetail(let call): print(DetailTables.render(call))
                case .registration(let detail): print(DetailTables.render(detail))
                case .flows(let flows): print(DetailTables.render(flows))
                case .mediaSessions(let sessions): print(DetailTables.render(sessions))
                case .certificates(let certificates): print(DetailTables.render(certificates))
                }
            }
        }
    }

    struct UsageError: Error { var message: String }

    /// Options some commands take (`calls list --realm R`): passed on to the daemon with the command's words.
    static let commandOptions = Set(CtlCommand.allCases.flatMap(\.options))

    static func parse(_ arguments: [String]) throws(UsageError) -> Invocation {
        var invocation = Invocation()
        var rest = arguments[...]
        while let word = rest.popFirst() {
            switch word {
            case "--json": invocation.json = true
            case "--socket":
                guard let path = rest.popFirst() else { throw UsageError(message: "--socket needs a path") }
                invocation.socket = path
            case "-h", "--help": invocation.words.insert("help", at: 0)
            case _ where word.hasPrefix("--socket="): invocation.socket = String(word.dropFirst("--socket=".count))
            case _ where commandOptions.contains(word):
                guard let value = rest.popFirst() else { throw UsageError(message: "\(word) needs a value") }
                invocation.words += [word, value]
            case _ where commandOptions.contains { word.hasPrefix($0 + "=") }: invocation.words.append(word)
            case _ where word.hasPrefix("-"): throw UsageError(message: "unknown option '\(word)'")
            default: invocation.words.append(word)
            }
        }
        return invocation
    }

    static func helpText() -> String {
        let width = CtlCommand.allCases.map(\.usage.count).max() ?? 0
        var lines = ["usage: palisadectl [--json] [--socket PATH] COMMAND", "",
                     "Talks to palisade-signal on its admin socket (default \(defaultSocket)).", "", "commands:"]
        for command in CtlCommand.allCases {
            lines.append("  " + command.usage.padding(to: width) + "  " + command.summary)
        }
        lines += ["", "options:", "  --json         print the result as JSON", "  --socket PATH  admin socket to use"]
        return lines.joined(separator: "\n")
    }

    /// The command table as JSON: `[{"command":…,"usage":…,"summary":…}]`.
    static func helpJSON() -> String {
        func quoted(_ text: String) -> String {
            "\"" + text.replacingOccurrences("\\", "\\\\").replacingOccurrences("\"", "\\\"") + "\""
        }
        let rows = CtlCommand.allCases.map {
            "  {\"command\": \(quoted($0.rawValue)), \"usage\": \(quoted($0.usage)), \"summary\": \(quoted($0.summary))}"
        }
        return "[\n" + rows.joined(separator: ",\n") + "\n]"
    }

    /// Sends one admin request and returns its result, or exits with one clear line on stderr.
    static func ask(_ command: AdminCommand, arguments: [String] = [], _ invocation: Invocation) -> AdminReply.Body {
        do {
            let client = try FrameClient(path: invocation.socket)
            let request = AdminRequest(id: 1, command: command, arguments: arguments)
            let reply = try AdminCodec.decodeReply(client.exchange(AdminCodec.encode(request)))
            switch reply.result {
            case .success(let body): return body
            case .failure(let failure) where failure.code == .invalidConfiguration:
                fail("palisade-signal refused '\(command.rawValue)'; the running configuration stays:\n"
                     + failure.message, code: 1)
            case .failure(let failure): fail("palisade-signal refused '\(command.rawValue)': \(failure.message)", code: 1)
            }
        } catch let error as UnixSocketError {
            let hint = switch error.code {
            case .missing, .refused: " (is palisade-signal running? use --socket PATH for another socket)"
            default: ""
            }
            fail("cannot reach palisade-signal at \(invocation.socket): \(error.message)\(hint)", code: 1)
        } catch {
            fail("\(error)", code: 1)
        }
    }

    static func render(_ report: ReloadReport) -> String {
        var lines = ["\(report.file): reloaded"]
        lines += report.applied.isEmpty ? ["  nothing to apply now"] : report.applied.map { "  applied: \($0)" }
        lines += report.restartNeeded.map { "  needs a restart (running values kept): \($0)" }
        return lines.joined(separator: "\n")
    }

    static func fail(_ message: String, code: Int32) -> Never {
        var bytes = Array("palisadectl: \(message)\n".utf8)
        _ = bytes.withUnsafeMutableBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        exit(code)
    }
}

extension String {
    func padding(to width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }

    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
