import B2BUA
import MediaControlProtocol
import NIOCore
import PosixSupport
import Registration
import SDP
import SIPCore
import SIPMessage
import SIPTransport

/// One call as the shell keeps it: the sans-I/O `Call` and `MediaNegotiation`, and what only
/// the shell knows — flows, transactions, the targets left to try.
///
/// A reference, used only on SIPService's executor (hence `@unchecked Sendable`): the steps of a
/// call change it in place. As a value (about 1.8 KB) every step copied it in and out of the
/// table, retaining each of its fields, and the table's storage held it inline, slack included.
final class CallRecord: @unchecked Sendable {
    var call: Call
    var media: MediaNegotiation
    /// The flow the caller's INVITE came on: requests to the caller go back along it (NAT).
    let aFlow: Flow
    /// The caller's INVITE server transaction.
    let aServerKey: TransactionKey
    /// Targets not yet tried, in order.
    var targets: [RouteTarget]
    /// Where the B-leg's requests go, and over what.
    var bHop: SIPService.Hop?
    var bRealm: String
    var bTransport: TransportKind
    var bInviteKey: TransactionKey?
    /// The INVITE body toward the B-leg, kept for a failover attempt.
    var bOffer: CallBody = .none
    var sessionCreated = false
    /// What admission control gave this call; released when it ends.
    var slot: AdmissionControl.Slot?
    var cancelled = false
    /// The B-leg answered 2xx (its retransmissions are ACKed again with `ackB`).
    var answeredB = false
    /// The caller got Palisade's 2xx: the call connected (for the call metrics).
    var connected = false
    var ackB: SIPMessage?
    /// The caller's INVITE had no SDP: the B-leg's 2xx carried the offer, and the answer comes in
    /// the caller's ACK, which Palisade then sends on as the B-leg ACK (RFC 3264 §4, delayed offer).
    var awaitingAckAnswer = false
    /// Each fork's early answer (RFC 3261 §13.2.1), by its B-leg To tag, and the fork whose
    /// answer the media plane follows now: a 2xx without SDP settles the media on its fork's.
    var forkAnswers: [String: SessionDescription] = [:]
    var appliedAnswerFork: String?
    /// The SDP Palisade wrote to the caller for each fork's early answer, when the caller got it
    /// in an unreliable provisional only (the 2xx must then carry it).
    var forkAnswerBodies: [String: CallBody] = [:]
    /// RFC 3262 §5: the callee's offer came in a reliable provisional (the caller's INVITE had
    /// none) and its answer in the caller's PRACK; the 2xx then carries no new offer.
    var earlyOffer = false
    /// A re-INVITE without SDP got a 2xx with the answering leg's offer (RFC 3264 §4, delayed
    /// offer): Palisade holds its ACK on that leg until the requester's ACK brings the answer.
    var ackAnswerPendingOn: LegName?
    /// The ACKs that carried such answers, by the CSeq number of their INVITE, for the 2xx's
    /// retransmissions.
    var delayedOfferAcks: [UInt32: SIPMessage] = [:]
    /// The ACK sent to each other fork's 2xx (which was then hung up), for its retransmissions.
    var strayAcks: [String: SIPMessage] = [:]
    /// RFC 4028: the watch on the session interval the last 2xx to INVITE/UPDATE settled; a
    /// refresh replaces it, the end of the call cancels it.
    var sessionTimer: Scheduled<Void>?
    var sessionTimerGeneration = 0
    /// When the caller's INVITE arrived (for `calls list`).
    var started = ContinuousClock.now
    /// The same and the answer, in Unix seconds (for the call record).
    var startedAt = WallClock.now()
    var answeredAt: Double?
    /// The caller got its first 180/183, and its final response (for the call timing histograms).
    var rangTimed = false
    var setupTimed = false

    init(call: Call, media: MediaNegotiation, aFlow: Flow, aServerKey: TransactionKey, targets: [RouteTarget],
         bRealm: String, bTransport: TransportKind) {
        self.call = call
        self.media = media
        self.aFlow = aFlow
        self.aServerKey = aServerKey
        self.targets = targets
        self.bRealm = bRealm
        self.bTransport = bTransport
    }
}

