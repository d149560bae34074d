/// docs/METRICS.md, rendered from the `Metric` catalogue so the two cannot drift
/// (MetricsExpositionTests compares the committed file with this text).
public enum MetricsReference {
    public static func markdown() -> String {
        var out = """
            # Metrics reference

            <!-- Generated from Sources/MetricsExposition/Metric.swift; do not edit by hand.
                 Regenerate with: PALISADE_REGENERATE=1 swift test --filter MetricsExpositionTests -->

            palisade-signal serves `GET /metrics` in the Prometheus text exposition format 0.0.4 on the
            address of `metrics.listen` (default `127.0.0.1:9477`). One scrape covers both daemons:
            palisade-signal asks palisade-media for its figures over the control socket, and the
            `process` label (`signal` or `media`) tells them apart. While the media plane is down its
            `process="media"` samples are absent and `palisade_media_plane_connected` is 0.

            Names follow Prometheus conventions: prefix `palisade_`, base units (seconds, bytes),
            `_total` on counters. Histograms have `_bucket` (with `le`), `_sum` and `_count` series;
            their buckets are listed in their meaning. The output passes `promtool check metrics`.

            | metric | type | labels | meaning |
            |---|---|---|---|

            """
        for metric in Metric.allCases {
            let labels = metric.labels.isEmpty ? "–" : metric.labels.map { "`\($0)`" }.joined(separator: ", ")
            out += "| `\(metric.rawValue)` | \(metric.kind.rawValue) | \(labels) | \(metric.help) |\n"
        }
        out += "\n## Labels\n\n| label | values |\n|---|---|\n"
        let used = Set(Metric.allCases.flatMap(\.labels))
        for (label, values) in labelValues where used.contains(label) {
            out += "| `\(label)` | \(values) |\n"
        }
        let undocumented = used.subtracting(labelValues.map(\.0))
        precondition(undocumented.isEmpty, "document the labels \(undocumented.sorted()) in MetricsReference")
        return out
    }

    /// What each label holds, in the order the reference lists them.
    static let labelValues: [(String, String)] = [
        ("process", DaemonLabel.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ")),
        ("version", "the daemon's software version, e.g. `0.1.0`"),
        ("realm", "a realm name from the configuration (`access`, `core`, …)"),
        ("transport", "`udp`, `tcp` or `tls`"),
        ("direction", "`in` (received) or `out` (sent)"),
        ("method", "the SIP method (`INVITE`, `OPTIONS`, …; `other` for extension methods)"),
        ("class", "the status class of a response: `1xx` … `6xx`"),
        ("reason", "why: the parser's error code (parse errors); `total_limit`, `per_address_limit`, "
            + "`framing_error` (refused connections); `idle`, `no_pong`, `error` (dead flows); `auth-failure`, "
            + "`replay`, `unknown-source`, `malformed`, `no-route`, `send-failure` (dropped media packets); "
            + "`4xx`, `5xx`, `6xx`, `timeout`, `no-target`, `cleanup-refused` (relayed REGISTERs)"),
        ("cause", "why a call ended before an answer: the final status the caller got (`404`, `486`, "
            + "`488`, `503`, …) or `cancelled`"),
        ("result", "`success`, or why a TLS handshake failed: `no_shared_cipher`, `bad_certificate`, "
            + "`unknown_ca`, `no_peer_certificate`, `domain_mismatch`, `timeout`, `other`"),
        ("outcome", "how call setup ended: `answered` (a 2xx to the caller) or `failed` (a final failure, "
            + "a CANCEL's 487 included)"),
        ("timer", "the RFC 3261 timer that expired: `B`, `F` (client transactions), `H` (server INVITE)"),
        ("worker", "the index of a palisade-media packet worker: `0` … `media.workers - 1`"),
        ("target", "a `[[realm.target]]` as `transport:host:port` (`udp:192.0.2.10:5060`)"),
        ("kind", "what a REGISTER sent to the core registrar by the registration relay was: `register`, "
            + "`refresh`, `unregister`, `query`, `cleanup`"),
    ]
}
