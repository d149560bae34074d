/// Samples gathered for one scrape, rendered as Prometheus text exposition format 0.0.4.
public struct Exposition: Sendable {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private struct Sample: Sendable {
        var labelValues: [String]
        var value: Double
    }

    private var samples: [Metric: [Sample]] = [:]
    private var histograms: [Metric: [(labelValues: [String], histogram: Histogram)]] = [:]

    public init() {}

    /// Adds one sample. `labelValues` follow `metric.labels` in order.
    public mutating func add(_ metric: Metric, _ labelValues: [String] = [], _ value: Double) {
        precondition(labelValues.count == metric.labels.count, "\(metric.rawValue) takes labels \(metric.labels)")
        samples[metric, default: []].append(Sample(labelValues: labelValues, value: value))
    }

    /// Adds one histogram series of a histogram family. `labelValues` follow `metric.labels`.
    public mutating func add(_ metric: Metric, _ labelValues: [String], _ histogram: Histogram) {
        precondition(metric.kind == .histogram, "\(metric.rawValue) is not a histogram")
        precondition(labelValues.count == metric.labels.count, "\(metric.rawValue) takes labels \(metric.labels)")
        histograms[metric, default: []].append((labelValues, histogram))
    }

    /// Families in catalogue order, each with HELP and TYPE, only those with samples.
    public func render() -> String {
        var out = ""
        for metric in Metric.allCases {
            if metric.kind == .histogram {
                out += renderHistograms(metric)
                continue
            }
            guard let family = samples[metric], !family.isEmpty else { continue }
            out += "# HELP \(metric.rawValue) \(Self.escapeHelp(metric.help))\n"
            out += "# TYPE \(metric.rawValue) \(metric.kind.rawValue)\n"
            for sample in family {
                out += metric.rawValue
                if !metric.labels.isEmpty {
                    let pairs = zip(metric.labels, sample.labelValues).map { "\($0)=\"\(Self.escapeLabel($1))\"" }
                    out += "{" + pairs.joined(separator: ",") + "}"
                }
                out += " " + Self.format(sample.value) + "\n"
            }
        }
        return out
    }

    /// `_bucket` series with cumulative counts and `le` last among the labels, then `_sum` and `_count`.
    private func renderHistograms(_ metric: Metric) -> String {
        guard let family = histograms[metric], !family.isEmpty else { return "" }
        var out = "# HELP \(metric.rawValue) \(Self.escapeHelp(metric.help))\n"
        out += "# TYPE \(metric.rawValue) histogram\n"
        for (labelValues, histogram) in family {
            let pairs = zip(metric.labels, labelValues).map { "\($0)=\"\(Self.escapeLabel($1))\"" }
            var cumulative: UInt64 = 0
            for (bound, count) in zip(histogram.bounds + [.infinity], histogram.bucketCounts) {
                cumulative += count
                let le = "le=\"\(Self.format(bound))\""
                out += "\(metric.rawValue)_bucket{" + (pairs + [le]).joined(separator: ",") + "} \(cumulative)\n"
            }
            let labels = pairs.isEmpty ? "" : "{" + pairs.joined(separator: ",") + "}"
            out += "\(metric.rawValue)_sum\(labels) \(Self.format(histogram.sum))\n"
            out += "\(metric.rawValue)_count\(labels) \(histogram.count)\n"
        }
        return out
    }

    /// Integers print without a fraction; the rest as Swift's shortest round-tripping form.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func escapeLabel(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(ch)
            }
        }
        return out
    }

    static func escapeHelp(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}

private extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
