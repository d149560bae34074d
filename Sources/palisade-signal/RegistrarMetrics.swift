import MetricsExposition
import Registration
import Signalling

/// The registrar's figures for /metrics: every result and reason listed, zeros included, so a
/// rate can be taken from the first scrape on.
enum RegistrarMetrics {
    static func add(_ registrar: RegistrarService, to exposition: inout Exposition) {
        exposition.add(.registrationsActive, [], Double(registrar.activeBindings))
        let counters = registrar.counterSnapshot
        for result in RegistrationOutcome.results {
            exposition.add(.registrarRequests, [result], Double(counters.results[result] ?? 0))
        }
        for reason in AuthFailureReason.allCases {
            exposition.add(.registrarAuthFailures, [reason.rawValue], Double(counters.authFailures[reason] ?? 0))
        }
        exposition.add(.registrarKeepalivesSent, ["udp"], Double(counters.keepalivesSent["udp"] ?? 0))
        exposition.add(.registrarKeepaliveFailures, ["udp"], Double(counters.keepaliveFailures["udp"] ?? 0))
        for result in CallAuthenticationOutcome.results {
            exposition.add(.callAuthentications, [result], Double(counters.callAuthentications[result] ?? 0))
        }
        // The registration relay's families only when it runs (registrar.mode = "relay").
        guard registrar.relayUpstream != nil else { return }
        exposition.add(.registrarRelayBindingsActive, [], Double(registrar.activeRelayedBindings))
        for result in RelayOutcome.results {
            exposition.add(.registrarRelayRequests, [result], Double(counters.relayResults[result] ?? 0))
        }
        for kind in RegistrarService.relayUpstreamKinds {
            exposition.add(.registrarRelayUpstreamRequests, [kind], Double(counters.relayUpstream[kind] ?? 0))
        }
        for reason in RegistrarService.relayFailureReasons {
            exposition.add(.registrarRelayUpstreamFailures, [reason], Double(counters.relayFailures[reason] ?? 0))
        }
    }
}
