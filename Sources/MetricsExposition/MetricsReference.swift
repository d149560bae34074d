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
            `_total` on counters. The output passes `promtool check metrics`.

            | metric | type | labels | meaning |
            |---|---|---|---|

            """
        for metric in Metric.allCases {
            let labels = metric.labels.isEmpty ? "–" : metric.labels.map { "`\($0)`" }.joined(separator: ", ")
            out += "| `\(metric.rawValue)` | \(metric.kind.rawValue) | \(labels) | \(metric.help) |\n"
        }
        out += """

            ## Labels

            | label | values |
            |---|---|
            | `process` | \(DaemonLabel.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ")) |
            | `version` | the daemon's software version, e.g. `0.1.0` |

            """
        return out
    }
}
