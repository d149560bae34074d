import MetricsExposition
import Testing

@Suite("Prometheus text exposition")
struct ExpositionTests {
    @Test("families carry HELP and TYPE once, in catalogue order, with escaped labels")
    func rendering() {
        var exposition = Exposition()
        exposition.add(.mediaPlaneConnected, [], 1)
        exposition.addProcess(.signal, version: "0.1.0\"x", startTimeSeconds: 1_700_000_000.25, cpuSecondsTotal: 1.5,
                              residentMemoryBytes: 4096, virtualMemoryBytes: 8192, openFileDescriptors: 7,
                              maxFileDescriptors: 1024)
        let text = exposition.render()
        #expect(text.hasPrefix("# HELP palisade_build_info "))
        #expect(text.contains("palisade_build_info{process=\"signal\",version=\"0.1.0\\\"x\"} 1\n"))
        #expect(text.contains("palisade_process_start_time_seconds{process=\"signal\"} 1700000000.25\n"))
        #expect(text.contains("# TYPE palisade_process_cpu_seconds_total counter\n"))
        #expect(text.contains("palisade_process_resident_memory_bytes{process=\"signal\"} 4096\n"))
        #expect(text.hasSuffix("# TYPE palisade_media_plane_connected gauge\npalisade_media_plane_connected 1\n"))
        #expect(text.components("# TYPE palisade_build_info") == 1)
    }

    @Test("a histogram renders cumulative buckets with le last, +Inf, _sum and _count")
    func histogram() {
        var setup = Histogram(bounds: [0.1, 1, 10])
        for seconds in [0.05, 0.1, 0.5, 2.5, 60] { setup.observe(seconds) }
        #expect(setup.bucketCounts == [2, 1, 1, 1] && setup.count == 5)
        var exposition = Exposition()
        exposition.add(.callSetupSeconds, ["access", "answered"], setup)
        exposition.add(.callPostDialDelaySeconds, ["access"], Histogram(bounds: [0.5]))
        let text = exposition.render()
        #expect(text.contains("# TYPE palisade_call_setup_seconds histogram\n"))
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("palisade_call_setup_seconds") }.map(String.init)
        #expect(lines == [
            #"palisade_call_setup_seconds_bucket{realm="access",outcome="answered",le="0.1"} 2"#,
            #"palisade_call_setup_seconds_bucket{realm="access",outcome="answered",le="1"} 3"#,
            #"palisade_call_setup_seconds_bucket{realm="access",outcome="answered",le="10"} 4"#,
            #"palisade_call_setup_seconds_bucket{realm="access",outcome="answered",le="+Inf"} 5"#,
            #"palisade_call_setup_seconds_sum{realm="access",outcome="answered"} 63.15"#,
            #"palisade_call_setup_seconds_count{realm="access",outcome="answered"} 5"#,
        ])
        #expect(text.contains(#"palisade_call_post_dial_delay_seconds_bucket{realm="access",le="+Inf"} 0"#))
        #expect(text.contains("palisade_call_post_dial_delay_seconds_count{realm=\"access\"} 0\n"))
    }

    @Test("catalogue follows the naming rules: prefix, _total exactly on counters, help text")
    func catalogueRules() {
        for metric in Metric.allCases {
            #expect(metric.rawValue.hasPrefix("palisade_"))
            #expect(metric.rawValue.hasSuffix("_total") == (metric.kind == .counter), "\(metric.rawValue)")
            #expect(!metric.help.isEmpty)
        }
    }
}

extension String {
    func components(_ needle: String) -> Int { split(separator: needle, omittingEmptySubsequences: false).count - 1 }
}
