import Foundation
import Testing
import TestSupport

/// A real Prometheus server (Debian `prometheus`) scrapes both daemons through palisade-signal's
/// /metrics on loopback, and its HTTP API answers queries over what it stored.
@Suite("Prometheus scrapes Palisade", .serialized)
struct PrometheusTests {
    @Test("a Prometheus server scrapes /metrics; queries see the target up and both processes' series")
    func scrapedByPrometheus() async throws {
        let prometheus = try #require(Command.which("prometheus"), "prometheus missing: scripts/setup installs it")
        let pair = try DaemonPair.start()
        let ready = try await pair.ready()
        let metricsAddress = try #require(ready?.metricsAddress, "daemons not ready\n\(pair.logs)")

        let port = try LoopbackPort.reserved()
        let config = try pair.directory.file("prometheus.yml", contents: """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: palisade
                static_configs:
                  - targets: ["\(metricsAddress)"]
            """)
        let server = try Daemon(executable: prometheus, [
            "--config.file=\(config)", "--storage.tsdb.path=\(pair.directory.path)/tsdb",
            "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
        ], logPath: pair.directory.path + "/prometheus.log")
        defer { server.send(SIGKILL) }
        let api = "127.0.0.1:\(port)"

        // Until the server listens and has scraped once, queries fail or come back empty.
        let up = await eventually(seconds: 20, every: 200) {
            (try? Self.query(api, "up{job=\"palisade\"}"))?.first.flatMap { $0.value == "1" ? $0 : nil }
        }
        #expect(up != nil, "the target never came up\n\(server.log)\n\(pair.logs)")

        let connected = try Self.query(api, "palisade_media_plane_connected")
        #expect(connected.map(\.value) == ["1"], "\(connected)")
        let processes = try Self.query(api, "palisade_process_resident_memory_bytes")
        #expect(Set(processes.compactMap { $0.labels["process"] }) == ["signal", "media"], "\(processes)")
        #expect(processes.allSatisfy { (Double($0.value) ?? 0) > 1_000_000 }, "resident memory in bytes: \(processes)")
        // Every series the scrape stored parsed: Prometheus reports none dropped as malformed.
        let targets = try HTTPGet.fetch(api, path: "/api/v1/targets")
        #expect(targets.body.contains("\"health\":\"up\"") && targets.body.contains("\"lastError\":\"\""),
                "\(targets.body)")

        server.send(SIGTERM)
        #expect(await server.waitForExit(seconds: 10) != nil)
        await pair.stop()
    }

    struct Sample: CustomStringConvertible {
        let labels: [String: String]
        let value: String
        var description: String { "\(labels) \(value)" }
    }

    /// An instant query through the HTTP API: one sample per series.
    static func query(_ api: String, _ expression: String) throws -> [Sample] {
        let encoded = expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? expression
        let response = try HTTPGet.fetch(api, path: "/api/v1/query?query=\(encoded)")
        guard response.status == 200,
              let json = try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any],
              json["status"] as? String == "success",
              let data = json["data"] as? [String: Any], let result = data["result"] as? [[String: Any]] else {
            throw TestSupportError("query \(expression): HTTP \(response.status) \(response.body)")
        }
        return result.compactMap { series in
            guard let labels = series["metric"] as? [String: String], let value = series["value"] as? [Any],
                  value.count == 2, let number = value[1] as? String else { return nil }
            return Sample(labels: labels, value: number)
        }
    }
}
