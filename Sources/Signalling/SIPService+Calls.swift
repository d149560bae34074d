import AdminProtocol
import B2BUA
import MediaControlProtocol
import PosixSupport
import SDP
import SIPCore
import SIPMessage
import SIPTransport

/// The B2BUA half of SIPService (issue 6, items 2, 3 and 7): calls as an A-leg server side and
/// a B-leg client side joined by `B2BUA.Call`, media anchored through palisade-media on every
/// offer and answer. Every message of a call runs on that call's queue, so a media-plane round
/// trip never lets a later message of the same call overtake an earlier one.
extension SIPService {
    // MARK: - Requests in

    /// A request for the B2BUA: a CANCEL of a call's INVITE, a request within a call's dialog,
    /// or an INVITE from a realm with a route. False hands it to the local policy.
    func takeRequest(_ request: SIPMessage, on key: TransactionKey) -> Bool {
        guard let calls, let method = request.method, case .flow(let flow)? = hops[key] else { return false }
        if method == .cancel {
            guard let target = cancelTargets[key], let id = callTable.byServerInvite[target] else { return false }
            // §9.2: the CANCEL itself is answered 200; the INVITE then gets 487.
            respond(SIPResponseBuilder.response(to: request, status: 200, toTag: Self.makeTag()), on: key)
            enqueue(id) { await $0.cancelFromA(id) }
            return true
        }
        if request.to?.tag != nil {
            guard let callID = request.callID, let id = callTable.bySIPCallID[callID] else {
                // §12.2.2: a request within a dialog Palisade does not know.
                respond(SIPResponseBuilder.response(to: request, status: 481, toTag: nil), on: key)
                return true
            }
            enqueue(id) { await $0.inDialog(request, key: key, call: id) }
            return true
        }
        guard method == .invite, let plan = calls.routes[flow.realm] else { return false }
        // RFC 3261 §8.2.2.3: an extension the caller requires and Palisade does not perform per
        // leg (path, gruu, …; 100rel it performs) is refused with 420 and Unsupported.
        let unsupported = calls.headers.unsupported(in: request)
        guard unsupported.isEmpty else {
            respond(SIPResponseBuilder.response(to: request, status: 420, toTag: Self.makeTag(),
                                                headers: [("Unsupported", unsupported.joined(separator: ", "))]), on: key)
            return true
        }
        var invite = request
        // RFC 3261 §22.3: on an untrusted realm Palisade is the proxy that authenticates the
        // caller (no open relay, no toll fraud), before admission or media cost anything.
        if let registrar, registrar.authenticatesCalls, calls.realms[flow.realm]?.challengesCalls == true {
            switch registrar.authenticateCall(request, on: flow, toTag: Self.makeTag()) {
            case .answer(let response, let delay, _):
                guard let delay else {
                    respond(response, on: key)
                    return true
                }
                // The throttle holds the answer back; the server transaction absorbs retransmissions.
                Task { try? await Task.sleep(for: delay); respond(response, on: key) }
                return true
            case .authenticated(let user):
                logger.debug("call authenticated", metadata: ["user": "\(user)", "flow": "\(flow)"])
                invite = registrar.withoutOwnCredentials(request)
            }
        }
        startCall(invite, key: key, flow: flow, plan: plan, calls: calls)
        return true
    }

    /// An ACK for a 2xx (it has no transaction) or a 2xx retransmitted after its transaction ended.
    func unmatched(_ message: SIPMessage, on flow: Flow) -> Bool {
        guard let callID = message.callID, let id = callTable.bySIPCallID[callID] else { return false }
        if message.method == .ack {
            enqueue(id) { await $0.ackFromLeg(message, call: id) }
            return true
        }
        if let status = message.statusCode, status >= 200, status < 300, message.cseq?.method == .invite,
           let record = callTable.records[id], let ack = record.ackB, let hop = record.bHop {
            if record.call.isOtherFork(message) {
                enqueue(id) { $0.otherForkAnswered(message, hop: hop, call: id) }
            } else {
                send(Outbound(message: ack, hop: hop, transaction: nil))
            }
            return true
        }
        return false
    }

    func enqueue(_ id: String, _ work: @escaping CallTable.Work) {
        guard callTable.enqueue(id, work) else { return }
        // One step at a time on the actor; the task ends when the call's queue is empty (see
        // `CallTable`).
        Task(executorPreference: loopExecutor) { await self.drain(id) }
    }

    private func drain(_ id: String) async {
        while let step = callTable.next(id) { await step(self) }
    }

    // MARK: - A new call

    private func startCall(_ invite: SIPMessage, key: TransactionKey, flow: Flow, plan: RoutePlan, calls: CallRouting) {
        guard let realmA = calls.realms[flow.realm], let realmB = calls.realms[plan.realm] else {
            respond(SIPResponseBuilder.response(to: invite, status: 500, toTag: Self.makeTag()), on: key)
            return
        }
        // Admission control before anything is allocated: the call never reaches the core.
        let source = flow.remote.ipAddress ?? "?"
        let slot: AdmissionControl.Slot
        switch admission.withLock({ $0.admit(callerRealm: flow.realm, calleeRealm: plan.realm, source: source) }) {
        case .admitted(let admitted):
            slot = admitted
        case .rejected(let realm, let reason, let limit):
            callCounts.withLock {
                $0.admissionRejected[AdmissionRejectionKey(realm: realm, reason: reason), default: 0] += 1
            }
            let limitName = reason == .maxCalls ? "max_calls" : "max_calls_per_source"
            logger.notice("call refused by admission control", metadata: [
                "realm": "\(realm)", "limit": "\(limitName) = \(limit)", "source": "\(source)", "from": "\(flow.realm)"])
            // RFC 3261 §21.5.4: 503 with Retry-After; the Warning names the limit (§20.43, code 399).
            respond(SIPResponseBuilder.response(
                to: invite, status: 503, toTag: Self.makeTag(),
                headers: [("Retry-After", "\(Self.admissionRetryAfterSeconds)"),
                          ("Warning", "399 palisade \"realm \(realm): \(limitName) (\(limit)) reached\"")]), on: key)
            return
        }
        // Targets OPTIONS probes found down are skipped (all are tried when every one is down).
        let ordered = RoutePlan.order(plan.targets) { IdentifierRandom.value(in: 0...$0) }
        let targets = targetHealth.withLock { $0.usable(ordered) }
        let bTransport = targets.first.map { Self.kind($0.transport) } ?? .udp
        let ids = CallIdentifiers(callID: Self.makeTag() + Self.makeTag(), bTag: Self.makeTag(), aTag: Self.makeTag())
        let id = ids.callID
        let sideA = side(realmA, transport: flow.transport)
        let sideB = side(realmB, transport: bTransport)
        let user = invite.requestURI?.user.map { String(decoding: $0, as: UTF8.self) }
        let uri = targets.first?.requestURI(user: user) ?? "sip:" + (user.map { $0 + "@" } ?? "") + sideB.host
        let call = Call(invite: invite, requestURI: uri, ids: ids, sideA: sideA, sideB: sideB, headers: calls.headers)
        let media = MediaNegotiation(session: id, policyA: realmA.media, policyB: realmB.media,
                                     originA: SDPOriginIdentity(sessionID: Self.originID()),
                                     originB: SDPOriginIdentity(sessionID: Self.originID()))
        let record = CallRecord(call: call, media: media, aFlow: flow, aServerKey: key, targets: targets,
                                bRealm: realmB.name, bTransport: bTransport)
        record.slot = slot
        callTable.insert(record, id: id)
        callCounts.withLock {
            $0.active += 1
            $0.attempted[flow.realm, default: 0] += 1
        }
        logger.info("call started", metadata: ["call": "\(id)", "from": "\(flow.realm)", "to": "\(realmB.name)"])
        enqueue(id) { await $0.placeCall(id, user: user) }
    }

