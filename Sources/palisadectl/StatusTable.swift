import AdminProtocol
#if canImport(Glibc)
import Glibc
#endif

/// The human form of `palisadectl status`.
enum StatusTable {
    /// `drain` / `undrain`: the state and what remains.
    static func render(_ traffic: TrafficReport) -> String {
        (traffic.draining ? "draining: " : "accepting: ") + summary(traffic)
    }

    /// `1 call active, 3 registrations; DRAINING (new calls and registrations get 503)`.
    static func summary(_ traffic: TrafficReport) -> String {
        "\(traffic.activeCalls) call\(traffic.activeCalls == 1 ? "" : "s") active, \(traffic.registrations) registration\(traffic.registrations == 1 ? "" : "s")"
            + (traffic.draining ? "; DRAINING (new calls and registrations get 503)" : "")
    }

    static func render(_ status: StatusReport, now: Double) -> String {
        var rows: [[String]] = [["PROCESS", "VERSION", "PID", "UPTIME", "STATE"]]
        rows.append(["palisade-signal", status.signal.software, "\(status.signal.pid)",
                     duration(status.signal.uptimeSeconds), "running"])
        let media = status.media
        let state = (media.connected ? "connected" : "DOWN") + " since \(utc(media.since)) (\(duration(now - media.since)))"
        if let process = media.process {
            rows.append(["palisade-media", process.software, "\(process.pid)", duration(process.uptimeSeconds), state])
        } else {
            rows.append(["palisade-media", "-", "-", "-", state])
        }
        var lines = table(rows)
        lines.append("")
        lines.append("media control  \(media.controlSocket)  (reconnects: \(media.reconnects))")
        if let error = media.lastError, !media.connected { lines.append("last error     \(error)") }
        if let workers = media.workers, !workers.isEmpty {
            lines.append("")
            var table: [[String]] = [["WORKER", "STREAMS", "RECEIVED", "RELAYED", "DROPPED", "RELAYED/S", "OVER"]]
            for w in workers {
                table.append(["\(w.worker)", "\(w.streams)", "\(w.receivedPackets)", "\(w.relayedPackets)",
                              "\(w.droppedPackets)", "\(Int(w.relayedPerSecond.rounded()))",
                              w.rateIntervalSeconds < 60 ? "\(Double(Int(w.rateIntervalSeconds * 10)) / 10)s" : duration(w.rateIntervalSeconds)])
            }
            lines += Self.table(table)
            lines.append("(RELAYED/S: packets per second since the previous status palisade-media answered, or since it started)")
            lines.append("")
        }
        if let traffic = status.traffic { lines.append("traffic        " + summary(traffic)) }
        lines.append("admin socket   \(status.adminSocket)")
        lines.append("metrics        " + (status.metricsAddress.map { "http://\($0)/metrics" } ?? "disabled"))
        if !status.sipListeners.isEmpty {
            lines.append("")
            var sip: [[String]] = [["REALM", "SIP", "LISTENING ON", "ADVERTISED"]]
            for listener in status.sipListeners {
                sip.append([listener.realm, listener.transport, listener.address, listener.advertised])
            }
            lines += table(sip)
        }
        return lines.joined(separator: "\n")
    }

    static func table(_ rows: [[String]]) -> [String] {
        let widths = (0..<(rows.first?.count ?? 0)).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).map { $0.padding(to: $1) }.joined(separator: "  ").trimmingTrailingSpaces()
        }
    }

    /// "2026-11-22 11:25:29Z".
    static func utc(_ unixSeconds: Double) -> String {
        var seconds = time_t(unixSeconds)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    /// "3d4h", "2h05m", "4m07s", "12s".
    static func duration(_ seconds: Double) -> String {
        let total = max(0, Int(seconds))
        let (d, h, m, s) = (total / 86400, total % 86400 / 3600, total % 3600 / 60, total % 60)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        if d > 0 { return "\(d)d\(h)h" }
        if h > 0 { return "\(h)h\(two(m))m" }
        if m > 0 { return "\(m)m\(two(s))s" }
        return "\(s)s"
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