/// Why Palisade runs a client transaction, so its responses reach the right place. The cases
/// that carry a request are boxed: the purposes table holds every value inline, slack included.
enum ClientPurpose: Sendable {
    /// The B-leg INVITE of a call.
    case invite(call: String)
    /// A CANCEL toward the B-leg; its response needs nothing.
    case cancel(call: String)
    /// A request relayed within the dialog: its final response answers `request` (received on
    /// `from`, server transaction `server`).
    indirect case relay(call: String, server: TransactionKey, request: SIPMessage, from: LegName)
    /// A request Palisade originated (a BYE); nothing waits for its response.
    case own(call: String)
    /// An OPTIONS probe of a configured target (`SIPService+TargetProbes.swift`).
    case probe(RouteTarget)
    /// A phone's REGISTER relayed to the core registrar (`SIPService+RegistrationRelay.swift`):
    /// the final answer maps onto the phone's REGISTER (server transaction `server`); a timeout,
    /// transport error or 503 tries the `remaining` targets first.
    indirect case registerRelay(server: TransactionKey, request: SIPMessage, exchange: RelayExchange<Flow>,
                       remaining: [RouteTarget])
    /// Palisade's own unregister of a relayed binding the phone let expire.
    case relayCleanup(token: String)
}

/// Every live call, its indices, and one ordered work queue per call: messages of a call are
/// handled one after another, including the media-plane round trips between them.
///
/// A call's queue exists only while work is waiting or running: one task drains it and ends when
/// it is empty, and the next message starts a new one. A task kept waiting for the whole call
/// would keep the largest async frame it ever ran (a task's allocator holds its slabs until the
/// task ends): that was 44 KB per held call.
struct CallTable: Sendable {
    /// Runs on the service's own executor (its `isolated` parameter), so a queued step does not
    /// hop off the actor's loop and back.
    typealias Work = @Sendable (isolated SIPService) async -> Void

    var records: [String: CallRecord] = [:]
    /// Both legs' Call-IDs → the call.
    var bySIPCallID: [String: String] = [:]
    var byServerInvite: [TransactionKey: String] = [:]
    var purposes: [TransactionKey: ClientPurpose] = [:]
    /// Work not yet started, per call whose queue is being drained.
    var queues: [String: [Work]] = [:]

    var count: Int { records.count }

    mutating func insert(_ record: CallRecord, id: String) {
        records[id] = record
        bySIPCallID[record.call.a.callID] = id
        bySIPCallID[record.call.b.callID] = id
        byServerInvite[record.aServerKey] = id
    }

    /// Forgets a call (work already queued still runs, and finds no record).
    mutating func remove(_ id: String) -> CallRecord? {
        guard let record = records.removeValue(forKey: id) else { return nil }
        bySIPCallID[record.call.a.callID] = nil
        bySIPCallID[record.call.b.callID] = nil
        byServerInvite[record.aServerKey] = nil
        return record
    }

    /// Queues `work` after every earlier work item of the same call; true when no task drains
    /// that call's queue now, so the caller must start one (on its own executor).
    mutating func enqueue(_ id: String, _ work: @escaping Work) -> Bool {
        if queues[id] != nil {
            queues[id]!.append(work)
            return false
        }
        queues[id] = [work]
        return true
    }

    /// The call's next work item, or nil when its queue is empty, which ends the queue: the
    /// draining task then stops, and the next `enqueue` reports that a new one is needed.
    mutating func next(_ id: String) -> Work? {
        guard let pending = queues[id] else { return nil }
        guard !pending.isEmpty else {
            queues[id] = nil
            return nil
        }
        return queues[id]!.removeFirst()
    }

    /// Drops every queued work item (at shutdown); running steps finish, and their tasks end.
    mutating func finishAll() {
        queues = [:]
    }
}