    private func side(_ realm: CallRouting.Realm, transport kind: TransportKind) -> CallSide {
        let advertised = transport.advertised(realm: realm.name, transport: kind)
            ?? transport.advertised(realm: realm.name, transport: .udp)
        let contact = transport.uri(realm: realm.name, transport: kind)
            ?? transport.uri(realm: realm.name, transport: .udp) ?? "sip:invalid"
        return CallSide(realm: realm.name, contact: contact, host: advertised?.uriHost ?? realm.media.advertisedAddress,
                        trusted: realm.trusted)
    }

    /// Finds where the call goes, anchors the caller's offer, and sends the first INVITE.
    private func placeCall(_ id: String, user: String?) async {
        guard let calls, var record = callTable.records[id] else { return }
        // RFC 3261 §19.1.2, §26.2.2: a sips: Request-URI asks for TLS on every hop. The next hop is
        // a TLS target or a phone registered over TLS; without one the call is refused, never
        // downgraded.
        let secure = record.call.aInvite.requestURI?.scheme == .sips
        if secure, !record.targets.isEmpty {
            record.targets = record.targets.filter { $0.transport == .tls }
            guard !record.targets.isEmpty else {
                failSIPS(id, "no TLS target for a sips: Request-URI")
                return
            }
        }
        if record.targets.isEmpty {
            // From the core to a registered user, through the flow the user registered on. A
            // binding whose TCP/TLS connection has closed cannot be reached (nothing connects
            // towards a phone): the call gets 480 at once, not a transport error's 503.
            let domain = record.call.aInvite.requestURI?.host?.string
            if let lookup = calls.registrations, let user,
               let binding = await lookup.binding(user: user, domain: domain, realm: record.bRealm,
                                                  reachable: { [transport] in transport.isOpen($0) }) {
                guard !secure || binding.flow.transport == .tls else {
                    failSIPS(id, "\(user) is registered over \(binding.flow.transport.rawValue), not TLS")
                    return
                }
                guard let current = callTable.records[id] else { return }
                current.bHop = .flow(binding.flow)
                current.bTransport = binding.flow.transport
                current.call.retarget(requestURI: binding.contact)
                record = current
            } else {
                // No route: 480 when users could register but this one is not, else 404.
                failCall(id, status: calls.registrations == nil ? 404 : 480)
                return
            }
        }
        let invite = record.call.aInvite
        if Self.hasSDP(invite) {
            guard let offer = try? SessionDescription(parsing: Array(invite.body)) else {
                failCall(id, status: 400, reason: "Bad SDP")
                return
            }
            guard let body = await anchorOffer(offer, from: .a, call: id) else { return }
            guard let current = callTable.records[id] else { return }
            current.bOffer = body
        } else {
            guard let current = callTable.records[id] else { return }
            current.bOffer = CallBody.unchanged(invite)
        }
        sendInvite(id)
    }

    /// A sips: call with no TLS next hop: 480 with a Warning that says why (the caller may retry
    /// with sip:, or later, when the callee registers over TLS).
    private func failSIPS(_ id: String, _ why: String) {
        logger.notice("sips: call refused: no TLS next hop", metadata: ["call": "\(id)", "why": "\(why)"])
        failCall(id, status: 480, reason: "No TLS Route For SIPS", headers: [("Warning", "399 palisade \"\(why)\"")])
    }

    /// RFC 3264 offer from `leg`: decides under both realms' policies, asks palisade-media for
    /// the session (create or update), writes the offer for the other leg. Nil when the offer
    /// was refused or the media plane failed; the caller has been answered then.
    private func anchorOffer(_ offer: SessionDescription, from leg: LegName, call id: String,
                             refuse: ((Int, [(String, String)]) -> Void)? = nil) async -> CallBody? {
        guard let calls, let record = callTable.records[id] else { return nil }
        let refuse = refuse ?? { [self] status, headers in failCall(id, status: status, headers: headers) }
        switch record.media.receiveOffer(offer, from: leg) {
        case .reject(let rejection):
            logger.info("offer refused", metadata: ["call": "\(id)", "reason": "\(rejection)"])
            refuse(rejection.status, [("Warning", rejection.warning(agent: "palisade"))])
            return nil
        case .allocate(let spec):
            let created = record.sessionCreated
            let reply: ControlReply.Body
            do {
                reply = try await calls.media.request(created ? .updateSession(spec) : .createSession(spec),
                                                      timeoutMilliseconds: calls.mediaTimeoutMilliseconds, isolation: self)
            } catch {
                logger.warning("media plane refused the session", metadata: ["call": "\(id)", "error": "\(error)"])
                if let current = callTable.records[id] {
                    current.media.abandon()
                }
                refuse(503, [("Warning", "399 palisade \"media plane unavailable\"")])
                return nil
            }
            guard let current = callTable.records[id] else {
                if !created { await deleteSession(id) }
                return nil
            }
            let alloc: SessionAllocation
            switch reply {
            case .created(let a), .updated(let a): alloc = a
            default:
                refuse(500, [])
                return nil
            }
            current.sessionCreated = true
            guard let sdp = current.media.writeOffer(allocation: alloc) else {
                refuse(500, [])
                return nil
            }
            return CallBody(bytes: sdp.printed, contentType: "application/sdp")
        }
    }

