/// Every metric family Palisade exports: the single source of truth for names, types, help
/// text, labels and docs/METRICS.md (a test compares the two).
///
/// Names follow Prometheus conventions: prefix `palisade_`, base units, `_total` on counters.
/// Metrics of both daemons share one endpoint and are told apart by the `process` label.
public enum Metric: String, CaseIterable, Sendable {
    case buildInfo = "palisade_build_info"
    case processStartTime = "palisade_process_start_time_seconds"
    case processCPUSeconds = "palisade_process_cpu_seconds_total"
    case processResidentMemory = "palisade_process_resident_memory_bytes"
    case processVirtualMemory = "palisade_process_virtual_memory_bytes"
    case processOpenFileDescriptors = "palisade_process_open_fds"
    case processMaxFileDescriptors = "palisade_process_max_fds"
    case mediaPlaneConnected = "palisade_media_plane_connected"
    case mediaPlaneConnections = "palisade_media_plane_connections_total"
    case sipRequests = "palisade_sip_requests_total"
    case sipResponses = "palisade_sip_responses_total"
    case sipMessagesReceived = "palisade_sip_messages_received_total"
    case sipMessagesSent = "palisade_sip_messages_sent_total"
    case sipParseErrors = "palisade_sip_parse_errors_total"
    case sipResponsesDropped = "palisade_sip_responses_dropped_total"
    case sipConnectionsOpen = "palisade_sip_connections_open"
    case sipConnectionsRefused = "palisade_sip_connections_refused_total"
    case sipDeadFlows = "palisade_sip_dead_flows_total"
    case sipKeepalivesAnswered = "palisade_sip_keepalives_answered_total"
    case tlsHandshakes = "palisade_tls_handshakes_total"
    case sipTransactionTimeouts = "palisade_sip_transaction_timeouts_total"
    case mediaStreams = "palisade_media_streams"
    case mediaPacketsReceived = "palisade_media_packets_received_total"
    case mediaPacketsRelayed = "palisade_media_packets_relayed_total"
    case mediaPacketsDropped = "palisade_media_packets_dropped_total"
    case mediaBytesReceived = "palisade_media_bytes_received_total"
    case mediaBytesRelayed = "palisade_media_bytes_relayed_total"
    case mediaPortPairsInUse = "palisade_media_port_pairs_in_use"
    case mediaPortPairs = "palisade_media_port_pairs"
    case callsActive = "palisade_calls_active"
    case callsAttempted = "palisade_calls_attempted_total"
    case callsAnswered = "palisade_calls_answered_total"
    case callsFailed = "palisade_calls_failed_total"
    case callSetupSeconds = "palisade_call_setup_seconds"
    case callPostDialDelaySeconds = "palisade_call_post_dial_delay_seconds"
    case mediaJitterSeconds = "palisade_media_jitter_seconds"
    case mediaLossRatio = "palisade_media_loss_ratio"
    case registrationsActive = "palisade_registrations_active"
    case registrarRequests = "palisade_registrar_requests_total"
    case registrarAuthFailures = "palisade_registrar_auth_failures_total"
    case registrarKeepalivesSent = "palisade_registrar_keepalives_sent_total"
    case registrarKeepaliveFailures = "palisade_registrar_keepalive_failures_total"
    case admissionRejections = "palisade_admission_rejections_total"
    case callsActiveByRealm = "palisade_calls_active_by_realm"
    case callAuthentications = "palisade_call_authentications_total"
    case targetUp = "palisade_target_up"
    case registrarRelayBindingsActive = "palisade_registrar_relay_bindings_active"
    case registrarRelayRequests = "palisade_registrar_relay_requests_total"
    case registrarRelayUpstreamRequests = "palisade_registrar_relay_upstream_requests_total"
    case registrarRelayUpstreamFailures = "palisade_registrar_relay_upstream_failures_total"

    public enum Kind: String, Sendable { case counter, gauge, histogram }

    public var kind: Kind {
        switch self {
        case .processCPUSeconds, .mediaPlaneConnections, .sipRequests, .sipResponses, .sipMessagesReceived, .sipMessagesSent, .sipParseErrors,
             .sipResponsesDropped, .sipConnectionsRefused, .sipDeadFlows, .sipKeepalivesAnswered, .tlsHandshakes,
             .sipTransactionTimeouts, .mediaPacketsReceived, .mediaPacketsRelayed, .mediaPacketsDropped,
             .mediaBytesReceived, .mediaBytesRelayed,
             .callsAttempted, .callsAnswered, .callsFailed, .registrarRequests, .registrarAuthFailures,
             .admissionRejections, .callAuthentications: .counter
        case .registrarKeepalivesSent, .registrarKeepaliveFailures: .counter
        case .registrarRelayRequests, .registrarRelayUpstreamRequests, .registrarRelayUpstreamFailures: .counter
        case .registrarRelayBindingsActive: .gauge
        case .buildInfo, .processStartTime, .processResidentMemory, .processVirtualMemory,
             .processOpenFileDescriptors, .processMaxFileDescriptors, .mediaPlaneConnected, .sipConnectionsOpen, .mediaStreams,
             .callsActive, .registrationsActive, .mediaPortPairsInUse, .mediaPortPairs, .callsActiveByRealm, .targetUp: .gauge
        case .callSetupSeconds, .callPostDialDelaySeconds, .mediaJitterSeconds, .mediaLossRatio: .histogram
        }
    }