    /// RFC 3264 answer from the leg Palisade offered to: updates the session and writes the
    /// answer for the offerer. Nil when the answer cannot be used (reason given).
    private func anchorAnswer(_ answer: SessionDescription, call id: String) async -> Result<CallBody, MediaRejection> {
        guard let calls, let record = callTable.records[id] else {
            return .failure(MediaRejection(.noOfferPending, "call gone"))
        }
        switch record.media.receiveAnswer(answer) {
        case .reject(let rejection):
            return .failure(rejection)
        case .update(let spec):
            let reply: ControlReply.Body
            do {
                reply = try await calls.media.request(.updateSession(spec), timeoutMilliseconds: calls.mediaTimeoutMilliseconds, isolation: self)
            } catch {
                return .failure(MediaRejection(.noMediaStream, "media plane unavailable: \(error)"))
            }
            guard let current = callTable.records[id], case .updated(let allocation) = reply,
                  let sdp = current.media.writeAnswer(allocation: allocation) else {
                return .failure(MediaRejection(.noMediaStream, "media plane gave no allocation"))
            }
            return .success(CallBody(bytes: sdp.printed, contentType: "application/sdp"))
        }
    }

    /// Sends the B-leg INVITE to the next target (or the registered flow).
    private func sendInvite(_ id: String) {
        guard let record = callTable.records[id] else { return }
        var uri: String?
        if !record.targets.isEmpty {
            let target = record.targets.removeFirst()
            let user = record.call.aInvite.requestURI?.user.map { String(decoding: $0, as: UTF8.self) }
            uri = target.requestURI(user: user)
            record.bTransport = Self.kind(target.transport)
            record.bRealm = target.realm
            record.bHop = .destination(OutboundDestination(realm: target.realm, transport: record.bTransport,
                                                           address: HostPort(target.host, target.port)))
        }
        guard let hop = record.bHop, let via = via(realm: record.bRealm, transport: record.bTransport) else {
            failCall(id, status: 500)
            return
        }
        let invite = record.call.inviteForB(requestURI: uri, via: via, body: record.bOffer)
        guard let key = startClient(invite, hop: hop, transport: record.bTransport, purpose: .invite(call: id)) else {
            failCall(id, status: 503)
            return
        }
        callTable.records[id]?.bInviteKey = key
    }

    /// Starts a client transaction for `request` toward `hop`.
    @discardableResult
    func startClient(_ request: SIPMessage, hop: Hop, transport kind: TransportKind, purpose: ClientPurpose)
        -> TransactionKey? {
        let reliability: TransactionTransport = kind.isStream ? .reliable : .unreliable
        guard let (key, actions) = try? transactions.sendRequest(request, transport: reliability, now: .now) else {
            logger.warning("could not start a client transaction", metadata: ["start": "\(request.startLineText)"])
            return nil
        }
        hops[key] = hop
        callTable.purposes[key] = purpose
        perform(actions, for: key)
        return key
    }

    func clientTransactionEnded(_ key: TransactionKey) {
        guard key.role == .client else { return }
        if case .probe(let target) = callTable.purposes.removeValue(forKey: key) { probesInFlight.remove(target) }
    }

    func via(realm: String, transport kind: TransportKind) -> String? {
        transport.via(realm: realm, transport: kind, branch: "z9hG4bK" + Self.makeTag() + Self.makeTag())
    }

    // MARK: - Responses from the B-leg and relayed requests

    func clientResponse(_ response: SIPMessage, on key: TransactionKey) {
        guard let purpose = callTable.purposes[key] else { return }
        switch purpose {
        case .invite(let id):
            enqueue(id) { await $0.inviteResponse(response, key: key, call: id) }
        case .relay(let id, let server, let request, let leg):
            enqueue(id) { await $0.relayResponse(response, call: id, server: server, request: request, from: leg) }
        case .probe(let target):
            probeAnswered(target, response: response)
        case .registerRelay(let server, let request, let exchange, let remaining):
            relayAnswered(response, server: server, request: request, exchange: exchange, remaining: remaining)
        case .relayCleanup(let token):
            if let status = response.statusCode, status >= 200 { registrar?.relayCleanupAnswered(response, token: token) }
        case .cancel, .own:
            break
        }
    }

    private func inviteResponse(_ response: SIPMessage, key: TransactionKey, call id: String) async {
        guard let record = callTable.records[id], let status = response.statusCode else { return }
        if status == 100 { return }
        guard key == record.bInviteKey else {
            // A response to an earlier attempt (failover): a late 2xx is ACKed and hung up.
            if status >= 200, status < 300, let hop = hops[key] { hangUpStray(response, hop: hop, record: record) }
            return
        }
        if record.answeredB {
            if status < 300, let hop = record.bHop {
                if record.call.isOtherFork(response) {
                    otherForkAnswered(response, hop: hop, call: id)
                } else if let ack = record.ackB {
                    send(Outbound(message: ack, hop: hop, transaction: nil))
                }
            }
            return
        }
        if record.cancelled {
            if status >= 200, status < 300 {
                // The 2xx crossed the CANCEL: the B-leg is up and must be hung up (§9.1).
                record.answeredB = true
                ackAndBye(id, reason: "SIP;cause=487;text=\"Request Terminated\"")
                await endCall(id, cause: "cancelled")
            } else if status >= 300 {
                await endCall(id, cause: "cancelled")
            }
            return
        }
        if status < 200 {
            await provisional(response, call: id)
            return
        }
        if status < 300 {
            record.answeredB = true
            await answered(response, call: id)
            return
        }
        // A failure: the next target on a timeout, transport error or 503, else the caller hears it.
        if RoutePlan.failsOver(status: status), !record.targets.isEmpty {
            logger.info("failing over", metadata: ["call": "\(id)", "status": "\(status)"])
            sendInvite(id)
            return
        }
        if record.media.isNegotiating { record.media.abandon() }
        let mapped = record.call.inviteResponseForA(response, body: CallBody.unchanged(response))
        respond(mapped, on: record.aServerKey)
        await endCall(id, cause: "\(status)", by: .callee)
    }