    /// Label names, in the order they are printed.
    public var labels: [String] {
        switch self {
        case .buildInfo: ["process", "version"]
        case .processStartTime, .processCPUSeconds, .processResidentMemory, .processVirtualMemory,
             .processOpenFileDescriptors, .processMaxFileDescriptors: ["process"]
        case .mediaPlaneConnected, .mediaPlaneConnections, .sipResponsesDropped, .sipKeepalivesAnswered: []
        case .sipMessagesReceived, .sipMessagesSent: ["realm", "transport"]
        case .sipRequests: ["direction", "realm", "transport", "method"]
        case .sipResponses: ["direction", "realm", "transport", "class"]
        case .sipParseErrors: ["reason"]
        case .sipConnectionsOpen: ["transport"]
        case .sipConnectionsRefused, .sipDeadFlows: ["reason"]
        case .tlsHandshakes: ["result"]
        case .sipTransactionTimeouts: ["timer"]
        case .mediaStreams, .mediaPacketsReceived, .mediaPacketsRelayed, .mediaBytesReceived, .mediaBytesRelayed: ["worker"]
        case .mediaPacketsDropped: ["worker", "reason"]
        case .mediaPortPairsInUse, .mediaPortPairs: ["realm"]
        case .callsActive: []
        case .callsAttempted, .callsAnswered: ["realm"]
        case .callsFailed: ["realm", "cause"]
        case .callSetupSeconds: ["realm", "outcome"]
        case .callPostDialDelaySeconds: ["realm"]
        case .mediaJitterSeconds, .mediaLossRatio: ["realm"]
        case .registrationsActive: []
        case .registrarRequests: ["result"]
        case .registrarAuthFailures: ["reason"]
        case .registrarKeepalivesSent, .registrarKeepaliveFailures: ["transport"]
        case .registrarRelayBindingsActive: []
        case .registrarRelayRequests: ["result"]
        case .registrarRelayUpstreamRequests: ["kind"]
        case .registrarRelayUpstreamFailures: ["reason"]
        case .admissionRejections: ["realm", "reason"]
        case .callsActiveByRealm: ["realm"]
        case .callAuthentications: ["result"]
        case .targetUp: ["realm", "target"]
        }
    }