    /// A provisional from the B-leg (RFC 3261 §13.2.2.1), on the fork its To tag names.
    ///
    /// Early media (183 with SDP) is an early answer, anchored through `MediaNegotiation`. The
    /// call has one media session: each fork's early answer points its B-leg side at that fork's
    /// media, so the latest fork to answer early is the one heard; the 2xx then settles it on the
    /// answering fork (`answered`). Every fork's early dialog toward the caller carries the same
    /// Palisade address and ports, so the caller's media never has to move.
    ///
    /// RFC 3262: a reliable provisional is relayed reliably to a caller that supports 100rel
    /// (RSeq mapped; its PRACK comes back through `inDialog`; Palisade, the UAS of the A-leg,
    /// retransmits it there over UDP until then), else relayed as an ordinary provisional and
    /// PRACKed by Palisade itself. A retransmission from the callee is not processed again
    /// (§4): each leg retransmits on its own.
    private func provisional(_ response: SIPMessage, call id: String) async {
        guard let record = callTable.records[id] else { return }
        let reliability = record.call.reliability(of: response)
        if reliability == .retransmission { return }
        var body = CallBody.unchanged(response)
        if Self.hasSDP(response) {
            guard let answer = try? SessionDescription(parsing: Array(response.body)) else { return }
            if record.media.isNegotiating {
                guard case .success(let b) = await anchorAnswer(answer, call: id) else { return }
                body = b
                if let tag = response.to?.tag {
                    callTable.records[id]?.forkAnswers[tag] = answer
                    callTable.records[id]?.appliedAnswerFork = tag
                    // Reached the caller reliably or not (RFC 3261 §13.2.1: then the 2xx repeats it).
                    let reliably = reliability != .unreliable && record.call.callerSupports100rel
                    callTable.records[id]?.forkAnswerBodies[tag] = reliably ? nil : b
                }
            } else if case .reliable = reliability, record.call.callerSupports100rel, !record.call.callerOffered,
                      !record.earlyOffer {
                // RFC 3262 §5: the callee's offer in a reliable provisional, answered in the
                // caller's PRACK (`prackFromA`).
                guard let b = await anchorOffer(answer, from: .b, call: id, refuse: { [self] status, headers in
                    if let current = callTable.records[id], let cancel = current.call.cancelForB(), let hop = current.bHop {
                        startClient(cancel, hop: hop, transport: current.bTransport, purpose: .cancel(call: id))
                    }
                    failCall(id, status: status, headers: headers)
                }) else { return }
                body = b
                callTable.records[id]?.earlyOffer = true
            } else {
                // An offer in an unreliable provisional (RFC 3261 §13.2.1 allows none) is not
                // anchored: the provisional goes on without it, and the offer comes in the 2xx.
                logger.info("SDP of a provisional without an offer pending not relayed", metadata: ["call": "\(id)"])
                body = .none
            }
        }
        guard let current = callTable.records[id], !current.cancelled else { return }
        let fresh = ForkIdentifiers(aTag: Self.makeTag(), firstRSeq: IdentifierRandom.value(in: 1...0x7FFF_FFFF))
        let mapped = current.call.inviteResponseForA(response, body: body, fresh: fresh, reliability: reliability)
        var prack: SIPMessage?
        if case .reliable = reliability, !current.call.callerSupports100rel,
           let via = via(realm: current.bRealm, transport: current.bTransport) {
            prack = current.call.prackForB(acknowledging: response, via: via)
        }
        respond(mapped, on: current.aServerKey)
        if let prack, let hop = current.bHop {
            startClient(prack, hop: hop, transport: current.bTransport, purpose: .own(call: id))
        }
        if case .reliable = reliability, current.call.callerSupports100rel, !current.aFlow.transport.isStream,
           let rseq = mapped.rseq {
            retransmitReliable(id, rseq: rseq)
        }
    }

    /// RFC 3262 §3: the reliable provisional with `rseq` on the A-leg is sent again after T1,
    /// then at doubling intervals, until the caller PRACKs it, the INVITE is answered, or 64*T1
    /// pass (the callee, whose own provisional stays unacknowledged, then ends the call).
    private func retransmitReliable(_ id: String, rseq: UInt32) {
        let t1 = transactions.timers.t1
        Task { [self] in
            var interval = t1
            var elapsed = Duration.zero
            while elapsed < t1 * 64 {
                guard (try? await Task.sleep(for: interval)) != nil else { return }
                elapsed += interval
                interval *= 2
                guard let record = callTable.records[id], !record.call.answeredA,
                      let pending = record.call.forks.lazy.compactMap(\.pendingA).first(where: { $0.rseq == rseq })
                else { return }
                respond(pending, on: record.aServerKey)
            }
        }
    }

    /// A 2xx from another fork than the one that answered (RFC 3261 §13.2.2.4): ACK and BYE in
    /// that fork's own dialog, once; its retransmissions get the same ACK again.
    private func otherForkAnswered(_ response: SIPMessage, hop: Hop, call id: String) {
        guard let record = callTable.records[id], let tag = response.to?.tag else { return }
        if let ack = record.strayAcks[tag] {
            send(Outbound(message: ack, hop: hop, transaction: nil))
            return
        }
        guard let ack = hangUpStray(response, hop: hop, record: record) else { return }
        record.strayAcks[tag] = ack
    }