    public var help: String {
        switch self {
        case .buildInfo: "Always 1; labels carry the software version of each daemon."
        case .processStartTime: "Start time of the daemon since the Unix epoch, in seconds."
        case .processCPUSeconds: "User and system CPU time spent by the daemon, in seconds."
        case .processResidentMemory: "Resident memory of the daemon, in bytes."
        case .processVirtualMemory: "Virtual memory size of the daemon, in bytes."
        case .processOpenFileDescriptors: "Open file descriptors of the daemon."
        case .processMaxFileDescriptors: "Limit on open file descriptors of the daemon (RLIMIT_NOFILE soft limit)."
        case .mediaPlaneConnected: "1 while palisade-signal holds a working control connection to palisade-media, else 0."
        case .mediaPlaneConnections: "Control connections to palisade-media completed (handshake done) since palisade-signal started."
        case .sipRequests: "SIP requests handled by the transaction layer, by direction (in, out), realm, transport and method."
        case .sipResponses: "SIP responses handled by the transaction layer, by direction (in, out), realm, transport and status class."
        case .sipMessagesReceived: "SIP messages received, by realm and transport (everything that arrived, refused ones included)."
        case .sipMessagesSent: "SIP messages sent, by realm and transport."
        case .sipParseErrors: "SIP messages refused by the parser or validator, by reason (the error code)."
        case .sipResponsesDropped: "Faulty SIP responses dropped without an answer (RFC 3261 section 18.1.2)."
        case .sipConnectionsOpen: "Open SIP connections (TCP, TLS), by transport."
        case .sipConnectionsRefused: "SIP connections refused or closed by policy (connection limits, framing errors), by reason."
        case .sipDeadFlows: "SIP connections found dead and closed (idle timeout, no keepalive answer, error), by reason."
        case .sipKeepalivesAnswered: "CRLF keepalive pings answered on stream connections (RFC 5626 section 4.4.1)."
        case .tlsHandshakes: "TLS handshakes, by result: success (a full handshake), resumed (a session ticket or ID reused), or the reason they failed."
        case .sipTransactionTimeouts: "SIP transactions that timed out, by RFC 3261 timer (B, F: client; H: server)."
        case .mediaStreams: "Streams (two legs each) held by each palisade-media packet worker."
        case .mediaPacketsReceived: "RTP and RTCP packets received by each palisade-media packet worker."
        case .mediaPacketsRelayed: "Packets each palisade-media packet worker handed to the kernel on the other leg."
        case .mediaBytesReceived: "Bytes of RTP/RTCP each palisade-media packet worker received from peers (in), before any drop."
        case .mediaBytesRelayed: "Bytes each palisade-media packet worker handed to the kernel on the other leg (out), "
            + "after SRTP protection."
        case .mediaPacketsDropped: "Packets dropped by each palisade-media packet worker, by reason (auth-failure, replay, "
            + "unknown-source, malformed, no-route, send-failure)."
        case .mediaPortPairsInUse: "RTP/RTCP port pairs of each realm's media port range held by streams in palisade-media "
            + "(usage: divide by palisade_media_port_pairs)."
        case .mediaPortPairs: "RTP/RTCP port pairs in each realm's media port range (port_min to port_max)."
        case .callsActive: "Calls through the B2BUA from INVITE until they end."
        case .callsAttempted: "Calls the B2BUA started (an INVITE it could route), by the caller's realm."
        case .callsAnswered: "Calls answered (2xx from the callee), by the caller's realm."
        case .callsFailed: "Calls that ended before an answer, by the caller's realm and cause (the final status given to the caller, or cancelled)."
        case .callSetupSeconds: "Call setup time: from the caller's INVITE arriving to the final response Palisade sent "
            + "the caller (2xx: answered; any failure: failed), by the caller's realm and outcome. Buckets 0.05 to 60 s."
        case .callPostDialDelaySeconds: "Post-dial delay: from the caller's INVITE arriving to the first 180 or 183 "
            + "Palisade sent the caller, by the caller's realm (calls that never rang are not counted). Buckets 0.05 to 60 s."
        case .mediaJitterSeconds: "Interarrival jitter (RFC 3550 §6.4.1) of the media each leg's peer sent, as "
            + "palisade-media measured it when the call ended: one observation per finished call, stream and leg that "
            + "carried packets, by that leg's realm. Buckets 0.001 to 0.2 s."
        case .mediaLossRatio: "Packets lost (RFC 3550 §A.3 sequence gaps) over packets expected, of the media each "
            + "leg's peer sent, when the call ended: one observation per finished call, stream and leg that carried "
            + "packets, by that leg's realm. Buckets 0 to 0.5."
        case .registrationsActive: "Bindings held by the embedded registrar (registered contacts not yet expired or removed)."
        case .registrarRequests: "REGISTER requests answered by the embedded registrar, by result (registered, unregistered, queried, challenged, auth-failed, refused, throttled)."
        case .registrarKeepalivesSent: "Keepalives the embedded registrar sent to registered phones to keep their NAT "
            + "mappings open (a CRLFCRLF to each UDP flow every sip.keepalive_interval_s), by transport."
        case .registrarRelayBindingsActive: "Bindings held by the registration relay: phones registered at the core registrar through Palisade, with a live access-side and core-side binding."
        case .registrarRelayRequests: "REGISTER requests from phones handled by the registration relay, by result: cached (answered from Palisade's table between upstream refreshes), registered, unregistered, queried, challenged (the core's 401/407 passed to the phone), refused (here, before anything went upstream), failed (the core or the transaction refused it)."
        case .registrarRelayUpstreamRequests: "REGISTER requests the registration relay sent to the core registrar, by kind: register (a new binding, or the answer to a challenge), refresh (at the upstream expiry or from a new flow), unregister, query, cleanup (Palisade's own unregister of a binding the phone let expire or the operator removed)."
        case .registrarRelayUpstreamFailures: "Relayed REGISTERs that failed upstream, by reason: 4xx, 5xx, 6xx (final answers other than 401/407), timeout (no answer), no-target (no target or listener to send from), cleanup-refused (the core did not take Palisade's own unregister)."
        case .registrarKeepaliveFailures: "Keepalives to registered phones that could not be sent (no listener, a socket error), by transport."
        case .registrarAuthFailures: "Failed REGISTER authentications, by reason (wrong-response, unknown-user, invalid-nonce, foreign-aor, ...)."
        case .admissionRejections: "New INVITEs refused by admission control with 503 and Retry-After, by the realm at its limit and the limit (max-calls, max-calls-per-source)."
        case .callsActiveByRealm: "Calls each realm carries now (from it or routed to it), as admission control counts them against realm.max_calls."
        case .callAuthentications: "New INVITEs from untrusted realms checked by digest proxy authentication, by result (authenticated, challenged, auth-failed, foreign-caller, throttled)."
        case .targetUp: "1 while a [[realm.target]] is up, 0 while OPTIONS probes find it down (503 or no answer); target is transport:host:port. Always 1 with probing off."
        }
    }
}

/// The `process` label's values.
public enum DaemonLabel: String, Sendable, CaseIterable {
    case signal
    case media
}