    /// The B-leg answered 2xx: anchor its answer (or its offer, when the caller sent none), ACK
    /// it, and answer the caller.
    private func answered(_ response: SIPMessage, call id: String) async {
        guard let record = callTable.records[id] else { return }
        var body = CallBody.unchanged(response)
        var delayedOffer = false
        if record.earlyOffer {
            // Offer and answer were exchanged in the reliable provisional and PRACK (RFC 3262
            // §5); a description in the 2xx repeats it and is not sent on again.
            body = .none
            if record.media.isNegotiating { callTable.records[id]?.media.complete() }
        } else if Self.hasSDP(response) {
            guard let sdp = try? SessionDescription(parsing: Array(response.body)) else {
                ackAndBye(id, reason: "SIP;cause=488;text=\"Bad SDP\"")
                failCall(id, status: 488)
                return
            }
            if record.media.isNegotiating {
                switch await anchorAnswer(sdp, call: id) {
                case .success(let b): body = b
                case .failure(let rejection):
                    ackAndBye(id, reason: "SIP;cause=488;text=\"\(rejection.text)\"")
                    failCall(id, status: 488, headers: [("Warning", rejection.warning(agent: "palisade"))])
                    return
                }
                callTable.records[id]?.media.complete()
            } else {
                // Delayed offer: the 2xx carries the B-leg's offer; its answer comes in the ACK.
                delayedOffer = true
                guard let b = await anchorOffer(sdp, from: .b, call: id, refuse: { [self] status, headers in
                    ackAndBye(id, reason: "SIP;cause=\(status)")
                    failCall(id, status: status, headers: headers)
                }) else { return }
                body = b
            }
        } else if record.media.isNegotiating, let tag = response.to?.tag, let early = record.forkAnswers[tag] {
            // The answer was this fork's early one (RFC 3261 §13.2.1, a reliable provisional):
            // the media plane follows the answering fork again if a later fork's early answer
            // had moved it. A caller that got that answer only in an unreliable provisional (it
            // does not do 100rel) gets it in the 2xx, where RFC 3261 §13.2.1 wants it.
            var written = record.forkAnswerBodies[tag]
            if record.appliedAnswerFork != tag {
                switch await anchorAnswer(early, call: id) {
                case .success(let b): if written != nil { written = b }
                case .failure(let rejection):
                    logger.warning("early answer of the answering fork refused", metadata: ["call": "\(id)",
                                                                                            "reason": "\(rejection)"])
                }
            }
            if let written { body = written }
            callTable.records[id]?.media.complete()
        }
        guard let current = callTable.records[id] else { return }
        let mapped = current.call.inviteResponseForA(response, body: body)
        if let hop = current.bHop, case let realm = current.bRealm, let via = via(realm: realm, transport: current.bTransport) {
            let ack = current.call.ack(on: .b, via: via)
            if delayedOffer {
                current.awaitingAckAnswer = true
                current.ackB = ack
            } else {
                current.ackB = ack
                send(Outbound(message: ack, hop: hop, transaction: nil))
            }
        }
        current.connected = true
        current.answeredAt = WallClock.now()
        respond(mapped, on: current.aServerKey)
        watchSessionTimer(id, settledBy: response)
        callCounts.withLock { $0.answered[current.aFlow.realm, default: 0] += 1 }
        logger.info("call answered", metadata: ["call": "\(id)"])
    }

    /// ACKs the B-leg's 2xx and hangs it up (a call that cannot go on after the B-leg answered).
    private func ackAndBye(_ id: String, reason: String) {
        guard let record = callTable.records[id], let hop = record.bHop,
              let via1 = via(realm: record.bRealm, transport: record.bTransport),
              let via2 = via(realm: record.bRealm, transport: record.bTransport) else { return }
        let ack = record.call.ack(on: .b, via: via1)
        send(Outbound(message: ack, hop: hop, transaction: nil))
        let bye = record.call.request(.bye, on: .b, via: via2, reason: reason)
        startClient(bye, hop: hop, transport: record.bTransport, purpose: .own(call: id))
    }

    /// A 2xx from an abandoned attempt or another fork: ACK it and BYE it within its own dialog.
    @discardableResult
    private func hangUpStray(_ response: SIPMessage, hop: Hop, record: CallRecord) -> SIPMessage? {
        guard let to = response.to, let tag = to.tag, let cseq = response.cseq,
              let via1 = via(realm: record.bRealm, transport: record.bTransport),
              let via2 = via(realm: record.bRealm, transport: record.bTransport) else { return nil }
        var dialog = record.call.b
        dialog.remoteTag = tag
        if let contact = response.contacts.first?.uri.string { dialog.remoteTarget = contact }
        dialog.routeSet = response.values(.recordRoute).map { String(decoding: $0, as: UTF8.self) }.reversed()
        dialog.localSequence = cseq.sequence
        let ack = dialog.request(.ack, via: via1, contact: nil, sequence: cseq.sequence)
        send(Outbound(message: ack, hop: hop, transaction: nil))
        let bye = dialog.request(.bye, via: via2, contact: nil)
        startClient(bye, hop: hop, transport: record.bTransport, purpose: .own(call: record.call.b.callID))
        logger.info("hung up a late answer of an abandoned attempt or another fork",
                    metadata: ["call": "\(record.call.b.callID)"])
        return ack
    }

    private func relayResponse(_ response: SIPMessage, call id: String, server: TransactionKey, request: SIPMessage,
                               from leg: LegName) async {
        guard let status = response.statusCode, status > 100, let record = callTable.records[id] else { return }
        let target: LegName = leg == .a ? .b : .a
        let targetHop: Hop? = target == .a ? .flow(record.aFlow) : record.bHop
        if request.method == .invite, status >= 200, status < 300, let sequence = response.cseq?.sequence {
            // A retransmitted 2xx of a delayed-offer re-INVITE: none while the answer is awaited
            // (the callee retransmits until it comes), the ACK with the answer again after.
            if record.ackAnswerPendingOn == target { return }
            if let ack = record.delayedOfferAcks[sequence], let hop = targetHop {
                send(Outbound(message: ack, hop: hop, transaction: nil))
                return
            }
        }
        var body = CallBody.unchanged(response)
        var holdAck = false
        let isOffer = request.method == .invite || request.method == .update
        if request.method == .invite, !Self.hasSDP(request), status >= 200, status < 300, Self.hasSDP(response),
           !record.media.isNegotiating {
            // RFC 3264 §4: a re-INVITE without SDP; the 2xx carries the answering leg's offer,
            // anchored like any other, and its answer comes in the requester's ACK.
            body = .none
            if let offer = try? SessionDescription(parsing: Array(response.body)),
               let b = await anchorOffer(offer, from: target, call: id, refuse: { [self] status, _ in
                   logger.warning("offer in a re-INVITE's 2xx refused", metadata: ["call": "\(id)", "status": "\(status)"])
               }) {
                body = b
                holdAck = true
            }
        } else if Self.hasSDP(response), !(isOffer && record.media.isNegotiating) {
            // A description Palisade did not anchor never crosses (topology hiding).
            logger.info("SDP of a response without an offer pending not relayed", metadata: ["call": "\(id)"])
            body = .none
        } else if isOffer, record.media.isNegotiating {
            if status >= 300 {
                callTable.records[id]?.media.abandon()
            } else if Self.hasSDP(response), let answer = try? SessionDescription(parsing: Array(response.body)) {
                switch await anchorAnswer(answer, call: id) {
                case .success(let b):
                    body = b
                    if status >= 200 { callTable.records[id]?.media.complete() }
                case .failure(let rejection):
                    logger.warning("answer refused in a dialog", metadata: ["call": "\(id)", "reason": "\(rejection)"])
                    callTable.records[id]?.media.abandon()
                    body = .none
                }
            }
        }
        guard let current = callTable.records[id] else { return }
        if holdAck {
            current.ackAnswerPendingOn = target
        } else if request.method == .invite, status >= 200, status < 300,
           let via = via(realm: target == .a ? current.aFlow.realm : current.bRealm,
                         transport: target == .a ? current.aFlow.transport : current.bTransport),
           let hop = target == .a ? .flow(current.aFlow) : current.bHop {
            // The re-INVITE Palisade sent on `target` is ACKed by Palisade; the sender's ACK for
            // Palisade's 2xx is absorbed.
            let ack = current.call.ack(on: target, via: via)
            send(Outbound(message: ack, hop: hop, transaction: nil))
        }
        let mapped = current.call.response(to: request, on: leg, status: status, reason: response.reasonPhrase,
                                           copying: response, body: body)
        respond(mapped, on: server)
        if request.method == .invite || request.method == .update, status >= 200, status < 300 {
            // RFC 4028 §7.4, §8: a refresh; its 2xx settles the next interval (or ends the timer).
            watchSessionTimer(id, settledBy: response)
        }
    }

    /// RFC 4028: (re)starts the watch on the session interval `response` (a 2xx to INVITE or
    /// UPDATE) settles, or stops it when the response has none. A session that expires without
    /// a refresh is ended by Palisade (`sessionExpired`).
    private func watchSessionTimer(_ id: String, settledBy response: SIPMessage) {
        guard let record = callTable.records[id] else { return }
        record.sessionTimer?.cancel()
        record.sessionTimer = nil
        record.sessionTimerGeneration += 1
        let generation = record.sessionTimerGeneration
        if let seconds = SessionTimer.interval(of: response) {
            // On the actor's own loop, like the transaction timers: no task per call while it waits.
            record.sessionTimer = loop.scheduleTask(in: .seconds(Int64(seconds))) { [self] in
                assumeIsolated { $0.enqueue(id) { await $0.sessionExpired(id, generation: generation) } }
            }
        }
    }

    /// The session interval passed without a refresh (RFC 4028 §10): both ends have stopped
    /// refreshing, so Palisade sends BYE on both legs and ends the call (cause
    /// `session-expired`, ended by Palisade).
    private func sessionExpired(_ id: String, generation: Int) async {
        guard let record = callTable.records[id], record.sessionTimerGeneration == generation,
              record.call.state == .confirmed else { return }
        logger.notice("session timer expired without a refresh", metadata: ["call": "\(id)"])
        let reason = "SIP;cause=408;text=\"session timer expired\""
        hangUp(id, leg: .a, reason: reason)
        hangUp(id, leg: .b, reason: reason)
        await endCall(id, cause: "session-expired", by: .palisade)
    }

    // MARK: - Within the dialog

    private func inDialog(_ request: SIPMessage, key: TransactionKey, call id: String) async {
        if request.method == .ack {
            // An ACK that matched the A-leg INVITE transaction (RFC 6026 Accepted) is still the
            // caller's ACK for Palisade's 2xx.
            await ackFromLeg(request, call: id)
            return
        }
        guard let record = callTable.records[id], let method = request.method, let callID = request.callID,
              let leg = record.call.leg(ofCallID: callID) else {
            respond(SIPResponseBuilder.response(to: request, status: 481, toTag: nil), on: key)
            return
        }
        guard record.call.receivedInDialog(request, on: leg) else {
            respond(SIPResponseBuilder.response(to: request, status: 500, reason: "CSeq Out Of Order", toTag: nil),
                    on: key)
            return
        }
        if method == .bye {
            // The BYE is answered here and carried to the other leg as Palisade's own.
            respond(record.call.response(to: request, on: leg, status: 200, reason: nil, copying: nil, body: .none),
                    on: key)
            hangUp(id, leg: leg == .a ? .b : .a, reason: nil)
            await endCall(id, cause: leg == .a ? "caller-bye" : "callee-bye")
            return
        }
        if method == .prack {
            await prackFromA(request, key: key, leg: leg, call: id)
            return
        }
        let target: LegName = leg == .a ? .b : .a
        var body = CallBody.unchanged(request)
        if (method == .invite || method == .update), Self.hasSDP(request) {
            guard let offer = try? SessionDescription(parsing: Array(request.body)) else {
                respond(record.call.response(to: request, on: leg, status: 400, reason: "Bad SDP", copying: nil,
                                             body: .none), on: key)
                return
            }
            let refused: (Int, [(String, String)]) -> Void = { [self] status, headers in
                guard let current = callTable.records[id] else { return }
                var reply = current.call.response(to: request, on: leg, status: status, reason: nil, copying: nil,
                                                  body: .none)
                for (name, value) in headers { reply.appendHeader(name, value) }
                respond(reply, on: key)
            }
            guard let b = await anchorOffer(offer, from: leg, call: id, refuse: refused) else { return }
            body = b
        }
        guard let current = callTable.records[id],
              let hop = target == .a ? .flow(current.aFlow) : current.bHop,
              let via = via(realm: target == .a ? current.aFlow.realm : current.bRealm,
                            transport: target == .a ? current.aFlow.transport : current.bTransport) else {
            respond(SIPResponseBuilder.response(to: request, status: 481, toTag: nil), on: key)
            return
        }
        let relayed = current.call.relay(request, from: leg, via: via, body: body)
        let kind = target == .a ? current.aFlow.transport : current.bTransport
        if startClient(relayed, hop: hop, transport: kind,
                       purpose: .relay(call: id, server: key, request: request, from: leg)) == nil {
            respond(current.call.response(to: request, on: leg, status: 500, reason: nil, copying: nil, body: .none),
                    on: key)
        }
    }

    /// The caller's PRACK for a reliable provisional Palisade relayed (RFC 3262 §7.2): carried to
    /// the fork that sent the provisional with RAck mapped to the callee's RSeq; its response
    /// comes back as any relayed request's. One matching nothing unacknowledged gets 481 (§3).
    private func prackFromA(_ prack: SIPMessage, key: TransactionKey, leg: LegName, call id: String) async {
        guard var record = callTable.records[id] else { return }
        var body = CallBody.unchanged(prack)
        if Self.hasSDP(prack) {
            body = .none
            if record.earlyOffer, record.media.isNegotiating,
               let answer = try? SessionDescription(parsing: Array(prack.body)) {
                // RFC 3262 §5: the answer to the callee's offer in the reliable provisional.
                switch await anchorAnswer(answer, call: id) {
                case .success(let b):
                    body = b
                    callTable.records[id]?.media.complete()
                case .failure(let rejection):
                    logger.warning("answer in PRACK refused", metadata: ["call": "\(id)", "reason": "\(rejection)"])
                    callTable.records[id]?.media.abandon()
                }
                guard let current = callTable.records[id] else { return }
                record = current
            } else {
                // Any other description in PRACK (a new offer) is not anchored, so it does not
                // cross: the B-leg never sees the caller's addresses.
                logger.info("SDP in PRACK not relayed", metadata: ["call": "\(id)"])
            }
        }
        guard leg == .a, let hop = record.bHop, let via = via(realm: record.bRealm, transport: record.bTransport),
              let onward = record.call.prackForB(relaying: prack, via: via, body: body) else {
            respond(SIPResponseBuilder.response(to: prack, status: 481, reason: "No Matching Reliable Provisional",
                                                toTag: nil), on: key)
            return
        }
        if startClient(onward, hop: hop, transport: record.bTransport,
                       purpose: .relay(call: id, server: key, request: prack, from: leg)) == nil {
            respond(record.call.response(to: prack, on: leg, status: 500, reason: nil, copying: nil, body: .none),
                    on: key)
        }
    }

    /// An ACK for a 2xx: the caller's for Palisade's 2xx (absorbed, or carrying the answer of a
    /// delayed offer on to the B-leg), or the callee's for a relayed re-INVITE's 2xx (absorbed).
    private func ackFromLeg(_ ack: SIPMessage, call id: String) async {
        guard let record = callTable.records[id], let callID = ack.callID,
              let leg = record.call.leg(ofCallID: callID) else { return }
        if let target = record.ackAnswerPendingOn, target != leg {
            await answerInAck(ack, to: target, call: id)
            return
        }
        guard leg == .a, record.awaitingAckAnswer, let hop = record.bHop else { return }
        record.awaitingAckAnswer = false
        let body = await anchoredAnswer(in: ack, call: id) ?? .none
        guard let current = callTable.records[id],
              let via = via(realm: current.bRealm, transport: current.bTransport) else { return }
        let onward = current.call.ack(on: .b, via: via, body: body)
        current.ackB = onward
        send(Outbound(message: onward, hop: hop, transaction: nil))
    }

    /// The requester's ACK for the 2xx of a re-INVITE without SDP: its answer (RFC 3264 §4)
    /// anchored and carried in Palisade's ACK on `target`, the leg that offered in its 2xx.
    private func answerInAck(_ ack: SIPMessage, to target: LegName, call id: String) async {
        callTable.records[id]?.ackAnswerPendingOn = nil
        let anchored = await anchoredAnswer(in: ack, call: id)
        if anchored == nil {
            if !Self.hasSDP(ack) { logger.warning("ACK without the answer to a delayed offer", metadata: ["call": "\(id)"]) }
            callTable.records[id]?.media.abandon()
        }
        let body = anchored ?? .none
        guard let current = callTable.records[id],
              let hop: Hop = target == .a ? .flow(current.aFlow) : current.bHop,
              let via = via(realm: target == .a ? current.aFlow.realm : current.bRealm,
                            transport: target == .a ? current.aFlow.transport : current.bTransport) else { return }
        let onward = current.call.ack(on: target, via: via, body: body)
        let sequence = target == .a ? current.call.inviteSequenceA : current.call.inviteSequenceB
        current.delayedOfferAcks[sequence] = onward
        send(Outbound(message: onward, hop: hop, transaction: nil))
    }

    /// The answer an ACK carries (RFC 3264 §4), anchored into the body for the other leg and the
    /// media session completed; nil when the ACK has none or the media plane refused it (logged).
    private func anchoredAnswer(in ack: SIPMessage, call id: String) async -> CallBody? {
        guard Self.hasSDP(ack), let answer = try? SessionDescription(parsing: Array(ack.body)) else { return nil }
        switch await anchorAnswer(answer, call: id) {
        case .success(let body):
            callTable.records[id]?.media.complete()
            return body
        case .failure(let rejection):
            logger.warning("answer in ACK refused", metadata: ["call": "\(id)", "reason": "\(rejection)"])
            return nil
        }
    }

    // MARK: - Ending

    private func cancelFromA(_ id: String) async {
        guard let record = callTable.records[id], !record.call.answeredA else { return }
        record.cancelled = true
        let terminated = record.call.localResponseForA(status: 487)
        respond(terminated, on: record.aServerKey)
        guard record.bInviteKey != nil, let cancel = record.call.cancelForB(), let hop = record.bHop else {
            await endCall(id, cause: "cancelled")
            return
        }
        startClient(cancel, hop: hop, transport: record.bTransport, purpose: .cancel(call: id))
        // §9.1: a callee that answers neither the CANCEL nor the INVITE is given up after 64*T1.
        let wait = transactions.timers.timeout
        Task { [self] in
            try? await Task.sleep(for: wait)
            enqueue(id) { await $0.endCall(id, cause: "cancelled") }
        }
    }

    /// Answers the caller's INVITE with a failure of Palisade's own and ends the call.
    func failCall(_ id: String, status: Int, reason: String? = nil, headers: [(String, String)] = []) {
        guard let record = callTable.records[id] else { return }
        if !record.call.answeredA {
            let response = record.call.localResponseForA(status: status, reason: reason, headers: headers)
            respond(response, on: record.aServerKey)
        }
        enqueue(id) { await $0.endCall(id, cause: "\(status)", by: .palisade) }
    }

    /// Sends Palisade's own BYE on `leg`.
    private func hangUp(_ id: String, leg: LegName, reason: String?) {
        guard let record = callTable.records[id] else { return }
        let hop: Hop? = leg == .a ? .flow(record.aFlow) : record.bHop
        let realm = leg == .a ? record.aFlow.realm : record.bRealm
        let kind = leg == .a ? record.aFlow.transport : record.bTransport
        guard let hop, let via = via(realm: realm, transport: kind) else { return }
        let bye = record.call.request(.bye, on: leg, via: via, reason: reason)
        startClient(bye, hop: hop, transport: kind, purpose: .own(call: id))
    }

    /// Forgets the call and deletes its media session (every way a call ends comes here).
    ///
    /// `by` defaults to what the cause says (`CallDetailRecord.endedBy(cause:)`).
    func endCall(_ id: String, cause: String, by: CallDetailRecord.EndedBy? = nil) async {
        guard let record = callTable.remove(id) else { return }
        record.sessionTimer?.cancel()
        if let slot = record.slot { admission.withLock { $0.release(slot) } }
        logger.info("call ended", metadata: ["call": "\(id)", "cause": "\(cause)"])
        callCounts.withLock { counts in
            counts.active -= 1
            if !record.connected {
                counts.failed[CallFailureKey(realm: record.aFlow.realm, cause: cause), default: 0] += 1
            }
        }
        let statistics = record.sessionCreated ? await deleteSession(id) : nil
        recordMediaQuality(statistics, callerRealm: record.aFlow.realm, calleeRealm: record.bRealm)
        if let sink = calls?.callRecords {
            let call = record.call
            sink.record(CallDetailRecord(
                id: id, callIDA: call.a.callID, callIDB: call.b.callID, callerRealm: record.aFlow.realm,
                calleeRealm: record.bRealm, caller: call.aInvite.from?.uri.user.map { String(decoding: $0, as: UTF8.self) },
                callee: call.aInvite.requestURI?.user.map { String(decoding: $0, as: UTF8.self) },
                started: record.startedAt, answered: record.answeredAt, ended: WallClock.now(), cause: cause,
                endedBy: by ?? CallDetailRecord.endedBy(cause: cause), media: CallDetailRecord.media(statistics)))
        }
    }

    /// palisade-media answers a delete once a packet worker has closed the streams, at its next
    /// packet or housekeeping tick (100 ms): a delete may take that much longer than other requests.
    static let deleteAllowanceMilliseconds = 250

    /// Deletes the call's media session; its final statistics, or nil if the media plane did not answer.
    @discardableResult
    private func deleteSession(_ id: String) async -> SessionStatistics? {
        guard let calls else { return nil }
        do {
            let reply = try await calls.media.request(.deleteSession(SessionReference(session: id)),
                                                      timeoutMilliseconds: calls.mediaTimeoutMilliseconds
                                                          + Self.deleteAllowanceMilliseconds,
                                                      isolation: self)
            if case .deleted(let statistics) = reply { return statistics }
        } catch {
            logger.warning("could not delete a media session", metadata: ["call": "\(id)", "error": "\(error)"])
        }
        return nil
    }

    // MARK: - Media events

    /// Reads the media plane's events until shutdown: a stream that timed out ends its call.
    func watchMediaEvents() {
        guard let calls, mediaEventTask == nil else { return }
        let events = calls.media.events
        mediaEventTask = Task.detached { [weak self] in
            for await event in events {
                guard let self else { return }
                await self.mediaEvent(event)
            }
        }
    }

    private func mediaEvent(_ event: MediaEvent) {
        guard case .streamTimedOut(let session, let stream, let leg, let idle) = event,
              callTable.records[session] != nil else { return }
        logger.info("media timed out", metadata: ["call": "\(session)", "stream": "\(stream)", "leg": "\(leg)",
                                                   "idle_s": "\(idle)"])
        enqueue(session) { await $0.mediaTimedOut(session) }
    }

    /// `palisadectl calls hangup ID`: the call as it is now, or nil when there is no such call. A
    /// connected call gets Palisade's BYE on both legs; one not yet answered ends as a CANCEL from
    /// the caller would (487 to the caller, CANCEL to the callee).
    public func hangUp(call id: String) -> CallSummary? {
        guard let summary = callSummaries().first(where: { $0.id == id }) else { return nil }
        enqueue(id) { await $0.operatorHangUp(id) }
        return summary
    }

    private func operatorHangUp(_ id: String) async {
        guard let record = callTable.records[id] else { return }
        logger.notice("call hung up by the operator", metadata: ["call": "\(id)"])
        if record.connected, record.call.state == .confirmed {
            let reason = "Q.850;cause=16;text=\"hung up by the operator\""
            hangUp(id, leg: .a, reason: reason)
            hangUp(id, leg: .b, reason: reason)
            await endCall(id, cause: "operator")
        } else if !record.call.answeredA {
            await cancelFromA(id)
        }
    }

    /// A connected call whose media stopped: BYE on both legs (issue 6, item 7). A call still
    /// ringing has no media to time out on and is left alone.
    private func mediaTimedOut(_ id: String) async {
        guard let record = callTable.records[id], record.connected, record.call.state == .confirmed else { return }
        let reason = "SIP;cause=408;text=\"media timeout\""
        hangUp(id, leg: .a, reason: reason)
        hangUp(id, leg: .b, reason: reason)
        await endCall(id, cause: "media-timeout")
    }

    // MARK: - Helpers

    static func hasSDP(_ message: SIPMessage) -> Bool {
        guard !message.body.isEmpty else { return false }
        guard let type = message.contentType else { return false }
        return type.lowercased().hasPrefix("application/sdp")
    }

    static func kind(_ transport: RouteTarget.Transport) -> TransportKind {
        switch transport {
        case .udp: .udp
        case .tcp: .tcp
        case .tls: .tls
        }
    }

    static func originID() -> String { String(IdentifierRandom.value(in: 1...UInt32.max)) }
}

extension SIPService {
    /// The calls in progress, oldest first, for `palisadectl calls list`.
    public func callSummaries() -> [CallSummary] {
        let now = ContinuousClock.now
        return callTable.records.sorted { $0.value.started < $1.value.started }.map { id, record in
            let call = record.call
            let state = switch call.state {
            case .calling: "calling"
            case .confirmed: "confirmed"
            case .ending: "ending"
            case .ended: "ended"
            }
            let elapsed = now - record.started
            return CallSummary(
                id: id, state: state, callerRealm: record.aFlow.realm, calleeRealm: record.bRealm,
                caller: call.aInvite.from?.uri.user.map { String(decoding: $0, as: UTF8.self) },
                callee: call.aInvite.requestURI?.user.map { String(decoding: $0, as: UTF8.self) },
                callIDA: call.a.callID, callIDB: call.b.callID,
                callerFlow: "\(record.aFlow.transport.rawValue) \(record.aFlow.remote.ipAddress ?? "?"):\(record.aFlow.remote.port ?? 0)",
                ageSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
    }
}
